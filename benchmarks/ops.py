"""Per-op overhead on small tensors (with/without grad, forward and backward) and matmul throughput.

Run: ``python -m benchmarks.ops [--quick] [--same-process]``. Each row is a ``WORKLOADS`` entry (a function
taking the framework module and returning a step), run in lockstep by two worker processes like the main suite
(``benchmarks/_worker.py`` says why); ``--same-process`` interleaves both frameworks in this process instead.
A per-op step makes ``INNER`` calls, and its rows show microseconds per call.
"""
from __future__ import annotations

import argparse
import os

import numpy as np

from ._harness import print_rows, run_table

INNER = 100  # calls per timed step of a per-op workload


def _pair(m, grad: bool = False):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((4, 4)).astype(np.float32)
    b = rng.standard_normal((4, 4)).astype(np.float32)
    return m.tensor(a, requires_grad=grad), m.tensor(b, requires_grad=grad)


def _per_op(call, grad: bool = False):
    """A workload running ``call(m, a, b)`` INNER times per step on two 4x4 float32 tensors."""
    def make(m):
        a, b = _pair(m, grad)

        def step():
            for _ in range(INNER):
                call(m, a, b)
        return step
    return make


def _fwd_bwd(m, a, b):
    ((a * b).exp().sum()).backward()


def chain(m, n: int = 1000):
    """A chain of ``n`` tiny differentiable ops and its backward (workload 1 of the main suite, spelled out)."""
    x = m.tensor(np.random.default_rng(1).standard_normal((4, 4)).astype(np.float32), requires_grad=True)

    def step():
        y = x
        for _ in range(n // 4):
            y = y * 0.5
            y = y + x
            y = y.tanh()
            y = y - 0.1
        y.sum().backward()
    return step


def _matmul(n: int):
    def make(m):
        rng = np.random.default_rng(n)
        a = m.tensor(rng.standard_normal((n, n)).astype(np.float32))
        b = m.tensor(rng.standard_normal((n, n)).astype(np.float32))
        return lambda: a @ b
    return make


PER_OP = {
    "add": ("add 4x4 (no grad)", _per_op(lambda m, a, b: a + b)),
    "mul_scalar": ("mul 4x4 by python float", _per_op(lambda m, a, b: a * 2.0)),
    "exp": ("exp 4x4", _per_op(lambda m, a, b: a.exp())),
    "sum": ("sum 4x4", _per_op(lambda m, a, b: a.sum())),
    "matmul4": ("matmul 4x4", _per_op(lambda m, a, b: a @ b)),
    "view": ("view/reshape 4x4", _per_op(lambda m, a, b: a.view(16))),
    "index": ("index [1:3]", _per_op(lambda m, a, b: a[1:3])),
    "add_grad": ("add 4x4 (requires grad, forward)", _per_op(lambda m, a, b: a + b, grad=True)),
    "matmul4_grad": ("matmul 4x4 (requires grad, forward)", _per_op(lambda m, a, b: a @ b, grad=True)),
    "fwd_bwd": ("mul+exp+sum forward+backward", _per_op(_fwd_bwd, grad=True)),
}
MATMUL_SIZES = (64, 256, 1024)
WORKLOADS = dict(PER_OP)
WORKLOADS["chain"] = ("chain of 1000 tiny ops + backward", chain)
WORKLOADS.update({f"matmul{n}": (f"matmul {n}x{n} float32", _matmul(n)) for n in MATMUL_SIZES})


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="fewer repeats, matmul up to 256")
    p.add_argument("--same-process", action="store_true", help="interleave both frameworks in this process")
    args = p.parse_args(argv)
    import torch  # noqa: PLC0415

    import ember  # noqa: PLC0415

    rep = 5 if args.quick else 15
    print(f"ember {ember.__version__}, torch {torch.__version__}, numpy {np.__version__}, {os.cpu_count()} cores")
    rows = run_table("benchmarks.ops", list(PER_OP), rep, same_process=args.same_process)
    us = 1e3 / INNER  # ms per step of INNER calls -> microseconds per call
    print_rows("Per-op time on small tensors (us per call)", [(t, e * us, r * us, q) for t, e, r, q in rows], "us")
    print_rows("Small-op chain", run_table("benchmarks.ops", ["chain"], rep, same_process=args.same_process))
    sizes = MATMUL_SIZES[:2] if args.quick else MATMUL_SIZES
    rows = []
    for n, (t, e, r, q) in zip(sizes, run_table("benchmarks.ops", [f"matmul{n}" for n in sizes], rep,
                                                  same_process=args.same_process)):
        gf = 2 * n ** 3 / 1e6  # MFLOP per product; / ms = GFLOP/s
        rows.append((f"{t} (GFLOP/s {gf / e:.1f} vs {gf / r:.1f})", e, r, q))
    print_rows("Matmul throughput", rows)


if __name__ == "__main__":
    main()

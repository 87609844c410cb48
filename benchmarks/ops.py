"""Per-op overhead on small tensors (with/without grad, forward and backward) and matmul throughput.

Run: ``python -m benchmarks.ops [--quick]``.
"""
from __future__ import annotations

import argparse

import numpy as np
import torch

import ember

from ._harness import bench, print_rows, setup_threads


def small_op_rows(repeats: int, inner: int):
    rng = np.random.default_rng(0)
    a_np = rng.standard_normal((4, 4)).astype(np.float32)
    b_np = rng.standard_normal((4, 4)).astype(np.float32)
    ea, eb = ember.tensor(a_np), ember.tensor(b_np)
    ta, tb = torch.tensor(a_np), torch.tensor(b_np)
    ega, egb = ember.tensor(a_np, requires_grad=True), ember.tensor(b_np, requires_grad=True)
    tga, tgb = torch.tensor(a_np, requires_grad=True), torch.tensor(b_np, requires_grad=True)
    pairs = [
        ("add 4x4 (no grad)", lambda: ea + eb, lambda: ta + tb),
        ("mul 4x4 by python float", lambda: ea * 2.0, lambda: ta * 2.0),
        ("exp 4x4", lambda: ea.exp(), lambda: ta.exp()),
        ("sum 4x4", lambda: ea.sum(), lambda: ta.sum()),
        ("matmul 4x4", lambda: ea @ eb, lambda: ta @ tb),
        ("view/reshape 4x4", lambda: ea.view(16), lambda: ta.view(16)),
        ("index [1:3]", lambda: ea[1:3], lambda: ta[1:3]),
        ("add 4x4 (requires grad, forward)", lambda: ega + egb, lambda: tga + tgb),
        ("matmul 4x4 (requires grad, forward)", lambda: ega @ egb, lambda: tga @ tgb),
    ]

    def e_fb():
        ((ega * egb).exp().sum()).backward()

    def t_fb():
        ((tga * tgb).exp().sum()).backward()

    pairs.append(("mul+exp+sum forward+backward", e_fb, t_fb))
    return bench(pairs, repeats=repeats, inner=inner)


def chain_rows(repeats: int, n: int = 1000):
    """Workload 1 of the performance issue: a chain of n tiny differentiable ops and its backward."""
    rng = np.random.default_rng(1)
    x_np = rng.standard_normal((4, 4)).astype(np.float32)

    def run(m, x):
        y = x
        for i in range(n // 4):
            y = y * 0.5
            y = y + x
            y = y.tanh()
            y = y - 0.1
        y.sum().backward()

    ex = ember.tensor(x_np, requires_grad=True)
    tx = torch.tensor(x_np, requires_grad=True)
    return bench([(f"chain of {n} tiny ops + backward", lambda: run(ember, ex), lambda: run(torch, tx))],
                 repeats=repeats, inner=1)


def matmul_rows(repeats: int, sizes):
    rows = []
    for n in sizes:
        rng = np.random.default_rng(n)
        a = rng.standard_normal((n, n)).astype(np.float32)
        b = rng.standard_normal((n, n)).astype(np.float32)
        ea, eb, ta, tb = ember.tensor(a), ember.tensor(b), torch.tensor(a), torch.tensor(b)
        r = bench([(f"matmul {n}x{n} float32", lambda: ea @ eb, lambda: ta @ tb)], repeats=repeats, inner=1)
        name, me, mt, ratio = r[0]
        gflops_e = 2 * n ** 3 / (me * 1e-3) / 1e9
        gflops_t = 2 * n ** 3 / (mt * 1e-3) / 1e9
        rows.append((f"{name} (GFLOP/s {gflops_e:.1f} vs {gflops_t:.1f})", me, mt, ratio))
    return rows


def main(argv=None) -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--quick", action="store_true")
    args = p.parse_args(argv)
    setup_threads()
    rep = 5 if args.quick else 21
    print(f"ember {ember.__version__}, torch {torch.__version__}, numpy {np.__version__}")
    print_rows("Per-op time on small tensors (ms per call)", small_op_rows(rep, 200 if not args.quick else 50))
    print_rows("Small-op chain", chain_rows(rep))
    print_rows("Matmul throughput", matmul_rows(rep, [64, 256] if args.quick else [64, 256, 1024]))


if __name__ == "__main__":
    main()

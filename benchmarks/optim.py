"""Optimizer step time, Ember vs PyTorch: SGD with momentum and Adam on 1M and 10M parameters.

Each model has a few large parameters and many small ones (weight matrices plus biases / norm scales). Both
libraries step the same seeded weights with the same gradients. Each row is a ``WORKLOADS`` entry run in
lockstep by two worker processes like the main suite (``benchmarks/_worker.py``: PyTorch's spinning OpenMP
threads then cannot slow down the Ember steps), or interleaved in this process with ``--same-process``; the
medians are printed with the ratio ember / torch (below 1: Ember is faster). PyTorch runs its default CPU path
(``foreach=None``: one tensor at a time) and, in the "vs foreach" rows, ``foreach=True``.

Run: ``python -m benchmarks.optim [--quick] [--same-process]`` (``--quick``: 1M parameters only, fewer repeats).
"""
from __future__ import annotations

import argparse

import numpy as np

from ._harness import print_rows, run_table


def shapes_for(total: int, n_small: int = 200) -> list[tuple[int, ...]]:
    """Three large matrices holding ~90% of ``total`` and ``n_small`` small vectors holding the rest."""
    cols = 1000
    rows = int(total * 0.9) // 3 // cols
    small = (total - 3 * rows * cols) // n_small
    return [(rows, cols)] * 3 + [(small,)] * n_small


def build(m, shapes, seed: int = 0):
    """Parameters of framework ``m`` with the same seeded weights and gradients in every process."""
    rng = np.random.default_rng(seed)
    ws = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    gs = [rng.standard_normal(s).astype(np.float32) * 1e-2 for s in shapes]
    ps = [m.nn.Parameter(m.tensor(w)) for w in ws]
    for p, g in zip(ps, gs):
        p.grad = m.tensor(g)
    return ps


CONFIGS = {
    "sgd": ("SGD-mom", lambda o, ps, **kw: o.SGD(ps, lr=0.01, momentum=0.9, **kw)),
    "adam": ("Adam", lambda o, ps, **kw: o.Adam(ps, lr=1e-3, **kw)),
}


def _workload(cfg: str, total: int, foreach: bool):
    title, make = CONFIGS[cfg]
    shapes = shapes_for(total)
    label = f"{title} {total / 1e6:g}M params/{len(shapes)} tensors" + (" vs foreach" if foreach else "")

    def build_step(m):
        kw = {"foreach": True} if foreach and m.__name__ == "torch" else {}
        return make(m.optim, build(m, shapes), **kw).step
    return (label, build_step)


WORKLOADS = {f"{cfg}_{total // 1_000_000}m{'_foreach' if fe else ''}": _workload(cfg, total, fe)
             for total in (1_000_000, 10_000_000) for cfg in CONFIGS for fe in (False, True)}


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description="optimizer step time, ember vs torch")
    p.add_argument("--quick", action="store_true", help="1M parameters only, fewer repeats")
    p.add_argument("--same-process", action="store_true", help="interleave both frameworks in this process")
    args = p.parse_args(argv)
    repeats = 5 if args.quick else 15
    names = [n for n in WORKLOADS if not (args.quick and "_10m" in n)]
    rows = run_table("benchmarks.optim", names, repeats, same_process=args.same_process)
    print_rows("Optimizer step (ms per step)", rows)


if __name__ == "__main__":
    main()

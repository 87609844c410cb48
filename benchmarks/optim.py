"""Optimizer step time, Ember vs PyTorch in one process: SGD with momentum and Adam on 1M and 10M parameters.

Each model has a few large parameters and many small ones (weight matrices plus biases / norm scales). Both
libraries step the same weights with the same gradients; runs are interleaved (E T E T ...) after a warm-up and
the medians are printed with the ratio ember / torch (below 1: Ember is faster). PyTorch runs its default CPU
path (``foreach=None``: one tensor at a time) and, in the "vs foreach" rows, ``foreach=True``.
PyTorch's OpenMP threads spin for a while after each parallel region and then compete with the Ember run that
follows; ``OMP_WAIT_POLICY=PASSIVE python -m benchmarks.optim`` removes that interference.

Run: ``python -m benchmarks.optim [--quick]`` (``--quick``: 1M parameters only, fewer repeats).
"""
from __future__ import annotations

import argparse

import numpy as np
import torch

import ember

from ._harness import bench, print_rows, setup_threads


def shapes_for(total: int, n_small: int = 200) -> list[tuple[int, ...]]:
    """Three large matrices holding ~90% of ``total`` and ``n_small`` small vectors holding the rest."""
    cols = 1000
    rows = int(total * 0.9) // 3 // cols
    small = (total - 3 * rows * cols) // n_small
    return [(rows, cols)] * 3 + [(small,)] * n_small


def build(shapes, seed: int = 0):
    """The same weights and gradients as torch and as ember parameters."""
    rng = np.random.default_rng(seed)
    ws = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    gs = [rng.standard_normal(s).astype(np.float32) * 1e-2 for s in shapes]
    tp = [torch.nn.Parameter(torch.tensor(w)) for w in ws]
    ep = [ember.nn.Parameter(ember.tensor(w)) for w in ws]
    for p, g in zip(tp, gs):
        p.grad = torch.tensor(g)
    for p, g in zip(ep, gs):
        p.grad = ember.tensor(g)
    return tp, ep


CONFIGS = {
    "SGD-mom": lambda m, ps, **kw: m.SGD(ps, lr=0.01, momentum=0.9, **kw),
    "Adam": lambda m, ps, **kw: m.Adam(ps, lr=1e-3, **kw),
}


def rows_for(total: int, repeats: int):
    shapes = shapes_for(total)
    label = f"{total / 1e6:g}M params/{len(shapes)} tensors"
    rows = []
    for name, make in CONFIGS.items():
        tp, ep = build(shapes)
        tp2, _ = build(shapes)
        eopt, topt, topt_fe = make(ember.optim, ep), make(torch.optim, tp), make(torch.optim, tp2, foreach=True)
        rows += bench([(f"{name} {label}", eopt.step, topt.step)], repeats=repeats)
        rows += bench([(f"{name} {label} vs foreach", eopt.step, topt_fe.step)], repeats=repeats)
    return rows


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description="optimizer step time, ember vs torch")
    p.add_argument("--quick", action="store_true", help="1M parameters only, fewer repeats")
    args = p.parse_args(argv)
    setup_threads()
    repeats = 5 if args.quick else 15
    rows = []
    for total in ([1_000_000] if args.quick else [1_000_000, 10_000_000]):
        rows += rows_for(total, repeats)
    print_rows("Optimizer step (ms per step)", rows)


if __name__ == "__main__":
    main()

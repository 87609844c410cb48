"""Shared benchmark harness: interleaved A/B timing with warm-up, medians and the Ember/PyTorch ratio."""
from __future__ import annotations

import statistics
import time


def bench(pairs, repeats: int = 15, inner: int = 1, warmup: int = 3):
    """Time each (name, ember_fn, torch_fn) interleaved E T E T ...; return rows of medians in ms."""
    rows = []
    for name, fe, ft in pairs:
        for _ in range(warmup):
            fe()
            ft()
        te, tt = [], []
        for _ in range(repeats):
            t0 = time.perf_counter()
            for _ in range(inner):
                fe()
            te.append((time.perf_counter() - t0) / inner)
            t0 = time.perf_counter()
            for _ in range(inner):
                ft()
            tt.append((time.perf_counter() - t0) / inner)
        me, mt = statistics.median(te) * 1e3, statistics.median(tt) * 1e3
        rows.append((name, me, mt, me / mt))
    return rows


def print_rows(title: str, rows, unit: str = "ms") -> None:
    print(f"\n{title}")
    print(f"{'workload':44s} {'ember ' + unit:>12s} {'torch ' + unit:>12s} {'ratio':>7s}")
    for name, me, mt, r in rows:
        print(f"{name:44s} {me:12.4f} {mt:12.4f} {r:7.2f}")


def setup_threads(n: int | None = None) -> None:
    """Use the same number of threads in both frameworks (default: all cores)."""
    import os  # noqa: PLC0415

    import torch  # noqa: PLC0415

    n = n or os.cpu_count() or 1
    torch.set_num_threads(n)

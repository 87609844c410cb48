"""Shared benchmark harness: interleaved A/B timing with warm-up, medians and the Ember/PyTorch ratio."""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
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


class _Worker:
    """A ``benchmarks._worker`` process running one framework's side of a workload."""

    def __init__(self, fw: str):
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        self.proc = subprocess.Popen([sys.executable, "-m", "benchmarks._worker", fw], cwd=root, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def ask(self, line: str) -> str:
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline()
        if not answer:
            raise RuntimeError(f"benchmark worker died on {line!r} (exit code {self.proc.wait()})")
        return answer.strip()

    def close(self) -> None:
        try:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.close()
        except OSError:
            pass
        self.proc.wait()


def bench_lockstep(names, repeats: int = 15, warmup: int = 3, block_s: float = 0.2, settle: int = 2,
                   module: str | None = None, sides: tuple = ("ember", "torch")):
    """Time suite workloads in lockstep across processes, one per side (Ember block, PyTorch block, ...).

    Each framework runs in its own worker process, so neither one's idle threads disturb the other; blocks
    of steps (about ``block_s`` seconds each) alternate in time, so both see the same machine conditions.
    The first ``settle`` steps of every block are dropped: right after a switch the other process's BLAS /
    OpenMP threads are still spinning (measured: PyTorch's first LSTM step after an Ember block took 35-110 ms
    against 16-18 ms for the next ones). ``repeats`` blocks per framework; every step is timed on its own.
    Returns ``{name: (ember_ms, torch_ms, ratio)}``: the medians over all kept steps, and the median over
    block pairs of (Ember block median / PyTorch block median), which follows the machine's speed drifts
    (this VM's speed moves by 20-40 % over seconds) better than the ratio of the overall medians.
    ``module`` names the module whose ``WORKLOADS`` hold ``names`` (default: ``benchmarks.suite``'s).
    ``sides`` names the module each worker imports and hands to the workload (``benchmarks.floors`` adds
    ``numpy``); with more than two, each name maps to ``(medians, ratios)``: the medians in ``sides`` order and
    each side's block ratio to the last side.
    """
    workers = [_Worker(s) for s in sides]
    try:
        out = {}
        for name in names:
            setup = f"setup {name}" if module is None else f"setup {name} {module}"
            for w in workers:
                w.ask(setup)
            warm = [min(float(t) for t in w.ask(f"run {warmup}").split()) for w in workers]
            k = max(1, int(block_s / max(max(warm), 1e-6)))
            times = [[] for _ in workers]
            ratios = [[] for _ in workers[:-1]]
            for _ in range(repeats):
                blocks = [[float(t) for t in w.ask(f"run {settle + k}").split()][settle:] for w in workers]
                for i, blk in enumerate(blocks):
                    times[i] += blk
                for i in range(len(ratios)):
                    ratios[i].append(statistics.median(blocks[i]) / statistics.median(blocks[-1]))
            meds = tuple(statistics.median(t) * 1e3 for t in times)
            rats = tuple(statistics.median(r) for r in ratios)
            out[name] = meds + rats if len(workers) == 2 else (meds, rats)
        return out
    finally:
        for w in workers:
            w.close()


def run_table(module: str, names, repeats: int = 15, warmup: int = 3, same_process: bool = False,
              threads: int | None = None) -> list:
    """Rows ``(title, ember_ms, torch_ms, ratio)`` for workloads ``names`` of ``module``'s ``WORKLOADS`` table:
    in lockstep worker processes, or interleaved in this process with ``same_process`` (PyTorch then uses
    ``threads`` threads, default all cores)."""
    import importlib  # noqa: PLC0415

    table = importlib.import_module(module).WORKLOADS
    if same_process:
        import torch  # noqa: PLC0415

        import ember  # noqa: PLC0415

        setup_threads(threads)
        return bench([(table[n][0], table[n][1](ember), table[n][1](torch)) for n in names], repeats=repeats,
                     warmup=warmup)
    res = bench_lockstep(names, repeats=repeats, warmup=warmup, module=module)
    return [(table[n][0],) + res[n] for n in names]


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

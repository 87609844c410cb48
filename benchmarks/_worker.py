"""One framework's side of a lockstep benchmark: ``python -m benchmarks._worker torch|ember|numpy``
(``numpy``: the raw-NumPy floors of ``benchmarks.floors``).

The parent (``_harness.bench_lockstep``) starts one worker per framework and sends it lines on stdin:
``setup NAME [MODULE]`` builds workload NAME from ``MODULE.WORKLOADS`` (default ``benchmarks.suite``, whose
table also holds the ``--extra`` file's workloads); ``run K`` times K steps one by one and answers their wall
times in seconds; ``quit`` ends. Each framework so keeps its own process: PyTorch's
OpenMP threads busy-wait after every parallel region, and in a shared process they steal a core from the
other framework (measured: Ember's batch-1 CNN 0.55 ms alone, 3.7 ms interleaved in one process with PyTorch).
"""
from __future__ import annotations

import importlib
import os
import sys
import time


def main() -> None:
    fw = sys.argv[1]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sys.path.insert(0, root)
    m = __import__(fw)
    if fw == "torch":
        m.set_num_threads(os.cpu_count() or 1)
    from benchmarks.suite import WORKLOADS, load_extra  # noqa: PLC0415

    if os.environ.get("EMBER_BENCH_EXTRA"):
        load_extra(os.environ["EMBER_BENCH_EXTRA"])

    step = None
    out = sys.stdout
    for line in sys.stdin:
        cmd = line.split()
        if not cmd or cmd[0] == "quit":
            break
        if cmd[0] == "setup":
            table = WORKLOADS if len(cmd) < 3 else importlib.import_module(cmd[2]).WORKLOADS
            step = table[cmd[1]][1](m)
            out.write("ok\n")
        elif cmd[0] == "run":
            times = []
            for _ in range(int(cmd[1])):
                t0 = time.perf_counter()
                step()
                times.append(time.perf_counter() - t0)
            out.write(" ".join(repr(t) for t in times) + "\n")
        out.flush()


if __name__ == "__main__":
    main()

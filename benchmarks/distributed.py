"""Data-parallel training step of an MNIST-size MLP on 1 and 2 ranks: Ember (MPI) vs PyTorch (gloo).

Each rank trains the MLP 784-256-128-10 (235k parameters) on its own batch of 64 with SGD; the
step time is forward + backward (with the DDP gradient all-reduce) + optimizer step. Per rank
count the same ranks run, interleaved (E T E T ...): Ember DDP, PyTorch DDP, and the same step
without DDP (local) to show the cost of the synchronisation, plus an all-reduce alone of a
buffer of the model's size (the communication itself). One BLAS thread per rank in both.

Run: ``python -m benchmarks.distributed [--quick]`` (needs mpi4py + mpich; starts ``ember launch``).
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BATCH = 64
SIZES = (784, 256, 128, 10)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _mlp(nn):
    a, b, c, d = SIZES
    return nn.Sequential(nn.Linear(a, b), nn.ReLU(), nn.Linear(b, c), nn.ReLU(), nn.Linear(c, d))


def worker(out: str, port: int, repeats: int) -> None:
    """One rank: time the four workloads interleaved; rank 0 writes the medians (ms) as JSON."""
    import numpy as np
    import torch
    import torch.distributed as tdist

    import ember
    import ember.distributed as dist
    from ember.nn.parallel import DistributedDataParallel as EDDP

    torch.set_num_threads(1)
    dist.init_process_group("mpi")
    rank, world = dist.get_rank(), dist.get_world_size()
    tdist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=world)

    rng = np.random.default_rng(rank)
    x = rng.random((BATCH, SIZES[0]), dtype=np.float32)
    y = rng.integers(0, SIZES[-1], BATCH)
    ex, ey, tx, ty = ember.from_numpy(x), ember.from_numpy(y), torch.from_numpy(x), torch.from_numpy(y)
    ember.manual_seed(0)
    torch.manual_seed(0)
    e_local, t_local = _mlp(ember.nn), _mlp(torch.nn)
    e_ddp, t_ddp = EDDP(_mlp(ember.nn)), torch.nn.parallel.DistributedDataParallel(_mlp(torch.nn))

    def ce_ember(logits, target):  # cross entropy from log_softmax (works whichever loss modules exist)
        return -ember.log_softmax(logits, 1).gather(1, target[:, None]).mean()

    def stepper(model, lib, loss_fn, xb, yb):
        opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

        def step():
            opt.zero_grad()
            loss_fn(model(xb), yb).backward()
            opt.step()

        return step

    n_params = sum(p.numel() for p in e_local.parameters())
    ebuf, tbuf = ember.ones(n_params), torch.ones(n_params)
    work = {
        "ember_ddp": stepper(e_ddp, ember, ce_ember, ex, ey),
        "torch_ddp": stepper(t_ddp, torch, torch.nn.functional.cross_entropy, tx, ty),
        "ember_local": stepper(e_local, ember, ce_ember, ex, ey),
        "torch_local": stepper(t_local, torch, torch.nn.functional.cross_entropy, tx, ty),
        "ember_allreduce": lambda: dist.all_reduce(ebuf),
        "torch_allreduce": lambda: tdist.all_reduce(tbuf),
    }
    times = {k: [] for k in work}
    for it in range(repeats + 5):
        for k, fn in work.items():
            dist.barrier()  # start every workload together on all ranks
            t0 = time.perf_counter()
            fn()
            if it >= 5:
                times[k].append(time.perf_counter() - t0)
    med = {k: statistics.median(v) * 1e3 for k, v in times.items()}
    if rank == 0:
        med.update(world=world, params=n_params)
        with open(out, "w") as f:
            json.dump(med, f)
    tdist.destroy_process_group()
    dist.destroy_process_group()


def run(nproc: int, repeats: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "result.json")
        env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
        cmd = [sys.executable, "-m", "ember", "launch", "-n", str(nproc), "-m", "benchmarks.distributed", "--worker",
               out, "--port", str(_free_port()), "--repeats", str(repeats)]
        subprocess.run(cmd, check=True, cwd=ROOT, env=env, timeout=900)
        with open(out) as f:
            return json.load(f)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="fewer repeats")
    p.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    p.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    p.add_argument("--repeats", type=int, default=None)
    args = p.parse_args()
    repeats = args.repeats or (15 if args.quick else 60)
    if args.worker:
        worker(args.worker, args.port, repeats)
        return
    results = [run(n, repeats) for n in (1, 2)]
    print(f"\nMLP {'-'.join(map(str, SIZES))} ({results[0]['params']} parameters), batch {BATCH} per rank, SGD; "
          f"median ms of {repeats} steps, 1 BLAS thread per rank")
    print(f"{'workload':42s} {'ember 1':>9s} {'torch 1':>9s} {'ember 2':>9s} {'torch 2':>9s}")
    rows = [("DDP step (fwd + bwd + all_reduce + step)", "ddp"), ("local step (no DDP)", "local"),
            (f"all_reduce alone ({results[0]['params'] * 4 / 1e6:.2f} MB)", "allreduce")]
    for label, key in rows:
        vals = [r[f"{lib}_{key}"] for r in results for lib in ("ember", "torch")]
        print(f"{label:42s} " + " ".join(f"{v:9.3f}" for v in vals))
    over = [r[f"{lib}_ddp"] - r[f"{lib}_local"] for r in results for lib in ("ember", "torch")]
    print(f"{'DDP overhead (DDP - local)':42s} " + " ".join(f"{v:9.3f}" for v in over))
    thr = [r["world"] * BATCH / r[f"{lib}_ddp"] * 1e3 for r in results for lib in ("ember", "torch")]
    print(f"{'samples per second (all ranks)':42s} " + " ".join(f"{v:9.0f}" for v in thr))


if __name__ == "__main__":
    main()

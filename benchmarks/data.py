"""Data loading time, Ember vs PyTorch: one epoch of a ``DataLoader`` over an in-memory ``TensorDataset``.

The dataset is MNIST-sized (10,000 samples of 784 float32 features and an int64 label, the same seeded values in
both frameworks); batches of 64, with and without shuffling, in the main process (``num_workers=0``): per
sample the dataset's ``__getitem__`` indexes each tensor, per batch ``default_collate`` stacks them. Each row is
a ``WORKLOADS`` entry run in lockstep by two worker processes like the main suite, or interleaved in this
process with ``--same-process``; the medians are printed with the ratio ember / torch (below 1: Ember is faster).

Run: ``python -m benchmarks.data [--quick] [--same-process]``.
"""
from __future__ import annotations

import argparse

import numpy as np

from ._harness import print_rows, run_table


def _epoch(shuffle: bool, batch_size: int = 64, n: int = 10_000, features: int = 784):
    def build(m):
        rng = np.random.default_rng(0)
        x = m.tensor(rng.standard_normal((n, features)).astype(np.float32))
        y = m.tensor(rng.integers(0, 10, n).astype(np.int64))
        data = __import__(f"{m.__name__}.utils.data", fromlist=["DataLoader"])
        m.manual_seed(0)
        loader = data.DataLoader(data.TensorDataset(x, y), batch_size=batch_size, shuffle=shuffle)

        def step():
            for _ in loader:
                pass
        return step
    return build


WORKLOADS = {
    "tensor_dataset_epoch": ("TensorDataset epoch, 10000x784, batch 64", _epoch(False)),
    "tensor_dataset_epoch_shuffled": ("TensorDataset epoch, shuffled", _epoch(True)),
}


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description="DataLoader epoch time, ember vs torch")
    p.add_argument("--quick", action="store_true", help="fewer repeats")
    p.add_argument("--same-process", action="store_true", help="interleave both frameworks in this process")
    args = p.parse_args(argv)
    rows = run_table("benchmarks.data", list(WORKLOADS), 5 if args.quick else 15, same_process=args.same_process)
    print_rows("DataLoader (ms per epoch)", rows)


if __name__ == "__main__":
    main()

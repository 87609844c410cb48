"""Data-parallel training of an MLP on MNIST-size data (784 pixels, 10 classes) with DistributedDataParallel.

One machine, 2 processes:        ember launch -n 2 examples/distributed_mnist_mlp.py
Several machines (MPICH hosts):  ember launch -n 8 --hostfile hosts examples/distributed_mnist_mlp.py
A short run (CI):                ember launch -n 2 examples/distributed_mnist_mlp.py --quick

Each rank reads its own share of the data (DistributedSampler) and trains a replica of the model;
DDP averages the gradients over the ranks during backward, so every replica stays identical and
the run is equivalent to one process training on the combined batch. The data are synthetic:
noisy versions of ten random 28x28 "digit" prototypes, the same on every rank (seeded).
"""
import argparse
import time

import ember as torch
import ember.distributed as dist
from ember import nn
from ember.nn.parallel import DistributedDataParallel as DDP
from ember.utils.data import DataLoader, DistributedSampler, TensorDataset


def synthetic_mnist(n: int, seed: int) -> TensorDataset:
    """``n`` images of 784 pixels in [0, 1] and their labels: ten fixed prototypes plus noise."""
    prototypes = torch.rand(10, 784, generator=torch.Generator().manual_seed(1234))
    g = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, 10, (n,), generator=g)
    images = (prototypes[labels] + 0.7 * torch.randn(n, 784, generator=g)).clamp(0, 1)
    return TensorDataset(images, labels)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--batch-size", type=int, default=64, help="per rank")
    p.add_argument("--lr", type=float, default=0.05)
    p.add_argument("--quick", action="store_true", help="a short run (for CI)")
    args = p.parse_args()

    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    n_train, n_test = (2048, 512) if args.quick else (60000, 10000)
    epochs = 1 if args.quick else args.epochs
    train, test = synthetic_mnist(n_train, seed=0), synthetic_mnist(n_test, seed=1)

    torch.manual_seed(rank)  # different on every rank on purpose: DDP copies rank 0's weights to all
    model = DDP(nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10)))
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    sampler = DistributedSampler(train, shuffle=True, seed=0)
    loader = DataLoader(train, batch_size=args.batch_size, sampler=sampler)
    if rank == 0:
        print(f"{world} ranks, {len(sampler)} samples per rank per epoch, batch {args.batch_size} per rank")

    for epoch in range(epochs):
        sampler.set_epoch(epoch)  # a different shuffle every epoch, the same on every rank
        model.train()
        total, count, start = torch.zeros(2, dtype=torch.float64), 0, time.perf_counter()
        for x, y in loader:
            loss = loss_fn(model(x), y)
            optimizer.zero_grad()
            loss.backward()  # gradients are averaged over the ranks here
            optimizer.step()
            total += torch.tensor([loss.item() * len(y), len(y)], dtype=torch.float64)
            count += 1
        dist.all_reduce(total)  # the mean loss over every rank's samples
        if rank == 0:
            ms = (time.perf_counter() - start) / max(count, 1) * 1e3
            print(f"epoch {epoch + 1}: loss {total[0].item() / total[1].item():.4f} ({ms:.1f} ms per step)")

    if rank == 0:  # the replicas are identical: one rank can evaluate
        model.eval()
        x, y = test.tensors
        with torch.no_grad():
            acc = (model(x).argmax(1) == y).float().mean().item()
        print(f"test accuracy {acc:.3f}")
    dist.destroy_process_group()


if __name__ == "__main__":
    main()

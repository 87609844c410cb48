"""One rank of the DDP test: train a small MLP with DistributedDataParallel and pickle what it learned.

Run as ``mpiexec -n N python tests/distributed/_rank_ddp.py OUTDIR``. Rank 0 also trains the same
model in one process on the combined batch, the reference ``test_ddp.py`` compares against.
"""
from __future__ import annotations

import os
import pickle
import sys

import numpy as np

IN, HID, OUT = 20, 32, 4
PER_RANK = 16
STEPS = 20
LR, MOMENTUM = 0.05, 0.9


def data(n: int, step: int) -> tuple:
    """The combined batch of ``step`` (``n * PER_RANK`` rows); rank r trains on rows [16r, 16r + 16)."""
    rng = np.random.default_rng(1000 + step)
    x = rng.standard_normal((n * PER_RANK, IN)).astype(np.float32)
    y = rng.standard_normal((n * PER_RANK, OUT)).astype(np.float32)
    return x, y


def mlp(nn):
    return nn.Sequential(nn.Linear(IN, HID), nn.Tanh(), nn.Linear(HID, 16), nn.ReLU(), nn.Linear(16, OUT))


def params(model) -> dict:
    return {k: np.array(v._data, copy=True) for k, v in model.state_dict().items()}


def grads(model) -> dict:
    return {k: (None if p.grad is None else np.array(p.grad._data, copy=True)) for k, p in model.named_parameters()}


def _mse(out, y):
    return ((out - y) ** 2).mean()


def train(ember, model, n: int, r: int | None, steps: int = STEPS, micro: int = 1, no_sync=None):
    """SGD with momentum; ``r`` None trains on the combined batch, else on rank r's rows."""
    opt = ember.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    for step in range(steps):
        x, y = data(n, step)
        if r is not None:
            x, y = x[r * PER_RANK:(r + 1) * PER_RANK], y[r * PER_RANK:(r + 1) * PER_RANK]
        opt.zero_grad()
        chunks = np.array_split(np.arange(len(x)), micro)
        for k, idx in enumerate(chunks):
            xb, yb = ember.from_numpy(x[idx]), ember.from_numpy(y[idx])
            if no_sync is not None and k < micro - 1:
                with no_sync():
                    (_mse(model(xb), yb) / micro).backward()
            else:
                (_mse(model(xb), yb) / micro).backward()
        opt.step()
    return model


def main(outdir: str) -> None:
    import ember
    import ember.distributed as dist
    from ember import nn
    from ember.nn.parallel import DistributedDataParallel as DDP

    dist.init_process_group("gloo")
    r, n = dist.get_rank(), dist.get_world_size()
    res: dict = {"rank": r, "world": n}

    def fresh():
        ember.manual_seed(100 + r)  # a different initialisation on every rank: DDP must broadcast rank 0's
        return mlp(nn)

    # training runs: default buckets, tiny buckets, gradients as bucket views, no_sync accumulation
    for name, kwargs, micro in [("plain", {}, 1), ("tiny", {"bucket_cap_mb": 0.0005}, 1),
                                ("view", {"gradient_as_bucket_view": True}, 1), ("no_sync", {}, 2)]:
        model = fresh()
        res[f"{name}/own_init"] = params(model)
        ddp = DDP(model, **kwargs)
        res[f"{name}/init"] = params(model)
        if name == "tiny":
            res["tiny/buckets"] = len(ddp._buckets)
        if name == "plain":
            res["plain/buckets"] = len(ddp._buckets)
            res["state_dict_keys"] = list(ddp.state_dict().keys())
            res["repr"] = repr(ddp)
            res["module_is"] = ddp.module is model
        train(ember, ddp, n, r, micro=micro, no_sync=ddp.no_sync if micro > 1 else None)
        res[f"{name}/final"] = params(model)
        if r == 0:
            ref = mlp(nn)
            ref.load_state_dict({k: ember.from_numpy(v) for k, v in res[f"{name}/init"].items()})
            res[f"{name}/reference"] = params(train(ember, ref, n, None))

    # find_unused_parameters: `unused` is never used; `side` only on rank 0
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = mlp(nn)
            self.side = nn.Linear(IN, OUT)
            self.unused = nn.Linear(OUT, OUT)

        def forward(self, x):
            out = self.body(x)
            return out + self.side(x) if dist.get_rank() == 0 else out

    ember.manual_seed(7)
    net = Net()
    local = Net()
    local.load_state_dict(net.state_dict())
    ddp = DDP(net, find_unused_parameters=True)
    x, y = data(n, 0)
    xb, yb = ember.from_numpy(x[r * PER_RANK:(r + 1) * PER_RANK]), ember.from_numpy(y[r * PER_RANK:(r + 1) * PER_RANK])
    _mse(local(xb), yb).backward()
    res["unused/local_grads"] = grads(local)
    _mse(ddp(xb), yb).backward()
    res["unused/grads"] = grads(net)
    # without find_unused_parameters the same model fails with PyTorch's message
    ember.manual_seed(7)
    strict = DDP(Net())
    try:
        _mse(strict(xb), yb).backward()
        res["unused/strict_error"] = None
    except RuntimeError as e:
        res["unused/strict_error"] = str(e)

    # buffers: rank 0's are broadcast at construction and before every forward
    class Counter(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(2, 2)
            self.register_buffer("count", ember.full((2,), float(r)))

        def forward(self, x):
            self.count.add_(float(r + 1))
            return self.fc(x)

    for flag in (True, False):
        m = Counter()
        ddp = DDP(m, broadcast_buffers=flag)
        after_init = np.array(m.count._data, copy=True)
        for _ in range(2):
            ddp(ember.ones(1, 2))
        res[f"buffers/{flag}"] = (after_init, np.array(m.count._data, copy=True))

    # a model that differs across ranks is refused at construction
    ember.manual_seed(0)
    wrong = nn.Sequential(nn.Linear(IN, HID + (1 if r == n - 1 else 0)), nn.Tanh())
    try:
        DDP(wrong)
        res["mismatch"] = None
    except RuntimeError as e:
        res["mismatch"] = str(e)
    try:
        DDP(nn.Tanh())
        res["no_params"] = None
    except RuntimeError as e:
        res["no_params"] = str(e)

    with open(os.path.join(outdir, f"rank{r}.pkl"), "wb") as f:
        pickle.dump(res, f)
    dist.destroy_process_group()


if __name__ == "__main__":
    main(sys.argv[1])

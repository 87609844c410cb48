"""Layer benchmarks: Conv2d, LSTM and TransformerEncoderLayer forward + backward, Ember vs PyTorch.

Both frameworks run the same module (PyTorch's weights copied into Ember) on the same float32 batch,
interleaved E T E T ... after warm-up; medians in ms and the ratio ember/torch are printed.

Run: ``python -m benchmarks.nn [--quick]``.
"""
from __future__ import annotations

import argparse

import numpy as np
import torch

import ember

from ._harness import bench, print_rows, setup_threads


def _pair(tm: torch.nn.Module, em: ember.nn.Module):
    em.load_state_dict({k: v.detach().numpy().copy() for k, v in tm.state_dict().items()})
    return tm, em


def _step(model, x, unpack=lambda o: o):
    def run():
        model.zero_grad()
        unpack(model(x)).sum().backward()
    return run


def workloads(quick: bool):
    rng = np.random.default_rng(0)
    rows = []
    # Conv2d: a small CNN layer (batch 16, 16 -> 32 channels, 32x32, 3x3, padding 1)
    for (n, c, o, s) in ([(8, 8, 16, 16)] if quick else [(16, 16, 32, 32), (32, 3, 16, 28)]):
        tm, em = _pair(torch.nn.Conv2d(c, o, 3, padding=1), ember.nn.Conv2d(c, o, 3, padding=1))
        x = rng.standard_normal((n, c, s, s)).astype(np.float32)
        te, tt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        rows.append((f"Conv2d {c}->{o} 3x3 on {n}x{c}x{s}x{s} fwd+bwd", _step(em, te), _step(tm, tt)))
    # LSTM: 2 layers, sequence 32, batch 16, 64 -> 128
    for (t, b, i, h, layers) in ([(16, 8, 32, 64, 1)] if quick else [(32, 16, 64, 128, 2), (50, 4, 16, 32, 1)]):
        tm, em = _pair(torch.nn.LSTM(i, h, num_layers=layers), ember.nn.LSTM(i, h, num_layers=layers))
        x = rng.standard_normal((t, b, i)).astype(np.float32)
        te, tt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        name = f"LSTM {i}->{h} x{layers} on T={t} B={b} fwd+bwd"
        rows.append((name, _step(em, te, lambda o: o[0]), _step(tm, tt, lambda o: o[0])))
    # TransformerEncoderLayer: d_model 64, 4 heads, ff 256, sequence 32, batch 16 (dropout 0.1, train mode)
    for (d, heads, ff, s, b) in ([(32, 2, 64, 16, 4)] if quick else [(64, 4, 256, 32, 16), (128, 8, 512, 64, 8)]):
        torch.manual_seed(0)
        tm = torch.nn.TransformerEncoderLayer(d, heads, ff, batch_first=True)
        em = ember.nn.TransformerEncoderLayer(d, heads, ff, batch_first=True)
        _pair(tm, em)
        x = rng.standard_normal((b, s, d)).astype(np.float32)
        te, tt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        rows.append((f"TransformerEncoderLayer d={d} h={heads} S={s} B={b} fwd+bwd", _step(em, te), _step(tm, tt)))
    return rows


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes and few repeats (a smoke run)")
    ap.add_argument("--threads", type=int, default=None, help="PyTorch threads (default: all cores)")
    args = ap.parse_args(argv)
    setup_threads(args.threads)
    rows = bench(workloads(args.quick), repeats=3 if args.quick else 15, warmup=1 if args.quick else 3)
    print_rows("nn layers, float32, forward + backward (median ms; ratio = ember / torch)", rows)


if __name__ == "__main__":
    main()

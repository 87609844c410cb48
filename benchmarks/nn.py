"""Layer benchmarks: Conv2d, LSTM and TransformerEncoderLayer forward + backward, Ember vs PyTorch.

Both frameworks build the same module from the same seed (Ember replays PyTorch's initialisation streams) and
run it on the same float32 batch; each row is a ``WORKLOADS`` entry run in lockstep by two worker processes like
the main suite (``benchmarks/_worker.py`` says why), or interleaved in this process with ``--same-process``.
Medians in ms and the ratio ember/torch are printed.

Run: ``python -m benchmarks.nn [--quick] [--same-process]``.
"""
from __future__ import annotations

import argparse

import numpy as np

from ._harness import print_rows, run_table


def _step(model, x, unpack=lambda o: o):
    def run():
        model.zero_grad()
        unpack(model(x)).sum().backward()
    run.model = model
    return run


def _input(m, *shape):
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    return m.tensor(x, requires_grad=True)


def _conv(n, c, o, s):
    def make(m):
        m.manual_seed(0)
        return _step(m.nn.Conv2d(c, o, 3, padding=1), _input(m, n, c, s, s))
    return (f"Conv2d {c}->{o} 3x3 on {n}x{c}x{s}x{s} fwd+bwd", make)


def _lstm(t, b, i, h, layers):
    def make(m):
        m.manual_seed(0)
        return _step(m.nn.LSTM(i, h, num_layers=layers), _input(m, t, b, i), lambda o: o[0])
    return (f"LSTM {i}->{h} x{layers} on T={t} B={b} fwd+bwd", make)


def _encoder(d, heads, ff, s, b):
    def make(m):  # dropout 0.1 in training mode, as the layer's defaults
        m.manual_seed(0)
        return _step(m.nn.TransformerEncoderLayer(d, heads, ff, batch_first=True), _input(m, b, s, d))
    return (f"TransformerEncoderLayer d={d} h={heads} S={s} B={b} fwd+bwd", make)


WORKLOADS = {
    "conv_8": _conv(8, 8, 16, 16),
    "conv_16": _conv(16, 16, 32, 32),
    "conv_32": _conv(32, 3, 16, 28),
    "lstm_16": _lstm(16, 8, 32, 64, 1),
    "lstm_32": _lstm(32, 16, 64, 128, 2),
    "lstm_50": _lstm(50, 4, 16, 32, 1),
    "encoder_32": _encoder(32, 2, 64, 16, 4),
    "encoder_64": _encoder(64, 4, 256, 32, 16),
    "encoder_128": _encoder(128, 8, 512, 64, 8),
}
QUICK = ["conv_8", "lstm_16", "encoder_32"]
FULL = ["conv_16", "conv_32", "lstm_32", "lstm_50", "encoder_64", "encoder_128"]


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes and few repeats (a smoke run)")
    ap.add_argument("--same-process", action="store_true", help="interleave both frameworks in this process")
    ap.add_argument("--threads", type=int, default=None, help="PyTorch threads with --same-process (default: all "
                    "cores; the workers always use all cores)")
    args = ap.parse_args(argv)
    names = QUICK if args.quick else FULL
    repeats, warmup = (3, 1) if args.quick else (15, 3)
    rows = run_table("benchmarks.nn", names, repeats, warmup, same_process=args.same_process, threads=args.threads)
    print_rows("nn layers, float32, forward + backward (median ms; ratio = ember / torch)", rows)


if __name__ == "__main__":
    main()

"""The CPU benchmark suite: the same workload code run on PyTorch and on Ember, interleaved.

Run: ``python -m benchmarks [--quick] [--only NAME ...] [--no-memory] [--same-process]``. Each workload is one
function taking the framework module (``torch`` or ``ember``), so both run literally the same code. By default
each framework runs in its own worker process and the steps alternate between them (see
``benchmarks/_worker.py`` for why); ``--same-process`` interleaves both in this process instead.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import time

import numpy as np

from ._harness import print_rows, run_table


def _data(m, *shape, kind="randn"):
    rng = np.random.default_rng(0)
    if kind == "randn":
        return m.tensor(rng.standard_normal(shape).astype(np.float32))
    return m.tensor(rng.integers(0, kind, shape).astype(np.int64))


def _train_step(m, model, opt, loss_fn, x, y):
    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
    return step


def small_ops(m):
    x = _data(m, 4, 4).requires_grad_(True)

    def step():
        y = x
        for _ in range(250):
            y = (y * 0.5 + x).tanh() - 0.1
        y.sum().backward()
    return step


def iris(m):
    m.manual_seed(0)
    model = m.nn.Sequential(m.nn.Linear(4, 16), m.nn.ReLU(), m.nn.Linear(16, 3))
    opt = m.optim.Adam(model.parameters(), lr=0.01)
    return _train_step(m, model, opt, m.nn.CrossEntropyLoss(), _data(m, 150, 4), _data(m, 150, kind=3))


def _mlp(m):
    return m.nn.Sequential(m.nn.Linear(784, 512), m.nn.ReLU(), m.nn.Linear(512, 256), m.nn.ReLU(),
                           m.nn.Linear(256, 10))


def mnist_mlp(m):
    m.manual_seed(0)
    model = _mlp(m)
    opt = m.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    return _train_step(m, model, opt, m.nn.CrossEntropyLoss(), _data(m, 128, 784), _data(m, 128, kind=10))


def _cnn(m):
    nn = m.nn
    return nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(32 * 7 * 7, 10))


def cnn(m):
    m.manual_seed(0)
    model = _cnn(m)
    opt = m.optim.Adam(model.parameters(), lr=1e-3)
    return _train_step(m, model, opt, m.nn.CrossEntropyLoss(), _data(m, 64, 1, 28, 28), _data(m, 64, kind=10))


def _char_transformer(m):
    """The character transformer of workload 5, built in framework ``m`` (also ``benchmarks/floors.py``'s)."""
    nn = m.nn

    class CharTransformer(nn.Module):
        def __init__(self):
            super().__init__()
            self.tok = nn.Embedding(65, 128)
            self.pos = nn.Parameter(m.zeros(64, 128))
            layer = nn.TransformerEncoderLayer(128, 4, 512, dropout=0.0, batch_first=True, norm_first=True)
            self.enc = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
            self.head = nn.Linear(128, 65)
            self.register_buffer("mask", nn.Transformer.generate_square_subsequent_mask(64))

        def forward(self, idx):
            return self.head(self.enc(self.tok(idx) + self.pos, mask=self.mask, is_causal=True))

    return CharTransformer()


def transformer(m):
    m.manual_seed(0)
    nn = m.nn
    model = _char_transformer(m)
    opt = m.optim.AdamW(model.parameters(), lr=1e-3)
    x, y = _data(m, 16, 64, kind=65), _data(m, 16, 64, kind=65)
    ce = nn.CrossEntropyLoss()
    return _train_step(m, model, opt, lambda out, t: ce(out.reshape(-1, 65), t.reshape(-1)), x, y)


def lstm(m):
    m.manual_seed(0)
    nn = m.nn

    class LM(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(65, 64)
            self.rnn = nn.LSTM(64, 128, batch_first=True)
            self.head = nn.Linear(128, 65)

        def forward(self, idx):
            return self.head(self.rnn(self.emb(idx))[0])

    model = LM()
    opt = m.optim.Adam(model.parameters(), lr=1e-3)
    x, y = _data(m, 32, 64, kind=65), _data(m, 32, 64, kind=65)
    ce = nn.CrossEntropyLoss()
    return _train_step(m, model, opt, lambda out, t: ce(out.reshape(-1, 65), t.reshape(-1)), x, y)


def _infer(build, batch, shape):
    def make(m):
        m.manual_seed(0)
        model = build(m)
        model.eval()
        x = _data(m, batch, *shape)

        def step():
            with m.no_grad():
                model(x)
        return step
    return make


WORKLOADS = {
    "small_ops": ("1. chain of 1,000 tiny ops (4x4) + backward", small_ops),
    "iris": ("2. Iris 4-16-3, batch 150, Adam", iris),
    "mnist_mlp": ("3. MNIST MLP 784-512-256-10, batch 128, SGD+momentum", mnist_mlp),
    "cnn": ("4. CNN 2 conv + 2 pool + linear, batch 64, Adam", cnn),
    "transformer": ("5. char transformer 2x(128, 4 heads), 16x64, AdamW", transformer),
    "lstm": ("6. LSTM LM 64->128, batch 32x64, Adam", lstm),
    "infer_mlp_1": ("7a. MLP inference, batch 1", _infer(_mlp, 1, (784,))),
    "infer_mlp_256": ("7b. MLP inference, batch 256", _infer(_mlp, 256, (784,))),
    "infer_cnn_1": ("7c. CNN inference, batch 1", _infer(_cnn, 1, (1, 28, 28))),
    "infer_cnn_256": ("7d. CNN inference, batch 256", _infer(_cnn, 256, (1, 28, 28))),
}
TARGETS = {"small_ops": 1.0, "iris": 0.5, "mnist_mlp": 0.85, "cnn": 1.0, "transformer": 1.0, "lstm": 1.0,
           "infer_mlp_1": 0.5, "infer_cnn_1": 0.5}


def import_times(repeats: int = 5) -> tuple:
    def t(mod):
        out = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-c", f"import {mod}"], check=True)
            out.append(time.perf_counter() - t0)
        base = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-c", "pass"], check=True)
            base.append(time.perf_counter() - t0)
        return (np.median(out) - np.median(base)) * 1e3
    return t("ember"), t("torch")


def installed_size(mod: str) -> float:
    import importlib  # noqa: PLC0415

    root = os.path.dirname(importlib.import_module(mod).__file__)
    total = 0
    for dirpath, _, files in os.walk(root):
        total += sum(os.path.getsize(os.path.join(dirpath, f)) for f in files)
    return total / 2 ** 20


# Peak RSS from /proc/self/status VmHWM: ru_maxrss would include the parent's peak (Linux keeps it across exec).
_MEM_SCRIPT = """
import sys
sys.path.insert(0, {root!r})
import {fw} as m
from benchmarks.suite import WORKLOADS
step = WORKLOADS[{name!r}][1](m)
for _ in range(5):
    step()
hwm = [line for line in open("/proc/self/status") if line.startswith("VmHWM:")][0]
print(int(hwm.split()[1]) / 1024)
"""


def peak_memory(name: str, fw: str) -> float:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run([sys.executable, "-c", _MEM_SCRIPT.format(root=root, fw=fw, name=name)],
                         capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def load_extra(path: str) -> None:
    """Add the ``WORKLOADS`` of the Python file at ``path`` to this module's (``--extra``; the workers read the
    same file from ``EMBER_BENCH_EXTRA``): a way to compare any snippet in lockstep while profiling."""
    spec = importlib.util.spec_from_file_location("_bench_extra", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    WORKLOADS.update(mod.WORKLOADS)


def machine() -> str:
    """The CPU, its widest SIMD level as NumPy and PyTorch see it, and NumPy's BLAS with the kernel it chose.

    The ratios depend on these: on an AVX-512 CPU PyTorch's MKL GEMMs and vectorised kernels gain more than
    NumPy's OpenBLAS (docs/performance.md, seventh session).
    """
    import ctypes  # noqa: PLC0415

    import torch  # noqa: PLC0415

    from ember._threads import blas_library  # noqa: PLC0415

    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            model = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), model)
    except OSError:
        pass
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as feats  # noqa: PLC0415
        simd = next((k for k in ("AVX512_SPR", "AVX512_ICL", "AVX512_SKX", "AVX512F", "AVX2", "SSE42", "ASIMD")
                     if feats.get(k)), "baseline")
    except ImportError:
        simd = "unknown"
    blas = blas_library()
    kernel = ""
    if blas and "openblas" in os.path.basename(blas).lower():
        lib = ctypes.CDLL(blas)
        names = (f"{p}openblas_get_corename{s}" for p in ("scipy_", "") for s in ("64_", "_64", ""))
        fn = next((f for f in (getattr(lib, n, None) for n in names) if f is not None), None)
        if fn is not None:
            fn.restype = ctypes.c_char_p
            kernel = f" ({fn().decode()} kernels)"
    return (f"{model}; numpy SIMD {simd}, torch CPU capability {torch.backends.cpu.get_cpu_capability()}; "
            f"numpy BLAS {os.path.basename(blas) if blas else 'none'}{kernel}")


def main(argv=None) -> None:
    import torch  # noqa: PLC0415

    import ember  # noqa: PLC0415

    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--only", nargs="*", default=None)
    p.add_argument("--no-memory", action="store_true")
    p.add_argument("--json", default=None, help="also write the results to this JSON file")
    p.add_argument("--extra", default=None, help="a Python file whose WORKLOADS dict ({name: (title, fn)}, fn "
                   "taking the framework module and returning a step function) adds workloads to run with --only")
    p.add_argument("--same-process", action="store_true",
                   help="interleave both frameworks in this process (PyTorch's spinning OpenMP threads then "
                        "slow down the small workloads of both)")
    args = p.parse_args(argv)
    if args.extra:
        os.environ["EMBER_BENCH_EXTRA"] = os.path.abspath(args.extra)
        load_extra(args.extra)
    names = args.only or list(WORKLOADS)
    unknown = [n for n in names if n not in WORKLOADS]
    if unknown:
        p.error(f"unknown workload(s) {', '.join(unknown)}; choose from {', '.join(WORKLOADS)}")
    torch.set_num_threads(os.cpu_count() or 1)
    print(f"ember {ember.__version__}, torch {torch.__version__}, numpy {np.__version__}, "
          f"{os.cpu_count()} cores, python {sys.version.split()[0]}")
    rows, results = [], {}
    results["machine"] = machine()
    print(results["machine"])
    repeats, warmup = (5, 2) if args.quick else (25, 3)
    for n in names:
        r = run_table("benchmarks.suite", [n], repeats, warmup, same_process=args.same_process)
        rows += r
        results[n] = {"ember_ms": r[0][1], "torch_ms": r[0][2], "ratio": r[0][3], "target": TARGETS.get(n)}
        print_rows("", r)
    print_rows("All workloads (median ms per step)", rows)
    ie, it = import_times(3 if args.quick else 7)
    results["import_ms"] = {"ember": ie, "torch": it, "ratio": ie / it, "target": 0.2}
    print(f"\nimport time: ember {ie:.0f} ms, torch {it:.0f} ms, ratio {ie / it:.2f} (target <= 0.2)")
    se, st = installed_size("ember"), installed_size("torch")
    results["installed_mb"] = {"ember": se, "torch": st}
    print(f"installed package size: ember {se:.1f} MB, torch {st:.0f} MB (numpy itself is extra for both)")
    if not args.no_memory:
        for n in ("mnist_mlp", "cnn", "transformer"):
            if n in names:
                me, mt = peak_memory(n, "ember"), peak_memory(n, "torch")
                results[f"peak_rss_{n}"] = {"ember_mb": me, "torch_mb": mt, "ratio": me / mt}
                print(f"peak RSS {n}: ember {me:.0f} MB, torch {mt:.0f} MB, ratio {me / mt:.2f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()

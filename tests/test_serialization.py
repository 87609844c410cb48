"""ember.save / ember.load: round trips, reading torch.save files, safety, atomic writes, corrupt files."""
from __future__ import annotations

import collections
import io
import math
import os
import pickle
import subprocess
import sys
import time
import zipfile

import numpy as np
import pytest
import torch

import ember

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _np(t):
    return np.asarray(t.detach().float().numpy() if t.dtype in (torch.bfloat16, ember.bfloat16) else t.detach().numpy())


def _roundtrip(obj, **load_kw):
    buf = io.BytesIO()
    ember.save(obj, buf)
    buf.seek(0)
    return ember.load(buf, **load_kw)


def _same(a, b):
    assert type(a) is type(b), (type(a), type(b))
    assert a.dtype == b.dtype and a.shape == b.shape
    assert np.array_equal(_np(a), _np(b), equal_nan=True)


# ----------------------------------------------------------------------------- ember round trips
_DTYPES = [ember.float32, ember.float64, ember.float16, ember.bfloat16, ember.bool, ember.uint8, ember.int8,
           ember.int16, ember.int32, ember.int64, ember.uint16, ember.uint32, ember.uint64, ember.complex64,
           ember.complex128]


@pytest.mark.parametrize("dtype", _DTYPES, ids=str)
def test_roundtrip_every_dtype(dtype):
    base = np.arange(-3, 9).reshape(3, 4)
    arr = (base % 2 == 0) if dtype is ember.bool else base.astype(np.float64) * 1.5 + 1j * base \
        if dtype.is_complex else base
    t = ember.tensor(arr if dtype.is_complex or dtype is ember.bool else np.abs(base) if dtype.name.startswith("u")
                     else base).to(dtype)
    cases = [t, t[1], t[1, 2], t.t(), t[:, ::2], ember.empty(0, 3, dtype=dtype)]
    got = _roundtrip(cases)
    for a, b in zip(cases, got):
        _same(a, b)


def test_roundtrip_containers_and_scalars():
    od = collections.OrderedDict(w=ember.ones(2), b=ember.zeros(1))
    od._metadata = collections.OrderedDict({"": {"version": 1}})
    obj = {"state": od, 0: (1, 2.5, "s", None, True), "f": [float("inf"), -float("inf"), 1e300],
           "nan": float("nan"), "c": 1 + 2j, "bytes": b"\x00\xff", "set": {1, 2}, "fs": frozenset(["a"]),
           "dtype": ember.bfloat16, "dev": ember.device("cpu"), "size": ember.Size([2, 3]),
           "np": np.arange(4, dtype=np.int16), "npf": np.float32(2.5), (1, "k"): [[], {}, ()]}
    got = _roundtrip(obj)
    assert list(got) == list(obj)
    assert type(got["state"]) is collections.OrderedDict and got["state"]._metadata == od._metadata
    _same(got["state"]["w"], od["w"])
    assert got[0] == obj[0] and got["f"] == obj["f"] and math.isnan(got["nan"])
    for k in ("c", "bytes", "set", "fs", "dev", (1, "k")):
        assert got[k] == obj[k] and type(got[k]) is type(obj[k])
    assert got["dtype"] is ember.bfloat16 and type(got["size"]) is ember.Size and got["size"] == obj["size"]
    assert got["np"].dtype == np.int16 and np.array_equal(got["np"], obj["np"])
    assert type(got["npf"]) is np.float32 and got["npf"] == obj["npf"]


def test_parameters_requires_grad_and_identity():
    p = ember.nn.Parameter(ember.randn(3))
    frozen = ember.nn.Parameter(ember.randn(2), requires_grad=False)
    g = ember.ones(2, requires_grad=True)
    got = _roundtrip({"p": p, "again": p, "frozen": frozen, "g": g, "plain": ember.ones(1)})
    assert isinstance(got["p"], ember.nn.Parameter) and got["p"].requires_grad
    assert got["again"] is got["p"]
    assert isinstance(got["frozen"], ember.nn.Parameter) and not got["frozen"].requires_grad
    assert type(got["g"]) is ember.Tensor and got["g"].requires_grad and got["g"].is_leaf
    assert not got["plain"].requires_grad
    _same(got["p"], p)


def test_views_share_storage_after_load():
    x = ember.arange(24.0).reshape(4, 6)
    got = _roundtrip({"x": x, "row": x[1], "col": x[:, 2], "t": x.t()})
    assert got["t"].stride() == x.t().stride() and got["col"].stride() == x[:, 2].stride()
    got["x"][1, 2] = -5.0
    assert got["row"][2].item() == -5.0 and got["col"][1].item() == -5.0 and got["t"][2, 1].item() == -5.0
    # a lone view of a big tensor is stored compactly (only its own elements)
    big = ember.zeros(1000, 100)
    buf = io.BytesIO()
    ember.save(big[3], buf)
    assert len(buf.getvalue()) < 10_000
    buf.seek(0)
    _same(ember.load(buf), big[3])


def test_path_save_and_safetensors_blob(tmp_path):
    safetensors_numpy = pytest.importorskip("safetensors.numpy")
    sd = collections.OrderedDict([("fc.weight", ember.randn(3, 2)), ("fc.bias", ember.randn(3))])
    path = tmp_path / "model.pt"
    ember.save(sd, path)
    ember.save(sd, str(path))  # replacing an existing file
    got = ember.load(path)
    assert list(got) == list(sd)
    for k in sd:
        _same(got[k], sd[k])
    with zipfile.ZipFile(path) as zf:
        blob = zf.read("archive/tensors.safetensors")
    plain = safetensors_numpy.load(blob)
    assert sorted(plain) == sorted(sd) and np.array_equal(plain["fc.weight"], sd["fc.weight"].numpy())
    assert [p.name for p in tmp_path.iterdir()] == ["model.pt"]  # no temporary files left behind


def test_mmap_load(tmp_path):
    x = ember.arange(10.0)
    path = tmp_path / "m.pt"
    ember.save({"x": x, "y": x[2:5]}, path)
    got = ember.load(path, mmap=True)
    _same(got["x"], x)
    got["x"][0] = 7.0  # copy on write: the file keeps its values
    assert got["y"].tolist() == [2.0, 3.0, 4.0]
    assert ember.load(path)["x"][0].item() == 0.0
    with pytest.raises(ValueError, match="f must be a file path in order to use the mmap argument"):
        ember.load(io.BytesIO(path.read_bytes()), mmap=True)


def test_unsupported_objects_raise_clearly():
    class Thing:
        pass

    with pytest.raises(TypeError, match="ember.save cannot store an object of type .*Thing"):
        ember.save({"a": Thing()}, io.BytesIO())
    loop = []
    loop.append(loop)
    with pytest.raises(ValueError, match="contains itself"):
        ember.save(loop, io.BytesIO())


def test_non_seekable_file_object():
    class ReadOnly:
        def __init__(self, data):
            self._b = io.BytesIO(data)

        def read(self, n=-1):
            return self._b.read(n)

    buf = io.BytesIO()
    ember.save([ember.tensor([1, 2])], buf)
    assert ember.load(ReadOnly(buf.getvalue()))[0].tolist() == [1, 2]


# ----------------------------------------------------------------------------- files written by torch.save
class _Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 3, 3)
        self.bn = torch.nn.BatchNorm2d(3)
        self.fc = torch.nn.Linear(12, 2)

    def forward(self, x):
        return self.fc(torch.relu(self.bn(self.conv(x))).flatten(1))


def _torch_file(obj, tmp_path, name="t.pt", **kw):
    path = tmp_path / name
    torch.save(obj, path, **kw)
    return path


def test_load_torch_cnn_state_dict(tmp_path):
    torch.manual_seed(0)
    net = _Net()
    net(torch.randn(2, 1, 4, 4))  # update BatchNorm running stats
    sd = net.state_dict()
    got = ember.load(_torch_file(sd, tmp_path))
    assert type(got) is collections.OrderedDict and list(got) == list(sd)
    assert got._metadata == sd._metadata
    for k, v in sd.items():
        assert type(got[k]) is ember.Tensor
        assert str(got[k].dtype) == str(v.dtype) and tuple(got[k].shape) == tuple(v.shape)
        assert np.array_equal(got[k].numpy(), v.numpy())
    mine = _ember_net()
    assert str(mine.load_state_dict(got)) == "<All keys matched successfully>"
    for k, v in sd.items():
        assert np.array_equal(mine.state_dict()[k].numpy(), v.numpy())
    assert str(mine.load_state_dict(_roundtrip(mine.state_dict()))) == "<All keys matched successfully>"


def _ember_net():
    class Net(ember.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = ember.nn.Conv2d(1, 3, 3)
            self.bn = ember.nn.BatchNorm2d(3)
            self.fc = ember.nn.Linear(12, 2)

    return Net()


def test_load_torch_adam_state_dict(tmp_path):
    torch.manual_seed(0)
    net = _Net()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, betas=(0.8, 0.9))
    net(torch.randn(2, 1, 4, 4)).sum().backward()
    opt.step()
    sd = opt.state_dict()
    got = ember.load(_torch_file(sd, tmp_path))
    assert list(got) == ["state", "param_groups"]
    assert list(got["state"]) == list(sd["state"])
    for i, st in sd["state"].items():
        assert list(got["state"][i]) == list(st)
        for k, v in st.items():
            assert str(got["state"][i][k].dtype) == str(v.dtype)
            assert np.array_equal(got["state"][i][k].numpy(), v.numpy())
    tg, eg = sd["param_groups"][0], got["param_groups"][0]
    assert list(tg) == list(eg) and all(tg[k] == eg[k] and type(tg[k]) is type(eg[k]) for k in tg)


@pytest.mark.parametrize("legacy", [False, True])
def test_load_torch_views_bfloat16_parameters(tmp_path, legacy):
    x = torch.arange(20.0).reshape(4, 5)
    obj = {"x": x, "row": x[2], "colT": x.t()[1:3], "bf16": torch.randn(3, 2).to(torch.bfloat16),
           "p": torch.nn.Parameter(torch.randn(2)), "frozen": torch.nn.Parameter(torch.ones(1), requires_grad=False),
           "i": torch.tensor(7), "b": torch.tensor([True, False]), "e": torch.empty(0, 2),
           "c": torch.tensor([1 + 2j]), "meta": (torch.Size([1, 2]), torch.float16, torch.device("cpu"), "s", 3.5)}
    kw = {"_use_new_zipfile_serialization": False} if legacy else {}
    got = ember.load(_torch_file(obj, tmp_path, **kw))
    for k in ("x", "row", "colT", "bf16", "i", "b", "e", "c"):
        assert str(got[k].dtype) == str(obj[k].dtype) and tuple(got[k].shape) == tuple(obj[k].shape)
        assert got[k].stride() == obj[k].stride() or obj[k].numel() == 0
        assert np.array_equal(_np(got[k]), _np(obj[k]))
    assert isinstance(got["p"], ember.nn.Parameter) and got["p"].requires_grad
    assert isinstance(got["frozen"], ember.nn.Parameter) and not got["frozen"].requires_grad
    assert got["meta"] == (ember.Size([1, 2]), ember.float16, ember.device("cpu"), "s", 3.5)
    got["x"][2, 1] = -1.0  # torch had one storage for x, row and colT
    assert got["row"][1].item() == -1.0 and got["colT"][0, 2].item() == -1.0


def test_load_torch_map_location_and_mmap(tmp_path):
    x = torch.randn(3, 3)
    path = _torch_file({"x": x}, tmp_path)
    seen = []

    def fn(storage, loc):
        seen.append(loc)
        return storage

    for ml in ("cpu", ember.device("cpu"), {"cpu": "cpu"}, fn, None):
        assert np.array_equal(ember.load(path, map_location=ml)["x"].numpy(), x.numpy())
    assert seen == ["cpu"]
    assert np.array_equal(ember.load(path, mmap=True)["x"].numpy(), x.numpy())


# ----------------------------------------------------------------------------- safety
class _Evil:
    def __init__(self, target):
        self.target = target

    def __reduce__(self):
        return (os.system, (f"touch {self.target}",))


def _zip_with_pickle(data: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("archive/data.pkl", data)
        zf.writestr("archive/byteorder", "little")
        zf.writestr("archive/version", "3\n")
    return buf.getvalue()


@pytest.mark.parametrize("kind", ["zip", "legacy"])
@pytest.mark.parametrize("weights_only", [True, False])
def test_malicious_pickle_is_refused_and_never_runs(tmp_path, kind, weights_only):
    target = tmp_path / "pwned"
    payload = pickle.dumps({"w": _Evil(target)}, protocol=2)
    data = _zip_with_pickle(payload) if kind == "zip" else payload
    path = tmp_path / "evil.pt"
    path.write_bytes(data)
    with pytest.raises(pickle.UnpicklingError, match=r"Unsupported global: GLOBAL (posix|os|nt)\.system"):
        ember.load(path, weights_only=weights_only)
    assert not target.exists()
    with pytest.raises(pickle.UnpicklingError):  # torch refuses it too
        torch.load(path, weights_only=True)
    assert not target.exists()


def test_state_of_shared_objects_cannot_be_changed(tmp_path):
    # GLOBAL torch.float32, then BUILD {'name': 'hacked'}: would corrupt ember.float32 if BUILD were unrestricted
    payload = b"\x80\x02ctorch\nfloat32\n}X\x04\x00\x00\x00nameX\x06\x00\x00\x00hackedsb."
    path = tmp_path / "build.pt"
    path.write_bytes(_zip_with_pickle(payload))
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        ember.load(path)
    assert ember.float32.name == "float32"


def test_numpy_needs_weights_only_false(tmp_path):
    path = _torch_file({"a": np.arange(3)}, tmp_path)
    with pytest.raises(pickle.UnpicklingError, match="Unsupported global"):
        ember.load(path)
    got = ember.load(path, weights_only=False)
    assert np.array_equal(got["a"], np.arange(3))


# ----------------------------------------------------------------------------- corrupt files and atomic writes
def test_truncated_and_corrupt_files_raise_clear_errors(tmp_path):
    buf = io.BytesIO()
    ember.save({"w": ember.randn(64, 64)}, buf)
    mine = buf.getvalue()
    theirs = _torch_file({"w": torch.randn(64, 64)}, tmp_path).read_bytes()
    legacy = _torch_file({"w": torch.randn(8)}, tmp_path, "l.pt", _use_new_zipfile_serialization=False).read_bytes()
    bad = [b"", b"hello world", mine[:10], mine[: len(mine) // 2], mine[:-30], theirs[: len(theirs) // 2],
           legacy[: len(legacy) - 10], legacy[:5]]
    flipped = bytearray(mine)
    flipped[len(mine) // 2] ^= 0xFF  # inside the tensor data: the CRC catches it
    bad.append(bytes(flipped))
    for data in bad:
        with pytest.raises(RuntimeError, match="ember.load: the file is corrupt or truncated"):
            ember.load(io.BytesIO(data))


_SAVER = """
import sys, ember
ember.save({"big": ember.ones(48_000_000)}, sys.argv[1])
"""


def test_killed_save_leaves_previous_file_intact(tmp_path):
    path = tmp_path / "ckpt.pt"
    good = {"w": ember.arange(5.0)}
    ember.save(good, path)
    before = path.read_bytes()
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen([sys.executable, "-c", _SAVER, str(path)], env=env)
    try:
        deadline = time.time() + 60
        while time.time() < deadline:  # wait until the temporary file is being written
            tmps = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
            if tmps and tmps[0].stat().st_size > 1_000_000:
                break
            assert proc.poll() is None, "the saver finished before it could be killed"
            time.sleep(0.005)
        else:
            pytest.fail("the saver never started writing")
        proc.kill()
    finally:
        proc.wait()
    assert path.read_bytes() == before
    assert ember.load(path)["w"].tolist() == good["w"].tolist()

"""The ember command: demo (each data set, --quick), info, and run (PyTorch scripts unchanged)."""
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPTS = os.path.join(ROOT, "tests", "scripts")


def _ember(*args, cwd=None, timeout=600):
    return subprocess.run([sys.executable, "-m", "ember", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=timeout, env={**os.environ, "PYTHONPATH": ROOT})


def _python(*args, timeout=300):
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=timeout)


def test_demo_iris_reaches_90_percent_and_writes_files(tmp_path):
    r = _ember("demo", "iris", "--quick", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    acc = float(next(line.split()[1] for line in r.stdout.splitlines() if line.strip().startswith("test_acc")))
    assert acc >= 0.9
    assert "same accuracy" in r.stdout
    for f in ("loss_curve.png", "latent_space.png", "iris_model.ckpt"):
        assert (tmp_path / f).stat().st_size > 1000


@pytest.mark.parametrize("dataset,files", [
    ("digits", ("loss_curve.png", "predictions.png", "digits_model.ckpt")),
    ("shakespeare", ("loss_curve.png", "sample.txt", "shakespeare_model.ckpt")),
])
def test_demo_other_datasets(tmp_path, dataset, files):
    r = _ember("demo", dataset, "--quick", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    for f in files:
        assert (tmp_path / f).stat().st_size > 0
    assert "DIFFERENT" not in r.stdout


def test_info():
    r = _ember("info")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("ember ") and "numpy" in r.stdout and "cuda available: False" in r.stdout


@pytest.mark.parametrize("script", ["train_loop.py", "custom_function.py"])
def test_run_prints_what_pytorch_prints(script):
    path = os.path.join(SCRIPTS, script)
    got = _ember("run", path)
    want = _python(path)
    assert got.returncode == 0, got.stderr
    assert want.returncode == 0, want.stderr
    assert got.stdout == want.stdout


def test_run_save_and_reload(tmp_path):
    path = os.path.join(SCRIPTS, "save_reload.py")
    (tmp_path / "e").mkdir()
    (tmp_path / "t").mkdir()
    got = _ember("run", path, str(tmp_path / "e"))
    want = _python(path, str(tmp_path / "t"))
    assert got.returncode == 0, got.stderr
    assert got.stdout == want.stdout


def test_run_names_the_missing_api():
    r = _ember("run", os.path.join(SCRIPTS, "missing_api.py"))
    assert r.returncode == 1
    assert r.stdout == "before\n"
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "ember has no torch.stft" in lines[0]

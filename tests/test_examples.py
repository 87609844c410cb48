"""Every example runs with --quick and writes what it promises."""
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples")

CASES = {
    "01_tensor_basics.py": [],
    "02_autograd_basics.py": ["function_and_derivative.png"],
    "03_logistic_regression.py": ["logistic_regression_loss.png"],
    "04_linear_regression.py": ["linear_regression.png"],
    "05_gd_vs_sgd.py": ["gd_vs_sgd.png"],
    "06_mlp_sequential.py": ["mlp_loss.png"],
    "07_iris_end_to_end.py": ["iris_latent_space.png"],
    "08_bce_two_layer.py": ["bce_two_layer.png"],
    "09_computation_graph.py": ["computation_graph.dot"],
    "10_digits_cnn.py": ["digits_cnn_predictions.png"],
    "11_char_transformer.py": ["char_transformer_sample.txt"],
    "12_finetune_pytorch_checkpoint.py": ["pretrained.pt", "finetuned.ckpt"],
}


def test_every_example_is_listed():
    found = {f for f in os.listdir(EXAMPLES) if f[:2].isdigit() and f.endswith(".py")}
    assert found == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_example_runs(name, tmp_path):
    r = subprocess.run([sys.executable, name, "--quick", "--out", str(tmp_path)], cwd=EXAMPLES,
                       capture_output=True, text=True, timeout=600, env={**os.environ, "PYTHONPATH": ROOT})
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-4000:]
    for f in CASES[name]:
        assert (tmp_path / f).stat().st_size > 0, f


def test_tensor_basics_prints_the_course_values(tmp_path):
    r = subprocess.run([sys.executable, "01_tensor_basics.py", "--out", str(tmp_path)], cwd=EXAMPLES,
                       capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": ROOT})
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == "torch.Size([2, 3])"
    assert "<class 'numpy.ndarray'>" in r.stdout


def test_autograd_basics_prints_the_course_values(tmp_path):
    r = subprocess.run([sys.executable, "02_autograd_basics.py", "--quick", "--out", str(tmp_path)], cwd=EXAMPLES,
                       capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": ROOT})
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[:4] == ["tensor(6.)", "tensor(80.)", "tensor(60.)", "tensor(12.) tensor(2.)"]

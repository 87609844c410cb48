"""The benchmark scripts' workload tables build and step in both frameworks, and the lockstep harness runs a
table of another module through its worker processes. No timing is checked: only that the code runs."""
import os
import sys

import pytest
import torch

import ember

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from benchmarks import data as bdata  # noqa: E402
from benchmarks import nn as bnn  # noqa: E402
from benchmarks import ops as bops  # noqa: E402
from benchmarks import optim as boptim  # noqa: E402
from benchmarks._harness import bench_lockstep  # noqa: E402

CASES = ([(bops, n) for n in bops.WORKLOADS if n != "matmul1024"]
         + [(bnn, n) for n in bnn.QUICK]
         + [(boptim, n) for n in boptim.WORKLOADS if "_1m" in n]
         + [(bdata, n) for n in bdata.WORKLOADS])


@pytest.mark.parametrize("mod,name", CASES, ids=[f"{m.__name__.split('.')[-1]}-{n}" for m, n in CASES])
def test_workload_steps_in_both_frameworks(mod, name):
    for m in (ember, torch):
        step = mod.WORKLOADS[name][1](m)
        step()
        step()


def test_layer_workloads_start_from_the_same_weights():
    # the nn rows compare the same module: Ember's seeded initialisation must equal PyTorch's
    for name in bnn.WORKLOADS:
        states = []
        for m in (ember, torch):
            model = bnn.WORKLOADS[name][1](m).model
            states.append({k: v.detach().numpy() for k, v in model.state_dict().items()})
        assert states[0].keys() == states[1].keys()
        for k in states[0]:
            assert (states[0][k] == states[1][k]).all(), (name, k)


def test_lockstep_runs_another_modules_table():
    res = bench_lockstep(["add", "chain"], repeats=2, warmup=1, block_s=0.01, module="benchmarks.ops")
    assert set(res) == {"add", "chain"}
    for e_ms, t_ms, ratio in res.values():
        assert e_ms > 0 and t_ms > 0 and ratio > 0


def test_machine_line_names_the_cpu_simd_and_blas():
    from benchmarks.suite import machine  # noqa: PLC0415

    line = machine()
    simd, blas = line.split("; ")[1:]
    assert simd.startswith("numpy SIMD ") and f"torch CPU capability {torch.backends.cpu.get_cpu_capability()}" in simd
    lib = ember._threads.blas_library()
    assert blas.startswith(f"numpy BLAS {os.path.basename(lib) if lib else 'none'}")


def test_unknown_workload_is_a_usage_error(capsys):
    from benchmarks.suite import main  # noqa: PLC0415

    with pytest.raises(SystemExit) as e:
        main(["--only", "iris", "mnist"])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "unknown workload(s) mnist" in err and "mnist_mlp" in err


def _torch_losses_and_params(name):
    """Two training steps of the suite's model in PyTorch (its losses and parameters), or one inference output."""
    from benchmarks import suite  # noqa: PLC0415

    torch.manual_seed(0)
    if name == "infer_mlp_1":
        model = suite._mlp(torch).eval()
        with torch.no_grad():
            return model(suite._data(torch, 1, 784))[0].numpy(), None
    if name == "mnist_mlp":
        model = suite._mlp(torch)
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        x, y = suite._data(torch, 128, 784), suite._data(torch, 128, kind=10)
        params = list(model.parameters())

        def loss_fn():
            return torch.nn.functional.cross_entropy(model(x), y)
    elif name == "cnn":
        model = suite._cnn(torch)
        params = list(model.parameters())
        opt = torch.optim.Adam(params, lr=1e-3)
        x, y = suite._data(torch, 64, 1, 28, 28), suite._data(torch, 64, kind=10)

        def loss_fn():
            return torch.nn.functional.cross_entropy(model(x), y)
    elif name == "transformer":
        model = suite._char_transformer(torch)
        params = list(model.parameters())
        opt = torch.optim.AdamW(params, lr=1e-3)
        x, y = suite._data(torch, 16, 64, kind=65), suite._data(torch, 16, 64, kind=65)

        def loss_fn():
            return torch.nn.functional.cross_entropy(model(x).reshape(-1, 65), y.reshape(-1))
    else:
        emb, rnn, head = torch.nn.Embedding(65, 64), torch.nn.LSTM(64, 128, batch_first=True), torch.nn.Linear(128, 65)
        params = list(emb.parameters()) + list(rnn.parameters()) + list(head.parameters())
        opt = torch.optim.Adam(params, lr=1e-3)
        x, y = suite._data(torch, 32, 64, kind=65), suite._data(torch, 32, 64, kind=65)

        def loss_fn():
            return torch.nn.functional.cross_entropy(head(rnn(emb(x))[0]).reshape(-1, 65), y.reshape(-1))
    losses = []
    for _ in range(2):
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses, [p.detach().numpy() for p in params]


@pytest.mark.parametrize("name", ["infer_mlp_1", "mnist_mlp", "cnn", "transformer", "lstm"])
def test_numpy_floor_computes_the_suite_step(name):
    # the raw-NumPy floor must do the workload's work: same outputs, losses and updated weights as PyTorch's
    import numpy as np  # noqa: PLC0415

    from benchmarks import floors  # noqa: PLC0415

    step = floors.WORKLOADS[name][1](np)
    ref, ref_params = _torch_losses_and_params(name)
    if ref_params is None:
        np.testing.assert_allclose(step(), ref, rtol=1e-5, atol=1e-6)
        return
    losses = [step(), step()]
    np.testing.assert_allclose(losses, ref, rtol=1e-5)
    mine = step.params()
    if name == "transformer":  # the key projection's bias has a zero gradient (softmax ignores a shift shared by
        # all keys), so after Adam its values are rounding noise normalised to ~1e-5 in both: left out
        mine, ref_params = [a.copy() for a in mine], [a.copy() for a in ref_params]
        for i in (3, 15):  # the two layers' in_proj_bias
            mine[i][128:256] = ref_params[i][128:256] = 0
    for a, b in zip(mine, ref_params):
        # atol: Adam moves each weight by ~1e-3 per step; its g / sqrt(v) amplifies the rounding of gradients
        # near eps (one weight of the transformer differs by 3e-6); a wrong gradient moves weights by ~1e-3
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_lockstep_runs_three_sides():
    res = bench_lockstep(["infer_mlp_1"], repeats=2, warmup=1, block_s=0.01, module="benchmarks.floors",
                         sides=("ember", "numpy", "torch"))
    (me, mn, mt), (re, rn) = res["infer_mlp_1"]
    assert me > 0 and mn > 0 and mt > 0 and re > 0 and rn > 0

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

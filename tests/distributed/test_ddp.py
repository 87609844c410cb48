"""DistributedDataParallel on 2 and 3 MPI ranks against one-process training (Ember and PyTorch)."""
from __future__ import annotations

import importlib.util
import os
import tempfile

import numpy as np
import pytest

from ._mpirun import HERE, run_ranks

_spec = importlib.util.spec_from_file_location("_rank_ddp", os.path.join(HERE, "_rank_ddp.py"))
rd = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(rd)

SCENARIOS = ["plain", "tiny", "view", "no_sync"]


@pytest.fixture(scope="module", params=[2, 3], ids=["2ranks", "3ranks"])
def results(request, tmp_path_factory):
    n = request.param
    return n, run_ranks(n, "_rank_ddp.py", str(tmp_path_factory.mktemp(f"ddp{n}")))


_TORCH_CACHE: dict = {}


def torch_train(init: dict, n: int) -> dict:
    """The same MLP trained by PyTorch in one process on the combined batches."""
    key = (n, tuple(v.tobytes() for v in init.values()))
    if key in _TORCH_CACHE:
        return _TORCH_CACHE[key]
    torch = pytest.importorskip("torch")
    from torch import nn

    model = rd.mlp(nn)
    model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in init.items()})
    opt = torch.optim.SGD(model.parameters(), lr=rd.LR, momentum=rd.MOMENTUM)
    for step in range(rd.STEPS):
        x, y = rd.data(n, step)
        opt.zero_grad()
        ((model(torch.from_numpy(x)) - torch.from_numpy(y)) ** 2).mean().backward()
        opt.step()
    out = _TORCH_CACHE[key] = {k: v.detach().numpy() for k, v in model.state_dict().items()}
    return out


def assert_params(a: dict, b: dict, atol: float) -> None:
    assert a.keys() == b.keys()
    for k, v in a.items():
        assert v.shape == b[k].shape and v.dtype == b[k].dtype, k
        np.testing.assert_allclose(v, b[k], rtol=0, atol=atol, err_msg=k)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_ddp_training_matches_one_process(results, scenario):
    n, res = results
    own0 = res[0][f"{scenario}/own_init"]
    # ranks started from different weights; DDP gave every rank those of rank 0
    assert any(not np.array_equal(res[1][f"{scenario}/own_init"][k], own0[k]) for k in own0)
    for d in res:
        assert_params(d[f"{scenario}/init"], own0, 0)
    reference = res[0][f"{scenario}/reference"]  # Ember, one process, the combined batch of n * 16
    for d in res:
        assert_params(d[f"{scenario}/final"], reference, 1e-6)
    assert_params(res[0][f"{scenario}/final"], torch_train(own0, n), 1e-5)


def test_buckets(results):
    _, res = results
    assert res[0]["plain/buckets"] == 1
    assert res[0]["tiny/buckets"] >= 4  # the tiny cap splits the gradients over several all_reduces


def test_find_unused_parameters(results):
    n, res = results
    local = [d["unused/local_grads"] for d in res]
    for d in res:
        g = d["unused/grads"]
        for k in g:
            if k.startswith("body."):
                np.testing.assert_allclose(g[k], sum(loc[k] for loc in local) / n, rtol=1e-5, atol=1e-7, err_msg=k)
        for k in ("side.weight", "side.bias"):  # used on rank 0 only: its gradient, averaged over all ranks
            np.testing.assert_allclose(g[k], local[0][k] / n, rtol=1e-6, atol=1e-8, err_msg=k)
        assert g["unused.weight"] is None and g["unused.bias"] is None
        err = d["unused/strict_error"]
        assert err is not None and err.startswith("Expected to have finished reduction in the prior iteration")
        assert "find_unused_parameters=True" in err and "unused.weight, unused.bias" in err


def test_broadcast_buffers(results):
    _, res = results
    for r, d in enumerate(res):
        after_init, after = d["buffers/True"]
        np.testing.assert_array_equal(after_init, [0.0, 0.0])  # rank 0's buffer, copied at construction
        np.testing.assert_array_equal(after, [r + 2.0] * 2)  # rank 0's value (1) before the 2nd forward, + r + 1
        after_init, after = d["buffers/False"]
        np.testing.assert_array_equal(after_init, [0.0, 0.0])
        np.testing.assert_array_equal(after, [2.0 * (r + 1)] * 2)


def test_mismatched_models_are_refused(results):
    n, res = results
    for d in res:
        msg = d["mismatch"]
        assert msg is not None and msg.startswith("DDP expects same model across all ranks")
        assert f"'0.weight' has shape [33, 20] and dtype torch.float32 on rank {n - 1}" in msg
        assert "shape [32, 20]" in msg
        assert d["no_params"] == ("DistributedDataParallel is not needed when a module doesn't have any parameter "
                                  "that requires a gradient.")


def test_state_dict_and_repr_match_torch(results):
    _, res = results
    torch = pytest.importorskip("torch")
    tdist = pytest.importorskip("torch.distributed")
    if not tdist.is_available() or tdist.is_initialized():
        pytest.skip("needs torch.distributed with no process group in this process")
    with tempfile.TemporaryDirectory() as tmp:
        tdist.init_process_group("gloo", init_method="file://" + os.path.join(tmp, "store"), rank=0, world_size=1)
        try:
            ddp = torch.nn.parallel.DistributedDataParallel(rd.mlp(torch.nn))
            keys, text = list(ddp.state_dict().keys()), repr(ddp)
        finally:
            tdist.destroy_process_group()
    for d in res:
        assert d["state_dict_keys"] == keys
        assert d["repr"] == text
        assert d["module_is"]


def test_engine_final_callback():
    """DDP finishes its all-reduces in a callback the autograd engine runs once backward is done (as PyTorch)."""
    import ember
    from ember.autograd import engine

    torch = pytest.importorskip("torch")
    from torch.autograd import Variable

    def record(lib, queue):
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        seen = []

        def hook(p):
            seen.append(("hook", p.grad.tolist()))
            queue(lambda: seen.append(("callback", w.grad.tolist())))

        w.register_post_accumulate_grad_hook(hook)
        (w * w).sum().backward()
        return seen

    assert record(ember, engine.queue_callback) == record(torch, Variable._execution_engine.queue_callback)
    with pytest.raises(RuntimeError, match="Final callbacks can only be installed during backward pass."):
        engine.queue_callback(lambda: None)

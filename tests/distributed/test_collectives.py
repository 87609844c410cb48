"""ember.distributed collectives on 2 and 3 MPI ranks, checked against NumPy on every rank's inputs."""
from __future__ import annotations

import importlib.util
import os

import numpy as np
import pytest

from ._mpirun import HERE, run_ranks

_spec = importlib.util.spec_from_file_location("_rank_collectives", os.path.join(HERE, "_rank_collectives.py"))
rc = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(rc)
make, DTYPES, OPS, valid = rc.make, rc.DTYPES, rc.OPS, rc.valid


@pytest.fixture(scope="module", params=[2, 3], ids=["2ranks", "3ranks"])
def results(request, tmp_path_factory):
    n = request.param
    return n, run_ranks(n, "_rank_collectives.py", str(tmp_path_factory.mktemp(f"coll{n}")))


def _low(dt: str) -> bool:
    return dt in ("float16", "bfloat16")


def reduce_np(arrs: list, dt: str, op: str) -> np.ndarray:
    """The reduction of the ranks' arrays, computed with NumPy (low precision floats through float32)."""
    s = np.stack(arrs)
    if dt == "bool":
        if op in ("SUM", "MAX", "BOR"):
            return s.any(0)
        if op in ("PRODUCT", "MIN", "BAND"):
            return s.all(0)
        return np.logical_xor.reduce(s, 0)
    if _low(dt):
        s = s.astype(np.float32)
    fns = {"SUM": lambda a: a.sum(0), "AVG": lambda a: a.sum(0) / len(a), "PRODUCT": lambda a: a.prod(0),
           "MIN": lambda a: a.min(0), "MAX": lambda a: a.max(0), "BAND": lambda a: np.bitwise_and.reduce(a, 0),
           "BOR": lambda a: np.bitwise_or.reduce(a, 0), "BXOR": lambda a: np.bitwise_xor.reduce(a, 0)}
    return fns[op](s).astype(arrs[0].dtype)


def close(actual, expected, dt: str = "float64") -> None:
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape
    assert actual.dtype == expected.dtype, (actual.dtype, expected.dtype)
    if actual.dtype.kind in "biu":
        np.testing.assert_array_equal(actual, expected)
    else:
        tol = {"float16": 2e-3, "bfloat16": 1e-2, "float32": 1e-6, "complex64": 1e-6}.get(dt, 1e-12)
        np.testing.assert_allclose(actual.astype(np.complex128 if actual.dtype.kind == "c" else np.float64),
                                   expected.astype(np.complex128 if expected.dtype.kind == "c" else np.float64),
                                   rtol=tol, atol=tol)


def test_ranks_and_world(results):
    n, res = results
    for r, d in enumerate(res):
        assert (d["rank"], d["world"]) == (r, n)
        assert d["env"] == (str(r), str(n))
        assert d["backend"] == "gloo" and d["initialized"] and not d["initialized_before"]
        assert d["world_group"] == (True, r, n, list(range(n)))
        assert [e[0] for e in d["before_init"]] == ["ValueError"] * 3
        assert d["before_init"][0][1] == ("Default process group has not been initialized, please make sure to call "
                                          "init_process_group.")


@pytest.mark.parametrize("dt", DTYPES)
def test_all_reduce(results, dt):
    n, res = results
    for op in OPS:
        if not valid(dt, op):
            continue
        key = f"all_reduce/{dt}/{op}"
        expected = reduce_np([make(r, key, (3, 4), dt) for r in range(n)], dt, op)
        for d in res:
            close(d[key], expected, dt)
            if key + "/work" in d:
                assert d[key + "/work"] == ("Work", True, True, True)
            else:
                assert d[key + "/ret"] is None


def test_all_reduce_strided_scalar_empty(results):
    n, res = results
    bases = [make(r, "strided", (4, 6), "float32") for r in range(n)]
    for r, d in enumerate(res):
        expected = bases[r].copy()
        expected[:, ::2] = sum(b[:, ::2] for b in bases)
        close(d["strided"], expected, "float32")
        close(d["scalar"], max(make(q, "scalar", (), "float64") for q in range(n)))
        assert d["empty"] == (0,)
        assert d["version_bumped"]


def test_broadcast_and_reduce(results):
    n, res = results
    for r, d in enumerate(res):
        for src in range(n):
            for dt in ("float32", "int64", "bool", "bfloat16"):
                close(d[f"broadcast/{src}/{dt}"], make(src, f"broadcast/{src}/{dt}", (2, 3), dt), dt)
        close(d["broadcast_group_src"], make(n - 1, "broadcast_group_src", (4,), "float32"), "float32")
        for op in ("SUM", "MAX"):
            mine = make(r, f"reduce/{op}", (5,), "float64")
            expected = reduce_np([make(q, f"reduce/{op}", (5,), "float64") for q in range(n)], "float64", op)
            close(d[f"reduce/{op}"], expected if r == n - 1 else mine)


def test_gathers(results):
    n, res = results
    for r, d in enumerate(res):
        for dt in ("float32", "int64", "bool", "bfloat16", "complex64"):
            got = d[f"all_gather/{dt}"]
            assert len(got) == n
            for q in range(n):
                close(got[q], make(q, f"all_gather/{dt}", (2, 3), dt), dt)
        ins = [make(q, "all_gather_single", (2, 3), "float32") for q in range(n)]
        cat, stack = d["all_gather_single"]
        close(cat, np.concatenate(ins), "float32")
        close(stack, np.stack(ins), "float32")
        out, caught = d["all_gather_into_tensor"]
        close(out, np.concatenate(ins), "float32")
        assert caught == ["FutureWarning"]
        if r == 0:
            for q in range(n):
                close(d["gather"][q], make(q, "gather", (3,), "int32"))
        else:
            assert d["gather"] is None
        close(d["scatter"], make(r, "scatter", (2, 2), "float32"), "float32")


def test_reduce_scatter(results):
    n, res = results
    for r, d in enumerate(res):
        close(d["reduce_scatter"], sum(make(q, f"reduce_scatter/{r}", (2, 3), "float32") for q in range(n)), "float32")
        blocks = [make(q, "reduce_scatter_single", (2 * n, 3), "float64")[2 * r:2 * r + 2] for q in range(n)]
        close(d["reduce_scatter_single"], sum(blocks) / n)
        out, caught = d["reduce_scatter_tensor"]
        close(out, np.max([make(q, "reduce_scatter_tensor", (n, 4), "int64")[r] for q in range(n)], axis=0))
        assert caught == ["FutureWarning"]


def test_all_to_all(results):
    n, res = results

    def split(src, dst):
        return (src + dst) % 2 + 1

    for r, d in enumerate(res):
        close(d["all_to_all_single"],
              np.concatenate([make(q, "all_to_all_single", (2 * n, 3), "float32")[2 * r:2 * r + 2] for q in range(n)]),
              "float32")
        pieces = []
        for q in range(n):
            x = make(q, "all_to_all_uneven", (sum(split(q, j) for j in range(n)), 2), "int64")
            start = sum(split(q, j) for j in range(r))
            pieces.append(x[start:start + split(q, r)])
        close(d["all_to_all_uneven"], np.concatenate(pieces))
        for q in range(n):
            close(d["all_to_all"][q], make(q, f"all_to_all/{r}", (r + 1,), "float32"), "float32")


def test_object_collectives(results):
    n, res = results
    for r, d in enumerate(res):
        assert d["all_gather_object"] == [(q, [q * q], [float(q)]) for q in range(n)]
        assert d["broadcast_object_list"] == [{"from": n - 1}, "x" * n, n - 1]
        assert d["gather_object"] == ([("g", q) for q in range(n)] if r == 0 else None)
        assert d["scatter_object_list"] == {"to": r}


def test_point_to_point(results):
    n, res = results
    for r, d in enumerate(res):
        prv = (r - 1) % n
        b, src = d["send_recv"]
        close(b, make(prv, "p2p", (3,), "float64"))
        assert src == prv
        c, done = d["isend_irecv"]
        close(c, make(prv, "p2p", (3,), "float64"))
        assert done
        close(d["batch_isend_irecv"], make(prv, "p2p", (3,), "float64"))
    assert res[0]["recv_any"] == (1, [7.0])


def test_new_group(results):
    n, res = results
    members = [0, n - 1]
    expected = sum(make(q, "group_all_reduce", (3,), "float32") for q in members)
    for r, d in enumerate(res):
        x, ret, caught = d["group_all_reduce"]
        assert ret is None
        if r in members:
            assert d["group_is_member"] and d["group_rank"] == (members.index(r), 2)
            close(x, expected, "float32")
            assert caught == []
            close(d["group_broadcast"], make(n - 1, "group_broadcast", (2,), "float32"), "float32")
            assert d["group_ranks"] == (members, n - 1, 1)
        else:  # a non-member: get_rank is -1, collectives warn and do nothing
            assert not d["group_is_member"] and d["group_rank"] == (-1, -1)
            close(x, make(r, "group_all_reduce", (3,), "float32"), "float32")
            assert caught == [f"Running all_reduce on global rank {r} which does not belong to the given group."]
        assert d["barrier_async"] == (True, True)


def test_errors_match_pytorch_types(results):
    _, res = results
    e = res[0]["errors"]
    expected_types = {"all_gather_len": "RuntimeError", "all_gather_shape": "RuntimeError",
                      "all_gather_dtype": "ValueError", "avg_int": "RuntimeError", "max_complex": "ValueError",
                      "bad_op": "TypeError", "not_tensor": "TypeError", "broadcast_no_src": "ValueError",
                      "bad_root": "RuntimeError", "send_self": "ValueError", "init_twice": "ValueError",
                      "gather_list_on_non_dst": "ValueError", "scatter_no_list": "ValueError",
                      "reduce_scatter_len": "RuntimeError", "all_gather_single_size": "RuntimeError",
                      "new_group_big": "ValueError"}
    assert {k: v[0] for k, v in e.items()} == expected_types
    assert e["max_complex"][1] == "all_reduce does not support RedOpType.MAX on complex tensors"
    assert e["init_twice"][1] == "trying to initialize the default process group twice!"
    assert e["send_self"][1] == ("Invalid destination rank: destination rank should not be the same as the rank of "
                                 "the current process.")
    assert e["avg_int"][1].startswith("result type Float can't be cast to the desired output type Long")


def test_timeouts(results):
    n, res = results
    kind, msg, waited, is_runtime = res[0]["timeout_wait"]
    assert kind == "DistBackendError" and is_runtime and "timed out" in msg
    assert 0.25 < waited < 5
    kind, waited = res[0]["timeout_group"]
    assert kind == "DistBackendError" and 0.25 < waited < 5
    for d in res:  # the late ranks joined, and the waits completed with the right sums
        close(d["late"], sum(make(q, "late", (3,), "float32") for q in range(n)), "float32")
        close(d["late_group"], sum(make(q, "late_group", (2,), "float64") for q in range(n)))


def test_distributed_sampler_matches_torch(results):
    n, res = results
    if "sampler" not in res[0]:
        pytest.skip("ember.utils.data.DistributedSampler is not there")
    torch = pytest.importorskip("torch")
    from torch.utils.data import DistributedSampler

    for r, d in enumerate(res):
        for (length, shuffle, drop_last, seed, epoch), (got, size) in d["sampler"].items():
            s = DistributedSampler(list(range(length)), num_replicas=n, rank=r, shuffle=shuffle, seed=seed,
                                   drop_last=drop_last)
            s.set_epoch(epoch)
            assert (got, size) == (list(s), len(s)), (length, shuffle, drop_last, seed, epoch)
    assert torch is not None


def test_destroy_and_init_again(results):
    n, res = results
    for d in res:
        assert d["after_destroy"] == (False, "ValueError")
        x, backend = d["reinit"]
        close(x, np.full(2, n * (n + 1) / 2, dtype=np.float32), "float32")
        assert backend == "mpi"


def test_before_init_in_process():
    import ember
    import ember.distributed as dist

    if dist.is_initialized():
        pytest.skip("a process group is initialised in this process")
    assert dist.is_available() and dist.GroupMember.WORLD is None and dist.GroupMember.NON_GROUP_MEMBER == -100
    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        dist.all_reduce(ember.ones(2))
    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        dist.get_world_size()
    with pytest.raises(RuntimeError, match="Distributed package doesn't have NCCL built in"):
        dist.init_process_group("nccl")
    with pytest.raises(AssertionError):
        dist.destroy_process_group()
    tdist = pytest.importorskip("torch.distributed")
    for name in tdist.ReduceOp.RedOpType.__members__:
        assert repr(getattr(dist.ReduceOp, name)) == repr(getattr(tdist.ReduceOp, name))
        assert str(getattr(dist.ReduceOp, name)) == str(getattr(tdist.ReduceOp, name))
    assert list(dist.ReduceOp.RedOpType.__members__) == list(tdist.ReduceOp.RedOpType.__members__)
    assert dist.Backend("GLOO") == tdist.Backend("GLOO") and dist.Backend.MPI == tdist.Backend.MPI
    assert dist.default_pg_timeout == tdist.default_pg_timeout


def test_register_backend_in_process():
    """A backend is a CommBackend subclass registered by name (how an NCCL backend plugs in later)."""
    import ember
    import ember.distributed as dist
    from ember.distributed import CommBackend, Work

    if dist.is_initialized():
        pytest.skip("a process group is initialised in this process")

    class Loopback(CommBackend):  # one rank: every collective is a copy
        name = "loopback"

        def _copy(self, src, dst):
            if dst is not None and src is not None:
                dst.reshape(-1)[...] = src.reshape(-1)
            return Work.completed()

        def barrier(self):
            return Work.completed()

        def all_reduce(self, buf, op):
            return Work.completed()

        def broadcast(self, buf, root):
            return Work.completed()

        def reduce(self, buf, op, root):
            return Work.completed()

        def all_gather(self, send, recv):
            return self._copy(send, recv)

        def gather(self, send, recv, root):
            return self._copy(send, recv)

        def scatter(self, send, recv, root):
            return self._copy(send, recv)

        def reduce_scatter(self, send, recv, op):
            return self._copy(send, recv)

        def all_to_all(self, send, recv, send_counts, recv_counts):
            return self._copy(send, recv)

        def send(self, buf, dst, tag):
            raise RuntimeError("one rank: nobody to send to")

        def recv(self, buf, src, tag):
            raise RuntimeError("one rank: nobody to receive from")

        def split(self, ranks):
            return Loopback(0, 1, self.timeout)

        def abort(self, code=1):
            raise SystemExit(code)

    dist.Backend.register_backend("loopback", lambda timeout: Loopback(0, 1, timeout))
    dist.init_process_group("loopback")
    try:
        assert (dist.get_rank(), dist.get_world_size(), dist.get_backend()) == (0, 1, "loopback")
        x = ember.arange(4.0)
        out = [ember.zeros(4)]
        dist.all_gather(out, x)
        assert out[0].tolist() == [0.0, 1.0, 2.0, 3.0]
        objs = [None]
        dist.all_gather_object(objs, {"a": 1})
        assert objs == [{"a": 1}]
        w = dist.all_reduce(x, async_op=True)
        assert w.wait() and w.is_completed() and w.result() == [x]
        g = dist.new_group([0])
        assert dist.get_world_size(g) == 1 and dist.get_process_group_ranks(g) == [0]
    finally:
        dist.destroy_process_group()
    assert not dist.is_initialized()

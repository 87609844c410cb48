"""One rank of the collectives test: run every collective on known inputs, pickle the results per rank.

Run as ``mpiexec -n N python tests/distributed/_rank_collectives.py OUTDIR``; ``test_collectives.py``
recomputes every rank's inputs with ``make`` and checks the results against NumPy.
"""
from __future__ import annotations

import os
import pickle
import sys
import time
import warnings
import zlib
from datetime import timedelta

import numpy as np

DTYPES = ["float32", "float64", "float16", "bfloat16", "int64", "int32", "uint8", "bool", "complex64"]
OPS = ["SUM", "AVG", "PRODUCT", "MIN", "MAX", "BAND", "BOR", "BXOR"]


def valid(dtype: str, op: str) -> bool:
    """Whether all_reduce supports ``op`` on ``dtype`` (as PyTorch's CPU backend)."""
    if op == "AVG":
        return dtype in ("float32", "float64", "float16", "bfloat16", "complex64")
    if op in ("BAND", "BOR", "BXOR"):
        return dtype in ("int64", "int32", "uint8", "bool")
    if op in ("MIN", "MAX"):
        return dtype != "complex64"
    return True


def make(rank: int, key: str, shape, dtype: str) -> np.ndarray:
    """The input of ``rank`` for test ``key``, as a NumPy array (bfloat16 as float32 values it rounds to)."""
    rng = np.random.default_rng([rank, zlib.crc32(key.encode())])
    if dtype in ("int64", "int32"):
        return rng.integers(-4, 5, size=shape).astype(dtype)
    if dtype == "uint8":
        return rng.integers(0, 7, size=shape).astype(dtype)
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if dtype == "complex64":
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(np.complex64)
    x = rng.uniform(0.5, 1.5, size=shape)  # away from zero: products and low precisions stay well conditioned
    if dtype == "bfloat16":
        import ml_dtypes

        return x.astype(np.float32).astype(ml_dtypes.bfloat16)
    return x.astype(dtype)


def _t(a: np.ndarray):
    import ember

    return ember.from_numpy(np.array(a, copy=True))


def _np(t) -> np.ndarray:
    return np.array(t._data, copy=True)


def _err(fn) -> tuple:
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the test compares type and message
        return type(e).__name__, str(e)
    return None, None


def main(outdir: str) -> None:
    import ember
    import ember.distributed as dist

    res: dict = {}
    res["before_init"] = [_err(dist.get_rank), _err(dist.get_world_size), _err(lambda: dist.all_reduce(ember.ones(1)))]
    res["initialized_before"] = dist.is_initialized()
    dist.init_process_group(backend="gloo", timeout=timedelta(seconds=60))
    r, n = dist.get_rank(), dist.get_world_size()
    R = dist.ReduceOp
    res["rank"], res["world"] = r, n
    res["env"] = (os.environ.get("PMI_RANK"), os.environ.get("PMI_SIZE"))
    res["backend"] = dist.get_backend()
    res["initialized"] = dist.is_initialized()
    res["world_group"] = (dist.GroupMember.WORLD is dist.group.WORLD, dist.group.WORLD.rank(), dist.group.WORLD.size(),
                          dist.get_process_group_ranks(dist.group.WORLD))

    # all_reduce: every dtype and op, sync and async, contiguous or not, 0-d and empty
    for dt in DTYPES:
        for k, op in enumerate(OPS):
            if not valid(dt, op):
                continue
            key = f"all_reduce/{dt}/{op}"
            x = _t(make(r, key, (3, 4), dt))
            if k % 2:
                w = dist.all_reduce(x, op=getattr(R, op), async_op=True)
                res[key + "/work"] = (type(w).__name__, w.wait(), w.is_completed(), w.result()[0] is x)
            else:
                res[key + "/ret"] = dist.all_reduce(x, op=getattr(R, op))
            res[key] = _np(x)
    base = _t(make(r, "strided", (4, 6), "float32"))
    dist.all_reduce(base[:, ::2])
    res["strided"] = _np(base)
    s = _t(make(r, "scalar", (), "float64"))
    dist.all_reduce(s, op=R.MAX)
    res["scalar"] = _np(s)
    e = ember.zeros(0)
    dist.all_reduce(e)
    res["empty"] = tuple(e.shape)
    v0 = base._version
    dist.all_reduce(base)
    res["version_bumped"] = base._version > v0

    # broadcast from every rank, and reduce to the last rank
    for src in range(n):
        for dt in ("float32", "int64", "bool", "bfloat16"):
            x = _t(make(r, f"broadcast/{src}/{dt}", (2, 3), dt))
            w = dist.broadcast(x, src=src, async_op=(src % 2 == 1))
            if w is not None:
                w.wait()
            res[f"broadcast/{src}/{dt}"] = _np(x)
    x = _t(make(r, "broadcast_group_src", (4,), "float32"))
    dist.broadcast(x, group_src=n - 1)
    res["broadcast_group_src"] = _np(x)
    for op in ("SUM", "MAX"):
        x = _t(make(r, f"reduce/{op}", (5,), "float64"))
        dist.reduce(x, dst=n - 1, op=getattr(R, op))
        res[f"reduce/{op}"] = _np(x)

    # gathers
    for dt in ("float32", "int64", "bool", "bfloat16", "complex64"):
        x = _t(make(r, f"all_gather/{dt}", (2, 3), dt))
        out = [ember.zeros(2, 3, dtype=x.dtype) for _ in range(n)]
        dist.all_gather(out, x)
        res[f"all_gather/{dt}"] = [_np(o) for o in out]
    x = _t(make(r, "all_gather_single", (2, 3), "float32"))
    cat, stack = ember.zeros(2 * n, 3), ember.zeros(n, 2, 3)
    dist.all_gather_single(cat, x)
    w = dist.all_gather_single(stack, x, async_op=True)
    w.wait()
    res["all_gather_single"] = (_np(cat), _np(stack))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = ember.zeros(2 * n, 3)
        dist.all_gather_into_tensor(out, x)
    res["all_gather_into_tensor"] = (_np(out), [c.category.__name__ for c in caught])
    x = _t(make(r, "gather", (3,), "int32"))
    gl = [ember.zeros(3, dtype=ember.int32) for _ in range(n)] if r == 0 else None
    dist.gather(x, gl, dst=0)
    res["gather"] = [_np(g) for g in gl] if gl else None
    x = ember.zeros(2, 2)
    sl = [_t(make(j, "scatter", (2, 2), "float32")) for j in range(n)] if r == n - 1 else None
    dist.scatter(x, sl, src=n - 1)
    res["scatter"] = _np(x)

    # reduce_scatter
    ins = [_t(make(r, f"reduce_scatter/{j}", (2, 3), "float32")) for j in range(n)]
    out = ember.zeros(2, 3)
    dist.reduce_scatter(out, ins)
    res["reduce_scatter"] = _np(out)
    x = _t(make(r, "reduce_scatter_single", (2 * n, 3), "float64"))
    out = ember.zeros(2, 3, dtype=ember.float64)
    w = dist.reduce_scatter_single(out, x, op=R.AVG, async_op=True)
    w.wait()
    res["reduce_scatter_single"] = _np(out)
    x = _t(make(r, "reduce_scatter_tensor", (n, 4), "int64"))
    out = ember.zeros(4, dtype=ember.int64)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        dist.reduce_scatter_tensor(out, x, op=R.MAX)
    res["reduce_scatter_tensor"] = (_np(out), [c.category.__name__ for c in caught])

    # all_to_all: equal and uneven splits, and the list form
    x = _t(make(r, "all_to_all_single", (2 * n, 3), "float32"))
    out = ember.zeros(2 * n, 3)
    dist.all_to_all_single(out, x)
    res["all_to_all_single"] = _np(out)
    split = lambda src, dst: (src + dst) % 2 + 1  # noqa: E731 - rows rank src sends to rank dst
    x = _t(make(r, "all_to_all_uneven", (sum(split(r, j) for j in range(n)), 2), "int64"))
    out = ember.zeros(sum(split(j, r) for j in range(n)), 2, dtype=ember.int64)
    dist.all_to_all_single(out, x, [split(j, r) for j in range(n)], [split(r, j) for j in range(n)])
    res["all_to_all_uneven"] = _np(out)
    ins = [_t(make(r, f"all_to_all/{j}", (j + 1,), "float32")) for j in range(n)]
    outs = [ember.zeros(r + 1) for _ in range(n)]
    dist.all_to_all(outs, ins)
    res["all_to_all"] = [_np(o) for o in outs]

    # objects
    objs = [None] * n
    dist.all_gather_object(objs, {"rank": r, "sq": [r * r], "t": ember.tensor([float(r)])})
    res["all_gather_object"] = [(o["rank"], o["sq"], o["t"].tolist()) for o in objs]
    lst = [{"from": r}, "x" * (r + 1), r] if r == n - 1 else [None, None, None]
    dist.broadcast_object_list(lst, src=n - 1)
    res["broadcast_object_list"] = lst
    gl = [None] * n if r == 0 else None
    dist.gather_object(("g", r), gl, dst=0)
    res["gather_object"] = gl
    out = [None]
    dist.scatter_object_list(out, [{"to": j} for j in range(n)] if r == 0 else None, src=0)
    res["scatter_object_list"] = out[0]

    # point to point: a ring, blocking (even ranks send first) and non-blocking
    nxt, prv = (r + 1) % n, (r - 1) % n
    a = _t(make(r, "p2p", (3,), "float64"))
    b = ember.zeros(3, dtype=ember.float64)
    if r % 2 == 0:
        dist.send(a, dst=nxt)
        src = dist.recv(b, src=prv)
    else:
        src = dist.recv(b, src=prv)
        dist.send(a, dst=nxt)
    res["send_recv"] = (_np(b), src)
    c = ember.zeros(3, dtype=ember.float64)
    reqs = [dist.irecv(c, src=prv, tag=3), dist.isend(a, dst=nxt, tag=3)]
    for q in reqs:
        q.wait()
    res["isend_irecv"] = (_np(c), reqs[0].is_completed())
    d = ember.zeros(3, dtype=ember.float64)
    ops = [dist.P2POp(dist.isend, a, nxt, tag=4), dist.P2POp(dist.irecv, d, prv, tag=4)]
    for q in dist.batch_isend_irecv(ops):
        q.wait()
    res["batch_isend_irecv"] = _np(d)
    if r == 1:
        dist.send(ember.tensor([7.0]), dst=0, tag=9)
    if r == 0:
        buf = ember.zeros(1)
        res["recv_any"] = (dist.recv(buf, tag=9), buf.tolist())

    # groups
    members = [0, n - 1]
    g = dist.new_group(members)
    res["group_is_member"] = g != dist.GroupMember.NON_GROUP_MEMBER
    res["group_rank"] = (dist.get_rank(g), dist.get_world_size(g))
    x = _t(make(r, "group_all_reduce", (3,), "float32"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ret = dist.all_reduce(x, group=g)
    res["group_all_reduce"] = (_np(x), ret, [str(c.message) for c in caught])
    if r in members:
        y = _t(make(r, "group_broadcast", (2,), "float32"))
        dist.broadcast(y, src=n - 1, group=g)
        res["group_broadcast"] = _np(y)
        res["group_ranks"] = (dist.get_process_group_ranks(g), dist.get_global_rank(g, 1), dist.get_group_rank(g, n - 1))
    dist.barrier()
    w = dist.barrier(async_op=True)
    res["barrier_async"] = (w.wait(), w.is_completed())

    # errors: PyTorch's exception types
    f32 = ember.ones(3)
    res["errors"] = {
        "all_gather_len": _err(lambda: dist.all_gather([ember.zeros(3)] * (n + 1), f32)),
        "all_gather_shape": _err(lambda: dist.all_gather([ember.zeros(4)] * n, f32)),
        "all_gather_dtype": _err(lambda: dist.all_gather([ember.zeros(3, dtype=ember.float64)] * n, f32)),
        "avg_int": _err(lambda: dist.all_reduce(ember.ones(2, dtype=ember.int64), op=R.AVG)),
        "max_complex": _err(lambda: dist.all_reduce(ember.ones(2, dtype=ember.complex64), op=R.MAX)),
        "bad_op": _err(lambda: dist.all_reduce(f32, op="sum")),
        "not_tensor": _err(lambda: dist.all_reduce([1.0, 2.0])),
        "broadcast_no_src": _err(lambda: dist.broadcast(f32)),
        "bad_root": _err(lambda: dist.broadcast(f32, src=n + 3)),
        "send_self": _err(lambda: dist.send(f32, dst=r)),
        "init_twice": _err(lambda: dist.init_process_group("gloo")),
        "gather_list_on_non_dst": _err(lambda: dist.gather(f32, [f32] * n, dst=(r + 1) % n)),
        "scatter_no_list": _err(lambda: dist.scatter(f32, None, src=r)),
        "reduce_scatter_len": _err(lambda: dist.reduce_scatter(f32, [f32])),
        "all_gather_single_size": _err(lambda: dist.all_gather_single(ember.zeros(n * 3 + 1), f32)),
        "new_group_big": _err(lambda: dist.new_group(list(range(n + 1)))),
    }

    # timeouts: rank 0 waits for a collective the others join late
    x = _t(make(r, "late", (3,), "float32"))
    if r == 0:
        w = dist.all_reduce(x, async_op=True)
        t0 = time.monotonic()
        kind, msg = _err(lambda: w.wait(timeout=timedelta(seconds=0.3)))
        res["timeout_wait"] = (kind, msg, time.monotonic() - t0, issubclass(dist.DistBackendError, RuntimeError))
        w.wait(timeout=timedelta(seconds=60))
    else:
        time.sleep(1.0)
        dist.all_reduce(x)
    res["late"] = _np(x)
    g2 = dist.new_group(timeout=timedelta(seconds=0.3))
    y = _t(make(r, "late_group", (2,), "float64"))
    if r == 0:
        w = dist.all_reduce(y, group=g2, async_op=True)
        t0 = time.monotonic()
        kind, msg = _err(w.wait)
        res["timeout_group"] = (kind, time.monotonic() - t0)
        w.wait(timeout=timedelta(seconds=60))
    else:
        time.sleep(1.0)
        dist.all_reduce(y, group=g2)
    res["late_group"] = _np(y)

    # DistributedSampler reads rank and world size from ember.distributed
    try:
        from ember.utils.data import DistributedSampler
    except ImportError:
        DistributedSampler = None
    if DistributedSampler is not None:
        parts = {}
        for length, shuffle, drop_last, seed, epoch in [(10, True, False, 0, 0), (11, True, False, 3, 2),
                                                        (11, True, True, 5, 1), (7, False, False, 0, 0)]:
            s = DistributedSampler(list(range(length)), shuffle=shuffle, seed=seed, drop_last=drop_last)
            s.set_epoch(epoch)
            parts[(length, shuffle, drop_last, seed, epoch)] = (list(s), len(s))
        res["sampler"] = parts

    # destroy, then init again
    dist.destroy_process_group()
    res["after_destroy"] = (dist.is_initialized(), _err(dist.get_rank)[0])
    dist.init_process_group()
    x = ember.full((2,), float(r + 1))
    dist.all_reduce(x)
    res["reinit"] = (_np(x), dist.get_backend())
    with open(os.path.join(outdir, f"rank{r}.pkl"), "wb") as f:
        pickle.dump(res, f)
    dist.destroy_process_group()


if __name__ == "__main__":
    main(sys.argv[1])

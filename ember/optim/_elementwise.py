"""Runner of elementwise optimizers: the per-parameter path and the flat multi-tensor fast path.

An elementwise algorithm gives three things: ``_spec(group)`` (its state entries), ``_prepare(group, sc, fresh)``
(scalar bookkeeping such as ``step += 1`` and bias corrections, returning the coefficients of this step) and
``_kernel(p, g, s, c, t1, t2)`` (the update, on raw arrays, in place). The same kernel runs either on one
parameter's arrays or on flat buffers that hold a whole group, so both paths give identical numbers.

Fast path: the parameters of a group (one dtype and device) become views into one flat buffer, and each state
entry (``exp_avg`` ...) is a view into a flat buffer of its own; gradients are gathered with one concatenate and
the kernel runs a few whole-array NumPy calls (in cache-sized chunks) instead of many tiny calls per parameter.
Parameters keep their identity; if a parameter's ``.data`` or a state tensor is replaced, the layout is rebuilt
from the current values at the next step.
"""
from __future__ import annotations

import operator
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from .._device import array_module
from .._tensor import Tensor, _wrap
from ..autograd.grad_mode import state as _grad_state
from .optimizer import Optimizer, _check_flags, _scalar_np_dtype

SCALAR, ELEM, LAZY = 0, 1, 2  # state kinds: 0-d scalar, per-element with an initial value, per-element from grad
_CHUNK = 1 << 17  # elements per kernel call on the fast path (fewer calls beat smaller temporaries up to ~1<<18)
_PARALLEL_MIN = 1 << 21  # flat sizes from which chunks are shared by threads (NumPy releases the GIL)
_THREADS = min(os.cpu_count() or 1, 4)
_pool: list = []
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_pool.clear)  # a forked child has no pool threads


def _real(a):
    """A real view of a complex array (PyTorch's view_as_real), else the array itself."""
    if a.dtype.kind == "c":
        return a.view(a.real.dtype)
    return a


def sparse_rows(g: Tensor):
    """Row indices of a gradient marked sparse, else None.

    ``nn.Embedding(sparse=True)`` gives a dense gradient tensor marked with ``_sparse_indices`` (the rows of
    dim 0 that the sparse gradient holds; duplicates allowed).
    """
    rows = getattr(g, "_sparse_indices", None)
    if rows is None:
        return None
    return np.asarray(rows._np() if isinstance(rows, Tensor) else rows, dtype=np.int64).reshape(-1)


def is_sparse_grad(g: Tensor) -> bool:
    """Whether a gradient is sparse (a dense tensor marked with ``_sparse_indices``)."""
    return g.is_sparse or getattr(g, "_sparse_indices", None) is not None


class _Layout:
    """Flat buffers of one group bucket and the views handed out to parameters and state."""

    __slots__ = ("G", "P", "Pr", "Gr", "S", "Sr", "SC", "scb", "fresh", "params", "plan", "pviews", "sdicts", "skeys",
                 "spec", "sviews", "t1", "t2", "xp")


def _pool_map(fn, jobs):
    if not _pool:
        _pool.append(ThreadPoolExecutor(max_workers=_THREADS, thread_name_prefix="ember-optim"))
    return list(_pool[0].map(fn, jobs))


class ElementwiseOptimizer(Optimizer):
    """Base of optimizers whose update is elementwise (all but LBFGS): state handling and the two step paths."""

    _sparse_msg: str | None = None

    def _spec(self, group: dict) -> tuple:
        return ()

    def _kernel_keeps_grad(self, c) -> bool:
        """Whether the kernel, with prepared constants ``c``, only reads its gradient argument (then the flat
        path hands it the parameter's gradient in place instead of a scratch copy)."""
        return False

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform a single optimization step; ``closure`` re-evaluates the model and returns the loss."""
        loss = self._closure_loss(closure)
        prev = _grad_state.enabled
        _grad_state.enabled = False
        try:
            for gi, group in enumerate(self.param_groups):
                params = [p for p in group["params"] if p._grad is not None]
                if params:
                    self._step_group(gi, group, params)
        finally:
            _grad_state.enabled = prev
        return loss

    # ----- dispatch -------------------------------------------------------------------
    def _step_group(self, gi: int, group: dict, params: list) -> None:
        _check_flags(group, params)
        self._check_grads(group, params)
        spec = self._spec(group)
        if group.get("foreach") is False and not group.get("fused"):
            for p in params:
                self._single_step(group, p, spec)
            return
        last = self._flat.get(gi)  # the layout that held all of this group's parameters at the last step
        if last is not None and layout_valid(self.state, last, params, spec) and self._flat_run(last, group, params):
            return  # the parameters' arrays are still its views: one dtype and device, no bucketing needed
        buckets: dict = {}
        for p in params:
            d = p._data
            buckets.setdefault((d.dtype, getattr(d, "device", None)), []).append(p)
        for key, ps in buckets.items():
            if not self._flat_step((gi, key), group, ps, spec):
                for p in ps:
                    self._single_step(group, p, spec)
        if len(buckets) == 1 and (gi, key) in self._flat:
            self._flat[gi] = self._flat[(gi, key)]
        else:
            self._flat.pop(gi, None)

    def _check_grads(self, group: dict, params: list) -> None:
        if self._sparse_msg is not None:
            for p in params:
                if is_sparse_grad(p._grad):
                    raise RuntimeError(self._sparse_msg)

    # ----- per-parameter path ------------------------------------------------------------
    def _single_step(self, group: dict, p: Tensor, spec: tuple) -> None:
        xp = array_module(p._data)
        sc, s, fresh = {}, {}, False
        if spec:
            st = self.state[p]
            for key, kind, init in spec:
                if key not in st:
                    if kind == SCALAR:
                        st[key] = _wrap(np.asarray(init, dtype=_scalar_np_dtype()))
                    else:
                        arr = xp.zeros_like(p._data)
                        if kind == LAZY:
                            fresh = True
                        elif init != 0:
                            _real(arr)[...] = init
                        st[key] = _wrap(arr)
                if kind == SCALAR:
                    sc[key] = st[key]._data
                else:
                    s[key] = _real(st[key]._data)
        c = self._prepare(group, sc, fresh)
        g = _real(p._grad._data.copy())
        self._kernel(_real(p._data), g, s, c, xp.empty_like(g), xp.empty_like(g))
        p._bump()

    # ----- flat fast path -----------------------------------------------------------------
    def _flat_step(self, lkey, group: dict, params: list, spec: tuple) -> bool:
        lay = self._flat.get(lkey)
        if lay is None or not layout_valid(self.state, lay, params, spec):
            lay = build_layout(self.state, params, spec)
            if lay is None:
                return False
            self._flat[lkey] = lay
        return self._flat_run(lay, group, params)

    def _flat_run(self, lay: _Layout, group: dict, params: list) -> bool:
        """One step of a valid layout (False, touching nothing, if its parameters are at different steps)."""
        sc = {}
        for k, a in lay.SC.items():
            # all entries equal what the last step wrote, or else compared one by one
            if a.size > 1 and a.tobytes() != lay.scb.get(k) and bool((a != a[0]).any()):
                return False  # parameters at different steps: update one by one
            sc[k] = a[0, ...].copy()
        c = self._prepare(group, sc, lay.fresh)
        for k, a in lay.SC.items():
            a[...] = sc[k]
            lay.scb[k] = a.tobytes()
        grads = [p._grad._data for p in params]
        if lay.xp is np:
            for lo, hi, src in lay.plan:  # runs of small gradients are gathered; large ones are read in place
                if type(src) is list:
                    np.concatenate([grads[i] for i in src], axis=None, out=lay.G[lo:hi])
        else:
            lay.xp.concatenate([g.ravel() for g in grads], out=lay.G)
        self._run_kernel(lay, c, grads)
        lay.fresh = False
        for p in params:
            p._bump()
        return True

    def _run_kernel(self, lay: _Layout, c, grads: list) -> None:
        P, G, S = lay.Pr, lay.Gr, lay.Sr
        n = P.size
        kernel = self._kernel
        xp = lay.xp
        r = 2 if lay.P.dtype.kind == "c" else 1  # real elements per element
        if xp is not np or n <= _CHUNK:
            if xp is np:
                for lo, hi, src in lay.plan:
                    if type(src) is not list:
                        lay.G[lo:hi] = grads[src].reshape(-1)
            if lay.t1 is None:
                lay.t1, lay.t2 = xp.empty_like(G), xp.empty_like(G)
            kernel(P, G, S, c, lay.t1, lay.t2)
            return
        items = []  # (lo, hi, gradient source: None = the gathered buffer, else a flat view of one gradient)
        for lo, hi, src in lay.plan:
            lo, hi = lo * r, hi * r
            g = None if type(src) is list else _real(grads[src].reshape(-1))
            items += [(a, min(a + _CHUNK, hi), None if g is None else g[a - lo:min(a + _CHUNK, hi) - lo])
                      for a in range(lo, hi, _CHUNK)]

        keeps = self._kernel_keeps_grad(c)

        def run(part):
            t1 = np.empty(_CHUNK, P.dtype)
            t2 = np.empty(_CHUNK, P.dtype)
            tg = np.empty(_CHUNK, P.dtype)
            for lo, hi, gsrc in part:
                m = hi - lo
                if gsrc is None:
                    g = G[lo:hi]
                elif keeps:
                    g = gsrc
                else:  # the kernel may overwrite its gradient: work on an in-cache copy
                    g = tg[:m]
                    np.copyto(g, gsrc)
                kernel(P[lo:hi], g, {k: a[lo:hi] for k, a in S.items()}, c, t1[:m], t2[:m])

        if n >= _PARALLEL_MIN and _THREADS > 1:
            _pool_map(run, [items[i::_THREADS] for i in range(_THREADS)])
        else:
            run(items)


def layout_valid(state, lay: _Layout, params: list, spec: tuple) -> bool:
    """Whether the parameters and state still live in the layout's buffers (nothing was replaced)."""
    if lay.spec != spec or len(lay.params) != len(params):
        return False
    is_ = operator.is_
    if not all(map(is_, params, lay.params)):
        return False
    if not all(map(is_, [p._data for p in params], lay.pviews)):
        return False
    if lay.sdicts:
        get = state.get
        if not all(map(is_, [get(p) for p in params], lay.sdicts)):
            return False
        try:
            cur = [sd[k]._data for sd in lay.sdicts for k in lay.skeys]
        except (KeyError, AttributeError):
            return False
        if not all(map(is_, cur, lay.sviews)):
            return False
    return True

def build_layout(state, params: list, spec: tuple):
    """Move parameters and their state into flat buffers (None if the state is not uniform enough)."""
    if len({id(p) for p in params}) != len(params):
        return None  # a parameter listed twice is updated twice, one by one (as PyTorch does)
    sdicts = [state[p] for p in params] if spec else []
    fresh = False
    for key, kind, _ in spec:
        if kind == LAZY:
            present = [key in sd for sd in sdicts]
            if all(present):
                continue
            if any(present):
                return None
            fresh = True
    xp = array_module(params[0]._data)
    arrays = [p._data for p in params]
    sizes = [a.size for a in arrays]
    offs = np.concatenate(([0], np.cumsum(sizes))).tolist()
    n = offs[-1]
    dtype = arrays[0].dtype

    def flat_from(arrs):
        out = xp.empty(n, dtype=dtype)
        if xp is np:
            np.concatenate(arrs, axis=None, out=out)
        else:
            xp.concatenate([a.ravel() for a in arrs], out=out)
        return out

    def views(buf):
        return [buf[offs[i]:offs[i + 1]].reshape(arrays[i].shape) for i in range(len(params))]

    lay = _Layout()
    lay.xp = xp
    lay.params = list(params)
    lay.spec = spec
    lay.P = flat_from(arrays)
    lay.pviews = views(lay.P)
    for p, v in zip(params, lay.pviews):
        p._data = v
    lay.G = xp.empty(n, dtype=dtype)  # pages of large parameters' ranges are never touched on the CPU
    lay.Pr, lay.Gr = _real(lay.P), _real(lay.G)
    lay.t1 = lay.t2 = None  # the kernel's scratch arrays when it runs on the whole buffer at once
    lay.plan = _gradient_plan(sizes)
    lay.S, lay.SC, lay.scb = {}, {}, {}
    lay.sdicts = sdicts
    lay.skeys = [k for k, _, _ in spec]
    lay.fresh = fresh
    sdt = _scalar_np_dtype()
    for key, kind, init in spec:
        if kind == SCALAR:
            a = np.array([_scalar_value(sd[key]) if key in sd else init for sd in sdicts], dtype=sdt)
            lay.SC[key] = a
            for i, sd in enumerate(sdicts):
                sd[key] = _wrap(a[i, ...])
            continue
        present = [key in sd for sd in sdicts]
        if all(present):
            buf = flat_from([_state_array(sd[key], xp) for sd in sdicts])
        else:
            buf = xp.zeros(n, dtype=dtype)
            if kind != LAZY and init != 0:
                _real(buf)[...] = init
            for i, sd in enumerate(sdicts):
                if present[i]:
                    buf[offs[i]:offs[i + 1]] = _state_array(sd[key], xp).ravel()
        lay.S[key] = buf
        for sd, v in zip(sdicts, views(buf)):
            sd[key] = _wrap(v)
    lay.sviews = [sd[k]._data for sd in sdicts for k in lay.skeys]
    lay.Sr = {k: _real(a) for k, a in lay.S.items()}
    return lay


def _gradient_plan(sizes: list) -> list:
    """Ranges of the flat buffer with their gradient source: a parameter index (a large parameter, whose gradient
    is read in place chunk by chunk) or a list of indices (a run of small ones, gathered by one concatenate)."""
    plan, off = [], 0
    for i, n in enumerate(sizes):
        lo, hi = off, off + n
        off += n
        if n >= _CHUNK:
            plan.append((lo, hi, i))
        elif plan and type(plan[-1][2]) is list:
            plan[-1] = (plan[-1][0], hi, [*plan[-1][2], i])
        else:
            plan.append((lo, hi, [i]))
    return plan


def _scalar_value(v) -> float:
    return float(v._data) if isinstance(v, Tensor) else float(v)


def _state_array(v, xp):
    a = v._data if isinstance(v, Tensor) else v
    return a if type(a) is xp.ndarray else xp.asarray(a)


def lerp_(m, g, w: float, t) -> None:
    """``m.lerp_(g, w)`` in place with PyTorch's two-branch formula; ``t`` is scratch."""
    np.subtract(g, m, out=t)
    if abs(w) < 0.5:
        t *= w
        m += t
    else:
        t *= 1.0 - float(m.dtype.type(w))
        np.subtract(g, t, out=m)


def add_scaled_(x, y, alpha: float, t) -> None:
    """``x.add_(y, alpha=alpha)`` in place; ``t`` is scratch."""
    if alpha == 1:
        x += y
    else:
        np.multiply(y, alpha, out=t)
        x += t


def addcmul_(x, a, b, value: float, t) -> None:
    """``x.addcmul_(a, b, value=value)``: ``x + value * a * b``."""
    np.multiply(a, value, out=t)
    t *= b
    x += t


def addcdiv_(x, a, b, value: float, t) -> None:
    """``x.addcdiv_(a, b, value=value)``: ``x + value * a / b``."""
    np.multiply(a, value, out=t)
    t /= b
    x += t


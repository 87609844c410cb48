"""The backward engine: dependency counting and a ready-heap by sequence number, no recursion."""
from __future__ import annotations

import heapq
import threading

import numpy as np

from .graph import POST_ACC_HOOKS, Node
from .grad_mode import state

# Bound by ember._tensor once Tensor exists (it imports this package first, so a top-level import would be
# circular); module globals keep function-level imports off the per-backward path.
Tensor = None
_wrap = None


_COMPLEX_AUTOGRAD = ("Ember does not implement autograd through complex tensors yet: a gradient here is "
                     "complex-valued, and Ember's derivative rules do not conjugate as PyTorch's do. Compute it "
                     "under ember.no_grad(), or in real arithmetic on the real and imaginary parts.")


def _no_complex(a) -> None:
    """Raise NotImplementedError for a complex gradient (array or Tensor) reaching a leaf, a captured input or a
    cast to a real dtype: Ember's derivative rules are written for real arithmetic (PyTorch's complex gradients
    conjugate, e.g. mul's ``grad * other.conj()``), so such a gradient would be silently wrong."""
    d = getattr(a, "_data", a)
    if d is not None and d.dtype.kind == "c":
        raise NotImplementedError(_COMPLEX_AUTOGRAD)


def _fixup(g, meta):
    """Sum a gradient back to its input's shape and cast it to the input's dtype (broadcasting undone here)."""
    shape, dt = meta
    if g.shape != shape:
        g = g.sum_to_size(shape)
    if dt is not None and g.dtype is not dt:
        _no_complex(g)
        g = g.to(dt)
    return g


def _fixup_raw(g, meta):
    """``_fixup`` on a raw array (the create_graph=False path)."""
    shape, dt = meta
    if g.shape != shape:
        lead = g.ndim - len(shape)
        axes = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(shape) if s == 1 and g.shape[i + lead] != 1)
        if axes:
            g = g.sum(axis=axes, keepdims=True)
        if lead:
            g = g.reshape(shape)
    if dt is not None and g.dtype != dt.np:
        _no_complex(g)
        g = g.astype(dt.np)
    return g


def _check_nan(node, grads):
    for i, g in enumerate(grads):
        a = getattr(g, "_data", g)
        if a is not None and a.dtype.kind == "f" and bool((a != a).any()):
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")


def _warn_forward_trace(node) -> None:
    """Anomaly mode: name the node whose backward failed and show where its forward op was called."""
    import warnings  # noqa: PLC0415

    trace = getattr(node, "_trace", None) or "  (not recorded: the forward ran outside detect_anomaly)\n"
    warnings.warn(f"Error detected in {node.name()}. Traceback of forward call that caused the error:\n{trace}",
                  UserWarning, stacklevel=4)


def _stealable(a, owned_ids) -> bool:
    """Whether gradient array ``a`` can become a leaf's ``.grad`` as is (a fresh, private, contiguous array)."""
    if a.base is not None or id(a) in owned_ids:  # a view, or already handed out / owned by the caller
        return False
    f = a.flags
    return f.writeable and f.c_contiguous


def _run_tensor_hooks(t, g):
    for fn in list(t._hooks):
        r = fn(g)
        if r is not None:
            g = r
    return g


def _accumulate(leaf, g, create_graph, owned_ids):
    """Add gradient ``g`` (a Tensor, or a raw array on the create_graph=False path) into ``leaf.grad``."""
    _no_complex(g)
    old = leaf._grad
    if create_graph:
        leaf._grad = g if old is None else old + g
    else:
        a = g if type(g) is not Tensor else g._data
        if isinstance(a, np.generic):  # NumPy ops on 0-d arrays give scalars
            a = np.asarray(a)
        if old is None:
            if _stealable(a, owned_ids):
                owned_ids.add(id(a))
                leaf._grad = _wrap(a)
            else:
                leaf._grad = _wrap(a.copy())
        elif old._rg:
            leaf._grad = old + _wrap(a)
        else:
            od = old._data
            if od.shape == a.shape and od.dtype == a.dtype and od.flags.writeable:
                od += a
                old._bump()
            else:
                leaf._grad = _wrap(od + a)
    if POST_ACC_HOOKS:
        entry = POST_ACC_HOOKS.get(id(leaf))
        if entry is not None:
            for h in list(entry[1]):
                h(leaf)


# one list of final callbacks per running backward (innermost last)
_final_callbacks: list = []


def queue_callback(fn) -> None:
    """Run ``fn()`` once the running backward pass has finished (as PyTorch's engine ``queue_callback``)."""
    if not _final_callbacks:
        raise RuntimeError("Final callbacks can only be installed during backward pass.")
    _final_callbacks[-1].append(fn)


class _Capturing(threading.local):
    """Per thread, per running backward (innermost last): whether it captures the gradients of given inputs
    (autograd.grad, backward(inputs=...)), which may be non-leaf tensors whose incoming gradient must stay as
    computed (see ember/nn/_functional/pooling.py::_TiledMaxPoolBackward.raw)."""

    def __init__(self) -> None:
        self.runs: list = []


_capturing = _Capturing()


def capturing() -> bool:
    """Whether the innermost backward running on this thread captures input gradients."""
    runs = _capturing.runs
    return bool(runs) and runs[-1]


def execute(roots, root_grads, retain_graph: bool, create_graph: bool, inputs=None, accumulate: bool = True):
    """Run backward from ``roots`` (Tensors) seeded with ``root_grads``.

    ``inputs``: tensors whose gradients are wanted. With ``accumulate`` they (or, without inputs, all
    leaves) get ``.grad`` accumulated; otherwise their gradients are returned in order.
    """
    prev = state.enabled
    state.enabled = bool(create_graph)
    callbacks = []
    _final_callbacks.append(callbacks)
    runs = _capturing.runs
    runs.append(inputs is not None)
    try:
        out = _execute_quiet(roots, root_grads, retain_graph, create_graph, inputs, accumulate)
        while callbacks:
            callbacks.pop(0)()
        return out
    finally:
        runs.pop()
        _final_callbacks.pop()
        state.enabled = prev


def _execute(roots, root_grads, retain_graph, create_graph, inputs, accumulate):
    raw = not create_graph  # on the raw path, buffers hold NumPy/CuPy arrays, not Tensors
    buffers: dict = {}
    deps: dict = {}  # id -> how many edges into it are still to run; also the set of nodes and leaves seen
    if raw:
        root_grads = [g._data for g in root_grads]
    owned_ids = {id(g if raw else g._data) for g in root_grads}
    start_nodes = []
    for r, g in zip(roots, root_grads):
        fn = r.grad_fn
        tgt, idx = (fn, r._out_nr) if fn is not None else (r, 0)
        k = id(tgt)
        if isinstance(tgt, Node):
            buf = buffers.get(k)
            if buf is None:
                buf = buffers[k] = [None] * tgt.num_outputs
                start_nodes.append(tgt)
            buf[idx] = g if buf[idx] is None else buf[idx] + g
        else:
            if k not in buffers:
                start_nodes.append(tgt)
            buffers[k] = g if k not in buffers else buffers[k] + g

    # dependency counts over the reachable graph (iterative DFS)
    stack = [n for n in start_nodes if isinstance(n, Node)]
    for n in stack:
        deps.setdefault(id(n), 0)
    while stack:
        n = stack.pop()
        for e in n.next_edges:
            if e is None:
                continue
            t = e[0]
            k = id(t)
            if k in deps:
                deps[k] += 1
            else:
                deps[k] = 1
                if isinstance(t, Node):
                    stack.append(t)

    # what to capture or accumulate into
    capture = None  # id(target) -> list of (output idx, position in inputs, tensor)
    needed = None
    if inputs is not None:
        capture = {}
        for pos, t in enumerate(inputs):
            fn = t.grad_fn
            tgt, idx = (fn, t._out_nr) if fn is not None else (t, 0)
            capture.setdefault(id(tgt), []).append((idx, pos, t))
        needed = _needed(start_nodes, deps, capture)
    results = [None] * (len(inputs) if inputs is not None else 0)

    def wrap(a):
        return None if a is None else _wrap(np.asarray(a) if isinstance(a, np.generic) else a)

    def unwrap(t):
        return None if t is None else t._data

    ready = []
    for n in start_nodes:
        if deps.get(id(n), 0) == 0:
            heapq.heappush(ready, (-n.seq, id(n), n) if isinstance(n, Node) else (1, id(n), n))
    heappop, heappush = heapq.heappop, heapq.heappush
    buffers_pop, buffers_get = buffers.pop, buffers.get
    fix = _fixup_raw if raw else _fixup
    anomaly = state.anomaly
    plain_release = Node.release
    while ready:
        _, k, n = heappop(ready)
        buf = buffers_pop(k, None)
        if not isinstance(n, Node):  # a leaf tensor
            if buf is not None:
                if getattr(n, "_hooks", None):
                    buf = _run_tensor_hooks(n, wrap(buf) if raw else buf)
                    if raw:
                        buf = buf._data
                if capture is None:
                    if accumulate:
                        _accumulate(n, buf, create_graph, owned_ids)
                else:
                    for _, pos, t in capture.get(k, ()):
                        if accumulate:
                            _accumulate(t, buf, create_graph, owned_ids)
                        else:
                            _no_complex(buf)
                            results[pos] = wrap(buf) if raw else buf
            continue
        if buf is not None and n._pre_hooks:
            buf = n._apply_pre_hooks([wrap(b) for b in buf] if raw else buf)
            if raw:
                buf = [unwrap(b) for b in buf]
        if capture is not None and k in capture and buf is not None:
            for idx, pos, t in capture[k]:
                if accumulate:
                    # a non-leaf with retain_grad() already got this gradient from its retain hook
                    if buf[idx] is not None and not getattr(t, "_retains", False):
                        _accumulate(t, buf[idx], create_graph, owned_ids)
                else:
                    _no_complex(buf[idx])
                    results[pos] = wrap(buf[idx]) if raw else buf[idx]
        edges = n.next_edges
        if buf is None or (needed is not None and k not in needed):
            res = None
        else:
            try:
                rawfn = n.raw if raw else None
                if rawfn is not None and (n.num_outputs == 1 or n.raw_accepts_none or None not in buf):
                    res = rawfn(*buf)
                elif raw:
                    if n.num_outputs == 1:
                        res = n.backward(wrap(buf[0]))
                    else:
                        res = n.backward(*[wrap(b) for b in buf])
                    res = tuple(unwrap(r) for r in res) if type(res) is tuple else (unwrap(res),)
                else:
                    res = n.backward(buf[0]) if n.num_outputs == 1 else n.backward(*buf)
                if type(res) is not tuple:
                    res = (res,)
                if len(res) != len(edges):
                    raise RuntimeError(f"function {n.name()} returned an incorrect number of gradients "
                                       f"(expected {len(edges)}, got {len(res)})")
                if anomaly:
                    _check_nan(n, res)
            except Exception:
                if anomaly:
                    _warn_forward_trace(n)
                raise
            if n._hooks:
                wres = tuple(wrap(r) for r in res) if raw else res
                wbuf = tuple(wrap(b) for b in buf) if raw else tuple(buf)
                for fn in list(n._hooks):
                    r = fn(wres, wbuf)
                    if r is not None:
                        wres = tuple(r)
                res = tuple(unwrap(r) for r in wres) if raw else wres
            if not retain_graph:
                if type(n).release is plain_release:
                    n._saved = None
                else:
                    n.release()
        meta = n.meta
        i = -1
        for e in edges:
            i += 1
            if e is None:
                continue
            t, idx = e
            tk = id(t)
            if res is not None:
                g = res[i]
                if g is not None:
                    if meta is not None and meta[i] is not None:
                        g = fix(g, meta[i])
                    if isinstance(t, Node):
                        b = buffers_get(tk)
                        if b is None:
                            b = buffers[tk] = [None] * t.num_outputs
                        b[idx] = g if b[idx] is None else b[idx] + g
                    else:
                        old = buffers_get(tk)
                        buffers[tk] = g if old is None else old + g
            d = deps[tk] - 1
            deps[tk] = d
            if d == 0:
                heappush(ready, (-t.seq, tk, t) if isinstance(t, Node) else (1, tk, t))
    return results


# inf/NaN in gradients are values (as in PyTorch), not warnings; NumPy's decorator form of errstate costs
# 0.4 us per backward against 0.8 us for entering a new errstate context
_execute_quiet = np.errstate(all="ignore")(_execute)


def _needed(start_nodes, deps, capture) -> set:
    """Ids of nodes whose backward must run for gradients to reach a captured target."""
    # topological order by Kahn's algorithm on a copy of the dependency counts
    d = dict(deps)
    order = []
    stack = [n for n in start_nodes if d.get(id(n), 0) == 0]
    while stack:
        n = stack.pop()
        order.append(n)
        if isinstance(n, Node):
            for e in n.next_edges:
                if e is None:
                    continue
                k = id(e[0])
                d[k] -= 1
                if d[k] == 0:
                    stack.append(e[0])
    reach = set()
    needed = set()
    for n in reversed(order):
        k = id(n)
        if k in capture:
            reach.add(k)
        if isinstance(n, Node):
            if any(e is not None and id(e[0]) in reach for e in n.next_edges):
                reach.add(k)
                needed.add(k)
    return needed

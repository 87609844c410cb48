"""The backward engine: dependency counting and a ready-heap by sequence number, no recursion."""
from __future__ import annotations

import heapq

from .graph import POST_ACC_HOOKS, Node
from .grad_mode import state


def _fixup(g, meta):
    """Sum a gradient back to its input's shape and cast it to the input's dtype (broadcasting undone here)."""
    shape, dt = meta
    if g.shape != shape:
        g = g.sum_to_size(shape)
    if dt is not None and g.dtype is not dt:
        g = g.to(dt)
    return g


def _check_nan(node, grads):
    from .._tensor import Tensor  # noqa: PLC0415 - anomaly mode only

    for i, g in enumerate(grads):
        if isinstance(g, Tensor) and g.dtype.is_floating_point and bool(g.isnan().any()):
            trace = getattr(node, "_trace", None)
            if trace:
                import warnings  # noqa: PLC0415

                warnings.warn(f"Error detected in {node.name()}. Traceback of forward call that caused the error:\n"
                              f"{trace}", RuntimeWarning, stacklevel=3)
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")


def _stealable(g, owned_ids) -> bool:
    a = g._data
    f = a.flags
    return f.owndata and f.writeable and f.c_contiguous and id(a) not in owned_ids and g.grad_fn is None


def _run_tensor_hooks(t, g):
    for fn in list(t._hooks):
        r = fn(g)
        if r is not None:
            g = r
    return g


def _accumulate(leaf, g, create_graph, owned_ids):
    from .._tensor import _wrap  # noqa: PLC0415

    old = leaf._grad
    if old is None:
        if create_graph:
            leaf._grad = g
        elif _stealable(g, owned_ids):
            owned_ids.add(id(g._data))
            leaf._grad = g if g._vc is None and not g._rg else _wrap(g._data)
        else:
            leaf._grad = _wrap(g._data.copy())
    elif create_graph or old._rg or g._rg:
        leaf._grad = old + g
    else:
        od, gd = old._data, g._data
        if od.shape == gd.shape and od.dtype == gd.dtype and od.flags.writeable:
            od += gd
            old._bump()
        else:
            leaf._grad = _wrap(od + gd)
    if POST_ACC_HOOKS:
        entry = POST_ACC_HOOKS.get(id(leaf))
        if entry is not None:
            for h in list(entry[1]):
                h(leaf)


def execute(roots, root_grads, retain_graph: bool, create_graph: bool, inputs=None, accumulate: bool = True):
    """Run backward from ``roots`` (Tensors) seeded with ``root_grads``.

    ``inputs``: tensors whose gradients are wanted. With ``accumulate`` they (or, without inputs, all
    leaves) get ``.grad`` accumulated; otherwise their gradients are returned in order.
    """
    prev = state.enabled
    state.enabled = bool(create_graph)
    try:
        return _execute(roots, root_grads, retain_graph, create_graph, inputs, accumulate)
    finally:
        state.enabled = prev


def _execute(roots, root_grads, retain_graph, create_graph, inputs, accumulate):
    buffers: dict = {}
    deps: dict = {}
    targets: dict = {}
    owned_ids = {id(g._data) for g in root_grads if g is not None}
    start_nodes = []
    for r, g in zip(roots, root_grads):
        fn = r.grad_fn
        tgt, idx = (fn, r._out_nr) if fn is not None else (r, 0)
        k = id(tgt)
        targets[k] = tgt
        if isinstance(tgt, Node):
            buf = buffers.get(k)
            if buf is None:
                buf = buffers[k] = [None] * tgt.num_outputs
                start_nodes.append(tgt)
            buf[idx] = g if buf[idx] is None else buf[idx] + g
        else:
            buffers[k] = g if k not in buffers else buffers[k] + g
            start_nodes.append(tgt)

    # dependency counts over the reachable graph (iterative DFS)
    stack = [n for n in start_nodes if isinstance(n, Node)]
    seen = {id(n) for n in stack}
    while stack:
        n = stack.pop()
        for e in n.next_edges:
            if e is None:
                continue
            t = e[0]
            k = id(t)
            deps[k] = deps.get(k, 0) + 1
            if k not in seen:
                seen.add(k)
                targets[k] = t
                if isinstance(t, Node):
                    stack.append(t)

    # what to capture or accumulate into
    capture = None  # id(target) -> list of (output idx, position in inputs)
    needed = None
    if inputs is not None:
        capture = {}
        for pos, t in enumerate(inputs):
            fn = t.grad_fn
            tgt, idx = (fn, t._out_nr) if fn is not None else (t, 0)
            capture.setdefault(id(tgt), []).append((idx, pos, t))
        needed = _needed(start_nodes, targets, deps, capture)
    results = [None] * (len(inputs) if inputs is not None else 0)

    ready = []
    for n in start_nodes:
        if deps.get(id(n), 0) == 0:
            heapq.heappush(ready, (-n.seq, id(n), n) if isinstance(n, Node) else (1, id(n), n))
    while ready:
        _, k, n = heapq.heappop(ready)
        buf = buffers.pop(k, None)
        if not isinstance(n, Node):  # a leaf tensor
            if buf is not None:
                if getattr(n, "_hooks", None):
                    buf = _run_tensor_hooks(n, buf)
                if capture is None:
                    if accumulate:
                        _accumulate(n, buf, create_graph, owned_ids)
                else:
                    for _, pos, t in capture.get(k, ()):
                        if accumulate:
                            _accumulate(t, buf, create_graph, owned_ids)
                        else:
                            results[pos] = buf
            continue
        if buf is not None and n._pre_hooks_any():
            buf = n._apply_pre_hooks(buf)
        if capture is not None and k in capture and buf is not None:
            for idx, pos, t in capture[k]:
                if accumulate:
                    if buf[idx] is not None:
                        _accumulate(t, buf[idx], create_graph, owned_ids)
                else:
                    results[pos] = buf[idx]
        edges = n.next_edges
        if buf is None or (needed is not None and k not in needed) or all(b is None for b in buf):
            res = None
        else:
            res = n.backward(buf[0]) if n.num_outputs == 1 else n.backward(*buf)
            if type(res) is not tuple:
                res = (res,)
            if len(res) != len(edges):
                raise RuntimeError(f"function {n.name()} returned an incorrect number of gradients "
                                   f"(expected {len(edges)}, got {len(res)})")
            if state.anomaly:
                _check_nan(n, res)
            if n._hooks:
                for fn in list(n._hooks):
                    r = fn(res, tuple(buf))
                    if r is not None:
                        res = tuple(r)
            if not retain_graph:
                n.release()
        meta = n.meta
        for i, e in enumerate(edges):
            if e is None:
                continue
            t, idx = e
            tk = id(t)
            if res is not None:
                g = res[i]
                if g is not None:
                    if meta is not None and meta[i] is not None:
                        g = _fixup(g, meta[i])
                    if isinstance(t, Node):
                        b = buffers.get(tk)
                        if b is None:
                            b = buffers[tk] = [None] * t.num_outputs
                        b[idx] = g if b[idx] is None else b[idx] + g
                    else:
                        old = buffers.get(tk)
                        buffers[tk] = g if old is None else old + g
            d = deps[tk] - 1
            deps[tk] = d
            if d == 0:
                heapq.heappush(ready, (-t.seq, tk, t) if isinstance(t, Node) else (1, tk, t))
    return results


def _needed(start_nodes, targets, deps, capture) -> set:
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

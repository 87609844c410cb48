"""Graph nodes: the backward side of every op, saved tensors with version checks, AccumulateGrad."""
from __future__ import annotations

import itertools
import traceback
import weakref

from .grad_mode import state

_seq = itertools.count()
_next_seq = _seq.__next__

FREED_MSG = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they "
    "have already been freed). Saved intermediate values of the graph are freed when you call .backward() "
    "or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time "
    "or if you need to access saved tensors after calling backward.")


def _modified_message(t, version: int, expected: int) -> str:
    """PyTorch's error for a saved tensor changed in place after it was saved."""
    fn = t.grad_fn
    producer = ""
    if fn is not None:
        name = fn.name()
        cut = name.rfind("Backward")
        producer = f", which is output {getattr(t, '_out_nr', 0)} of {name[:cut] if cut > 0 else name},"
    hint = ("Hint: the backtrace further above shows the operation that failed to compute its gradient. The variable "
            "in question was changed in there or anywhere later. Good luck!" if state.anomaly else
            "Hint: enable anomaly detection to find the operation that failed to compute its gradient, with "
            "torch.autograd.set_detect_anomaly(True, check_nan=False).")
    return ("one of the variables needed for gradient computation has been modified by an inplace operation: "
            f"[{t._type_str()} {list(t.shape)}]{producer} is at version {version}; expected version {expected} "
            f"instead. {hint}")


class Node:
    """A backward function in the graph (``tensor.grad_fn``).

    Subclasses implement ``backward(self, *grads)`` with Tensor ops (so it is itself differentiable)
    and return one gradient (or None) per input. Broadcasting and dtype are fixed up by the engine
    from ``meta``.
    """

    __slots__ = ("next_edges", "_saved", "_versions", "meta", "seq", "_pre_hooks", "_hooks",
                 "_trace", "__weakref__")
    num_outputs = 1
    # Optional fast path used when no graph of the backward is needed (create_graph=False):
    # ``raw(self, *grad_arrays)`` takes and returns raw arrays. ``backward`` stays the reference.
    raw = None
    # whether ``raw`` of a multi-output node takes None for outputs that got no gradient (else ``backward`` runs)
    raw_accepts_none = False

    def __init__(self):
        self._saved = None
        self.meta = None
        self._pre_hooks = None
        self._hooks = None

    def _pre_hooks_any(self):
        return self._pre_hooks

    def _apply_pre_hooks(self, buf):
        hooks = self._pre_hooks
        ordered = [h for h in hooks if not getattr(h[1], "_retains_grad", False)]
        ordered += [h for h in hooks if getattr(h[1], "_retains_grad", False)]
        for idx, fn in ordered:
            if idx >= 0:
                if buf[idx] is not None:
                    r = fn(buf[idx])
                    if r is not None:
                        buf[idx] = r
            else:
                r = fn(tuple(buf))
                if r is not None:
                    buf = list(r)
        return buf

    def name(self) -> str:
        return type(self).__name__

    def save(self, *tensors) -> None:
        """Keep tensors for backward, with their versions so in-place changes are detected."""
        self._saved = tensors
        vs = []  # a plain loop: cheaper than a comprehension's frame for the one to three tensors ops save
        for t in tensors:
            vs.append(0 if t is None or t._vc is None else t._vc[0])
        self._versions = tuple(vs)

    @property
    def saved_tensors(self) -> tuple:
        saved = self._saved
        if saved is None:
            raise RuntimeError(FREED_MSG)
        out = saved
        for i, t in enumerate(saved):
            if t is not None:
                v = t._vc[0] if t._vc is not None else 0
                if type(t) is SavedOutput:
                    if out is saved:
                        out = list(saved)
                    out[i] = t.unpack(self)
                    t = out[i]
                if v != self._versions[i]:
                    raise RuntimeError(_modified_message(t, v, self._versions[i]))
        return saved if out is saved else tuple(out)

    def saved_arrays(self) -> tuple:
        """The saved tensors' raw arrays (with the same version checks as ``saved_tensors``)."""
        saved = self._saved
        if saved is None:
            raise RuntimeError(FREED_MSG)
        vs = self._versions
        i = 0
        for t in saved:
            if t is not None:
                vc = t._vc
                if (vc[0] if vc is not None else 0) != vs[i]:
                    return tuple([None if x is None else x._data for x in self.saved_tensors])  # raises
            i += 1
        return tuple([None if t is None else t._data for t in saved])

    def needs(self, i: int) -> bool:
        """Whether input ``i`` needs a gradient."""
        return self.next_edges[i] is not None

    def release(self) -> None:
        self._saved = None

    @property
    def next_functions(self) -> tuple:
        out = []
        for e in self.next_edges:
            if e is None:
                out.append((None, 0))
            elif isinstance(e[0], Node):
                out.append(e)
            else:
                out.append((accumulate_grad_of(e[0]), 0))
        return tuple(out)

    def register_hook(self, fn):
        """Run ``fn(grad_inputs, grad_outputs)`` after this node's backward."""
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(fn)
        return _RemovableHandle(self._hooks, fn)

    def register_prehook(self, fn):
        """Run ``fn(grad_outputs)`` before this node's backward; it may return replacements."""
        return self._add_pre_hook(-1, fn)

    def _add_pre_hook(self, idx: int, fn):
        if self._pre_hooks is None:
            self._pre_hooks = []
        entry = (idx, fn)
        self._pre_hooks.append(entry)
        return _RemovableHandle(self._pre_hooks, entry)

    def __repr__(self) -> str:
        return f"<{self.name()} object at {hex(id(self))}>"

    def __call__(self, *grads):
        return self.backward(*grads)


def _edge(t):
    """The edge to tensor ``t``: None (no gradient wanted), (grad_fn, output nr), or (leaf, 0)."""
    if t is None or not t._rg:
        return None
    fn = t.grad_fn
    return (t, 0) if fn is None else (fn, t._out_nr)


def link(node: Node, out, inputs) -> None:
    """Make ``node`` the grad_fn of ``out`` with edges to ``inputs`` (tensors or None)."""
    edges = []  # a plain loop: cheaper than a comprehension's frame for an op's one to three inputs
    for t in inputs:
        if t is None or not t._rg:
            edges.append(None)
        else:
            fn = t.grad_fn
            edges.append((t, 0) if fn is None else (fn, t._out_nr))
    node.next_edges = tuple(edges)
    node.seq = _next_seq()
    if state.anomaly:
        node._trace = "".join(traceback.format_stack()[:-2])
    out.grad_fn = node
    out._out_nr = 0
    out._rg = True


def link_multi(node: Node, outs, inputs) -> None:
    """Like link, for ops with several differentiable outputs (None for a non-differentiable one)."""
    node.next_edges = tuple(
        None if t is None or not t._rg else ((t.grad_fn, t._out_nr) if t.grad_fn is not None else (t, 0))
        for t in inputs)
    node.seq = _next_seq()
    if state.anomaly:
        node._trace = "".join(traceback.format_stack()[:-2])
    for i, o in enumerate(outs):
        if o is not None:
            o.grad_fn = node
            o._out_nr = i
            o._rg = True


class SavedOutput:
    """An op's own output kept for backward without a reference cycle (data + version counter)."""

    __slots__ = ("_data", "_vc", "out_nr")

    def __init__(self, out, out_nr: int = 0):
        if out._vc is None:
            out._vc = [0]
        self._data = out._data
        self._vc = out._vc
        self.out_nr = out_nr

    def unpack(self, node):
        from .._tensor import _wrap  # noqa: PLC0415

        t = _wrap(self._data)
        t._vc = self._vc
        t.grad_fn = node
        t._out_nr = self.out_nr
        t._rg = True
        return t


class AccumulateGrad:
    """The node that stands for a leaf tensor in ``next_functions``."""

    __slots__ = ("_var", "__weakref__")

    def __init__(self, var):
        self._var = weakref.ref(var)

    @property
    def variable(self):
        return self._var()

    @property
    def next_functions(self) -> tuple:
        return ()

    def name(self) -> str:
        return "AccumulateGrad"

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {hex(id(self))}>"


def accumulate_grad_of(t) -> AccumulateGrad:
    acc = getattr(t, "_accum", None)
    if acc is None:
        acc = AccumulateGrad(t)
        t._accum = acc
    return acc


# post-accumulate-grad hooks, by id of the leaf (rare, so kept off the Tensor's slots)
POST_ACC_HOOKS: dict = {}


def add_post_accumulate_hook(t, hook):
    k = id(t)
    entry = POST_ACC_HOOKS.get(k)
    if entry is None:
        entry = POST_ACC_HOOKS[k] = (weakref.ref(t, lambda _r, k=k, d=POST_ACC_HOOKS: d.pop(k, None)), [])
    entry[1].append(hook)
    return _RemovableHandle(entry[1], hook)


class _RemovableHandle:
    __slots__ = ("_list", "_item")

    def __init__(self, lst, item):
        self._list = lst
        self._item = item

    def remove(self) -> None:
        try:
            self._list.remove(self._item)
        except ValueError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()

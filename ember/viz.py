"""Drawing the backward graph: ``make_dot`` returns a graphviz Digraph, like torchviz."""
from __future__ import annotations

from .autograd.graph import AccumulateGrad, Node, SavedOutput


def _shape(t) -> str:
    return "(" + ", ".join(str(s) for s in t.shape) + ")"


def make_dot(var, params=None, show_attrs: bool = False, show_saved: bool = False, max_attr_chars: int = 50):
    """A ``graphviz.Digraph`` of the graph that computed ``var`` (a Tensor or a tuple of Tensors).

    Nodes are the backward functions (PyTorch's names); blue boxes are leaf tensors (named from
    ``params`` when given, with their shapes); the green box is the output.

    >>> import ember
    >>> w = ember.tensor([2.0], requires_grad=True)
    >>> dot = make_dot((w * 3).sum(), params={"w": w})
    >>> "MulBackward0" in dot.source and "w" in dot.source
    True
    """
    try:
        from graphviz import Digraph  # noqa: PLC0415
    except ImportError:
        raise ImportError("ember.viz.make_dot needs the 'graphviz' package: pip install graphviz") from None
    names = {id(v): k for k, v in (params or {}).items()}
    dot = Digraph(node_attr=dict(style="filled", shape="box", align="left", fontsize="10", ranksep="0.1",
                                 height="0.2", fontname="monospace"), graph_attr=dict(size="12,12"))
    outputs = var if isinstance(var, (tuple, list)) else (var,)
    seen = set()

    def node_id(obj) -> str:
        return str(id(obj))

    def label_of(fn) -> str:
        label = fn.name()
        if not (show_attrs or show_saved):
            return label
        lines = [label]
        if show_attrs:
            for attr in getattr(type(fn), "__slots__", ()):
                if attr.startswith("_") or attr in ("next_edges", "meta", "seq"):
                    continue
                val = getattr(fn, attr, None)
                text = str(val)
                lines.append(f"{attr}: {text[:max_attr_chars] + '...' if len(text) > max_attr_chars else text}")
        if show_saved and isinstance(fn, Node) and fn._saved is not None:
            for i, t in enumerate(fn._saved):
                if t is not None:
                    shape = tuple(t._data.shape)
                    kind = "result" if isinstance(t, SavedOutput) else "self" if i == 0 else f"saved_{i}"
                    lines.append(f"{kind}: {shape}")
        return "\n".join(lines)

    def add(fn):
        if fn is None or id(fn) in seen:
            return
        stack = [fn]
        while stack:
            f = stack.pop()
            if id(f) in seen:
                continue
            seen.add(id(f))
            if isinstance(f, AccumulateGrad):
                v = f.variable
                name = names.get(id(v), "")
                dot.node(node_id(f), f"{name}\n {_shape(v)}" if name else _shape(v), fillcolor="lightblue")
                continue
            dot.node(node_id(f), label_of(f))
            for nxt, _ in f.next_functions:
                if nxt is not None:
                    dot.edge(node_id(nxt), node_id(f))
                    if id(nxt) not in seen:
                        stack.append(nxt)

    for out in outputs:
        fn = out.grad_fn
        oid = str(id(out))
        dot.node(oid, f"{names.get(id(out), '')}\n {_shape(out)}".strip() if id(out) in names else _shape(out),
                 fillcolor="darkolivegreen1")
        if fn is not None:
            add(fn)
            dot.edge(node_id(fn), oid)
    return dot

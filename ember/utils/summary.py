"""``summary(model, input_size=... | input_data=...)``: a torchinfo-style table of a model's layers."""
from __future__ import annotations

import math


class ModelSummary:
    """The result of ``summary``: rows of (name, depth, output shape, parameter count) and totals."""

    def __init__(self, rows, total, trainable, input_bytes, output_bytes, param_bytes):
        self.rows = rows
        self.total_params = total
        self.trainable_params = trainable
        self.input_bytes, self.output_bytes, self.param_bytes = input_bytes, output_bytes, param_bytes

    def __str__(self) -> str:
        w = 90
        line = "=" * w
        out = [line, f"{'Layer (type:depth-idx)':40s}{'Output Shape':26s}{'Param #':>14s}", line]
        for name, depth, shape, n, is_root in self.rows:
            prefix = "" if is_root else "│    " * (depth - 1) + "├─"
            pc = "--" if n == 0 else f"{n:,}"
            out.append(f"{(prefix + name)[:40]:40s}{str(shape):26s}{pc:>14s}")
        mb = 1024 ** 2
        out += [line, f"Total params: {self.total_params:,}", f"Trainable params: {self.trainable_params:,}",
                f"Non-trainable params: {self.total_params - self.trainable_params:,}", line,
                f"Input size (MB): {self.input_bytes / mb:.2f}",
                f"Forward/backward pass size (MB): {self.output_bytes / mb:.2f}",
                f"Params size (MB): {self.param_bytes / mb:.2f}",
                f"Estimated Total Size (MB): {(self.input_bytes + self.output_bytes + self.param_bytes) / mb:.2f}",
                line]
        return "\n".join(out)

    __repr__ = __str__


def summary(model, input_size=None, input_data=None, dtypes=None, verbose: int = 1, depth: int = 3):
    """Run one forward pass and tabulate each submodule's output shape and parameter count.

    >>> import ember
    >>> m = ember.nn.Sequential(ember.nn.Linear(4, 2), ember.nn.ReLU(), ember.nn.Linear(2, 3))
    >>> s = summary(m, input_size=(1, 4), verbose=0)
    >>> s.total_params
    19
    """
    from .. import float32, no_grad, zeros  # noqa: PLC0415
    from .._tensor import Tensor  # noqa: PLC0415

    if input_data is None:
        if input_size is None:
            raise ValueError("summary() needs input_size or input_data")
        sizes = input_size if isinstance(input_size, list) and input_size and isinstance(input_size[0], tuple) \
            else [tuple(input_size)]
        dts = dtypes or [float32] * len(sizes)
        inputs = [zeros(*s, dtype=d) for s, d in zip(sizes, dts)]
    else:
        inputs = list(input_data) if isinstance(input_data, (list, tuple)) else [input_data]
    records = {}
    hooks = []
    order = []

    def make_hook(mod):
        def hook(m, args, out):
            o = out[0] if isinstance(out, (tuple, list)) and out and isinstance(out[0], Tensor) else out
            records[id(m)] = list(o.shape) if isinstance(o, Tensor) else "--"
        return hook

    def walk(mod, name, d, idx):
        order.append((mod, name, d, idx))
        for i, (n, child) in enumerate(mod.named_children(), 1):
            walk(child, n, d + 1, i)

    walk(model, type(model).__name__, 0, 0)
    for mod, *_ in order:
        hooks.append(mod.register_forward_hook(make_hook(mod)))
    try:
        with no_grad():
            model(*inputs)
    finally:
        for h in hooks:
            h.remove()
    rows = []
    for mod, name, d, idx in order:
        if d > depth:
            continue
        n = sum(p.numel() for p in mod.parameters(recurse=not list(mod.children())))
        if list(mod.children()):
            n = sum(p.numel() for p in mod._parameters.values() if p is not None)
        label = type(mod).__name__ if d == 0 else f"{type(mod).__name__}: {d}-{idx}"
        rows.append((label, d, records.get(id(mod), "--"), n, d == 0))
    params = list(model.parameters())
    total = sum(p.numel() for p in params)
    trainable = sum(p.numel() for p in params if p.requires_grad)
    in_bytes = sum(t.numel() * t.element_size() for t in inputs if isinstance(t, Tensor))
    out_bytes = 2 * sum(4 * math.prod(s) for s in records.values() if isinstance(s, list))
    param_bytes = sum(p.numel() * p.element_size() for p in params)
    res = ModelSummary(rows, total, trainable, in_bytes, out_bytes, param_bytes)
    if verbose:
        print(res)
    return res

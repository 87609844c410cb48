"""Linear maps: ``linear`` (one fused node, named as PyTorch's final node) and ``bilinear``."""
from __future__ import annotations

from ..._rowsum import colsum
from ..._tensor import Tensor, _wrap
from ...autograd.grad_mode import state
from ...autograd.graph import Node, link

__all__ = ["bilinear", "linear"]

_TITLE = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16", "int64": "Long",
          "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
          "complex64": "ComplexFloat", "complex128": "ComplexDouble"}
_LOWER = {"float32": "float", "float64": "double", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
          "int64": "long int", "int32": "int"}


class _LinearBackward(Node):
    """Gradient of ``x @ W.T + b`` for any number of leading dims of x (inputs: x, W, b)."""

    __slots__ = ()

    def raw(self, g):
        x, w = self.saved_arrays()
        e = self.next_edges
        g2 = g if g.ndim == 2 else g.reshape(-1, w.shape[0])
        gx = (g2 @ w).reshape(x.shape) if e[0] is not None else None
        gw = g2.T @ (x if x.ndim == 2 else x.reshape(-1, x.shape[-1])) if e[1] is not None else None
        if len(e) > 2:
            return gx, gw, (colsum(g2) if e[2] is not None else None)
        return gx, gw

    def backward(self, g):
        x, w = self.saved_tensors
        e = self.next_edges
        g2 = g if g.ndim == 2 else g.reshape(-1, w.shape[0])
        gx = (g2 @ w).reshape(x.shape) if e[0] is not None else None
        gw = g2.mT @ (x if x.ndim == 2 else x.reshape(-1, x.shape[-1])) if e[1] is not None else None
        if len(e) > 2:
            return gx, gw, (g2.sum(0) if e[2] is not None else None)
        return gx, gw


def _named(name):
    return type(name, (_LinearBackward,), {"__slots__": ()})


# the class name is what ``grad_fn`` prints: PyTorch's final node for each case
AddmmBackward0 = _named("AddmmBackward0")          # 2-D input, with bias
ViewBackward0 = _named("ViewBackward0")            # other ranks, with bias
MmBackward0 = _named("MmBackward0")                # 2-D input, no bias
SqueezeBackward4 = _named("SqueezeBackward4")      # 1-D input, no bias
UnsafeViewBackward0 = _named("UnsafeViewBackward0")  # 3-D+ input, no bias


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias`` over the last dimension of ``input``.

    >>> import ember
    >>> import ember.nn.functional as F
    >>> F.linear(ember.ones(1, 3), ember.ones(2, 3), ember.zeros(2))
    tensor([[3., 3.]])
    """
    x = input._data
    w = weight._data
    if x.ndim == 0 or w.ndim != 2:
        if x.ndim == 0 or w.ndim == 0:
            raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are {x.ndim}D and "
                               f"{w.ndim}D")
        out = input.matmul(weight.t() if w.ndim == 2 else weight)
        return out if bias is None else out + bias
    nin = x.shape[-1]
    if nin != w.shape[1]:
        rows = 1
        for s in x.shape[:-1]:
            rows *= s
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{nin} and {w.shape[1]}x{w.shape[0]})")
    if x.dtype != w.dtype:
        a, b = input.dtype.name, weight.dtype.name
        if bias is not None:
            raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {_TITLE.get(a, a)} and "
                               f"{_TITLE.get(b, b)}")
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_LOWER.get(a, a)} != "
                           f"{_LOWER.get(b, b)}")
    if type(x) is not type(w):
        from ...ops._util import check_same_device

        check_same_device(input, weight)
    nd = x.ndim
    out = (x if nd == 2 else x.reshape(-1, nin)) @ w.T
    if bias is not None:
        bd = bias._data
        if bd.dtype != out.dtype:
            bd = bd.astype(out.dtype)
        try:
            out += bd
        except ValueError:
            raise RuntimeError(f"The size of tensor a ({out.shape[-1]}) must match the size of tensor b "
                               f"({bd.shape[-1] if bd.ndim else 1}) at non-singleton dimension 1") from None
    if nd != 2:
        out = out.reshape(x.shape[:-1] + (w.shape[0],))
    res = _wrap(out)
    if state.enabled and (input._rg or weight._rg or (bias is not None and bias._rg)):
        if bias is not None:
            n = AddmmBackward0() if nd == 2 else ViewBackward0()
            bshape = bias._data.shape
            if bshape != (w.shape[0],):
                n.meta = (None, None, (bshape, None))
            n.save(input, weight)
            link(n, res, (input, weight, bias))
        else:
            n = MmBackward0() if nd == 2 else SqueezeBackward4() if nd == 1 else UnsafeViewBackward0()
            n.save(input, weight)
            link(n, res, (input, weight))
    return res


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``y_k = x1^T W_k x2 + b_k`` over the last dimensions of ``input1`` and ``input2``.

    >>> import ember
    >>> import ember.nn.functional as F
    >>> F.bilinear(ember.ones(2, 3), ember.ones(2, 4), ember.ones(5, 3, 4)).shape
    torch.Size([2, 5])
    """
    if weight.ndim != 3:
        raise RuntimeError(f"bilinear(): weight must be a 3D tensor, but got {weight.ndim}D")
    nout, n1, n2 = weight.shape
    if input1.shape[-1] != n1:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got {input1.shape[-1]} but "
                           f"expected {n1}")
    if input2.shape[-1] != n2:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got {input2.shape[-1]} but "
                           f"expected {n2}")
    if input1.shape[:-1] != input2.shape[:-1]:
        raise RuntimeError(f"bilinear(): input batch dimensions do not match: got {list(input1.shape[:-1])} and "
                           f"{list(input2.shape[:-1])}")
    lead = tuple(input1.shape[:-1])
    w2 = weight.permute(1, 0, 2).reshape(n1, nout * n2)
    t = (input1.reshape(-1, n1) @ w2).reshape(-1, nout, n2)
    y = (t * input2.reshape(-1, 1, n2)).sum(-1).reshape(lead + (nout,))
    return y if bias is None else y + bias

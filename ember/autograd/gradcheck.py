"""Finite-difference gradient checks: gradcheck and gradgradcheck (float64 inputs recommended)."""
from __future__ import annotations

import numpy as np


class GradcheckError(RuntimeError):
    """Raised by gradcheck when analytical and numerical gradients differ."""


def _inputs(inputs):
    from .._tensor import Tensor  # noqa: PLC0415

    return (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)


def _outputs(out):
    from .._tensor import Tensor  # noqa: PLC0415

    outs = (out,) if isinstance(out, Tensor) else tuple(o for o in out if isinstance(o, Tensor))
    return tuple(o for o in outs if o.dtype.is_floating_point or o.dtype.is_complex)  # integer outputs: no grad


def _numerical_jacobian(fn, inputs, eps):
    """J[i][j]: d out_j / d input_i, by central differences, as NumPy arrays (n_in_elems x n_out_elems)."""
    from ..autograd.grad_mode import no_grad  # noqa: PLC0415

    jac = []
    with no_grad():
        for t in inputs:
            if t is None or not getattr(t, "_rg", False) or t.numel() == 0:
                jac.append(None)
                continue
            d = t._data
            if 0 in d.strides and d.size > 1:
                raise ValueError("gradcheck: an input has overlapping memory (an expanded tensor); pass a "
                                 "contiguous copy (.contiguous()) instead")
            cols = []
            for k in range(d.size):
                pos = np.unravel_index(k, d.shape)  # logical (row-major) order, also for strided views
                orig = d[pos].copy()
                d[pos] = orig + eps
                plus = [o._data.astype(np.float64).reshape(-1).copy() for o in _outputs(fn(*inputs))]
                d[pos] = orig - eps
                minus = [o._data.astype(np.float64).reshape(-1).copy() for o in _outputs(fn(*inputs))]
                d[pos] = orig
                cols.append(np.concatenate([(p - m) / (2 * eps) for p, m in zip(plus, minus)]) if plus else
                            np.zeros(0))
            jac.append(np.stack(cols) if cols else np.zeros((0, 0)))
    return jac


def _analytical_jacobian(fn, inputs):
    from . import grad  # noqa: PLC0415
    from ..ops.creation import zeros_like  # noqa: PLC0415

    outs = _outputs(fn(*inputs))
    diff_in = [t for t in inputs if t is not None and getattr(t, "_rg", False)]
    total = sum(o.numel() for o in outs)
    cols = {id(t): np.zeros((t.numel(), total)) for t in diff_in}
    col = 0
    for o in outs:
        flat_n = o.numel()
        for k in range(flat_n):
            if not o._rg:
                col += 1
                continue
            go = zeros_like(o)
            go._data.reshape(-1)[k] = 1
            gs = grad(o, diff_in, go, retain_graph=True, allow_unused=True)
            for t, g in zip(diff_in, gs):
                if g is not None:
                    cols[id(t)][:, col] = g._data.astype(np.float64).reshape(-1)
            col += 1
    return [cols[id(t)] if t is not None and getattr(t, "_rg", False) else None for t in inputs]


def gradcheck(func, inputs, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, nondet_tol: float = 0.0, check_undefined_grad: bool = True,
              fast_mode: bool = False, **kwargs) -> bool:
    """Compare autograd's gradients with central finite differences.

    >>> import ember
    >>> x = ember.randn(3, dtype=ember.float64, requires_grad=True)
    >>> ember.autograd.gradcheck(lambda t: (t * t).sin(), (x,))
    True
    """
    ins = _inputs(inputs)
    num = _numerical_jacobian(func, ins, eps)
    ana = _analytical_jacobian(func, ins)
    for i, (n, a) in enumerate(zip(num, ana)):
        if n is None:
            continue
        if not np.allclose(a, n, rtol=rtol, atol=atol):
            if raise_exception:
                raise GradcheckError(f"Jacobian mismatch for output 0 with respect to input {i},\nnumerical:{n}\n"
                                     f"analytical:{a}\n")
            return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                  gen_non_contig_grad_outputs: bool = False, raise_exception: bool = True, **kwargs) -> bool:
    """Check second derivatives: gradcheck of the function (inputs, v) -> v^T J."""
    from . import grad  # noqa: PLC0415
    from ..ops.random_ops import randn_like  # noqa: PLC0415

    ins = _inputs(inputs)
    outs = _outputs(func(*ins))
    if grad_outputs is None:
        gos = tuple(randn_like(o, dtype=o.dtype).requires_grad_(True) for o in outs)
    else:
        gos = tuple(g.detach().requires_grad_(True) for g in _inputs(grad_outputs))
    n_in = len(ins)
    diff_idx = [i for i, t in enumerate(ins) if getattr(t, "_rg", False)]

    def first(*args):
        from .grad_mode import enable_grad  # noqa: PLC0415

        xs, vs = args[:n_in], args[n_in:]
        with enable_grad():  # the numerical pass runs under no_grad; this function needs a graph
            os_ = _outputs(func(*xs))
            gs = grad(os_, [xs[i] for i in diff_idx], vs, create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(first, ins + gos, eps=eps, atol=atol, rtol=rtol, raise_exception=raise_exception)

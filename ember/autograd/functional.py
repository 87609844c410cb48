"""Higher-level autograd: jacobian, hessian, vjp, jvp, hvp, vhp (built on ``grad``)."""
from __future__ import annotations


def _as_tuple(x):
    from .._tensor import Tensor  # noqa: PLC0415

    return (x,) if isinstance(x, Tensor) else tuple(x)


def _prep(inputs, create_graph):
    return tuple(i.detach().requires_grad_(True) if not create_graph or not i._rg else i.view_as(i)
                 for i in _as_tuple(inputs))


def _grad(outputs, inputs, grad_outputs, create_graph):
    from . import grad  # noqa: PLC0415
    from ..ops.creation import zeros_like  # noqa: PLC0415

    if not outputs._rg:
        return tuple(zeros_like(i) for i in inputs)
    gs = grad(outputs, inputs, grad_outputs, retain_graph=True, create_graph=create_graph, allow_unused=True)
    return tuple(zeros_like(i) if g is None else g for i, g in zip(inputs, gs))


def vjp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), v^T J)."""
    from ..autograd.grad_mode import enable_grad  # noqa: PLC0415

    single = not isinstance(inputs, (tuple, list))
    with enable_grad():
        ins = _prep(inputs, create_graph)
        out = func(*ins)
        g = _grad(out, ins, v, create_graph)
    out = out if create_graph else out.detach()
    g = g if create_graph else tuple(x.detach() for x in g)
    return out, (g[0] if single else g)


def jacobian(func, inputs, create_graph: bool = False, strict: bool = False, vectorize: bool = False,
             strategy: str = "reverse-mode"):
    """The Jacobian of ``func`` at ``inputs`` (one backward per output element).

    >>> import ember
    >>> ember.autograd.functional.jacobian(lambda x: x ** 2, ember.tensor([1., 2.]))
    tensor([[2., 0.],
            [0., 4.]])
    """
    from .._tensor import Tensor  # noqa: PLC0415
    from ..autograd.grad_mode import enable_grad  # noqa: PLC0415
    from ..ops.creation import zeros_like  # noqa: PLC0415
    from ..ops.shape import stack  # noqa: PLC0415

    single_in = not isinstance(inputs, (tuple, list))
    with enable_grad():
        ins = _prep(inputs, create_graph)
        outs = func(*ins)
        single_out = isinstance(outs, Tensor)
        outs_t = (outs,) if single_out else tuple(outs)
        jac = []
        for o in outs_t:
            flat = o.reshape(-1)
            rows = [[] for _ in ins]
            for k in range(flat.numel()):
                gs = _grad(flat[k], ins, None, create_graph) if o._rg else tuple(zeros_like(i) for i in ins)
                for j, g in enumerate(gs):
                    rows[j].append(g if create_graph else g.detach())
            per_in = []
            for j, i in enumerate(ins):
                if rows[j]:
                    per_in.append(stack(rows[j]).reshape(tuple(o.shape) + tuple(i.shape)))
                else:
                    per_in.append(zeros_like(i).reshape((0,) + tuple(i.shape)).reshape(tuple(o.shape) +
                                                                                       tuple(i.shape)))
            jac.append(per_in[0] if single_in else tuple(per_in))
    return jac[0] if single_out else tuple(jac)


def hessian(func, inputs, create_graph: bool = False, strict: bool = False, vectorize: bool = False,
            outer_jacobian_strategy: str = "reverse-mode"):
    """The Hessian of scalar ``func`` at ``inputs``.

    >>> import ember
    >>> ember.autograd.functional.hessian(lambda x: (x ** 3).sum(), ember.tensor([1., 2.]))
    tensor([[ 6.,  0.],
            [ 0., 12.]])
    """
    single_in = not isinstance(inputs, (tuple, list))

    def grad_fn(*ins):
        from . import grad  # noqa: PLC0415

        out = func(*ins)
        gs = grad(out, ins, create_graph=True, allow_unused=True)
        from ..ops.creation import zeros_like  # noqa: PLC0415

        gs = tuple(zeros_like(i) if g is None else g for i, g in zip(ins, gs))
        return gs[0] if single_in else gs

    return jacobian(grad_fn, inputs, create_graph=create_graph)


def jvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), J v), by the double-vjp trick."""
    from ..autograd.grad_mode import enable_grad  # noqa: PLC0415
    from ..ops.creation import ones_like, zeros_like  # noqa: PLC0415
    from . import grad  # noqa: PLC0415

    with enable_grad():
        ins = _prep(inputs, True)
        out = func(*ins)
        u = zeros_like(out).requires_grad_(True)
        gs = grad(out, ins, u, create_graph=True, allow_unused=True)
        vs = _as_tuple(v) if v is not None else tuple(ones_like(i) for i in ins)
        pairs = [(g, vv) for g, vv in zip(gs, vs) if g is not None]
        jv = grad([g for g, _ in pairs], u, [vv for _, vv in pairs], create_graph=create_graph, allow_unused=True)[0]
    jv = zeros_like(out) if jv is None else jv
    return (out if create_graph else out.detach()), (jv if create_graph else jv.detach())


def hvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), H v) for scalar func."""
    from ..autograd.grad_mode import enable_grad  # noqa: PLC0415
    from . import grad  # noqa: PLC0415

    single = not isinstance(inputs, (tuple, list))
    with enable_grad():
        ins = _prep(inputs, True)
        out = func(*ins)
        gs = grad(out, ins, create_graph=True)
        vs = _as_tuple(v)
        hv = _grad(sum((g * vv).sum() for g, vv in zip(gs, vs)), ins, None, create_graph)
    hv = hv if create_graph else tuple(h.detach() for h in hv)
    return (out if create_graph else out.detach()), (hv[0] if single else hv)


vhp = hvp

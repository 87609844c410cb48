"""Custom ops with autograd.Function (ember/autograd/function.py) against torch."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember


def make_functions(m):
    """The same custom Functions defined against torch or ember."""

    class Exp(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            return g * y

    class MulConst(m.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.k = k
            return x * k

        @staticmethod
        def backward(ctx, g):
            return g * ctx.k, None

    class Needs(m.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.seen = ctx.needs_input_grad
            ctx.save_for_backward(a, b)
            return a * b

        @staticmethod
        def backward(ctx, g):
            a, b = ctx.saved_tensors
            ga = g * b if ctx.needs_input_grad[0] else None
            gb = g * a if ctx.needs_input_grad[1] else None
            return ga, gb

    class SortWithIdx(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            idx = m.argsort(x) if hasattr(m, "argsort") else m.tensor(np.argsort(x.detach().numpy()))
            ctx.mark_non_differentiable(idx)
            ctx.save_for_backward(idx)
            return x[idx], idx

        @staticmethod
        def backward(ctx, g, g_idx):
            (idx,) = ctx.saved_tensors
            out = m.zeros_like(g)
            out[idx] = g
            return out

    class TwoOut(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * 2, x ** 2

        @staticmethod
        def backward(ctx, g1, g2):
            (x,) = ctx.saved_tensors
            r = m.zeros_like(x)
            if g1 is not None:
                r = r + 2 * g1
            if g2 is not None:
                r = r + 2 * x * g2
            return r

    class NoMaterialize(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x.clone(), x.clone()

        @staticmethod
        def backward(ctx, g1, g2):
            ctx.got_none = (g1 is None, g2 is None)
            return g1 if g1 is not None else g2

    class Cube(m.autograd.Function):  # setup_context style, differentiable backward
        @staticmethod
        def forward(x):
            return x ** 3

        @staticmethod
        def setup_context(ctx, inputs, output):
            (x,) = inputs
            ctx.save_for_backward(x)

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * x * x * g

    class Identity(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 10

    return {"Exp": Exp, "MulConst": MulConst, "Needs": Needs, "SortWithIdx": SortWithIdx, "TwoOut": TwoOut,
            "NoMaterialize": NoMaterialize, "Cube": Cube, "Identity": Identity}


FT, FE = make_functions(torch), make_functions(ember)


def run_both(fn):
    return fn(torch, FT), fn(ember, FE)


def test_save_for_backward_and_grad_fn_name():
    def f(m, F):
        x = m.tensor([0.5, -1.0], requires_grad=True)
        y = F["Exp"].apply(x)
        name = y.grad_fn.name() if hasattr(y.grad_fn, "name") and m is ember else type(y.grad_fn).__name__
        y.sum().backward()
        return x.grad.tolist(), y.requires_grad, name
    t, e = run_both(f)
    np.testing.assert_allclose(e[0], t[0], rtol=1e-6)
    assert e[1:] == t[1:] == (True, "ExpBackward")


def test_non_tensor_arguments_and_ctx_attributes():
    def f(m, F):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        F["MulConst"].apply(x, 3.0).sum().backward()
        return x.grad.tolist()
    t, e = run_both(f)
    assert e == t


def test_needs_input_grad():
    def f(m, F):
        a = m.tensor([1.0, 2.0], requires_grad=True)
        b = m.tensor([3.0, 4.0])
        y = F["Needs"].apply(a, b)
        seen = y.grad_fn.seen
        y.sum().backward()
        return tuple(seen), a.grad.tolist(), b.grad
    t, e = run_both(f)
    assert e == t


def test_mark_non_differentiable_and_multiple_outputs():
    def f(m, F):
        x = m.tensor([3.0, 1.0, 2.0], requires_grad=True)
        vals, idx = F["SortWithIdx"].apply(x)
        (vals * m.tensor([1.0, 10.0, 100.0])).sum().backward()
        return vals.tolist(), idx.tolist(), idx.requires_grad, vals.requires_grad, x.grad.tolist()
    t, e = run_both(f)
    assert e == t


def test_two_outputs_one_used():
    def f(m, F):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        a, b = F["TwoOut"].apply(x)
        b.sum().backward(retain_graph=True)
        g_b = x.grad.tolist()
        a.sum().backward()
        return g_b, x.grad.tolist(), a.grad_fn is b.grad_fn
    t, e = run_both(f)
    assert e == t


def test_set_materialize_grads_false():
    def f(m, F):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        a, _b = F["NoMaterialize"].apply(x)
        a.sum().backward()
        return x.grad.tolist(), a.grad_fn.got_none
    t, e = run_both(f)
    assert e == t


def test_setup_context_style_and_double_backward():
    def f(m, F):
        x = m.tensor([1.0, -2.0], requires_grad=True)
        y = F["Cube"].apply(x)
        (g,) = m.autograd.grad(y.sum(), x, create_graph=True)
        (gg,) = m.autograd.grad(g.sum(), x)
        return y.tolist(), g.tolist(), gg.tolist()
    t, e = run_both(f)
    assert e == t


def test_input_returned_as_is():
    def f(m, F):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        y = F["Identity"].apply(x)
        assert y is not x
        y.sum().backward()
        return x.grad.tolist()
    t, e = run_both(f)
    assert e == t


def test_no_grad_inside_forward_and_apply_under_no_grad():
    def f(m, F):
        x = m.tensor([1.0], requires_grad=True)
        with m.no_grad():
            y = F["Exp"].apply(x)
        return y.requires_grad, y.grad_fn is None
    t, e = run_both(f)
    assert e == t == (False, True)


def test_wrong_number_of_gradients_error():
    class Bad(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, g):
            return g

    class BadT(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, g):
            return g

    for m, cls in ((torch, BadT), (ember, Bad)):
        x = m.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError, match="returned an incorrect number of gradients"):
            cls.apply(x, m.ones(2, requires_grad=True)).sum().backward()


def test_saved_tensors_freed_after_backward():
    for m, F in ((torch, FT), (ember, FE)):
        x = m.tensor([1.0], requires_grad=True)
        y = F["Exp"].apply(x)
        y.sum().backward()
        with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
            _ = y.grad_fn.saved_tensors


def test_once_differentiable():
    class Sq(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @ember.autograd.function.once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    x = ember.tensor([3.0], requires_grad=True)
    (g,) = ember.autograd.grad(Sq.apply(x).sum(), x, create_graph=True)
    assert g.tolist() == [6.0] and not g.requires_grad

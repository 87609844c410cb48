"""The autograd engine (ember/autograd/engine.py, graph.py, grad_mode.py) against torch."""
# ruff: noqa: B023 - the lambdas in loops run within their own iteration
from __future__ import annotations

import gc
import sys
import warnings
import weakref

import numpy as np
import pytest
import torch

import ember


def both(fn):
    return fn(torch), fn(ember)


def names(fn_node) -> list:
    """The grad_fn graph as nested (name, [children]) in next_functions order, for either library."""
    if fn_node is None:
        return None
    name = _name(fn_node)
    if name == "AccumulateGrad" or not hasattr(fn_node, "next_functions"):
        return name
    return [name, [names(f) for f, _ in fn_node.next_functions]]


def _name(n):
    ember_node = isinstance(n, (ember.autograd.graph.Node, ember.autograd.graph.AccumulateGrad))
    return n.name() if ember_node else type(n).__name__


GRAPHS = [
    lambda m, x, w, b: m.addmm(b, x, w),
    lambda m, x, w, b: (x @ w + b).relu().sum(),
    lambda m, x, w, b: (x * 2).exp().mean(),
    lambda m, x, w, b: ((x - 1) / 3).sigmoid().sum(0),
    lambda m, x, w, b: x.t().tanh() ** 2,
    lambda m, x, w, b: (x.view(-1)[1:] * b.sum()).max(),
    lambda m, x, w, b: m.cat([x, x * 2]).transpose(0, 1).reshape(-1).log_softmax(0) if hasattr(m, "log_softmax")
    else m.cat([x, x * 2]).transpose(0, 1).reshape(-1),
    lambda m, x, w, b: m.where(x > 0, x, b[:3] * 0 + 1).unsqueeze(0).expand(2, 2, 3).sum(),
    lambda m, x, w, b: (x.abs() + 1).sqrt().neg().clamp(min=-1.1).permute(1, 0).squeeze(),
]


@pytest.mark.parametrize("k", range(len(GRAPHS)))
def test_grad_fn_names_and_next_functions(k):
    fn = GRAPHS[k]
    rng = np.random.default_rng(k)
    xa, wa, ba = rng.normal(size=(2, 3)), rng.normal(size=(3, 4)), rng.normal(size=(4,))
    res = {}
    for m in (torch, ember):
        x = m.tensor(xa, requires_grad=True)
        w = m.tensor(wa, requires_grad=True)
        b = m.tensor(ba, requires_grad=True)
        y = fn(m, x, w, b)
        res[m] = names(y.grad_fn)
    assert res[ember] == res[torch]


def test_accumulate_grad_node_and_variable():
    for m in (torch, ember):
        x = m.ones(2, requires_grad=True)
        y = x * 2
        acc = y.grad_fn.next_functions[0][0]
        assert _name(acc) == "AccumulateGrad" and acc.variable is x
        assert y.grad_fn.next_functions[1] == (None, 0)
        z = (x * x).sum()
        assert len(z.grad_fn.next_functions) == 1


def test_is_leaf_and_requires_grad():
    for m in (torch, ember):
        a = m.ones(2)
        b = m.ones(2, requires_grad=True)
        c = a * 2
        d = b * 2
        assert a.is_leaf and b.is_leaf and c.is_leaf and not d.is_leaf
        assert not c.requires_grad and d.requires_grad and c.grad_fn is None
        e = d.detach()
        assert e.is_leaf and not e.requires_grad
        with m.no_grad():
            f = b * 2
        assert f.is_leaf and not f.requires_grad


def test_backward_accumulates_into_grad():
    res = {}
    for m in (torch, ember):
        x = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
        (x ** 2).sum().backward()
        g1 = x.grad.clone()
        (x * 3).sum().backward()
        res[m] = (g1.tolist(), x.grad.tolist())
        x.grad.zero_()
        (x.sum() * 0).backward()
        assert x.grad.tolist() == [0.0, 0.0, 0.0]
        x.grad = None
        x.sum().backward()
        assert x.grad.tolist() == [1.0, 1.0, 1.0]
    assert res[ember] == res[torch]


def test_backward_gradient_argument():
    res = {}
    for m in (torch, ember):
        x = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * x
        y.backward(gradient=m.tensor([1.0, 0.1, 0.01]))
        res[m] = x.grad.tolist()
    assert res[ember] == res[torch]


def test_retain_graph_and_freed_graph_error():
    for m in (torch, ember):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        y = (x.exp() * x).sum()
        y.backward(retain_graph=True)
        y.backward()
        assert np.allclose(x.grad.numpy(), 2 * (np.exp([1.0, 2.0]) * (1 + np.array([1.0, 2.0]))))
        with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
            y.backward()


def test_backward_inputs_argument():
    res = {}
    for m in (torch, ember):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        w = m.tensor([3.0, 4.0], requires_grad=True)
        y = (x * w).sum()
        y.backward(inputs=[w], retain_graph=True)
        assert x.grad is None
        g_w = w.grad.tolist()
        y.backward(inputs=x)
        res[m] = (g_w, x.grad.tolist(), w.grad.tolist())
    assert res[ember] == res[torch]


def test_backward_inputs_non_leaf():
    res = {}
    for m in (torch, ember):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        h = x * 3
        h.retain_grad()
        (h ** 2).sum().backward(inputs=[h])
        res[m] = (h.grad.tolist(), x.grad)
    assert res[ember] == res[torch]


def test_create_graph_and_higher_order():
    """Third derivative of a polynomial, through backward(create_graph=True) and autograd.grad."""
    res = {}
    for m in (torch, ember):
        x = m.tensor(2.0, requires_grad=True)
        y = x ** 4 + 3 * x ** 3 - x
        (g1,) = m.autograd.grad(y, x, create_graph=True)
        (g2,) = m.autograd.grad(g1, x, create_graph=True)
        (g3,) = m.autograd.grad(g2, x)
        z = m.tensor([1.0, -1.0], requires_grad=True)
        (z.sin() * z).sum().backward(create_graph=True)
        gz = z.grad
        assert gz.requires_grad
        (h,) = m.autograd.grad(gz.sum(), z)
        res[m] = (g1.item(), g2.item(), g3.item(), gz.tolist(), h.tolist())
    np.testing.assert_allclose(np.array(res[ember][:3]), np.array(res[torch][:3]))
    np.testing.assert_allclose(res[ember][3], res[torch][3], rtol=1e-6)
    np.testing.assert_allclose(res[ember][4], res[torch][4], rtol=1e-6)


def test_autograd_grad_arguments():
    res = {}
    for m in (torch, ember):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        w = m.tensor([0.5, -1.0], requires_grad=True)
        u = m.tensor([3.0], requires_grad=True)
        y = x * w
        gx, gw = m.autograd.grad(y, (x, w), grad_outputs=m.tensor([1.0, 2.0]), retain_graph=True)
        gx2, gu = m.autograd.grad(y.sum(), [x, u], allow_unused=True, retain_graph=True)
        gx3, gu3 = m.autograd.grad(y.sum(), [x, u], materialize_grads=True)
        with pytest.raises(RuntimeError, match="The differentiated Tensor at index 1 appears to not have been used"):
            m.autograd.grad((x * 2).sum(), [x, u])
        assert x.grad is None and w.grad is None
        res[m] = (gx.tolist(), gw.tolist(), gx2.tolist(), gu, gx3.tolist(), gu3.tolist())
    assert res[ember] == res[torch]


def test_grad_of_multiple_outputs():
    res = {}
    for m in (torch, ember):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        a, b = x * 2, x ** 2
        (g,) = m.autograd.grad([a.sum(), b.sum()], x)
        (g2,) = m.autograd.grad([x * 3, x * 4], [x], grad_outputs=[m.ones(2), m.ones(2) * 2])
        m.autograd.backward([(x * 5).sum(), (x * 7).sum()])
        res[m] = (g.tolist(), g2.tolist(), x.grad.tolist())
    assert res[ember] == res[torch]


def test_retain_grad():
    res = {}
    for m in (torch, ember):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        h = x * 3
        h.retain_grad()
        assert h.retains_grad and not x.retains_grad
        k = h.relu()
        (k * k).sum().backward()
        res[m] = (h.grad.tolist(), x.grad.tolist())
        x.retain_grad()  # a no-op on leaves
    assert res[ember] == res[torch]


def test_register_hook_leaf_and_non_leaf():
    res = {}
    for m in (torch, ember):
        seen = []
        x = m.tensor([1.0, 2.0], requires_grad=True)
        h = x * 3
        h1 = h.register_hook(lambda g: seen.append(("h", g.tolist())))
        h.register_hook(lambda g: g * 10)
        x.register_hook(lambda g: seen.append(("x", g.tolist())))
        hx = x.register_hook(lambda g: g + 1)
        (h * h).sum().backward(retain_graph=True)
        first = (x.grad.tolist(), list(seen))
        h1.remove()
        hx.remove()
        seen.clear()
        x.grad = None
        (h * h).sum().backward()
        res[m] = (first, x.grad.tolist(), list(seen))
        with pytest.raises(RuntimeError, match="cannot register a hook on a tensor that doesn't require gradient"):
            m.ones(1).register_hook(lambda g: g)
    assert res[ember] == res[torch]


def test_hook_runs_before_retain_grad_and_on_each_path():
    res = {}
    for m in (torch, ember):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        h = x * 1
        h.retain_grad()
        h.register_hook(lambda g: g * 2)
        (h * 3 + h * 4).sum().backward()
        res[m] = (h.grad.tolist(), x.grad.tolist())
    assert res[ember] == res[torch]


def test_node_hooks():
    res = {}
    for m in (torch, ember):
        calls = []
        x = m.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        y.grad_fn.register_hook(lambda gin, gout: calls.append(("post", [g.tolist() for g in gin if g is not None])))
        y.grad_fn.register_prehook(lambda gout: (gout[0] * 5,))
        y.sum().backward()
        res[m] = (calls, x.grad.tolist())
    assert res[ember] == res[torch]


def test_post_accumulate_grad_hook():
    res = {}
    for m in (torch, ember):
        seen = []
        x = m.tensor([1.0, 2.0], requires_grad=True)
        x.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.tolist()))
        (x * 2).sum().backward()
        (x * 3).sum().backward()
        res[m] = seen
    assert res[ember] == res[torch]


def test_detach_and_detach_():
    for m in (torch, ember):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        d = y.detach()
        assert not d.requires_grad and d.grad_fn is None
        d[0] = 10.0
        assert y[0].item() == 10.0  # shares memory
        z = x * 3
        z.detach_()
        assert not z.requires_grad and z.is_leaf
        w = (x * 4)
        (w.detach() * w).sum().backward()
        assert x.grad.tolist() == [16.0, 32.0]


def test_grad_mode_context_managers_and_decorators():
    for m in (torch, ember):
        x = m.ones(2, requires_grad=True)
        with m.no_grad():
            assert not m.is_grad_enabled()
            assert not (x * 2).requires_grad
            with m.enable_grad():
                assert (x * 2).requires_grad
            assert not (x * 2).requires_grad
        assert m.is_grad_enabled()
        with m.set_grad_enabled(False):
            assert not (x * 2).requires_grad
        m.set_grad_enabled(False)
        assert not m.is_grad_enabled()
        m.set_grad_enabled(True)
        assert m.is_grad_enabled()

        @m.no_grad()
        def f(t):
            return t * 2

        @m.enable_grad()
        def g(t):
            return t * 2

        assert not f(x).requires_grad
        with m.no_grad():
            assert g(x).requires_grad
        with m.inference_mode():
            assert m.is_inference_mode_enabled() and not (x * 2).requires_grad
        assert not m.is_inference_mode_enabled()
        with m.inference_mode(False):
            assert (x * 2).requires_grad

        @m.inference_mode()
        def h(t):
            return t * 2

        assert not h(x).requires_grad
        with m.set_grad_enabled(True):
            pass
        assert m.is_grad_enabled()


def test_grad_mode_restored_after_exception():
    for m in (torch, ember):
        with pytest.raises(ValueError), m.no_grad():
            raise ValueError
        assert m.is_grad_enabled()


def test_same_tensor_used_many_times():
    res = {}
    for m in (torch, ember):
        x = m.tensor([0.5, -1.5], requires_grad=True)
        y = x
        for _ in range(5):
            y = y * x + x
        y.sum().backward()
        res[m] = x.grad.tolist()
    np.testing.assert_allclose(res[ember], res[torch], rtol=1e-6)


def test_diamond_and_shared_subgraphs():
    res = {}
    for m in (torch, ember):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        a = x.exp()
        b = a.sin() + a.cos()
        c = b * a
        d = (c + b).sum() + a.sum()
        d.backward()
        res[m] = x.grad.tolist()
    np.testing.assert_allclose(res[ember], res[torch], rtol=1e-5)


def test_broadcast_gradients_are_summed_back():
    res = {}
    for m in (torch, ember):
        a = m.ones(3, 1, requires_grad=True)
        b = m.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
        c = m.tensor(2.0, requires_grad=True)
        ((a * b + c) ** 2).sum().backward()
        res[m] = (a.grad.tolist(), b.grad.tolist(), c.grad.tolist())
    assert res[ember] == res[torch]


def test_mixed_dtype_gradients_have_input_dtypes():
    for m in (torch, ember):
        a = m.ones(2, dtype=m.float32, requires_grad=True)
        b = m.ones(2, dtype=m.float64, requires_grad=True)
        (a * b).sum().backward()
        assert a.grad.dtype == m.float32 and b.grad.dtype == m.float64


def test_deep_graph_no_recursion():
    """100,000 chained ops backpropagate without hitting Python's recursion limit."""
    x = ember.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y + 1e-6
    assert sys.getrecursionlimit() < 100_000
    y.backward()
    assert x.grad.item() == 1.0
    del y
    gc.collect()


def test_deep_graph_create_graph():
    res = {}
    for m in (torch, ember):
        x = m.tensor(0.5, dtype=m.float64, requires_grad=True)
        y = x
        for _ in range(2000):
            y = y * 0.999 + x * x * 1e-3
        (g,) = m.autograd.grad(y, x, create_graph=True)
        (gg,) = m.autograd.grad(g, x)
        res[m] = (g.item(), gg.item())
    np.testing.assert_allclose(res[ember], res[torch], rtol=1e-10)


def test_graph_memory_freed_after_backward():
    x = ember.ones(1000, requires_grad=True)
    h = x.exp()
    y = (h * h).sum()
    node_ref = weakref.ref(h.grad_fn)
    data_ref = weakref.ref(y.grad_fn)
    saved = y.grad_fn.next_functions[0][0]  # MulBackward0 saved h twice
    y.backward()
    assert saved._saved is None  # saved tensors released by backward
    del saved
    del h, y
    gc.collect()
    assert node_ref() is None and data_ref() is None


def test_graph_freed_when_output_dropped_without_backward():
    x = ember.ones(10, requires_grad=True)
    y = (x * 2).sin()
    ref = weakref.ref(y.grad_fn)
    del y
    gc.collect()
    assert ref() is None


def test_no_reference_cycle_through_saved_output():
    x = ember.ones(10, requires_grad=True)
    y = x.exp()  # saves its own output
    ref = weakref.ref(y)
    fn_ref = weakref.ref(y.grad_fn)
    del y
    assert ref() is None and fn_ref() is None  # freed by refcounting alone, no gc needed


def test_version_counter_in_saved_tensors():
    for m in (torch, ember):
        x = m.ones(3, requires_grad=True)
        y = x * 2
        z = y.exp()  # saves its output
        w = y * y  # saves y
        y.add_(1)
        with pytest.raises(RuntimeError, match="one of the variables needed for gradient computation has been "
                                               "modified by an inplace operation"):
            w.sum().backward()
        z.sum().backward()  # exp's own output was not modified


def test_inplace_on_non_leaf_gradients():
    res = {}
    for m in (torch, ember):
        x = m.tensor([1.0, -2.0, 3.0], requires_grad=True)
        y = x * 2
        y.add_(1)
        y.mul_(m.tensor([2.0, 3.0, -1.0]))
        y.sub_(y.detach() * 0.5)
        y.relu_()
        y.sum().backward()
        res[m] = (x.grad.tolist(), y.grad_fn is not None)
    assert res[ember] == res[torch]


def test_backward_on_leaf_itself():
    for m in (torch, ember):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        x.backward(m.tensor([3.0, 4.0]))
        assert x.grad.tolist() == [3.0, 4.0]


def test_anomaly_mode_names_forward_op():
    """detect_anomaly: NaN in a backward raises naming the node, and a warning shows the forward call."""
    for m in (torch, ember):
        x = m.tensor([0.0, 1.0], requires_grad=True)
        with warnings.catch_warnings(record=True) as record, m.autograd.detect_anomaly():
            warnings.simplefilter("always")
            assert m.is_anomaly_enabled()
            y = (x.sqrt() * 0).sum()  # the forward line the warning points at
            with pytest.raises(RuntimeError, match="Function 'SqrtBackward0' returned nan values in its 0th "
                                                   "output"):
                y.backward()
        assert not m.is_anomaly_enabled()
        msgs = [str(r.message) for r in record]
        assert any(msg.startswith("Anomaly Detection has been enabled") for msg in msgs)
        trace = next(msg for msg in msgs if msg.startswith("Error detected in SqrtBackward0"))
        assert "test_engine.py" in trace or m is torch


def test_no_nan_check_without_anomaly_mode():
    for m in (torch, ember):
        x = m.tensor([0.0, 1.0], requires_grad=True)
        (x.sqrt() * 0).sum().backward()
        assert np.isnan(x.grad[0].item())


def test_modified_saved_tensor_message():
    for m in (torch, ember):
        a = m.ones(3, requires_grad=True)
        b = a * 1
        c = b * b
        b.add_(1)
        with pytest.raises(RuntimeError) as err:
            c.sum().backward()
        if m is torch:
            t_msg = str(err.value)
        else:
            assert str(err.value) == t_msg


def test_inplace_on_views_of_graph_tensors():
    """In-place ops through views update the base's graph (CopySlices), as in torch."""
    res = {}
    for m in (torch, ember):
        x = m.ones(2, 3, requires_grad=True)
        h = x * 2
        h[:, 0] += 1
        h[1][2] = 7.0
        v = h.view(-1)[1:4]
        v.mul_(m.tensor([1.0, 2.0, 3.0]))
        h.t()[0].sub_(x[:, 1])
        (h * m.arange(6.0).view(2, 3)).sum().backward()
        name = type(h.grad_fn).__name__ if m is torch else h.grad_fn.name()
        res[m] = (name, h.tolist(), x.grad.tolist())
    assert res[ember] == res[torch]


def test_inplace_copy_into_view_of_plain_buffer():
    res = {}
    for m in (torch, ember):
        buf = m.zeros(2, 3)
        w = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
        buf[1].copy_(w * 3)
        buf[0, 1:].add_(w[:2])
        assert buf.requires_grad and not buf.is_leaf
        (buf * m.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])).sum().backward()
        res[m] = (buf.tolist(), w.grad.tolist())
    assert res[ember] == res[torch]


def test_inplace_on_view_of_leaf_errors():
    for m in (torch, ember):
        x = m.ones(3, requires_grad=True)
        with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad is being used in an "
                                               "in-place operation"):
            x[1:].zero_()

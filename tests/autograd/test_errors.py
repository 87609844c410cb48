"""PyTorch's autograd errors: same exception type and the same message text in ember."""
from __future__ import annotations

import pytest
import torch
from _reference import same_error

import ember


def test_backward_through_freed_graph():
    def fn(m):
        x = m.ones(2, requires_grad=True)
        y = (x * x).sum()
        y.backward()
        y.backward()
    same_error(fn)


def test_grad_through_freed_graph():
    def fn(m):
        x = m.ones(2, requires_grad=True)
        y = (x.exp() * x).sum()
        m.autograd.grad(y, x)
        m.autograd.grad(y, x)
    same_error(fn)


def test_implicit_gradient_for_non_scalar():
    def fn(m):
        x = m.ones(2, requires_grad=True)
        (x * 2).backward()
    same_error(fn)


def test_implicit_gradient_for_grad():
    def fn(m):
        x = m.ones(2, requires_grad=True)
        m.autograd.grad(x * 2, x)
    same_error(fn)


def test_backward_on_tensor_without_grad():
    def fn(m):
        m.ones(2).sum().backward()
    same_error(fn)


def test_grad_of_input_not_requiring_grad():
    def fn(m):
        x = m.ones(2, requires_grad=True)
        y = m.ones(2)
        m.autograd.grad((x * y).sum(), [x, y])
    same_error(fn)


def test_grad_of_unused_input():
    def fn(m):
        x = m.ones(2, requires_grad=True)
        z = m.ones(2, requires_grad=True)
        m.autograd.grad((x * 2).sum(), [x, z])
    same_error(fn)
    x = ember.ones(2, requires_grad=True)
    z = ember.ones(2, requires_grad=True)
    gx, gz = ember.autograd.grad((x * 2).sum(), [x, z], allow_unused=True)
    assert gz is None and gx.tolist() == [2.0, 2.0]


def test_saved_tensor_modified_inplace():
    def fn(m):
        x = m.ones(3, requires_grad=True)
        y = x * 1
        z = y.sin()
        y.mul_(2)
        z.sum().backward()
    same_error(fn)


def test_saved_output_modified_inplace():
    def fn(m):
        x = m.ones(3, requires_grad=True)
        y = x.exp()
        y.add_(1)
        y.sum().backward()
    msg = same_error(fn, exact=False)
    assert msg.startswith("one of the variables needed for gradient computation has been modified by an inplace")


def test_inplace_on_leaf_requiring_grad():
    def fn(m):
        x = m.ones(3, requires_grad=True)
        x.mul_(2)
    same_error(fn)


def test_inplace_on_view_of_leaf():
    def fn(m):
        x = m.ones(3, requires_grad=True)
        x[:2].mul_(2)
    same_error(fn)


def test_requires_grad_on_integer_tensor():
    same_error(lambda m: m.tensor([1, 2]).requires_grad_())
    same_error(lambda m: m.tensor([1, 2], requires_grad=True))
    same_error(lambda m: m.zeros(2, dtype=m.bool, requires_grad=True))


def test_change_requires_grad_of_non_leaf():
    def fn(m):
        x = m.ones(3, requires_grad=True)
        (x * 2).requires_grad = False
    same_error(fn)


def test_grad_outputs_shape_mismatch():
    def fn(m):
        x = m.ones(3, requires_grad=True)
        m.autograd.grad(x * 2, x, grad_outputs=m.ones(2))
    same_error(fn)


def test_backward_gradient_shape_mismatch():
    def fn(m):
        x = m.ones(3, requires_grad=True)
        (x * 2).backward(m.ones(2))
    same_error(fn)


def test_grad_outputs_count_mismatch():
    def fn(m):
        x = m.ones(3, requires_grad=True)
        m.autograd.grad([x * 2, x * 3], x, grad_outputs=[m.ones(3)])
    same_error(fn)


def test_backward_inputs_empty():
    def fn(m):
        x = m.ones(3, requires_grad=True)
        (x * 2).sum().backward(inputs=[])
    same_error(fn)


def test_numpy_of_tensor_requiring_grad():
    same_error(lambda m: m.ones(2, requires_grad=True).numpy())


def test_item_of_many_elements():
    same_error(lambda m: m.ones(2).item())


def test_retain_grad_without_requires_grad():
    same_error(lambda m: m.ones(2).retain_grad())


def test_hook_on_tensor_without_grad():
    same_error(lambda m: m.ones(2).register_hook(lambda g: g))


def test_cuda_without_gpu():
    """A clear error when no CUDA device is available (skipped on machines that have one)."""
    if ember.cuda.is_available():
        pytest.skip("a GPU is available here")
    with pytest.raises((AssertionError, RuntimeError)) as err:
        ember.ones(2).cuda()
    assert "CUDA" in str(err.value) or "cuda" in str(err.value)
    assert not ember.cuda.is_available()


def test_deepcopy_of_non_leaf():
    import copy

    same_error(lambda m: copy.deepcopy(m.ones(2, requires_grad=True) * 2))


def test_detach_inplace_of_view_of_tensor_requiring_grad():
    def fn(m):
        x = m.ones(3, requires_grad=True)
        v = x[1:]
        v.detach_()
    same_error(fn, exact=False)


def test_out_with_requires_grad():
    same_error(lambda m: m.mul(m.ones(2, requires_grad=True), 2, out=m.empty(2)))


def test_type_errors_for_bad_arguments():
    for fn in (lambda m: m.ones(2).view("a"), lambda m: m.ones(2, 2).sum(dim="x"), lambda m: m.zeros("3"),
               lambda m: m.ones(2).expand("a")):
        with pytest.raises((TypeError, RuntimeError)):
            fn(torch)
        with pytest.raises((TypeError, RuntimeError)):
            fn(ember)

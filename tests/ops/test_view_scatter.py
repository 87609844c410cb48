"""select/slice/diagonal_scatter, put/put_ and as_strided (ember/ops/view_scatter.py) against PyTorch: values,
gradients, views and errors."""
import numpy as np
import pytest
import torch

import ember
from _reference import same_error

W = np.arange(1.0, 13.0).reshape(3, 4)  # weights for a non-uniform loss


def _run(fn, shapes):
    """``fn(m, *tensors)`` in both frameworks on the same float64 inputs requiring grad; the results and the
    inputs' gradients of ``(result * weights).sum()``."""
    rng = np.random.default_rng(len(shapes))
    arrays = [rng.standard_normal(s) for s in shapes]
    out = {}
    for m in (torch, ember):
        ts = [m.tensor(a, dtype=m.float64, requires_grad=True) for a in arrays]
        r = fn(m, *ts)
        w = m.tensor(np.arange(1.0, r.numel() + 1.0).reshape(tuple(r.shape)), dtype=m.float64)
        (r * w).sum().backward()
        out[m] = [r.detach().numpy()] + [t.grad.numpy() if t.grad is not None else None for t in ts]
    for a, b in zip(out[torch], out[ember]):
        if a is None:
            assert b is None
        else:
            np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-12)


SCATTERS = {
    "select_scatter": (lambda m, x, s: m.select_scatter(x, s, 1, -1), [(3, 4), (3,)]),
    "select_scatter_method": (lambda m, x, s: x.select_scatter(s, 0, 1), [(3, 4), (4,)]),
    "slice_scatter": (lambda m, x, s: m.slice_scatter(x, s, 1, 1, 4, 2), [(3, 4), (3, 2)]),
    "slice_scatter_default": (lambda m, x, s: m.slice_scatter(x, s), [(3, 4), (3, 4)]),
    "slice_scatter_neg": (lambda m, x, s: x.slice_scatter(s, dim=-2, start=-2), [(3, 4), (2, 4)]),
    "diagonal_scatter": (lambda m, x, s: m.diagonal_scatter(x, s), [(3, 4), (3,)]),
    "diagonal_scatter_offset": (lambda m, x, s: m.diagonal_scatter(x, s, 1, 1, 0), [(3, 4), (2,)]),
    "put": (lambda m, x, s: m.put(x, m.tensor([0, 11, -1, 5]), s), [(3, 4), (4,)]),
    "put_accumulate": (lambda m, x, s: x.put(m.tensor([[1, 1], [2, -12]]), s, accumulate=True), [(3, 4), (2, 2)]),
    "put_inplace_on_copy": (lambda m, x, s: (x * 1).put_(m.tensor([3, 2]), s), [(3, 4), (2,)]),
    "put_noncontiguous": (lambda m, x, s: (x * 1).t().put_(m.tensor([1, 5]), s), [(3, 4), (2,)]),
    "as_strided": (lambda m, x: m.as_strided(x, (2, 2), (4, 1), 1), [(3, 4)]),
    "as_strided_overlap": (lambda m, x: x.as_strided((3, 3), (1, 1), 2), [(3, 4)]),
    "as_strided_of_view": (lambda m, x: x[1:].t().as_strided((2, 3), (1, 2)), [(3, 4)]),
    "as_strided_empty": (lambda m, x: x.as_strided((0, 3), (1, 1)), [(3, 4)]),
}


@pytest.mark.parametrize("name", list(SCATTERS))
def test_matches_torch_with_gradients(name):
    fn, shapes = SCATTERS[name]
    _run(fn, shapes)


def test_put_writes_in_place_and_as_strided_is_a_view():
    for m in (ember, torch):
        x = m.zeros(2, 3)
        assert x.put_(m.tensor([4]), m.tensor([7.0])) is x
        y = x.as_strided((2,), (3,), 1)
        y[1] = 5.0
        assert x.tolist() == [[0.0, 0.0, 0.0], [0.0, 5.0, 0.0]]
        assert y.stride() == (3,) and y.storage_offset() == 1
        z = y.as_strided((2,), (1,))  # the offset defaults to the view's own, in the shared storage
        assert z.storage_offset() == 1 and z.tolist() == [0.0, 0.0]


def test_as_strided_strides_and_offset_match_torch():
    for f in (lambda m: m.arange(12.0).as_strided((3, 2), (4, 2), 1),
              lambda m: m.arange(12.0)[3:].as_strided((2,), (5,)),
              lambda m: m.arange(12.0).view(3, 4).t().as_strided((4,), (3,), 2)):
        e, t = f(ember), f(torch)
        assert e.stride() == t.stride()
        np.testing.assert_array_equal(e.numpy(), t.numpy())


ERRORS = {
    "select_src_shape": lambda m: m.select_scatter(m.zeros(2, 3), m.zeros(3), 1, 0),
    "slice_src_shape": lambda m: m.slice_scatter(m.zeros(2, 3), m.zeros(2, 3), 1, 1),
    "diagonal_src_shape": lambda m: m.diagonal_scatter(m.zeros(2, 3), m.zeros(3)),
    "put_out_of_range": lambda m: m.zeros(2, 3).put_(m.tensor([6]), m.tensor([1.0])),
    "put_negative_out_of_range": lambda m: m.zeros(2, 3).put_(m.tensor([-7]), m.tensor([1.0])),
    "put_index_dtype": lambda m: m.zeros(2, 3).put_(m.tensor([1], dtype=m.int32), m.tensor([1.0])),
    "put_source_dtype": lambda m: m.zeros(2, 3).put_(m.tensor([1]), m.tensor([1])),
    "as_strided_bounds": lambda m: m.arange(9.0).as_strided((4, 4), (3, 1)),
    "as_strided_lengths": lambda m: m.arange(9.0).as_strided((4,), (3, 1)),
    "as_strided_negative_stride": lambda m: m.arange(9.0).as_strided((2,), (-1,)),
    "as_strided_negative_offset": lambda m: m.arange(9.0).as_strided((2,), (1,), -1),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(name):
    same_error(ERRORS[name], exc=Exception)


def test_put_numel_mismatch_is_an_index_error():
    same_error(lambda m: m.zeros(2, 3).put_(m.tensor([1, 2]), m.tensor([1.0])), exc=IndexError)


def test_docstring_examples():
    import doctest  # noqa: PLC0415

    from ember.ops import view_scatter  # noqa: PLC0415

    assert doctest.testmod(view_scatter, optionflags=doctest.NORMALIZE_WHITESPACE).failed == 0

"""nn.functional.grid_sample and affine_grid against PyTorch: every mode, padding mode and align_corners setting
in 2-D and 3-D, values and gradients with respect to the input, the grid and theta, warnings and errors."""
import itertools
import warnings

import numpy as np
import pytest
import torch
from _reference import same_error

import ember

RNG = np.random.default_rng(0)
CASES_2D = list(itertools.product(["bilinear", "nearest", "bicubic"], ["zeros", "border", "reflection"],
                                  [True, False]))
CASES_3D = list(itertools.product(["bilinear", "nearest"], ["zeros", "border", "reflection"], [True, False]))


def _compare(shape_in, shape_grid, mode, pad, align, dtype="float64", rtol=1e-12):
    x = RNG.standard_normal(shape_in)
    g = RNG.uniform(-1.3, 1.3, shape_grid)
    g.flat[0], g.flat[1] = -1.0, 1.0  # exactly on the borders
    w = RNG.standard_normal(shape_in[:2] + shape_grid[1:-1])
    res = []
    for m in (torch, ember):
        xt = m.tensor(x, dtype=getattr(m, dtype), requires_grad=True)
        gt = m.tensor(g, dtype=getattr(m, dtype), requires_grad=True)
        out = m.nn.functional.grid_sample(xt, gt, mode=mode, padding_mode=pad, align_corners=align)
        (out * m.tensor(w, dtype=getattr(m, dtype))).sum().backward()
        res.append((out.detach().numpy(), xt.grad.numpy(), gt.grad.numpy()))
    for a, b in zip(*res):
        assert a.shape == b.shape and a.dtype == b.dtype
        np.testing.assert_allclose(b, a, rtol=rtol, atol=rtol)


@pytest.mark.parametrize("mode,pad,align", CASES_2D)
def test_grid_sample_2d(mode, pad, align):
    _compare((2, 3, 5, 6), (2, 4, 7, 2), mode, pad, align)


@pytest.mark.parametrize("mode,pad,align", CASES_3D)
def test_grid_sample_3d(mode, pad, align):
    _compare((2, 2, 4, 5, 3), (2, 3, 2, 4, 3), mode, pad, align)


def test_grid_sample_float32():
    _compare((1, 2, 6, 6), (1, 5, 5, 2), "bilinear", "zeros", False, dtype="float32", rtol=2e-6)


@pytest.mark.parametrize("size", [(2, 3, 4, 5), (2, 1, 1, 3), (2, 2, 3, 4, 5), (1, 1, 1, 1, 2)], ids=str)
@pytest.mark.parametrize("align", [True, False])
def test_affine_grid(size, align):
    theta = RNG.standard_normal((size[0], len(size) - 2, len(size) - 1))
    res = []
    for m in (torch, ember):
        t = m.tensor(theta, requires_grad=True)
        g = m.nn.functional.affine_grid(t, size, align_corners=align)
        (g * m.tensor(np.arange(g.numel(), dtype=np.float64).reshape(tuple(g.shape)))).sum().backward()
        res.append((g.detach().numpy(), t.grad.numpy()))
    for a, b in zip(*res):
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-12)


def test_spatial_transformer_round_trip_and_default_warning():
    for m in (torch, ember):
        theta = m.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]])
        x = m.arange(12.0).reshape(1, 1, 3, 4)
        with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
            grid = m.nn.functional.affine_grid(theta, x.shape)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            y = m.nn.functional.grid_sample(x, grid, align_corners=False)
        assert y.tolist() == x.tolist()  # the identity transform samples every pixel centre


ERRORS = {
    "mode": lambda m: m.nn.functional.grid_sample(m.ones(1, 1, 2, 2), m.zeros(1, 1, 1, 2), mode="bad",
                                                  align_corners=False),
    "padding": lambda m: m.nn.functional.grid_sample(m.ones(1, 1, 2, 2), m.zeros(1, 1, 1, 2),
                                                     padding_mode="bad", align_corners=False),
    "grid_last": lambda m: m.nn.functional.grid_sample(m.ones(1, 1, 2, 2), m.zeros(1, 1, 1, 1), align_corners=False),
    "batch": lambda m: m.nn.functional.grid_sample(m.ones(2, 1, 2, 2), m.zeros(1, 1, 1, 2), align_corners=False),
    "bicubic_3d": lambda m: m.nn.functional.grid_sample(m.ones(1, 1, 2, 2, 2), m.zeros(1, 1, 1, 1, 3),
                                                        mode="bicubic", align_corners=False),
    "dtype": lambda m: m.nn.functional.grid_sample(m.ones(1, 1, 2, 2), m.zeros(1, 1, 1, 2, dtype=m.float64),
                                                   align_corners=False),
    "empty_spatial": lambda m: m.nn.functional.grid_sample(m.ones(1, 1, 0, 2), m.zeros(1, 1, 1, 2),
                                                           align_corners=False),
    "affine_size": lambda m: m.nn.functional.affine_grid(m.ones(1, 2, 3), (1, 1, 2), align_corners=False),
    "affine_theta": lambda m: m.nn.functional.affine_grid(m.ones(1, 1, 3), (1, 1, 2, 3), align_corners=False),
    "affine_int": lambda m: m.nn.functional.affine_grid(m.ones(1, 2, 3, dtype=m.int64), (1, 1, 2, 3),
                                                        align_corners=False),
    "affine_zero": lambda m: m.nn.functional.affine_grid(m.ones(1, 2, 3), (1, 1, 0, 3), align_corners=False),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(name):
    same_error(ERRORS[name], exc=Exception)

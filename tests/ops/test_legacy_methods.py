"""Legacy and introspection Tensor methods (ember/ops/legacy_methods.py) against PyTorch."""
import numpy as np
import pytest
import torch
from _reference import same_error

import ember


def _same(fn):
    t, e = fn(torch), fn(ember)
    if isinstance(t, tuple) and t and hasattr(t[0], "shape"):
        assert len(t) == len(e)
        for a, b in zip(t, e):
            assert str(a.dtype) == str(b.dtype) and a.tolist() == b.tolist()
        return
    if hasattr(t, "shape"):
        assert str(t.dtype) == str(e.dtype) and tuple(t.shape) == tuple(e.shape)
        return t, e
    assert t == e


CASES = {
    "new_empty": lambda m: m.arange(6.0).reshape(2, 3).new(),
    "new_sizes": lambda m: m.arange(6.0).new(2, 3),
    "new_size": lambda m: m.arange(6.0).new(m.Size([4])),
    "new_list": lambda m: m.arange(6.0).new([1, 2]),
    "new_tuple_is_data": lambda m: m.arange(6).new((2,)),
    "new_empty_strided": lambda m: m.zeros(1, dtype=m.float64).new_empty_strided((2, 3), (1, 2)).stride(),
    "split_with_sizes": lambda m: m.arange(10).reshape(5, 2).split_with_sizes([2, 3]),
    "split_with_sizes_dim": lambda m: m.arange(10).reshape(2, 5).unsafe_split_with_sizes([4, 1], dim=1),
    "nonzero_static_pad": lambda m: m.tensor([0, 1, 0, 2]).nonzero_static(size=4, fill_value=-1),
    "nonzero_static_truncate": lambda m: m.tensor([[1, 0], [1, 1]]).nonzero_static(size=2),
    "dim_order": lambda m: (m.ones(2, 3).dim_order(), m.ones(2, 3).t().dim_order(),
                            m.ones(2, 3, 4).permute(2, 0, 1).dim_order()),
    "predicates": lambda m: (m.ones(2).is_inference(), m.ones(2).is_neg(), m.ones(2).is_shared(),
                             m.ones(2).output_nr),
    "hardshrink": lambda m: m.tensor([-1.0, 0.2, 2.0]).hardshrink(0.5),
    "prelu": lambda m: m.tensor([[-1.0, 2.0], [3.0, -4.0]]).prelu(m.tensor([0.25, 0.5])),
}


@pytest.mark.parametrize("name", list(CASES))
def test_matches_torch(name):
    r = _same(CASES[name])
    if r is not None and name.startswith(("new_list", "new_tuple", "nonzero", "hardshrink", "prelu")):
        assert r[0].tolist() == r[1].tolist()


INPLACE = {
    "resize_shrink": lambda m: m.arange(6.0).resize_(2, 2),
    "resize_grow": lambda m: m.arange(3.0).resize_(1, 3),
    "resize_as_": lambda m: m.arange(6.0).resize_as_(m.ones(3)),
    "apply_": lambda m: m.arange(6.0).reshape(2, 3).apply_(lambda v: v * 2 + 1),
    "map_": lambda m: m.arange(6.0).reshape(2, 3).map_(m.tensor([1.0, 2.0, 3.0]), lambda a, b: a * b),
    "conj_physical_": lambda m: m.tensor([1 + 2j, -1j]).conj_physical_(),
    "addmv_": lambda m: m.ones(2).addmv_(m.arange(6.0).reshape(2, 3), m.ones(3), beta=2, alpha=0.5),
    "addr_": lambda m: m.ones(2, 3).addr_(m.tensor([1.0, 2.0]), m.tensor([1.0, 0.0, -1.0])),
    "addbmm_": lambda m: m.ones(2, 2).addbmm_(m.ones(3, 2, 4), m.ones(3, 4, 2)),
    "baddbmm_": lambda m: m.ones(3, 2, 2).baddbmm_(m.ones(3, 2, 4), m.ones(3, 4, 2), alpha=0.5),
}


@pytest.mark.parametrize("name", list(INPLACE))
def test_inplace_matches_torch(name):
    t, e = INPLACE[name](torch), INPLACE[name](ember)
    assert tuple(t.shape) == tuple(e.shape)
    np.testing.assert_array_equal(e.numpy(), t.numpy())


def test_inplace_methods_return_self_and_share_memory_is_a_noop():
    for m in (torch, ember):
        x = m.arange(4.0)
        assert x.apply_(lambda v: v) is x and x.resize_(2, 2) is x and x.share_memory_() is x
        assert x.shape == (2, 2)


ERRORS = {
    "resize_requires_grad": lambda m: m.ones(2, requires_grad=True).resize_(3),
    "split_sizes_sum": lambda m: m.arange(5).split_with_sizes([2, 2]),
    "apply_leaf_requires_grad": lambda m: m.ones(2, requires_grad=True).apply_(lambda v: v),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(name):
    same_error(ERRORS[name], exc=Exception)

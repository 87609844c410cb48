"""Embedding, EmbeddingBag, one_hot, normalize, cosine_similarity, pairwise_distance, pdist against torch."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember

from ._nn_compare import assert_same, compare_module, copy_weights, pair, randn, rng


@pytest.mark.parametrize("kwargs", [{}, {"padding_idx": 2}, {"padding_idx": -1}, {"scale_grad_by_freq": True},
                                    {"padding_idx": 0, "scale_grad_by_freq": True}])
@pytest.mark.parametrize("shape", [(5,), (2, 4), (1, 1), (0,)])
def test_embedding_matches_torch(kwargs, shape):
    tm, em = torch.nn.Embedding(7, 3, **kwargs).double(), ember.nn.Embedding(7, 3, **kwargs).double()
    assert repr(em) == repr(tm)
    copy_weights(tm, em)
    idx = rng(1).integers(0, 7, shape)
    if idx.size:
        idx.flat[0] = 2
        idx.flat[-1] = 6
    compare_module(tm, em, [idx], check_grad_fn=True)


def test_embedding_init_padding_and_seed():
    torch.manual_seed(0)
    ember.manual_seed(0)
    tm, em = torch.nn.Embedding(6, 4, padding_idx=1), ember.nn.Embedding(6, 4, padding_idx=1)
    np.testing.assert_array_equal(em.weight.detach().numpy(), tm.weight.detach().numpy())
    assert not em.weight.detach().numpy()[1].any()
    ember.manual_seed(1)
    w = ember.nn.Embedding(300, 100).weight.detach().numpy()
    assert abs(w.mean()) < 0.02 and abs(w.std() - 1) < 0.02


def test_embedding_max_norm_renormalises_in_place():
    for norm_type in (2.0, 1.0):
        tm = torch.nn.Embedding(5, 3, max_norm=1.0, norm_type=norm_type).double()
        em = ember.nn.Embedding(5, 3, max_norm=1.0, norm_type=norm_type).double()
        copy_weights(tm, em)
        idx = np.array([[0, 1, 1], [3, 0, 4]])
        compare_module(tm, em, [idx])
        assert_same(em.weight.detach(), tm.weight.detach())
        assert em.weight._version > 0


def test_embedding_sparse_gradient_marks_rows():
    em = ember.nn.Embedding(10, 3, sparse=True, padding_idx=0)
    tm = torch.nn.Embedding(10, 3, sparse=True, padding_idx=0)
    copy_weights(tm, em)
    idx = [[1, 2, 1], [0, 7, 2]]
    em(ember.tensor(idx)).sum().backward()
    tm(torch.tensor(idx)).sum().backward()
    g = em.weight.grad
    assert g.shape == (10, 3)
    np.testing.assert_array_equal(g._sparse_indices, [1, 2, 7])
    np.testing.assert_allclose(g.numpy(), tm.weight.grad.to_dense().numpy())
    assert repr(em) == repr(tm)


def test_embedding_from_pretrained_and_errors():
    w = randn((4, 2), "float64")
    for freeze in (True, False):
        em = ember.nn.Embedding.from_pretrained(ember.tensor(w), freeze=freeze)
        tm = torch.nn.Embedding.from_pretrained(torch.tensor(w), freeze=freeze)
        assert em.weight.requires_grad == tm.weight.requires_grad == (not freeze)
        assert_same(em(ember.tensor([3, 0])), tm(torch.tensor([3, 0])))
    with pytest.raises(RuntimeError, match="Expected tensor for argument #1 'indices' to have one of the following "
                                           "scalar types: Long, Int; but got torch.FloatTensor instead"):
        ember.nn.functional.embedding(ember.tensor([1.0]), ember.ones(3, 2))
    with pytest.raises(IndexError, match="index out of range in self"):
        ember.nn.functional.embedding(ember.tensor([3]), ember.ones(3, 2))
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        ember.nn.Embedding(3, 2, padding_idx=5)
    em = ember.nn.Embedding(3, 2)
    em(ember.tensor([0, 1], dtype=ember.int32)).sum().backward()
    assert em.weight.grad is not None


def test_embedding_double_backward():
    w = randn((5, 3), "float64")
    res = []
    for lib in (torch, ember):
        tw = lib.tensor(w, requires_grad=True)
        out = lib.nn.functional.embedding(lib.tensor([[0, 4], [4, 2]]), tw, padding_idx=2)
        (g,) = lib.autograd.grad((out ** 3).sum(), tw, create_graph=True)
        g.sum().backward()
        res.append((g.detach().numpy(), tw.grad.numpy()))
    np.testing.assert_allclose(res[1][0], res[0][0], rtol=1e-12)
    np.testing.assert_allclose(res[1][1], res[0][1], rtol=1e-12)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag_matches_torch(mode):
    kw_list = [{}, {"padding_idx": 3}, {"include_last_offset": True}]
    for kw in kw_list:
        tm, em = torch.nn.EmbeddingBag(8, 4, mode=mode, **kw).double(), ember.nn.EmbeddingBag(8, 4, mode=mode, **kw)
        em = em.double()
        assert repr(em) == repr(tm)
        copy_weights(tm, em)
        idx = np.array([1, 3, 3, 7, 0, 5, 2, 3])
        offsets = np.array([0, 2, 2, 5]) if not kw.get("include_last_offset") else np.array([0, 2, 2, 5, 8])
        compare_module(tm, em, [idx, offsets])
        compare_module(tm, em, [idx.reshape(2, 4)])
    if mode == "sum":
        tm, em = torch.nn.EmbeddingBag(8, 4, mode="sum").double(), ember.nn.EmbeddingBag(8, 4, mode="sum").double()
        copy_weights(tm, em)
        psw = randn((8,), "float64", 2)
        compare_module(tm, em, [np.arange(8), np.array([0, 3]), psw])


def test_embedding_bag_errors():
    w = ember.ones(3, 2)
    with pytest.raises(ValueError, match="offsets has to be a 1D Tensor but got None"):
        ember.nn.functional.embedding_bag(ember.tensor([1, 2]), w)
    with pytest.raises(NotImplementedError, match="per_sample_weights is only supported for mode='sum'"):
        ember.nn.functional.embedding_bag(ember.tensor([1, 2]), w, ember.tensor([0]), per_sample_weights=ember.ones(2))
    with pytest.raises(ValueError, match="if input is 2D, then offsets has to be None"):
        ember.nn.functional.embedding_bag(ember.tensor([[1, 2]]), w, ember.tensor([0]))


def test_one_hot():
    for x, n in [([0, 2, 1], -1), ([[1], [3]], 5), ([], 3)]:
        e = ember.nn.functional.one_hot(ember.tensor(x, dtype=ember.int64), n)
        t = torch.nn.functional.one_hot(torch.tensor(x, dtype=torch.int64), n)
        assert e.dtype == ember.int64 and e.tolist() == t.tolist() and tuple(e.shape) == tuple(t.shape)
    for lib_args in [([1.0, 2.0], -1, "float32"), ([-1, 2], -1, "int64"), ([1, 5], 3, "int64"), ([], -1, "int64"),
                     ([1], -1, "int32")]:
        x, n, dt = lib_args
        with pytest.raises(RuntimeError) as te:
            torch.nn.functional.one_hot(torch.tensor(x, dtype=getattr(torch, dt)), n)
        with pytest.raises(RuntimeError) as ee:
            ember.nn.functional.one_hot(ember.tensor(x, dtype=getattr(ember, dt)), n)
        assert str(ee.value) == str(te.value)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_normalize_cosine_pairwise_pdist(dtype):
    x, y = randn((4, 5), dtype, 1), randn((4, 5), dtype, 2)
    x[0] = 0.0
    fns = [lambda F, a, b: F.normalize(a), lambda F, a, b: F.normalize(a, p=1, dim=0),
           lambda F, a, b: F.cosine_similarity(a, b), lambda F, a, b: F.cosine_similarity(a, b[:1], dim=-1),
           lambda F, a, b: F.pairwise_distance(a, b), lambda F, a, b: F.pairwise_distance(a, b, p=1, keepdim=True),
           lambda F, a, b: F.pairwise_distance(a[0], b[1]), lambda F, a, b: F.pdist(a),
           lambda F, a, b: F.pdist(b, p=1), lambda F, a, b: F.pdist(b, p=3.5)]
    for i, fn in enumerate(fns):
        (ea, ta), (eb, tb) = pair(x, True), pair(y, True)
        eo, to = fn(ember.nn.functional, ea, eb), fn(torch.nn.functional, ta, tb)
        assert_same(eo, to, name=str(i))
        assert type(eo.grad_fn).__name__ == type(to.grad_fn).__name__, i
        g = randn(tuple(to.shape), dtype, 3)
        eo.backward(ember.tensor(g))
        to.backward(torch.tensor(g))
        for name, e, t in (("x", ea, ta), ("y", eb, tb)):
            if t.grad is None:
                assert e.grad is None
            else:
                assert_same(e.grad, t.grad, name=f"{i} grad {name}", atol=1e-5 if dtype == "float32" else None)
    for tm, em in [(torch.nn.PairwiseDistance(p=1.5), ember.nn.PairwiseDistance(p=1.5)),
                   (torch.nn.CosineSimilarity(dim=0), ember.nn.CosineSimilarity(dim=0))]:
        assert repr(em) == repr(tm)
        compare_module(tm, em, [x, y])
    with pytest.raises(RuntimeError, match="pdist only supports 2D tensors, got: 1D"):
        ember.nn.functional.pdist(ember.ones(3))


@pytest.mark.parametrize("num,n,dtype", [(65, 1024, "float32"), (5000, 300, "float32"), (5000, 300, "float64"),
                                         (7, 40, "float16")])
@pytest.mark.parametrize("nonfinite", [False, True, "overflow"])
def test_embedding_weight_gradient_paths(num, n, dtype, nonfinite):
    """One-hot GEMM (small num * n, finite result), sorted runs (large, or a non-finite gradient or sum) and add.at
    (other dtypes)."""
    r = rng(3)
    idx = r.integers(0, num, n)
    idx[:5] = 3  # repeated rows
    g = r.standard_normal((n, 8)).astype(dtype)
    if nonfinite == "overflow":  # finite gradients whose sum over the repeated row overflows
        g[:5, 1] = np.finfo(dtype).max / 2
    elif nonfinite:
        g[1, 2], g[7, 0] = np.inf, np.nan
    tw = torch.zeros(num, 8, dtype=getattr(torch, dtype), requires_grad=True)
    ew = ember.zeros(num, 8, dtype=getattr(ember, dtype), requires_grad=True)
    torch.nn.functional.embedding(torch.tensor(idx), tw).backward(torch.tensor(g))
    ember.nn.functional.embedding(ember.tensor(idx), ew).backward(ember.tensor(g))
    tol = {"float16": (1e-2, 1e-2), "float32": (1e-5, 1e-5), "float64": (1e-12, 1e-12)}[dtype]
    np.testing.assert_allclose(ew.grad.numpy(), tw.grad.numpy(), rtol=tol[0], atol=tol[1], equal_nan=True)

"""PyTorch's thin top-level forms (ember/_toplevel.py) against torch: predicates, in-place functions, the ATen
forms of nn.functional ops (with ATen's argument orders and integer reductions) and global settings."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
import ember._toplevel as top

RNG = np.random.default_rng(0)


def _np(t):
    return t.detach().numpy()


def _same(e, t, **tol):
    assert tuple(e.shape) == tuple(t.shape)
    assert str(e.dtype) == str(t.dtype)
    np.testing.assert_allclose(_np(e), _np(t), **(tol or {"rtol": 1e-5, "atol": 1e-6}))


def test_every_name_is_a_torch_name():
    for name in top.__all__:
        assert hasattr(torch, name), name
        assert getattr(ember, name) is getattr(top, name), name


@pytest.mark.parametrize("values, dtype", [([0.5], "float32"), ([1, 2], "int64"), ([], "float64"), ([True], "bool"),
                                           ([0], "uint8")])
def test_predicates(values, dtype):
    e, t = ember.tensor(values, dtype=getattr(ember, dtype)), torch.tensor(values, dtype=getattr(torch, dtype))
    assert ember.is_tensor(e) and not ember.is_tensor(values) and torch.is_tensor(t)
    for name in ("numel", "is_floating_point", "is_complex", "is_signed"):
        assert getattr(ember, name)(e) == getattr(torch, name)(t), name
    assert ember.is_same_size(e, e) and not ember.is_same_size(e, ember.zeros(7))
    assert e.is_same_size(e) and e.ravel().shape == t.ravel().shape  # the method forms
    _same(ember.ravel(e.reshape(-1, 1)), torch.ravel(t.reshape(-1, 1)))
    try:
        tt = torch.is_nonzero(t)
    except RuntimeError as err:
        tt = str(err)
    try:
        te = ember.is_nonzero(e)
    except RuntimeError as err:
        te = str(err)
    assert te == tt
    if dtype == "bool":
        with pytest.raises(RuntimeError):
            torch.positive(t)
        with pytest.raises(RuntimeError, match="bool tensor"):
            ember.positive(e)
    else:
        assert ember.positive(e) is e and e.positive() is e
    if e.numel() == 1:
        assert e.is_nonzero() == t.is_nonzero()


def test_predicates_reject_non_tensors():
    for name in ("numel", "is_floating_point", "is_nonzero", "ravel"):
        with pytest.raises(TypeError):
            getattr(torch, name)([1.0])
        with pytest.raises(TypeError, match="must be Tensor"):
            getattr(ember, name)([1.0])


def test_typename():
    assert ember.typename(ember.ones(1)) == torch.typename(torch.ones(1))
    assert ember.typename(ember.ones(1, dtype=ember.int64)) == torch.typename(torch.ones(1, dtype=torch.int64))
    assert ember.typename(3) == torch.typename(3) == "int"
    assert ember.typename(ember.nn.Linear(1, 1)) == torch.typename(torch.nn.Linear(1, 1))
    assert ember.typename(ember.nn.Linear) == torch.typename(torch.nn.Linear)
    assert ember.typename(len) == torch.typename(len) == "len"
    assert ember.typename(None) == torch.typename(None) == "NoneType"
    assert ember.typename(test_typename) == torch.typename(test_typename)


def _inplace_args(name, m):
    return {"clamp_": ((), {"min": -0.5, "max": 0.5}), "clip_": ((-0.5, 0.5), {}), "clamp_max_": ((0.2,), {}),
            "clamp_min_": ((0.2,), {}), "xlogy_": ((m.tensor([2.0, 3.0, 4.0]),), {}),
            "index_put_": (((m.tensor([0, 2]),), m.tensor([9.0, 8.0])), {})}.get(name, ((), {}))


@pytest.mark.parametrize("name", top._INPLACE)
def test_inplace_functions(name):
    x = np.array([0.25, 0.5, 0.75], np.float32)
    res = []
    for m in (torch, ember):
        t = m.tensor(x.copy())
        if name == "detach_":
            t = (m.tensor(x.copy(), requires_grad=True) * 1)
        args, kw = _inplace_args(name, m)
        out = getattr(m, name)(t, *args, **kw)
        assert out is t
        res.append(out)
    _same(res[1], res[0])
    assert res[1].requires_grad == res[0].requires_grad


def test_same_as_functional_forms():
    for name in top._SAME_AS_FUNCTIONAL:
        assert getattr(ember, name) is getattr(ember.nn.functional, name)
    x = RNG.standard_normal((2, 4, 6, 6)).astype(np.float32)
    w = RNG.standard_normal((3, 4, 3, 3)).astype(np.float32)
    _same(ember.conv2d(ember.tensor(x), ember.tensor(w), None, 1, 1), torch.conv2d(torch.tensor(x), torch.tensor(w),
                                                                                      None, 1, 1), rtol=1e-4,
          atol=1e-5)
    _same(ember.threshold(ember.tensor(x), 0.1, 20.0), torch.threshold(torch.tensor(x), 0.1, 20.0))
    _same(ember.pixel_shuffle(ember.tensor(x), 2), torch.pixel_shuffle(torch.tensor(x), 2))
    _same(ember.max_pool2d(ember.tensor(x), 2), torch.max_pool2d(torch.tensor(x), 2))


def test_aten_argument_orders():
    x = RNG.standard_normal((4, 3, 5)).astype(np.float32)
    w, b = RNG.standard_normal(3).astype(np.float32), RNG.standard_normal(3).astype(np.float32)
    rm, rv = RNG.standard_normal(3).astype(np.float32), RNG.random(3).astype(np.float32) + 0.5
    for training in (True, False):
        out = []
        for m in (torch, ember):
            T = m.tensor
            mean, var = T(rm.copy()), T(rv.copy())
            out.append((m.batch_norm(T(x), T(w), T(b), mean, var, training, 0.1, 1e-5, False), mean, var))
        for a, c in zip(out[1], out[0]):
            _same(a, c, rtol=1e-5, atol=1e-5)
        _same(ember.instance_norm(ember.tensor(x), ember.tensor(w), ember.tensor(b), None, None, True, 0.1, 1e-5,
                                  False),
              torch.instance_norm(torch.tensor(x), torch.tensor(w), torch.tensor(b), None, None, True, 0.1, 1e-5,
                                  False), rtol=1e-5, atol=1e-5)
    _same(ember.layer_norm(ember.tensor(x), [5]), torch.layer_norm(torch.tensor(x), [5]), rtol=1e-5, atol=1e-5)
    _same(ember.group_norm(ember.tensor(x), 3, ember.tensor(w), ember.tensor(b)),
          torch.group_norm(torch.tensor(x), 3, torch.tensor(w), torch.tensor(b)), rtol=1e-5, atol=1e-5)
    table = RNG.standard_normal((5, 2)).astype(np.float32)
    idx = np.array([[0, 4], [1, 1]])
    for pad in (-1, 1):
        _same(ember.embedding(ember.tensor(table), ember.tensor(idx), pad),
              torch.embedding(torch.tensor(table), torch.tensor(idx), pad))
    _same(ember.dropout(ember.tensor(x), 0.5, False), torch.dropout(torch.tensor(x), 0.5, False))
    _same(ember.alpha_dropout(ember.tensor(x), 0.5, False), torch.alpha_dropout(torch.tensor(x), 0.5, False))
    ve, ie = ember.adaptive_max_pool1d(ember.tensor(x), 2)
    vt, it = torch.adaptive_max_pool1d(torch.tensor(x), 2)
    _same(ve, vt)
    _same(ie, it)


@pytest.mark.parametrize("reduction", [0, 1, 2])
def test_integer_reductions(reduction):
    a = RNG.standard_normal((4, 3)).astype(np.float32)
    b = RNG.standard_normal((4, 3)).astype(np.float32)
    c = RNG.standard_normal((4, 3)).astype(np.float32)
    y = np.array([1.0, -1.0, 1.0, -1.0], np.float32)
    p = RNG.random((4, 3)).astype(np.float32)

    def call(m):
        T = m.tensor
        return [m.kl_div(T(a).log_softmax(1), T(p), reduction),
                m.margin_ranking_loss(T(a[:, 0]), T(b[:, 0]), T(y), 0.1, reduction),
                m.hinge_embedding_loss(T(a), T(np.sign(b)), 1.0, reduction),
                m.cosine_embedding_loss(T(a), T(b), T(y), 0.0, reduction),
                m.triplet_margin_loss(T(a), T(b), T(c), 1.0, 2.0, 1e-6, False, reduction),
                m.poisson_nll_loss(T(a), T(p), True, False, 1e-8, reduction),
                m.binary_cross_entropy_with_logits(T(a), T(p), None, T(np.full(3, 2.0, np.float32)), reduction)]

    for e, t in zip(call(ember), call(torch)):
        _same(e, t, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        ember.kl_div(ember.ones(2), ember.ones(2), 5)


def test_deterministic_settings():
    try:
        for m in (torch, ember):
            m.use_deterministic_algorithms(True, warn_only=True)
            assert m.are_deterministic_algorithms_enabled() and m.is_deterministic_algorithms_warn_only_enabled()
            assert m.get_deterministic_debug_mode() == 1
            m.set_deterministic_debug_mode("error")
            assert m.get_deterministic_debug_mode() == 2 and not m.is_deterministic_algorithms_warn_only_enabled()
            m.set_deterministic_debug_mode(0)
            assert not m.are_deterministic_algorithms_enabled()
        for bad in ("always", 3):
            with pytest.raises(RuntimeError):
                torch.set_deterministic_debug_mode(bad)
            with pytest.raises(RuntimeError, match="invalid value of debug_mode"):
                ember.set_deterministic_debug_mode(bad)
    finally:
        torch.use_deterministic_algorithms(False)
        ember.use_deterministic_algorithms(False)


def test_float32_matmul_precision():
    try:
        for m in (torch, ember):
            assert m.get_float32_matmul_precision() == "highest"
            m.set_float32_matmul_precision("medium")
            assert m.get_float32_matmul_precision() == "medium"
            with pytest.warns(UserWarning, match="no effect"):
                m.set_float32_matmul_precision("fast")
            assert m.get_float32_matmul_precision() == "medium"
    finally:
        torch.set_float32_matmul_precision("highest")
        ember.set_float32_matmul_precision("highest")


def test_compile_runs_eagerly():
    model = ember.nn.Linear(3, 2)
    assert ember.compile(model) is model
    assert ember.compile(model, mode="reduce-overhead", dynamic=False) is model

    @ember.compile
    def f(x):
        return x * 2

    @ember.compile(fullgraph=True)
    def g(x):
        return x + 1

    x = ember.tensor([1.0, 2.0])
    assert f(x).tolist() == [2.0, 4.0] and g(x).tolist() == [2.0, 3.0]
    with pytest.raises(RuntimeError, match="not callable"):
        ember.compile(3)
    with pytest.raises(RuntimeError, match="mode or options"):
        ember.compile(model, mode="max-autotune", options={"a": 1})


def test_docstring_examples_run():
    import doctest

    result = doctest.testmod(top)
    assert result.attempted > 10 and result.failed == 0


def test_can_cast_matches_torch_for_every_pair():
    names = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64",
             "complex64", "complex128"]
    for a in names:
        for b in names:
            assert ember.can_cast(getattr(ember, a), getattr(ember, b)) == torch.can_cast(getattr(torch, a),
                                                                                          getattr(torch, b)), (a, b)
    with pytest.raises(TypeError, match="must be torch.dtype, not int"):
        ember.can_cast(1, ember.float32)

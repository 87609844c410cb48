"""LayerNorm folded into the Linear that reads it (``ember/nn/_functional/norm_linear.py``) and its use in the
norm-first Transformer layers, against torch's separate ``layer_norm`` and ``linear``."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import ember
from ember.nn._functional.norm_linear import layer_norm_linear
from ember.nn.modules import transformer as T

from ._nn_compare import assert_same, copy_weights, pair, randn

TF = torch.nn.functional


def _args(dtype, shape, out, ln_bias, lin_bias, rg=(True,) * 5):
    d = shape[-1]
    arrays = [randn(shape, dtype), randn((d,), dtype, 1), randn((d,), dtype, 2) if ln_bias else None,
              randn((out, d), dtype, 3, scale=0.3), randn((out,), dtype, 4) if lin_bias else None]
    return [None if a is None else pair(a, r) for a, r in zip(arrays, rg)]


def _torch_ref(t):
    return TF.linear(TF.layer_norm(t[0], (t[0].shape[-1],), t[1], t[2], 1e-5), t[3], t[4])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(6, 8), (3, 5, 8), (2, 3, 4, 8)])
@pytest.mark.parametrize("ln_bias,lin_bias", [(True, True), (False, True), (True, False), (False, False)])
def test_matches_layer_norm_then_linear(dtype, shape, ln_bias, lin_bias):
    ps = _args(dtype, shape, 12, ln_bias, lin_bias)
    e = [None if p is None else p[0] for p in ps]
    t = [None if p is None else p[1] for p in ps]
    eo, to = layer_norm_linear(e[0], e[1], e[2], 1e-5, e[3], e[4]), _torch_ref(t)
    assert type(eo.grad_fn).__name__ == type(to.grad_fn).__name__
    assert_same(eo, to, name="output")
    g = randn(tuple(to.shape), dtype, 5)
    eo.backward(ember.tensor(g))
    to.backward(torch.tensor(g))
    for name, a, b in zip(("x", "ln.weight", "ln.bias", "weight", "bias"), e, t):
        if a is not None:  # float32 sums of ~100 terms in another order: absolute error relative to the largest
            scale = float(b.grad.abs().max()) if dtype == "float32" else 0.0
            assert_same(a.grad, b.grad, name=name, atol=2e-6 * scale if scale else None)


@pytest.mark.parametrize("which", [0, 1, 2, 3, 4])
def test_gradient_of_one_input(which):
    rg = tuple(i == which for i in range(5))
    ps = _args("float64", (4, 3, 8), 6, True, True, rg)
    e, t = [p[0] for p in ps], [p[1] for p in ps]
    eo, to = layer_norm_linear(e[0], e[1], e[2], 1e-5, e[3], e[4]), _torch_ref(t)
    g = randn(tuple(to.shape), "float64", 5)
    eo.backward(ember.tensor(g))
    to.backward(torch.tensor(g))
    for i, (a, b) in enumerate(zip(e, t)):
        assert (a.grad is None) == (i != which)
        if i == which:
            assert_same(a.grad, b.grad)


def test_no_graph_without_grad():
    ps = _args("float32", (4, 8), 6, True, True, (False,) * 5)
    e = [p[0] for p in ps]
    assert layer_norm_linear(e[0], e[1], e[2], 1e-5, e[3], e[4]).grad_fn is None
    ps = _args("float32", (4, 8), 6, True, True)
    e = [p[0] for p in ps]
    with ember.no_grad():
        assert layer_norm_linear(e[0], e[1], e[2], 1e-5, e[3], e[4]).grad_fn is None


def test_double_backward():
    ps = _args("float64", (3, 4, 8), 5, True, True)
    e, t = [p[0] for p in ps], [p[1] for p in ps]
    outs = []
    for lib, ins, out in ((ember, e, layer_norm_linear(e[0], e[1], e[2], 1e-5, e[3], e[4])), (torch, t, _torch_ref(t))):
        gs = lib.autograd.grad((out * out).sum(), ins, create_graph=True)
        sum(g.pow(2).sum() for g in gs).backward()
        outs.append([a.grad for a in ins])
    for name, a, b in zip(("x", "ln.weight", "ln.bias", "weight", "bias"), *outs):
        assert_same(a, b, name=name)


def test_weight_changed_in_place_before_backward():
    ps = _args("float32", (4, 8), 6, True, True)
    e = [p[0] for p in ps]
    out = layer_norm_linear(e[0], e[1], e[2], 1e-5, e[3], e[4])
    with ember.no_grad():
        e[3].mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.sum().backward()


def test_fallback_without_norm_weight_and_for_integer_free_dtypes():
    x, w = pair(randn((4, 8), "float32"), True), pair(randn((3, 8), "float32", 1), True)
    eo = layer_norm_linear(x[0], None, None, 1e-5, w[0])
    to = TF.linear(TF.layer_norm(x[1], (8,), None, None, 1e-5), w[1])
    assert_same(eo, to)
    assert type(eo.grad_fn).__name__ == "MmBackward0"
    xh = ember.tensor(randn((4, 8), "float32")).half()
    ln_w, lin_w = ember.ones(8).half(), ember.ones(3, 8).half()
    ref = ember.nn.functional.linear(ember.nn.functional.layer_norm(xh, (8,), ln_w), lin_w)
    assert ember.equal(layer_norm_linear(xh, ln_w, None, 1e-5, lin_w), ref)


# ----------------------------------------------------------------------------- the norm-first Transformer layers
D, H, FF = 8, 2, 16


def _layers(name="TransformerEncoderLayer", **kw):
    torch.manual_seed(0)
    ember.manual_seed(0)
    kw = {"dropout": 0.0, "batch_first": True, "norm_first": True, **kw}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tm = getattr(torch.nn, name)(D, H, FF, **kw).double()
        em = getattr(ember.nn, name)(D, H, FF, **kw).double()
    copy_weights(tm, em)
    return tm, em


def _step(tm, em, *arrays, **kw):
    ins = [pair(a, True) for a in arrays]
    eo = em(*[e for e, _ in ins], **{k: v[0] for k, v in kw.items()})
    to = tm(*[t for _, t in ins], **{k: v[1] for k, v in kw.items()})
    assert_same(eo, to, name="output")
    g = randn(tuple(to.shape), "float64", 3)
    eo.backward(ember.tensor(g))
    to.backward(torch.tensor(g))
    for (e, t) in ins:
        assert_same(e.grad, t.grad, name="input")
    ep = dict(em.named_parameters())
    for n, p in tm.named_parameters():
        assert_same(ep[n].grad, p.grad, name=n)
    return eo


def _count_folds(monkeypatch):
    calls = []
    real = T.layer_norm_linear

    def counting(*a, **k):
        calls.append(1)
        return real(*a, **k)

    monkeypatch.setattr(T, "layer_norm_linear", counting)
    import ember.nn._functional.attention as A
    monkeypatch.setattr(A, "layer_norm_linear", counting)
    return calls


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_encoder_layer_folds_both_norms(monkeypatch, bias, activation):
    calls = _count_folds(monkeypatch)
    tm, em = _layers(bias=bias, activation=activation)
    x = randn((2, 5, D), "float64")
    cm = torch.nn.Transformer.generate_square_subsequent_mask(5, dtype=torch.float64)
    _step(tm, em, x, src_mask=(ember.tensor(cm.numpy()), cm), is_causal=(True, True))
    assert len(calls) == 2


def test_encoder_layer_key_padding_mask_folds_only_the_feed_forward(monkeypatch):
    calls = _count_folds(monkeypatch)
    tm, em = _layers()
    kpm = np.zeros((2, 5), bool)
    kpm[1, -2:] = True
    _step(tm, em, randn((2, 5, D), "float64"), src_key_padding_mask=(ember.tensor(kpm), torch.tensor(kpm)))
    assert len(calls) == 1


def test_decoder_layer_folds_self_attention_and_feed_forward(monkeypatch):
    calls = _count_folds(monkeypatch)
    tm, em = _layers("TransformerDecoderLayer")
    cm = torch.nn.Transformer.generate_square_subsequent_mask(4, dtype=torch.float64)
    _step(tm, em, randn((2, 4, D), "float64"), randn((2, 6, D), "float64", 1),
          tgt_mask=(ember.tensor(cm.numpy()), cm), tgt_is_causal=(True, True))
    assert len(calls) == 2


@pytest.mark.parametrize("where", ["norm1", "norm2", "self_attn", "linear1"])
def test_hooks_see_the_unfolded_modules(monkeypatch, where):
    calls = _count_folds(monkeypatch)
    tm, em = _layers()
    seen = []
    getattr(em, where).register_forward_hook(lambda m, i, o: seen.append(o))
    getattr(tm, where).register_forward_hook(lambda m, i, o: None)
    _step(tm, em, randn((2, 5, D), "float64"))
    assert len(seen) == 1
    assert len(calls) == 1  # the other block still folds


def test_global_hook_turns_folding_off(monkeypatch):
    calls = _count_folds(monkeypatch)
    tm, em = _layers()
    seen = []
    h = ember.nn.modules.module.register_module_forward_hook(lambda m, i, o: seen.append(type(m).__name__))
    try:
        _step(tm, em, randn((2, 5, D), "float64"))
    finally:
        h.remove()
    assert not calls
    assert {"LayerNorm", "Linear", "MultiheadAttention"} <= set(seen)


def test_overridden_blocks_are_called():
    class Layer(ember.nn.TransformerEncoderLayer):
        def _sa_block(self, x, *a, **k):
            self.sa_in = x
            return super()._sa_block(x, *a, **k)

        def _ff_block(self, x):
            self.ff_in = x
            return super()._ff_block(x)

    layer = Layer(D, H, FF, dropout=0.0, batch_first=True, norm_first=True)
    x = ember.randn(2, 5, D)
    layer(x)
    assert ember.allclose(layer.sa_in, layer.norm1(x))
    assert layer.ff_in.shape == (2, 5, D)


def test_folding_switch_gives_the_same_numbers():
    _, em = _layers(dropout=0.1)
    em.train()
    x = ember.tensor(randn((2, 5, D), "float64"))
    outs = []
    for fold in (True, False):
        T._FOLD_NORMS, saved = fold, T._FOLD_NORMS
        try:
            ember.manual_seed(7)
            outs.append(em(x))
        finally:
            T._FOLD_NORMS = saved
    np.testing.assert_allclose(outs[0].detach().numpy(), outs[1].detach().numpy(), rtol=1e-12, atol=1e-13)

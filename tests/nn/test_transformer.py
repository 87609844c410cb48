"""TransformerEncoder/DecoderLayer, TransformerEncoder/Decoder and Transformer against torch."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import ember

from ._nn_compare import assert_same, copy_weights, pair, randn

D, H, FF = 8, 2, 16


def _build(name, dtype="float64", *args, **kw):
    torch.manual_seed(0)
    ember.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tm = getattr(torch.nn, name)(*args, **kw).to(getattr(torch, dtype))
        em = getattr(ember.nn, name)(*args, **kw).to(getattr(ember, dtype))
    return tm, em


def _wrap_mask(v, lib):
    return lib.tensor(v) if isinstance(v, np.ndarray) else v


def _run(tm, em, arrays, tol=None, **call):
    ins = [pair(a, True) for a in arrays]
    ce = {k: _wrap_mask(v, ember) for k, v in call.items()}
    ct = {k: _wrap_mask(v, torch) for k, v in call.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        eo, to = em(*[e for e, _ in ins], **ce), tm(*[t for _, t in ins], **ct)
    tol = tol or {}
    assert_same(eo, to, **tol)
    g = randn(tuple(to.shape), str(to.dtype)[6:], seed=3)
    eo.backward(ember.tensor(g))
    to.backward(torch.tensor(g))
    for e, t in ins:
        assert_same(e.grad, t.grad, **tol)
    ep = dict(em.named_parameters())
    for n, p in tm.named_parameters():
        assert_same(ep[n].grad, p.grad, name=n, **tol)
    em.zero_grad()
    tm.zero_grad()


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
@pytest.mark.parametrize("batch_first", [False, True])
def test_encoder_layer(norm_first, activation, batch_first):
    tm, em = _build("TransformerEncoderLayer", "float64", D, H, FF, dropout=0.0, activation=activation,
                    norm_first=norm_first, batch_first=batch_first)
    copy_weights(tm, em)
    assert list(em.state_dict()) == list(tm.state_dict())
    x = randn((2, 5, D) if batch_first else (5, 2, D), "float64")
    kpm = np.zeros((2, 5), bool)
    kpm[1, -2:] = True
    _run(tm, em, [x], src_key_padding_mask=kpm)
    cm = torch.nn.Transformer.generate_square_subsequent_mask(5, dtype=torch.float64).numpy()
    _run(tm, em, [x], src_mask=cm, is_causal=True)
    tm.eval()
    em.eval()
    _run(tm, em, [x], src_mask=cm)
    _run(tm, em, [x[0]])


def test_encoder_layer_callable_activation_and_no_bias():
    tm, em = _build("TransformerEncoderLayer", "float64", D, H, FF, dropout=0.0, bias=False)
    copy_weights(tm, em)
    _run(tm, em, [randn((4, 2, D), "float64")])
    torch.manual_seed(0)
    tl = torch.nn.TransformerEncoderLayer(D, H, FF, dropout=0.0, activation=torch.nn.functional.silu).double()
    el = ember.nn.TransformerEncoderLayer(D, H, FF, dropout=0.0, activation=ember.nn.functional.silu).double()
    copy_weights(tl, el)
    _run(tl, el, [randn((4, 2, D), "float64")])


@pytest.mark.parametrize("norm_first", [False, True])
def test_decoder_layer(norm_first):
    tm, em = _build("TransformerDecoderLayer", "float64", D, H, FF, dropout=0.0, norm_first=norm_first)
    copy_weights(tm, em)
    tgt, mem = randn((4, 2, D), "float64"), randn((6, 2, D), "float64", seed=1)
    cm = torch.nn.Transformer.generate_square_subsequent_mask(4, dtype=torch.float64).numpy()
    mkpm = np.zeros((2, 6), bool)
    mkpm[0, -1] = True
    _run(tm, em, [tgt, mem], tgt_mask=cm, tgt_is_causal=True, memory_key_padding_mask=mkpm)


def test_encoder_decoder_stacks_deepcopy_layers():
    layer_t = torch.nn.TransformerEncoderLayer(D, H, FF, dropout=0.0).double()
    layer_e = ember.nn.TransformerEncoderLayer(D, H, FF, dropout=0.0).double()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tm = torch.nn.TransformerEncoder(layer_t, 3, norm=torch.nn.LayerNorm(D).double())
    em = ember.nn.TransformerEncoder(layer_e, 3, norm=ember.nn.LayerNorm(D).double(), enable_nested_tensor=True)
    assert em.layers[0] is not em.layers[1] and em.layers[0].linear1.weight is not layer_e.linear1.weight
    assert list(em.state_dict()) == list(tm.state_dict())
    copy_weights(tm, em)
    x = randn((5, 2, D), "float64")
    cm = torch.nn.Transformer.generate_square_subsequent_mask(5, dtype=torch.float64).numpy()
    _run(tm, em, [x], mask=cm)
    kpm = np.zeros((2, 5), bool)
    kpm[0, -1] = True
    _run(tm, em, [x], src_key_padding_mask=kpm)
    tm_d = torch.nn.TransformerDecoder(torch.nn.TransformerDecoderLayer(D, H, FF, dropout=0.0), 2).double()
    em_d = ember.nn.TransformerDecoder(ember.nn.TransformerDecoderLayer(D, H, FF, dropout=0.0), 2).double()
    copy_weights(tm_d, em_d)
    _run(tm_d, em_d, [randn((3, 2, D), "float64"), x], tgt_mask=cm[:3, :3])


def test_transformer_full_init_and_forward():
    tm, em = _build("Transformer", "float32", D, H, 2, 1, FF, dropout=0.0)
    assert list(em.state_dict()) == list(tm.state_dict())
    for (n, p), (_, q) in zip(tm.named_parameters(), em.named_parameters()):
        np.testing.assert_array_equal(q.detach().numpy(), p.detach().numpy(), err_msg=n)
    src, tgt = randn((6, 2, D), "float32"), randn((4, 2, D), "float32", seed=1)
    cm = ember.nn.Transformer.generate_square_subsequent_mask(4)
    assert_same(cm, torch.nn.Transformer.generate_square_subsequent_mask(4))
    _run(tm, em, [src, tgt], tol={"rtol": 1e-4, "atol": 1e-5}, tgt_mask=cm.numpy())
    tm, em = _build("Transformer", "float64", D, H, 1, 1, FF, dropout=0.0, batch_first=True, norm_first=True,
                    activation="gelu")
    copy_weights(tm, em)
    _run(tm, em, [randn((2, 6, D), "float64"), randn((2, 4, D), "float64", seed=1)])


def test_transformer_train_mode_dropout_matches_torch():
    tm, em = _build("TransformerEncoderLayer", "float32", D, H, FF, dropout=0.25)
    copy_weights(tm, em)
    x = randn((5, 2, D), "float32")
    for seed in (0, 1):
        torch.manual_seed(seed)
        ember.manual_seed(seed)
        assert_same(em(ember.tensor(x)), tm(torch.tensor(x)), rtol=1e-4, atol=1e-5)


def test_transformer_errors():
    for fn, exc in [
        (lambda m: m.nn.TransformerEncoderLayer(D, H, FF, activation="tanh"), RuntimeError),
        (lambda m: m.nn.Transformer(D, H, 1, 1, FF)(m.zeros(5, 2, D), m.zeros(4, 3, D)), RuntimeError),
        (lambda m: m.nn.Transformer(D, H, 1, 1, FF)(m.zeros(5, 2, D), m.zeros(4, 2, D + 1)), RuntimeError),
    ]:
        with pytest.raises(exc) as ee:
            fn(ember)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(exc) as et:
                fn(torch)
        assert str(ee.value) == str(et.value)

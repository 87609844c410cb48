"""Same seed, same models: nn module initialisation, nn.init and dropout masks against torch (bit for bit)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import ember

HAS_EMBEDDING = hasattr(ember.nn, "Embedding")
needs_embedding = pytest.mark.skipif(not HAS_EMBEDDING, reason="ember.nn.Embedding is not there yet")


def _np(x) -> np.ndarray:
    return x.detach().numpy() if isinstance(x, torch.Tensor) else x.detach()._np()


def assert_bits(e, t, name: str = "") -> None:
    a, b = np.ascontiguousarray(_np(e)), np.ascontiguousarray(_np(t))
    assert str(e.dtype) == str(t.dtype), (name, e.dtype, t.dtype)
    assert a.shape == b.shape, (name, a.shape, b.shape)
    if a.dtype.kind == "f":
        a, b = a.view(f"u{a.itemsize}"), b.view(f"u{b.itemsize}")
    bad = np.flatnonzero(a.ravel() != b.ravel())
    assert bad.size == 0, f"{name}: {bad.size} of {a.size} elements differ, first at {bad[:5]}"


def assert_same_position() -> None:
    assert np.array_equal(ember.get_rng_state()._np(), torch.get_rng_state().numpy())
    assert np.array_equal(ember.rand(4)._np(), torch.rand(4).numpy())


def assert_same_state_dict(em, tm) -> None:
    es, ts = em.state_dict(), tm.state_dict()
    assert list(es) == list(ts)
    for k in ts:
        assert_bits(es[k], ts[k], k)


# ----------------------------------------------------------------------------- models built after manual_seed
class _Net342:
    """The course's 3-4-2 network (``layer1``/``layer2`` with a relu between)."""

    @staticmethod
    def build(m):
        class SimpleNeuralNet(m.nn.Module):
            def __init__(self):
                super().__init__()
                self.layer1 = m.nn.Linear(3, 4)
                self.layer2 = m.nn.Linear(4, 2)

            def forward(self, x):
                return self.layer2(m.relu(self.layer1(x)))

        return SimpleNeuralNet()


def _bce_net(m):
    class Network(m.nn.Module):
        def __init__(self, n_in, n_hidden):
            super().__init__()
            self.hidden = m.nn.Linear(n_in, n_hidden)
            self.relu = m.nn.ReLU()
            self.output = m.nn.Linear(n_hidden, 1)
            self.sigmoid = m.nn.Sigmoid()

    return Network(5, 8)


def _char_transformer(m):
    nn = m.nn

    class CharTransformer(nn.Module):
        def __init__(self):
            super().__init__()
            self.tok = nn.Embedding(65, 32)
            self.pos = nn.Parameter(m.zeros(16, 32))
            layer = nn.TransformerEncoderLayer(32, 4, 64, dropout=0.0, batch_first=True, norm_first=True)
            self.enc = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
            self.head = nn.Linear(32, 65)

    return CharTransformer()


def _lstm_lm(m):
    nn = m.nn

    class LM(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(65, 16)
            self.rnn = nn.LSTM(16, 32, batch_first=True)
            self.head = nn.Linear(32, 65)

    return LM()


MODELS = {
    "Linear(3, 2)": lambda m: m.nn.Linear(3, 2),
    "Linear no bias": lambda m: m.nn.Linear(5, 4, bias=False),
    "Sequential 4-2-3": lambda m: m.nn.Sequential(m.nn.Linear(4, 2), m.nn.ReLU(), m.nn.Linear(2, 3)),
    "MLP 3-4-2": _Net342.build,
    "BCE two-layer": _bce_net,
    "iris benchmark": lambda m: m.nn.Sequential(m.nn.Linear(4, 16), m.nn.ReLU(), m.nn.Linear(16, 3)),
    "mnist MLP benchmark": lambda m: m.nn.Sequential(m.nn.Linear(784, 512), m.nn.ReLU(), m.nn.Linear(512, 256),
                                                     m.nn.ReLU(), m.nn.Linear(256, 10)),
    "cnn benchmark": lambda m: m.nn.Sequential(m.nn.Conv2d(1, 16, 3, padding=1), m.nn.ReLU(), m.nn.MaxPool2d(2),
                                               m.nn.Conv2d(16, 32, 3, padding=1), m.nn.ReLU(), m.nn.MaxPool2d(2),
                                               m.nn.Flatten(), m.nn.Linear(32 * 7 * 7, 10)),
    "Conv1d": lambda m: m.nn.Conv1d(3, 4, 3),
    "Conv2d groups": lambda m: m.nn.Conv2d(4, 6, (3, 2), groups=2),
    "Conv3d": lambda m: m.nn.Conv3d(2, 3, 2, bias=False),
    "ConvTranspose1d": lambda m: m.nn.ConvTranspose1d(2, 3, 2),
    "ConvTranspose2d": lambda m: m.nn.ConvTranspose2d(4, 6, 3, groups=2),
    "RNN 2-layer bidirectional": lambda m: m.nn.RNN(3, 4, num_layers=2, bidirectional=True),
    "LSTM 2-layer bidirectional": lambda m: m.nn.LSTM(3, 4, num_layers=2, bidirectional=True),
    "LSTM proj_size": lambda m: m.nn.LSTM(3, 5, num_layers=2, proj_size=2),
    "GRU 2-layer bidirectional": lambda m: m.nn.GRU(3, 4, num_layers=2, bidirectional=True, batch_first=True),
    "cells": lambda m: m.nn.ModuleList([m.nn.RNNCell(3, 4), m.nn.LSTMCell(3, 4), m.nn.GRUCell(3, 4)]),
    "MultiheadAttention": lambda m: m.nn.MultiheadAttention(8, 2),
    "MultiheadAttention kdim/vdim/bias_kv": lambda m: m.nn.MultiheadAttention(8, 2, kdim=5, vdim=6,
                                                                              add_bias_kv=True),
    "TransformerEncoderLayer": lambda m: m.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16),
    "TransformerEncoder": lambda m: m.nn.TransformerEncoder(m.nn.TransformerEncoderLayer(8, 2, 16), 2,
                                                            enable_nested_tensor=False),
    "TransformerDecoderLayer": lambda m: m.nn.TransformerDecoderLayer(8, 2, dim_feedforward=16),
    "Transformer": lambda m: m.nn.Transformer(8, 2, 2, 2, 16),
    "BatchNorm1d/2d": lambda m: m.nn.Sequential(m.nn.BatchNorm1d(4), m.nn.BatchNorm2d(3)),
    "LayerNorm/GroupNorm": lambda m: m.nn.Sequential(m.nn.LayerNorm(4), m.nn.GroupNorm(2, 4)),
    "PReLU": lambda m: m.nn.PReLU(3),
    "Bilinear": lambda m: m.nn.Bilinear(3, 4, 5),
}
EMBEDDING_MODELS = {
    "Embedding": lambda m: m.nn.Embedding(10, 3),
    "Embedding padding_idx": lambda m: m.nn.Embedding(10, 3, padding_idx=2),
    "transformer benchmark": _char_transformer,
    "lstm benchmark": _lstm_lm,
}


def _check_model(build, seed):
    torch.manual_seed(seed)
    ember.manual_seed(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's nested-tensor notice for Transformer
        tm, em = build(torch), build(ember)
    assert_same_state_dict(em, tm)
    assert_same_position()


@pytest.mark.parametrize("seed", [0, 123])
@pytest.mark.parametrize("name", list(MODELS))
def test_model_state_dict_equals_torch(name, seed):
    _check_model(MODELS[name], seed)


@needs_embedding
@pytest.mark.parametrize("name", list(EMBEDDING_MODELS))
def test_embedding_models_equal_torch(name):
    _check_model(EMBEDDING_MODELS[name], 0)


def test_course_linear_prints_like_torch():
    torch.manual_seed(123)
    ember.manual_seed(123)
    tl, el = torch.nn.Linear(in_features=3, out_features=2), ember.nn.Linear(in_features=3, out_features=2)
    assert repr(el.weight) == repr(tl.weight) and repr(el.bias) == repr(tl.bias)
    x = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=np.float32)
    np.testing.assert_allclose(_np(el(ember.tensor(x))), _np(tl(torch.tensor(x))), rtol=1e-6, atol=1e-6)


# ----------------------------------------------------------------------------- nn.init
INITS = {
    "uniform_": lambda I, t, g: I.uniform_(t, -0.3, 0.7, generator=g),
    "normal_": lambda I, t, g: I.normal_(t, 0.1, 0.5, generator=g),
    "xavier_uniform_": lambda I, t, g: I.xavier_uniform_(t, gain=1.3, generator=g),
    "xavier_normal_": lambda I, t, g: I.xavier_normal_(t, generator=g),
    "kaiming_uniform_": lambda I, t, g: I.kaiming_uniform_(t, generator=g),
    "kaiming_uniform_ fan_out relu": lambda I, t, g: I.kaiming_uniform_(t, mode="fan_out", nonlinearity="relu",
                                                                        generator=g),
    "kaiming_uniform_ a=0.2": lambda I, t, g: I.kaiming_uniform_(t, a=0.2, generator=g),
    "kaiming_normal_": lambda I, t, g: I.kaiming_normal_(t, generator=g),
    "kaiming_normal_ fan_out tanh": lambda I, t, g: I.kaiming_normal_(t, mode="fan_out", nonlinearity="tanh",
                                                                      generator=g),
    "kaiming_normal_ selu": lambda I, t, g: I.kaiming_normal_(t, nonlinearity="selu", generator=g),
    "trunc_normal_": lambda I, t, g: I.trunc_normal_(t, generator=g),
    "trunc_normal_ narrow (normal rejection)": lambda I, t, g: I.trunc_normal_(t, 0.0, 0.02, -0.03, 0.03, generator=g),
    "trunc_normal_ (uniform rejection)": lambda I, t, g: I.trunc_normal_(t, 0.0, 1.0, -0.2, 0.2, generator=g),
    "trunc_normal_ off-centre": lambda I, t, g: I.trunc_normal_(t, 0.0, 1.0, 1.0, 3.0, generator=g),
    "sparse_": lambda I, t, g: I.sparse_(t, 0.4, generator=g),
    "eye_": lambda I, t, g: I.eye_(t),
    "constant_": lambda I, t, g: I.constant_(t, 0.3),
    "ones_/zeros_": lambda I, t, g: I.zeros_(I.ones_(t)),
}
TWO_D_ONLY = ("sparse_", "eye_")


def _init_pair(fn, shape, dtype, gen, transposed=False):
    torch.manual_seed(1)
    ember.manual_seed(1)
    tg = torch.Generator().manual_seed(5) if gen else None
    eg = ember.Generator().manual_seed(5) if gen else None
    t, e = torch.empty(shape, dtype=getattr(torch, dtype)), ember.empty(shape, dtype=getattr(ember, dtype))
    if transposed:
        t, e = t.transpose(0, 1), e.transpose(0, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rt, re_ = fn(torch.nn.init, t, tg), fn(ember.nn.init, e, eg)
    assert rt is t and re_ is e
    if gen:
        assert np.array_equal(eg.get_state()._np(), tg.get_state().numpy())
    return e, t


INIT_CASES = [(n, s) for n in INITS for s in [(5, 7), (40, 30), (4, 3, 2, 2)] if len(s) == 2 or n not in TWO_D_ONLY]


@pytest.mark.parametrize("gen", [False, True], ids=["default", "generator"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", INIT_CASES, ids=lambda c: f"{c[0]}-{c[1]}")
def test_init_equals_torch(case, dtype, gen):
    name, shape = case
    e, t = _init_pair(INITS[name], shape, dtype, gen)
    assert_bits(e, t)
    assert_same_position()


@pytest.mark.parametrize("name", ["uniform_", "normal_", "trunc_normal_", "trunc_normal_ (uniform rejection)",
                                  "kaiming_normal_"])
def test_init_on_transposed_weight_fills_memory_order(name):
    e, t = _init_pair(INITS[name], (30, 20), "float32", False, transposed=True)
    assert_bits(e, t)
    assert_same_position()


@pytest.mark.parametrize("shape", [(4, 2, 3), (4, 2, 3, 3), (6, 2, 3, 3, 3)], ids=str)
@pytest.mark.parametrize("groups", [1, 2])
def test_dirac_equals_torch(shape, groups):
    e, t = _init_pair(lambda I, x, g: I.dirac_(x, groups=groups), shape, "float32", False)
    assert_bits(e, t)


@pytest.mark.parametrize("gen", [False, True], ids=["default", "generator"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(5, 7), (7, 5), (4, 3, 2, 2)], ids=str)
def test_orthogonal_draws_like_torch(shape, dtype, gen):
    """The normal draws are torch's; the QR runs in NumPy's LAPACK, so values agree to rounding, not bits."""
    e, t = _init_pair(lambda I, x, g: I.orthogonal_(x, gain=1.5, generator=g), shape, dtype, gen)
    tol = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(_np(e), _np(t), rtol=tol, atol=tol)
    assert str(e.dtype) == str(t.dtype)
    assert_same_position()


# ----------------------------------------------------------------------------- dropout masks (train mode)
def _x(shape, dtype="float32"):
    return np.random.default_rng(0).standard_normal(shape).astype(dtype) + 3.0  # no zeros: masks are visible


DROPOUTS = {
    "F.dropout": (lambda m, x: m.nn.functional.dropout(x, 0.3), [(5, 7), (40, 30), (2, 3, 4, 5)]),
    "F.dropout default p": (lambda m, x: m.nn.functional.dropout(x), [(100,)]),
    "F.dropout transposed": (lambda m, x: m.nn.functional.dropout(x.transpose(0, 1), 0.3), [(5, 7), (40, 30)]),
    "F.dropout inplace": (lambda m, x: m.nn.functional.dropout(x * 1, 0.3, inplace=True), [(5, 7)]),
    "Dropout": (lambda m, x: m.nn.Dropout(0.2)(x), [(5, 7), (40, 30)]),
    "Dropout eval": (lambda m, x: m.nn.Dropout(0.2).eval()(x), [(5, 7)]),
    "Dropout1d": (lambda m, x: m.nn.Dropout1d(0.4)(x), [(4, 6, 5), (6, 5)]),
    "Dropout2d": (lambda m, x: m.nn.Dropout2d(0.4)(x), [(4, 6, 5, 3), (6, 5, 3)]),
    "Dropout3d": (lambda m, x: m.nn.Dropout3d(0.4)(x), [(2, 6, 2, 5, 3)]),
    "AlphaDropout": (lambda m, x: m.nn.AlphaDropout(0.3)(x), [(5, 7), (40, 30)]),
    "AlphaDropout transposed": (lambda m, x: m.nn.AlphaDropout(0.3)(x.transpose(0, 1)), [(40, 30)]),
    "FeatureAlphaDropout": (lambda m, x: m.nn.FeatureAlphaDropout(0.3)(x), [(4, 6, 5), (4, 6, 5, 3)]),
    "F.alpha_dropout": (lambda m, x: m.nn.functional.alpha_dropout(x, 0.3, True), [(5, 7)]),
    "F.feature_alpha_dropout": (lambda m, x: m.nn.functional.feature_alpha_dropout(x, 0.3, True), [(4, 6, 5)]),
}
DROPOUT_CASES = [(n, s) for n, (_, shapes) in DROPOUTS.items() for s in shapes]


@pytest.mark.filterwarnings("ignore:dropout2d. Received a 3D input")
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", DROPOUT_CASES, ids=lambda c: f"{c[0]}-{c[1]}")
def test_dropout_masks_equal_torch(case, dtype):
    name, shape = case
    fn = DROPOUTS[name][0]
    x = _x(shape, dtype)
    torch.manual_seed(4)
    ember.manual_seed(4)
    xt, xe = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    yt, ye = fn(torch, xt), fn(ember, xe)
    assert_bits(ye, yt, "output")  # mask, scale and shift exactly as torch's
    g = np.random.default_rng(1).standard_normal(tuple(yt.shape)).astype(dtype)
    yt.backward(torch.tensor(g))
    ye.backward(ember.tensor(g))
    assert_bits(xe.grad, xt.grad, "input grad")
    assert_same_position()


# ----------------------------------------------------------------------------- attention / recurrent dropout
ATTENTION = {
    "MultiheadAttention": (lambda m: m.nn.MultiheadAttention(8, 2, dropout=0.3), lambda mod, x: mod(x[0], x[0], x[0]),
                           [(5, 3, 8)]),
    "MultiheadAttention batch_first per-head": (
        lambda m: m.nn.MultiheadAttention(8, 2, dropout=0.3, batch_first=True),
        lambda mod, x: mod(x[0], x[1], x[1], average_attn_weights=False), [(3, 5, 8), (3, 4, 8)]),
    "TransformerEncoderLayer": (lambda m: m.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.2),
                                lambda mod, x: mod(x[0]), [(5, 3, 8)]),
    "TransformerEncoderLayer norm_first gelu": (
        lambda m: m.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.2, activation="gelu", batch_first=True,
                                               norm_first=True), lambda mod, x: mod(x[0]), [(3, 5, 8)]),
    "TransformerEncoder": (lambda m: m.nn.TransformerEncoder(m.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.2), 2,
                                                             enable_nested_tensor=False),
                           lambda mod, x: mod(x[0]), [(5, 3, 8)]),
    "TransformerDecoderLayer": (lambda m: m.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.2),
                                lambda mod, x: mod(x[0], x[1]), [(5, 3, 8), (4, 3, 8)]),
    "Transformer": (lambda m: m.nn.Transformer(8, 2, 1, 1, 16, dropout=0.2), lambda mod, x: mod(x[0], x[1]),
                    [(5, 3, 8), (4, 3, 8)]),
    "RNN dropout batch_first": (lambda m: m.nn.RNN(4, 6, 2, dropout=0.3, batch_first=True), lambda mod, x: mod(x[0]),
                                [(3, 5, 4)]),
    "LSTM dropout": (lambda m: m.nn.LSTM(4, 6, 2, dropout=0.3), lambda mod, x: mod(x[0]), [(5, 3, 4)]),
    "GRU dropout bidirectional": (lambda m: m.nn.GRU(4, 6, 3, dropout=0.3, bidirectional=True),
                                  lambda mod, x: mod(x[0]), [(5, 3, 4)]),
}


@pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")
@pytest.mark.parametrize("name", list(ATTENTION))
def test_train_mode_dropout_outputs_equal_torch(name):
    build, call, shapes = ATTENTION[name]
    torch.manual_seed(0)
    ember.manual_seed(0)
    tm, em = build(torch).train(), build(ember).train()
    assert_same_state_dict(em, tm)
    xs = [np.random.default_rng(i).standard_normal(s).astype("float32") for i, s in enumerate(shapes)]
    xt = [torch.tensor(x, requires_grad=True) for x in xs]
    xe = [ember.tensor(x, requires_grad=True) for x in xs]
    yt, ye = call(tm, xt), call(em, xe)
    yt, ye = (yt[0], ye[0]) if isinstance(yt, tuple) else (yt, ye)
    np.testing.assert_allclose(_np(ye), _np(yt), rtol=1e-5, atol=1e-5)
    g = np.random.default_rng(9).standard_normal(tuple(yt.shape)).astype("float32")
    yt.backward(torch.tensor(g))
    ye.backward(ember.tensor(g))
    for a, b in zip(xe, xt):
        np.testing.assert_allclose(_np(a.grad), _np(b.grad), rtol=1e-4, atol=1e-5)
    assert_same_position()  # the same number of dropout draws, in the same order

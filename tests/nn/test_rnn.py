"""RNN, LSTM, GRU, their cells and nn.utils.rnn (packing/padding) against torch."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from torch.nn.utils import rnn as trnn

import ember
from ember.nn.utils import rnn as ernn

from ._nn_compare import assert_same, copy_weights, pair, randn

F32 = {"rtol": 1e-4, "atol": 1e-5}


def _mods(cls, dtype, **kw):
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tm = getattr(torch.nn, cls)(**kw).to(getattr(torch, dtype))
        em = getattr(ember.nn, cls)(**kw).to(getattr(ember, dtype))
    copy_weights(tm, em)
    return tm, em


def _flat(o):
    if isinstance(o, (trnn.PackedSequence, ernn.PackedSequence)):
        return [o.data]
    if isinstance(o, tuple):
        return [t for x in o for t in _flat(x)]
    return [o]


def _compare(tm, em, e_args, t_args, e_leaves, t_leaves, tol=None):
    tol = tol or {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        to, eo = tm(*t_args), em(*e_args)
    tl, el = _flat(to), _flat(eo)
    assert len(tl) == len(el)
    lt = le = 0
    for i, (a, b) in enumerate(zip(el, tl)):
        assert_same(a, b, name=f"output {i}", **tol)
        g = randn(tuple(b.shape), str(b.dtype).replace("torch.", ""), seed=i + 5)
        le = le + (a * ember.tensor(g)).sum()
        lt = lt + (b * torch.tensor(g)).sum()
    le.backward()
    lt.backward()
    for i, (a, b) in enumerate(zip(e_leaves, t_leaves)):
        assert_same(a.grad, b.grad, name=f"grad of input {i}", **tol)
    ep = dict(em.named_parameters())
    for n, p in tm.named_parameters():
        assert_same(ep[n].grad, p.grad, name=f"grad of {n}", **tol)
    return eo, to


CONFIGS = [{}, {"num_layers": 2, "bidirectional": True}, {"num_layers": 2, "batch_first": True, "bias": False},
           {"num_layers": 3, "dropout": 0.5}]


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("kw", CONFIGS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_rnn_modules(cls, kw, dtype):
    tm, em = _mods(cls, dtype, input_size=4, hidden_size=5, **kw)
    assert repr(em) == repr(tm)
    assert [n for n, _ in em.named_parameters()] == [n for n, _ in tm.named_parameters()]
    x = randn((3, 6, 4) if kw.get("batch_first") else (6, 3, 4), dtype)
    e, t = pair(x, True)
    tol = F32 if dtype == "float32" else {}
    torch.manual_seed(1)
    ember.manual_seed(1)
    _compare(tm, em, [e], [t], [e], [t], tol)
    # explicit initial states, and eval mode (no dropout)
    nd, nl = (2 if kw.get("bidirectional") else 1), kw.get("num_layers", 1)
    h = randn((nl * nd, 3, 5), dtype, seed=2)
    c = randn((nl * nd, 3, 5), dtype, seed=3)
    tm.eval()
    em.eval()
    e, t = pair(x, True)
    (eh, th), (ec, tc) = pair(h, True), pair(c, True)
    if cls == "LSTM":
        _compare(tm, em, [e, (eh, ec)], [t, (th, tc)], [e, eh, ec], [t, th, tc], tol)
    else:
        _compare(tm, em, [e, eh], [t, th], [e, eh], [t, th], tol)


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
def test_rnn_unbatched_and_relu(cls):
    kw = {"nonlinearity": "relu"} if cls == "RNN" else {}
    tm, em = _mods(cls, "float64", input_size=3, hidden_size=4, bidirectional=True, **kw)
    x = randn((5, 3), "float64")
    e, t = pair(x, True)
    _compare(tm, em, [e], [t], [e], [t])
    h = randn((2, 4), "float64", seed=4)
    e, t = pair(x, True)
    eh, th = pair(h, True)
    hx_e, hx_t = ((eh, eh * 2), (th, th * 2)) if cls == "LSTM" else (eh, th)
    _compare(tm, em, [e, hx_e], [t, hx_t], [e, eh], [t, th])


def test_lstm_projection():
    for kw in [{"proj_size": 2}, {"proj_size": 3, "num_layers": 2, "bidirectional": True, "batch_first": True}]:
        tm, em = _mods("LSTM", "float64", input_size=4, hidden_size=5, **kw)
        assert repr(em) == repr(tm)
        x = randn((2, 6, 4), "float64")
        e, t = pair(x, True)
        _compare(tm, em, [e], [t], [e], [t])


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_rnn_packed_sequence(cls, enforce_sorted):
    tm, em = _mods(cls, "float64", input_size=3, hidden_size=4, num_layers=2, bidirectional=True)
    lengths = [6, 4, 1] if enforce_sorted else [4, 6, 1]
    x = randn((6, 3, 3), "float64")
    e, t = pair(x, True)
    pe = ernn.pack_padded_sequence(e, lengths, enforce_sorted=enforce_sorted)
    pt = trnn.pack_padded_sequence(t, lengths, enforce_sorted=enforce_sorted)
    np.testing.assert_array_equal(pe.batch_sizes.numpy(), pt.batch_sizes.numpy())
    eo, to = _compare(tm, em, [pe], [pt], [e], [t])
    ep, el = ernn.pad_packed_sequence(eo[0], batch_first=True)
    tp, tl = trnn.pad_packed_sequence(to[0], batch_first=True)
    assert_same(ep, tp)
    np.testing.assert_array_equal(el.numpy(), tl.numpy())


def test_rnn_init_bit_exact_and_dropout_masks():
    for cls in ("RNN", "LSTM", "GRU"):
        torch.manual_seed(5)
        ember.manual_seed(5)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tm = getattr(torch.nn, cls)(3, 4, num_layers=2, dropout=0.5)
            em = getattr(ember.nn, cls)(3, 4, num_layers=2, dropout=0.5)
        for (n, p), (_, q) in zip(tm.named_parameters(), em.named_parameters()):
            np.testing.assert_array_equal(q.detach().numpy(), p.detach().numpy(), err_msg=n)
        x = randn((5, 2, 3), "float32")
        torch.manual_seed(9)
        ember.manual_seed(9)
        assert_same(em(ember.tensor(x))[0], tm(torch.tensor(x))[0], **F32)


@pytest.mark.parametrize("cls", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cells(cls):
    kw = {"nonlinearity": "relu"} if cls == "RNNCell" else {}
    tm, em = _mods(cls, "float64", input_size=3, hidden_size=4, **kw)
    assert repr(em) == repr(tm)
    for xs, hs in [((2, 3), (2, 4)), ((3,), (4,))]:
        x, h = randn(xs, "float64"), randn(hs, "float64", seed=2)
        e, t = pair(x, True)
        eh, th = pair(h, True)
        if cls == "LSTMCell":
            _compare(tm, em, [e, (eh, eh * 0.5)], [t, (th, th * 0.5)], [e, eh], [t, th])
        else:
            _compare(tm, em, [e, eh], [t, th], [e, eh], [t, th])
        e, t = pair(x, True)
        _compare(tm, em, [e], [t], [e], [t])


def test_rnn_double_backward_matches_torch():
    tm, em = _mods("GRU", "float64", input_size=3, hidden_size=4)
    e, t = pair(randn((4, 2, 3), "float64"), True)
    ge, = ember.autograd.grad(em(e)[0].pow(2).sum(), e, create_graph=True)
    gt, = torch.autograd.grad(tm(t)[0].pow(2).sum(), t, create_graph=True)
    assert_same(ge, gt)
    assert_same(ember.autograd.grad(ge.sum(), e)[0], torch.autograd.grad(gt.sum(), t)[0])
    x = ember.tensor(randn((3, 1, 2), "float64"), requires_grad=True)
    m = ember.nn.LSTM(2, 2).double()
    assert ember.autograd.gradcheck(lambda x: m(x)[0], (x,))


@pytest.mark.parametrize("kw", [{"batch_first": True}, {"batch_first": True, "num_layers": 2, "bidirectional": True},
                                {}])
def test_lstm_output_layout_and_following_dropout_match_torch(kw):
    """The blocked LSTM reads a batch-first input as a view; its output keeps PyTorch's time-major memory layout, so
    a following dropout (which draws its mask in memory order) drops the same elements."""
    tm, em = _mods("LSTM", "float32", input_size=4, hidden_size=6, **kw)
    e, t = pair(randn((3, 5, 4), "float32"), True)
    torch.manual_seed(1)
    ember.manual_seed(1)
    to = torch.nn.functional.dropout(tm(t)[0], 0.5)
    eo = ember.nn.functional.dropout(em(e)[0], 0.5)
    assert tuple(eo.stride()) == tuple(to.stride())
    assert_same(eo, to, **F32)
    g = randn(tuple(to.shape), "float32", seed=2)
    eo.backward(ember.tensor(g))
    to.backward(torch.tensor(g))
    assert_same(e.grad, t.grad, **F32)


def test_lstm_batch_first_double_backward():
    tm, em = _mods("LSTM", "float64", input_size=3, hidden_size=4, batch_first=True)
    e, t = pair(randn((2, 4, 3), "float64"), True)
    ge, = ember.autograd.grad(em(e)[0].pow(2).sum(), e, create_graph=True)
    gt, = torch.autograd.grad(tm(t)[0].pow(2).sum(), t, create_graph=True)
    assert_same(ge, gt)
    assert_same(ember.autograd.grad(ge.sum(), e)[0], torch.autograd.grad(gt.sum(), t)[0])


@pytest.mark.parametrize("mode", ["GRU", "LSTM"])
def test_rnn_layers_take_a_time_major_view(mode):
    """``rnn_layers`` with equal batch sizes takes (T, B, I) data of any layout, as the module passes a batch-first
    input, and answers (T, B, H) with the packed-rows numbers (the row-major kernels reshape it themselves)."""
    from ember.nn._functional.rnn import rnn_layers

    m = getattr(ember.nn, mode)(3, 4).double()
    x = ember.tensor(randn((2, 5, 3), "float64"), requires_grad=True)  # (B, T, I)
    h0 = ember.zeros(1, 2, 4, dtype=ember.float64)
    c0 = h0 if mode == "LSTM" else None
    view = x.transpose(0, 1)
    outs = []
    for data in (view, view.reshape(10, 3)):
        o, hn, _ = rnn_layers(mode, data, [2] * 5, h0, c0, m._weights(), 1, 1, 0.0, False)
        assert o.ndim == data.ndim
        g, = ember.autograd.grad(o.pow(2).sum(), x)
        outs.append((o.reshape(5, 2, 4), hn, g))
    for a, b in zip(*outs):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-12, atol=1e-13)


def test_utils_rnn_helpers():
    seqs = [randn((4, 2), "float64"), randn((2, 2), "float64", seed=1), randn((3, 2), "float64", seed=2)]
    es = [ember.tensor(s, requires_grad=True) for s in seqs]
    ts = [torch.tensor(s, requires_grad=True) for s in seqs]
    for kw in [{}, {"batch_first": True, "padding_value": -1.0}, {"padding_side": "left"}]:
        assert_same(ernn.pad_sequence(es, **kw), trnn.pad_sequence(ts, **kw))
    pe, pt = ernn.pack_sequence(es, enforce_sorted=False), trnn.pack_sequence(ts, enforce_sorted=False)
    assert_same(pe.data, pt.data)
    for a, b in zip(pe[1:], pt[1:]):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    (pe.data * ember.tensor(np.arange(18.).reshape(9, 2))).sum().backward()
    (pt.data * torch.tensor(np.arange(18.).reshape(9, 2))).sum().backward()
    for a, b in zip(es, ts):
        assert_same(a.grad, b.grad)
    for a, b in zip(ernn.unpack_sequence(pe), trnn.unpack_sequence(pt)):
        assert_same(a, b)
    ep, el = ernn.pad_packed_sequence(pe, total_length=6, padding_value=3.0)
    tp, tl = trnn.pad_packed_sequence(pt, total_length=6, padding_value=3.0)
    assert_same(ep, tp)
    np.testing.assert_array_equal(el.numpy(), tl.numpy())
    with pytest.raises(RuntimeError, match="must be sorted in decreasing order"):
        ernn.pack_sequence(es)
    with pytest.raises(ValueError, match="Expected total_length to be at least"):
        ernn.pad_packed_sequence(pe, total_length=2)


def test_rnn_errors_match_torch():
    cases = [
        (lambda m: m.nn.LSTM(3, 4)(m.zeros(5, 2, 6)), RuntimeError),
        (lambda m: m.nn.GRU(3, 4)(m.zeros(5, 2, 3), m.zeros(1, 3, 4)), RuntimeError),
        (lambda m: m.nn.LSTM(3, 4)(m.zeros(5, 2, 3), (m.zeros(1, 2, 4), m.zeros(2, 2, 4))), RuntimeError),
        (lambda m: m.nn.RNN(3, 4)(m.zeros(5, 2, 3, 1)), ValueError),
        (lambda m: m.nn.LSTM(3, 4)(m.zeros(5, 2, 3, dtype=m.float64)), ValueError),
        (lambda m: m.nn.LSTM(3, 4, proj_size=4), ValueError),
        (lambda m: m.nn.GRU(3, 4, proj_size=2), ValueError),
        (lambda m: m.nn.RNN(3, 4, nonlinearity="sigmoid"), ValueError),
        (lambda m: m.nn.LSTMCell(3, 4)(m.zeros(2, 5)), RuntimeError),
        (lambda m: m.nn.GRUCell(3, 4)(m.zeros(2, 3, 1)), ValueError),
        (lambda m: m.nn.LSTMCell(3, 4)(m.zeros(2, 3), (m.zeros(2, 4),)), RuntimeError),
        (lambda m: m.nn.LSTM(3, 4)(m.zeros(5, 2, 3), (m.zeros(1, 2, 4),)), IndexError),
    ]
    for fn, exc in cases:
        with pytest.raises(exc) as ee:
            fn(ember)
        with pytest.raises(exc) as et:
            fn(torch)
        assert str(ee.value) == str(et.value)


@pytest.mark.parametrize("which", ["output", "h_n", "c_n"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_lstm_blocked_path_partial_outputs(which, dtype):
    """The step-blocked LSTM kernel (equal batch sizes, no projection): gradients when only one output is used."""
    tm, em = _mods("LSTM", dtype, input_size=5, hidden_size=6, num_layers=2, bidirectional=True, bias=True)
    e, t = pair(randn((7, 3, 5), dtype, seed=3), requires_grad=True)
    eo, to = em(e), tm(t)
    pick = {"output": lambda o: o[0], "h_n": lambda o: o[1][0], "c_n": lambda o: o[1][1]}[which]
    tol = F32 if dtype == "float32" else {}
    assert_same(pick(eo), pick(to), **tol)
    g = randn(tuple(pick(to).shape), dtype, seed=11)
    (pick(eo) * ember.tensor(g)).sum().backward()
    (pick(to) * torch.tensor(g)).sum().backward()
    assert_same(e.grad, t.grad, **tol)
    ep = dict(em.named_parameters())
    for n, p in tm.named_parameters():
        assert_same(ep[n].grad, p.grad, name=f"grad of {n}", **tol)


def test_lstm_blocked_path_bias_grads_accumulate_independently():
    """b_ih and b_hh get equal gradients from the blocked kernel; two backwards must accumulate into each."""
    tm, em = _mods("LSTM", "float64", input_size=3, hidden_size=4)
    e, t = pair(randn((5, 2, 3), "float64", seed=4))
    for _ in range(2):
        em(e)[0].sum().backward()
        tm(t)[0].sum().backward()
    assert not np.shares_memory(em.bias_ih_l0.grad.numpy(), em.bias_hh_l0.grad.numpy())
    assert_same(em.bias_ih_l0.grad, tm.bias_ih_l0.grad)
    assert_same(em.bias_hh_l0.grad, tm.bias_hh_l0.grad)

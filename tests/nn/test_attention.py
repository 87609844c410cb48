"""scaled_dot_product_attention and MultiheadAttention against torch (masks, dropout, shapes, init, errors)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import ember
import ember.nn.functional as F

from ._nn_compare import assert_same, copy_weights, pair, randn

TF = torch.nn.functional


def _sdpa_compare(shapes, dtype="float64", mask=None, scale_inputs=1.0, tol=None, **kw):
    xs = [randn(s, dtype, seed=i, scale=scale_inputs) for i, s in enumerate(shapes)]
    es, ts = zip(*(pair(x, True) for x in xs))
    em = tm = None
    if mask is not None:
        em, tm = ember.tensor(mask), torch.tensor(mask)
    eo = F.scaled_dot_product_attention(*es, attn_mask=em, **kw)
    to = TF.scaled_dot_product_attention(*ts, attn_mask=tm, **kw)
    if tol is None:
        tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == "float32" else {}
    assert_same(eo, to, **tol)
    g = randn(tuple(to.shape), dtype, seed=9)
    eo.backward(ember.tensor(g))
    to.backward(torch.tensor(g))
    for a, b in zip(es, ts):
        assert_same(a.grad, b.grad, **tol)


@pytest.mark.parametrize("kw", [{}, {"is_causal": True}, {"scale": 0.3}])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_sdpa_basic(kw, dtype):
    _sdpa_compare([(2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7)], dtype, **kw)
    _sdpa_compare([(4, 5), (6, 5), (6, 3)], dtype, **kw)


def test_sdpa_masks_and_gqa():
    rng = np.random.default_rng(0)
    mb = rng.random((4, 6)) > 0.5
    mb[1] = False  # a fully masked row gives zeros (safe softmax)
    _sdpa_compare([(2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7)], mask=mb)
    _sdpa_compare([(2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7)], mask=rng.standard_normal((2, 1, 4, 6)))
    _sdpa_compare([(2, 4, 3, 5), (2, 2, 6, 5), (2, 2, 6, 7)], enable_gqa=True)
    _sdpa_compare([(3, 4, 5), (3, 4, 5), (3, 4, 5)], mask=np.tril(np.ones((4, 4), bool)))


def test_sdpa_dropout_matches_torch():
    q, k, v = (randn((2, 3, 4, 5), "float32", seed=i) for i in range(3))
    for seed in (0, 3):
        torch.manual_seed(seed)
        ember.manual_seed(seed)
        eo = F.scaled_dot_product_attention(ember.tensor(q), ember.tensor(k), ember.tensor(v), dropout_p=0.4)
        to = TF.scaled_dot_product_attention(torch.tensor(q), torch.tensor(k), torch.tensor(v), dropout_p=0.4)
        assert_same(eo, to)


def test_sdpa_gradcheck():
    rng = np.random.default_rng(1)
    q, k, v = (ember.tensor(rng.standard_normal(s), requires_grad=True) for s in [(1, 3, 2), (1, 4, 2), (1, 4, 2)])
    assert ember.autograd.gradcheck(lambda q, k, v: F.scaled_dot_product_attention(q, k, v), (q, k, v))
    m = ember.tensor(rng.random((3, 4)) > 0.3)
    assert ember.autograd.gradgradcheck(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=m),
                                        (q, k, v))


def _mha(dtype="float64", **kw):
    torch.manual_seed(0)
    tm = torch.nn.MultiheadAttention(8, 2, **kw).to(getattr(torch, dtype))
    em = ember.nn.MultiheadAttention(8, 2, **kw).to(getattr(ember, dtype))
    copy_weights(tm, em)
    return tm, em


def _mha_compare(tm, em, arrays, same=(), tol=None, **call):
    ins = [pair(a, True) for a in arrays]
    es, ts = [e for e, _ in ins], [t for _, t in ins]
    for i, j in same:  # self-attention: pass the very same tensor object
        es[j], ts[j] = es[i], ts[i]
    ce = {k: ember.tensor(v) if isinstance(v, np.ndarray) else v for k, v in call.items()}
    ct = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in call.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (eo, ew), (to, tw) = em(*es, **ce), tm(*ts, **ct)
    tol = tol or {}
    assert_same(eo, to, **tol)
    assert (ew is None) == (tw is None)
    le = (eo * ember.tensor(randn(tuple(to.shape), str(to.dtype)[6:], seed=4))).sum()
    lt = (to * torch.tensor(randn(tuple(to.shape), str(to.dtype)[6:], seed=4))).sum()
    if tw is not None:
        assert_same(ew, tw, **tol)
        le = le + (ew * ember.tensor(randn(tuple(tw.shape), str(tw.dtype)[6:], seed=5))).sum()
        lt = lt + (tw * torch.tensor(randn(tuple(tw.shape), str(tw.dtype)[6:], seed=5))).sum()
    le.backward()
    lt.backward()
    for a, b in zip(es, ts):
        assert_same(a.grad, b.grad, **tol)
    ep = dict(em.named_parameters())
    for n, p in tm.named_parameters():
        assert_same(ep[n].grad, p.grad, name=n, **tol)


@pytest.mark.parametrize("kw", [{}, {"batch_first": True}, {"add_bias_kv": True}, {"add_zero_attn": True},
                                {"kdim": 5, "vdim": 3}, {"bias": False}])
@pytest.mark.parametrize("need_weights,average", [(True, True), (True, False), (False, True)])
def test_mha_options(kw, need_weights, average):
    tm, em = _mha(**kw)
    bf = kw.get("batch_first", False)
    kd, vd = kw.get("kdim", 8), kw.get("vdim", 8)
    q = randn((2, 4, 8) if bf else (4, 2, 8), "float64")
    k = randn((2, 6, kd) if bf else (6, 2, kd), "float64", seed=1)
    v = randn((2, 6, vd) if bf else (6, 2, vd), "float64", seed=2)
    rng = np.random.default_rng(3)
    kpm = rng.random((2, 6)) > 0.7
    kpm[:, 0] = False
    am = rng.standard_normal((4, 6))
    _mha_compare(tm, em, [q, k, v], key_padding_mask=kpm, attn_mask=am, need_weights=need_weights,
                 average_attn_weights=average)


def test_mha_self_attention_causal_unbatched_float32():
    tm, em = _mha("float32")
    x = randn((5, 2, 8), "float32")
    cm = torch.nn.Transformer.generate_square_subsequent_mask(5).numpy()
    tol = {"rtol": 1e-4, "atol": 1e-5}
    _mha_compare(tm, em, [x, x, x], same=[(0, 1), (0, 2)], tol=tol, attn_mask=cm, is_causal=True, need_weights=False)
    bm = np.random.default_rng(0).random((5, 5)) > 0.5
    np.fill_diagonal(bm, False)
    _mha_compare(tm, em, [x[:, 0], x[:, 0], x[:, 0]], same=[(0, 1), (0, 2)], tol=tol, attn_mask=bm)
    am3 = randn((2 * 2, 5, 5), "float32", seed=6)
    _mha_compare(tm, em, [x, x, x], same=[(0, 1), (0, 2)], tol=tol, attn_mask=am3)


def test_mha_init_dropout_and_repr():
    for kw in [{}, {"add_bias_kv": True, "kdim": 3, "vdim": 5}]:
        torch.manual_seed(2)
        ember.manual_seed(2)
        tm, em = torch.nn.MultiheadAttention(8, 4, **kw), ember.nn.MultiheadAttention(8, 4, **kw)
        assert repr(em) == repr(tm)
        assert list(em.state_dict()) == list(tm.state_dict())
        for (n, p), (_, q) in zip(tm.named_parameters(), em.named_parameters()):
            np.testing.assert_array_equal(q.detach().numpy(), p.detach().numpy(), err_msg=n)
    tm, em = _mha("float32", dropout=0.3)
    x = randn((4, 2, 8), "float32")
    for need in (True, False):
        torch.manual_seed(4)
        ember.manual_seed(4)
        (eo, _), (to, _) = em(*[ember.tensor(x)] * 3, need_weights=need), tm(*[torch.tensor(x)] * 3, need_weights=need)
        assert_same(eo, to, rtol=1e-4, atol=1e-5)


def test_attention_errors_match_torch():
    cases = [
        (lambda m: m.nn.MultiheadAttention(8, 3), AssertionError),
        (lambda m: m.nn.MultiheadAttention(0, 2), ValueError),
        (lambda m: m.nn.MultiheadAttention(8, 2)(m.zeros(4, 2, 8), m.zeros(5, 2, 8), m.zeros(5, 2, 8),
                                                 attn_mask=m.zeros(4, 4)), RuntimeError),
        (lambda m: m.nn.functional.scaled_dot_product_attention(m.zeros(2, 3, 4), m.zeros(2, 5, 4, dtype=m.float64),
                                                                m.zeros(2, 5, 6)), RuntimeError),
    ]
    for fn, exc in cases:
        with pytest.raises(exc) as ee:
            fn(ember)
        with pytest.raises(exc) as et:
            fn(torch)
        assert str(ee.value) == str(et.value)
    with pytest.raises(RuntimeError, match=r"\[2, 3, 4\].*\[2, 5, 3\]"):
        F.scaled_dot_product_attention(ember.zeros(2, 3, 4), ember.zeros(2, 5, 3), ember.zeros(2, 5, 6))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shapes", [[(2, 3, 64, 8), (2, 3, 64, 8), (2, 3, 64, 5)], [(32, 4), (32, 4), (32, 6)],
                                    [(1, 3, 64, 8), (2, 3, 64, 8), (2, 1, 64, 5)]])
def test_sdpa_causal_two_block_path(dtype, shapes):
    """Causal attention with L == S >= 32 (even) runs in two query blocks; values and gradients match torch."""
    _sdpa_compare(shapes, dtype, is_causal=True)


def _clones(out) -> int:
    """How many CloneBackward0 nodes (contiguous copies) the graph of ``out`` holds."""
    seen, todo, n = set(), [out.grad_fn], 0
    while todo:
        node = todo.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        n += type(node).__name__ == "CloneBackward0"
        todo += [e[0] for e in node.next_functions]
    return n


@pytest.mark.parametrize("packed", ["self", "kv"])
def test_mha_packed_projection_copies_like_torch(packed):
    # PyTorch makes the packed q/k/v projection contiguous once; reshaping three strided slices instead copies
    # each of them (same values, more nodes and passes)
    counts = []
    for m in (ember, torch):
        m.manual_seed(0)
        mha = m.nn.MultiheadAttention(8, 2)
        x = m.randn(5, 3, 8, requires_grad=True)
        kv = x if packed == "self" else m.randn(6, 3, 8)
        counts.append(_clones(mha(x, kv, kv, need_weights=False)[0]))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("kw", [{}, {"is_causal": True}, {"mask": "float"}, {"mask": "bool"}, {"dropout_p": 0.5}])
@pytest.mark.parametrize("layout", ["lnhd", "contiguous", "3d"])
def test_sdpa_output_follows_the_query_layout_like_torch(kw, layout):
    # PyTorch's CPU flash attention lays its output out in memory like a 4-D query (multi-head attention's
    # permute-and-reshape back to (L, N, E) is then a view); the math path (dropout) and 3-D inputs are row-major
    strides = []
    for m in (ember, torch):
        m.manual_seed(0)
        n, h, L, d = 3, 2, 64, 4
        if layout == "lnhd":
            q = m.randn(L, n * h, d, requires_grad=True).transpose(0, 1).reshape(n, h, L, d)
        elif layout == "contiguous":
            q = m.randn(n, h, L, d, requires_grad=True)
        else:
            q = m.randn(L, n, d, requires_grad=True).transpose(0, 1)
        args = dict(kw)
        mask = args.pop("mask", None)
        if mask is not None:
            args["attn_mask"] = m.randn(L, L) if mask == "float" else m.rand(L, L) > 0.3
        out = m.nn.functional.scaled_dot_product_attention(q, q, q, **args)
        strides.append(out.stride())
        out.sum().backward()
    assert strides[0] == strides[1]


@pytest.mark.parametrize("mask", [None, "causal", "float", "bool", "3d", "padding"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_mha_batch_first_self_attention_matches_torch(mask, dtype):
    # batch-first self-attention without weights stays batch-first inside (no transposed input, no copy of the
    # projection's gradient); values, gradients, the output's memory layout (which decides where a following
    # dropout draws) and the cases left to the general path (3-D mask, key padding) all agree with torch
    tm, em = _mha(dtype, batch_first=True)
    x = randn((3, 32, 8), dtype)
    rng = np.random.default_rng(5)
    call = {"need_weights": False}
    if mask == "causal":
        call.update(attn_mask=torch.nn.Transformer.generate_square_subsequent_mask(32).numpy().astype(dtype),
                    is_causal=True)
    elif mask == "float":
        call["attn_mask"] = rng.standard_normal((32, 32)).astype(dtype)
    elif mask == "bool":
        bm = rng.random((32, 32)) > 0.5
        np.fill_diagonal(bm, False)
        call["attn_mask"] = bm
    elif mask == "3d":
        call["attn_mask"] = rng.standard_normal((3 * 2, 32, 32)).astype(dtype)
    elif mask == "padding":
        kpm = rng.random((3, 32)) > 0.7
        kpm[:, 0] = False
        call["key_padding_mask"] = kpm
    tol = {"rtol": 1e-4, "atol": 1e-5} if dtype == "float32" else None
    _mha_compare(tm, em, [x, x, x], same=[(0, 1), (0, 2)], tol=tol, **call)
    ce = {k: ember.tensor(v) if isinstance(v, np.ndarray) else v for k, v in call.items()}
    ct = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in call.items()}
    xe, xt = ember.tensor(x), torch.tensor(x)
    assert em(xe, xe, xe, **ce)[0].stride() == tm(xt, xt, xt, **ct)[0].stride()
    if mask in ("float", "bool"):  # a mask that is a transposed view
        ce["attn_mask"], ct["attn_mask"] = ce["attn_mask"].t(), ct["attn_mask"].t()
        assert_same(em(xe, xe, xe, **ce)[0], tm(xt, xt, xt, **ct)[0], **(tol or {}))


def test_mha_batch_first_self_attention_dropout_streams_match_torch():
    # training dropout inside the attention and a dropout after it (as in TransformerEncoderLayer) draw the same
    # numbers at the same places
    tm, em = _mha("float32", batch_first=True, dropout=0.3)
    x = randn((3, 32, 8), "float32")
    outs = []
    for m, mha in ((ember, em), (torch, tm)):
        m.manual_seed(7)
        xx = m.tensor(x, requires_grad=True)
        y = m.nn.functional.dropout(mha(xx, xx, xx, need_weights=False)[0], 0.4)
        y.backward(m.tensor(randn((3, 32, 8), "float32", seed=2)))
        outs.append((y.detach().numpy(), xx.grad.numpy()))
    for a, b in zip(*outs):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_unbind_gradient_is_laid_out_like_its_input():
    # the gradient buffer of unbind/split/chunk follows the input's memory order, so a permuted view of a
    # contiguous array gets a gradient that is contiguous once permuted back (values unchanged)
    base = ember.randn(4, 5, 3, 6, requires_grad=True)
    seen = {}
    perm = base.permute(2, 0, 1, 3)
    perm.register_hook(lambda g: seen.setdefault("g", g))
    parts = perm.unbind(0)
    sum((p * (i + 1)).sum() for i, p in enumerate(parts)).backward()
    g = seen["g"]
    assert g.permute(1, 2, 0, 3).is_contiguous()
    want = np.broadcast_to(np.arange(1, 4, dtype="float32")[None, None, :, None], (4, 5, 3, 6))
    np.testing.assert_array_equal(base.grad.numpy(), want)


@pytest.mark.parametrize("scale", [0.05, 1.0, 3.0, 6.0])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_sdpa_causal_softmax_with_and_without_the_row_shift(scale, dtype):
    # small scores skip the shift by the row maxima (softmax is shift-invariant), large ones keep it (else exp
    # overflows); both match torch's values and gradients
    tol = {"rtol": 1e-4, "atol": 1e-5 * scale} if dtype == "float32" else {"rtol": 1e-9, "atol": 1e-12 * scale}
    _sdpa_compare([(2, 3, 64, 8), (2, 3, 64, 8), (2, 3, 64, 5)], dtype, scale_inputs=scale, tol=tol, is_causal=True)



@pytest.mark.parametrize("variant", ["plain", "q_reused", "k_detached"])
def test_attention_gradients_into_the_packed_projection(variant):
    # causal attention over the heads unbound from a packed projection writes q/k/v gradients into one buffer laid
    # out like the projection, which UnbindBackward0 then takes whole; a head also used elsewhere (its gradient is
    # a sum) or one without a gradient takes the copying path; all match torch
    x = randn((3, 64, 24), "float32")
    w = randn((72, 24), "float32", seed=1, scale=0.2)
    res = []
    for m in (ember, torch):
        xx, ww = m.tensor(x, requires_grad=True), m.tensor(w, requires_grad=True)
        q, k, v = (xx @ ww.t()).view(3, 64, 3, 2, 12).permute(2, 0, 3, 1, 4).unbind(0)
        if variant == "k_detached":
            k = k.detach()
        out = m.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
        loss = (out * m.tensor(randn(tuple(out.shape), "float32", seed=2))).sum()
        if variant == "q_reused":
            loss = loss + (q * 0.5).sum()
        loss.backward()
        res.append((out.detach().numpy(), xx.grad.numpy(), ww.grad.numpy()))
    for a, b in zip(*res):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)

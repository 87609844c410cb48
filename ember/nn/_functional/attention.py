"""nn.functional attention: scaled_dot_product_attention and multi_head_attention_forward (PyTorch's algorithm)."""
from __future__ import annotations

import math
import warnings

import numpy as np

from ... import _dtype as D
from ..._device import array_module
from ..._rowsum import exp_safe, rowdot, rowmax, rowsum
from ..._tensor import Tensor, _wrap
from ...autograd.grad_mode import state
from ...autograd.graph import Node, link
from ...ops._util import empty_in_order, memory_order
from ...ops.inplace import _address
from ...ops.shape import cat
from .activation import softmax
from .dropout import dropout
from .linear import linear
from .norm_linear import layer_norm_linear
from .padding import pad

__all__ = ["multi_head_attention_forward", "scaled_dot_product_attention"]

_CN = {"float32": "float", "float64": "double", "float16": "c10::Half", "bfloat16": "c10::BFloat16"}


def _cname(t: Tensor) -> str:
    return _CN.get(t.dtype.name, t.dtype.name)


def _shape_str(shape) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _expand_heads(k: Tensor, reps: int) -> Tensor:
    """``k.repeat_interleave(reps, dim=-3)`` through a broadcast view and one reshape."""
    s = tuple(k.shape)
    return k.unsqueeze(-3).expand(s[:-2] + (reps,) + s[-2:]).reshape(s[:-3] + (s[-3] * reps,) + s[-2:])


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor, attn_mask: Tensor | None = None,
                                 dropout_p: float = 0.0, is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """``softmax(q @ k^T * scale + mask) @ v`` over ``(..., L, E)`` queries and ``(..., S, E)`` keys.

    A boolean ``attn_mask`` marks the positions that may be attended to; a float mask is added to the scores.
    Rows with no allowed position give zeros (PyTorch's safe softmax).

    >>> import ember
    >>> q = ember.ones(1, 2, 4)
    >>> ember.nn.functional.scaled_dot_product_attention(q, q, ember.arange(8.).view(1, 2, 4))
    tensor([[[2., 3., 4., 5.],
             [2., 3., 4., 5.]]])
    """
    if not (query.dtype is key.dtype is value.dtype):
        raise RuntimeError(f"Expected query, key, and value to have the same dtype, but got query.dtype: "
                           f"{_cname(query)} key.dtype: {_cname(key)} and value.dtype: {_cname(value)} instead.")
    if query.ndim < 2 or key.ndim < 2 or value.ndim < 2:
        raise RuntimeError(f"scaled_dot_product_attention: query, key and value must be at least 2-D, but got "
                           f"query {_shape_str(query.shape)}, key {_shape_str(key.shape)} and value "
                           f"{_shape_str(value.shape)}")
    if query.shape[-1] != key.shape[-1]:
        raise RuntimeError(f"scaled_dot_product_attention: the last dim of query {_shape_str(query.shape)} and key "
                           f"{_shape_str(key.shape)} must match")
    if key.shape[-2] != value.shape[-2]:
        raise RuntimeError(f"scaled_dot_product_attention: key {_shape_str(key.shape)} and value "
                           f"{_shape_str(value.shape)} must have the same sequence length (dim -2)")
    if is_causal and attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True")
    L, S = query.shape[-2], key.shape[-2]
    if enable_gqa and query.ndim >= 3 and key.shape[-3] != query.shape[-3]:
        hq, hk = query.shape[-3], key.shape[-3]
        if hq % hk or hq % value.shape[-3]:
            raise RuntimeError(f"Number of heads in key and value must divide the number of heads in query, but got "
                               f"query {_shape_str(query.shape)}, key {_shape_str(key.shape)} and value "
                               f"{_shape_str(value.shape)}")
        key = _expand_heads(key, hq // hk)
        value = _expand_heads(value, hq // value.shape[-3])
    sf = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    xp = array_module(query._data)
    npd = query._data.dtype
    bias = None
    if is_causal:
        bias = xp.where(xp.tril(xp.ones((L, S), dtype=bool)), npd.type(0), npd.type(-np.inf))
    if attn_mask is not None:
        m = attn_mask._data
        try:
            np.broadcast_shapes(m.shape, tuple(query.shape[:-1]) + (S,))
        except ValueError:
            raise RuntimeError(f"scaled_dot_product_attention: attn_mask of shape {_shape_str(m.shape)} cannot be "
                               f"broadcast to the attention scores of shape "
                               f"{_shape_str(tuple(query.shape[:-1]) + (S,))}") from None
        if m.dtype == bool:
            mb = xp.where(m, npd.type(0), npd.type(-np.inf))
            bias = mb if bias is None else bias + mb
            mask_t = None
        else:
            mask_t = attn_mask
    else:
        mask_t = None
    if dropout_p == 0.0 and xp is np and npd.kind == "f" and (mask_t is None or not mask_t._rg):
        if is_causal and attn_mask is None and L == S and L >= 32 and L % 2 == 0:
            return _causal_sdpa(query, key, value, bias, sf)
        return _fused_sdpa(query, key, value, bias, mask_t, sf)
    attn = _attn_weights(query, key, sf, bias, mask_t)
    if dropout_p > 0.0:
        attn = dropout(attn, dropout_p, True)
    return attn @ value


def _attn_weights(query: Tensor, key: Tensor, sf: float, bias, mask_t) -> Tensor:
    """``softmax(q @ k^T * sf + bias + mask)`` with Tensor ops; rows with nothing to attend to are zeros."""
    scores = (query @ key.transpose(-2, -1)) * sf
    if bias is not None:
        scores = scores + _wrap(bias)
    if mask_t is not None:
        scores = scores + mask_t
    dead = None
    if bias is not None or mask_t is not None:
        dead = (scores._data == -np.inf).all(-1, keepdims=True)
        if dead.any():  # rows with nothing to attend to: finite scores for the softmax, zeros after it
            dead = _wrap(array_module(dead).broadcast_to(dead, scores._data.shape))
            scores = scores.masked_fill(dead, 0.0)
        else:
            dead = None
    attn = softmax(scores, dim=-1)
    if dead is not None:
        attn = attn.masked_fill(dead, 0.0)
    return attn


class ScaledDotProductFlashAttentionForCpuBackward0(Node):
    """Gradient of the fused attention; ``raw`` reuses the saved weights, ``backward`` recomputes them."""

    __slots__ = ("attn", "bias", "mask", "sf")

    def release(self) -> None:
        self._saved = None
        self.attn = None

    def raw(self, g):
        q, k, v = self.saved_arrays()
        attn = self.attn
        e = self.next_edges
        if type(attn) is tuple:
            return _causal_sdpa_backward(q, k, v, attn, g, self.sf, e)
        gv = np.matmul(attn.swapaxes(-1, -2), g) if e[2] is not None else None
        gq = gk = None
        if e[0] is not None or e[1] is not None:
            ga = np.matmul(g, _transposed(v, g.shape[-2]))
            ga -= rowdot(ga, attn)
            ga *= attn
            ga *= ga.dtype.type(self.sf)
            if e[0] is not None:
                gq = np.matmul(ga, k)
            if e[1] is not None:
                gk = np.matmul(ga.swapaxes(-1, -2), q)
        return gq, gk, gv

    def backward(self, g):
        q, k, v = self.saved_tensors
        attn = _attn_weights(q, k, self.sf, self.bias, self.mask)
        gv = attn.transpose(-2, -1) @ g
        ga = g @ v.transpose(-2, -1)
        gs = attn * (ga - (ga * attn).sum(-1, keepdim=True)) * self.sf
        return gs @ k, gs.transpose(-2, -1) @ q, gv


def _empty_in_query_layout(q, shape):
    """The output of flash attention: laid out in memory like a 4-D ``q`` (PyTorch's rule), else row-major.

    In multi-head attention q is a view of the (L, N, H, D) projection, so the (N, H, L, D) output permuted back
    to (L, N, E) is then a view, not a copy.
    """
    if q.ndim != 4 or q.shape[:-1] != shape[:-1]:
        return np.empty(shape, dtype=q.dtype)
    return empty_in_order(shape, memory_order(q), q.dtype)


def _transposed(a, rows: int):
    """``a.swapaxes(-1, -2)`` as the right operand of a matmul with ``rows`` rows on the left: a C-contiguous copy
    from 16 rows on. OpenBLAS multiplies stacks of small matrices by a transposed operand (NT) about twice as
    slowly as by a contiguous one, more than the copy costs: (16, 4, 32, 32) @ (16, 4, 32, 64) 136 -> 62 us,
    the (16, 4, 64, 32) copy 32 us."""
    t = a.swapaxes(-1, -2)
    return np.ascontiguousarray(t) if rows >= 16 and type(a) is np.ndarray else t


def _softmax_rows_(s, shift: bool = True):
    """Softmax over the last axis, in place (rows hold at least one finite score); ``shift=False`` when
    ``exp_safe`` said the scores need no shift by their row maxima."""
    if shift:
        s -= rowmax(s)
    np.exp(s, out=s)
    s /= rowsum(s)
    return s


# Causal attention in two query blocks: the first half of the queries sees only the first half of the keys,
# so its scores, softmax and products are done on (L/2, L/2) blocks; the second half sees every key. This skips
# the fully masked quarter of the score matrix (a quarter of the work), as PyTorch's CPU flash attention does
# block by block. The weights of both blocks are kept for the backward.
def _causal_sdpa(query: Tensor, key: Tensor, value: Tensor, bias, sf: float) -> Tensor:
    q, k, v = query._data, key._data, value._data
    h = q.shape[-2] // 2
    sft = q.dtype.type(sf)
    batch = np.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2])
    res = _empty_in_query_layout(q, batch + (q.shape[-2], v.shape[-1]))
    kt = np.empty(k.shape[:-2] + (k.shape[-1], k.shape[-2]), dtype=k.dtype)
    np.multiply(k.swapaxes(-1, -2), sft, out=kt)  # the contiguous copy (see _transposed) carries the scale
    pa = np.matmul(q[..., :h, :], kt[..., :h])
    pb = np.matmul(q[..., h:, :], kt)
    shift = not exp_safe((pa, pb), k.shape[-2])
    pa += bias[:h, :h]
    _softmax_rows_(pa, shift)
    pb += bias[h:]
    _softmax_rows_(pb, shift)
    res[..., :h, :] = np.matmul(pa, v[..., :h, :])
    res[..., h:, :] = np.matmul(pb, v)
    res = _wrap(res)
    if state.enabled and (query._rg or key._rg or value._rg):
        n = ScaledDotProductFlashAttentionForCpuBackward0()
        n.attn, n.bias, n.mask, n.sf = (pa, pb), bias, None, sf
        n.save(query, key, value)
        n.meta = tuple((tuple(t.shape), None) for t in (query, key, value))
        link(n, res, (query, key, value))
    return res


def _grads_like_inputs(q, k, v):
    """Gradient arrays for ``q``, ``k`` and ``v`` when the three are same-shaped, same-strided views of one
    C-contiguous array (multi-head attention's heads, unbound from its packed projection): views of one new
    buffer laid out like that array, at the same places, so that UnbindBackward0 takes the buffer whole instead of
    copying three gradients into one (ember/ops/splitting.py; ~0.25 ms per layer of the benchmark transformer).
    None otherwise (each gradient then gets its own row-major array)."""
    base = q.base
    if (base is None or k.base is not base or v.base is not base or type(base) is not np.ndarray
            or not base.flags.c_contiguous or not q.shape == k.shape == v.shape
            or not q.strides == k.strides == v.strides or 3 * q.size != base.size):  # no larger buffer than that
        return None
    buf = np.empty(base.shape, dtype=base.dtype)
    o = _address(base)
    return tuple(np.ndarray(a.shape, a.dtype, buf, _address(a) - o, a.strides) for a in (q, k, v))


def _causal_sdpa_backward(q, k, v, weights, g, sf: float, e):
    """Raw gradients of ``_causal_sdpa`` from its two blocks of attention weights."""
    pa, pb = weights
    h = pa.shape[-1]
    sft = g.dtype.type(sf)
    ga_, gb_ = g[..., :h, :], g[..., h:, :]
    gq = gk = gv = None
    outs = _grads_like_inputs(q, k, v)
    if e[2] is not None:
        gv = np.matmul(pb.swapaxes(-1, -2), gb_, out=None if outs is None else outs[2])
        gv[..., :h, :] += np.matmul(pa.swapaxes(-1, -2), ga_)
    if e[0] is not None or e[1] is not None:
        vt = _transposed(v, h)
        da = np.matmul(ga_, vt[..., :h])
        da -= rowdot(da, pa)
        da *= pa
        da *= sft
        db = np.matmul(gb_, vt)
        db -= rowdot(db, pb)
        db *= pb
        db *= sft
        if e[0] is not None:
            gq = np.empty(da.shape[:-2] + q.shape[-2:], dtype=g.dtype) if outs is None else outs[0]
            np.matmul(da, k[..., :h, :], out=gq[..., :h, :])
            np.matmul(db, k, out=gq[..., h:, :])
        if e[1] is not None:
            gk = np.matmul(db.swapaxes(-1, -2), q[..., h:, :], out=None if outs is None else outs[1])
            gk[..., :h, :] += np.matmul(da.swapaxes(-1, -2), q[..., :h, :])
    return gq, gk, gv


def _fused_sdpa(query: Tensor, key: Tensor, value: Tensor, bias, mask_t, sf: float) -> Tensor:
    """Attention on raw arrays: one batched matmul for the scores, an in-place softmax, one for the output."""
    q, k, v = query._data, key._data, value._data
    s = np.matmul(q, _transposed(k, q.shape[-2]))
    s *= s.dtype.type(sf)
    for m in (bias, None if mask_t is None else mask_t._data):
        if m is not None:
            if np.broadcast_shapes(s.shape, m.shape) == s.shape and np.result_type(s, m) == s.dtype:
                s += m
            else:
                s = s + m
    mx = rowmax(s)
    dead = None
    if bias is not None or mask_t is not None:
        dead = mx == -np.inf  # rows with nothing to attend to: zeros, as PyTorch's safe softmax gives
        if dead.any():
            s[np.broadcast_to(dead, s.shape)] = 0
            mx[dead] = 0
        else:
            dead = None
    s -= mx
    np.exp(s, out=s)
    s /= rowsum(s)
    if dead is not None:
        s[np.broadcast_to(dead, s.shape)] = 0
    res = _wrap(np.matmul(s, v, out=_empty_in_query_layout(q, s.shape[:-1] + v.shape[-1:])))
    if state.enabled and (query._rg or key._rg or value._rg):
        n = ScaledDotProductFlashAttentionForCpuBackward0()
        n.attn, n.bias, n.mask, n.sf = s, bias, mask_t, sf
        n.save(query, key, value)
        n.meta = tuple((tuple(t.shape), None) for t in (query, key, value))
        link(n, res, (query, key, value))
    return res


# ----------------------------------------------------------------------------- multi-head attention
def _none_or_dtype(t):
    if t is None:
        return None
    if isinstance(t, Tensor):
        return t.dtype
    raise RuntimeError("input to _none_or_dtype() must be None or torch.Tensor")


def _canonical_mask(mask, mask_name: str, other_type, other_name: str, target_type, check_other: bool = True):
    """Bool masks (True = masked out) become float masks with ``-inf``; float masks pass through."""
    if mask is None:
        return None
    if not isinstance(mask, Tensor):
        raise TypeError(f"{mask_name} must be a Tensor or None")
    mdt = mask.dtype
    if mdt is not D.bool and not mdt.is_floating_point:
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    if check_other and other_type is not None and mdt is not other_type:
        warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. Use same type for both "
                      f"instead.", stacklevel=3)
    if mdt is D.bool:
        d = mask._data
        npd = D.np_dtype(target_type)
        return _wrap(array_module(d).where(d, npd.type(-np.inf), npd.type(0)))
    return mask


def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads) -> bool:
    if query.ndim == 3:
        if key.ndim != 3 or value.ndim != 3:
            raise AssertionError(f"For batched (3-D) `query`, expected `key` and `value` to be 3-D but found "
                                 f"{key.ndim}-D and {value.ndim}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.ndim != 2:
            raise AssertionError(f"For batched (3-D) `query`, expected `key_padding_mask` to be `None` or 2-D but "
                                 f"found {key_padding_mask.ndim}-D tensor instead")
        if attn_mask is not None and attn_mask.ndim not in (2, 3):
            raise AssertionError(f"For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D but found "
                                 f"{attn_mask.ndim}-D tensor instead")
        return True
    if query.ndim == 2:
        if key.ndim != 2 or value.ndim != 2:
            raise AssertionError(f"For unbatched (2-D) `query`, expected `key` and `value` to be 2-D but found "
                                 f"{key.ndim}-D and {value.ndim}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.ndim != 1:
            raise AssertionError(f"For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` or 1-D but "
                                 f"found {key_padding_mask.ndim}-D tensor instead")
        if attn_mask is not None:
            if attn_mask.ndim not in (2, 3):
                raise AssertionError(f"For unbatched (2-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D "
                                     f"but found {attn_mask.ndim}-D tensor instead")
            if attn_mask.ndim == 3:
                expected = (num_heads, query.shape[0], key.shape[0])
                if tuple(attn_mask.shape) != expected:
                    raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got {tuple(attn_mask.shape)}")
        return False
    raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received {query.ndim}-D query tensor")


def _in_projection_packed(q, k, v, w, b):
    e = q.shape[-1]
    if k is v:
        if q is k:
            proj = linear(q, w, b)
            proj = proj.unflatten(-1, (3, e)).unsqueeze(0).transpose(0, -2).squeeze(-2).contiguous()
            return proj.unbind(0)  # PyTorch indexes (three SelectBackward0); one node writes the gradient once
        w_q, w_kv = w.split([e, e * 2])
        b_q, b_kv = (None, None) if b is None else b.split([e, e * 2])
        q_proj = linear(q, w_q, b_q)
        kv = linear(k, w_kv, b_kv).unflatten(-1, (2, e)).unsqueeze(0).transpose(0, -2).squeeze(-2).contiguous()
        return (q_proj, *kv.unbind(0))
    w_q, w_k, w_v = w.chunk(3)
    b_q, b_k, b_v = (None, None, None) if b is None else b.chunk(3)
    return linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)


def _batch_first_self_attention(x: Tensor, num_heads: int, in_w: Tensor, in_b, out_w: Tensor, out_b, attn_mask,
                                dropout_p: float, is_causal: bool, norm=None) -> Tensor:
    """Multi-head self-attention on ``(N, L, E)`` input without leaving the batch-first layout.

    The same computation as ``multi_head_attention_forward`` on the transposed input (the module's general path),
    for the case ``nn.TransformerEncoderLayer`` uses: packed projection, no bias_k/v or zero attention, no key
    padding mask, no weights returned, and either the causal hint or a 2-D float ``attn_mask`` (or none). The heads
    are a permuted view of the (N, L, 3, H, D) projection and the unbind's gradient buffer is laid out like the
    projection, so the input is never transposed and the projection's gradient is never copied. The output is
    PyTorch's: the (N, L, E) transpose of an (L, N, E) array. Its memory order decides where a following dropout
    puts its random draws, so the heads' output is copied to (L * N, E) rows before the output projection.
    With ``norm = (weight, bias, eps)`` the input is first layer-normalized over E (a norm-first encoder layer's
    ``norm1``), folded into the input projection (``norm_linear.py``).
    """
    n, seq, e = x.shape
    hd = e // num_heads
    proj = linear(x, in_w, in_b) if norm is None else layer_norm_linear(x, norm[0], norm[1], norm[2], in_w, in_b)
    qkv = proj.view(n, seq, 3, num_heads, hd).permute(2, 0, 3, 1, 4)
    q, k, v = qkv.unbind(0)
    mask = None if is_causal or attn_mask is None else attn_mask.unsqueeze(0).unsqueeze(0)
    out = scaled_dot_product_attention(q, k, v, mask, dropout_p, is_causal)
    out = out.permute(2, 0, 1, 3).reshape(seq * n, e)
    return linear(out, out_w, out_b).view(seq, n, e).transpose(0, 1)


def multi_head_attention_forward(query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: int, num_heads: int,
                                 in_proj_weight, in_proj_bias, bias_k, bias_v, add_zero_attn: bool,
                                 dropout_p: float, out_proj_weight: Tensor, out_proj_bias, training: bool = True,
                                 key_padding_mask=None, need_weights: bool = True, attn_mask=None,
                                 use_separate_proj_weight: bool = False, q_proj_weight=None, k_proj_weight=None,
                                 v_proj_weight=None, static_k=None, static_v=None, average_attn_weights: bool = True,
                                 is_causal: bool = False):
    """The computation of ``nn.MultiheadAttention`` on ``(L, N, E)`` (or unbatched ``(L, E)``) inputs.

    Returns ``(attn_output, attn_weights)``; the weights are None unless ``need_weights``.
    """
    is_batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", _none_or_dtype(attn_mask), "attn_mask",
                                       query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer module method "
                           "`generate_square_subsequent_mask` to create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, check_other=False)
        if key_padding_mask is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if tuple(key.shape[:2]) != tuple(value.shape[:2]):
            raise AssertionError(f"key's sequence and batch dims {tuple(key.shape[:2])} do not match value's "
                                 f"{tuple(value.shape[:2])}")
        b_q, b_k, b_v = (None, None, None) if in_proj_bias is None else in_proj_bias.chunk(3)
        q, k, v = linear(query, q_proj_weight, b_q), linear(key, k_proj_weight, b_k), linear(value, v_proj_weight, b_v)
    else:
        if tuple(key.shape) != tuple(value.shape):
            raise AssertionError(f"key shape {tuple(key.shape)} does not match value shape {tuple(value.shape)}")
        q, k, v = _in_projection_packed(query, key, value, in_proj_weight, in_proj_bias)
    if attn_mask is not None:
        if attn_mask.ndim == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but should be "
                                   f"{(tgt_len, src_len)}.")
            attn_mask = attn_mask.unsqueeze(0)
        elif attn_mask.ndim == 3:
            if tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
                raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but should be "
                                   f"{(bsz * num_heads, tgt_len, src_len)}.")
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.ndim} is not supported")
    if bias_k is not None and bias_v is not None:
        if static_k is not None or static_v is not None:
            raise AssertionError("bias cannot be added to static key/value.")
        k = cat([k, bias_k.expand(1, bsz, embed_dim)])
        v = cat([v, bias_v.expand(1, bsz, embed_dim)])
        if attn_mask is not None:
            attn_mask = pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = pad(key_padding_mask, (0, 1))
    q = q.reshape(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    k = (k.reshape(k.shape[0], bsz * num_heads, head_dim).transpose(0, 1) if static_k is None else static_k)
    v = (v.reshape(v.shape[0], bsz * num_heads, head_dim).transpose(0, 1) if static_v is None else static_v)
    if add_zero_attn:
        k = cat([k, k.new_zeros((bsz * num_heads, 1, head_dim))], dim=1)
        v = cat([v, v.new_zeros((bsz * num_heads, 1, head_dim))], dim=1)
        if attn_mask is not None:
            attn_mask = pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = pad(key_padding_mask, (0, 1))
    src_len = k.shape[1]
    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (bsz, src_len):
            raise AssertionError(f"expecting key_padding_mask shape of {(bsz, src_len)}, but got "
                                 f"{tuple(key_padding_mask.shape)}")
        key_padding_mask = key_padding_mask.reshape(bsz, 1, 1, src_len).expand(bsz, num_heads, 1, src_len)
        key_padding_mask = key_padding_mask.reshape(bsz * num_heads, 1, src_len)
        attn_mask = key_padding_mask if attn_mask is None else attn_mask + key_padding_mask
    if not training:
        dropout_p = 0.0
    if need_weights:
        e = q.shape[-1]
        q_scaled = q * math.sqrt(1.0 / float(e))
        if attn_mask is not None:
            w = (q_scaled @ k.transpose(-2, -1)) + attn_mask
        else:
            w = q_scaled @ k.transpose(-2, -1)
        w = softmax(w, dim=-1)
        if dropout_p > 0.0:
            w = dropout(w, p=dropout_p)
        out = w @ v
        out = out.transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        out = linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, -1)
        w = w.reshape(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            w = w.mean(1)
        if not is_batched:
            out, w = out.squeeze(1), w.squeeze(0)
        return out, w
    if attn_mask is not None:
        if attn_mask.shape[0] == 1 and attn_mask.ndim == 3:
            attn_mask = attn_mask.unsqueeze(0)
        else:
            attn_mask = attn_mask.reshape(bsz, num_heads, -1, src_len)
    q = q.reshape(bsz, num_heads, tgt_len, head_dim)
    k = k.reshape(bsz, num_heads, src_len, head_dim)
    v = v.reshape(bsz, num_heads, src_len, head_dim)
    out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    out = out.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, -1)
    if not is_batched:
        out = out.squeeze(1)
    return out, None

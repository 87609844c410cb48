"""MultiheadAttention (PyTorch's parameters, initialisation and masking rules)."""
from __future__ import annotations

from ..._tensor import Tensor
from ...ops.creation import empty
from .. import init
from .._functional.attention import (_batch_first_self_attention, _canonical_mask, _none_or_dtype,
                                     multi_head_attention_forward)
from ..parameter import Parameter
from .linear import Linear
from .module import Module

__all__ = ["MultiheadAttention"]


class NonDynamicallyQuantizableLinear(Linear):
    """The output projection of MultiheadAttention (a Linear; the name is PyTorch's)."""


class MultiheadAttention(Module):
    """Multi-head attention ``softmax(Q K^T / sqrt(d)) V`` with packed input projections.

    ``attn_mask`` / ``key_padding_mask``: bool (True = masked out) or float (added to the scores).

    >>> import ember
    >>> mha = ember.nn.MultiheadAttention(8, 2, batch_first=True)
    >>> x = ember.randn(3, 5, 8)
    >>> out, w = mha(x, x, x)
    >>> out.shape, w.shape
    (torch.Size([3, 5, 8]), torch.Size([3, 5, 5]))
    """

    __constants__ = ["batch_first"]

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim: int | None = None,
                 vdim: int | None = None, batch_first: bool = False, device=None, dtype=None) -> None:
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be greater than 0, got embed_dim={embed_dim} and "
                             f"num_heads={num_heads} instead")
        super().__init__()
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != embed_dim:
            raise AssertionError("embed_dim must be divisible by num_heads")
        kw = {"device": device, "dtype": dtype}
        if not self._qkv_same_embed_dim:
            self.q_proj_weight = Parameter(empty((embed_dim, embed_dim), **kw))
            self.k_proj_weight = Parameter(empty((embed_dim, self.kdim), **kw))
            self.v_proj_weight = Parameter(empty((embed_dim, self.vdim), **kw))
            self.register_parameter("in_proj_weight", None)
        else:
            self.in_proj_weight = Parameter(empty((3 * embed_dim, embed_dim), **kw))
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(empty(3 * embed_dim, **kw))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias, **kw)
        if add_bias_kv:
            self.bias_k = Parameter(empty((1, 1, embed_dim), **kw))
            self.bias_v = Parameter(empty((1, 1, embed_dim), **kw))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
        if self.bias_v is not None:
            init.xavier_normal_(self.bias_v)

    def _fast_self(self, x: Tensor, key_padding_mask, need_weights: bool, attn_mask, is_causal: bool) -> bool:
        """Whether self-attention on ``x`` (with canonical masks) may take ``_batch_first_self_attention``."""
        return (self.batch_first and x.ndim == 3 and not need_weights and key_padding_mask is None
                and self._qkv_same_embed_dim and self.bias_k is None and not self.add_zero_attn
                and x.shape[-1] == self.embed_dim
                and (attn_mask is not None if is_causal else
                     attn_mask is None or tuple(attn_mask.shape) == (x.shape[1],) * 2))

    def _self_attention(self, x: Tensor, attn_mask, is_causal: bool, norm=None) -> Tensor:
        """The batch-first self-attention fast path; ``norm = (weight, bias, eps)`` layer-normalizes ``x`` first."""
        return _batch_first_self_attention(x, self.num_heads, self.in_proj_weight, self.in_proj_bias,
                                           self.out_proj.weight, self.out_proj.bias, attn_mask,
                                           self.dropout if self.training else 0.0, is_causal, norm)

    def forward(self, query: Tensor, key: Tensor, value: Tensor, key_padding_mask: Tensor | None = None,
                need_weights: bool = True, attn_mask: Tensor | None = None, average_attn_weights: bool = True,
                is_causal: bool = False):
        is_batched = query.ndim == 3
        key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", _none_or_dtype(attn_mask),
                                           "attn_mask", query.dtype)
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, check_other=False)
        if query is key and key is value and self._fast_self(query, key_padding_mask, need_weights, attn_mask,
                                                              is_causal):
            return self._self_attention(query, attn_mask, is_causal), None
        if self.batch_first and is_batched:
            if key is value:
                if query is key:
                    query = key = value = query.transpose(1, 0)
                else:
                    query, key = (x.transpose(1, 0) for x in (query, key))
                    value = key
            else:
                query, key, value = (x.transpose(1, 0) for x in (query, key, value))
        sep = not self._qkv_same_embed_dim
        out, w = multi_head_attention_forward(
            query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight, self.in_proj_bias, self.bias_k,
            self.bias_v, self.add_zero_attn, self.dropout, self.out_proj.weight, self.out_proj.bias,
            training=self.training, key_padding_mask=key_padding_mask, need_weights=need_weights,
            attn_mask=attn_mask, use_separate_proj_weight=sep, q_proj_weight=self.q_proj_weight if sep else None,
            k_proj_weight=self.k_proj_weight if sep else None, v_proj_weight=self.v_proj_weight if sep else None,
            average_attn_weights=average_attn_weights, is_causal=is_causal)
        if self.batch_first and is_batched:
            return out.transpose(1, 0), w
        return out, w

    def merge_masks(self, attn_mask: Tensor | None, key_padding_mask: Tensor | None, query: Tensor):
        """Combine the two masks into one float mask of shape ``(N, num_heads, L, S)`` and its type code."""
        mask_type = None
        merged = None
        if key_padding_mask is not None:
            mask_type = 1
            merged = key_padding_mask
        if attn_mask is not None:
            bsz, seq_len, _ = query.shape
            mask_type = 2
            am = attn_mask.reshape(1, 1, seq_len, seq_len) if attn_mask.ndim == 2 else \
                attn_mask.reshape(bsz, -1, seq_len, seq_len)
            am = am.expand(bsz, self.num_heads, -1, -1)
            merged = am
            if key_padding_mask is not None:
                kpm = _canonical_mask(key_padding_mask, "key_padding_mask", None, "", query.dtype)
                kpm = kpm.reshape(bsz, 1, 1, seq_len).expand(-1, self.num_heads, -1, -1)
                merged = _canonical_mask(am, "attn_mask", None, "", query.dtype) + kpm
        return merged, mask_type

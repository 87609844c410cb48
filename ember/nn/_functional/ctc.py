"""CTC loss: forward/backward (alpha/beta) recursions vectorised over the batch, looping over time only."""
from __future__ import annotations

import numpy as np

from ..._tensor import Tensor, _wrap
from ...autograd.grad_mode import state
from ...autograd.graph import Node, link
from ...ops._util import array_module

__all__ = ["ctc_loss"]

_NEG = -np.inf


def _lse(*arrs):
    """Elementwise log(sum(exp(a_i))) that stays -inf (not NaN) where every term is -inf."""
    m = arrs[0]
    for a in arrs[1:]:
        m = np.maximum(m, a)
    safe = np.where(np.isfinite(m), m, 0.0)
    s = sum(np.exp(a - safe) for a in arrs)
    with np.errstate(divide="ignore"):
        return np.log(s) + safe


def _lengths(x, n: int, name: str) -> np.ndarray:
    if isinstance(x, Tensor):
        a = x._np()
    else:
        a = np.asarray(x)
    a = a.astype(np.int64).reshape(-1)
    if a.size != n:
        raise RuntimeError(f"Expected tensor to have size {n} at dimension 0, but got size {a.size} for argument "
                           f"'{name}' (while checking arguments for ctc_loss_cpu)")
    return a


class CtcLossBackward0(Node):
    __slots__ = ("grad",)

    def backward(self, g):
        gd = g.reshape(1, -1, 1) if g.ndim else g.reshape(1, 1)
        return gd * _wrap(self.grad)


def _ctc_forward(lp, targets, in_len, tg_len, blank):
    """(nll per sample, gradient of nll w.r.t. log_probs as PyTorch defines it); lp is (T, N, C) float64."""
    t_max, n, c = lp.shape
    s_max = int(tg_len.max()) if n else 0
    width = 2 * s_max + 1
    ext = np.full((n, width), blank, dtype=np.int64)
    ext[:, 1::2] = targets[:, :s_max]
    pos = np.arange(width)
    valid = pos[None, :] < (2 * tg_len + 1)[:, None]
    skip = np.zeros((n, width), dtype=bool)
    skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
    rows = np.arange(n)[:, None]
    emit = lp[:, rows, ext]  # (T, N, width): log-prob of each extended label at each time
    emit = np.where(valid[None], emit, _NEG)

    alpha = np.full((t_max, n, width), _NEG)
    a = np.full((n, width), _NEG)
    a[:, 0] = emit[0, :, 0]
    if width > 1:
        a[:, 1] = np.where(tg_len > 0, emit[0, :, 1], _NEG)
    alpha[0] = a
    for t in range(1, t_max):
        a1 = np.concatenate([np.full((n, 1), _NEG), a[:, :-1]], axis=1)
        a2 = np.concatenate([np.full((n, 2), _NEG), a[:, :-2]], axis=1)
        a2 = np.where(skip, a2, _NEG)
        new = _lse(a, a1, a2) + emit[t]
        a = np.where((t < in_len)[:, None], new, a)
        alpha[t] = a
    last = np.clip(in_len - 1, 0, None)
    a_end = alpha[last, np.arange(n)]  # (N, width)
    end1 = a_end[np.arange(n), 2 * tg_len]
    end2 = np.where(tg_len > 0, a_end[np.arange(n), np.maximum(2 * tg_len - 1, 0)], _NEG)
    nll = -_lse(end1, end2)

    beta = np.full((t_max, n, width), _NEG)
    b = np.full((n, width), _NEG)
    for t in range(t_max - 1, -1, -1):
        ends = np.zeros((n, width), dtype=bool)
        ends[np.arange(n), 2 * tg_len] = True
        ends[np.arange(n), np.maximum(2 * tg_len - 1, 0)] |= tg_len > 0
        init = np.where(ends, emit[t], _NEG)
        b1 = np.concatenate([b[:, 1:], np.full((n, 1), _NEG)], axis=1)
        b2 = np.concatenate([b[:, 2:], np.full((n, 2), _NEG)], axis=1)
        b2 = np.where(np.concatenate([skip[:, 2:], np.zeros((n, 2), bool)], axis=1), b2, _NEG)
        rec = _lse(b, b1, b2) + emit[t]
        b = np.where((t == in_len - 1)[:, None], init, np.where((t < in_len - 1)[:, None], rec, _NEG))
        beta[t] = b

    ab = alpha + beta
    m = ab.max(axis=2, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    onehot = np.zeros((n, width, c))
    onehot[np.arange(n)[:, None], pos[None, :], ext] = 1.0
    summed = np.einsum("tnl,nlc->tnc", np.exp(ab - m), onehot)
    with np.errstate(divide="ignore"):
        lcab = np.log(summed) + m
    with np.errstate(over="ignore", invalid="ignore"):
        grad = np.exp(lp) - np.exp(lcab + nll[None, :, None] - lp)
    grad = np.where((np.arange(t_max)[:, None] < in_len[None, :])[:, :, None], grad, 0.0)
    return nll, grad


def ctc_loss(log_probs: Tensor, targets: Tensor, input_lengths, target_lengths, blank: int = 0,
             reduction: str = "mean", zero_infinity: bool = False) -> Tensor:
    """Connectionist temporal classification loss of ``log_probs`` (T, N, C) against label sequences.

    ``targets`` is (N, S) padded or 1-D concatenated; ``reduction='mean'`` divides each loss by its
    target length before averaging over the batch.

    >>> import ember
    >>> lp = ember.zeros(3, 1, 2).log_softmax(2)
    >>> round(ember.nn.functional.ctc_loss(lp, ember.tensor([[1]]), [3], [1], reduction="sum").item(), 4)
    0.2877
    """
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    unbatched = log_probs.ndim == 2
    lp_t = log_probs.unsqueeze(1) if unbatched else log_probs
    if lp_t.ndim != 3:
        raise RuntimeError(f"ctc_loss expects log_probs to be a 2-D or 3-D tensor, got {log_probs.ndim}-D")
    t_max, n, _c = lp_t.shape
    in_len = _lengths(input_lengths, n, "input_lengths")
    tg_len = _lengths(target_lengths, n, "target_lengths")
    if (in_len > t_max).any():
        raise RuntimeError(f"Expected input_lengths to have value at most {t_max}, but got value "
                           f"{int(in_len.max())} (while checking arguments for ctc_loss_cpu)")
    tg = targets._np().astype(np.int64) if isinstance(targets, Tensor) else np.asarray(targets, np.int64)
    if unbatched:
        tg = tg.reshape(1, -1)
    s_max = int(tg_len.max()) if n else 0
    if tg.ndim == 1:  # concatenated targets
        padded = np.zeros((n, max(s_max, 1)), dtype=np.int64)
        offs = np.concatenate([[0], np.cumsum(tg_len)[:-1]])
        for i in range(n):  # one slice per sample to unpack the concatenation
            padded[i, :tg_len[i]] = tg[offs[i]:offs[i] + tg_len[i]]
        tg = padded
    elif tg.shape[1] < s_max:
        raise RuntimeError(f"Expected tensor to have size at least {s_max} at dimension 1, but got size "
                           f"{tg.shape[1]} for argument #2 'targets' (while checking arguments for ctc_loss_cpu)")
    lp = lp_t._np().astype(np.float64)
    nll, grad = _ctc_forward(lp, tg, in_len, tg_len, blank)
    if zero_infinity:
        inf = ~np.isfinite(nll)
        nll = np.where(inf, 0.0, nll)
        grad = np.where(inf[None, :, None], 0.0, grad)
    dt = log_probs._data.dtype
    xp = array_module(log_probs._data)
    out = xp.asarray(nll.astype(dt))
    res = _wrap(out.reshape(()) if unbatched else out)
    if state.enabled and log_probs._rg:
        node = CtcLossBackward0()
        g = grad.astype(dt)
        node.grad = xp.asarray(g[:, 0] if unbatched else g)
        link(node, res, (log_probs,))
    if reduction == "sum":
        return res.sum()
    if reduction == "mean":
        denom = xp.asarray(np.maximum(tg_len, 1).astype(dt))
        return (res / _wrap(denom.reshape(()) if unbatched else denom)).mean()
    return res

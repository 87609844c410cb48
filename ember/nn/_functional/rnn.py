"""Recurrent layer kernels: a fused NumPy/CuPy layer node (forward + BPTT) and the composed Tensor-op reference."""
from __future__ import annotations

import numpy as np

from ..._device import array_module
from ..._rowsum import colsum
from ..._tensor import Tensor, _wrap
from ...autograd.grad_mode import state
from ...autograd.graph import Node, link_multi
from ...ops.shape import cat, stack
from .dropout import dropout
from .linear import linear


def _sigmoid(x):
    return 1.0 / (1.0 + array_module(x).exp(-x))


# ----------------------------------------------------------------------------- composed reference (differentiable)
def _layer_composed(mode, x, bs, offs, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, reverse):
    """One direction of one layer with Tensor ops; ``x`` is packed ``(N, I)`` in time-major order."""
    xp = linear(x, w_ih, b_ih)
    h, c = h0, c0
    n_t = len(bs)
    outs = [None] * n_t
    for t in (range(n_t - 1, -1, -1) if reverse else range(n_t)):
        s, b = offs[t], bs[t]
        full = b == h.shape[0]
        hp = h if full else h[:b]
        gh = linear(hp, w_hh, b_hh)
        gi = xp[s:s + b]
        if mode == "LSTM":
            i, f, g, o = (gi + gh).chunk(4, 1)
            cn = f.sigmoid() * (c if full else c[:b]) + i.sigmoid() * g.tanh()
            hn = o.sigmoid() * cn.tanh()
            if w_hr is not None:
                hn = linear(hn, w_hr)
            c = cn if full else cat([cn, c[b:]])
        elif mode == "GRU":
            ir, iz, i_n = gi.chunk(3, 1)
            hr, hz, h_n = gh.chunk(3, 1)
            r = (ir + hr).sigmoid()
            z = (iz + hz).sigmoid()
            nn_ = (i_n + r * h_n).tanh()
            hn = nn_ + z * (hp - nn_)
        else:
            pre = gi + gh
            hn = pre.tanh() if mode == "RNN_TANH" else pre.relu()
        outs[t] = hn
        h = hn if full else cat([hn, h[b:]])
    return cat(outs), h, c


# ----------------------------------------------------------------------------- fused layer
class MkldnnRnnLayerBackward0(Node):
    """One direction of one recurrent layer over a whole (packed) sequence: NumPy forward and BPTT backward.

    With ``create_graph`` the gradient is recomputed through the composed Tensor-op version, so higher-order
    gradients are available too.
    """

    __slots__ = ("blocked", "bs", "cache", "mode", "offs", "reverse")
    num_outputs = 3

    def backward(self, gout, ghn, gcn):
        saved = self.saved_tensors
        if state.enabled:
            return self._backward_composed(saved, gout, ghn, gcn)
        x, h0, c0, w_ih, w_hh, _, _, w_hr = (None if t is None else t._data for t in saved)
        if self.blocked:
            e = self.next_edges
            gx, gh0, gc0, gw_ih, gw_hh, gb = _lstm_blocked_backward(
                self, x, w_ih, w_hh, None if gout is None else gout._data, None if ghn is None else ghn._data,
                None if gcn is None else gcn._data, [ed is not None for ed in e])
            gb_hh = None if gb is None else gb.copy()  # b_ih and b_hh get the same values, never the same array
            return tuple(None if a is None else _wrap(a) for a in (gx, gh0, gc0, gw_ih, gw_hh, gb, gb_hh, None))
        mode, bs, offs = self.mode, self.bs, self.offs
        xp_ = array_module(x)
        act, aux, hprev, hfull = self.cache
        n = x.shape[0]
        g_sz = w_hh.shape[0]
        hid = g_sz // {"LSTM": 4, "GRU": 3}.get(mode, 1)
        go = None if gout is None else gout._data
        dh = xp_.zeros_like(h0) if ghn is None else ghn._data.astype(h0.dtype, copy=True)
        dc = None
        if mode == "LSTM":
            dc = xp_.zeros_like(c0) if gcn is None else gcn._data.astype(c0.dtype, copy=True)
        dxp = xp_.empty((n, g_sz), dtype=x.dtype)
        dgh = xp_.empty((n, g_sz), dtype=x.dtype) if mode == "GRU" else dxp
        dhf = xp_.empty((n, w_hr.shape[0]), dtype=x.dtype) if w_hr is not None else None
        h2, h3 = 2 * hid, 3 * hid
        # the per-row factors of the chain rule, for every time step at once (vectorised over the sequence)
        if mode == "LSTM":
            i, f, g, o = act[:, :hid], act[:, hid:h2], act[:, h2:h3], act[:, h3:]
            cp, tc = aux
            fac = xp_.empty_like(act)
            fac[:, :hid] = g * i * (1 - i)
            fac[:, hid:h2] = cp * f * (1 - f)
            fac[:, h2:h3] = i * (1 - g * g)
            fac[:, h3:] = tc * o * (1 - o)
            dcfac = o * (1 - tc * tc)
        elif mode == "GRU":
            r, z, nn_ = act[:, :hid], act[:, hid:h2], act[:, h2:]
            q_n = (1 - z) * (1 - nn_ * nn_)
            q_r = aux * r * (1 - r)
            q_z = (hprev - nn_) * z * (1 - z)
        else:
            dfac = 1 - act * act if mode == "RNN_TANH" else (act > 0).astype(act.dtype)
        for t in (range(len(bs)) if self.reverse else range(len(bs) - 1, -1, -1)):
            s, b = offs[t], bs[t]
            sl = slice(s, s + b)
            dht = dh[:b] if go is None else dh[:b] + go[sl]
            if mode == "LSTM":
                if w_hr is not None:
                    dhf[sl] = dht
                    dht = dht @ w_hr
                dct = dht * dcfac[sl]
                dct += dc[:b]
                dg = dxp[sl]
                xp_.multiply(fac[sl, :h3].reshape(b, 3, hid), dct[:, None, :], out=dg[:, :h3].reshape(b, 3, hid))
                xp_.multiply(fac[sl, h3:], dht, out=dg[:, h3:])
                dcn = dct * f[sl]
                dc = dcn if b == dc.shape[0] else xp_.concatenate([dcn, dc[b:]])
                dhp = dg @ w_hh
            elif mode == "GRU":
                dgi, dghh = dxp[sl], dgh[sl]
                dn = dgi[:, h2:]
                xp_.multiply(dht, q_n[sl], out=dn)
                xp_.multiply(dn, q_r[sl], out=dgi[:, :hid])
                xp_.multiply(dht, q_z[sl], out=dgi[:, hid:h2])
                dghh[:, :h2] = dgi[:, :h2]
                xp_.multiply(dn, r[sl], out=dghh[:, h2:])
                dhp = dghh @ w_hh
                dhp += dht * z[sl]
            else:
                d = dxp[sl]
                xp_.multiply(dht, dfac[sl], out=d)
                dhp = d @ w_hh
            dh = dhp if b == dh.shape[0] else xp_.concatenate([dhp, dh[b:]])
        e = self.next_edges
        gx = _wrap(dxp @ w_ih) if e[0] is not None else None
        gh0 = _wrap(dh) if e[1] is not None else None
        gc0 = _wrap(dc) if e[2] is not None else None
        gw_ih = _wrap(dxp.T @ x) if e[3] is not None else None
        gw_hh = _wrap(dgh.T @ hprev) if e[4] is not None else None
        gb_ih = _wrap(dxp.sum(0)) if e[5] is not None else None
        gb_hh = _wrap(dgh.sum(0)) if e[6] is not None else None
        gw_hr = _wrap(dhf.T @ hfull) if e[7] is not None else None
        return gx, gh0, gc0, gw_ih, gw_hh, gb_ih, gb_hh, gw_hr

    def release(self) -> None:
        self._saved = None
        self.cache = None

    def _backward_composed(self, saved, gout, ghn, gcn):
        from ...autograd import grad  # noqa: PLC0415
        from ...autograd.grad_mode import enable_grad  # noqa: PLC0415

        live = [t for t in saved if t is not None and t._rg]
        x = saved[0]
        with enable_grad():
            outs = _layer_composed(self.mode, x if x.ndim == 2 else x.reshape(-1, x.shape[-1]), self.bs, self.offs,
                                   *saved[1:], self.reverse)
            if x.ndim == 3:  # the blocked kernel's (T, B, I) input
                outs = (outs[0].reshape(x.shape[0], x.shape[1], -1),) + tuple(outs[1:])
        pairs = [(o, g) for o, g in zip(outs, (gout, ghn, gcn)) if o is not None and g is not None]
        gs = grad([o for o, _ in pairs], live, [g for _, g in pairs], create_graph=True, allow_unused=True)
        it = iter(gs)
        return tuple(next(it) if t is not None and t._rg else None for t in saved)


# ----------------------------------------------------------------------------- LSTM, step-blocked layout
# With every step of the same batch size B (no packing) and no projection, the LSTM runs "transposed": step t's
# gates are one contiguous (4H, B) block of a (T, 4H, B) array. Every elementwise op then works on contiguous
# row blocks (the gate slices of a row-major (B, 4H) block are strided, ~4x slower in NumPy for these sizes),
# and the recurrent GEMM is W_hh @ h^T, which OpenBLAS runs ~1.8x faster than h @ W_hh^T at B = 32.
# All four gates go through one tanh: sigmoid(z) = (1 + tanh(z / 2)) / 2, so the input, forget and output gate
# projections are pre-scaled by 1/2 (exactly) once, outside the loop. On the AVX-512 machine NumPy's float32 tanh
# runs at 0.28 ns per element against 0.41 for exp, and the sigmoid gates need two more passes against three
# (exp, + 1, reciprocal) plus two to turn the cell gate's sigmoid(2z) into tanh(z): 10.1 against 13.5 us per step
# for the gates at B = 32, H = 128. Inside, the gates are ordered (i, f, o, g), so that the three sigmoid gates
# are one block of rows: two NumPy calls per step fewer in the forward and one in the backward (LSTM step
# ~13.3 -> ~13.0 ms); the weight gradient's rows go back to PyTorch's (i, f, g, o) after the loop.
def _gate_blocks(hid: int):
    """``(dst, src)`` row slices taking PyTorch's gate order (i, f, g, o) to the blocked kernel's (i, f, o, g), and
    back (the permutation swaps the last two blocks, so it is its own inverse). Copies by slices: a fancy index
    over the rows runs 1.6-2x slower than three block copies."""
    h2, h3, h4 = 2 * hid, 3 * hid, 4 * hid
    return ((slice(0, h2), slice(0, h2)), (slice(h2, h3), slice(h3, h4)), (slice(h3, h4), slice(h2, h3)))


def _gate_rows(a, hid: int, out):
    """``out[...] = a`` with its first axis's gate blocks swapped as in ``_gate_blocks``; returns ``out``."""
    for dst, src in _gate_blocks(hid):
        out[dst] = a[src]
    return out


def _lstm_blocked_forward(xd, t_n, b, hd, cd, wi, wh, bi, bh, reverse):
    """Forward over ``xd (T*B, I)`` or a ``(T, B, I)`` view of any layout (a batch-first module's transposed input,
    read without a copy); returns ``(out, h_n (B, H), c_n (B, H), cache)``, ``out`` shaped like ``xd`` with H
    features and laid out time-major as PyTorch's (a following dropout draws its mask in memory order).

    Each step is one GEMM ``[W_hh | W_ih | b] @ [h; x_t; 1]`` over a (H + I + 1, B) block of ``stack``: slot j
    holds the j-th processed step's previous hidden state, its input and a row of ones, and the step writes its
    hidden state straight into slot j + 1 (so the backward finds every step's inputs in ``stack``).
    """
    xp_ = array_module(xd)
    g_sz, hid = wh.shape[0], wh.shape[1]
    n_in = wi.shape[1]
    h2, h3 = 2 * hid, 3 * hid
    # [W_hh | W_ih | b] with the gates in the order (i, f, o, g) inside: the three sigmoid gates are one
    # contiguous block of rows
    w_all = xp_.empty((g_sz, hid + n_in + 1), dtype=xd.dtype)
    _gate_rows(wh, hid, w_all[:, :hid])
    _gate_rows(wi, hid, w_all[:, hid:hid + n_in])
    bias = w_all[:, hid + n_in]
    if bi is None and bh is None:
        bias[...] = 0
    else:
        _gate_rows(bi if bh is None else bh if bi is None else bi + bh, hid, bias)
    w_all[:h3] *= 0.5
    stack = xp_.empty((t_n + 1, hid + n_in + 1, b), dtype=xd.dtype)
    xt = xd.reshape(t_n, b, n_in).transpose(0, 2, 1)
    stack[:t_n, hid:hid + n_in] = xt[::-1] if reverse else xt
    stack[:, hid + n_in] = 1
    stack[0, :hid] = hd.T
    act = xp_.empty((t_n, g_sz, b), dtype=xd.dtype)
    cst = xp_.empty((t_n + 1, hid, b), dtype=xd.dtype)  # cell states in processing order: step j reads cst[j]
    cst[0] = cd.T                                       # and writes cst[j + 1] (the backward's c_{t-1} in place)
    tmp = xp_.empty((hid, b), dtype=xd.dtype)
    tcs = xp_.empty((t_n, hid, b), dtype=xd.dtype)
    for j in range(t_n):
        t = t_n - 1 - j if reverse else j
        a = act[t]
        xp_.matmul(w_all, stack[j], out=a)  # the pre-activations, halved for the sigmoid gates
        xp_.tanh(a, out=a)
        s = a[:h3]
        s *= 0.5
        s += 0.5  # sigmoid of the input, forget and output gates; the cell gate's rows hold tanh(z) already
        cn = cst[j + 1]
        xp_.multiply(a[hid:h2], cst[j], out=cn)
        xp_.multiply(a[:hid], a[h3:], out=tmp)
        cn += tmp
        tc = tcs[t]
        xp_.tanh(cn, out=tc)
        xp_.multiply(a[h2:h3], tc, out=stack[j + 1, :hid])
    hs = stack[1:, :hid]  # hidden states in processing order
    hs = hs[::-1] if reverse else hs  # (T, H, B) by time step
    out = xp_.ascontiguousarray(hs.transpose(0, 2, 1))
    if xd.ndim == 2:
        out = out.reshape(t_n * b, hid)
    cps = cst[t_n - 1::-1] if reverse else cst[:t_n]  # c_{t-1} by time step
    return out, xp_.ascontiguousarray(stack[t_n, :hid].T), xp_.ascontiguousarray(cst[t_n].T), (act, cps, tcs, stack)


def _lstm_blocked_backward(node, x, wi, wh, gout, ghn, gcn, need):
    """BPTT of ``_lstm_blocked_forward``; raw arrays in, raw gradients (x, h0, c0, w_ih, w_hh, b) out."""
    act, cps, tcs, stack = node.cache
    xp_ = array_module(x)
    t_n, g_sz, b = act.shape
    hid = g_sz // 4
    n_in = x.shape[-1]
    h2, h3 = 2 * hid, 3 * hid
    reverse = node.reverse
    go = None if gout is None else xp_.ascontiguousarray(gout.reshape(t_n, b, hid).transpose(0, 2, 1))
    dh = xp_.zeros((hid, b), dtype=x.dtype) if ghn is None else xp_.ascontiguousarray(ghn.T).astype(x.dtype)
    dc = xp_.zeros((hid, b), dtype=x.dtype) if gcn is None else xp_.ascontiguousarray(gcn.T).astype(x.dtype)
    dxp = xp_.empty_like(act)
    wht = _gate_rows(wh, hid, xp_.empty((hid, g_sz), dtype=x.dtype).T).T  # W_hh^T, its columns in (i, f, o, g)
    dht = xp_.empty((hid, b), dtype=x.dtype)
    dct = xp_.empty((hid, b), dtype=x.dtype)
    # Each step's derivative factors are formed in the loop, on blocks that stay in cache: as whole-sequence passes
    # before it (the earlier form) they streamed the 4 MB gate array through memory 15 times (1.3 ms at T=64,
    # B=32, H=128) for a loop only ~10 us per step shorter.
    for t in (range(t_n) if reverse else range(t_n - 1, -1, -1)):
        a, dg, tc = act[t], dxp[t], tcs[t]  # gates (i, f, o, g) as in the forward
        s, o, dg_s, dg_o = a[:h3], a[h2:h3], dg[:h3], dg[h2:h3]
        g, dg_g = a[h3:], dg[h3:]
        xp_.subtract(1, s, out=dg_s)  # sigmoid' = s (1 - s) for the input, forget and output gates
        dg_s *= s
        xp_.multiply(g, g, out=dg_g)  # tanh' = 1 - t^2 for the cell gate
        xp_.subtract(1, dg_g, out=dg_g)
        dg[:hid] *= g  # times each gate's partner in its product: i g, f c_{t-1}, o tanh(c), i g
        dg[hid:h2] *= cps[t]
        dg_o *= tc
        dg_g *= a[:hid]
        if go is None:
            dht[...] = dh
        else:
            xp_.add(dh, go[t], out=dht)
        dg_o *= dht
        xp_.multiply(tc, tc, out=dct)  # dc_t = dh_t o (1 - tanh(c)^2) + dc_{t+1} f_{t+1}
        xp_.subtract(1, dct, out=dct)
        dct *= o
        dct *= dht
        dct += dc
        dg_if = dg[:h2].reshape(2, hid, b)
        dg_if *= dct  # input and forget gates
        dg_g *= dct  # and the cell gate
        dc = dct * a[hid:h2]
        dh = wht @ dg
    # the weight GEMMs read the gate gradients as (4H, T*B): moving the time axis keeps runs of B contiguous, a
    # third of the cost of the (T*B, 4H) copy (0.3 against 0.9 ms at T=64, B=32, H=128); a (4H, T, B) dxp in the
    # loop instead makes each step's elementwise ops and GEMM strided, slower still
    dxa = xp_.ascontiguousarray(dxp.transpose(1, 0, 2)).reshape(g_sz, t_n * b)
    gx = (dxa.T @ _gate_rows(wi, hid, xp_.empty_like(wi))).reshape(x.shape) if need[0] else None
    gh0 = xp_.ascontiguousarray(dh.T) if need[1] else None
    gc0 = xp_.ascontiguousarray(dc.T) if need[2] else None
    gw_ih = gw_hh = gb = None
    if need[3] or need[4] or need[5] or need[6]:
        # [dW_hh | dW_ih | db] in one GEMM against every step's [h_{t-1}; x_t; 1] (time order)
        slots = stack[:t_n]
        rows = xp_.ascontiguousarray((slots[::-1] if reverse else slots).transpose(1, 0, 2)).reshape(-1, t_n * b)
        gw = _gate_rows(dxa @ rows.T, hid, xp_.empty((g_sz, rows.shape[0]), dtype=x.dtype))  # back to (i, f, g, o)
        gw_hh, gw_ih, gb = gw[:, :hid], gw[:, hid:hid + n_in], gw[:, hid + n_in]
    return gx, gh0, gc0, gw_ih, gw_hh, gb


def _layer_fused(mode, x, bs, offs, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, reverse):
    xd, hd, wi, wh = x._data, h0._data, w_ih._data, w_hh._data
    xp_ = array_module(xd)
    if mode == "LSTM" and w_hr is None and bs and all(b == bs[0] for b in bs):
        bd = [None if t is None else t._data for t in (b_ih, b_hh)]
        out, hn, cn, cache = _lstm_blocked_forward(xd, len(bs), bs[0], hd, c0._data, wi, wh, bd[0], bd[1],
                                                   reverse)
        res = (_wrap(out), _wrap(hn), _wrap(cn))
        _link_layer(res, (x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr), mode, bs, offs, reverse, cache, True)
        return res
    if xd.ndim == 3:  # the row-major kernels take packed (T*B, I) rows
        o, hn, cn = _layer_fused(mode, x.reshape(-1, xd.shape[-1]), bs, offs, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr,
                                 reverse)
        return o.reshape(xd.shape[0], xd.shape[1], o.shape[-1]), hn, cn
    n = xd.shape[0]
    g_sz = wh.shape[0]
    hid = g_sz // {"LSTM": 4, "GRU": 3}.get(mode, 1)
    whr = None if w_hr is None else w_hr._data
    xp = xd @ wi.T
    if b_ih is not None:
        xp += b_ih._data
    bh = None if b_hh is None else b_hh._data
    if bh is not None and mode != "GRU":  # b_hh sits outside the nonlinearity: fold it into the input projection
        xp += bh
        bh = None
    wht = xp_.ascontiguousarray(wh.T)
    whrt = None if whr is None else xp_.ascontiguousarray(whr.T)
    hs = hd.shape[1]
    out = xp_.empty((n, hs), dtype=xd.dtype)
    hprev = xp_.empty((n, hs), dtype=xd.dtype)
    act = xp_.empty((n, g_sz), dtype=xd.dtype) if mode != "RNN_TANH" and mode != "RNN_RELU" else out
    aux = None
    hfull = None
    h = hd
    c = None
    if mode == "LSTM":
        c = c0._data
        aux = (xp_.empty((n, hid), dtype=xd.dtype), xp_.empty((n, hid), dtype=xd.dtype))
        if whr is not None:
            hfull = xp_.empty((n, hid), dtype=xd.dtype)
    elif mode == "GRU":
        aux = xp_.empty((n, hid), dtype=xd.dtype)
    h2, h3 = 2 * hid, 3 * hid
    with np.errstate(over="ignore"):
        for t in (range(len(bs) - 1, -1, -1) if reverse else range(len(bs))):
            s, b = offs[t], bs[t]
            sl = slice(s, s + b)
            full = b == h.shape[0]
            hp = h if full else h[:b]
            hprev[sl] = hp
            if mode == "LSTM":
                a = act[sl]
                xp_.matmul(hp, wht, out=a)
                a += xp[sl]
                g = xp_.tanh(a[:, h2:h3])
                xp_.negative(a, out=a)  # sigmoid of every gate in place, then the cell gate's tanh put back
                xp_.exp(a, out=a)
                a += 1
                xp_.reciprocal(a, out=a)
                a[:, h2:h3] = g
                cp = c if full else c[:b]
                aux[0][sl] = cp
                cn = a[:, hid:h2] * cp
                cn += a[:, :hid] * g
                tc = aux[1][sl]
                xp_.tanh(cn, out=tc)
                if whr is not None:
                    hf = hfull[sl]
                    xp_.multiply(a[:, h3:], tc, out=hf)
                    hn = out[sl]
                    xp_.matmul(hf, whrt, out=hn)
                else:
                    hn = out[sl]
                    xp_.multiply(a[:, h3:], tc, out=hn)
                c = cn if full else xp_.concatenate([cn, c[b:]])
            elif mode == "GRU":
                gh = hp @ wht
                if bh is not None:
                    gh += bh
                gi = xp[sl]
                a = act[sl]
                a[:, :h2] = _sigmoid(gi[:, :h2] + gh[:, :h2])
                aux[sl] = gh[:, h2:]
                a[:, h2:] = xp_.tanh(gi[:, h2:] + a[:, :hid] * gh[:, h2:])
                nn_ = a[:, h2:]
                hn = out[sl]
                xp_.subtract(hp, nn_, out=hn)
                hn *= a[:, hid:h2]
                hn += nn_
            else:
                hn = out[sl]
                xp_.matmul(hp, wht, out=hn)
                hn += xp[sl]
                if mode == "RNN_TANH":
                    xp_.tanh(hn, out=hn)
                else:
                    xp_.maximum(hn, 0, out=hn)
            h = hn if full else xp_.concatenate([hn, h[b:]])
    res = (_wrap(out), _wrap(xp_.ascontiguousarray(h)), _wrap(c) if mode == "LSTM" else None)
    _link_layer(res, (x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr), mode, bs, offs, reverse, (act, aux, hprev, hfull),
                False)
    return res


def _link_layer(res, inputs, mode, bs, offs, reverse, cache, blocked: bool) -> None:
    """Record one layer-direction as a ``MkldnnRnnLayerBackward0`` node when any input wants a gradient."""
    if state.enabled and any(t is not None and t._rg for t in inputs):
        node = MkldnnRnnLayerBackward0()
        node.mode, node.bs, node.offs, node.reverse = mode, bs, offs, reverse
        node.cache, node.blocked = cache, blocked
        node.save(*inputs)
        link_multi(node, res, inputs)


def rnn_layers(mode: str, data: Tensor, bs: list, hx: Tensor, cx, weights: list, num_layers: int, num_dirs: int,
               dropout_p: float, training: bool):
    """Run a stacked (bi)directional recurrent network over packed ``(N, I)`` ``data`` (or, with equal batch sizes,
    a ``(T, B, I)`` view of any layout); returns ``(out_data, h_n, c_n)``, ``out_data`` shaped like ``data``."""
    offs = [0]
    for b in bs[:-1]:
        offs.append(offs[-1] + b)
    layer_in = data
    hs, cs = [], []
    for layer in range(num_layers):
        outs = []
        for d in range(num_dirs):
            k = layer * num_dirs + d
            w = weights[k]
            o, hn, cn = _layer_fused(mode, layer_in, bs, offs, hx[k], None if cx is None else cx[k], *w, d == 1)
            outs.append(o)
            hs.append(hn)
            cs.append(cn)
        layer_in = outs[0] if num_dirs == 1 else cat(outs, -1)
        if dropout_p and training and layer < num_layers - 1:
            layer_in = dropout(layer_in, dropout_p, True)
    return layer_in, stack(hs), (stack(cs) if mode == "LSTM" else None)

"""How fast can NumPy go? Five suite workloads written as raw NumPy steps, timed against Ember and PyTorch.

Each raw step computes what the suite's workload computes (same model, weights, data, loss and optimizer; the
tests check its outputs, losses and updated weights against PyTorch's), as the fewest NumPy calls we know:
preallocated buffers, in-place updates, parameters in one flat buffer, no Tensor objects, no graph, no argument
checks. Its time is the floor, as far as we know, for any framework built on NumPy and this BLAS: where it is above
the issue's target times PyTorch's step, no thinner framework code can reach that target. The three sides run in
their own worker processes in lockstep, as the main suite does (``benchmarks/_worker.py`` says why).

Run: ``python -m benchmarks.floors [--quick] [--only NAME ...]``. Prints median ms per step for Ember, the NumPy
floor and PyTorch, the ratios to PyTorch, and the issue's target.
"""
from __future__ import annotations

import argparse

import numpy as np

from . import suite
from ._harness import bench_lockstep

_F = np.float32


def _arrays(model) -> list:
    """The model's parameters as float32 NumPy arrays (copies), in ``parameters()`` order."""
    return [np.array(p.detach().numpy(), dtype=_F) for p in model.parameters()]


class _Flat:
    """Parameters (and gradients) as views of one flat buffer each, so an optimizer step is a few long passes."""

    def __init__(self, arrays):
        n = sum(a.size for a in arrays)
        self.p, self.g = np.empty(n, _F), np.zeros(n, _F)
        self.params, self.grads, lo = [], [], 0
        for a in arrays:
            hi = lo + a.size
            self.p[lo:hi] = a.ravel()
            self.params.append(self.p[lo:hi].reshape(a.shape))
            self.grads.append(self.g[lo:hi].reshape(a.shape))
            lo = hi
        self.t = np.empty(n, _F)


def _cross_entropy_grad(z, y, dz):
    """Mean cross-entropy of logits ``z (N, C)`` against ``y (N,)``; writes d loss / d z into ``dz``, returns the
    loss (a float: the step never needs it, but computing it is part of the work)."""
    n = z.shape[0]
    m = z.max(1, keepdims=True)
    np.subtract(z, m, out=dz)
    np.exp(dz, out=dz)
    s = dz.sum(1, keepdims=True)
    loss = float(np.log(s).sum() + m.sum() - z[np.arange(n), y].sum()) / n
    dz *= (1.0 / n) / s
    dz[np.arange(n), y] -= _F(1.0 / n)
    return loss


# ----------------------------------------------------------------------------- 7a. MLP inference, batch 1
def _mlp_infer_floor():
    import ember  # noqa: PLC0415  (the weights: Ember replays PyTorch's initialisation)

    ember.manual_seed(0)
    w0, b0, w1, b1, w2, b2 = _arrays(suite._mlp(ember))
    x = suite._data(ember, 1, 784).numpy()[0]
    h0, h1, out = np.empty(512, _F), np.empty(256, _F), np.empty(10, _F)
    zero = _F(0)

    def step():
        np.matmul(w0, x, out=h0)
        np.add(h0, b0, out=h0)
        np.maximum(zero, h0, out=h0)
        np.matmul(w1, h0, out=h1)
        np.add(h1, b1, out=h1)
        np.maximum(zero, h1, out=h1)
        np.matmul(w2, h1, out=out)
        np.add(out, b2, out=out)
        return out
    return step


# ----------------------------------------------------------------------------- 3. MNIST MLP training step
def _mnist_floor():
    import ember  # noqa: PLC0415

    ember.manual_seed(0)
    # the weights stored transposed ((in, out), free for a raw step: SGD is elementwise), so the forward's
    # products need no transposed operand: 3 % faster than the (out, in) layout here
    fl = _Flat([a.T if a.ndim == 2 else a for a in _arrays(suite._mlp(ember))])
    w0, b0, w1, b1, w2, b2 = fl.params
    g_w0, g_b0, g_w1, g_b1, g_w2, g_b2 = fl.grads
    x = suite._data(ember, 128, 784).numpy()
    y = suite._data(ember, 128, kind=10).numpy()
    a1, a2, z3 = np.empty((128, 512), _F), np.empty((128, 256), _F), np.empty((128, 10), _F)
    d1, d2, d3 = np.empty_like(a1), np.empty_like(a2), np.empty_like(z3)
    buf = np.zeros_like(fl.p)
    lr, momentum = _F(0.01), _F(0.9)
    zero = _F(0)

    def step():
        np.matmul(x, w0, out=a1)  # forward
        np.add(a1, b0, out=a1)
        np.maximum(zero, a1, out=a1)
        np.matmul(a1, w1, out=a2)
        np.add(a2, b1, out=a2)
        np.maximum(zero, a2, out=a2)
        np.matmul(a2, w2, out=z3)
        np.add(z3, b2, out=z3)
        loss = _cross_entropy_grad(z3, y, d3)
        np.matmul(a2.T, d3, out=g_w2)  # backward
        np.sum(d3, 0, out=g_b2)
        np.matmul(d3, w2.T, out=d2)
        np.multiply(d2, a2 > 0, out=d2)
        np.matmul(a1.T, d2, out=g_w1)
        np.sum(d2, 0, out=g_b1)
        np.matmul(d2, w1.T, out=d1)
        np.multiply(d1, a1 > 0, out=d1)
        np.matmul(x.T, d1, out=g_w0)
        np.sum(d1, 0, out=g_b0)
        # SGD with momentum (with a zero buffer, the first step's buffer is the gradient itself, as PyTorch's)
        np.multiply(buf, momentum, out=buf)
        np.add(buf, fl.g, out=buf)
        np.multiply(buf, lr, out=fl.t)
        fl.p -= fl.t
        return loss
    # the parameters in PyTorch's order and layout, for the tests
    step.params = lambda: [a.T if a.ndim == 2 else a for a in fl.params]
    return step


# ----------------------------------------------------------------------------- 4. CNN training step
def _adam(fl, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """PyTorch's Adam over the flat buffers ``fl`` as long NumPy passes; returns the update function."""
    m1, m2, t2 = np.zeros_like(fl.p), np.zeros_like(fl.p), np.empty_like(fl.p)
    t1 = fl.t
    count = [0]

    def update():
        count[0] += 1
        n = count[0]
        np.multiply(m1, beta1, out=m1)
        np.multiply(fl.g, 1 - beta1, out=t1)
        np.add(m1, t1, out=m1)
        np.multiply(m2, beta2, out=m2)
        np.multiply(fl.g, fl.g, out=t1)
        np.multiply(t1, 1 - beta2, out=t1)
        np.add(m2, t1, out=m2)
        np.sqrt(m2, out=t2)
        np.multiply(t2, 1 / np.sqrt(1 - beta2 ** n), out=t2)
        np.add(t2, eps, out=t2)
        np.divide(m1, t2, out=t1)
        np.multiply(t1, lr / (1 - beta1 ** n), out=t1)
        np.subtract(fl.p, t1, out=fl.p)
    return update


def _pool_relu(y):
    """ReLU (in place) then a 2x2 max pool of ``y (N, C, H, W)``, as Ember's kernel: the pooled values, each
    window's winning offset (the first maximum, 0-3 in row-major order) and where the maximum is positive."""
    from ember.nn._functional.pooling import _tiled_max_2d  # noqa: PLC0415

    np.maximum(_F(0), y, out=y)
    vals = _tiled_max_2d(y, (2, 2), (y.shape[2] // 2, y.shape[3] // 2))
    karg = np.zeros(vals.shape, dtype=np.uint8)
    ne = np.empty(vals.shape, dtype=bool)
    for k in (2, 1, 0):  # karg_k = (x_k != max) * (1 + karg_{k+1})
        np.not_equal(y[:, :, k // 2::2, k % 2::2], vals, out=ne)
        karg += 1
        np.multiply(karg, ne, out=karg)
    return vals, (karg, vals > 0)


def _unpool(g, win, out):
    """The 2x2 max pool + ReLU backward: ``g`` written at each window's winner of ``out`` where the window's maximum
    is positive, +0.0 elsewhere (a bitwise AND with an all-ones mask per offset)."""
    karg, pos = win
    gi, oi = g.view(np.int32), out.view(np.int32)
    won, m = np.empty(g.shape, dtype=bool), np.empty(g.shape, dtype=np.int32)
    for k in range(4):
        np.equal(karg, k, out=won)
        won &= pos
        np.negative(won.view(np.int8), out=m, dtype=np.int32)
        np.bitwise_and(gi, m, out=oi[:, :, k // 2::2, k % 2::2])
    return out


def _cnn_floor():
    """Ember's own array kernels (the best NumPy ones we know: exact and flat-shift im2col convolutions, the tiled
    max pool) called directly, without tensors, graph or checks."""
    import ember  # noqa: PLC0415
    from ember.nn._functional.conv import _exact_conv, _exact_wgrad, _flat_backward, _flat_conv  # noqa: PLC0415

    ember.manual_seed(0)
    fl = _Flat(_arrays(suite._cnn(ember)))
    c1w, c1b, c2w, c2b, lw, lb = fl.params
    g_c1w, g_c1b, g_c2w, g_c2b, g_lw, g_lb = fl.grads
    x = suite._data(ember, 64, 1, 28, 28).numpy()
    y = suite._data(ember, 64, kind=10).numpy()
    pads, dil = ((1, 1), (1, 1)), (1, 1)
    logits, dlog = np.empty((64, 10), _F), np.empty((64, 10), _F)
    gy1, gy2 = np.empty((64, 16, 28, 28), _F), np.empty((64, 32, 14, 14), _F)
    adam = _adam(fl)

    def step():
        y1, cols1 = _exact_conv(x, c1w, c1b, pads, dil)  # forward
        p1, win1 = _pool_relu(y1)
        y2, cols2, _ = _flat_conv(p1, c2w, c2b, pads, dil)
        p2, win2 = _pool_relu(y2)
        flat = p2.reshape(64, -1)
        np.matmul(flat, lw.T, out=logits)
        np.add(logits, lb, out=logits)
        loss = _cross_entropy_grad(logits, y, dlog)
        np.matmul(dlog.T, flat, out=g_lw)  # backward
        np.sum(dlog, 0, out=g_lb)
        _unpool((dlog @ lw).reshape(p2.shape), win2, gy2)
        gx, gw, gb = _flat_backward(gy2, p1, c2w, cols2, pads, dil, True, True, True)
        g_c2w[...] = gw
        g_c2b[...] = gb
        _unpool(gx, win1, gy1)
        gw, gb = _exact_wgrad(gy1, x, (3, 3), pads, dil, True, cols1)
        g_c1w[...] = gw.reshape(g_c1w.shape)
        g_c1b[...] = gb
        adam()
        return loss
    step.params = lambda: fl.params
    return step


# ----------------------------------------------------------------------------- 5. transformer training step
def _norm_linear(x, lw, lb, w, c, eps=1e-5):
    """``linear(layer_norm(x), w, c)`` with the norm's affine folded into the linear layer (Ember's fold)."""
    from ember._rowsum import rowdot, rowmean  # noqa: PLC0415

    xhat = x - rowmean(x)
    var = rowdot(xhat, xhat)
    var /= _F(x.shape[1])
    invstd = (1.0 / np.sqrt(var + eps)).astype(_F)
    xhat *= invstd
    wf = w * lw
    out = xhat @ wf.T
    out += w @ lb + c
    return out, (xhat, invstd, wf)


def _norm_linear_grad(g, saved, lw, lb, w, grads):
    """Backward of ``_norm_linear``: writes (lw, lb, w, c)'s gradients into ``grads``, returns x's."""
    from ember._rowsum import colsum, rowdot, rowmean  # noqa: PLC0415

    xhat, invstd, wf = saved
    g_lw, g_lb, g_w, g_c = grads
    dwf = g.T @ xhat
    g_lw[...] = colsum(w * dwf)
    np.multiply(dwf, lw, out=g_w)
    gsum = colsum(g)
    g_c[...] = gsum
    np.matmul(gsum, w, out=g_lb)
    g_w += np.multiply.outer(gsum, lb)
    gx = g @ wf
    m2 = rowdot(gx, xhat)
    m2 /= _F(xhat.shape[1])
    gx -= rowmean(gx)
    gx -= xhat * m2
    gx *= invstd
    return gx


def _causal_attention(qkv, n, heads, out):
    """Causal self-attention of the packed projection ``qkv (N * L, 3 * E)`` into ``out (N, L, E)``, Ember's way:
    two query blocks (the first half of the queries sees the first half of the keys only). Returns what the
    backward needs."""
    from ember._rowsum import exp_safe, rowmax, rowsum  # noqa: PLC0415

    length, e = qkv.shape[0] // n, qkv.shape[1] // 3
    dh, h = e // heads, length // 2
    q, k, v = qkv.reshape(n, length, 3, heads, dh).transpose(2, 0, 3, 1, 4)  # (N, heads, L, dh) views
    kt = np.multiply(k.swapaxes(-1, -2), _F(1 / np.sqrt(dh)))
    pa, pb = q[..., :h, :] @ kt[..., :h], q[..., h:, :] @ kt
    shift = not exp_safe((pa, pb), length)
    mask = np.triu(np.full((length, length), -np.inf, _F), 1)
    for p, bias in ((pa, mask[:h, :h]), (pb, mask[h:])):
        p += bias
        if shift:
            p -= rowmax(p)
        np.exp(p, out=p)
        p /= rowsum(p)
    o = out.reshape(n, length, heads, dh).transpose(0, 2, 1, 3)
    np.matmul(pa, v[..., :h, :], out=o[..., :h, :])
    np.matmul(pb, v, out=o[..., h:, :])
    return q, k, v, (pa, pb)


def _transformer_floor():
    """The norm-first encoder with Ember's folded LayerNorm + Linear and two-block causal attention, on arrays."""
    import ember  # noqa: PLC0415
    from ember.nn._functional.attention import _causal_sdpa_backward  # noqa: PLC0415

    ember.manual_seed(0)
    fl = _Flat(_arrays(suite._char_transformer(ember)))
    pos, tok, head_w, head_b = fl.params[0], fl.params[1], fl.params[-2], fl.params[-1]
    g_pos, g_tok, g_hw, g_hb = fl.grads[0], fl.grads[1], fl.grads[-2], fl.grads[-1]
    layers = [(fl.params[2 + 12 * i:14 + 12 * i], fl.grads[2 + 12 * i:14 + 12 * i]) for i in range(2)]
    n, length, e, v = 16, 64, 128, 65
    idx = suite._data(ember, n, length, kind=v).numpy().ravel()
    y = suite._data(ember, n, length, kind=v).numpy().ravel()
    onehot = np.zeros((v, n * length), _F)
    onehot[idx, np.arange(n * length)] = 1
    dlog = np.empty((n * length, v), _F)
    adam = _adam(fl)
    lr, wd = 1e-3, 0.01
    sf = 1 / np.sqrt(e // 4)

    def step():
        x = (tok[idx].reshape(n, length, e) + pos).reshape(n * length, e)  # forward
        saved = []
        for (w_in, b_in, w_out, b_out, w1, c1, w2, c2, n1w, n1b, n2w, n2b), _ in layers:
            qkv, s1 = _norm_linear(x, n1w, n1b, w_in, b_in)
            att = np.empty((n, length, e), _F)
            q, k, vv, probs = _causal_attention(qkv, n, 4, att)
            att = att.reshape(n * length, e)
            a = att @ w_out.T
            a += b_out
            x = x + a
            hid, s2 = _norm_linear(x, n2w, n2b, w1, c1)
            np.maximum(_F(0), hid, out=hid)
            f = hid @ w2.T
            f += c2
            saved.append((s1, (q, k, vv, probs), att, s2, hid))
            x = x + f
        logits = x @ head_w.T
        logits += head_b
        loss = _cross_entropy_grad(logits, y, dlog)
        np.matmul(dlog.T, x, out=g_hw)  # backward
        np.sum(dlog, 0, out=g_hb)
        dx = dlog @ head_w
        for ((w_in, b_in, w_out, b_out, w1, c1, w2, c2, n1w, n1b, n2w, n2b),
             (gw_in, gb_in, gw_out, gb_out, gw1, gc1, gw2, gc2, gn1w, gn1b, gn2w, gn2b)), \
                (s1, (q, k, vv, probs), att, s2, hid) in zip(layers[::-1], saved[::-1]):
            np.matmul(dx.T, hid, out=gw2)  # feed-forward block
            np.sum(dx, 0, out=gc2)
            dh = dx @ w2
            dh *= hid > 0
            dx = dx + _norm_linear_grad(dh, s2, n2w, n2b, w1, (gn2w, gn2b, gw1, gc1))
            np.matmul(dx.T, att, out=gw_out)  # attention block
            np.sum(dx, 0, out=gb_out)
            datt = (dx @ w_out).reshape(n, length, 4, e // 4).transpose(0, 2, 1, 3)
            gq, _, _ = _causal_sdpa_backward(q, k, vv, probs, datt, sf, (1, 1, 1))
            dqkv = gq.base.reshape(n * length, 3 * e)  # q, k and v's gradients, laid out as the projection
            dx = dx + _norm_linear_grad(dqkv, s1, n1w, n1b, w_in, (gn1w, gn1b, gw_in, gb_in))
        np.matmul(onehot, dx, out=g_tok)
        np.sum(dx.reshape(n, length, e), 0, out=g_pos)
        np.multiply(fl.p, 1 - lr * wd, out=fl.p)  # AdamW's decoupled weight decay, then Adam
        adam()
        return loss
    step.params = lambda: fl.params
    return step


# ----------------------------------------------------------------------------- 6. LSTM language model step
def _lstm_floor():
    import ember  # noqa: PLC0415

    ember.manual_seed(0)
    emb = ember.nn.Embedding(65, 64)
    rnn = ember.nn.LSTM(64, 128, batch_first=True)
    head = ember.nn.Linear(128, 65)
    e_w, w_ih, w_hh, b_ih, b_hh, h_w, h_b = _arrays(emb) + _arrays(rnn) + _arrays(head)
    t_n, b, n_in, hid, v = 64, 32, 64, 128, 65
    h2, h3, g_sz, k = 2 * hid, 3 * hid, 4 * hid, hid + n_in + 1
    # the LSTM's weights live as one [W_hh | W_ih] block with the gates in the order (i, f, o, g) (the three
    # sigmoid gates one block of rows), the layout of the block Ember's kernel builds every step; the two biases
    # stay two parameters (Adam moves each on its own)
    order = np.r_[0:h2, h3:g_sz, h2:h3]
    fl = _Flat([e_w, np.concatenate([w_hh[order], w_ih[order]], axis=1), b_ih[order], b_hh[order], h_w, h_b])
    e_w, w_hx, b_i, b_h, h_w, h_b = fl.params
    g_e, g_hx, g_bi, g_bh, g_hw, g_hb = fl.grads
    idx = suite._data(ember, b, t_n, kind=v).numpy().T.ravel()  # time-major token order
    y = suite._data(ember, b, t_n, kind=v).numpy().T.ravel()
    half = np.ones((g_sz, 1), _F)
    half[:h3] = 0.5  # sigmoid(z) = tanh(z / 2) / 2 + 1 / 2: one tanh over all four gates
    w_eff = np.empty((g_sz, k), _F)
    stack = np.empty((t_n + 1, k, b), _F)  # step j's [h_{j-1}; x_j; 1]
    stack[:, k - 1] = 1
    act = np.empty((t_n, g_sz, b), _F)
    cst = np.zeros((t_n + 1, hid, b), _F)
    tcs = np.empty((t_n, hid, b), _F)
    tmp = np.empty((hid, b), _F)
    hs = np.empty((t_n, b, hid), _F)
    logits, dlog = np.empty((t_n * b, v), _F), np.empty((t_n * b, v), _F)
    dhs = np.empty((t_n * b, hid), _F)
    dxp = np.empty_like(act)
    dh, dc, dct = np.empty((hid, b), _F), np.empty((hid, b), _F), np.empty((hid, b), _F)
    q = np.empty((t_n, hid, b), _F)
    onehot = np.zeros((v, t_n * b), _F)
    onehot[idx, np.arange(t_n * b)] = 1
    adam = _adam(fl)

    def step():
        np.multiply(w_hx, half, out=w_eff[:, :k - 1])  # forward: embedding, LSTM, head
        np.add(b_i, b_h, out=w_eff[:, k - 1])
        w_eff[:h3, k - 1] *= 0.5
        stack[:t_n, hid:hid + n_in] = e_w[idx].reshape(t_n, b, n_in).transpose(0, 2, 1)
        stack[0, :hid] = 0
        for j in range(t_n):
            a = act[j]
            np.matmul(w_eff, stack[j], out=a)
            np.tanh(a, out=a)
            s = a[:h3]
            s *= 0.5
            s += 0.5
            np.multiply(a[hid:h2], cst[j], out=cst[j + 1])
            np.multiply(a[:hid], a[h3:], out=tmp)
            cst[j + 1] += tmp
            np.tanh(cst[j + 1], out=tcs[j])
            np.multiply(a[h2:h3], tcs[j], out=stack[j + 1, :hid])
        np.copyto(hs, stack[1:, :hid].transpose(0, 2, 1))
        hf = hs.reshape(t_n * b, hid)
        np.matmul(hf, h_w.T, out=logits)
        np.add(logits, h_b, out=logits)
        loss = _cross_entropy_grad(logits, y, dlog)
        np.matmul(dlog.T, hf, out=g_hw)  # backward: head
        np.sum(dlog, 0, out=g_hb)
        np.matmul(dlog, h_w, out=dhs)
        go = dhs.reshape(t_n, b, hid).transpose(0, 2, 1)
        dh[...] = 0
        dc[...] = 0
        wht = w_hx[:, :hid].T
        for t0 in range(t_n - 8, -1, -8):  # (t_n = 64: whole chunks)
            # the chain rule's factors that do not depend on the recurrence, for 8 steps at once (in cache)
            sl = slice(t0, t0 + 8)
            ac, dx, tc, qc = act[sl], dxp[sl], tcs[sl], q[sl]
            d_s, a_s = dx[:, :h3], ac[:, :h3]
            np.subtract(1, a_s, out=d_s)
            d_s *= a_s  # sigmoid'
            d_g = dx[:, h3:]
            np.multiply(ac[:, h3:], ac[:, h3:], out=d_g)
            np.subtract(1, d_g, out=d_g)  # tanh'
            dx[:, :hid] *= ac[:, h3:]
            dx[:, hid:h2] *= cst[sl]
            dx[:, h2:h3] *= tc
            d_g *= ac[:, :hid]
            np.multiply(tc, tc, out=qc)
            np.subtract(1, qc, out=qc)
            qc *= ac[:, h2:h3]
            for t in range(t0 + 7, t0 - 1, -1):  # BPTT: eight NumPy calls per step
                dg = dxp[t]
                np.add(dh, go[t], out=dh)
                dg[h2:h3] *= dh
                np.multiply(dh, q[t], out=dct)
                np.add(dct, dc, out=dct)
                dg[:h2].reshape(2, hid, b).__imul__(dct)
                dg[h3:] *= dct
                np.multiply(dct, act[t, hid:h2], out=dc)
                np.matmul(wht, dg, out=dh)
        dxa = np.ascontiguousarray(dxp.transpose(1, 0, 2)).reshape(g_sz, t_n * b)
        rows = np.ascontiguousarray(stack[:t_n, :k - 1].transpose(1, 0, 2)).reshape(k - 1, t_n * b)
        np.matmul(dxa, rows.T, out=g_hx)
        np.sum(dxa, 1, out=g_bi)
        g_bh[...] = g_bi
        gx = dxa.T @ w_hx[:, hid:]
        np.matmul(onehot, gx, out=g_e)  # the embedding's gradient: rows summed by token
        adam()
        return loss
    inv = np.argsort(order)
    # the parameters in PyTorch's order and layout, for the tests
    step.params = lambda: [e_w, w_hx[inv, hid:], w_hx[inv, :hid], b_i[inv], b_h[inv], h_w, h_b]
    return step


# suite workload name: its raw NumPy step
FLOORS = {
    "infer_mlp_1": _mlp_infer_floor,
    "mnist_mlp": _mnist_floor,
    "cnn": _cnn_floor,
    "transformer": _transformer_floor,
    "lstm": _lstm_floor,
}


def _make(name):
    def make(m):
        if m.__name__ == "numpy":
            return FLOORS[name]()
        return suite.WORKLOADS[name][1](m)
    return (suite.WORKLOADS[name][0], make)


WORKLOADS = {name: _make(name) for name in FLOORS}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="few repeats (a smoke run)")
    ap.add_argument("--only", nargs="*", default=None, choices=sorted(FLOORS))
    args = ap.parse_args(argv)
    names = args.only or list(FLOORS)
    repeats, warmup = (3, 1) if args.quick else (15, 3)
    res = bench_lockstep(names, repeats=repeats, warmup=warmup, module="benchmarks.floors",
                         sides=("ember", "numpy", "torch"))
    print("\nThe raw-NumPy floor (median ms per step; ratios to PyTorch; target = the issue's)")
    print(f"{'workload':44s} {'ember':>9s} {'numpy':>9s} {'torch':>9s} {'ember/t':>8s} {'numpy/t':>8s} "
          f"{'target':>7s}")
    for name in names:
        (me, mn, mt), (re, rn) = res[name]
        print(f"{WORKLOADS[name][0]:44s} {me:9.4f} {mn:9.4f} {mt:9.4f} {re:8.2f} {rn:8.2f} "
              f"{suite.TARGETS.get(name, float('nan')):7.2f}")


if __name__ == "__main__":
    main()

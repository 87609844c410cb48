"""Matrix products: matmul/@ for every rank pair, mm, bmm, mv, dot, outer, addmm, baddbmm, einsum, tensordot."""
from __future__ import annotations

import numpy as np

from .. import _dtype as D
from ..autograd.graph import Node, link
from ._util import Tensor, _wrap, broadcast_error, register, state

_generic = np.generic


def _arr(r):
    return np.asarray(r) if isinstance(r, _generic) else r


def _check_dtypes(a: Tensor, b: Tensor, name="mm"):
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_cname(a.dtype)} != "
                           f"{_cname(b.dtype)}")
    if type(a._data) is not type(b._data):
        from ._util import check_same_device  # noqa: PLC0415

        check_same_device(a, b)
    if a.dtype is D.bool:
        raise RuntimeError("\"addmm_impl_cpu_\" not implemented for 'Bool'")


def _cname(dt):
    return {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int", "int32": "int",
            "bfloat16": "c10::BFloat16"}.get(dt.name, dt.name)


class MmBackward0(Node):
    """Gradient of a (batched) matrix product a @ b; inputs at least 2-D."""

    __slots__ = ()

    def backward(self, g):
        a, b = self.saved_tensors
        e = self.next_edges
        ga = g @ b.mT if e[0] is not None else None
        gb = a.mT @ g if e[1] is not None else None
        return ga, gb

    def raw(self, g):
        a, b = self.saved_arrays()
        e = self.next_edges
        ga = g @ b.swapaxes(-1, -2) if e[0] is not None else None
        gb = a.swapaxes(-1, -2) @ g if e[1] is not None else None
        return ga, gb


BmmBackward0 = type("BmmBackward0", (MmBackward0,), {"__slots__": ()})
MatmulBackward0 = type("MatmulBackward0", (MmBackward0,), {"__slots__": ()})


class DotBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        a, b = self.saved_tensors
        return (g * b if self.next_edges[0] is not None else None,
                g * a if self.next_edges[1] is not None else None)


class MvBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        a, v = self.saved_tensors
        return (g.unsqueeze(-1) * v if self.next_edges[0] is not None else None,
                a.mT @ g if self.next_edges[1] is not None else None)


def _shape_err(a, b):
    sa, sb = a._data.shape, b._data.shape
    ra = f"{sa[-2] if len(sa) > 1 else 1}x{sa[-1]}"
    rb = f"{sb[-2]}x{sb[-1]}" if len(sb) > 1 else f"{sb[0]}x1"
    return RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({ra} and {rb})")


def matmul(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """Matrix product with PyTorch's rules for 1-D, 2-D and batched (broadcast) operands.

    >>> import ember
    >>> ember.matmul(ember.ones(2, 3), ember.ones(3)).shape
    torch.Size([2])
    """
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        raise TypeError(f"matmul(): argument 'other' (position 2) must be Tensor, not "
                        f"{type(other if isinstance(input, Tensor) else input).__name__}")
    ad, bd = input._data, other._data
    na, nb = ad.ndim, bd.ndim
    if na == 0 or nb == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {na}D and {nb}D")
    _check_dtypes(input, other)
    if na == 1 and nb == 1:
        if ad.shape[0] != bd.shape[0]:
            raise RuntimeError(f"inconsistent tensor size, expected tensor [{ad.shape[0]}] and src [{bd.shape[0]}] "
                               f"to have the same number of elements, but got {ad.shape[0]} and {bd.shape[0]} "
                               f"elements respectively")
        res = _wrap(_arr(np.dot(ad, bd)))
        cls = DotBackward0
    elif na == 2 and nb == 1:
        if ad.shape[1] != bd.shape[0]:
            raise RuntimeError(f"size mismatch, got input ({ad.shape[0]}), mat ({ad.shape[0]}x{ad.shape[1]}), "
                               f"vec ({bd.shape[0]})")
        res = _wrap(ad @ bd)
        cls = MvBackward0
    elif nb == 1:  # batched matrix @ vector: compose from the matrix case
        return matmul(input, other.unsqueeze(-1), out=out).squeeze(-1)
    elif na == 1:  # vector @ (batched) matrix
        return matmul(input.unsqueeze(0), other, out=out).squeeze(-2)
    else:
        if ad.shape[-1] != bd.shape[-2]:
            raise _shape_err(input, other)
        try:
            r = ad @ bd
        except ValueError:
            raise broadcast_error(ad.shape[:-2], bd.shape[:-2]) from None
        res = _wrap(r)
        if na == 2 and nb == 2:
            cls = MmBackward0
        elif na == 3 and nb == 3 and ad.shape[0] == bd.shape[0]:
            cls = BmmBackward0
        else:
            cls = MatmulBackward0
    if state.enabled and (input._rg or other._rg):
        n = cls()
        n.save(input, other)
        if cls is MatmulBackward0:
            batch = res._data.shape[:-2]
            n.meta = (None if ad.shape[:-2] == batch else (ad.shape, None),
                      None if bd.shape[:-2] == batch else (bd.shape, None))
        link(n, res, (input, other))
    if out is not None:
        from .pointwise import _out  # noqa: PLC0415

        return _out(res, out)
    return res


def mm(input: Tensor, mat2: Tensor, *, out=None) -> Tensor:
    """2-D matrix product."""
    if input.ndim != 2 or mat2.ndim != 2:
        raise RuntimeError(f"{'self' if input.ndim != 2 else 'mat2'} must be a matrix")
    return matmul(input, mat2, out=out)


def bmm(input: Tensor, mat2: Tensor, *, out=None) -> Tensor:
    """Batched 3-D matrix product (same batch size, no broadcasting)."""
    if input.ndim != 3 or mat2.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor" if input.ndim != 3 else "batch2 must be a 3D tensor")
    if input.shape[0] != mat2.shape[0]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{input.shape[0]}, "
                           f"{input.shape[2]}] but got: [{mat2.shape[0]}, {mat2.shape[1]}].")
    return matmul(input, mat2, out=out)


def mv(input: Tensor, vec: Tensor, *, out=None) -> Tensor:
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {input.ndim}, {vec.ndim}")
    return matmul(input, vec, out=out)


def dot(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """Dot product of two 1-D tensors."""
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {other.ndim}D tensors")
    return matmul(input, other, out=out)


def vdot(input: Tensor, other: Tensor) -> Tensor:
    return dot(input.conj() if input.is_complex() else input, other)


def inner(input: Tensor, other: Tensor) -> Tensor:
    if input.ndim == 0 or other.ndim == 0:
        return input * other
    return tensordot(input, other, dims=([-1], [-1]))


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    """Outer product of two vectors."""
    return input.unsqueeze(-1) * vec2.unsqueeze(0)


ger = outer


class AddmmBackward0(Node):
    __slots__ = ("alpha", "beta", "shape")

    def backward(self, g):
        m1, m2 = self.saved_tensors
        e = self.next_edges
        gi = None
        if e[0] is not None:
            gi = g if self.beta == 1 else g * self.beta
        g2 = g if self.alpha == 1 else g * self.alpha
        g1 = g2 @ m2.mT if e[1] is not None else None
        gm2 = m1.mT @ g2 if e[2] is not None else None
        return gi, g1, gm2

    def raw(self, g):
        m1, m2 = self.saved_arrays()
        e = self.next_edges
        gi = (g if self.beta == 1 else g * self.beta) if e[0] is not None else None
        g2 = g if self.alpha == 1 else g * self.alpha
        return gi, (g2 @ m2.T if e[1] is not None else None), (m1.T @ g2 if e[2] is not None else None)


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta=1, alpha=1, out=None) -> Tensor:
    """beta * input + alpha * (mat1 @ mat2), one fused node (used by Linear).

    >>> import ember
    >>> ember.addmm(ember.zeros(2), ember.ones(1, 3), ember.ones(3, 2))
    tensor([[3., 3.]])
    """
    if mat1.ndim != 2 or mat2.ndim != 2:
        bad = "mat1" if mat1.ndim != 2 else "mat2"
        raise RuntimeError(f"{bad} must be a matrix, got {mat1.ndim if mat1.ndim != 2 else mat2.ndim}-D tensor")
    if mat1._data.shape[1] != mat2._data.shape[0]:
        raise _shape_err(mat1, mat2)
    _check_dtypes(mat1, mat2)
    m = mat1._data @ mat2._data
    if alpha != 1:
        m *= alpha
    idata = input._data
    if beta == 1:
        m += idata
    elif beta != 0:
        m += beta * idata
    res = _wrap(m)
    if state.enabled and (input._rg or mat1._rg or mat2._rg):
        n = AddmmBackward0()
        n.alpha, n.beta = alpha, beta
        n.save(mat1, mat2)
        if idata.shape != m.shape:
            n.meta = ((idata.shape, None), None, None)
        link(n, res, (input, mat1, mat2))
    if out is not None:
        from .pointwise import _out  # noqa: PLC0415

        return _out(res, out)
    return res


def addmv(input, mat, vec, *, beta=1, alpha=1):
    return input * beta + mv(mat, vec) * alpha if beta != 1 or alpha != 1 else input + mv(mat, vec)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1):
    return input * beta + bmm(batch1, batch2).sum(0) * alpha


def baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """beta * input + alpha * bmm(batch1, batch2)."""
    p = bmm(batch1, batch2)
    if alpha != 1:
        p = p * alpha
    if beta == 0:
        return p
    return (input if beta == 1 else input * beta) + p


def addr(input, vec1, vec2, *, beta=1, alpha=1):
    return input * beta + outer(vec1, vec2) * alpha


def tensordot(a: Tensor, b: Tensor, dims=2) -> Tensor:
    """Contract ``dims`` of a with dims of b (int = last/first n dims, or two lists)."""
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        da = list(range(a.ndim - dims, a.ndim))
        db = list(range(dims))
    else:
        da, db = dims
        if isinstance(da, int):
            da, db = [da], [db]
        if isinstance(da, Tensor):
            da, db = da.tolist(), db.tolist()
        da = [d % a.ndim for d in da]
        db = [d % b.ndim for d in db]
    free_a = [i for i in range(a.ndim) if i not in da]
    free_b = [i for i in range(b.ndim) if i not in db]
    for x, y in zip(da, db):
        if a.shape[x] != b.shape[y]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {a.shape[x]} in dim {x} "
                               f"and second has size {b.shape[y]} in dim {y}")
    k = 1
    for x in da:
        k *= a.shape[x]
    am = a.permute(free_a + da).reshape(-1, k)
    bm = b.permute(db + free_b).reshape(k, -1)
    return (am @ bm).reshape([a.shape[i] for i in free_a] + [b.shape[i] for i in free_b])


def einsum(equation: str, *operands) -> Tensor:
    """Einstein summation, differentiable (built from permute, reshape, multiply and sum).

    >>> import ember
    >>> ember.einsum("ij,jk->ik", ember.ones(2, 3), ember.ones(3, 4)).shape
    torch.Size([2, 4])
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    eq = equation.replace(" ", "")
    if "->" in eq:
        lhs, rhs = eq.split("->")
    else:
        lhs, rhs = eq, None
    terms = lhs.split(",")
    if len(terms) != len(operands):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation"
                           if len(operands) > len(terms) else
                           "einsum(): fewer operands were provided than specified in the equation")
    # expand ellipses
    letters = set(c for c in eq if c.isalpha())
    free = iter(c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" if c not in letters)
    ell_n = max((op.ndim - len(t.replace("...", "")) for t, op in zip(terms, operands) if "..." in t), default=0)
    ell = "".join(next(free) for _ in range(ell_n))
    new_terms = []
    for t, op in zip(terms, operands):
        if "..." in t:
            k = op.ndim - len(t.replace("...", ""))
            t = t.replace("...", ell[ell_n - k:])
        if len(t) != op.ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(t)}) does not match the "
                               f"number of dimensions ({op.ndim}) for operand {len(new_terms)}"
                               f"{' and no ellipsis was given' if '...' not in t else ''}")
        new_terms.append(t)
    if rhs is None:
        counts = {}
        for t in new_terms:
            for c in t:
                counts[c] = counts.get(c, 0) + 1
        rhs = ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    else:
        rhs = rhs.replace("...", ell)
    # diagonal (repeated index within a term)
    ops = []
    for t, op in zip(new_terms, operands):
        while len(set(t)) != len(t):
            c = next(ch for ch in t if t.count(ch) > 1)
            i = t.index(c)
            j = t.index(c, i + 1)
            op = op.diagonal(0, i, j)
            t = t[:i] + t[i + 1:j] + t[j + 1:] + c
        ops.append((t, op))
    # sum out letters that appear in exactly one operand and not in the output
    all_letters = []
    for t, _ in ops:
        for c in t:
            if c not in all_letters:
                all_letters.append(c)
    sizes = {}
    for t, op in ops:
        for c, s in zip(t, op.shape):
            if c in sizes and sizes[c] != s and s != 1 and sizes[c] != 1:
                raise RuntimeError(f"einsum(): operands do not broadcast with remapped shapes (original->remapped): "
                                   f"size {sizes[c]} vs {s} for subscript {c}")
            sizes[c] = max(sizes.get(c, 1), s)
    # contract pairwise left to right
    t0, acc = ops[0]
    for t1, op in ops[1:]:
        later = set(rhs)
        idx = [i for i, (tt, o) in enumerate(ops) if o is op][0]
        for tt, _ in ops[idx + 1:]:
            later |= set(tt)
        acc, t0 = _contract(acc, t0, op, t1, later)
    # reduce remaining letters not in output
    red = [i for i, c in enumerate(t0) if c not in rhs]
    if red:
        acc = acc.sum(red)
        t0 = "".join(c for c in t0 if c in rhs)
    if sorted(t0) != sorted(rhs):
        missing = [c for c in rhs if c not in t0]
        raise RuntimeError(f"einsum(): output subscript {missing[0]} does not appear in the equation for any input "
                           f"operand")
    perm = [t0.index(c) for c in rhs]
    return acc.permute(perm) if perm != list(range(len(perm))) else acc


def _contract(a: Tensor, ta: str, b: Tensor, tb: str, keep: set):
    """Contract a (letters ta) with b (letters tb), keeping letters in ``keep``; via one batched matmul."""
    # letters only in a (not needed later and not in b) can be summed first
    only_a = [c for c in ta if c not in tb and c not in keep]
    if only_a:
        a = a.sum([ta.index(c) for c in only_a])
        ta = "".join(c for c in ta if c not in only_a)
    only_b = [c for c in tb if c not in ta and c not in keep]
    if only_b:
        b = b.sum([tb.index(c) for c in only_b])
        tb = "".join(c for c in tb if c not in only_b)
    batch = [c for c in ta if c in tb and c in keep]
    contr = [c for c in ta if c in tb and c not in keep]
    fa = [c for c in ta if c not in tb]
    fb = [c for c in tb if c not in ta]
    ap = a.permute([ta.index(c) for c in batch + fa + contr]) if ta else a
    bp = b.permute([tb.index(c) for c in batch + contr + fb]) if tb else b
    sa, sb = ap.shape, bp.shape
    nb_, nfa, nc = len(batch), len(fa), len(contr)
    bsh = [max(x, y) for x, y in zip(sa[:nb_], sb[:nb_])]

    def prod(xs):
        r = 1
        for x in xs:
            r *= x
        return r

    ka = prod(sa[nb_ + nfa:])
    kb = prod(sb[nb_:nb_ + nc])
    if ka != kb and ka != 1 and kb != 1:
        raise RuntimeError("einsum(): operands do not broadcast with remapped shapes")
    am = ap.reshape(list(sa[:nb_]) + [prod(sa[nb_:nb_ + nfa]), ka])
    bm = bp.reshape(list(sb[:nb_]) + [kb, prod(sb[nb_ + nc:])])
    if ka != kb:
        k = max(ka, kb)
        am = am.expand(list(am.shape[:-1]) + [k])
        bm = bm.expand(list(bm.shape[:-2]) + [k, bm.shape[-1]])
    r = am @ bm
    r = r.reshape(bsh + list(sa[nb_:nb_ + nfa]) + list(sb[nb_ + nc:]))
    return r, "".join(batch + fa + fb)


def kron(input: Tensor, other: Tensor) -> Tensor:
    """Kronecker product."""
    nd = max(input.ndim, other.ndim)
    a = input.reshape((1,) * (nd - input.ndim) + tuple(input.shape))
    b = other.reshape((1,) * (nd - other.ndim) + tuple(other.shape))
    sh = []
    ai = []
    bi = []
    for i in range(nd):
        ai += [a.shape[i], 1]
        bi += [1, b.shape[i]]
        sh.append(a.shape[i] * b.shape[i])
    return (a.reshape(ai) * b.reshape(bi)).reshape(sh)


def trace(input: Tensor) -> Tensor:
    """Sum of the main diagonal of a matrix."""
    if input.ndim != 2:
        raise RuntimeError("trace: expected a matrix, but got tensor with dim " + str(input.ndim))
    return input.diagonal().sum()


def _addmm_(self: Tensor, mat1: Tensor, mat2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """``Tensor.addmm_``: ``self = beta * self + alpha * (mat1 @ mat2)`` in place."""
    return self.copy_(addmm(self, mat1, mat2, beta=beta, alpha=alpha))


_addmm_.__name__ = "addmm_"
register(addmm_=_addmm_)
register(matmul=matmul, mm=mm, bmm=bmm, mv=mv, dot=dot, vdot=vdot, inner=inner, outer=outer, ger=ger,
         addmm=addmm, addmv=addmv, addbmm=addbmm, baddbmm=baddbmm, addr=addr, kron=kron, trace=trace,
         __matmul__=matmul, __rmatmul__=lambda self, other: matmul(other, self))


# the names this family adds to the top-level ``ember`` namespace (PyTorch's top-level names only)
__all__ = [
    "addbmm", "addmm", "addmv", "addr", "baddbmm", "bmm", "dot", "einsum", "ger", "inner", "kron", "matmul",
    "mm", "mv", "outer", "tensordot", "trace", "vdot",
]

"""Linear-algebra primitives with derivatives: inv, det, slogdet, solve, triangular solve, cholesky, matrix_exp."""
from __future__ import annotations

import builtins
import math
import warnings

import numpy as np

from .. import _dtype as D
from ..autograd.graph import Node, SavedOutput, link, link_multi
from ._util import Tensor, _wrap, array_module, register, state
from .sorting import out_tuple, return_type

__all__ = ["chain_matmul", "cholesky", "cholesky_inverse", "cholesky_solve", "det", "inverse", "logdet", "matrix_exp",
           "matrix_power", "pinverse", "qr", "slogdet", "svd", "vander"]


class LinAlgError(RuntimeError):
    """Raised when a linear-algebra routine fails on its input (e.g. a singular matrix); a RuntimeError."""


LinAlgError.__name__ = LinAlgError.__qualname__ = "_LinAlgError"

slogdet_rt = return_type("linalg_slogdet", ["sign", "logabsdet"])
inv_ex_rt = return_type("linalg_inv_ex", ["inverse", "info"])
solve_ex_rt = return_type("linalg_solve_ex", ["result", "info"])
cholesky_ex_rt = return_type("linalg_cholesky_ex", ["L", "info"])


# ----------------------------------------------------------------------------- checks and helpers
def _legacy(dt: D.dtype) -> str:
    from .reduction import _legacy_name  # noqa: PLC0415

    return _legacy_name(dt)


def check_float(A: Tensor, name: str) -> None:
    """PyTorch's error for integer inputs and half precision inputs of linear-algebra functions."""
    dt = A.dtype
    if dt._cat < 2:
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got {_legacy(dt)}")
    if dt is D.float16 or dt is D.bfloat16:
        raise RuntimeError(f"{name}: Low precision dtypes not supported. Got {_legacy(dt)}")


def check_square(A: Tensor, name: str, argname: str = "A") -> None:
    if A.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor {argname} must have at least 2 dimensions.")
    m, n = A.shape[-2:]
    if m != n:
        raise RuntimeError(f"{name}: {argname} must be batches of square matrices, but they are {m} by {n} matrices")


def _batch_msg(shape, flat_index: int) -> str:
    return f"(Batch element {flat_index}): " if len(shape) > 2 else ""


def eye_like(n: int, like: Tensor) -> Tensor:
    return _wrap(array_module(like._data).eye(n, dtype=like._data.dtype))


def _lu_info(a) -> np.ndarray:
    """LAPACK getrf's ``info`` per matrix: 1-based index of the first zero pivot of LU with partial pivoting."""
    n = a.shape[-1]
    x = np.array(a, dtype=np.float64 if a.dtype.kind == "f" else a.dtype).reshape(-1, n, n)
    b = np.arange(x.shape[0])
    info = np.zeros(x.shape[0], dtype=np.int64)
    for k in range(n):
        p = np.argmax(np.abs(x[:, k:, k]), axis=1) + k
        rows = x[b, p].copy()
        x[b, p] = x[:, k]
        x[:, k] = rows
        piv = x[:, k, k]
        zero = piv == 0
        info = np.where((info == 0) & zero, k + 1, info)
        f = np.where(zero[:, None], 0, x[:, k + 1:, k] / np.where(zero, 1, piv)[:, None])
        x[:, k + 1:, k:] -= f[:, :, None] * x[:, k, None, k:]
    return info


def _chol_info(a) -> np.ndarray:
    """LAPACK potrf's ``info`` per matrix: order of the first leading minor that is not positive-definite."""
    n = a.shape[-1]
    x = np.tril(np.array(a, dtype=np.float64)).reshape(-1, n, n)
    info = np.zeros(x.shape[0], dtype=np.int64)
    for k in range(n):
        d = x[:, k, k] - (x[:, k, :k] ** 2).sum(-1)
        bad = ~(d > 0)
        info = np.where((info == 0) & bad, k + 1, info)
        lkk = np.sqrt(np.where(bad, 1.0, d))
        x[:, k, k] = lkk
        x[:, k + 1:, k] = (x[:, k + 1:, k] - (x[:, k + 1:, :k] * x[:, k, None, :k]).sum(-1)) / lkk[:, None]
    return info


def _singular_error(a, name: str, msg) -> LinAlgError:
    info = _lu_info(np.asarray(a))
    bad = np.flatnonzero(info)
    i = builtins.int(bad[0]) if bad.size else 0
    k = builtins.int(info[i]) if bad.size else a.shape[-1]
    return LinAlgError(f"{name}: {_batch_msg(a.shape, i)}{msg(k)}")


def _np(t: Tensor):
    d = t._data
    return d if type(d) is np.ndarray else d.get()


# ----------------------------------------------------------------------------- inverse
class LinalgInvExBackward0(Node):
    __slots__ = ()

    def backward(self, g, ginfo=None):
        (inv,) = self.saved_tensors
        it = inv.mT
        return -(it @ g @ it)



def _inv(A: Tensor, name: str = "linalg.inv") -> Tensor:
    check_square(A, name)
    check_float(A, name)
    d = A._data
    xp = array_module(d)
    if d.size == 0:
        r = d.copy()
    else:
        try:
            r = xp.linalg.inv(d)
        except np.linalg.LinAlgError:
            raise _singular_error(_np(A), name, lambda k: f"The diagonal element {k} is zero, the inversion could "
                                  "not be completed because the input matrix is singular.") from None
    res = _wrap(r)
    if A._rg and state.enabled:
        n = LinalgInvExBackward0()
        n.save(SavedOutput(res))
        link(n, res, (A,))
    return res


def inverse(input: Tensor, *, out=None) -> Tensor:
    """Inverse of a square matrix (or a batch of them).

    >>> import ember
    >>> ember.inverse(ember.tensor([[2., 0.], [0., 4.]]))
    tensor([[0.5000, 0.0000],
            [0.0000, 0.2500]])
    """
    from .reduction import _maybe_out  # noqa: PLC0415

    return _maybe_out(_inv(input), out)


def inv_ex(A: Tensor, *, check_errors: bool = False, out=None):
    """Inverse plus LAPACK-style ``info`` (0 where invertible, else the index of the zero pivot)."""
    check_square(A, "linalg.inv_ex")
    check_float(A, "linalg.inv_ex")
    a = _np(A)
    info = _lu_info(a).reshape(a.shape[:-2]).astype(np.int32) if a.size else np.zeros(a.shape[:-2], np.int32)
    if check_errors or not info.any():
        inv = _inv(A)
    else:
        ok = (info == 0)[..., None, None]
        safe = np.where(ok, a, np.eye(a.shape[-1], dtype=a.dtype))
        r = np.where(ok, np.linalg.inv(safe), np.nan).astype(a.dtype)
        inv = _wrap(r)
        if A._rg and state.enabled:
            n = LinalgInvExBackward0()
            n.save(SavedOutput(inv))
            link(n, inv, (A,))
    return out_tuple(inv_ex_rt, (inv, _wrap(info)), out)


# ----------------------------------------------------------------------------- det, slogdet
class LinalgDetBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        A, det = self.saved_tensors
        if bool((det._data != 0).all()):
            return (g * det).unsqueeze(-1).unsqueeze(-1) * _inv(A).mT
        return g.unsqueeze(-1).unsqueeze(-1) * _adjugate_t(A)


def _adjugate_t(A: Tensor) -> Tensor:
    """Transposed adjugate via the SVD (valid for singular matrices; a constant for higher orders)."""
    a = _np(A)
    u, s, vh = np.linalg.svd(a)
    n = s.shape[-1]
    rep = np.broadcast_to(s[..., None, :], s.shape[:-1] + (n, n)).copy()
    idx = np.arange(n)
    rep[..., idx, idx] = 1
    pi = rep.prod(-1)
    sign = np.linalg.det(u) * np.linalg.det(vh)
    adj_t = (u * pi[..., None, :]) @ vh * sign[..., None, None]
    return _wrap(adj_t.astype(a.dtype))


def det(A: Tensor, *, out=None) -> Tensor:
    """Determinant of a square matrix (or a batch of them).

    >>> import ember
    >>> ember.det(ember.tensor([[2., 1.], [1., 3.]]))
    tensor(5.)
    """
    check_square(A, "linalg.det")
    check_float(A, "linalg.det")
    d = A._data
    xp = array_module(d)
    res = _wrap(xp.asarray(xp.linalg.det(d) if d.shape[-1] else xp.ones(d.shape[:-2]), dtype=d.dtype))
    if A._rg and state.enabled:
        n = LinalgDetBackward0()
        n.save(A, SavedOutput(res))
        link(n, res, (A,))
    from .reduction import _maybe_out  # noqa: PLC0415

    return _maybe_out(res, out)


class LinalgSlogdetBackward0(Node):
    __slots__ = ()
    num_outputs = 2

    def backward(self, gsign, glogabs):
        if glogabs is None:
            return None
        (A,) = self.saved_tensors
        return glogabs.unsqueeze(-1).unsqueeze(-1) * _inv(A).mT


def slogdet(A: Tensor, *, out=None):
    """Sign and log of the absolute value of the determinant (a named tuple ``sign``, ``logabsdet``).

    >>> import ember
    >>> ember.slogdet(ember.tensor([[-2., 0.], [0., 1.]])).sign
    tensor(-1.)
    """
    check_square(A, "linalg.slogdet")
    check_float(A, "linalg.slogdet")
    d = A._data
    xp = array_module(d)
    if d.shape[-1]:
        s, l = xp.linalg.slogdet(d)
    else:
        s, l = xp.ones(d.shape[:-2]), xp.zeros(d.shape[:-2])
    sign, logabs = _wrap(xp.asarray(s, dtype=d.dtype)), _wrap(xp.asarray(l, dtype=d.dtype))
    if A._rg and state.enabled:
        n = LinalgSlogdetBackward0()
        n.save(A)
        link_multi(n, (sign, logabs), (A,))
    return out_tuple(slogdet_rt, (sign, logabs), out)


def logdet(input: Tensor) -> Tensor:
    """Log of the determinant (NaN where it is negative, -inf where it is zero).

    >>> import ember
    >>> ember.logdet(ember.tensor([[2., 0.], [0., 3.]]))
    tensor(1.7918)
    """
    check_float(input, "logdet")
    from .pointwise import where  # noqa: PLC0415

    sign, logabs = slogdet(input)
    nan = _wrap(array_module(logabs._data).full((), np.nan, dtype=logabs._data.dtype))
    return where(sign < 0, nan, logabs)


# ----------------------------------------------------------------------------- solve
class LinalgSolveExBackward0(Node):
    __slots__ = ("left", "vec")

    def backward(self, g):
        A, X = self.saved_tensors
        gB = linalg_solve(A.mT, g, left=self.left)
        gA = None
        if self.next_edges[0] is not None:
            if self.vec:
                gA = -(gB.unsqueeze(-1) * X.unsqueeze(-2)) if self.left else -(X.unsqueeze(-1) * gB.unsqueeze(-2))
            else:
                gA = -(gB @ X.mT) if self.left else -(X.mT @ gB)
        return gA, gB


def _vector_case(A: Tensor, B: Tensor) -> bool:
    return B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))


def linalg_solve(A: Tensor, B: Tensor, *, left: bool = True, out=None) -> Tensor:
    """Solution X of ``A X = B`` (or ``X A = B`` when ``left=False``); B may be a (batch of) vector(s)."""
    check_square(A, "linalg.solve")
    check_float(A, "linalg.solve")
    if A.dtype is not B.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found A of type "
                           f"{_legacy(A.dtype)} and B of type {_legacy(B.dtype)} instead")
    vec = _vector_case(A, B)
    ad, bd = A._data, B._data
    n = ad.shape[-1]
    shp = bd.shape + (1,) if vec else bd.shape
    if (shp[-2] if left else shp[-1]) != n or not left and vec:
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation {eq} ({n}x{n} and "
                           f"{shp[-2]}x{shp[-1]})")
    bm = bd[..., None] if vec else (bd if left else bd.swapaxes(-1, -2))
    am = ad if left else ad.swapaxes(-1, -2)
    xp = array_module(ad)
    batch = np.broadcast_shapes(am.shape[:-2], bm.shape[:-2])
    if am.size == 0 or bm.size == 0:
        x = xp.zeros(batch + bm.shape[-2:], dtype=bm.dtype)
    else:
        try:
            x = xp.linalg.solve(am, bm)
        except np.linalg.LinAlgError:
            a = np.broadcast_to(_np(A), batch + ad.shape[-2:])
            raise _singular_error(a, "torch.linalg.solve", lambda k: "The solver failed because the input matrix "
                                  "is singular.") from None
    x = x[..., 0] if vec else (x if left else x.swapaxes(-1, -2))
    res = _wrap(xp.ascontiguousarray(x))
    if state.enabled and (A._rg or B._rg):
        nd = LinalgSolveExBackward0()
        nd.left, nd.vec = left, vec
        nd.save(A, SavedOutput(res))
        full_a = batch + ad.shape[-2:]
        nd.meta = (None if ad.shape == full_a else (ad.shape, None),
                   None if bd.shape == res._data.shape else (bd.shape, None))
        link(nd, res, (A, B))
    from .reduction import _maybe_out  # noqa: PLC0415

    return _maybe_out(res, out)


def solve_ex(A: Tensor, B: Tensor, *, left: bool = True, check_errors: bool = False, out=None):
    """``solve`` plus an ``info`` tensor (0 where the solve succeeded)."""
    a = _np(A)
    info = _lu_info(a).reshape(a.shape[:-2]).astype(np.int32) if a.size and a.ndim >= 2 and \
        a.shape[-1] == a.shape[-2] else np.zeros(a.shape[:-2], np.int32)
    return out_tuple(solve_ex_rt, (linalg_solve(A, B, left=left), _wrap(info)), out)


# ----------------------------------------------------------------------------- triangular solve
def _backsub(u, b):
    """Back substitution for upper-triangular ``u`` (zero pivots give inf/nan as LAPACK's trtrs does)."""
    n = u.shape[-1]
    x = np.zeros(np.broadcast_shapes(u.shape[:-2], b.shape[:-2]) + b.shape[-2:], dtype=np.result_type(u, b))
    with np.errstate(divide="ignore", invalid="ignore"):
        for i in range(n - 1, -1, -1):
            acc = b[..., i, :] - (u[..., i, None, i + 1:].swapaxes(-1, -2) * x[..., i + 1:, :]).sum(-2)
            x[..., i, :] = acc / u[..., i, i, None]
    return x


def _tri_solve_arr(a, b, upper: bool, unit: bool):
    """X with T X = B for the triangle T of ``a`` (NumPy arrays)."""
    t = np.triu(a) if upper else np.tril(a)
    if unit:
        idx = np.arange(a.shape[-1])
        t = t.copy()
        t[..., idx, idx] = 1
    if not upper:  # flip to an upper-triangular system: (J T J)(J X) = J B
        t = t[..., ::-1, ::-1]
        b = b[..., ::-1, :]
    if t.size == 0 or b.size == 0:
        x = np.zeros(np.broadcast_shapes(t.shape[:-2], b.shape[:-2]) + b.shape[-2:], dtype=b.dtype)
    elif (np.diagonal(t, 0, -2, -1) != 0).all():
        x = np.linalg.solve(t, b)
    else:
        x = _backsub(t, b)
    return x if upper else x[..., ::-1, :]


class LinalgSolveTriangularBackward0(Node):
    __slots__ = ("left", "unit", "upper")

    def backward(self, g):
        A, X = self.saved_tensors
        up, left = self.upper, self.left
        gB = solve_triangular(A.mT, g, upper=not up, left=left, unitriangular=self.unit)
        gA = None
        if self.next_edges[0] is not None:
            gA = -(gB @ X.mT) if left else -(X.mT @ gB)
            gA = gA.triu(1 if self.unit else 0) if up else gA.tril(-1 if self.unit else 0)
        return gA, gB


def solve_triangular(A: Tensor, B: Tensor, *, upper: bool, left: bool = True, unitriangular: bool = False,
                     out=None) -> Tensor:
    """Solve ``A X = B`` (or ``X A = B``) for a triangular ``A`` (only its ``upper``/lower triangle is read)."""
    name = "linalg.solve_triangular"
    check_square(A, name)
    check_float(A, name)
    if B.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor B must have at least 2 dimensions.")
    n = A.shape[-1]
    if left and B.shape[-2] != n or not left and B.shape[-1] != n:
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(f"{name}: Incompatible shapes of A and B for the equation {eq} ({n}x{n} and "
                           f"{B.shape[-2]}x{B.shape[-1]})")
    if A.dtype is not B.dtype:
        raise RuntimeError(f"{name}: Expected A and B to have the same dtype, but found A of type "
                           f"{_legacy(A.dtype)} and B of type {_legacy(B.dtype)} instead")
    a, b = _np(A), _np(B)
    if left:
        x = _tri_solve_arr(a, b, upper, unitriangular)
    else:  # X A = B  <=>  A^T X^T = B^T
        x = _tri_solve_arr(np.swapaxes(a, -1, -2), np.swapaxes(b, -1, -2), not upper, unitriangular)
        x = np.swapaxes(x, -1, -2)
    res = _wrap(np.ascontiguousarray(x, dtype=a.dtype))
    if type(A._data) is not np.ndarray:
        res = res.to(A.device)
    if state.enabled and (A._rg or B._rg):
        nd = LinalgSolveTriangularBackward0()
        nd.upper, nd.left, nd.unit = upper, left, unitriangular
        nd.save(A, SavedOutput(res))
        sa, sb, sx = A._data.shape, B._data.shape, res._data.shape
        batch = sx[:-2]
        nd.meta = (None if sa[:-2] == batch else (sa, None), None if sb == sx else (sb, None))
        link(nd, res, (A, B))
    from .reduction import _maybe_out  # noqa: PLC0415

    return _maybe_out(res, out)


# ----------------------------------------------------------------------------- cholesky
class LinalgCholeskyExBackward0(Node):
    __slots__ = ("upper",)

    def backward(self, g, ginfo=None):
        (L,) = self.saved_tensors
        if self.upper:
            L, g = L.mT, g.mT
        gA = (L.mT @ g).tril()
        gA = 0.5 * (gA + gA.tril(-1).mT)
        gA = solve_triangular(L.mT, gA, upper=True, left=True)
        return solve_triangular(L, gA, upper=False, left=False)


CholeskyBackward0 = type("CholeskyBackward0", (LinalgCholeskyExBackward0,), {"__slots__": ()})


def _cholesky(A: Tensor, upper: bool, name: str, cls, check: bool = True):
    check_square(A, name)
    check_float(A, name)
    d = A._data
    xp = array_module(d)
    info = None
    if d.size == 0:
        r = d.copy()
    else:
        try:
            r = xp.linalg.cholesky(d.swapaxes(-1, -2) if upper else d)
            if xp is not np and bool(xp.isnan(r).any()):
                raise np.linalg.LinAlgError
        except np.linalg.LinAlgError:
            a = _np(A).swapaxes(-1, -2) if upper else _np(A)
            info = _chol_info(a)
            if check:
                i = builtins.int(np.flatnonzero(info)[0]) if info.any() else 0
                k = builtins.int(info[i]) if info.any() else a.shape[-1]
                raise LinAlgError(f"{name}: {_batch_msg(a.shape, i)}The factorization could not be completed because "
                                  f"the input is not positive-definite (the leading minor of order {k} is not "
                                  "positive-definite).") from None
            ok = (info == 0).reshape(a.shape[:-2] + (1, 1))
            r = np.where(ok, np.linalg.cholesky(np.where(ok, a, np.eye(a.shape[-1], dtype=a.dtype))), 0)
            r = r.astype(a.dtype)
    res = _wrap(xp.ascontiguousarray(r.swapaxes(-1, -2)) if upper else r)
    if A._rg and state.enabled:
        n = cls()
        n.upper = upper
        n.save(SavedOutput(res))
        link(n, res, (A,))
    return res, info


def linalg_cholesky(A: Tensor, *, upper: bool = False, out=None) -> Tensor:
    """Cholesky factor L (A = L L^T) of a symmetric positive-definite matrix; ``upper`` gives L^T."""
    from .reduction import _maybe_out  # noqa: PLC0415

    return _maybe_out(_cholesky(A, upper, "linalg.cholesky", LinalgCholeskyExBackward0)[0], out)


def cholesky_ex(A: Tensor, *, upper: bool = False, check_errors: bool = False, out=None):
    """Cholesky factor plus ``info`` (0, or the order of the first non positive-definite leading minor)."""
    L, info = _cholesky(A, upper, "linalg.cholesky_ex", LinalgCholeskyExBackward0, check=check_errors)
    shape = A.shape[:-2]
    info = np.zeros(shape, np.int32) if info is None else info.reshape(shape).astype(np.int32)
    return out_tuple(cholesky_ex_rt, (L, _wrap(info)), out)


def cholesky(input: Tensor, upper: bool = False, *, out=None) -> Tensor:
    """Deprecated ``torch.cholesky``: like ``linalg.cholesky`` (with a deprecation warning).

    >>> import ember, warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     ember.cholesky(ember.tensor([[4., 0.], [0., 9.]]))
    tensor([[2., 0.],
            [0., 3.]])
    """
    warnings.warn("torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be removed in a future "
                  "PyTorch release.\nL = torch.cholesky(A)\nshould be replaced with\nL = torch.linalg.cholesky(A)\n"
                  "and\nU = torch.cholesky(A, upper=True)\nshould be replaced with\nU = torch.linalg.cholesky(A).mH\n"
                  "This transform will produce equivalent results for all valid (symmetric positive definite) "
                  "inputs.", UserWarning, stacklevel=2)
    from .reduction import _maybe_out  # noqa: PLC0415

    return _maybe_out(_cholesky(input, upper, "linalg.cholesky", CholeskyBackward0)[0], out)


def cholesky_solve(B: Tensor, L: Tensor, upper: bool = False, *, out=None) -> Tensor:
    """Solve ``A X = B`` given the Cholesky factor of A (lower ``L``, or upper when ``upper``).

    >>> import ember
    >>> ember.cholesky_solve(ember.tensor([[4.], [9.]]), ember.tensor([[2., 0.], [0., 3.]]))
    tensor([[1.],
            [1.]])
    """
    if upper:
        Y = solve_triangular(L.mT, B, upper=False)
        X = solve_triangular(L, Y, upper=True)
    else:
        Y = solve_triangular(L, B, upper=False)
        X = solve_triangular(L.mT, Y, upper=True)
    from .reduction import _maybe_out  # noqa: PLC0415

    return _maybe_out(X, out)


def cholesky_inverse(L: Tensor, upper: bool = False, *, out=None) -> Tensor:
    """Inverse of A given its Cholesky factor.

    >>> import ember
    >>> ember.cholesky_inverse(ember.tensor([[2., 0.], [0., 4.]]))
    tensor([[0.2500, 0.0000],
            [0.0000, 0.0625]])
    """
    from .reduction import _maybe_out  # noqa: PLC0415

    n = L.shape[-1]
    eye = eye_like(n, L).expand(tuple(L.shape[:-2]) + (n, n))
    return _maybe_out(cholesky_solve(eye, L, upper), out)


# ----------------------------------------------------------------------------- matrix functions
class CopyBackwards(Node):
    __slots__ = ()

    def backward(self, g):
        return g * 0


def matrix_power(A: Tensor, n: int) -> Tensor:
    """``A`` to the integer power ``n`` (negative powers invert first) by repeated squaring.

    >>> import ember
    >>> ember.matrix_power(ember.tensor([[1., 1.], [0., 1.]]), 3)
    tensor([[1., 3.],
            [0., 1.]])
    """
    check_square(A, "linalg.matrix_power")
    if n == 0:
        m = A.shape[-1]
        r = array_module(A._data).broadcast_to(array_module(A._data).eye(m, dtype=A._data.dtype), A.shape).copy()
        res = _wrap(r)
        if A._rg and state.enabled:
            link(CopyBackwards(), res, (A,))
        return res
    if n < 0:
        A, n = _inv(A), -n
    if n == 1:
        return A.clone()
    if n == 2:
        return A @ A
    if n == 3:
        return (A @ A) @ A
    z = result = None
    while n > 0:
        bit, n = n % 2, n // 2
        z = A if z is None else z @ z
        if bit:
            result = z if result is None else result @ z
    return result


_PADE13 = (64764752532480000., 32382376266240000., 7771770303897600., 1187353796428800., 129060195264000.,
           10559470521600., 670442572800., 33522128640., 1323241920., 40840800., 960960., 16380., 182., 1.)


def _expm_arr(a):
    """exp of a batch of matrices: scaling and squaring with a degree-13 Pade approximant (Higham 2005)."""
    n = a.shape[-1]
    x = a.astype(np.float64)
    norm = np.abs(x).sum(-2).max(-1) if n else np.zeros(x.shape[:-2])
    s = np.maximum(0, np.ceil(np.log2(np.maximum(norm, 1e-300) / 5.371920351148152))).astype(np.int64)
    x = x / (2.0 ** s)[..., None, None]
    eye = np.eye(n)
    x2 = x @ x
    x4 = x2 @ x2
    x6 = x4 @ x2
    b = _PADE13
    u = x @ (x6 @ (b[13] * x6 + b[11] * x4 + b[9] * x2) + b[7] * x6 + b[5] * x4 + b[3] * x2 + b[1] * eye)
    v = x6 @ (b[12] * x6 + b[10] * x4 + b[8] * x2) + b[6] * x6 + b[4] * x4 + b[2] * x2 + b[0] * eye
    r = np.linalg.solve(v - u, v + u) if n else v
    for i in range(builtins.int(s.max()) if s.size else 0):
        sq = r @ r
        r = np.where((s > i)[..., None, None], sq, r)
    return r.astype(a.dtype)


class LinalgMatrixExpBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        (A,) = self.saved_tensors
        from .shape import cat  # noqa: PLC0415

        n = A.shape[-1]
        at = A.mT
        top = cat([at, g], -1)
        bottom = cat([g * 0, at], -1)
        big = matrix_exp(cat([top, bottom], -2))
        return big[..., :n, n:]


def matrix_exp(A: Tensor) -> Tensor:
    """Matrix exponential of a square matrix (or a batch).

    >>> import ember
    >>> ember.matrix_exp(ember.zeros(2, 2))
    tensor([[1., 0.],
            [0., 1.]])
    """
    check_square(A, "linalg.matrix_exp")
    check_float(A, "linalg.matrix_exp")
    res = _wrap(_expm_arr(_np(A)))
    if type(A._data) is not np.ndarray:
        res = res.to(A.device)
    if A._rg and state.enabled:
        n = LinalgMatrixExpBackward0()
        n.save(A)
        link(n, res, (A,))
    return res


def _chain_order(dims):
    """Optimal parenthesisation of a matrix chain with sizes dims[0] x dims[1] x ... (split table)."""
    k = len(dims) - 1
    cost = [[0] * k for _ in range(k)]
    split = [[0] * k for _ in range(k)]
    for length in range(1, k):
        for i in range(k - length):
            j = i + length
            cost[i][j] = math.inf
            for m in range(i, j):
                c = cost[i][m] + cost[m + 1][j] + dims[i] * dims[m + 1] * dims[j + 1]
                if c < cost[i][j]:
                    cost[i][j], split[i][j] = c, m
    return split


_WARNED_CHAIN_MATMUL: list = []


def chain_matmul(*matrices, out=None) -> Tensor:
    """The product of 2-D ``matrices`` in the cheapest order (deprecated in PyTorch, which warns: use
    ``linalg.multi_dot``).

    >>> import ember
    >>> ember.chain_matmul(ember.ones(2, 3), ember.ones(3, 4)).shape
    torch.Size([2, 4])
    """
    import warnings  # noqa: PLC0415

    if not _WARNED_CHAIN_MATMUL:  # once per process, as PyTorch's TORCH_WARN_ONCE
        _WARNED_CHAIN_MATMUL.append(True)
        warnings.warn("torch.chain_matmul is deprecated and will be removed in a future PyTorch release. Use "
                      "torch.linalg.multi_dot instead, which accepts a list of two or more tensors rather than "
                      "multiple parameters.", UserWarning, stacklevel=2)
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    for i, m in enumerate(matrices):
        if m.ndim != 2:
            raise RuntimeError(f"Tensor dimension is {m.ndim}, expected 2 instead.")
    res = matrices[0].clone() if len(matrices) == 1 else multi_dot(matrices)
    return res if out is None else out.copy_(res)


def multi_dot(tensors, *, out=None) -> Tensor:
    """Product of a chain of matrices in the cheapest order (first/last may be 1-D).

    >>> import ember
    >>> ember.linalg.multi_dot([ember.ones(2, 3), ember.ones(3, 4), ember.ones(4)]).shape
    torch.Size([2])
    """
    ts = list(tensors)
    if len(ts) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(ts)}")
    if ts[0].ndim not in (1, 2):
        raise RuntimeError(f"multi_dot(): the first tensor must be 1D or 2D but got {ts[0].ndim}D")
    if ts[-1].ndim not in (1, 2):
        raise RuntimeError(f"multi_dot(): the last tensor must be 1D or 2D but got {ts[-1].ndim}D")
    for i in range(1, len(ts) - 1):
        if ts[i].ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {ts[i].ndim}D")
    first_vec, last_vec = ts[0].ndim == 1, ts[-1].ndim == 1
    mats = [ts[0].unsqueeze(0) if first_vec else ts[0]] + ts[1:-1] + \
        [ts[-1].unsqueeze(-1) if last_vec else ts[-1]]
    for i in range(len(mats) - 1):
        if mats[i].shape[1] != mats[i + 1].shape[0]:
            raise RuntimeError(f"multi_dot(): tensors {i} and {i + 1} with shapes {list(ts[i].shape)} and "
                               f"{list(ts[i + 1].shape)} cannot be multiplied")
    dims = [m.shape[0] for m in mats] + [mats[-1].shape[1]]
    split = _chain_order(dims)

    def prod(i, j):
        if i == j:
            return mats[i]
        m = split[i][j]
        return prod(i, m) @ prod(m + 1, j)

    r = prod(0, len(mats) - 1)
    if first_vec:
        r = r.squeeze(0)
    if last_vec:
        r = r.squeeze(-1)
    from .reduction import _maybe_out  # noqa: PLC0415

    return _maybe_out(r, out)


# ----------------------------------------------------------------------------- vander
def _vander_increasing(x: Tensor, n: int) -> Tensor:
    from .shape import cat  # noqa: PLC0415

    dt = x._data.dtype if x.dtype._cat >= 2 else np.int64
    ones = _wrap(array_module(x._data).ones(tuple(x.shape) + (1,), dtype=dt))
    if n == 1:
        return ones
    pw = x.unsqueeze(-1).expand(tuple(x.shape) + (n - 1,)).cumprod(-1)
    return cat([ones, pw], -1)


def vander(x: Tensor, N: int | None = None, increasing: bool = False) -> Tensor:
    """Vandermonde matrix: columns are powers of 1-D ``x`` (decreasing unless ``increasing``).

    >>> import ember
    >>> ember.vander(ember.tensor([1, 2, 3]), N=3)
    tensor([[1, 1, 1],
            [4, 2, 1],
            [9, 3, 1]])
    """
    if x.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    if n == 0:
        dt = x._data.dtype if x.dtype._cat >= 2 else np.int64
        return _wrap(array_module(x._data).zeros((x.shape[0], 0), dtype=dt))
    r = _vander_increasing(x, n)
    return r if increasing else r.flip(-1)


def linalg_vander(x: Tensor, *, N: int | None = None) -> Tensor:
    """Vandermonde matrices with increasing powers of the last dim of ``x``: (..., n) -> (..., n, N)."""
    if x.ndim < 1:
        raise RuntimeError("N must be greater than 1.")
    n = x.shape[-1] if N is None else N
    if n <= 1:
        raise RuntimeError("N must be greater than 1.")
    return _vander_increasing(x, n)



# ----------------------------------------------------------------------------- legacy torch.* decompositions
svd_rt = return_type("svd", ["U", "S", "V"])
qr_rt = return_type("qr", ["Q", "R"])


def svd(input: Tensor, some: bool = True, compute_uv: bool = True, *, out=None):
    """Legacy ``torch.svd``: (U, S, V) with ``V`` (not ``Vh``); ``some=False`` gives full U and V.

    >>> import ember
    >>> ember.svd(ember.tensor([[3., 0.], [0., 2.]])).S
    tensor([3., 2.])
    """
    from .. import linalg  # noqa: PLC0415

    if not compute_uv:
        m, n = input.shape[-2:]
        S = linalg.svdvals(input)
        xp = array_module(input._data)
        batch = tuple(input.shape[:-2])
        return out_tuple(svd_rt, (_wrap(xp.zeros(batch + (m, m), input._data.dtype)), S,
                                  _wrap(xp.zeros(batch + (n, n), input._data.dtype))), out)
    U, S, Vh = linalg.svd(input, full_matrices=not some)
    return out_tuple(svd_rt, (U, S, Vh.mT), out)


def qr(input: Tensor, some: bool = True, *, out=None):
    """Legacy ``torch.qr``: reduced (``some=True``) or complete QR decomposition.

    >>> import ember
    >>> ember.qr(ember.eye(2)).R
    tensor([[1., 0.],
            [0., 1.]])
    """
    from .. import linalg  # noqa: PLC0415

    Q, R = linalg.qr(input, "reduced" if some else "complete")
    return out_tuple(qr_rt, (Q, R), out)


def pinverse(input: Tensor, rcond: float = 1e-15) -> Tensor:
    """Pseudo-inverse with singular values below ``rcond`` times the largest treated as zero.

    >>> import ember
    >>> ember.pinverse(ember.tensor([[2., 0.], [0., 0.]]))
    tensor([[0.5000, 0.0000],
            [0.0000, 0.0000]])
    """
    from .. import linalg  # noqa: PLC0415

    return linalg.pinv(input, rtol=rcond)


register(inverse=inverse, det=det, logdet=logdet, slogdet=slogdet, cholesky=cholesky, cholesky_solve=cholesky_solve,
         cholesky_inverse=cholesky_inverse, matrix_power=matrix_power, matrix_exp=matrix_exp, svd=svd, qr=qr,
         pinverse=pinverse)

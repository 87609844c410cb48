"""``ember.linalg``: PyTorch's ``torch.linalg`` namespace (decompositions, solvers, norms), with autograd."""
from __future__ import annotations

import builtins

import numpy as np

from ._tensor import Tensor, _wrap
from .autograd.grad_mode import state
from .autograd.graph import Node, SavedOutput, link, link_multi
from .ops._util import array_module, wrap_dims
from .ops.blas import matmul
from .ops.linalg_ops import (
    LinAlgError,
    _inv,
    _legacy,
    _np,
    check_float,
    check_square,
    cholesky_ex,
    det,
    eye_like,
    inv_ex,
    linalg_cholesky,
    linalg_solve,
    linalg_vander,
    matrix_exp,
    matrix_power,
    multi_dot,
    slogdet,
    solve_ex,
    solve_triangular,
)
from .ops.reduction import _expand_back, _maybe_out
from .ops.lu import lu, lu_factor, lu_factor_ex, lu_solve  # noqa: F401
from .ops.sorting import out_tuple, return_type
from .ops.structure import diagonal as _diagonal
from .ops.structure import linalg_cross

__all__ = ["LinAlgError", "cholesky", "cholesky_ex", "cond", "cross", "det", "diagonal", "eigh", "eigvalsh", "inv",
           "inv_ex", "lstsq", "lu", "lu_factor", "lu_factor_ex", "lu_solve", "matmul", "matrix_exp", "matrix_norm",
           "matrix_power", "matrix_rank", "multi_dot",
           "norm", "pinv", "qr", "slogdet", "solve", "solve_ex", "solve_triangular", "svd", "svdvals", "tensorinv",
           "tensorsolve", "vander", "vecdot", "vector_norm"]

svd_rt = return_type("linalg_svd", ["U", "S", "Vh"])
qr_rt = return_type("linalg_qr", ["Q", "R"])
eigh_rt = return_type("linalg_eigh", ["eigenvalues", "eigenvectors"])
lstsq_rt = return_type("linalg_lstsq", ["solution", "residuals", "rank", "singular_values"])

_INF = float("inf")


def inv(A: Tensor, *, out=None) -> Tensor:
    """Inverse of a square matrix (or batch); raises ``LinAlgError`` when singular.

    >>> import ember
    >>> ember.linalg.inv(ember.tensor([[2., 0.], [0., 4.]]))
    tensor([[0.5000, 0.0000],
            [0.0000, 0.2500]])
    """
    return _maybe_out(_inv(A), out)


def solve(A: Tensor, B: Tensor, *, left: bool = True, out=None) -> Tensor:
    """Solution of ``A X = B`` (``X A = B`` when ``left=False``); ``B`` may be a (batch of) vector(s).

    >>> import ember
    >>> ember.linalg.solve(ember.tensor([[2., 0.], [0., 4.]]), ember.tensor([2., 4.]))
    tensor([1., 1.])
    """
    return linalg_solve(A, B, left=left, out=out)


def cholesky(A: Tensor, *, upper: bool = False, out=None) -> Tensor:
    """Cholesky factor ``L`` with ``A = L L^T`` (``upper=True`` returns ``L^T``).

    >>> import ember
    >>> ember.linalg.cholesky(ember.tensor([[4., 2.], [2., 5.]]))
    tensor([[2., 0.],
            [1., 2.]])
    """
    return linalg_cholesky(A, upper=upper, out=out)


def cross(input: Tensor, other: Tensor, *, dim: int = -1, out=None) -> Tensor:
    """Cross product of 3-vectors along ``dim`` (default the last), with broadcasting.

    >>> import ember
    >>> ember.linalg.cross(ember.tensor([1., 0., 0.]), ember.tensor([0., 1., 0.]))
    tensor([0., 0., 1.])
    """
    return linalg_cross(input, other, dim=dim, out=out)


def vander(x: Tensor, *, N: int | None = None) -> Tensor:
    """Vandermonde matrix with increasing powers ``x**0 .. x**(N-1)`` of the last dim of ``x``.

    >>> import ember
    >>> ember.linalg.vander(ember.tensor([1, 2, 3]))
    tensor([[1, 1, 1],
            [1, 2, 4],
            [1, 3, 9]])
    """
    return linalg_vander(x, N=N)


def diagonal(A: Tensor, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """A view of the diagonals of a batch of matrices (``torch.diagonal`` with matrix defaults).

    >>> import ember
    >>> ember.linalg.diagonal(ember.eye(2))
    tensor([1., 1.])
    """
    return _diagonal(A, offset, dim1, dim2)


def vecdot(x: Tensor, y: Tensor, *, dim: int = -1, out=None) -> Tensor:
    """Dot product of vectors along ``dim`` (batch dims broadcast).

    >>> import ember
    >>> ember.linalg.vecdot(ember.tensor([1., 2.]), ember.tensor([3., 4.]))
    tensor(11.)
    """
    check_float(x, "linalg.vecdot")
    n1, n2 = x.shape[dim], y.shape[dim]
    if n1 != n2:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{n1}] and src [{n2}] to have the same number "
                           f"of elements, but got {n1} and {n2} elements respectively")
    xc = _wrap(array_module(x._data).conj(x._data)) if x.is_complex() else x  # complex: conj(x) (no autograd)
    return _maybe_out((xc * y).sum(dim), out)


# ----------------------------------------------------------------------------- norms
class LinalgVectorNormBackward0(Node):
    __slots__ = ("dims", "keepdim", "ord")

    def backward(self, g):
        from .ops.pointwise import where  # noqa: PLC0415

        x, norm = self.saved_tensors
        p = self.ord
        if p == 0:
            return x * 0
        g = _expand_back(g, x.shape, self.dims, self.keepdim)
        nrm = _expand_back(norm, x.shape, self.dims, self.keepdim)
        zero = nrm == 0
        safe = where(zero, 1.0, nrm)
        if p == 1:
            return x.sgn() * g
        if p == 2:
            return x * where(zero, 0.0, g / safe)
        if p in (_INF, -_INF):
            ax = x.abs()
            mask = (ax == nrm) | ax.isnan()
            cnt = mask.sum(self.dims, keepdim=True)
            return x.sgn() * (g / cnt) * mask
        if p < 1:
            xa = x.abs()
            scaled = where(x == 0, 0.0, where(x == 0, 1.0, xa) ** (p - 1))
            return x.sgn() * scaled * g * nrm ** (1 - p)
        if p < 2:
            return x.sgn() * x.abs() ** (p - 1) * where(zero, 0.0, g / safe ** (p - 1))
        return x * x.abs() ** (p - 2) * where(zero, 0.0, g / safe ** (p - 1))


def _fmt(v) -> str:
    return f"{builtins.float(v):g}"


def vector_norm(x: Tensor, ord=2, dim=None, keepdim: bool = False, *, dtype=None, out=None) -> Tensor:
    """The ``ord``-norm of ``x`` over ``dim`` (all elements by default); ord may be inf, -inf, 0 or any float.

    >>> import ember
    >>> ember.linalg.vector_norm(ember.tensor([3., 4.]))
    tensor(5.)
    """
    check_float_norm(x, "linalg.vector_norm")
    if dtype is not None:
        if dtype._cat < 2:
            raise RuntimeError(f"linalg.vector_norm: dtype should be floating point or complex, but got "
                               f"{_legacy(dtype)}")
        x = x.to(dtype)
    p = builtins.float(ord)
    d = x._data
    dims = wrap_dims(dim, d.ndim) if not (isinstance(dim, (tuple, list)) and len(dim) == 0) else tuple(range(d.ndim))
    if p < 0 or p == _INF:
        if d.size == 0 and dim is None:
            raise RuntimeError(f"linalg.vector_norm cannot compute the {_fmt(ord)} norm on an empty tensor because "
                               "the operation does not have an identity")
        for a in dims:
            if d.shape[a] == 0:
                raise RuntimeError(f"linalg.vector_norm cannot compute the {_fmt(ord)} norm on the dimension {a}"
                                   "because this dimension is empty and the operation does not have an identity")
    xp = array_module(d)
    xa = xp.abs(d)
    ax = dims if d.ndim else None
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        if p == 2:
            r = xp.sqrt((xa * xa).sum(axis=ax, keepdims=keepdim))
        elif p == _INF:
            r = xa.max(axis=ax, keepdims=keepdim)
        elif p == -_INF:
            r = xa.min(axis=ax, keepdims=keepdim)
        elif p == 0:
            r = (d != 0).sum(axis=ax, keepdims=keepdim)
        elif p == 1:
            r = xa.sum(axis=ax, keepdims=keepdim)
        else:
            r = (xa ** p).sum(axis=ax, keepdims=keepdim) ** (1.0 / p)
    rdt = xa.dtype if d.dtype.kind != "c" else xa.real.dtype
    res = _wrap(xp.asarray(r, dtype=rdt))
    if x._rg and state.enabled:
        n = LinalgVectorNormBackward0()
        n.ord, n.dims, n.keepdim = p, dims, keepdim
        n.save(x, SavedOutput(res))
        link(n, res, (x,))
    return _maybe_out(res, out)


def check_float_norm(x: Tensor, name: str) -> None:
    if x.dtype._cat < 2:
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got {_legacy(x.dtype)}")


def _matrix_dims(A: Tensor, dim):
    d0, d1 = dim
    nd = A.ndim
    from ._tensor import _wrap_dim  # noqa: PLC0415

    a, b = _wrap_dim(d0, nd), _wrap_dim(d1, nd)
    if a == b:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({d0}, {d1})")
    return a, b


def matrix_norm(A: Tensor, ord="fro", dim=(-2, -1), keepdim: bool = False, *, dtype=None, out=None) -> Tensor:
    """Matrix norm over the two dims ``dim``: 'fro', 'nuc', inf, -inf, 1, -1, 2 or -2.

    >>> import ember
    >>> ember.linalg.matrix_norm(ember.tensor([[1., -2.], [3., 4.]]), 1)
    tensor(6.)
    """
    if A.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    check_float_norm(A, "linalg.matrix_norm")
    if dtype is not None:
        A = A.to(dtype)
    a, b = _matrix_dims(A, tuple(dim))
    if isinstance(ord, str):
        if ord == "fro":
            return _maybe_out(vector_norm(A, 2, (a, b), keepdim), out)
        if ord != "nuc":
            raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    elif ord not in (1, -1, 2, -2, _INF, -_INF):
        raise RuntimeError(f"linalg.matrix_norm: Order {_fmt(ord) if not isinstance(ord, int) else ord} not "
                           "supported.")
    lo, hi = builtins.min(a, b), builtins.max(a, b)
    if ord == "nuc" or ord in (2, -2):
        At = A.movedim((a, b), (-2, -1))
        if A.numel() == 0:
            r = At.sum((-2, -1))
        else:
            s = svdvals(At)
            r = s.sum(-1) if ord == "nuc" else s.amax(-1) if ord == 2 else s.amin(-1)
        if keepdim:
            r = r.unsqueeze(lo).unsqueeze(hi)
        return _maybe_out(r, out)
    red, pick = (a, b) if ord in (1, -1) else (b, a)
    s = A.abs().sum(red, keepdim=keepdim)
    if not keepdim and pick > red:
        pick -= 1
    if A.numel() == 0:
        r = s.sum(pick, keepdim=keepdim)
    else:
        r = s.amax(pick, keepdim=keepdim) if ord > 0 else s.amin(pick, keepdim=keepdim)
    return _maybe_out(r, out)


def norm(A: Tensor, ord=None, dim=None, keepdim: bool = False, *, dtype=None, out=None) -> Tensor:
    """Vector norm (1 dim or flattened) or matrix norm (2 dims or string ``ord``), as ``torch.linalg.norm``.

    >>> import ember
    >>> ember.linalg.norm(ember.tensor([[3., 0.], [0., 4.]]))
    tensor(5.)
    """
    if dim is not None and isinstance(dim, builtins.int):
        dim = (dim,)
    if dim is not None:
        dim = tuple(dim)
    if ord is not None and dim is None:
        if A.ndim not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
                               f"Got {A.ndim}D.")
        dim = tuple(range(A.ndim))
    if isinstance(ord, str) or (dim is not None and len(dim) == 2 and ord is not None):
        return matrix_norm(A, ord, dim if dim is not None else (-2, -1), keepdim, dtype=dtype, out=out)
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype, out=out)


def cond(A: Tensor, p=None, *, out=None) -> Tensor:
    """Condition number of a matrix in norm ``p`` (2-norm by default).

    >>> import ember
    >>> ember.linalg.cond(ember.tensor([[2., 0.], [0., 1.]]))
    tensor(2.)
    """
    if p is None or p in (2, -2):
        s = svdvals(A)
        r = s.amax(-1) / s.amin(-1) if p != -2 else s.amin(-1) / s.amax(-1)
        return _maybe_out(r, out)
    return _maybe_out(matrix_norm(A, p) * matrix_norm(_inv(A), p), out)


# ----------------------------------------------------------------------------- QR
class LinalgQrBackward0(Node):
    __slots__ = ("mode",)
    num_outputs = 2

    def backward(self, gQ, gR):
        Q, R = self.saved_tensors
        if self.mode == "r":
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
                               "Please use linalg.qr(A, mode='reduced') if you are going to differentiate through "
                               "linalg.qr.")
        m, n = Q.shape[-2], R.shape[-1]
        if self.mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' and nrows > ncols.")
        if m >= n:
            return _qr_back_tall(Q, R, gQ, gR)
        from .ops.shape import cat  # noqa: PLC0415

        U, V = R[..., :, :m], R[..., :, m:]
        gU = gR[..., :, :m] if gR is not None else None
        gV = gR[..., :, m:] if gR is not None else None
        if gV is not None:
            Y = Q @ V
            gQ = Y @ gV.mT if gQ is None else gQ + Y @ gV.mT
        gX = _qr_back_tall(Q, U, gQ, gU)
        gY = Q @ gV if gV is not None else gX.new_zeros(tuple(gX.shape[:-1]) + (n - m,))
        return cat([gX, gY], -1)


def _qr_back_tall(Q, R, gQ, gR):
    """Gradient of A = QR (m >= n, reduced): [gQ + Q copyutl(M)] R^{-T}, M = gR R^T - Q^T gQ."""
    M = None
    if gR is not None:
        M = gR @ R.mT
    if gQ is not None:
        M = -(Q.mT @ gQ) if M is None else M - Q.mT @ gQ
    sym = M.triu() + M.triu(1).mT
    B = Q @ sym if gQ is None else gQ + Q @ sym
    return solve_triangular(R.mT, B, upper=False, left=False)


def qr(A: Tensor, mode: str = "reduced", *, out=None):
    """QR decomposition ``A = Q R`` (mode 'reduced', 'complete', or 'r' for R only).

    >>> import ember
    >>> Q, R = ember.linalg.qr(ember.tensor([[3., 1.], [4., 2.]]))
    >>> (Q @ R).round()
    tensor([[3., 1.],
            [4., 2.]])
    """
    if A.ndim < 2:
        raise RuntimeError("linalg.qr: The input tensor A must have at least 2 dimensions.")
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), 'r', or "
                           "'complete'")
    check_float(A, "linalg.qr")
    a = _np(A)
    m, n = a.shape[-2:]
    if a.size == 0:
        k = m if mode == "complete" else builtins.min(m, n)
        q = np.broadcast_to(np.eye(m, k, dtype=a.dtype), a.shape[:-2] + (m, k)).copy()
        r = np.zeros(a.shape[:-2] + (k, n), dtype=a.dtype)
    else:
        q, r = np.linalg.qr(a, mode="complete" if mode == "complete" else "reduced")
    if mode == "r":
        q = np.zeros((0,), dtype=a.dtype)
    Q, R = _wrap(np.ascontiguousarray(q)), _wrap(np.ascontiguousarray(r))
    if type(A._data) is not np.ndarray:
        Q, R = Q.to(A.device), R.to(A.device)
    if A._rg and state.enabled:
        nd = LinalgQrBackward0()
        nd.mode = mode
        nd.save(SavedOutput(Q, 0), SavedOutput(R, 1))
        link_multi(nd, (Q, R), (A,))
    return out_tuple(qr_rt, (Q, R), out)


# ----------------------------------------------------------------------------- SVD
class LinalgSvdBackward0(Node):
    __slots__ = ("full",)
    num_outputs = 3

    def backward(self, gU, gS, gVh):
        U, S, Vh = self.saved_tensors
        k = S.shape[-1]
        if self.full:
            U, Vh = U[..., :, :k], Vh[..., :k, :]
            gU = gU[..., :, :k] if gU is not None else None
            gVh = gVh[..., :k, :] if gVh is not None else None
        m, n = U.shape[-2], Vh.shape[-1]
        if gU is None and gVh is None:
            return (U * gS.unsqueeze(-2)) @ Vh
        S2 = S * S
        E = S2.unsqueeze(-2) - S2.unsqueeze(-1) + eye_like(k, S)
        core = None
        if gU is not None:
            J = U.mT @ gU
            core = (J - J.mT) * S.unsqueeze(-2)
        if gVh is not None:
            K = Vh @ gVh.mT
            t = S.unsqueeze(-1) * (K - K.mT)
            core = t if core is None else core + t
        core = core / E
        if gS is not None:
            from .ops.structure import diag_embed  # noqa: PLC0415

            core = core + diag_embed(gS)
        if m > k and gU is not None:
            gUS = gU / S.unsqueeze(-2)
            return (U @ core + gUS - U @ (U.mT @ gUS)) @ Vh
        if n > k and gVh is not None:
            SgVh = gVh / S.unsqueeze(-1)
            return U @ (core @ Vh + SgVh - (SgVh @ Vh.mT) @ Vh)
        return U @ core @ Vh


def svd(A: Tensor, full_matrices: bool = True, *, driver=None, out=None):
    """Singular value decomposition ``A = U diag(S) Vh`` (named tuple U, S, Vh; S descending).

    >>> import ember
    >>> ember.linalg.svd(ember.tensor([[3., 0.], [0., -2.]])).S
    tensor([3., 2.])
    """
    if A.ndim < 2:
        raise RuntimeError("linalg.svd: The input tensor A must have at least 2 dimensions.")
    if driver is not None:
        raise RuntimeError("torch.linalg.svd: keyword argument `driver=` is only supported on CUDA inputs with "
                           "cuSOLVER backend.")
    check_float(A, "linalg.svd")
    a = _np(A)
    m, n = a.shape[-2:]
    k = builtins.min(m, n)
    if a.size == 0:
        b = a.shape[:-2]
        u = np.broadcast_to(np.eye(m, m if full_matrices else k, dtype=a.dtype), b + (m, m if full_matrices else k))
        vh = np.broadcast_to(np.eye(n if full_matrices else k, n, dtype=a.dtype), b + (n if full_matrices else k, n))
        s = np.zeros(b + (k,), dtype=a.dtype)
    else:
        u, s, vh = np.linalg.svd(a, full_matrices=full_matrices)
    U, S, Vh = (_wrap(np.ascontiguousarray(t, dtype=a.dtype)) for t in (u, s, vh))
    if type(A._data) is not np.ndarray:
        U, S, Vh = U.to(A.device), S.to(A.device), Vh.to(A.device)
    if A._rg and state.enabled:
        nd = LinalgSvdBackward0()
        nd.full = full_matrices and m != n
        nd.save(SavedOutput(U, 0), SavedOutput(S, 1), SavedOutput(Vh, 2))
        link_multi(nd, (U, S, Vh), (A,))
    return out_tuple(svd_rt, (U, S, Vh), out)


def svdvals(A: Tensor, *, driver=None, out=None) -> Tensor:
    """Singular values of a matrix (or batch), in descending order.

    >>> import ember
    >>> ember.linalg.svdvals(ember.tensor([[3., 0.], [0., -2.]]))
    tensor([3., 2.])
    """
    if A._rg and state.enabled:
        return _maybe_out(svd(A, full_matrices=False, driver=driver).S, out)
    if A.ndim < 2:
        raise RuntimeError("linalg.svd: The input tensor A must have at least 2 dimensions.")
    check_float(A, "linalg.svd")
    a = _np(A)
    s = np.linalg.svd(a, compute_uv=False) if a.size else np.zeros(a.shape[:-2] + (builtins.min(a.shape[-2:]),))
    res = _wrap(np.ascontiguousarray(s, dtype=a.dtype))
    return _maybe_out(res if type(A._data) is np.ndarray else res.to(A.device), out)


# ----------------------------------------------------------------------------- eigh
class LinalgEighBackward0(Node):
    __slots__ = ()
    num_outputs = 2

    def backward(self, gL, gV):
        L, V = self.saved_tensors
        if gV is None:
            return (V * gL.unsqueeze(-2)) @ V.mT
        n = L.shape[-1]
        eye = eye_like(n, L)
        E = L.unsqueeze(-2) - L.unsqueeze(-1) + eye
        K = V.mT @ gV
        inner = (K - K.mT) * 0.5 / E * (1 - eye)
        if gL is not None:
            from .ops.structure import diag_embed  # noqa: PLC0415

            inner = inner + diag_embed(gL)
        return V @ inner @ V.mT


def _check_uplo(UPLO: str) -> None:
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")


def eigh(A: Tensor, UPLO: str = "L", *, out=None):
    """Eigenvalues (ascending) and orthonormal eigenvectors of a symmetric matrix (reads the ``UPLO`` triangle).

    >>> import ember
    >>> ember.linalg.eigh(ember.tensor([[2., 0.], [0., 1.]])).eigenvalues
    tensor([1., 2.])
    """
    check_square(A, "linalg.eigh")
    _check_uplo(UPLO)
    check_float(A, "linalg.eigh")
    a = _np(A)
    if a.size == 0:
        w, v = np.zeros(a.shape[:-1], a.dtype), a.copy()
    else:
        w, v = np.linalg.eigh(a, UPLO=UPLO)
    L, V = _wrap(np.ascontiguousarray(w, dtype=a.dtype)), _wrap(np.ascontiguousarray(v, dtype=a.dtype))
    if type(A._data) is not np.ndarray:
        L, V = L.to(A.device), V.to(A.device)
    if A._rg and state.enabled:
        nd = LinalgEighBackward0()
        nd.save(SavedOutput(L, 0), SavedOutput(V, 1))
        link_multi(nd, (L, V), (A,))
    return out_tuple(eigh_rt, (L, V), out)


def eigvalsh(A: Tensor, UPLO: str = "L", *, out=None) -> Tensor:
    """Eigenvalues (ascending) of a symmetric matrix.

    >>> import ember
    >>> ember.linalg.eigvalsh(ember.tensor([[2., 1.], [1., 2.]]))
    tensor([1., 3.])
    """
    if A._rg and state.enabled:
        return _maybe_out(eigh(A, UPLO).eigenvalues, out)
    check_square(A, "linalg.eigh")
    _check_uplo(UPLO)
    check_float(A, "linalg.eigh")
    a = _np(A)
    w = np.linalg.eigvalsh(a, UPLO=UPLO) if a.size else np.zeros(a.shape[:-1], a.dtype)
    res = _wrap(np.ascontiguousarray(w, dtype=a.dtype))
    return _maybe_out(res if type(A._data) is np.ndarray else res.to(A.device), out)


# ----------------------------------------------------------------------------- pinv, rank, lstsq
def _tolerance(smax, atol, rtol, m: int, n: int, dt):
    """PyTorch's cutoff max(atol, rtol * smax); rtol defaults to eps * max(m, n), or 0 where atol > 0 is given."""
    at = 0.0 if atol is None else (_np(atol) if isinstance(atol, Tensor) else atol)
    if rtol is None:
        default = np.finfo(dt).eps * builtins.max(m, n)
        rt = default if atol is None else np.where(np.asarray(at) > 0, 0.0, default)
    else:
        rt = _np(rtol) if isinstance(rtol, Tensor) else rtol
    return np.maximum(at, rt * smax)


class LinalgPinvBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        A, P = self.saved_tensors
        Pt = P.mT
        t1 = -(Pt @ g @ Pt)
        X = (g.mT @ P) @ Pt
        t2 = X - A @ (P @ X)
        Y = Pt @ (P @ g.mT)
        t3 = Y - (Y @ P) @ A
        return t1 + t2 + t3


def pinv(A: Tensor, rcond=None, hermitian: bool = False, *, atol=None, rtol=None, out=None) -> Tensor:
    """Moore-Penrose pseudo-inverse; singular values below max(atol, rtol * largest) are treated as zero.

    >>> import ember
    >>> ember.linalg.pinv(ember.tensor([[2., 0.], [0., 0.]]))
    tensor([[0.5000, 0.0000],
            [0.0000, 0.0000]])
    """
    if A.ndim < 2 or A.dtype._cat < 2:
        raise RuntimeError(f"linalg.pinv({_legacy(A.dtype)}{{{list(A.shape)}}}): expected a tensor with 2 or more "
                           "dimensions of float, double, cfloat or cdouble types")
    if rcond is not None:
        rtol = rcond
    a = _np(A)
    m, n = a.shape[-2:]
    if a.size == 0:
        p = np.zeros(a.shape[:-2] + (n, m), dtype=a.dtype)
    elif hermitian:
        w, v = np.linalg.eigh(a)
        tol = _tolerance(np.abs(w).max(-1), atol, rtol, m, n, a.dtype)
        with np.errstate(divide="ignore"):
            winv = np.where(np.abs(w) > tol[..., None], 1.0 / w, 0.0)
        p = (v * winv[..., None, :]) @ np.swapaxes(v, -1, -2)
    else:
        u, s, vh = np.linalg.svd(a, full_matrices=False)
        tol = _tolerance(s[..., 0], atol, rtol, m, n, a.dtype)
        with np.errstate(divide="ignore"):
            sinv = np.where(s > tol[..., None], 1.0 / s, 0.0)
        p = (np.swapaxes(vh, -1, -2) * sinv[..., None, :]) @ np.swapaxes(u, -1, -2)
    res = _wrap(np.ascontiguousarray(p, dtype=a.dtype))
    if type(A._data) is not np.ndarray:
        res = res.to(A.device)
    if A._rg and state.enabled:
        nd = LinalgPinvBackward0()
        nd.save(A, SavedOutput(res))
        link(nd, res, (A,))
    return _maybe_out(res, out)


def matrix_rank(A: Tensor, tol=None, hermitian: bool = False, *, atol=None, rtol=None, out=None) -> Tensor:
    """Numerical rank: the number of singular values above max(atol, rtol * largest).

    >>> import ember
    >>> ember.linalg.matrix_rank(ember.ones(3, 3))
    tensor(1)
    """
    if A.ndim < 2:
        raise RuntimeError("torch.linalg.matrix_rank: The input tensor input must have at least 2 dimensions.")
    check_float(A, "torch.linalg.matrix_rank")
    if tol is not None:
        atol, rtol = tol, 0.0
    a = _np(A)
    m, n = a.shape[-2:]
    if a.size == 0:
        r = np.zeros(a.shape[:-2], np.int64)
    else:
        s = np.abs(np.linalg.eigvalsh(a)) if hermitian else np.linalg.svd(a, compute_uv=False)
        tol_v = _tolerance(s.max(-1), atol, rtol, m, n, a.dtype)
        r = (s > tol_v[..., None]).sum(-1).astype(np.int64)
    res = _wrap(np.asarray(r))
    return _maybe_out(res if type(A._data) is np.ndarray else res.to(A.device), out)


def lstsq(A: Tensor, B: Tensor, rcond=None, *, driver=None):
    """Least-squares solution of ``A X = B`` (minimum norm when rank deficient), with residuals, rank and
    singular values as the CPU drivers 'gelsy' (default), 'gelsd', 'gelss' and 'gels' report them.

    >>> import ember
    >>> ember.linalg.lstsq(ember.tensor([[1., 0.], [0., 1.], [0., 0.]]), ember.tensor([[1.], [2.], [3.]])).solution
    tensor([[1.],
            [2.]])
    """
    if driver is None:
        driver = "gelsy"
    if driver not in ("gels", "gelsy", "gelsd", "gelss"):
        raise RuntimeError("torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)")
    if A.ndim < 2:
        raise RuntimeError("torch.linalg.lstsq: input must have at least 2 dimensions.")
    check_float(A, "torch.linalg.lstsq")
    if A.dtype is not B.dtype:
        raise RuntimeError(f"torch.linalg.lstsq: Expected input and other to have the same dtype, but got "
                           f"input's dtype {A.dtype} and other's dtype {B.dtype}")
    vec = B.ndim == A.ndim - 1
    Bm = B.unsqueeze(-1) if vec else B
    if Bm.shape[-2] != A.shape[-2]:
        raise RuntimeError("torch.linalg.lstsq: input.size(-2) should match other.size(-2)")
    m, n = A.shape[-2:]
    a = _np(A)
    eps_r = np.finfo(a.dtype).eps * builtins.max(m, n)
    rc = eps_r if rcond is None else rcond
    X = pinv(A, rtol=rc) @ Bm
    s = np.linalg.svd(a, compute_uv=False) if a.size else np.zeros(a.shape[:-2] + (builtins.min(m, n),), a.dtype)
    smax = s.max(-1) if s.shape[-1] else np.zeros(s.shape[:-1], a.dtype)
    rank = (s > (rc * smax)[..., None]).sum(-1).astype(np.int64)
    empty = _wrap(np.zeros(0, dtype=a.dtype))
    if driver != "gelsy" and m > n and (rank == n).all():
        res = (A @ X - Bm)
        residuals = (res * res).sum(-2)
    else:
        residuals = X.reshape(-1)[:0]
    rank_t = _wrap(np.asarray(rank)) if driver != "gels" else _wrap(np.zeros(0, np.int64))
    sv = _wrap(np.ascontiguousarray(s, dtype=a.dtype)) if driver in ("gelsd", "gelss") else empty
    return lstsq_rt(X.squeeze(-1) if vec else X, residuals, rank_t, sv)


# ----------------------------------------------------------------------------- tensorinv, tensorsolve
def tensorinv(A: Tensor, ind: int = 2, *, out=None) -> Tensor:
    """The inverse of ``A`` with respect to ``tensordot`` over its first ``ind`` dims.

    >>> import ember
    >>> ember.linalg.tensorinv(ember.eye(4).reshape(4, 2, 2), ind=1).shape
    torch.Size([2, 2, 4])
    """
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    sh = tuple(A.shape)
    p1, p2 = int(np.prod(sh[:ind])), int(np.prod(sh[ind:]))
    if p1 != p2:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {p2} != {p1}")
    return _maybe_out(_inv(A.reshape(p1, p2)).reshape(sh[ind:] + sh[:ind]), out)


def tensorsolve(A: Tensor, B: Tensor, dims=None, *, out=None) -> Tensor:
    """X with ``tensordot(A, X, X.ndim) == B``; ``dims`` of A are moved to the end first.

    >>> import ember
    >>> ember.linalg.tensorsolve(ember.eye(6).reshape(2, 3, 6), ember.ones(2, 3)).shape
    torch.Size([6])
    """
    if dims is not None:
        dims = [dims] if isinstance(dims, builtins.int) else list(dims)
        nd = A.ndim
        dims = [d % nd for d in dims]
        A = A.permute([i for i in range(nd) if i not in dims] + dims)
    sh = tuple(A.shape)
    p1, p2 = int(np.prod(sh[:B.ndim])), int(np.prod(sh[B.ndim:]))
    if p1 != p2:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[other.ndim:]) == "
                           f"prod(self.shape[:other.ndim]), but got {p2} != {p1}")
    x = linalg_solve(A.reshape(p1, p2), B.reshape(p1))
    return _maybe_out(x.reshape(sh[B.ndim:]), out)

"""LU factorization with partial pivoting: ``linalg.lu_factor``, ``lu_factor_ex``, ``lu``, ``lu_solve``, and
``lu_unpack`` plus the deprecated ``torch.lu`` / ``torch.lu_solve``.

The factorization is LAPACK's getrf by columns (the first largest magnitude pivot, rows swapped, the column
scaled, the trailing block updated), vectorized over the batch; its factors equal LAPACK's up to rounding (LAPACK
updates in blocks). Pivots are 1-based int32, as PyTorch's. The packed ``LU`` has a gradient for square inputs
(PyTorch's formula through triangular solves); ``lu_unpack`` and ``lu_solve`` are composed of differentiable ops.
"""
from __future__ import annotations

import warnings

import numpy as np

from ..autograd.graph import Node, link_multi
from ._util import Tensor, _wrap, register, state
from .linalg_ops import _legacy, _np, check_float, solve_triangular
from .sorting import return_type

__all__ = ["lu_unpack"]  # torch.lu / torch.lu_solve are _torch_lu / _torch_lu_solve; the rest is linalg's

_LUFactor = return_type("linalg_lu_factor", ["LU", "pivots"])
_LUFactorEx = return_type("linalg_lu_factor_ex", ["LU", "pivots", "info"])
_LU = return_type("linalg_lu", ["P", "L", "U"])
_LUUnpack = return_type("lu_unpack", ["P", "L", "U"])
_LUWithInfo = return_type("_lu_with_info", ["LU", "pivots", "info"])


def _getrf(a: np.ndarray):
    """Packed LU of each matrix of ``a (..., m, n)`` (a copy), its 1-based pivots and LAPACK's info."""
    a = np.array(a, dtype=a.dtype, order="C", copy=True)
    m, n = a.shape[-2:]
    k = min(m, n)
    batch = a.shape[:-2]
    flat = a.reshape((-1, m, n))
    piv = np.empty((flat.shape[0], k), dtype=np.int32)
    info = np.zeros(flat.shape[0], dtype=np.int32)
    rows = np.arange(flat.shape[0])
    for j in range(k):
        p = np.argmax(np.abs(flat[:, j:, j]), axis=1) + j  # the first of the largest magnitudes (LAPACK's idamax)
        piv[:, j] = p + 1
        swap = p != j
        if swap.any():
            r = rows[swap]
            tmp = flat[r, j, :].copy()
            flat[r, j, :] = flat[r, p[swap], :]
            flat[r, p[swap], :] = tmp
        pivot = flat[:, j, j]
        zero = pivot == 0
        info[(info == 0) & zero] = j + 1
        if j + 1 < m:
            with np.errstate(divide="ignore", invalid="ignore"):
                scale = np.where(zero, 1, pivot)[:, None]
                flat[:, j + 1:, j] = np.where(zero[:, None], flat[:, j + 1:, j], flat[:, j + 1:, j] / scale)
            if j + 1 < n:
                flat[:, j + 1:, j + 1:] -= flat[:, j + 1:, j:j + 1] * flat[:, j:j + 1, j + 1:]
    return flat.reshape(a.shape), piv.reshape(batch + (k,)), info.reshape(batch)


def _unpack_arrays(lu: np.ndarray, piv: np.ndarray):
    """P (as a permutation of row indices), L and U of a packed factorization (raw arrays)."""
    m, n = lu.shape[-2:]
    k = min(m, n)
    L = np.tril(lu[..., :, :k], -1)
    idx = np.arange(k)
    L[..., idx, idx] = 1
    U = np.triu(lu[..., :k, :])
    perm = np.broadcast_to(np.arange(m), lu.shape[:-2] + (m,)).copy()
    flat_perm = perm.reshape(-1, m)
    flat_piv = piv.reshape(-1, piv.shape[-1]) - 1
    for b in range(flat_perm.shape[0]):
        for j in range(flat_piv.shape[1]):
            p = flat_piv[b, j]
            if p != j:
                flat_perm[b, j], flat_perm[b, p] = flat_perm[b, p], flat_perm[b, j]
    return perm, L, U


class LinalgLuFactorExBackward0(Node):
    """Gradient of the packed LU of a square matrix: with ``A = P L U``, ``dA = P L^-H (tril_-1(L^H dL) +
    triu(dU U^H)) U^-H`` (PyTorch's linalg_lu_backward); non-square inputs raise."""

    __slots__ = ("square",)

    def backward(self, g, gpiv=None, ginfo=None):
        lu, piv = self.saved_tensors
        if not self.square:
            raise NotImplementedError("the gradient of linalg.lu_factor for non-square matrices is not implemented "
                                      "in Ember")
        perm, _, _ = _unpack_arrays(_np(lu), _np(piv))
        L = lu.tril(-1) + _eye_like(lu)
        U = lu.triu()
        phi = (L.mH @ g.tril(-1)).tril(-1) + (g.triu() @ U.mH).triu()
        x = solve_triangular(L.mH, phi, upper=True, left=True, unitriangular=True)
        x = solve_triangular(U.mH, x, upper=False, left=False)
        inv = np.argsort(perm, axis=-1)  # dA = P x: row perm[j] of dA is row j of x
        return _take_rows(x, inv)


def _eye_like(t: Tensor) -> Tensor:
    from .creation import eye  # noqa: PLC0415

    return eye(t.shape[-2], t.shape[-1], dtype=t.dtype, device=t.device)


def _take_rows(x: Tensor, rows: np.ndarray) -> Tensor:
    """``x`` with its rows reordered per matrix by ``rows (..., m)`` (differentiable)."""
    from .indexing import gather  # noqa: PLC0415

    idx = _wrap(np.ascontiguousarray(np.broadcast_to(rows[..., None], rows.shape + (x.shape[-1],))))
    return gather(x, -2, idx)


def lu_factor_ex(A: Tensor, *, pivot: bool = True, check_errors: bool = False, out=None):
    """``(LU, pivots, info)``: the packed factors ``P A = L U`` (unit lower L below the diagonal, U on and above),
    1-based row pivots, and LAPACK's info (``k > 0``: ``U[k-1, k-1]`` is zero).

    >>> import ember
    >>> ember.linalg.lu_factor_ex(ember.tensor([[1., 2.], [3., 4.]])).pivots
    tensor([2, 2], dtype=torch.int32)
    """
    name = "torch.lu_factor" if A.ndim < 2 else "linalg.lu_factor"
    if A.ndim < 2:
        raise RuntimeError(f"{name}: Expected tensor with 2 or more dimensions. Got size: {list(A.shape)} instead")
    if A.dtype._cat < 2:
        raise NotImplementedError(f'"lu_cpu" not implemented for \'{_legacy(A.dtype)}\'')
    check_float(A, name)
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")
    lu_arr, piv, info = _getrf(_np(A))
    if check_errors and (info > 0).any():
        k = int(info[info > 0].ravel()[0])
        raise RuntimeError(f"torch.linalg.lu_factor_ex: U[{k},{k}] is zero and using it on lu_solve would result "
                           f"in a division by zero. If you still want to perform the factorization, consider calling "
                           f"linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)")
    LU, pivots, inf = _wrap(lu_arr), _wrap(piv), _wrap(info)
    if A._rg and state.enabled:
        n = LinalgLuFactorExBackward0()
        n.square = A.shape[-1] == A.shape[-2]
        n.save(LU, pivots)
        link_multi(n, (LU, None, None), (A,))
    return _LUFactorEx(LU, pivots, inf)


def lu_factor(A: Tensor, *, pivot: bool = True, out=None):
    """``(LU, pivots)`` of ``lu_factor_ex``; raises when a pivot is zero (``lu_solve`` would divide by it).

    >>> import ember
    >>> LU, piv = ember.linalg.lu_factor(ember.tensor([[1., 2.], [3., 4.]]))
    >>> LU
    tensor([[3.0000, 4.0000],
            [0.3333, 0.6667]])
    """
    LU, pivots, info = lu_factor_ex(A, pivot=pivot)
    bad = _np(info)
    if (bad > 0).any():
        k = int(bad[bad > 0].ravel()[0])
        raise RuntimeError(f"torch.linalg.lu_factor: U[{k},{k}] is zero and using it on lu_solve would result in a "
                           f"division by zero. If you still want to perform the factorization, consider calling "
                           f"linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)")
    return _LUFactor(LU, pivots)


def lu_unpack(LU_data: Tensor, LU_pivots: Tensor, unpack_data: bool = True, unpack_pivots: bool = True, *, out=None):
    """``(P, L, U)`` from a packed factorization: ``P`` the permutation matrix, ``L`` unit lower, ``U`` upper
    (differentiable in ``LU_data``).

    >>> import ember
    >>> P, L, U = ember.lu_unpack(*ember.linalg.lu_factor(ember.tensor([[1., 2.], [3., 4.]])))
    >>> P
    tensor([[0., 1.],
            [1., 0.]])
    """
    from .creation import eye, zeros  # noqa: PLC0415

    m, n = LU_data.shape[-2:]
    k = min(m, n)
    L = U = P = zeros(0, dtype=LU_data.dtype)
    if unpack_data:
        L = LU_data[..., :, :k].tril(-1) + eye(m, k, dtype=LU_data.dtype, device=LU_data.device)
        U = LU_data[..., :k, :].triu()
    if unpack_pivots:
        perm, _, _ = _unpack_arrays(_np(LU_data), _np(LU_pivots))
        eye_m = np.eye(m, dtype=_np(LU_data).dtype)
        p = np.swapaxes(eye_m[perm], -1, -2)  # A = P L U: P's column j is e_perm[j]
        P = _wrap(np.ascontiguousarray(p))
    return _LUUnpack(P, L, U)


def lu(A: Tensor, *, pivot: bool = True, out=None):
    """``(P, L, U)`` with ``A = P L U`` (``linalg.lu``).

    >>> import ember
    >>> P, L, U = ember.linalg.lu(ember.tensor([[1., 2.], [3., 4.]]))
    >>> U
    tensor([[3.0000, 4.0000],
            [0.0000, 0.6667]])
    """
    LU, pivots, _ = lu_factor_ex(A, pivot=pivot)
    P, L, U = lu_unpack(LU, pivots)
    return _LU(P, L, U)


def lu_solve(LU: Tensor, pivots: Tensor, B: Tensor, *, left: bool = True, adjoint: bool = False, out=None) -> Tensor:
    """Solve ``A X = B`` (``X A = B`` with ``left=False``; ``A^H`` with ``adjoint``) from ``A``'s LU factors
    (composed of a row permutation and two triangular solves, so it differentiates in ``LU`` and ``B``).

    >>> import ember
    >>> LU, piv = ember.linalg.lu_factor(ember.tensor([[4., 3.], [6., 3.]]))
    >>> ember.linalg.lu_solve(LU, piv, ember.tensor([[1.], [2.]]))
    tensor([[ 0.5000],
            [-0.3333]])
    """
    if LU.shape[-1] != LU.shape[-2]:
        raise RuntimeError(f"linalg.lu_solve: A must be batches of square matrices, but they are {LU.shape[-2]} by "
                           f"{LU.shape[-1]} matrices")
    perm, _, _ = _unpack_arrays(_np(LU), _np(pivots))
    inv = np.argsort(perm, axis=-1)
    L = LU.tril(-1) + _eye_like(LU)
    U = LU.triu()
    if left and not adjoint:  # A = P L U: X = U^-1 L^-1 P^T B
        y = solve_triangular(L, _take_rows(B, perm), upper=False, unitriangular=True)
        x = solve_triangular(U, y, upper=True)
    elif left:  # A^H X = B: X = P L^-H U^-H B
        y = solve_triangular(U.mH, B, upper=False)
        y = solve_triangular(L.mH, y, upper=True, unitriangular=True)
        x = _take_rows(y, inv)
    elif not adjoint:  # X A = B: X = B U^-1 L^-1 P^T
        y = solve_triangular(U, B, upper=True, left=False)
        y = solve_triangular(L, y, upper=False, left=False, unitriangular=True)
        x = _take_rows(y.mT, inv).mT
    else:  # X A^H = B: X = B P L^-H U^-H
        y = _take_rows(B.mT, perm).mT
        y = solve_triangular(L.mH, y, upper=True, left=False, unitriangular=True)
        x = solve_triangular(U.mH, y, upper=False, left=False)
    return x if out is None else out.copy_(x)


_WARNED: set = set()  # the deprecation warnings are given once per process, as PyTorch's TORCH_WARN_ONCE


def _warn_once(key: str, msg: str) -> None:
    if key not in _WARNED:
        _WARNED.add(key)
        warnings.warn(msg, UserWarning, stacklevel=3)


def _torch_lu(A: Tensor, pivot: bool = True, get_infos: bool = False, out=None):
    """``torch.lu`` (deprecated in PyTorch for ``linalg.lu_factor`` / ``lu_factor_ex``)."""
    _warn_once("lu", "torch.lu is deprecated in favor of torch.linalg.lu_factor / torch.linalg.lu_factor_ex and "
                     "will be removed in a future PyTorch release.\nLU, pivots = torch.lu(A, compute_pivots)\nshould "
                     "be replaced with\nLU, pivots = torch.linalg.lu_factor(A, compute_pivots)\nand\nLU, pivots, "
                     "info = torch.lu(A, compute_pivots, get_infos=True)\nshould be replaced with\nLU, pivots, info "
                     "= torch.linalg.lu_factor_ex(A, compute_pivots)")
    LU, pivots, info = lu_factor_ex(A, pivot=pivot)
    return _LUWithInfo(LU, pivots, info) if get_infos else (LU, pivots)


def _torch_lu_solve(b: Tensor, LU_data: Tensor, LU_pivots: Tensor, *, out=None) -> Tensor:
    """``torch.lu_solve(b, LU, pivots)`` (deprecated in PyTorch for ``linalg.lu_solve(LU, pivots, b)``)."""
    _warn_once("lu_solve", "torch.lu_solve is deprecated in favor of torch.linalg.lu_solveand will be removed in a "
                           "future PyTorch release.\nNote that torch.linalg.lu_solve has its arguments reversed.\nX = "
                           "torch.lu_solve(B, LU, pivots)\nshould be replaced with\nX = torch.linalg.lu_solve(LU, "
                           "pivots, B)")
    return lu_solve(LU_data, LU_pivots, b, out=out)


_torch_lu.__name__ = "lu"
_torch_lu_solve.__name__ = "lu_solve"
register(lu=_torch_lu, lu_solve=_torch_lu_solve)

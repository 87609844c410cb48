"""``ember.testing.assert_close``: PyTorch's tensor comparison for tests, with its default tolerances per dtype,
its checks (shape, dtype, device) and its failure messages.

>>> import ember
>>> ember.testing.assert_close(ember.tensor([1.0, 2.0]), ember.tensor([1.0, 2.0 + 1e-7]))
>>> ember.testing.assert_close(ember.tensor([1.0, 2.0]), ember.tensor([1.0, 2.5]))
Traceback (most recent call last):
...
AssertionError: Tensor-likes are not close!
<BLANKLINE>
Mismatched elements: 1 / 2 (50.0%)
Greatest absolute difference: 0.5 at index (1,) (up to 1e-05 allowed)
Greatest relative difference: 0.20000000298023224 at index (1,) (up to 1.3e-06 allowed)
"""
from __future__ import annotations

import collections.abc

import numpy as np

from ._tensor import Tensor

__all__ = ["assert_close"]

# PyTorch's default (rtol, atol) per dtype name; integers and bool compare exactly
_TOLERANCES = {"float16": (1e-3, 1e-5), "bfloat16": (1.6e-2, 1e-5), "float32": (1.3e-6, 1e-5),
               "float64": (1e-7, 1e-7), "complex64": (1.3e-6, 1e-5), "complex128": (1e-7, 1e-7)}


class _Mismatch(AssertionError):
    pass


def _tolerances(*dtype_names) -> tuple:
    pairs = [_TOLERANCES.get(n, (0.0, 0.0)) for n in dtype_names]
    return max(p[0] for p in pairs), max(p[1] for p in pairs)


def _is_number(x) -> bool:
    return isinstance(x, (bool, int, float, complex, np.number, np.bool_)) and not isinstance(x, Tensor)


def _item(v):
    """A difference as PyTorch prints it: ints for integer tensors, Python floats otherwise."""
    return int(v) if isinstance(v, (np.integer, np.bool_)) else float(v)


def _report(kind: str, close: bool, lines) -> str:
    return f"{kind} are not {'close' if close else 'equal'}!\n\n" + "\n".join(lines)


def _compare_arrays(a: np.ndarray, e: np.ndarray, rtol, atol, equal_nan, scalar_repr=None):
    """None when ``a`` and ``e`` (same shape) are close, else PyTorch's message."""
    if a.dtype.kind == "b":
        a, e = a.astype(np.int64), e.astype(np.int64)
    if a.dtype.kind in "iu" and e.dtype.kind in "iu" and rtol == 0 and atol == 0:
        ok = a == e
    else:
        with np.errstate(invalid="ignore", over="ignore"):
            ok = np.isclose(a, e, rtol=rtol, atol=atol, equal_nan=equal_nan)
    if ok.all():
        return None
    close = not (rtol == 0 and atol == 0)
    ints = a.dtype.kind in "iu" and e.dtype.kind in "iu"
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        if ints:  # PyTorch: the relative difference of integers in the default float dtype
            diff = np.abs(a.astype(np.int64) - e.astype(np.int64))
            rel_t = np.float64 if scalar_repr is not None else np.float32
            rel = diff.astype(rel_t) / np.abs(e).astype(rel_t)
        else:  # in the tensors' dtype; scalars (0-d tensors, numbers) as Python floats
            wide = np.float64 if scalar_repr is not None and a.dtype.kind == "f" else np.result_type(a.dtype, e.dtype)
            diff = np.abs(a.astype(wide) - e.astype(wide))
            rel = diff / np.abs(e.astype(wide))
    tol = (lambda t: f" (up to {t} allowed)") if close else (lambda t: "")
    if scalar_repr is not None:
        got, exp = scalar_repr
        return _report("Scalars", close, [
            f"Expected {exp} but got {got}.", f"Absolute difference: {_item(diff.reshape(-1)[0])}{tol(atol)}",
            f"Relative difference: {_item(rel.reshape(-1)[0])}{tol(rtol)}"])
    n_bad, n = int((~ok).sum()), ok.size

    def where(x):
        flat = x.reshape(-1)
        nan = np.isnan(flat) if flat.dtype.kind in "fc" else np.zeros(flat.shape, bool)
        i = int(np.argmax(nan)) if nan.any() else int(np.argmax(flat))
        return _item(flat[i]), tuple(int(j) for j in np.unravel_index(i, x.shape))

    d, di = where(diff)
    r, ri = where(rel)
    return _report("Tensor-likes", close, [
        f"Mismatched elements: {n_bad} / {n} ({n_bad / n:.1%})",
        f"Greatest absolute difference: {d} at index {di}{tol(atol)}",
        f"Greatest relative difference: {r} at index {ri}{tol(rtol)}"])


def _compare(actual, expected, rtol, atol, equal_nan, check_device, check_dtype):
    if isinstance(actual, Tensor) and isinstance(expected, Tensor):
        for attr, a, e in (("shape", actual.shape, expected.shape),
                           ("device", actual.device, expected.device) if check_device else (None, 0, 0),
                           ("dtype", actual.dtype, expected.dtype) if check_dtype else (None, 0, 0)):
            if attr is not None and a != e:
                raise _Mismatch(f"The values for attribute '{attr}' do not match: {a} != {e}.")
        ad, ed = actual.detach().cpu().numpy(), expected.detach().cpu().numpy()
        if rtol is None:
            rtol, atol = _tolerances(actual.dtype.name, expected.dtype.name)
        scalar = (repr(ad.item()), repr(ed.item())) if actual.ndim == 0 else None
        return _compare_arrays(ad, ed, rtol, atol, equal_nan, scalar)
    if _is_number(actual) and _is_number(expected):
        if check_dtype and type(actual) is not type(expected):
            raise _Mismatch(f"The (d)types do not match: {type(actual)} != {type(expected)}.")
        if rtol is None:
            floaty = isinstance(actual, (float, complex, np.floating)) or isinstance(expected, (float, np.floating))
            rtol, atol = (1e-7, 1e-7) if floaty else (0.0, 0.0)
        return _compare_arrays(np.asarray(actual), np.asarray(expected), rtol, atol, equal_nan,
                               (repr(actual), repr(expected)))
    raise TypeError(f"No comparison pair was able to handle inputs of type {type(actual)} and {type(expected)}.")


def _walk(actual, expected, path, rtol, atol, equal_nan, check_device, check_dtype):
    """Yield (path, message) for the first mismatch in nested sequences / mappings of tensors and numbers."""
    seq = (collections.abc.Sequence,)
    if isinstance(actual, seq) and isinstance(expected, seq) and not isinstance(actual, str) \
            and not isinstance(actual, Tensor) and not isinstance(expected, Tensor):
        if len(actual) != len(expected):
            raise _Mismatch(f"The length of the sequences mismatch: {len(actual)} != {len(expected)}")
        for i, (a, e) in enumerate(zip(actual, expected)):
            _walk(a, e, path + [i], rtol, atol, equal_nan, check_device, check_dtype)
        return
    if isinstance(actual, collections.abc.Mapping) and isinstance(expected, collections.abc.Mapping):
        if set(actual) != set(expected):
            raise _Mismatch(f"The keys of the mappings do not match:\nMissing keys in the actual mapping: "
                            f"{sorted(set(expected) - set(actual), key=repr)}\nExtra keys in the actual mapping: "
                            f"{sorted(set(actual) - set(expected), key=repr)}")
        for k in expected:
            _walk(actual[k], expected[k], path + [k], rtol, atol, equal_nan, check_device, check_dtype)
        return
    try:
        message = _compare(actual, expected, rtol, atol, equal_nan, check_device, check_dtype)
    except _Mismatch as err:
        message = str(err)
    if message is not None:
        if path:
            message += "\n\nThe failure occurred for item " + "".join(f"[{p!r}]" for p in path)
        raise _Mismatch(message)


def assert_close(actual, expected, *, allow_subclasses: bool = True, rtol=None, atol=None, equal_nan: bool = False,
                 check_device: bool = True, check_dtype: bool = True, check_layout: bool = True,
                 check_stride: bool = False, msg=None) -> None:
    """Assert that ``actual`` and ``expected`` are close: ``|actual - expected| <= atol + rtol * |expected|``
    elementwise, with PyTorch's defaults per dtype (float32: rtol 1.3e-6, atol 1e-5; float64: 1e-7, 1e-7;
    integers and bool exactly), after checking shape, device and dtype. Works on tensors, Python numbers and
    (nested) sequences and mappings of them. ``msg`` replaces the message (a string) or edits it (a callable).

    >>> import ember
    >>> ember.testing.assert_close(ember.tensor([1.0]), ember.tensor([1.1]), rtol=0.2, atol=0.0)
    """
    if (rtol is None) != (atol is None):
        raise ValueError(f"Both 'rtol' and 'atol' must be either specified or omitted, but got no "
                         f"{'atol' if atol is None else 'rtol'}.")
    try:
        _walk(actual, expected, [], rtol, atol, equal_nan, check_device, check_dtype)
    except _Mismatch as err:
        text = str(err)
        if msg is not None:
            text = msg(text) if callable(msg) else msg
        raise AssertionError(text) from None


"""PyTorch-compatible tensor repr/str formatting implemented with NumPy."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = [
    "PrintOptions",
    "format_tensor",
    "get_printoptions",
    "options",
    "set_printoptions",
]


class PrintOptions:
    """Global print options (mirrors ``torch._tensor_str.PRINT_OPTS``)."""

    def __init__(self) -> None:
        self.precision: int = 4
        self.threshold: float = 1000
        self.edgeitems: int = 3
        self.linewidth: int = 80
        self.sci_mode: bool | None = None


options = PrintOptions()

# profile name -> (precision, threshold, edgeitems, linewidth)
_PROFILES: dict[str, tuple[int, float, int, int]] = {
    "default": (4, 1000, 3, 80),
    "short": (2, 1000, 2, 80),
    "full": (4, math.inf, 3, 80),
}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set print options with the semantics of ``torch.set_printoptions``.

    A known ``profile`` resets the four numeric options first (unknown
    profiles are ignored, as in torch); explicit arguments then override it.
    ``sci_mode`` is always assigned, so omitting it resets it to ``None``.
    """
    if profile in _PROFILES:
        (options.precision, options.threshold,
         options.edgeitems, options.linewidth) = _PROFILES[profile]
    if precision is not None:
        options.precision = precision
    if threshold is not None:
        options.threshold = threshold
    if edgeitems is not None:
        options.edgeitems = edgeitems
    if linewidth is not None:
        options.linewidth = linewidth
    options.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """Return the current print options as a dict."""
    return dict(vars(options))


def _kind(dtype_name: str) -> str:
    """Classify a torch dtype name as 'bool', 'complex', 'float' or 'int'."""
    if dtype_name == "bool":
        return "bool"
    if dtype_name.startswith("complex"):
        return "complex"
    if "float" in dtype_name:
        return "float"
    return "int"


def _extremes(vals: np.ndarray) -> list[Any]:
    """Largest and smallest value of each sign: the widest-printing values."""
    out: list[Any] = []
    for part in (vals[vals > 0], vals[vals < 0]):
        if part.size:
            out += [part.max().item(), part.min().item()]
    return out


class _Formatter:
    """Fixed-width formatter for the (summarised) values of one real tensor."""

    def __init__(self, values: np.ndarray, kind: str) -> None:
        self.kind = kind
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        precision = options.precision
        if kind == "bool":
            self.width = 4 if values.all() else 5
            return
        if kind == "int":
            self.width = max([1] + [len(str(v)) for v in _extremes(values)])
            return
        vals = values.astype(np.float64, copy=False).ravel()
        nz = vals[np.isfinite(vals) & (vals != 0)]
        if nz.size == 0:  # only zeros, nan and inf: int mode, no padding
            return
        absv = np.abs(nz)
        hi = absv.max()
        lo = absv.min()
        with np.errstate(over="ignore"):
            ratio = float(hi / lo)
        hi = float(hi)
        lo = float(lo)
        self.int_mode = bool(np.all(nz == np.ceil(nz)))
        if self.int_mode:
            self.sci_mode = ratio > 1000.0 or hi > 1.0e8
        else:
            self.sci_mode = ratio > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
        if options.sci_mode is not None:
            self.sci_mode = options.sci_mode
        if self.sci_mode:
            def spec(v: float) -> str:
                return f"{v:.{precision}e}"
        elif self.int_mode:
            def spec(v: float) -> str:
                return f"{v:.0f}."
        else:
            def spec(v: float) -> str:
                return f"{v:.{precision}f}"
        self.width = max(len(spec(v)) for v in _extremes(nz))

    def format(self, value: Any) -> str:
        """Format one Python scalar, right-aligned to the common width."""
        if self.kind == "float":
            if self.sci_mode:
                ret = f"{value:{self.width}.{options.precision}e}"
            elif self.int_mode:
                ret = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    ret += "."
            else:
                ret = f"{value:.{options.precision}f}"
        else:
            ret = str(value)
        return ret.rjust(self.width)


def _summarize(data: np.ndarray, edge: int) -> np.ndarray:
    """Keep only the first/last ``edge`` entries along every long axis."""
    for axis, size in enumerate(data.shape):
        if size > 2 * edge:
            keep = np.r_[0:edge, size - edge:size]
            data = np.take(data, keep, axis=axis)
    return data


def _render(data: np.ndarray, indent: int, summarize: bool,
            fmt: Callable[[Any], str], elem_len: int) -> str:
    """Recursively render a non-empty array with at least one dimension."""
    edge = options.edgeitems
    n = data.shape[0]
    cut = summarize and n > 2 * edge
    if data.ndim == 1:
        if cut:
            items = ([fmt(v) for v in data[:edge].tolist()] + [" ..."]
                     + [fmt(v) for v in data[n - edge:].tolist()])
        else:
            items = [fmt(v) for v in data.tolist()]
        per_line = max(1, math.floor((options.linewidth - indent) / elem_len))
        lines = [", ".join(items[i:i + per_line])
                 for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    rows = range(edge) if cut else range(n)
    parts = [_render(data[i], indent + 1, summarize, fmt, elem_len)
             for i in rows]
    if cut:
        parts.append("...")
        parts += [_render(data[i], indent + 1, summarize, fmt, elem_len)
                  for i in range(n - edge, n)]
    sep = "," + "\n" * (data.ndim - 1) + " " * (indent + 1)
    return "[" + sep.join(parts) + "]"


def _tensor_body(data: np.ndarray, kind: str, indent: int) -> str:
    """Format the bracketed values of a non-empty tensor."""
    summarize = data.size > options.threshold
    sample = _summarize(data, options.edgeitems) if summarize else data
    if kind == "complex":
        real = _Formatter(sample.real, "float")
        imag = _Formatter(sample.imag, "float")

        def fmt(value: Any) -> str:
            re_str = real.format(value.real)
            im_str = (imag.format(value.imag) + "j").lstrip()
            if im_str[0] in "+-":
                return re_str + im_str
            return re_str + "+" + im_str

        elem_len = real.width + imag.width + 3
    else:
        formatter = _Formatter(sample, kind)
        fmt = formatter.format
        elem_len = formatter.width + 2
    if data.ndim == 0:
        return fmt(data.item())
    return _render(data, indent, summarize, fmt, elem_len)


def _add_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    """Append ``, suffix`` parts, wrapping to a new line past linewidth."""
    parts = [text]
    last_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_len + len(suffix) + 2 > options.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def format_tensor(
    data: np.ndarray,
    *,
    dtype_name: str,
    default_dtype_name: str = "float32",
    prefix: str = "tensor",
    device: str | None = None,
    requires_grad: bool = False,
    grad_fn_name: str | None = None,
    is_leaf_param: bool = False,
    extra: str | None = None,
) -> str:
    """Return exactly what ``repr(tensor)`` gives in PyTorch 2.13.

    ``data`` holds the values (bfloat16 passed as float32). ``extra`` is an
    additional suffix appended last (e.g. ``"names=('N',)"``). With
    ``is_leaf_param`` the result is prefixed by ``"Parameter containing:\\n"``
    as ``torch.nn.Parameter.__repr__`` does; the tensor part is unchanged,
    so continuation lines stay aligned under ``tensor(`` (indent 8).
    """
    data = np.asarray(data)
    kind = _kind(dtype_name)
    head = prefix + "("
    indent = len(head)
    suffixes: list[str] = []
    if device is not None and device != "cpu":
        suffixes.append(f"device='{device}'")
    dtype_suffix = f"dtype=torch.{dtype_name}"
    if data.size == 0:
        if data.ndim != 1:
            suffixes.append(f"size={tuple(data.shape)}")
        if dtype_name != default_dtype_name:
            suffixes.append(dtype_suffix)
        body = "[]"
    else:
        if options.edgeitems == 0:
            suffixes.append(f"size={tuple(data.shape)}")
        complex_default = ("complex128" if default_dtype_name == "float64"
                           else "complex64")
        if dtype_name not in (default_dtype_name, complex_default,
                              "int64", "bool"):
            suffixes.append(dtype_suffix)
        if options.edgeitems == 0 and data.size > options.threshold:
            body = "[...]"
        else:
            body = _tensor_body(data, kind, indent)
    if grad_fn_name is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")
    if extra:
        suffixes.append(extra)
    text = _add_suffixes(head + body, suffixes, indent)
    return "Parameter containing:\n" + text if is_leaf_param else text


def tensor_repr(t: Any, prefix: str = "tensor") -> str:
    """``repr`` of an ember Tensor (or Parameter), in PyTorch's format."""
    from . import _dtype  # noqa: PLC0415

    data = t._np()
    dt = t.dtype
    if dt is _dtype.bfloat16:
        data = data.astype(np.float32)
    dev = t.device
    fn = t.grad_fn
    is_param = getattr(type(t), "_is_param", False)
    return format_tensor(
        data, dtype_name=dt.name,
        default_dtype_name=_dtype.get_default_dtype().name, prefix=prefix,
        device=None if dev.type == "cpu" else str(dev),
        requires_grad=t._rg, grad_fn_name=None if fn is None else fn.name(),
        is_leaf_param=is_param)

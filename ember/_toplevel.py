"""Top-level names PyTorch exposes as thin forms of other APIs: ``torch.conv2d`` and the other ATen forms of
``nn.functional`` ops (with their ATen argument orders), ``torch.exp_(x)`` and the other in-place methods,
predicates (``torch.is_tensor``, ``torch.numel``), and global settings (deterministic algorithms, float32
matmul precision, ``torch.compile``).

>>> import ember
>>> ember.is_tensor(ember.ones(2)), ember.numel(ember.ones(2, 3))
(True, 6)
>>> ember.conv2d(ember.ones(1, 1, 3, 3), ember.ones(1, 1, 2, 2)).flatten()
tensor([4., 4., 4., 4.])
"""
from __future__ import annotations

import warnings

from . import _dtype as D
from ._tensor import Tensor
from .ops._util import register

# ----------------------------------------------------------------------------- predicates and small forms


def is_tensor(obj) -> bool:
    """Whether ``obj`` is an Ember tensor (``isinstance(obj, ember.Tensor)``).

    >>> import ember
    >>> ember.is_tensor(ember.ones(1)), ember.is_tensor([1.0])
    (True, False)
    """
    return isinstance(obj, Tensor)


def _need_tensor(fn_name: str, arg: str, value) -> None:
    if not isinstance(value, Tensor):
        raise TypeError(f"{fn_name}(): argument '{arg}' (position 1) must be Tensor, not {type(value).__name__}")


def numel(input: Tensor) -> int:  # noqa: A002 - PyTorch's name
    """Number of elements of ``input``.

    >>> import ember
    >>> ember.numel(ember.zeros(2, 3))
    6
    """
    _need_tensor("numel", "input", input)
    return input.numel()


def is_floating_point(input: Tensor) -> bool:  # noqa: A002
    """Whether ``input`` has a floating-point dtype.

    >>> import ember
    >>> ember.is_floating_point(ember.ones(1)), ember.is_floating_point(ember.ones(1, dtype=ember.int64))
    (True, False)
    """
    _need_tensor("is_floating_point", "input", input)
    return input.is_floating_point()


def is_complex(input: Tensor) -> bool:  # noqa: A002
    """Whether ``input`` has a complex dtype.

    >>> import ember
    >>> ember.is_complex(ember.ones(1))
    False
    """
    _need_tensor("is_complex", "input", input)
    return input.is_complex()


def is_nonzero(input: Tensor) -> bool:  # noqa: A002
    """The truth value of a one-element tensor (PyTorch's errors for none or several elements).

    >>> import ember
    >>> ember.is_nonzero(ember.tensor([0.5]))
    True
    """
    _need_tensor("is_nonzero", "input", input)
    n = input.numel()
    if n == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if n > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input.item())


def is_same_size(input: Tensor, other: Tensor) -> bool:  # noqa: A002
    """Whether two tensors have the same shape.

    >>> import ember
    >>> ember.is_same_size(ember.ones(2, 3), ember.zeros(2, 3))
    True
    """
    _need_tensor("is_same_size", "input", input)
    _need_tensor("is_same_size", "other", other)
    return tuple(input.shape) == tuple(other.shape)


def is_signed(input: Tensor) -> bool:  # noqa: A002
    """Whether ``input``'s dtype is signed (every dtype but bool and uint8).

    >>> import ember
    >>> ember.is_signed(ember.ones(1, dtype=ember.uint8))
    False
    """
    _need_tensor("is_signed", "input", input)
    return input.is_signed()


def positive(input: Tensor) -> Tensor:  # noqa: A002
    """``input`` itself (PyTorch's unary plus); an error for bool tensors.

    >>> import ember
    >>> ember.positive(ember.tensor([-1., 2.]))
    tensor([-1.,  2.])
    """
    _need_tensor("positive", "input", input)
    if input.dtype.name == "bool":
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


def ravel(input: Tensor) -> Tensor:  # noqa: A002
    """``input`` flattened to 1-D (a view when possible, as ``reshape(-1)``).

    >>> import ember
    >>> ember.ravel(ember.tensor([[1, 2], [3, 4]]))
    tensor([1, 2, 3, 4])
    """
    _need_tensor("ravel", "input", input)
    return input.reshape(-1)


def typename(obj) -> str:
    """PyTorch's type name: ``'torch.FloatTensor'`` for a float32 tensor, ``module.QualName`` otherwise.

    >>> import ember
    >>> ember.typename(ember.ones(1)), ember.typename(3)
    ('torch.FloatTensor', 'int')
    """
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, "__module__", None)
    module = "" if module in (None, "builtins", "__builtin__") else module + "."
    if module.startswith("ember"):  # Ember's classes answer to PyTorch's names, as their reprs do
        module = "torch" + module[len("ember"):]
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None) or type(obj).__name__
    return module + name


register(is_nonzero=is_nonzero, is_same_size=is_same_size, positive=positive, ravel=ravel)  # and as methods


# ----------------------------------------------------------------------------- in-place methods at top level
# ``torch.exp_(x)`` is ``x.exp_()``: the in-place methods PyTorch also exposes as functions.
_INPLACE = ("abs_", "acos_", "acosh_", "arccos_", "arccosh_", "arcsin_", "arcsinh_", "arctan_", "arctanh_", "asin_",
            "asinh_", "atan_", "atanh_", "ceil_", "clamp_", "clamp_max_", "clamp_min_", "clip_", "cos_", "cosh_",
            "deg2rad_", "detach_", "erf_", "erfc_", "exp2_", "exp_", "expm1_", "fix_", "floor_", "frac_",
            "index_put_", "log10_", "log1p_", "log2_", "log_", "logit_", "nan_to_num_", "neg_", "negative_",
            "rad2deg_", "reciprocal_", "relu_", "round_", "rsqrt_", "sigmoid_", "sin_", "sinh_", "sqrt_", "square_",
            "tan_", "tanh_", "trunc_", "xlogy_")


def _inplace_function(name: str):
    def fn(input, *args, **kwargs):
        _need_tensor(name, "input", input)
        return getattr(input, name)(*args, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``input.{name}(...)``: the in-place method as a function, as ``torch.{name}``."
    return fn


for _n in _INPLACE:
    globals()[_n] = _inplace_function(_n)
del _n


# ----------------------------------------------------------------------------- ATen forms of nn.functional ops
# the ones taking nn.functional's arguments in nn.functional's order are nn.functional's functions themselves
from .nn.functional import (adaptive_avg_pool1d, avg_pool1d, bilinear, celu, celu_, channel_shuffle,  # noqa: E402
                            conv1d, conv2d, conv3d, conv_transpose1d, conv_transpose2d, conv_transpose3d,
                            cosine_similarity, hardshrink, max_pool1d, max_pool1d_with_indices, max_pool2d,
                            max_pool3d, native_channel_shuffle, pairwise_distance, pdist, pixel_shuffle,
                            pixel_unshuffle, prelu, rms_norm, rrelu, rrelu_, selu, selu_, threshold, threshold_)
from .nn import functional as _F  # noqa: E402

_SAME_AS_FUNCTIONAL = ("conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
                       "threshold", "threshold_", "prelu", "selu", "selu_", "celu", "celu_", "rrelu", "rrelu_",
                       "hardshrink", "pixel_shuffle", "pixel_unshuffle", "cosine_similarity", "pairwise_distance",
                       "pdist", "bilinear", "avg_pool1d", "adaptive_avg_pool1d", "max_pool1d", "max_pool2d",
                       "max_pool3d", "max_pool1d_with_indices", "channel_shuffle", "native_channel_shuffle",
                       "rms_norm")

_REDUCTION = {0: "none", 1: "mean", 2: "sum"}


def _reduction(r) -> str:
    """ATen's integer reduction (0 none, 1 mean, 2 sum; what ``torch.kl_div`` etc. take) as nn.functional's."""
    if isinstance(r, str):
        return r
    if r not in _REDUCTION:
        raise ValueError(f"{r} is not a valid value for reduction")
    return _REDUCTION[int(r)]


def dropout(input: Tensor, p: float, train: bool) -> Tensor:  # noqa: A002
    """``torch.dropout(input, p, train)``: ``nn.functional.dropout`` with ATen's required arguments.

    >>> import ember
    >>> ember.dropout(ember.ones(3), 0.5, False)
    tensor([1., 1., 1.])
    """
    return _F.dropout(input, p, train)


def dropout_(input: Tensor, p: float, train: bool) -> Tensor:  # noqa: A002
    """In-place :func:`dropout`."""
    return _F.dropout(input, p, train, inplace=True)


def alpha_dropout(input: Tensor, p: float, train: bool) -> Tensor:  # noqa: A002
    """``torch.alpha_dropout(input, p, train)``."""
    return _F.alpha_dropout(input, p, train)


def feature_alpha_dropout(input: Tensor, p: float, train: bool) -> Tensor:  # noqa: A002
    """``torch.feature_alpha_dropout(input, p, train)``."""
    return _F.feature_alpha_dropout(input, p, train)


def layer_norm(input: Tensor, normalized_shape, weight=None, bias=None, eps: float = 1e-5,  # noqa: A002
               cudnn_enable: bool = True) -> Tensor:
    """``torch.layer_norm``: ``nn.functional.layer_norm`` (``cudnn_enable`` is accepted and ignored).

    >>> import ember
    >>> ember.layer_norm(ember.tensor([[1., 3.]]), [2])
    tensor([[-1.0000,  1.0000]])
    """
    return _F.layer_norm(input, normalized_shape, weight, bias, eps)


def group_norm(input: Tensor, num_groups: int, weight=None, bias=None, eps: float = 1e-5,  # noqa: A002
               cudnn_enabled: bool = True) -> Tensor:
    """``torch.group_norm``: ``nn.functional.group_norm`` (``cudnn_enabled`` is accepted and ignored)."""
    return _F.group_norm(input, num_groups, weight, bias, eps)


def batch_norm(input: Tensor, weight, bias, running_mean, running_var, training: bool, momentum: float,  # noqa: A002
               eps: float, cudnn_enabled: bool) -> Tensor:
    """``torch.batch_norm``: ATen's argument order (weight and bias first), all arguments required.

    >>> import ember
    >>> ember.batch_norm(ember.tensor([[1.], [3.]]), None, None, None, None, True, 0.1, 1e-5, False)
    tensor([[-1.0000],
            [ 1.0000]])
    """
    return _F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def instance_norm(input: Tensor, weight, bias, running_mean, running_var, use_input_stats: bool,  # noqa: A002
                  momentum: float, eps: float, cudnn_enabled: bool) -> Tensor:
    """``torch.instance_norm``: ATen's argument order (weight and bias first), all arguments required."""
    return _F.instance_norm(input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps)


def embedding(weight: Tensor, indices: Tensor, padding_idx: int = -1, scale_grad_by_freq: bool = False,
              sparse: bool = False) -> Tensor:
    """``torch.embedding(weight, indices)``: the weight first, ``padding_idx=-1`` for none.

    >>> import ember
    >>> ember.embedding(ember.eye(3), ember.tensor([2, 0]))
    tensor([[0., 0., 1.],
            [1., 0., 0.]])
    """
    return _F.embedding(indices, weight, None if padding_idx == -1 else padding_idx,
                          scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)


def adaptive_max_pool1d(input: Tensor, output_size):  # noqa: A002
    """``torch.adaptive_max_pool1d``: ``(values, indices)``."""
    return _F.adaptive_max_pool1d(input, output_size, return_indices=True)


def kl_div(input: Tensor, target: Tensor, reduction=1, *, log_target: bool = False) -> Tensor:  # noqa: A002
    """``torch.kl_div`` with ATen's integer reduction (0 none, 1 mean, 2 sum; mean is over all elements)."""
    r = _reduction(reduction)
    if r == "mean":  # the mean over all elements, without nn.functional's warning about 'batchmean'
        return _F.kl_div(input, target, reduction="none", log_target=log_target).mean()
    return _F.kl_div(input, target, reduction=r, log_target=log_target)


def margin_ranking_loss(input1, input2, target, margin: float = 0.0, reduction=1) -> Tensor:
    """``torch.margin_ranking_loss`` with ATen's integer reduction."""
    return _F.margin_ranking_loss(input1, input2, target, margin, reduction=_reduction(reduction))


def hinge_embedding_loss(input, target, margin: float = 1.0, reduction=1) -> Tensor:  # noqa: A002
    """``torch.hinge_embedding_loss`` with ATen's integer reduction."""
    return _F.hinge_embedding_loss(input, target, margin, reduction=_reduction(reduction))


def cosine_embedding_loss(input1, input2, target, margin: float = 0.0, reduction=1) -> Tensor:
    """``torch.cosine_embedding_loss`` with ATen's integer reduction."""
    return _F.cosine_embedding_loss(input1, input2, target, margin, reduction=_reduction(reduction))


def triplet_margin_loss(anchor, positive, negative, margin: float = 1.0, p: float = 2.0, eps: float = 1e-6,
                        swap: bool = False, reduction=1) -> Tensor:
    """``torch.triplet_margin_loss`` with ATen's integer reduction."""
    return _F.triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap,
                                    reduction=_reduction(reduction))


def poisson_nll_loss(input, target, log_input: bool, full: bool, eps: float, reduction) -> Tensor:  # noqa: A002
    """``torch.poisson_nll_loss``: all arguments required, ATen's integer reduction."""
    return _F.poisson_nll_loss(input, target, log_input, full, eps=eps, reduction=_reduction(reduction))


def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None, reduction=1) -> Tensor:  # noqa: A002
    """``torch.binary_cross_entropy_with_logits``: ``pos_weight`` before the integer reduction."""
    return _F.binary_cross_entropy_with_logits(input, target, weight, reduction=_reduction(reduction),
                                                 pos_weight=pos_weight)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank: int = 0, reduction=1,
             zero_infinity: bool = False) -> Tensor:
    """``torch.ctc_loss`` with ATen's integer reduction."""
    return _F.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank, _reduction(reduction),
                         zero_infinity)


# ----------------------------------------------------------------------------- global settings
_DETERMINISTIC = {"mode": False, "warn_only": False}


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Record PyTorch's determinism setting. Every Ember kernel on the CPU is deterministic already (NumPy and
    BLAS give the same result for the same input and thread count), so nothing else changes.

    >>> import ember
    >>> ember.use_deterministic_algorithms(True)
    >>> ember.are_deterministic_algorithms_enabled()
    True
    >>> ember.use_deterministic_algorithms(False)
    """
    if not isinstance(mode, bool):
        raise TypeError(f"use_deterministic_algorithms expects a bool, but got {type(mode).__name__}")
    if not isinstance(warn_only, bool):
        raise TypeError(f"use_deterministic_algorithms expects a bool for warn_only, but got "
                        f"{type(warn_only).__name__}")
    _DETERMINISTIC["mode"], _DETERMINISTIC["warn_only"] = mode, warn_only


def are_deterministic_algorithms_enabled() -> bool:
    """Whether :func:`use_deterministic_algorithms` was last called with ``True``."""
    return _DETERMINISTIC["mode"]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    """Whether :func:`use_deterministic_algorithms` was last called with ``warn_only=True``."""
    return _DETERMINISTIC["warn_only"]


_DEBUG_MODES = {"default": 0, "warn": 1, "error": 2}


def set_deterministic_debug_mode(debug_mode) -> None:
    """PyTorch's other spelling of :func:`use_deterministic_algorithms`: 0 / ``'default'`` off, 1 / ``'warn'``
    warn only, 2 / ``'error'`` on."""
    if isinstance(debug_mode, str):
        if debug_mode not in _DEBUG_MODES:
            raise RuntimeError(f"invalid value of debug_mode, expected one of `default`, `warn`, `error`, but got "
                               f"{debug_mode}")
        debug_mode = _DEBUG_MODES[debug_mode]
    elif not isinstance(debug_mode, int):
        raise TypeError(f"debug_mode must be str or int, but got {type(debug_mode).__name__}")
    if debug_mode not in (0, 1, 2):
        raise RuntimeError(f"invalid value of debug_mode, expected 0, 1, or 2, but got {debug_mode}")
    use_deterministic_algorithms(debug_mode != 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode() -> int:
    """0, 1 or 2 as set by :func:`set_deterministic_debug_mode` / :func:`use_deterministic_algorithms`."""
    if not _DETERMINISTIC["mode"]:
        return 0
    return 1 if _DETERMINISTIC["warn_only"] else 2


_MATMUL_PRECISION = ["highest"]


def set_float32_matmul_precision(precision: str) -> None:
    """Record the float32 matmul precision. ``'high'`` and ``'medium'`` let PyTorch use TF32 / bfloat16 on GPUs
    that have them; Ember's float32 products always run in full float32 (``'highest'``), which those settings
    permit.

    >>> import ember
    >>> ember.set_float32_matmul_precision("high")
    >>> ember.get_float32_matmul_precision()
    'high'
    >>> ember.set_float32_matmul_precision("highest")
    """
    if precision not in ("highest", "high", "medium"):  # PyTorch warns and keeps the setting
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current "
                      f"setFloat32MatmulPrecision call has no effect.", UserWarning, stacklevel=2)
        return
    _MATMUL_PRECISION[0] = precision


def get_float32_matmul_precision() -> str:
    """The value last given to :func:`set_float32_matmul_precision` (``'highest'`` by default)."""
    return _MATMUL_PRECISION[0]


def compile(model=None, *, fullgraph: bool = False, dynamic=None, backend="inductor", mode=None,  # noqa: A001
            options=None, disable: bool = False):
    """``torch.compile`` for code that calls it: Ember has no graph compiler, so the model or function runs
    eagerly, unchanged (what PyTorch's ``backend="eager"`` produces). Works as a call and as a decorator, with
    or without arguments.

    >>> import ember
    >>> f = ember.compile(lambda x: x * 2)
    >>> f(ember.tensor([1., 2.]))
    tensor([2., 4.])
    """
    if model is None:
        return lambda m: compile(m, fullgraph=fullgraph, dynamic=dynamic, backend=backend, mode=mode,
                                 options=options, disable=disable)
    if mode is not None and options is not None:
        raise RuntimeError("Either mode or options can be specified, but both can't be specified at the same time.")
    if not callable(model):
        raise RuntimeError("Passed an object that is not callable to torch.compile")
    return model


def can_cast(from_, to) -> bool:
    """Whether PyTorch's casting rules allow ``from_`` to ``to`` (no lower category: bool < integer < floating <
    complex).

    >>> import ember
    >>> ember.can_cast(ember.float32, ember.int32), ember.can_cast(ember.int32, ember.float32)
    (False, True)
    """
    for name, pos, d in (("from_", 1, from_), ("to", 2, to)):
        if not isinstance(d, D.dtype):
            raise TypeError(f"can_cast(): argument '{name}' (position {pos}) must be torch.dtype, not "
                            f"{type(d).__name__}")
    return from_._cat <= to._cat


__all__ = ["is_tensor", "numel", "is_floating_point", "is_complex", "is_nonzero", "is_same_size", "is_signed",
           "can_cast",
           "positive", "ravel", "typename", *_INPLACE, "dropout", "dropout_", "alpha_dropout",
           "feature_alpha_dropout", "layer_norm", "group_norm", "batch_norm", "instance_norm", "embedding",
           "adaptive_max_pool1d", "kl_div", "margin_ranking_loss", "hinge_embedding_loss", "cosine_embedding_loss",
           "triplet_margin_loss", "poisson_nll_loss", "binary_cross_entropy_with_logits", "ctc_loss",
           "use_deterministic_algorithms", "are_deterministic_algorithms_enabled",
           "is_deterministic_algorithms_warn_only_enabled", "set_deterministic_debug_mode",
           "get_deterministic_debug_mode", "set_float32_matmul_precision", "get_float32_matmul_precision",
           "compile", *_SAME_AS_FUNCTIONAL]

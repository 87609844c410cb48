"""``torch.nn.utils.stateless``: the deprecated home of ``functional_call`` (now ``ember.func.functional_call``)."""
from __future__ import annotations

import warnings

__all__ = ["functional_call"]


def functional_call(module, parameters_and_buffers, args=None, kwargs=None, *, tie_weights: bool = True,
                    strict: bool = False):
    """``ember.func.functional_call`` with PyTorch's deprecation warning.

    >>> import warnings, ember
    >>> lin = ember.nn.Linear(1, 1)
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     ember.nn.utils.stateless.functional_call(lin, {"weight": ember.ones(1, 1), "bias": ember.zeros(1)},
    ...                                              (ember.tensor([[3.]]),))
    tensor([[3.]])
    """
    from ...func import functional_call as _functional_call  # noqa: PLC0415

    warnings.warn("`torch.nn.utils.stateless.functional_call` is deprecated as of PyTorch 2.0 and will be removed in "
                  "a future version of PyTorch. Please use `torch.func.functional_call` instead which is a drop-in "
                  "replacement.", FutureWarning, stacklevel=2)
    return _functional_call(module, parameters_and_buffers, args, kwargs, tie_weights=tie_weights, strict=strict)

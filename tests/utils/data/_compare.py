"""Turn nested torch / ember results into comparable plain data (type names, dtypes, shapes, values)."""
from __future__ import annotations

import numpy as np
import torch

import ember


def plain(x):
    """Nested structure with tensors replaced by ('tensor', dtype, shape, values); container types kept by name."""
    if isinstance(x, (torch.Tensor, ember.Tensor)):
        v = x.detach().float() if x.dtype in (torch.bfloat16, ember.bfloat16) else x.detach()
        return ("tensor", str(x.dtype), tuple(x.shape), np.asarray(v.numpy()).tolist())
    if isinstance(x, dict):
        return (type(x).__name__, {k: plain(v) for k, v in x.items()})
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return (type(x).__name__, tuple(plain(v) for v in x))
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, [plain(v) for v in x])
    if isinstance(x, np.ndarray):
        return ("ndarray", str(x.dtype), x.tolist())
    return x

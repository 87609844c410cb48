"""Ember: a deep learning framework with PyTorch's API over NumPy (CPU) and CuPy (GPU).

>>> import ember as torch
>>> x = torch.tensor(3.0, requires_grad=True)
>>> (x ** 2).backward()
>>> x.grad
tensor(6.)
"""
__version__ = "0.1.0"

from . import _malloc  # noqa: F401  (allocator thresholds for training loops, before any big allocation)

from . import _dtype
from ._dtype import (bfloat16, bool, cdouble, cfloat, complex64, complex128, double, dtype, finfo, float,  # noqa: A004
                     float16, float32, float64, get_default_dtype, half, iinfo, int, int8, int16, int32,  # noqa: A004
                     int64, long, promote_types, set_default_dtype, short, uint8, uint16, uint32, uint64)
from ._device import device
from ._size import Size
from ._tensor import Tensor
from .autograd.grad_mode import (enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled, no_grad,
                                 set_grad_enabled)
from . import ops as _ops  # noqa: F401  (attaches Tensor methods)
from .ops.creation import *  # noqa: F401,F403
from .ops.creation import range_ as range  # noqa: A004
from .ops.pointwise import *  # noqa: F401,F403
from .ops.reduction import *  # noqa: F401,F403
from .ops.shape import *  # noqa: F401,F403
from .ops.splitting import *  # noqa: F401,F403
from .ops.indexing import *  # noqa: F401,F403
from .ops.blas import *  # noqa: F401,F403
from .ops.random_ops import *  # noqa: F401,F403
from .ops.sorting import *  # noqa: F401,F403
from .ops.structure import *  # noqa: F401,F403
from .ops.linalg_ops import *  # noqa: F401,F403
from .ops.gamma import *  # noqa: F401,F403
from .ops.complex_ops import *  # noqa: F401,F403
from .ops.view_scatter import *  # noqa: F401,F403
from .ops.finite_diff import *  # noqa: F401,F403
from .ops.lu import _torch_lu as lu, _torch_lu_solve as lu_solve, lu_unpack  # noqa: F401
from ._random import (Generator, default_generator, fork_rng, get_rng_state, initial_seed, manual_seed, seed,
                      set_rng_state)
from . import random  # noqa: E402  (torch.random; ember's own files import the stdlib absolutely)
from ._printing import get_printoptions, set_printoptions
from ._threads import get_num_interop_threads, get_num_threads, set_num_interop_threads, set_num_threads
from ._legacy import *  # noqa: F401,F403
from . import autograd, cuda, nn
from ._toplevel import *  # noqa: F401,F403,E402  (torch.conv2d, torch.exp_, torch.is_tensor ...)
from .autograd import is_anomaly_enabled
from .nn._functional.activation import _t_log_softmax as log_softmax, _t_softmax as softmax  # noqa: E402
from . import linalg  # noqa: E402

# Loaded on first use (PEP 562) to keep ``import ember`` fast; ``ember.optim.SGD`` etc. work as usual.
_LAZY_MODULES = {"optim", "utils", "distributed", "viz", "datasets", "serialization", "backends", "special", "fft",
                 "distributions", "func", "jit", "amp", "cpu", "testing", "version"}
_LAZY_ATTRS = {"save": "serialization", "load": "serialization", "vmap": "func", "autocast": "amp",
               "is_autocast_enabled": "amp", "get_autocast_dtype": "amp"}


def __getattr__(name: str):
    import importlib  # noqa: PLC0415

    if name in _LAZY_MODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _LAZY_ATTRS:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY_ATTRS[name]}"), name)
    raise AttributeError(f"module 'ember' has no attribute '{name}'")


def __dir__():
    return sorted(set(globals()) | _LAZY_MODULES | set(_LAZY_ATTRS))

strided = "torch.strided"
contiguous_format = preserve_format = channels_last = "contiguous_format"

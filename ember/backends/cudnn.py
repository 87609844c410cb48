"""``ember.backends.cudnn``: PyTorch's cuDNN switches (``benchmark``, ``deterministic`` ...), recorded only.

Ember never calls cuDNN (its GPU convolutions are CuPy GEMMs), so ``is_available()`` is False and ``version()``
None, as on a PyTorch build without cuDNN; setting ``benchmark`` or ``deterministic`` changes nothing (Ember's
kernels are deterministic).

>>> import ember.backends.cudnn as cudnn
>>> cudnn.deterministic = True
>>> cudnn.deterministic, cudnn.is_available()
(True, False)
>>> cudnn.deterministic = False
"""
from __future__ import annotations

enabled = True
benchmark = False
deterministic = False
allow_tf32 = True
benchmark_limit = None


def is_available() -> bool:
    """False: Ember does not use cuDNN."""
    return False


def version():
    """None: no cuDNN library is loaded."""
    return None


def is_acceptable(tensor) -> bool:
    """Whether cuDNN would take ``tensor``: never, Ember does not use it."""
    return False

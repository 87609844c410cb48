"""``ember.backends``: PyTorch's backend switches, so the lines training scripts set them with run unchanged.

Ember computes with NumPy (CPU) or CuPy (GPU) and uses none of cuDNN, MPS, MKL-DNN or TF32: the flags are
recorded and read back, and the ``is_available()`` answers say what Ember uses.

>>> import ember
>>> ember.backends.cudnn.benchmark = True
>>> ember.backends.cudnn.benchmark
True
>>> ember.backends.mps.is_available()
False
>>> ember.backends.cudnn.benchmark = False
"""
from . import cuda, cudnn, mps  # noqa: F401

__all__ = ["cuda", "cudnn", "mps"]

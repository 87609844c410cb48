"""``ember.backends.cuda``: PyTorch's CUDA matmul switches, recorded only (Ember's CuPy products never use TF32
or reduced-precision reductions, which every setting permits).

>>> import ember
>>> ember.backends.cuda.matmul.allow_tf32 = True
>>> ember.backends.cuda.matmul.allow_tf32
True
>>> ember.backends.cuda.matmul.allow_tf32 = False
"""
from __future__ import annotations


class _MatmulFlags:
    """``torch.backends.cuda.matmul``: the TF32 / reduced-precision switches, with PyTorch's defaults."""

    def __init__(self) -> None:
        self.allow_tf32 = False
        self.allow_fp16_reduced_precision_reduction = True
        self.allow_bf16_reduced_precision_reduction = True


matmul = _MatmulFlags()


def is_built() -> bool:
    """Whether Ember's CUDA backend can run: CuPy is installed (PyTorch: built with CUDA)."""
    from .._device import _get_cupy  # noqa: PLC0415

    return _get_cupy() is not None

"""ember.backends and ember.version: the switches and strings PyTorch scripts set and print."""
from __future__ import annotations

import torch

import ember
import ember.backends.cudnn


def test_flags_round_trip_with_torchs_defaults():
    for name in ("enabled", "benchmark", "deterministic", "allow_tf32"):
        assert getattr(ember.backends.cudnn, name) == getattr(torch.backends.cudnn, name), name
    m = ember.backends.cuda.matmul
    for name in ("allow_tf32", "allow_fp16_reduced_precision_reduction", "allow_bf16_reduced_precision_reduction"):
        assert getattr(m, name) == getattr(torch.backends.cuda.matmul, name), name
    try:
        ember.backends.cudnn.benchmark = True
        ember.backends.cudnn.deterministic = True
        m.allow_tf32 = True
        assert ember.backends.cudnn.benchmark and ember.backends.cudnn.deterministic and m.allow_tf32
    finally:
        ember.backends.cudnn.benchmark = ember.backends.cudnn.deterministic = m.allow_tf32 = False


def test_availability_answers():
    # this CPU build of PyTorch has neither cuDNN nor MPS; Ember never uses them
    assert ember.backends.cudnn.is_available() is torch.backends.cudnn.is_available() is False
    assert ember.backends.cudnn.version() is None and torch.backends.cudnn.version() is None
    assert ember.backends.mps.is_available() is torch.backends.mps.is_available() is False
    assert ember.backends.mps.is_built() is False
    assert ember.backends.cuda.is_built() is ember.cuda.is_available()


def test_version_strings():
    assert ember.version.cuda is None and torch.version.cuda is None
    assert ember.version.hip is None and ember.version.__version__ == ember.__version__

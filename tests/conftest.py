"""Shared pytest setup: restore global state (default dtype, grad mode, anomaly mode) after every test."""
from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

try:
    from hypothesis import settings

    settings.register_profile("ember", max_examples=40, deadline=None, database=None)
    settings.load_profile("ember")
except ImportError:  # hypothesis is a test extra; its tests skip without it
    pass


@pytest.fixture(autouse=True)
def _restore_global_state():
    import ember
    from ember.autograd.grad_mode import state

    saved = (state.enabled, state.inference, state.anomaly)
    yield
    state.enabled, state.inference, state.anomaly = saved
    ember.set_default_dtype(ember.float32)
    try:
        import torch

        torch.set_default_dtype(torch.float32)
    except ImportError:
        pass

"""NAdam against torch.optim.NAdam: options, both dtypes, fast path vs per-parameter path, state round trips."""
from __future__ import annotations

import numpy as np
import pytest

from ._optim_compare import check_against_torch, check_load_torch_state, check_paths_equal, check_roundtrip

CASES = [
    {"lr": 0.01},
    {"lr": 0.01, "momentum_decay": 0.01, "weight_decay": 0.1},
    {"lr": 0.01, "betas": (0.8, 0.95), "weight_decay": 0.1, "decoupled_weight_decay": True, "maximize": True},
]
NAME = "NAdam"


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kwargs", CASES)
def test_matches_torch(kwargs, dtype):
    check_against_torch(NAME, kwargs, dtype)


@pytest.mark.parametrize("kwargs", CASES)
def test_fast_path_equals_per_parameter_path(kwargs):
    check_paths_equal(NAME, kwargs)


def test_state_dict_round_trip():
    check_roundtrip(NAME, CASES[-1])


def test_loads_torch_state_dict():
    check_load_torch_state(NAME, CASES[-1])

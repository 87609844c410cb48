"""Adam and AdamW against torch: every option, both dtypes, fast path vs per-parameter path, state round trips."""
from __future__ import annotations

import numpy as np
import pytest

from ._optim_compare import check_against_torch, check_load_torch_state, check_paths_equal, check_roundtrip

CASES = [
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.01, "amsgrad": True, "maximize": True}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("AdamW", {"lr": 0.01}),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True, "maximize": True}),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,kwargs", CASES)
def test_matches_torch(name, kwargs, dtype):
    check_against_torch(name, kwargs, dtype)


def test_adam_param_groups():
    groups = [([0, 1, 2, 3], {"lr": 0.02, "amsgrad": True}), ([4, 5, 6], {"betas": (0.5, 0.9)})]
    check_against_torch("Adam", {"lr": 0.01}, np.float32, groups=groups)


@pytest.mark.parametrize("name,kwargs", CASES)
def test_fast_path_equals_per_parameter_path(name, kwargs):
    check_paths_equal(name, kwargs)


@pytest.mark.parametrize("name", ["Adam", "AdamW"])
def test_state_dict_round_trip(name):
    check_roundtrip(name, {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1})


@pytest.mark.parametrize("name", ["Adam", "AdamW"])
def test_loads_torch_state_dict(name):
    check_load_torch_state(name, {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1})


def test_fused_flag_uses_fast_path_and_matches_torch():
    check_against_torch("Adam", {"lr": 0.01, "fused": True}, np.float32)

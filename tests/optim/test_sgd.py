"""SGD against torch.optim.SGD: every option, both dtypes, fast path vs per-parameter path, state round trips."""
from __future__ import annotations

import numpy as np
import pytest

from ._optim_compare import check_against_torch, check_load_torch_state, check_paths_equal, check_roundtrip

CASES = [
    {"lr": 0.1},
    {"lr": 0.1, "momentum": 0.9},
    {"lr": 0.1, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.01},
    {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weight_decay": 0.1},
    {"lr": 0.05, "momentum": 0.5, "maximize": True},
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kwargs", CASES)
def test_sgd_matches_torch(kwargs, dtype):
    check_against_torch("SGD", kwargs, dtype)


def test_sgd_param_groups_and_closure():
    groups = [([0, 1], {"lr": 0.2, "momentum": 0.9}), ([2, 3, 4, 5, 6], {"nesterov": True, "momentum": 0.5})]
    check_against_torch("SGD", {"lr": 0.1}, np.float64, groups=groups, closure=True)


@pytest.mark.parametrize("kwargs", [CASES[0], CASES[2], CASES[3], CASES[4]])
def test_sgd_fast_path_equals_per_parameter_path(kwargs):
    check_paths_equal("SGD", kwargs)


def test_sgd_state_dict_round_trip():
    check_roundtrip("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True})


def test_sgd_loads_torch_state_dict():
    check_load_torch_state("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.1})

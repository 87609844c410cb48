"""``ember.random``: the default generator's seeding and state functions (PyTorch's ``torch.random``)."""
from __future__ import annotations

from ._random import default_generator, fork_rng, get_rng_state, initial_seed, manual_seed, seed, set_rng_state

__all__ = ["default_generator", "fork_rng", "get_rng_state", "initial_seed", "manual_seed", "seed", "set_rng_state"]

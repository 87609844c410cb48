"""Random number generators: ``ember.Generator`` and the default generator (PyTorch's CPU streams)."""
from __future__ import annotations

import contextlib

import numpy as np

from ._device import device as _device


class Generator:
    """A random stream. On the CPU it reproduces PyTorch's generator bit for bit.

    >>> import ember
    >>> g = ember.Generator().manual_seed(0)
    >>> ember.rand(2, generator=g)
    tensor([0.4963, 0.7682])
    """

    def __init__(self, device="cpu"):
        self.device = _device(device)
        self._engine = None
        self._cupy_state = None

    @property
    def _impl(self):
        """The Mersenne Twister engine, created on first use (keeps ``import ember`` fast)."""
        if self._engine is None:
            from ._random_engine import CPUGenerator  # noqa: PLC0415

            self._engine = CPUGenerator()
        return self._engine

    def manual_seed(self, seed) -> "Generator":
        seed = int(seed)
        self._impl.manual_seed(seed)
        if self.device.type == "cuda":
            self._cupy_state = seed
        return self

    def seed(self) -> int:
        return self._impl.seed()

    def initial_seed(self) -> int:
        return self._impl.initial_seed()

    def get_state(self):
        from ._tensor import _wrap  # noqa: PLC0415

        return _wrap(self._impl.get_state().copy())

    def set_state(self, new_state) -> "Generator":
        from ._tensor import Tensor  # noqa: PLC0415

        if not isinstance(new_state, Tensor):
            kind = type(new_state)
            name = kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
            raise TypeError(f"expected a torch.ByteTensor, but got {name}")
        if new_state._data.dtype != np.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        self._impl.set_state(new_state._np())
        return self

    def __reduce__(self):
        raise TypeError("cannot pickle 'torch._C.Generator' object")


default_generator = Generator()


def _gen(generator) -> Generator:
    return default_generator if generator is None else generator


def manual_seed(seed) -> Generator:
    """Seed the default generator (and CuPy's, when a GPU is in use).

    >>> import ember
    >>> _ = ember.manual_seed(0); ember.rand(1)
    tensor([0.4963])
    """
    seed = int(seed)
    default_generator.manual_seed(seed)  # PyTorch also calls int() first
    from ._device import _cupy  # noqa: PLC0415

    if _cupy is not None:
        _cupy.random.seed(seed % (2 ** 32))
    return default_generator


def seed() -> int:
    """Seed the default generator non-deterministically; returns the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state():
    """The default generator's state as a uint8 tensor (PyTorch's layout)."""
    return default_generator.get_state()


def set_rng_state(new_state) -> None:
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled: bool = True, _caller="fork_rng", _devices_kw="devices", device_type="cuda"):
    """Restore the default generator's state on exit of the block."""
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)

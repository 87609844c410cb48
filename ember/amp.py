"""``torch.amp``: ``GradScaler`` (loss scaling, with PyTorch's arithmetic, state and errors) and ``autocast``.

``GradScaler`` works as PyTorch's: ``scale`` multiplies by the float32 scale, ``unscale_`` multiplies every gradient
by ``1 / scale`` (computed in float64, rounded to float32) and records whether any is infinite or NaN, ``step``
skips the optimizer's step after such a gradient, and ``update`` halves the scale after it or doubles it after
``growth_interval`` clean steps. A scaler for a device that is not available (``"cuda"`` without a GPU) warns and
disables itself, as PyTorch's does; a disabled scaler passes everything through.

Autocast (running chosen ops in float16/bfloat16) is not implemented: ``autocast(enabled=False)`` is the no-op it is
in PyTorch, and entering an enabled autocast region raises NotImplementedError rather than compute in a different
precision than the script asked for. ``is_autocast_enabled`` is therefore always False.

>>> import ember
>>> scaler = ember.amp.GradScaler("cpu")
>>> w = ember.tensor([1.0], requires_grad=True)
>>> opt = ember.optim.SGD([w], lr=0.1)
>>> scaler.scale((w * 2).sum()).backward()
>>> scaler.step(opt)
>>> scaler.update()
>>> w
tensor([0.8000], requires_grad=True)
"""
from __future__ import annotations

import functools
import warnings
from collections import defaultdict
from enum import Enum

from . import _dtype as D

__all__ = ["GradScaler", "autocast", "get_autocast_dtype", "is_autocast_available", "is_autocast_enabled"]

_DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga", "maia",
                 "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone")
_DEFAULT_DTYPE = {"cpu": "bfloat16", "cuda": "float16", "xpu": "bfloat16", "hpu": "bfloat16", "mps": "float16"}


def _check_device_type(device_type) -> str:
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    base = device_type.split(":")[0]
    if base not in _DEVICE_TYPES:
        raise RuntimeError(f"Expected one of {', '.join(_DEVICE_TYPES)} device type at start of device string: "
                           f"{device_type}")
    return base


def is_autocast_available(device_type: str) -> bool:
    """Whether PyTorch has autocast for ``device_type`` (Ember accepts the same, but only disabled)."""
    return _check_device_type(device_type) in ("cpu", "cuda", "xpu", "hpu", "mps")


def is_autocast_enabled(device_type: str | None = None) -> bool:
    """False: Ember never runs an autocast region.

    >>> import ember
    >>> ember.is_autocast_enabled("cpu")
    False
    """
    if device_type is not None:
        _check_device_type(device_type)
    return False


def get_autocast_dtype(device_type: str):
    """The dtype an autocast region on ``device_type`` would use by default (PyTorch's: bfloat16 on the CPU,
    float16 on CUDA).

    >>> import ember
    >>> ember.get_autocast_dtype("cpu")
    torch.bfloat16
    """
    return getattr(D, _DEFAULT_DTYPE.get(_check_device_type(device_type), "float16"))


class autocast:  # noqa: N801 - PyTorch's name
    """``torch.autocast``: a context manager and decorator. Disabled (``enabled=False``), it does nothing, as in
    PyTorch; enabled, entering it raises NotImplementedError (Ember does not run ops in reduced precision).

    >>> import ember
    >>> with ember.autocast("cpu", enabled=False):
    ...     ember.ones(2) @ ember.ones(2)
    tensor(2.)
    """

    def __init__(self, device_type: str, dtype=None, enabled: bool = True, cache_enabled=None):
        self.device = _check_device_type(device_type)
        self.fast_dtype = dtype if dtype is not None else get_autocast_dtype(self.device)
        self._enabled = bool(enabled)
        self._cache_enabled = cache_enabled

    def __enter__(self):
        if self._enabled:
            raise NotImplementedError(
                f"autocast: Ember does not implement mixed precision (ops run in {self.fast_dtype}); run the region "
                f"with enabled=False, or convert the model and inputs with .to({self.fast_dtype}) explicitly")
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self:
                return func(*args, **kwargs)
        return wrapper


def _deprecated_autocast(device: str, default_dtype: str):
    """``torch.<device>.amp.autocast``: PyTorch's deprecated per-device form, with its FutureWarning."""

    class _DeviceAutocast(autocast):
        def __init__(self, enabled: bool = True, dtype=None, cache_enabled: bool = True):
            warnings.warn(f"`torch.{device}.amp.autocast(args...)` is deprecated. Please use `torch.amp.autocast("
                          f"'{device}', args...)` instead.", FutureWarning, stacklevel=2)
            super().__init__(device, dtype=dtype if dtype is not None else getattr(D, default_dtype),
                             enabled=enabled, cache_enabled=cache_enabled)

    _DeviceAutocast.__name__ = _DeviceAutocast.__qualname__ = "autocast"
    return _DeviceAutocast


# ----------------------------------------------------------------------------- GradScaler
class OptState(Enum):
    READY = 0
    UNSCALED = 1
    STEPPED = 2


def _refresh_per_optimizer_state() -> dict:
    return {"stage": OptState.READY, "found_inf_per_device": {}}


class GradScaler:
    """``torch.amp.GradScaler(device="cuda", init_scale=65536.0, growth_factor=2.0, backoff_factor=0.5,
    growth_interval=2000, enabled=True)``: dynamic loss scaling, as PyTorch's.

    >>> import ember
    >>> ember.amp.GradScaler("cpu").get_scale()
    65536.0
    """

    def __init__(self, device: str = "cuda", init_scale: float = 2.0 ** 16, growth_factor: float = 2.0,
                 backoff_factor: float = 0.5, growth_interval: int = 2000, enabled: bool = True) -> None:
        self._device = device
        self._enabled = enabled
        if self._device == "cuda" and enabled:
            from . import cuda  # noqa: PLC0415

            if not cuda.is_available():
                warnings.warn("torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  Disabling.",
                              stacklevel=2)
                self._enabled = False
        if self._enabled:
            if growth_factor <= 1.0:
                raise AssertionError("The growth factor must be > 1.0.")
            if backoff_factor >= 1.0:
                raise AssertionError("The backoff factor must be < 1.0.")
            self._init_scale = init_scale
            self._scale = None
            self._growth_factor = growth_factor
            self._backoff_factor = backoff_factor
            self._growth_interval = growth_interval
            self._init_growth_tracker = 0
            self._growth_tracker = None
            self._per_optimizer_states = defaultdict(_refresh_per_optimizer_state)

    def _lazy_init_scale_growth_tracker(self, dev) -> None:
        from . import full  # noqa: PLC0415

        self._scale = full((), self._init_scale, dtype=D.float32, device=dev)
        self._growth_tracker = full((), self._init_growth_tracker, dtype=D.int32, device=dev)

    def scale(self, outputs):
        """``outputs`` (a tensor or an iterable of them) multiplied by the scale."""
        from ._tensor import Tensor  # noqa: PLC0415

        if not self._enabled:
            return outputs
        if isinstance(outputs, Tensor):
            if self._scale is None:
                self._lazy_init_scale_growth_tracker(outputs.device)
            return outputs * self._scale.to(device=outputs.device, non_blocking=True)

        def apply(val):
            if isinstance(val, Tensor):
                if self._scale is None:
                    self._lazy_init_scale_growth_tracker(val.device)
                return val * self._scale.to(device=val.device)
            if isinstance(val, (list, tuple)):
                return type(val)(apply(v) for v in val)
            try:
                return map(apply, iter(val))
            except TypeError:
                raise ValueError("outputs must be a Tensor or an iterable of Tensors") from None
        return apply(outputs)

    def _unscale_grads_(self, optimizer, inv_scale, found_inf, allow_fp16: bool) -> dict:
        from . import no_grad  # noqa: PLC0415

        with no_grad():
            for group in optimizer.param_groups:
                for param in group["params"]:
                    if param.grad is None:
                        continue
                    if not allow_fp16 and param.grad.dtype == D.float16:
                        raise ValueError("Attempting to unscale FP16 gradients.")
                    g = param.grad
                    if not bool(g.isfinite().all()):
                        found_inf.fill_(1.0)
                    g.mul_(inv_scale)
        return {str(found_inf.device): found_inf}

    def unscale_(self, optimizer) -> None:
        """Divide ``optimizer``'s gradients by the scale (in place), once per step, recording non-finite ones."""
        from . import full  # noqa: PLC0415

        if not self._enabled:
            return
        self._check_scale_growth_tracker("unscale_")
        state = self._per_optimizer_states[id(optimizer)]
        if state["stage"] is OptState.UNSCALED:
            raise RuntimeError("unscale_() has already been called on this optimizer since the last update().")
        if state["stage"] is OptState.STEPPED:
            raise RuntimeError("unscale_() is being called after step().")
        inv_scale = self._scale.double().reciprocal().float()
        found_inf = full((), 0.0, dtype=D.float32, device=self._scale.device)
        state["found_inf_per_device"] = self._unscale_grads_(optimizer, inv_scale, found_inf, False)
        state["stage"] = OptState.UNSCALED

    def step(self, optimizer, *args, **kwargs):
        """``optimizer.step(*args, **kwargs)`` unless an unscaled gradient was infinite or NaN; unscales first if
        ``unscale_`` was not called."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is enabled.")
        self._check_scale_growth_tracker("step")
        state = self._per_optimizer_states[id(optimizer)]
        if state["stage"] is OptState.STEPPED:
            raise RuntimeError("step() has already been called since the last update().")
        if state["stage"] is OptState.READY:
            self.unscale_(optimizer)
        if not state["found_inf_per_device"]:
            raise AssertionError("No inf checks were recorded for this optimizer.")
        retval = None
        if not sum(v.item() for v in state["found_inf_per_device"].values()):
            retval = optimizer.step(*args, **kwargs)
        state["stage"] = OptState.STEPPED
        return retval

    def update(self, new_scale=None) -> None:
        """Back off the scale after a non-finite gradient, grow it after ``growth_interval`` clean steps (or set it
        to ``new_scale``)."""
        from ._tensor import Tensor  # noqa: PLC0415

        if not self._enabled:
            return
        self._check_scale_growth_tracker("update")
        if new_scale is not None:
            if isinstance(new_scale, float):
                self._scale.fill_(new_scale)
            else:
                if not (isinstance(new_scale, Tensor) and new_scale.numel() == 1 and new_scale.dtype == D.float32
                        and not new_scale.requires_grad):
                    raise AssertionError("new_scale should be a float or a 1-element torch.FloatTensor with "
                                         "requires_grad=False.")
                self._scale.copy_(new_scale)
        else:
            found = [f for s in self._per_optimizer_states.values() for f in s["found_inf_per_device"].values()]
            if not found:
                raise AssertionError("No inf checks were recorded prior to update.")
            if sum(f.item() for f in found):
                self._scale.mul_(self._backoff_factor)
                self._growth_tracker.fill_(0)
            else:
                tracker = self._growth_tracker.item() + 1
                if tracker == self._growth_interval:
                    self._scale.mul_(self._growth_factor)
                    tracker = 0
                self._growth_tracker.fill_(tracker)
        self._per_optimizer_states = defaultdict(_refresh_per_optimizer_state)

    def _check_scale_growth_tracker(self, funcname: str) -> None:
        fix = "This may indicate your script did not use scaler.scale(loss or outputs) earlier in the iteration."
        if self._scale is None:
            raise AssertionError(f"Attempted {funcname} but _scale is None.  " + fix)
        if self._growth_tracker is None:
            raise AssertionError(f"Attempted {funcname} but _growth_tracker is None.  " + fix)

    def _get_scale_async(self):
        return self._scale

    def get_scale(self) -> float:
        """The current scale (1.0 when disabled)."""
        if not self._enabled:
            return 1.0
        return self._init_scale if self._scale is None else float(self._scale.item())

    def get_growth_factor(self) -> float:
        return self._growth_factor

    def set_growth_factor(self, new_factor: float) -> None:
        self._growth_factor = new_factor

    def get_backoff_factor(self) -> float:
        return self._backoff_factor

    def set_backoff_factor(self, new_factor: float) -> None:
        self._backoff_factor = new_factor

    def get_growth_interval(self) -> int:
        return self._growth_interval

    def set_growth_interval(self, new_interval: int) -> None:
        self._growth_interval = new_interval

    def _get_growth_tracker(self) -> int:
        if not self._enabled:
            return 0
        return self._init_growth_tracker if self._growth_tracker is None else int(self._growth_tracker.item())

    def is_enabled(self) -> bool:
        """Whether the scaler scales (False when disabled, or for an unavailable device)."""
        return self._enabled

    def state_dict(self) -> dict:
        """``scale``, ``growth_factor``, ``backoff_factor``, ``growth_interval`` and ``_growth_tracker`` (an empty
        dict when disabled)."""
        if not self._enabled:
            return {}
        return {"scale": self.get_scale(), "growth_factor": self._growth_factor,
                "backoff_factor": self._backoff_factor, "growth_interval": self._growth_interval,
                "_growth_tracker": self._get_growth_tracker()}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore a ``state_dict``."""
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError("The source state dict is empty, possibly because it was saved from a disabled "
                               "instance of GradScaler.")
        self._init_scale = state_dict["scale"]
        if self._scale is not None:
            self._scale.fill_(state_dict["scale"])
        self._growth_factor = state_dict["growth_factor"]
        self._backoff_factor = state_dict["backoff_factor"]
        self._growth_interval = state_dict["growth_interval"]
        self._init_growth_tracker = state_dict["_growth_tracker"]
        if self._growth_tracker is not None:
            self._growth_tracker.fill_(state_dict["_growth_tracker"])


def _deprecated_scaler(device: str):
    """``torch.<device>.amp.GradScaler``: PyTorch's deprecated per-device form, with its FutureWarning."""

    class _DeviceGradScaler(GradScaler):
        def __init__(self, init_scale: float = 2.0 ** 16, growth_factor: float = 2.0, backoff_factor: float = 0.5,
                     growth_interval: int = 2000, enabled: bool = True) -> None:
            warnings.warn(f"`torch.{device}.amp.GradScaler(args...)` is deprecated. Please use `torch.amp.GradScaler("
                          f"'{device}', args...)` instead.", FutureWarning, stacklevel=2)
            super().__init__(device, init_scale, growth_factor, backoff_factor, growth_interval, enabled)

    _DeviceGradScaler.__name__ = _DeviceGradScaler.__qualname__ = "GradScaler"
    return _DeviceGradScaler


def _namespace(name: str, scaler, autocast_cls):
    """The ``torch.<device>.amp`` module: its ``GradScaler`` and ``autocast``."""
    import types  # noqa: PLC0415

    mod = types.ModuleType(name, f"``torch.{name.split('.')[1]}.amp``: the deprecated per-device amp names.")
    mod.GradScaler, mod.autocast = scaler, autocast_cls
    return mod


cuda_amp = _namespace("ember.cuda.amp", _deprecated_scaler("cuda"), _deprecated_autocast("cuda", "float16"))
cpu_amp = _namespace("ember.cpu.amp", _deprecated_scaler("cpu"), _deprecated_autocast("cpu", "bfloat16"))

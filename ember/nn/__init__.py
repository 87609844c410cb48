"""``ember.nn``: modules, layers, losses, functional, init and utilities, as in ``torch.nn``."""
from .parameter import Buffer, Parameter, UninitializedParameter  # noqa: F401
from .modules import *  # noqa: F401,F403
from . import functional, init, utils  # noqa: F401


def __getattr__(name: str):
    if name == "parallel":  # DistributedDataParallel: loaded on first use to keep ``import ember`` fast
        import importlib  # noqa: PLC0415

        return importlib.import_module(f"{__name__}.parallel")
    raise AttributeError(f"module 'ember.nn' has no attribute '{name}'")

"""``ember.nn``: modules, layers, losses, functional, init and utilities, as in ``torch.nn``."""
from .parameter import Buffer, Parameter, UninitializedParameter  # noqa: F401
from .modules import *  # noqa: F401,F403
from . import functional, init, utils  # noqa: F401
from . import parallel  # noqa: F401

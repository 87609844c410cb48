"""``ember.utils``: data loading (``ember.utils.data``), activation checkpointing (``ember.utils.checkpoint``)."""
from . import checkpoint, data

__all__ = ["checkpoint", "data"]
from .summary import ModelSummary, summary  # noqa: E402,F401

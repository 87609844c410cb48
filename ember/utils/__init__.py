"""``ember.utils``: data loading utilities (``ember.utils.data``)."""
from . import data

__all__ = ["data"]
from .summary import ModelSummary, summary  # noqa: E402,F401

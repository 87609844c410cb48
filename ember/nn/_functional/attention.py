"""nn.functional, attention family: (being written)."""
from __future__ import annotations

__all__: list = []

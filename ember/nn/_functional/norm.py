"""nn.functional, norm family: (being written)."""
from __future__ import annotations

__all__: list = []

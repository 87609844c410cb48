"""nn.utils: (being written)."""

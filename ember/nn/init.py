"""nn.init: (being written)."""

"""The families behind ``ember.nn.functional``."""

"""Tests of ember.optim (optimizers and learning-rate schedulers) against PyTorch."""

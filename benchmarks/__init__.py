"""Side-by-side benchmarks of Ember and PyTorch (run ``python -m benchmarks.<name>``)."""

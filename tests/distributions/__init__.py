"""Tests of ember.distributions, compared with torch.distributions."""

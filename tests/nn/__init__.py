"""Tests of ember.nn, compared with torch.nn."""

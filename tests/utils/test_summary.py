"""ember.utils.summary: layer table, output shapes and parameter counts."""
import ember
from ember import nn


def test_summary_counts_and_shapes():
    model = nn.Sequential(nn.Linear(4, 2), nn.ReLU(), nn.Linear(2, 3))
    s = ember.utils.summary(model, input_size=(5, 4), verbose=0)
    assert s.total_params == 4 * 2 + 2 + 2 * 3 + 3
    assert s.trainable_params == s.total_params
    shapes = [row[2] for row in s.rows]
    assert shapes == [[5, 3], [5, 2], [5, 2], [5, 3]]
    text = str(s)
    assert "Linear: 1-1" in text and "Total params: 19" in text


def test_summary_frozen_params_and_input_data():
    model = nn.Sequential(nn.Linear(3, 3), nn.Linear(3, 1))
    model[0].weight.requires_grad_(False)
    s = ember.utils.summary(model, input_data=ember.zeros(2, 3), verbose=0)
    assert s.total_params == 16 and s.trainable_params == 7

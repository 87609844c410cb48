"""ember.viz.make_dot draws the backward graph with PyTorch's node names, like torchviz."""
import pytest

import ember

graphviz = pytest.importorskip("graphviz")


def test_make_dot_nodes_and_labels():
    x = ember.tensor(1.0)
    t1 = ember.tensor(3.0, requires_grad=True)
    t2 = ember.tensor(4.0, requires_grad=True)
    loss = (x * t1 * t2 - 2.0) ** 2
    dot = ember.viz.make_dot(loss, params={"theta1": t1, "theta2": t2})
    src = dot.source
    for name in ("PowBackward0", "SubBackward0", "MulBackward0", "theta1", "theta2"):
        assert name in src
    assert src.count("MulBackward0") == 2
    assert src.count("->") == 6  # 5 edges inside the graph + 1 to the output box


def test_make_dot_show_saved_and_attrs():
    w = ember.ones(2, 3, requires_grad=True)
    out = (w.sum(1) * 2).exp().mean()
    src = ember.viz.make_dot(out, show_attrs=True, show_saved=True).source
    assert "ExpBackward0" in src and "result: (2,)" in src and "MeanBackward0" in src

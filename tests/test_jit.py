"""ember.jit: TorchScript's entry points run the code eagerly (what PyTorch's eager mode computes)."""
import doctest

import pytest
import torch

import ember
import ember.jit


def test_script_and_trace_return_runnable_objects_with_torchs_numbers():
    outs = []
    for m in (torch, ember):
        m.manual_seed(0)
        lin = m.nn.Linear(3, 2)

        @m.jit.script
        def f(x):
            return (x * 2).relu().sum(-1)

        traced = m.jit.trace(lin, m.ones(1, 3))
        scripted = m.jit.script(lin)
        x = m.tensor([[1.0, -2.0, 3.0]])
        outs.append((f(x).tolist(), traced(x).tolist(), scripted(x).tolist()))
    assert outs[0][0] == outs[1][0]
    for a, b in zip(outs[0][1:], outs[1][1:]):  # TorchScript's linear may round its last bit differently
        assert a[0] == pytest.approx(b[0], rel=1e-6)


def test_helpers():
    assert not ember.jit.is_scripting() and not ember.jit.is_tracing()
    assert ember.jit.annotate(list, [1]) == [1]
    assert ember.jit.isinstance([1], list) and ember.jit.isinstance([1], list[int])
    assert ember.jit.wait(ember.jit.fork(lambda a: a + 1, 1)) == 2

    @ember.jit.ignore
    def g():
        return 5

    @ember.jit.unused
    def h():
        return 6
    assert g() == 5 and h() == 6 and ember.jit.export(g) is g


def test_torchscript_archives_are_refused_clearly():
    with pytest.raises(NotImplementedError, match="state_dict"):
        ember.jit.save(ember.nn.Linear(1, 1), "x.pt")
    with pytest.raises(NotImplementedError, match="state_dict"):
        ember.jit.load("x.pt")
    with pytest.raises(TypeError, match="built-in class"):
        ember.jit.script(3)


def test_docstring_examples():
    assert doctest.testmod(ember.jit, optionflags=doctest.NORMALIZE_WHITESPACE).failed == 0

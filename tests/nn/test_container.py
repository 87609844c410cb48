"""Containers: Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict against torch."""
from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest
import torch

import ember

from ._nn_compare import compare_module, copy_weights, randn


def _both(fn):
    return fn(torch), fn(ember)


def _names(m):
    return [type(x).__name__ for x in m]


def test_sequential_course_networks_repr_and_values():
    iris = _both(lambda lib: lib.nn.Sequential(lib.nn.Linear(4, 2), lib.nn.ReLU(), lib.nn.Linear(2, 3)))
    bce = _both(lambda lib: lib.nn.Sequential(lib.nn.Linear(5, 8), lib.nn.ReLU(), lib.nn.Linear(8, 1),
                                              lib.nn.Sigmoid()))
    for tm, em in (iris, bce):
        assert repr(em) == repr(tm)
        assert list(em.state_dict()) == list(tm.state_dict())
        copy_weights(tm, em)
        for batch in (1, 6):
            compare_module(tm, em, [randn((batch, tm[0].in_features), seed=batch)])


def test_sequential_indexing_and_mutation():
    tm, em = _both(lambda lib: lib.nn.Sequential(lib.nn.ReLU(), lib.nn.Tanh(), lib.nn.Sigmoid(), lib.nn.ELU()))
    assert type(em[-1]).__name__ == "ELU" and type(em[1]).__name__ == "Tanh"
    assert repr(em[1:3]) == repr(tm[1:3]) and isinstance(em[1:3], ember.nn.Sequential)
    assert repr(em[::-2]) == repr(tm[::-2])
    with pytest.raises(IndexError, match="index 4 is out of range"):
        em[4]
    for m, lib in ((tm, torch), (em, ember)):
        del m[1]
        m[0] = lib.nn.GELU()
        m.append(lib.nn.Softsign())
        m.insert(1, lib.nn.Mish())
        m.insert(-1, lib.nn.SiLU())
        m.extend([lib.nn.Tanhshrink()])
        m.pop(0)
        del m[-2:]
    assert repr(em) == repr(tm) and list(em._modules) == list(tm._modules)
    assert len(em) == len(tm)
    with pytest.raises(IndexError, match="Index out of range: 9"):
        em.insert(9, ember.nn.ReLU())
    with pytest.raises(AssertionError):
        em.insert(0, 3)
    s = em + ember.nn.Sequential(ember.nn.ReLU())
    assert _names(s) == _names(em) + ["ReLU"] and s is not em
    with pytest.raises(ValueError, match="add operator supports only objects of Sequential class, but <class 'int'> "
                                         "is given."):
        em + 3
    assert _names(em * 2) == _names(em) * 2
    assert "0" not in dir(em)


def test_sequential_from_ordered_dict():
    tm, em = _both(lambda lib: lib.nn.Sequential(OrderedDict([("fc", lib.nn.Linear(3, 2)), ("act", lib.nn.ReLU())])))
    assert repr(em) == repr(tm)
    assert list(em.state_dict()) == ["fc.weight", "fc.bias"]
    assert em.fc is em[0]
    copy_weights(tm, em)
    compare_module(tm, em, [randn((2, 3))])


def test_module_list():
    tm, em = _both(lambda lib: lib.nn.ModuleList([lib.nn.Linear(2, 2), lib.nn.Linear(2, 2), lib.nn.ReLU(),
                                                  lib.nn.ReLU(), lib.nn.Linear(2, 2)]))
    assert repr(em) == repr(tm)
    assert list(em.state_dict()) == list(tm.state_dict())
    assert repr(em[1:3]) == repr(tm[1:3])
    for m, lib in ((tm, torch), (em, ember)):
        m.append(lib.nn.Tanh())
        m.insert(0, lib.nn.Sigmoid())
        m.extend([lib.nn.ReLU()])
        m += [lib.nn.ReLU()]
        del m[2]
        m[-1] = lib.nn.GELU()
        m.pop(1)
    assert repr(em) == repr(tm)
    assert repr(em + em[:1]) == repr(tm + tm[:1])
    assert repr(ember.nn.ModuleList()) == repr(torch.nn.ModuleList()) == "ModuleList()"
    with pytest.raises(TypeError, match="ModuleList.extend should be called with an iterable, but got int"):
        em.extend(3)
    with pytest.raises(IndexError, match="index 40 is out of range"):
        em[40]
    nested = _both(lambda lib: lib.nn.Sequential(lib.nn.ModuleList([lib.nn.ReLU(), lib.nn.ReLU()]),
                                                 lib.nn.Linear(2, 2)))
    assert repr(nested[1]) == repr(nested[0])


def test_module_dict():
    tm, em = _both(lambda lib: lib.nn.ModuleDict({"z": lib.nn.Linear(2, 2), "a": lib.nn.ReLU()}))
    assert repr(em) == repr(tm) and list(em.keys()) == ["z", "a"]
    for m, lib in ((tm, torch), (em, ember)):
        m["b"] = lib.nn.Tanh()
        m.update([("c", lib.nn.Sigmoid())])
        del m["a"]
        m.pop("c")
    assert repr(em) == repr(tm) and "b" in em and len(em) == 2
    assert list(em) == list(tm) and [k for k, _ in em.items()] == list(tm.keys())
    with pytest.raises(ValueError, match="ModuleDict update sequence element #0 has length 1; 2 is required"):
        em.update([("x",)])
    em.clear()
    assert len(em) == 0


def test_parameter_list_and_dict():
    def build(lib):
        pl = lib.nn.ParameterList([lib.nn.Parameter(lib.zeros(2, 3)), lib.zeros(2, dtype=lib.float64)])
        pl.append(lib.ones(1))
        pd = lib.nn.ParameterDict({"z": lib.zeros(1), "a": lib.nn.Parameter(lib.ones(2, 2))})
        pd["m"] = lib.zeros(3)
        return pl, pd

    (tpl, tpd), (epl, epd) = build(torch), build(ember)
    assert repr(epl) == repr(tpl) and repr(epd) == repr(tpd)
    assert list(epl.state_dict()) == list(tpl.state_dict()) and list(epd.state_dict()) == list(tpd.state_dict())
    assert all(isinstance(p, ember.nn.Parameter) for p in epl) and len(epl) == 3
    assert isinstance(epd["z"], ember.nn.Parameter) and list(epd.keys()) == ["a", "z", "m"]
    assert repr(epl[1:]) == repr(tpl[1:])
    epl.append("foo")
    tpl.append("foo")
    assert repr(epl) == repr(tpl)
    with pytest.raises(RuntimeError, match="ParameterList should not be called."):
        epl(1)
    with pytest.raises(RuntimeError, match="ParameterDict should not be called."):
        epd()
    with pytest.raises(TypeError, match="Index given to ParameterDict cannot be used as a key"):
        epd[1]
    assert epd.pop("z").shape == (1,) and "z" not in epd
    assert epd.get("nope", 5) == 5
    assert repr(ember.nn.ParameterList([ember.zeros(2)])) == repr(torch.nn.ParameterList([torch.zeros(2)]))

    class Holder(ember.nn.Module):
        def __init__(self):
            super().__init__()
            self.ps = ember.nn.ParameterList([ember.ones(2), ember.ones(2)])

    h = Holder()
    assert [n for n, _ in h.named_parameters()] == ["ps.0", "ps.1"]
    np.testing.assert_array_equal(sum(p.sum() for p in h.ps).detach().numpy(), 4.0)

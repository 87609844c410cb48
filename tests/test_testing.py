"""ember.testing.assert_close against torch.testing.assert_close: the same verdicts and the same messages."""
from __future__ import annotations

import doctest

import pytest
import torch

import ember
import ember.testing

NAN, INF = float("nan"), float("inf")
CASES = {
    "close": lambda m: m.testing.assert_close(m.tensor([1.0, 2.0]), m.tensor([1.0, 2.0 + 1e-6])),
    "not_close": lambda m: m.testing.assert_close(m.tensor([1.0, 2.0, 3.0]), m.tensor([1.0, 2.5, 3.0])),
    "2d_index": lambda m: m.testing.assert_close(m.tensor([[1.0, 2.0], [3.0, 4.0]]), m.tensor([[1.0, 2.0], [3.5, 4.0]])),
    "zero_expected": lambda m: m.testing.assert_close(m.tensor([0.0, 1.0]), m.tensor([0.5, 1.0])),
    "nan": lambda m: m.testing.assert_close(m.tensor([1.0, 2.0]), m.tensor([NAN, 2.0])),
    "equal_nan": lambda m: m.testing.assert_close(m.tensor([1.0, NAN]), m.tensor([1.0, NAN]), equal_nan=True),
    "inf": lambda m: m.testing.assert_close(m.tensor([1.0, 2.0]), m.tensor([1.0, INF])),
    "same_inf": lambda m: m.testing.assert_close(m.tensor([1.0, INF]), m.tensor([1.0, INF])),
    "dtype": lambda m: m.testing.assert_close(m.tensor([1.0, 2.0]), m.tensor([1.0, 2.0], dtype=m.float64)),
    "dtype_unchecked": lambda m: m.testing.assert_close(m.tensor([1.0, 2.0]), m.tensor([1.0, 2.0], dtype=m.float64),
                                                        check_dtype=False),
    "shape": lambda m: m.testing.assert_close(m.tensor([1.0, 2.0]), m.tensor([1.0, 2.0, 3.0])),
    "ints": lambda m: m.testing.assert_close(m.tensor([1, 2]), m.tensor([1, 3])),
    "bools": lambda m: m.testing.assert_close(m.tensor([True, False]), m.tensor([True, True])),
    "float16": lambda m: m.testing.assert_close(m.tensor([1.0, 2.0], dtype=m.float16),
                                                m.tensor([1.0, 2.001], dtype=m.float16)),
    "0d": lambda m: m.testing.assert_close(m.tensor(1.0), m.tensor(NAN)),
    "0d_int": lambda m: m.testing.assert_close(m.tensor(3), m.tensor(4)),
    "numbers": lambda m: m.testing.assert_close(1.0, 1.1),
    "int_numbers": lambda m: m.testing.assert_close(1, 2),
    "number_types": lambda m: m.testing.assert_close(1, 1.0),
    "sequence_item": lambda m: m.testing.assert_close([m.tensor(1.0), m.tensor(2.0)], [m.tensor(1.0), m.tensor(2.5)]),
    "sequence_length": lambda m: m.testing.assert_close([1.0, 2.0], [1.0, 2.0, 3.0]),
    "mapping_item": lambda m: m.testing.assert_close({"a": m.tensor(1.0)}, {"a": m.tensor(2.0)}),
    "explicit_tolerances": lambda m: m.testing.assert_close(m.tensor([1.0]), m.tensor([1.1]), rtol=0.2, atol=0.0),
    "one_tolerance": lambda m: m.testing.assert_close(m.tensor([1.0, 2.0]), m.tensor([1.0, 2.1]), rtol=0.1),
    "msg": lambda m: m.testing.assert_close(m.tensor([1.0]), m.tensor([2.0]), msg="custom"),
    "msg_callable": lambda m: m.testing.assert_close(m.tensor([1.0]), m.tensor([2.0]), msg=lambda s: "X" + s[:10]),
}


def _outcome(fn, m):
    try:
        fn(m)
    except Exception as err:  # noqa: BLE001 - the type and message are what is compared
        return type(err).__name__, str(err)
    return "ok", ""


@pytest.mark.parametrize("name", list(CASES))
def test_assert_close_like_torch(name):
    assert _outcome(CASES[name], ember) == _outcome(CASES[name], torch)


def test_type_pairs_it_cannot_compare():
    with pytest.raises(TypeError, match="No comparison pair was able to handle inputs of type"):
        ember.testing.assert_close(ember.tensor([1.0]), [1.0])


def test_docstring_examples_run():
    result = doctest.testmod(ember.testing, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 3 and result.failed == 0

"""ember._dtype: bfloat16's NumPy dtype (ml_dtypes) is imported on first use, not with ember."""
import subprocess
import sys

import torch


def _run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout


def test_import_ember_does_not_import_ml_dtypes():
    # ml_dtypes 0.7 takes about half a second to import: more than the rest of ember together
    assert _run("import sys, ember; print('ml_dtypes' in sys.modules)") == "False\n"


def test_bfloat16_works_after_the_deferred_import():
    out = _run("import ember; t = ember.tensor([1.0, 2.5, 1 / 3], dtype=ember.bfloat16); "
               "print(t.dtype, t.tolist(), (t * 2).dtype, ember.finfo(ember.bfloat16).eps)")
    ref = torch.tensor([1.0, 2.5, 1 / 3], dtype=torch.bfloat16)
    assert out == f"{ref.dtype} {ref.tolist()} {(ref * 2).dtype} {torch.finfo(torch.bfloat16).eps}\n"


def test_numpy_bfloat16_arrays_made_before_ember_touches_bfloat16():
    # the array's dtype comes from the user's ml_dtypes import; ember has not resolved bfloat16.np yet
    code = ("import ember, ml_dtypes, numpy as np; a = np.array([1.5, -2], dtype=ml_dtypes.bfloat16); "
            "t = ember.from_numpy(a); print(t.dtype, t.tolist(), ember.as_tensor(a[::-1]).tolist())")
    assert _run(code) == "torch.bfloat16 [1.5, -2.0] [-2.0, 1.5]\n"


def test_other_dtypes_need_no_ml_dtypes():
    code = ("import sys, ember; t = ember.randn(3, dtype=ember.float16) + ember.arange(3); "
            "ember.finfo(ember.float16); print(t.dtype, 'ml_dtypes' in sys.modules)")
    assert _run(code) == "torch.float16 False\n"

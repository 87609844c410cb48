"""``ember.version``: the version strings PyTorch scripts print (``torch.version.cuda`` and friends).

``cuda`` and ``hip`` are None: Ember links no CUDA or ROCm toolkit (its GPU backend is CuPy's).

>>> import ember
>>> ember.version.cuda is None, ember.version.__version__ == ember.__version__
(True, True)
"""
from __future__ import annotations

from . import __version__  # noqa: F401

cuda = None
hip = None
debug = False

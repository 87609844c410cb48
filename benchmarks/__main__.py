"""``python -m benchmarks``: the CPU benchmark suite (see benchmarks/suite.py)."""
from .suite import main

main()

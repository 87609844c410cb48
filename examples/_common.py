"""Shared bits of the examples: ``--quick``/``--out`` arguments and saving matplotlib figures."""
from __future__ import annotations

import argparse
import os


def parse_args(description: str, argv=None):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--quick", action="store_true", help="a short run (used by CI)")
    p.add_argument("--out", default="examples_out", help="folder for plots and files")
    args = p.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    return args


def pyplot():
    """matplotlib.pyplot with a file-only backend, or None when matplotlib is not installed."""
    try:
        import matplotlib  # noqa: PLC0415

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt  # noqa: PLC0415

        return plt
    except ImportError:
        print("(matplotlib is not installed: pip install matplotlib to get the plots)")
        return None


def save(fig, out: str, name: str) -> str:
    path = os.path.join(out, name)
    fig.savefig(path, dpi=100)
    print(f"saved {path}")
    return path

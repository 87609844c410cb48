"""The ``ember`` command line: ``ember demo``, ``ember info``, ``ember launch``."""
from __future__ import annotations

import argparse
import sys


def _demo(args) -> int:
    from .demo import run_demo  # noqa: PLC0415

    return run_demo(args)


def _run(args) -> int:
    from ._torch_alias import run_script  # noqa: PLC0415

    return run_script(args.script, args.args)


def _info(args) -> int:
    import platform  # noqa: PLC0415

    import numpy as np  # noqa: PLC0415

    import ember  # noqa: PLC0415

    print(f"ember {ember.__version__}")
    print(f"python {platform.python_version()} on {platform.machine()}")
    print(f"numpy {np.__version__}")
    try:
        cfg = np.show_config(mode="dicts")
        blas = cfg.get("Build Dependencies", {}).get("blas", {})
        print(f"blas {blas.get('name', '?')} {blas.get('version', '')}".rstrip())
    except Exception:  # older NumPy without mode="dicts"
        print("blas: unknown")
    print(f"cuda available: {ember.cuda.is_available()}")
    try:
        import mpi4py  # noqa: F401,PLC0415

        print("mpi: available (mpi4py)")
    except ImportError:
        print("mpi: not available (pip install mpi4py mpich)")
    return 0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="ember", description="Ember: PyTorch's API on NumPy.")
    sub = p.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("demo", help="train a model on an embedded data set and show the results")
    d.add_argument("dataset", nargs="?", default="iris", choices=["iris", "digits", "shakespeare"])
    d.add_argument("--epochs", type=int, default=None)
    d.add_argument("--out", default="ember_demo_out")
    d.add_argument("--quick", action="store_true", help="a short run (for CI)")
    d.set_defaults(fn=_demo)
    r = sub.add_parser("run", help="run an unmodified PyTorch script with torch resolved to ember")
    r.add_argument("script")
    r.add_argument("args", nargs=argparse.REMAINDER)
    r.set_defaults(fn=_run)
    i = sub.add_parser("info", help="versions and available backends")
    i.set_defaults(fn=_info)
    from ._launch import add_arguments, launch  # noqa: PLC0415

    la = sub.add_parser("launch", help="start N ranks of a script under MPI: ember launch -n 2 train.py [args]")
    add_arguments(la)
    la.set_defaults(fn=launch)
    args = p.parse_args(argv)
    return args.fn(args)


if __name__ == "__main__":
    sys.exit(main())

"""``ember launch``: start N copies of a script under MPI (``mpiexec``), on one machine or several hosts."""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import sysconfig
import time
import traceback

# rank variables of the MPI launchers we know: (rank, size, local rank, local size)
_RANK_VARS = (
    ("PMI_RANK", "PMI_SIZE", "MPI_LOCALRANKID", "MPI_LOCALNRANKS"),  # MPICH (hydra), Intel MPI
    ("OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_LOCAL_RANK", "OMPI_COMM_WORLD_LOCAL_SIZE"),
    ("PMIX_RANK", "PMIX_SIZE", "PMIX_LOCAL_RANK", "PMIX_LOCAL_SIZE"),
    ("SLURM_PROCID", "SLURM_NTASKS", "SLURM_LOCALID", "SLURM_NTASKS_PER_NODE"),
)


def find_mpiexec() -> str | None:
    """The ``mpiexec`` to use: $EMBER_MPIEXEC, the one beside this Python (the ``mpich`` wheel's), or PATH's.

    >>> from ember._launch import find_mpiexec
    >>> find_mpiexec() is None or find_mpiexec().endswith(("mpiexec", "mpirun", "mpiexec.exe"))
    True
    """
    env = os.environ.get("EMBER_MPIEXEC")
    if env:
        return env
    for d in (sysconfig.get_path("scripts"), os.path.dirname(sys.executable)):
        for name in ("mpiexec", "mpiexec.exe"):
            p = os.path.join(d, name)
            if os.path.isfile(p) and os.access(p, os.X_OK):
                return p
    return shutil.which("mpiexec") or shutil.which("mpirun")


def mpi_flavour(mpiexec: str) -> str:
    """"hydra" (MPICH, Intel MPI), "openmpi", or "other", from ``mpiexec --version``."""
    try:
        out = subprocess.run([mpiexec, "--version"], capture_output=True, text=True, timeout=20, check=False)
        text = (out.stdout + out.stderr).lower()
    except (OSError, subprocess.SubprocessError):
        return "other"
    if "hydra" in text or "mpich" in text or "intel" in text:
        return "hydra"
    if "open mpi" in text or "openrte" in text or "prte" in text:
        return "openmpi"
    return "other"


def build_command(nproc: int, script: str, args=(), hostfile: str | None = None, module: bool = False,
                  mpiexec: str | None = None, mpi_args=(), python: str | None = None) -> list:
    """The ``mpiexec`` command line that runs ``script`` (or module ``-m script``) in ``nproc`` ranks.

    >>> from ember._launch import build_command
    >>> " ".join(build_command(2, "train.py", ["--lr", "0.1"], mpiexec="/opt/mpi/bin/mpiexec", python="python"))
    '/opt/mpi/bin/mpiexec -n 2 python -m ember._launch --worker train.py --lr 0.1'
    """
    mpiexec = mpiexec or find_mpiexec()
    if mpiexec is None:
        raise RuntimeError("ember launch needs an MPI launcher (mpiexec): pip install mpi4py mpich")
    flavour = mpi_flavour(mpiexec) if os.path.isabs(mpiexec) or shutil.which(mpiexec) else "other"
    cmd = [mpiexec, "-n", str(int(nproc))]
    if flavour == "openmpi":
        cmd.append("--oversubscribe")
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-run-as-root")
    if hostfile:
        cmd += ["-f" if flavour == "hydra" else "--hostfile", hostfile]
    cmd += list(mpi_args)
    cmd += [python or sys.executable, "-m", "ember._launch", "--worker"]
    if module:
        cmd.append("-m")
    return cmd + [script] + list(args)


def _set_rank_env() -> None:
    """Set RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE (as torchrun does) from the MPI launcher's variables."""
    for rank, size, local_rank, local_size in _RANK_VARS:
        if rank in os.environ and size in os.environ:
            os.environ["RANK"] = os.environ[rank]
            os.environ["WORLD_SIZE"] = os.environ[size]
            os.environ["LOCAL_RANK"] = os.environ.get(local_rank, os.environ[rank])
            os.environ["LOCAL_WORLD_SIZE"] = os.environ.get(local_size, os.environ[size])
            break
    os.environ.setdefault("MASTER_ADDR", "localhost")
    os.environ.setdefault("MASTER_PORT", "29500")
    os.environ["EMBER_LAUNCHED"] = "1"


def _abort(code: int) -> None:
    """Stop every rank of the job: one failed rank must never leave the others waiting forever."""
    from .distributed import _mpi  # noqa: PLC0415

    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        mpi = _mpi.mpi()
        if mpi.COMM_WORLD.Get_size() > 1:
            # mpiexec forwards each rank's output through a pipe and kills every process on Abort; a short pause
            # lets it deliver this rank's traceback in full first (without it, CI once saw only its first line)
            time.sleep(0.5)
            mpi.COMM_WORLD.Abort(code)
        os._exit(code)


def run_worker(argv: list) -> int:
    """Run one rank: set the rank variables, initialise MPI, run the script; abort all ranks if it fails."""
    import runpy  # noqa: PLC0415

    from .distributed import _mpi  # noqa: PLC0415

    module = bool(argv) and argv[0] == "-m"
    if module:
        argv = argv[1:]
    if not argv:
        print("ember launch: no script given", file=sys.stderr)
        return 2
    _set_rank_env()
    _mpi.mpi()  # initialise MPI now, so that a failure anywhere below can abort the whole job
    target, sys.argv = argv[0], list(argv)
    try:
        if module:
            runpy.run_module(target, run_name="__main__", alter_sys=True)
        else:
            sys.path.insert(0, os.path.dirname(os.path.abspath(target)))
            runpy.run_path(target, run_name="__main__")
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        if code:
            if not isinstance(e.code, int):
                print(e.code, file=sys.stderr)
            _abort(code)
        return 0
    except BaseException:  # noqa: BLE001 - any failure in a rank stops the job
        traceback.print_exc()
        rank = os.environ.get("RANK", "?")
        print(f"ember launch: rank {rank} failed; aborting all ranks", file=sys.stderr)
        _abort(1)
    return 0


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The options of ``ember launch`` (shared with ``ember/cli.py``)."""
    p.add_argument("-n", "--nproc", "--nproc-per-node", "--nproc_per_node", dest="nproc", type=int, default=1,
                   help="number of processes (ranks) to start (default 1)")
    p.add_argument("--hostfile", "-f", default=None,
                   help="file naming the hosts to run on (MPICH: 'host:slots' per line; Open MPI: 'host slots=N')")
    p.add_argument("--mpi-arg", action="append", default=[], dest="mpi_args",
                   help="an extra argument for mpiexec (repeatable), e.g. --mpi-arg=-bind-to --mpi-arg=core")
    p.add_argument("--dry-run", action="store_true", help="print the mpiexec command instead of running it")
    p.add_argument("-m", dest="module", action="store_true", help="run a module (python -m) instead of a script")
    p.add_argument("script", help="the training script (or module with -m)")
    p.add_argument("script_args", nargs=argparse.REMAINDER, help="arguments for the script")


def launch(args) -> int:
    """Run ``args`` (parsed by ``add_arguments``): mpiexec, waited for; returns its exit status."""
    if args.nproc < 1:
        print(f"ember launch: -n must be at least 1, got {args.nproc}", file=sys.stderr)
        return 2
    if args.hostfile and not os.path.isfile(args.hostfile):
        print(f"ember launch: hostfile {args.hostfile!r} does not exist", file=sys.stderr)
        return 2
    try:
        cmd = build_command(args.nproc, args.script, args.script_args, args.hostfile, args.module,
                            mpi_args=args.mpi_args)
    except RuntimeError as e:
        print(f"ember launch: {e}", file=sys.stderr)
        return 2
    if args.dry_run:
        print(" ".join(cmd))
        return 0
    # the ranks import the same ember as this launcher (a source checkout need not be installed)
    env = dict(os.environ)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    if args.nproc > 1 and "OMP_NUM_THREADS" not in env:  # as torchrun: one BLAS thread per rank unless told
        env["OMP_NUM_THREADS"] = "1"
    try:
        return subprocess.call(cmd, env=env)
    except KeyboardInterrupt:
        return 130


def main(argv=None) -> int:
    """``python -m ember._launch -n N script.py args`` (the same as ``ember launch``)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] == "--worker":
        return run_worker(argv[1:])
    p = argparse.ArgumentParser(prog="ember launch", description="Start N ranks of a script under MPI.")
    add_arguments(p)
    return launch(p.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())

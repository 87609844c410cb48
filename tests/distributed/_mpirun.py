"""Run a rank script under mpiexec from pytest, with a hard timeout that kills every rank."""
from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def mpiexec() -> str:
    """The mpiexec to use, or skip the test when MPI is not installed (pip install mpi4py mpich)."""
    pytest.importorskip("mpi4py", reason="MPI tests need mpi4py (pip install mpi4py mpich)")
    from ember._launch import find_mpiexec

    exe = find_mpiexec()
    if exe is None:
        pytest.skip("MPI tests need mpiexec (pip install mpich)")
    return exe


def env() -> dict:
    """The ranks' environment: this checkout importable, one BLAS thread per rank (2-core CI machines)."""
    e = dict(os.environ)
    e["PYTHONPATH"] = os.pathsep.join(p for p in (ROOT, e.get("PYTHONPATH")) if p)
    e["OMP_NUM_THREADS"] = "1"
    e["OPENBLAS_NUM_THREADS"] = "1"
    e["MKL_NUM_THREADS"] = "1"
    return e


def run(cmd: list, timeout: float) -> subprocess.CompletedProcess:
    """Run ``cmd`` in its own session; on timeout kill the whole session (mpiexec and every rank)."""
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env(), cwd=ROOT,
                         start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        pytest.fail(f"{' '.join(cmd)} did not finish in {timeout} s\nstdout:\n{out[-3000:]}\nstderr:\n{err[-3000:]}")
    return subprocess.CompletedProcess(cmd, p.returncode, out, err)


def mpi_cmd(n: int, script: str, *args: str) -> list:
    """``mpiexec -n N python script args`` (Open MPI also gets --oversubscribe and, as root, --allow-run-as-root)."""
    from ember._launch import mpi_flavour

    exe = mpiexec()
    cmd = [exe, "-n", str(n)]
    if mpi_flavour(exe) == "openmpi":
        cmd.append("--oversubscribe")
        if os.geteuid() == 0:
            cmd.append("--allow-run-as-root")
    return cmd + [sys.executable, os.path.join(HERE, script), *args]


def run_ranks(n: int, script: str, outdir: str, *args: str, timeout: float = 120) -> list:
    """Run ``script`` on ``n`` ranks and return each rank's pickled results."""
    proc = run(mpi_cmd(n, script, str(outdir), *args), timeout)
    if proc.returncode != 0:
        pytest.fail(f"{script} on {n} ranks exited with {proc.returncode}\nstdout:\n{proc.stdout[-4000:]}\n"
                    f"stderr:\n{proc.stderr[-4000:]}")
    out = []
    for r in range(n):
        with open(os.path.join(outdir, f"rank{r}.pkl"), "rb") as f:
            out.append(pickle.load(f))
    return out

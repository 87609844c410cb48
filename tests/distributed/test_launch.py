"""``ember launch``: ranks get their variables and arguments, and one failing rank stops the job quickly."""
from __future__ import annotations

import json
import os
import sys
import time

import pytest

from ._mpirun import HERE, ROOT, mpi_cmd, mpiexec, run

SCRIPT = os.path.join(HERE, "_rank_launch.py")


def launch(*args: str, timeout: float = 90):
    mpiexec()
    return run([sys.executable, "-m", "ember", "launch", *args], timeout)


def read(outdir, n: int) -> list:
    out = []
    for r in range(n):
        with open(os.path.join(outdir, f"rank{r}.json")) as f:
            out.append(json.load(f))
    return out


def test_launch_runs_every_rank(tmp_path):
    n = 3  # 2 ranks run in the other launcher tests
    proc = launch("-n", str(n), SCRIPT, str(tmp_path), "ok", "--flag", "-x")
    assert proc.returncode == 0, proc.stderr[-3000:]
    for r, info in enumerate(read(tmp_path, n)):
        assert (info["rank"], info["world"]) == (r, n)
        assert (info["RANK"], info["WORLD_SIZE"], info["LOCAL_RANK"], info["LOCAL_WORLD_SIZE"]) == (str(r), str(n),
                                                                                                   str(r), str(n))
        assert info["argv"] == [SCRIPT, str(tmp_path), "ok", "--flag", "-x"]
        assert info["name"] == "__main__" and info["torchelastic"] and info["OMP_NUM_THREADS"] == "1"


@pytest.mark.parametrize("mode", ["raise", "raise_early", "exit"])
def test_failing_rank_stops_the_job(tmp_path, mode):
    start = time.monotonic()
    proc = launch("-n", "2", SCRIPT, str(tmp_path), mode, timeout=60)
    assert proc.returncode != 0
    assert time.monotonic() - start < 60
    if mode != "exit":
        assert "ValueError: this rank fails" in proc.stderr
    assert not os.path.exists(os.path.join(tmp_path, "rank0.json"))


def test_failing_rank_under_plain_mpiexec(tmp_path):
    """Without the launcher, init_process_group's excepthook aborts the job."""
    start = time.monotonic()
    proc = run(mpi_cmd(3, "_rank_launch.py", str(tmp_path), "raise"), timeout=60)
    assert proc.returncode != 0 and time.monotonic() - start < 60
    assert "ValueError: this rank fails" in proc.stderr
    assert "aborting all 3 ranks" in proc.stderr


def test_hostfile(tmp_path):
    from ember._launch import mpi_flavour

    if mpi_flavour(mpiexec()) != "hydra":
        pytest.skip("the host file format here is MPICH's")
    hostfile = tmp_path / "hosts"
    hostfile.write_text("localhost:2\n")
    proc = launch("-n", "2", "--hostfile", str(hostfile), SCRIPT, str(tmp_path), "ok")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert [i["rank"] for i in read(tmp_path, 2)] == [0, 1]


def test_module_mode(tmp_path):
    pkg = tmp_path / "pkg_launch_test"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "job.py").write_text(
        "import os, sys\nimport ember.distributed as dist\ndist.init_process_group()\n"
        "open(os.path.join(sys.argv[1], f'm{dist.get_rank()}'), 'w').write(__name__)\n")
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(tmp_path), old) if p)
    try:
        proc = launch("-n", "2", "-m", "pkg_launch_test.job", str(tmp_path))
    finally:
        if old is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = old
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert [(tmp_path / f"m{r}").read_text() for r in range(2)] == ["__main__", "__main__"]


def test_cli_dry_run_and_bad_arguments(capsys, tmp_path):
    from ember.cli import main

    assert main(["launch", "-n", "2", "--dry-run", "--mpi-arg=-v", "train.py", "--lr", "0.1"]) == 0
    cmd = capsys.readouterr().out.split()
    assert cmd[1:3] == ["-n", "2"] and "-v" in cmd
    assert cmd[cmd.index("--worker") - 2:cmd.index("--worker")] == ["-m", "ember._launch"]
    assert cmd[cmd.index("--worker") + 1:] == ["train.py", "--lr", "0.1"]
    assert main(["launch", "-n", "0", "train.py"]) == 2
    assert main(["launch", "-n", "2", "--hostfile", str(tmp_path / "missing"), "train.py"]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_example_quick_run(tmp_path):
    example = os.path.join(ROOT, "examples", "distributed_mnist_mlp.py")
    proc = launch("-n", "2", example, "--quick", timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "accuracy" in proc.stdout

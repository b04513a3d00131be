"""``minigrad search`` end to end: local processes, a Dask scheduler and worker started as their own
processes on the loopback interface, the outputs, and the command line's boundary (exit 2, one line,
nothing written).

The command runs in this process (``cli.main``), as the console script does, to spare
an interpreter start per case; the Dask scheduler and worker are real separate processes.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 120
SEARCH = ["search", "moons", "--param", "lr=0.003,0.03", "--param", "hidden=4,8x8", "--cv", "2", "--epochs", "1",
          "--no-progress"]


def _env():
    env = {k: v for k, v in os.environ.items() if k != "MINIGRAD_DEBUG"}
    env.update(PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""), MPLBACKEND="Agg",
               NUMBA_NUM_THREADS="1", OMP_NUM_THREADS="1")
    return env


class Result:
    def __init__(self, returncode, stdout, stderr):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def minigrad(args, cwd):
    """Run ``minigrad ARGS`` in ``cwd`` through the console entry point; its exit status and output."""
    import contextlib
    import io

    import cli

    out, err = io.StringIO(), io.StringIO()
    here = os.getcwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                cli.main(list(args))
                code = 0
            except SystemExit as exc:
                code = exc.code
    finally:
        os.chdir(here)
    return Result(code, out.getvalue(), err.getvalue())


def table(stdout):
    """The ranked rows and the best line (the numbers that must not depend on where the search ran)."""
    return [line for line in stdout.splitlines() if line[:4].strip().isdigit() or line.startswith("best:")]


@pytest.fixture(scope="module")
def local(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("local")
    result = minigrad([*SEARCH, "--jobs", "2", "-o", "search.png"], cwd)
    assert result.returncode == 0, result.stderr
    return cwd, result


def test_search_prints_the_ranked_table_and_writes_the_plot(local):
    cwd, result = local
    rows = table(result.stdout)
    assert len(rows) == 5 and [r.split()[0] for r in rows[:4]] == ["1", "2", "3", "4"]
    assert "grid search, 2-fold cross-validation, 4 candidates" in result.stdout
    assert rows[-1].startswith("best: lr=")
    assert (cwd / "search.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "wrote search.png" in result.stdout


def test_one_process_gives_the_same_table_and_html_holds_table_and_plot(local, tmp_path):
    result = minigrad([*SEARCH, "--jobs", "1", "-o", "out/search.html"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert table(result.stdout) == table(local[1].stdout)
    page = (tmp_path / "out" / "search.html").read_text()
    assert "data:image/png;base64," in page and "best: lr=" in page


@pytest.mark.slow
def test_search_on_a_dask_scheduler_and_worker_started_as_processes(local, tmp_path):
    dask = Path(sys.executable).parent / "dask"
    if not dask.exists():
        pytest.skip("no dask command")
    info = tmp_path / "scheduler.json"
    logs = open(tmp_path / "cluster.log", "w")
    scheduler = subprocess.Popen([str(dask), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                                  "--scheduler-file", str(info)], env=_env(), stdout=logs, stderr=logs)
    worker = None
    try:
        deadline = time.monotonic() + 60
        while not (info.exists() and info.stat().st_size) and time.monotonic() < deadline:
            time.sleep(0.1)
        address = json.loads(info.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        worker = subprocess.Popen([str(dask), "worker", address, "--nthreads", "1", "--nworkers", "1",
                                   "--no-dashboard", "--host", "127.0.0.1"], env=_env(), stdout=logs, stderr=logs)
        result = minigrad([*SEARCH, "--scheduler", address, "--timeout", "60", "-o", "search.png"], tmp_path)
        assert result.returncode == 0, result.stderr
        assert table(result.stdout) == table(local[1].stdout)  # the same numbers as on this machine
        assert (tmp_path / "search.png").exists()
    finally:
        for proc in (worker, scheduler):
            if proc is not None:
                proc.terminate()
        for proc in (worker, scheduler):
            if proc is not None:
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
        logs.close()


@pytest.mark.parametrize("args, message", [
    (["search", "moons", "-o", "s.png"], "give at least one --param"),
    (["search", "moons", "--param", "lr", "-o", "s.png"], "--param must look like NAME=V1,V2"),
    (["search", "moons", "--param", "speed=1,2", "-o", "s.png"], "unknown hyperparameter 'speed'"),
    (["search", "moons", "--param", "lr=0.1,fast", "-o", "s.png"], "--param lr=fast: not a number"),
    (["search", "moons", "--param", "lr=-1", "-o", "s.png"], "--param lr=-1: must be a positive"),
    (["search", "moons", "--param", "hidden=8x0", "-o", "s.png"], "--param hidden=8x0"),
    (["search", "moons", "--param", "optimizer=adam,nope", "-o", "s.png"], "unknown optimizer 'nope'"),
    (["search", "moons", "--param", "lr=0.1", "--param", "lr=0.2", "-o", "s.png"], "given twice"),
    (["search", "nope", "--param", "lr=0.1", "-o", "s.png"], "unknown dataset 'nope'"),
    (["search", "moons", "--param", "lr=0.1", "--cv", "1", "-o", "s.png"], "--cv must be at least 2"),
    (["search", "moons", "--param", "lr=0.1", "--jobs", "0", "-o", "s.png"], "--jobs must be"),
    (["search", "moons", "--param", "lr=0.1", "--timeout", "0", "-o", "s.png"], "--timeout must be"),
    (["search", "moons", "--param", "lr=0.1", "-o", "new/s.svg"], "use one of the suffixes .png, .html"),
    (["search", "moons", "--param", "lr=0.1", "--scheduler", "tcp://127.0.0.1:9", "-o", "new/s.png"],
     "cannot connect to the Dask scheduler at tcp://127.0.0.1:9"),
    (["search", "moons", "--param", "lr=0.1", "--scheduler", "tcp://127.0.0.1", "-o", "s.png"],
     "not an address like tcp://host:8786"),
])
def test_bad_search_command_lines_fail_with_one_line_and_write_nothing(args, message, tmp_path):
    result = minigrad(args, tmp_path)
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("minigrad: error: "), result.stderr
    assert message in lines[0]
    assert list(tmp_path.iterdir()) == []

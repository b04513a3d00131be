"""The command line's boundary, through the real console entry point in subprocesses.

Every bad command line must give exit status 2, exactly one line on stderr, no
traceback and no file or folder left behind; a bug gives one line and status 1;
Ctrl-C gives status 130 and removes what the run created; a closed stdout ends the
run quietly. These are the habits of a careful command-line tool (the GNU Coding
Standards, "Writing Robust Programs" and "Errors"; POSIX exit statuses above 128
for a process ended by a signal).
"""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ENTRY = [sys.executable, "-c", "import cli; cli.main()"]
TIMEOUT = 60


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if k != "MINIGRAD_DEBUG"}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["MPLBACKEND"] = "Agg"
    env.update(extra)
    return env


def minigrad(args, cwd, entry=ENTRY, **env):
    """Run ``minigrad ARGS`` in ``cwd``; returns the CompletedProcess (text stdout/stderr)."""
    result = subprocess.run(entry + list(args), cwd=cwd, capture_output=True, timeout=TIMEOUT, env=_env(**env))
    result.stdout = result.stdout.decode("utf-8", "backslashreplace")
    result.stderr = result.stderr.decode("utf-8", "backslashreplace")
    return result


def _make(tmp_path, setup):
    """Create the files the case needs: kind is file (empty), text, dir or fifo."""
    for name, kind in setup.items():
        path = tmp_path / name
        if kind == "dir":
            path.mkdir()
        elif kind == "fifo":
            os.mkfifo(path)
        else:
            path.write_text("not a checkpoint\n" if kind == "text" else "")


FIFO = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")

BAD = [
    # graph
    (["graph", "-o", "g.svg"], {}),
    (["graph", "a", "--model", "mlp:2,1", "-o", "g.svg"], {}),
    (["graph", "a +", "-o", "new/sub/g.svg"], {}),
    (["graph", "-o", "newdir/sub/g.svg", "--", "__import__('os')"], {}),
    (["graph", "a", "-o", "g.txt"], {}),
    (["graph", "a", "-o", "out/g"], {}),
    (["graph", "a", "-o", ""], {}),
    (["graph", "a", "-o", "g.svg", "--frames", ""], {}),
    (["diagnose", "--depth", "1", "-o", ""], {}),
    (["train", "moons", "--out", ""], {}),
    (["demo", "--out", " "], {}),
    (["graph", "a", "-o", "adir"], {"adir": "dir"}),
    (["graph", "a", "-o", "afile/g.svg"], {"afile": "file"}),
    (["graph", "-o", "g.svg", "--", "2**1e308"], {}),
    (["graph", "-o", "g.svg", "--", "10**400"], {}),
    (["graph", "a**2", "--values", "a=1e200", "-o", "g.svg"], {}),
    (["graph", "-o", "g.svg", "--", "9" * 400 + "*a"], {}),
    (["graph", "-o", "g.svg", "--", "-" * 100_000 + "a"], {}),
    (["graph", "a", "--values", "a=", "-o", "g.svg"], {}),
    (["graph", "a+b", "--values", "a=1,a=2", "-o", "g.svg"], {}),
    (["graph", "a", "--values", "a=inf", "-o", "g.svg"], {}),
    (["graph", "a", "--values", "a=nan", "-o", "g.svg"], {}),
    (["graph", "a", "--values", "b=1", "-o", "g.svg"], {}),
    (["graph", "a", "--values", "a=nope", "-o", "g.svg", "--frames", "f/sub"], {}),
    (["graph", "--model", "rnn:2,1", "-o", "m/m.svg"], {}),
    (["graph", "--model", "mlp:2", "-o", "m.svg"], {}),
    (["graph", "--model", "mlp:2,0,1", "-o", "m.svg"], {}),
    (["graph", "--model", "mlp:2,4,1", "--activation", "bogus", "-o", "m/sub/m.svg"], {}),
    (["graph", "a", "-o", "g.svg", "--rankdir", "XX"], {}),
    (["graph", "a", "-o", "g.svg", "--seed", "abc"], {}),
    (["graph", "a", "-o", "g.svg", "--bogus-option"], {}),
    (["graph", b"\xff\xfe", "-o", "g.svg"], {}),
    (["graph", "a", "-o", b"dir\xff/g.svg"], {}),
    # gradcheck
    (["gradcheck", "nope"], {}),
    (["gradcheck", "--dtype", "float16"], {}),
    # diagnose
    (["diagnose", "--depth", "0"], {}),
    (["diagnose", "--depth", "x"], {}),
    (["diagnose", "--width", "-3", "-o", "r/sub/r.html"], {}),
    (["diagnose", "--activation", "bogus", "-o", "d1/sub/r.html"], {}),
    (["diagnose", "--init", "nope", "-o", "r.html"], {}),
    (["diagnose", "-o", "r.txt"], {}),
    (["diagnose", "--width", "1000000", "--depth", "1", "-o", "big/r.html"], {}),
    (["diagnose", "--seed", "-1", "--depth", "1", "-o", "r/r.html"], {}),
    # train
    (["train"], {}),
    (["train", "moons", "--seed", "-5", "--epochs", "1", "--no-progress", "--out", "runs/s"], {}),
    (["train", "moons", "--hidden", "9" * 30, "--epochs", "1", "--out", "runs/h"], {}),
    (["train", "mnist", "--out", "runs/m"], {}),
    (["train", "moons", "--lr", "inf", "--out", "runs/x"], {}),
    (["train", "moons", "--lr", "nan", "--out", "runs/x"], {}),
    (["train", "moons", "--lr", "-1"], {}),
    (["train", "moons", "--early-stopping", "0", "--out", "runs/e"], {}),
    (["train", "moons", "--hidden", "16,x"], {}),
    (["train", "moons", "--hidden", ","], {}),
    (["train", "moons", "--dropout", "1.5", "--out", "runs/d"], {}),
    (["train", "moons", "--dropout", "nan"], {}),
    (["train", "moons", "--l2", "inf"], {}),
    (["train", "moons", "--quantize", "1"], {}),
    (["train", "moons", "--batch-size", "0"], {}),
    (["train", "moons", "--epochs", "1", "--optimizer", "bogus", "--out", "runs/o"], {}),
    (["train", "moons", "--epochs", "1", "--activation", "bogus", "--out", "runs/a"], {}),
    (["train", "moons", "--epochs", "1", "--hidden", "1000000000000", "--out", "runs/h"], {}),
    (["train", "moons", "--out", "afile"], {"afile": "file"}),
    (["train", "moons", "--out", "afile/sub"], {"afile": "file"}),
    # quantize
    (["quantize", "missing.ckpt", "--calibrate", "moons"], {}),
    (["quantize", "adir", "--calibrate", "moons"], {"adir": "dir"}),
    (["quantize", "empty.ckpt", "--calibrate", "moons"], {"empty.ckpt": "file"}),
    (["quantize", "text.ckpt", "--calibrate", "moons"], {"text.ckpt": "text"}),
    pytest.param(["quantize", "pipe.ckpt", "--calibrate", "moons"], {"pipe.ckpt": "fifo"}, marks=FIFO),
    (["quantize", "text.ckpt", "--bits", "1", "--calibrate", "moons"], {"text.ckpt": "text"}),
    (["quantize", "text.ckpt", "--calibrate", "mnist"], {"text.ckpt": "text"}),
    (["quantize", "text.ckpt"], {"text.ckpt": "text"}),
    # tutorial
    (["tutorial", "step", "0"], {}),
    (["tutorial", "run", "99"], {}),
    (["tutorial", "run", "0", "--figures", "figs/sub"], {}),
    (["tutorial", "notebook", "99", "-o", "nb/sub/x.ipynb"], {}),
    (["tutorial", "notebook", "1", "-o", "nb/x.txt"], {}),
    (["tutorial", "bogus"], {}),
    (["tutorial", "notebook", "1", "-o", "afile/x.ipynb"], {"afile": "file"}),
    # demo
    (["demo", "--out", "afile"], {"afile": "file"}),
    (["demo", "--bogus"], {}),
    (["demo", "--out", "afile/sub"], {"afile": "file"}),
    (["graph", "--model", "mlp:2,1", "-o", "m/m.svg", "--seed", "-3"], {}),
    # the group
    (["frobnicate"], {}),
    (["--debug", "frobnicate"], {}),
]


def _case_id(case):
    args = case.values[0] if hasattr(case, "values") else case[0]
    text = " ".join(a.decode("utf-8", "backslashreplace") if isinstance(a, bytes) else a for a in args)
    return text if len(text) < 60 else text[:57] + "..."


@pytest.mark.parametrize("args,setup", BAD, ids=[_case_id(c) for c in BAD])
def test_bad_command_line_is_one_line_exit_2_and_leaves_nothing(args, setup, tmp_path):
    _make(tmp_path, setup)
    result = minigrad(args, tmp_path)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert len(lines) == 1 and lines[0].startswith("minigrad: error: "), result.stderr[-2000:]
    assert "Traceback" not in result.stderr and "Warning" not in result.stderr
    assert sorted(os.listdir(tmp_path)) == sorted(setup), "the failed run left files behind"


def test_the_messages_say_what_was_wrong(tmp_path):
    cases = {
        ("train", "moons", "--lr", "inf"): "--lr must be a positive finite number, got inf",
        ("train", "moons", "--early-stopping", "0"): "--early-stopping is a patience in epochs and must be at least 1",
        ("graph", b"\xff", "-o", "g.svg"): "not valid UTF-8",
        ("train", "moons", "--out", "afile"): "is not a folder",
        ("quantize", "adir", "--calibrate", "moons"): "not a regular file",
        ("diagnose", "--width", "1000000", "--depth", "1"): "over the 2.0 GiB memory budget",
    }
    _make(tmp_path, {"afile": "file", "adir": "dir"})
    for args, message in cases.items():
        result = minigrad(args, tmp_path)
        assert message in result.stderr and result.returncode == 2, (args, result.stderr)


BUG = [sys.executable, "-c", "import cli; cli._int_list = lambda *a: {}['boom']; cli.main()"]


def test_an_internal_error_is_one_line_naming_a_bug_exit_1(tmp_path):
    result = minigrad(["train", "moons", "--out", "runs/x"], tmp_path, entry=BUG)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "bug in minigrad" in result.stderr and "KeyError" in result.stderr
    assert "Traceback" not in result.stderr and os.listdir(tmp_path) == []


@pytest.mark.parametrize("how", ["option", "environment"])
def test_debug_shows_the_traceback(how, tmp_path):
    args = ["--debug", "train", "moons"] if how == "option" else ["train", "moons"]
    env = {"MINIGRAD_DEBUG": "1"} if how == "environment" else {}
    bug = minigrad(args, tmp_path, entry=BUG, **env)
    assert bug.returncode == 1 and "Traceback" in bug.stderr and "KeyError: 'boom'" in bug.stderr
    assert bug.stderr.strip().splitlines()[-1].startswith("minigrad: error: internal error")
    prefix = ["--debug"] if how == "option" else []
    # an expected error (a model over the memory budget, refused before anything is allocated)
    # still ends in its one line and exit status 2
    bad = minigrad(prefix + ["diagnose", "--width", "1000000", "--depth", "1"], tmp_path, **env)
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines()[-1].startswith("minigrad: error: MLP [1000000, 1000000, 10]")


def test_a_dot_in_an_output_folder_name_is_not_a_suffix(tmp_path):
    result = minigrad(["train", "moons", "--epochs", "2", "--hidden", "4", "--no-progress", "--out", "runs/v1.2"],
                      tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    for name in ("model.ckpt", "learning_curves.png", "decision_boundary.png"):
        assert (tmp_path / "runs" / "v1.2" / name).is_file()


def test_an_existing_output_folder_is_kept_when_the_run_fails(tmp_path):
    (tmp_path / "keep").mkdir()
    (tmp_path / "keep" / "notes.txt").write_text("mine")
    result = minigrad(["graph", "a +", "-o", "keep/g.svg"], tmp_path)
    assert result.returncode == 2
    assert os.listdir(tmp_path / "keep") == ["notes.txt"]


def test_ctrl_c_exits_130_and_removes_the_folder_the_run_created(tmp_path):
    proc = subprocess.Popen(ENTRY + ["demo", "--quick", "--out", "gallery/new"], cwd=tmp_path, env=_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + TIMEOUT
        while not (tmp_path / "gallery" / "new").exists() and proc.poll() is None:
            assert time.monotonic() < deadline, "the demo never created its folder"
            time.sleep(0.05)
        assert proc.poll() is None, "the demo finished before it could be interrupted"
        _interrupt_and_check(proc, tmp_path)
    finally:
        proc.kill()


def _interrupt_and_check(proc, folder):
    """Ctrl-C the running command: exit 130, one line on stderr, nothing left in ``folder``."""
    proc.send_signal(signal.SIGINT)
    err = proc.communicate(timeout=TIMEOUT)[1].decode()
    assert proc.returncode == 130, err
    assert [line for line in err.splitlines() if line.strip()] == ["minigrad: error: interrupted"]
    assert os.listdir(folder) == []


@pytest.mark.parametrize("args", [["gradcheck", "--list"], ["--help"], ["train", "--help"]])
def test_a_closed_stdout_ends_the_run_quietly(args, tmp_path):
    proc = subprocess.Popen(ENTRY + args, cwd=tmp_path, env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader went away, as with `minigrad ... | head -0`
    try:
        err = proc.stderr.read()
        proc.wait(timeout=TIMEOUT)
    finally:
        proc.kill()
    assert err == b"" and proc.returncode == 141


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs the Graphviz dot program")
def test_a_label_too_long_for_graphviz_is_one_line(tmp_path):
    result = minigrad(["graph", "v" * 100_000 + " + 1", "-o", "g.svg"], tmp_path)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    if result.returncode == 0:  # a Graphviz that copes with the label: the drawing must be there
        assert (tmp_path / "g.svg").is_file() and lines == []
    else:
        assert result.returncode == 2 and len(lines) == 1 and "Traceback" not in result.stderr
        assert os.listdir(tmp_path) == []


def test_ctrl_c_during_training_exits_130_and_leaves_no_output_folder(tmp_path):
    proc = subprocess.Popen(ENTRY + ["train", "moons", "--epochs", "100000", "--no-progress", "--out", "runs/x"],
                            cwd=tmp_path, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        time.sleep(3)  # well into training: the output folder is made only when results are written
        assert proc.poll() is None
        _interrupt_and_check(proc, tmp_path)
    finally:
        proc.kill()


@pytest.mark.parametrize("error,status", [("KeyError('boom')", 1), ("OSError(28, 'No space left on device')", 2)])
def test_a_run_that_fails_while_writing_removes_what_it_wrote(error, status, tmp_path):
    entry = [sys.executable, "-c", "import cli, viz.plots as plots\n"
             f"def fail(*args, **kwargs): raise {error}\n"
             "plots.plot_learning_curves = fail\ncli.main()"]
    result = minigrad(["train", "moons", "--epochs", "2", "--hidden", "4", "--no-progress", "--out", "runs/x"],
                      tmp_path, entry=entry)
    assert result.returncode == status, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert os.listdir(tmp_path) == []  # the checkpoint was written, then removed with its new folders
    (tmp_path / "runs").mkdir()
    result = minigrad(["train", "moons", "--epochs", "2", "--hidden", "4", "--no-progress", "--out", "runs"],
                      tmp_path, entry=entry)
    assert result.returncode == status and os.listdir(tmp_path / "runs") == []  # the folder was there: kept


def test_gradcheck_failure_keeps_status_1_when_output_is_captured(monkeypatch, capsys):
    import cli
    import minigrad.course.opcheck as opcheck

    monkeypatch.setitem(opcheck.CASES, "broken", (lambda a: a * a.detach(), ((3,),), None))
    with pytest.raises(SystemExit) as info:
        cli.main(["gradcheck", "broken"])
    assert info.value.code == 1 and "FAIL" in capsys.readouterr().out


def test_a_failed_run_puts_back_the_files_it_overwrote(tmp_path):
    entry = [sys.executable, "-c", "import cli, viz.plots as plots\n"
             "def fail(*args, **kwargs): raise OSError(28, 'No space left on device')\n"
             "plots.plot_learning_curves = fail\ncli.main()"]
    runs = tmp_path / "runs"
    runs.mkdir()
    (runs / "model.ckpt").write_bytes(b"the checkpoint of an earlier run")
    result = minigrad(["train", "moons", "--epochs", "2", "--hidden", "4", "--no-progress", "--out", "runs"],
                      tmp_path, entry=entry)
    assert result.returncode == 2, result.stderr
    assert (runs / "model.ckpt").read_bytes() == b"the checkpoint of an earlier run"
    assert os.listdir(runs) == ["model.ckpt"]  # no copy left beside it


def test_a_successful_run_overwrites_and_leaves_no_copy(tmp_path):
    (tmp_path / "g.svg").write_text("old picture")
    result = minigrad(["graph", "a*b", "-o", "g.svg"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "<svg" in (tmp_path / "g.svg").read_text()
    assert os.listdir(tmp_path) == ["g.svg"]

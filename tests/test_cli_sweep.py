"""A sweep of bad values over every option and argument of every command.

Each case takes a small command line that works (``BASE``) and replaces one
parameter by a value that must be refused: not a number, NaN or infinity where a
number is expected, a negative count, a name that does not exist, an empty or
unwritable path. Whatever the parameter, the answer must be the same: exit
status 2, exactly one line on stderr that starts with ``minigrad: error:`` and
names the parameter (or the value), no traceback, and nothing left on disk.

Each case runs in its own process, forked from a server that has the command line
imported already (``tests/cli_runner.py``), so a case costs milliseconds, not the
second a fresh interpreter takes; a case that runs past 60 s is killed and fails.
``test_every_parameter_is_swept`` fails when a command gains an option that this
table does not cover.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

import cli

ROOT = Path(__file__).resolve().parent.parent

NOT_AN_INT = ["x", "1.5", "", "0x10", "1e3"]
NOT_A_FLOAT = ["x", "", "nan", "inf", "-inf", "1e999"]
NOT_A_NAME = ["", "bogus", "x" * 5000, "ünïcode", "../etc"]
UNWRITABLE = ["", " ", "/proc/minigrad-cannot-write/x", "x" * 5000]

# The smallest working command line of each command, as a dict: parameter name → its
# argument list (options with their flag; positional arguments alone), in order.
BASE = {
    ("graph",): {"expression": ["a*b"], "output": ["-o", "g.svg"]},
    ("gradcheck",): {"ops": ["add"]},
    ("diagnose",): {"depth": ["--depth", "2"], "width": ["--width", "4"]},
    ("train",): {"dataset": ["moons"], "epochs": ["--epochs", "1"], "hidden": ["--hidden", "4"],
                 "progress": ["--no-progress"], "out": ["--out", "runs"]},
    ("quantize",): {"checkpoint": ["model.ckpt"], "dataset": ["--calibrate", "moons"]},
    ("tutorial", "list"): {},
    ("tutorial", "run"): {"number": ["1"], "quick": ["--quick"], "figures": ["--figures", "figs"]},
    ("tutorial", "step"): {"number": ["1"], "figures": ["--figures", "figs"]},
    ("tutorial", "notebook"): {"number": ["1"], "output": ["-o", "lesson.ipynb"]},
    ("demo",): {"quick": ["--quick"], "out": ["--out", "gallery"]},
    ("animate",): {"kind": ["perceptron"], "output": ["-o", "a.gif"], "max_frames": ["--frames", "3"],
                   "dpi": ["--dpi", "30"], "progress": ["--no-progress"]},
    ("search",): {"dataset": ["moons"], "params": ["--param", "lr=0.01"], "cv": ["--cv", "2"],
                  "epochs": ["--epochs", "1"], "progress": ["--no-progress"]},
}

# Bad values for each parameter (flags have none: they take no value).
BAD_VALUES = {
    ("graph",): {
        "expression": ["", "a +", "__import__('os')", "a" * 20_000, "f(a)", "1/0", "a b"],
        "output": UNWRITABLE + ["g.txt", "g"],
        "values": ["a", "a=", "a=x", "a=1,a=2", "a=nan", "a=inf", "z=1", "1a=2"],
        "frames": ["", "/proc/minigrad-cannot-write/f"],
        "model": ["mlp", "mlp:", "mlp:2", "mlp:2,0,1", "rnn:2,1", "mlp:x,1", "mlp:-2,1"],
        "activation": NOT_A_NAME,
        "rankdir": ["XX", "", "lr "],
        "seed": NOT_AN_INT + ["-1"],
        "max_nodes": NOT_AN_INT + ["-1"],
    },
    ("gradcheck",): {"ops": ["nope", "", "add,mul"], "dtype": ["float16", "", "int64"]},
    ("diagnose",): {
        "depth": NOT_AN_INT + ["0", "-1"],
        "width": NOT_AN_INT + ["0", "-3", "1000000000"],
        "activation": NOT_A_NAME,
        "init_name": NOT_A_NAME,
        "std": NOT_A_FLOAT + ["0", "-1"],
        "optimizer": NOT_A_NAME,
        "lr": NOT_A_FLOAT + ["-1"],
        "output": UNWRITABLE + ["r.txt"],
        "seed": NOT_AN_INT + ["-1"],
    },
    ("train",): {
        "dataset": NOT_A_NAME + ["mnist"],
        "epochs": NOT_AN_INT + ["0", "-1"],
        "lr": NOT_A_FLOAT + ["-1", "0"],
        "optimizer": NOT_A_NAME,
        "hidden": ["", ",", "16,x", "0", "-4", "1000000000000", "4,,4"],
        "activation": NOT_A_NAME,
        "batch_size": NOT_AN_INT + ["0", "-32"],
        "dropout": NOT_A_FLOAT + ["1", "1.5", "-0.1"],
        "l2": NOT_A_FLOAT + ["-1"],
        "early_stopping": NOT_AN_INT + ["0", "-2"],
        "bits": NOT_AN_INT + ["1", "0", "17", "-8"],
        "out": UNWRITABLE,
        "seed": NOT_AN_INT + ["-5"],
    },
    ("quantize",): {
        "checkpoint": ["", "missing.ckpt", "/proc/self/mem", "notes.txt"],
        "bits": NOT_AN_INT + ["1", "17", "-8"],
        "dataset": NOT_A_NAME + ["mnist"],
    },
    ("tutorial", "run"): {"number": ["0", "99", "x", "", "-1", "1.5"], "figures": UNWRITABLE},
    ("tutorial", "step"): {"number": ["0", "99", "x", "", "-1"], "figures": UNWRITABLE},
    ("tutorial", "notebook"): {"number": ["0", "99", "x", ""], "output": UNWRITABLE + ["lesson.txt"]},
    ("demo",): {"out": ["", " ", "/proc/minigrad-cannot-write/d"], "gallery": UNWRITABLE},
    ("animate",): {
        "kind": ["bogus", ""],
        "output": UNWRITABLE + ["a.png", "a"],
        "dataset": NOT_A_NAME,
        "epochs": NOT_AN_INT + ["0", "-1"],
        "hidden": ["", ",", "16,x", "0", "-4", "4,,4"],
        "activation": NOT_A_NAME,
        "optimizer": NOT_A_NAME,
        "lr": NOT_A_FLOAT + ["-1", "0"],
        "surface": ["bogus", ""],
        "steps": NOT_AN_INT + ["0", "-1"],
        "max_frames": NOT_AN_INT + ["0", "-1"],
        "max_epochs": NOT_AN_INT + ["0", "-1"],
        "fps": NOT_A_FLOAT + ["0", "-1"],
        "dpi": NOT_AN_INT + ["0", "-1", "100000"],
        "seed": NOT_AN_INT + ["-1"],
    },
    ("search",): {
        "dataset": NOT_A_NAME + ["mnist"],
        "params": ["", "lr", "lr=", "=0.1", "lr=x", "bogus=1", "lr=nan", "hidden=0", "dropout=1.5"],
        "cv": NOT_AN_INT + ["0", "1", "-2", "100000"],
        "jobs": NOT_AN_INT + ["0"],
        "scheduler": ["", "bogus", "tcp://127.0.0.1:1"],
        "epochs": NOT_AN_INT + ["0", "-1"],
        "timeout": NOT_A_FLOAT + ["0", "-1"],
        "output": UNWRITABLE + ["r.txt"],
        "seed": NOT_AN_INT + ["-1"],
    },
}


def _commands(group=None, prefix=()):
    group = group or cli.group
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from _commands(command, prefix + (name,))
        else:
            yield prefix + (name,), command


def _value_params(command):
    return [p for p in command.params if not (isinstance(p, click.Option) and (p.is_flag or p.count))]


def _flag(param):
    return max(param.opts, key=len) if isinstance(param, click.Option) else None


def _cases():
    for path, command in _commands():
        for param in _value_params(command):
            for value in BAD_VALUES.get(path, {}).get(param.name, []):
                base = dict(BASE[path])
                flag = _flag(param)
                base[param.name] = [flag, value] if flag else [value]
                args = list(path)
                positional = [a for p in command.params if p.name in base and not isinstance(p, click.Option)
                              for a in base[p.name]]
                options = [a for p in command.params if p.name in base and isinstance(p, click.Option)
                           for a in base[p.name]]
                # "--" keeps a positional value that starts with "-" from being read as an option.
                args += options + ["--"] + positional if positional else options
                shown = value if len(value) < 30 else value[:27] + "..."
                yield pytest.param(args, param, id=f"{' '.join(path)} {flag or param.name}={shown!r}")


CASES = list(_cases())


def test_every_parameter_is_swept():
    missing = []
    for path, command in _commands():
        if path not in BASE:
            missing.append(" ".join(path) + " (no working command line in BASE)")
            continue
        for param in _value_params(command):
            if not BAD_VALUES.get(path, {}).get(param.name):
                missing.append(f"{' '.join(path)} {_flag(param) or param.name}")
    assert not missing, "parameters without bad values in the sweep: " + ", ".join(missing)
    assert len(CASES) >= 200


@pytest.fixture(scope="module")
def runner():
    """The fork server of tests/cli_runner.py; ``runner(args, cwd)`` → its answer."""
    env = {k: v for k, v in os.environ.items() if k != "MINIGRAD_DEBUG"}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["MPLBACKEND"] = "Agg"
    server = subprocess.Popen([sys.executable, str(ROOT / "tests" / "cli_runner.py")], cwd=ROOT, env=env,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert json.loads(server.stdout.readline()) == {"ready": True}

    def run(args, cwd, timeout=60):
        server.stdin.write(json.dumps({"args": list(args), "cwd": str(cwd), "timeout": timeout}) + "\n")
        server.stdin.flush()
        return json.loads(server.stdout.readline())

    yield run
    server.stdin.close()
    server.wait(timeout=30)


@pytest.fixture(scope="module")
def checkpoint(runner, tmp_path_factory):
    folder = tmp_path_factory.mktemp("ckpt")
    result = runner(["train", "moons", "--epochs", "1", "--hidden", "4", "--no-progress", "--out", "run"], folder)
    assert result["status"] == 0, result["stderr"]
    return (folder / "run" / "model.ckpt").read_bytes()


@pytest.mark.parametrize("args,param", CASES)
def test_a_bad_value_is_refused_in_one_line(args, param, runner, checkpoint, tmp_path):
    (tmp_path / "model.ckpt").write_bytes(checkpoint)
    (tmp_path / "notes.txt").write_text("not a checkpoint\n")
    before = sorted(os.listdir(tmp_path))
    result = runner(args, tmp_path)
    err = result["stderr"]
    lines = [line for line in err.splitlines() if line.strip()]
    assert result["status"] == 2, (result["status"], err[-1500:])
    assert len(lines) == 1 and lines[0].startswith("minigrad: error: "), err[-1500:]
    assert "Traceback" not in err
    assert sorted(os.listdir(tmp_path)) == before, "the refused run left files behind"

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import minigrad
from cli import group, main

ROOT = Path(__file__).resolve().parent.parent


def test_help_and_version():
    runner = CliRunner()
    result = runner.invoke(group, ["--help"])
    assert result.exit_code == 0 and "demo" in result.output and "Example" in result.output
    result = runner.invoke(group, ["--version"])
    assert result.exit_code == 0 and minigrad.__version__ in result.output


def test_demo_prints_a_checked_forward_and_backward_pass():
    result = CliRunner().invoke(group, ["demo"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "o = tanh(x1*w1 + x2*w2 + b)" in out
    assert "0.7071" in out  # tanh(n) of the worked neuron
    assert "W1" in out and "NO" not in out.split("agree", 1)[1]
    assert "numerical differentiation (central differences, float64): pass" in out


def test_unknown_command_exits_2_with_one_clear_message(capsys):
    with pytest.raises(SystemExit) as info:
        main(["frobnicate"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "No such command 'frobnicate'" in err
    assert "Traceback" not in err


def test_console_script_entry_point_runs():
    result = subprocess.run(
        [sys.executable, "-c", "import cli; cli.main(['--version'])"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0 and minigrad.__version__ in result.stdout

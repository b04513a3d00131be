"""The command line: every command's help, real runs on small settings, and clean errors."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import minigrad
from cli import group, main

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = ["graph", "gradcheck", "diagnose", "train", "quantize", "tutorial", "demo", "search", "animate"]


def run(args):
    return CliRunner().invoke(group, args, catch_exceptions=False)


def run_main(args, capsys):
    """Run through main() as the console script does; returns (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as info:
        main(args)
    out = capsys.readouterr()
    return info.value.code, out.out, out.err


def test_help_lists_every_command_and_each_has_an_example():
    result = run(["--help"])
    assert result.exit_code == 0
    for command in COMMANDS:
        assert command in result.output
        sub = run([command, "--help"])
        assert sub.exit_code == 0 and "Example" in sub.output, command
    assert minigrad.__version__ in run(["--version"]).output


def test_graph_of_an_expression(tmp_path):
    out = tmp_path / "g.dot"
    result = run(["graph", "tanh(x1*w1 + x2*w2 + b)", "--values", "x1=2,x2=0,w1=-3,w2=1,b=6.8813735870195432",
                  "-o", str(out)])
    assert result.exit_code == 0
    assert "= 0.707107" in result.output and "d/dx1 = -1.5" in result.output
    dot = out.read_text()
    assert "tanh" in dot and "x1" in dot and "grad -1.5</TD>" in dot


def test_graph_random_values_are_printed_and_frames_written(tmp_path):
    result = run(["graph", "a*b + c", "-o", str(tmp_path / "g.dot"), "--seed", "1",
                  "--frames", str(tmp_path / "steps.html")])
    assert result.exit_code == 0 and "with a=" in result.output
    if (tmp_path / "steps.html").exists():
        assert 'type="range"' in (tmp_path / "steps.html").read_text()


def test_graph_of_a_model_is_clustered_by_layer(tmp_path):
    out = tmp_path / "mlp.dot"
    assert run(["graph", "--model", "mlp:2,4,1", "--activation", "tanh", "-o", str(out)]).exit_code == 0
    dot = out.read_text()
    assert "cluster" in dot and "0.weight" in dot and "linear" in dot
    assert 'label="Linear(2→4)"' in dot and 'label="Linear(4→1)"' in dot and "label=Tanh " in dot


def readme_graph_command():
    """The README's `minigrad graph ...` example, as arguments."""
    import re
    import shlex

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (command,) = {m for m in re.findall(r"`minigrad (graph \"tanh\(a\*b \+ c\)\"[^`\[]*)", readme)}
    return shlex.split(command)


@pytest.mark.skipif(shutil.which("dot") is None, reason="the Graphviz program 'dot' is not installed")
def test_the_readme_graph_example_names_every_box_and_keeps_significant_digits(tmp_path):
    import random

    from minigrad.course.expression import parse_expression
    from viz.graph.labels import format_number

    args = readme_graph_command()
    assert args[:2] == ["graph", "tanh(a*b + c)"] and "--values" in args
    out = tmp_path / "g.svg"
    args[args.index("-o") + 1] = str(out)
    result = run(args)
    assert result.exit_code == 0, result.output
    assert "c drawn at random with --seed 0" in result.output
    root, v = parse_expression("tanh(a*b + c)", {"a": 2.0, "b": -3.0}, random.Random(0))
    root.backward()
    assert 1e-5 < abs(v["c"].grad) < 1e-2  # small: fixed decimals would print it as 0.0000 or 0.0004
    svg = out.read_text(encoding="utf-8")
    assert f"grad {format_number(v['c'].grad)}<" in svg and "0.0000" not in svg
    for name in ("a", "b", "c", "a*b", "a*b + c", "tanh(a*b + c)"):
        assert f">{name}</text>" in svg
    import re

    assert not re.search(r">n\d+</text>", svg)  # no made-up ids


def test_graph_is_the_same_on_every_run_unless_the_seed_changes(tmp_path):
    outs = [tmp_path / f"g{k}.dot" for k in range(3)]
    first = run(["graph", "x*y - z", "-o", str(outs[0])])
    again = run(["graph", "x*y - z", "-o", str(outs[1])])
    other = run(["graph", "x*y - z", "-o", str(outs[2]), "--seed", "7"])
    assert first.output.replace("g0.dot", "g1.dot") == again.output and outs[0].read_text() == outs[1].read_text()
    assert "x, y, z drawn at random with --seed 0" in first.output and "--seed 7" in other.output
    assert outs[2].read_text() != outs[0].read_text()
    src = outs[0].read_text()
    assert "headlabel=lhs" in src and "headlabel=rhs" in src  # the operands of - told apart
    assert "loss / output" in src
    assert run(["graph", "x*y - z", "-o", str(outs[0]), "--no-legend"]).exit_code == 0
    assert "loss / output" not in outs[0].read_text() and "label=<" not in outs[0].read_text().split("\n")[1]


@pytest.mark.skipif(shutil.which("dot") is None, reason="the Graphviz program 'dot' is not installed")
def test_a_variable_used_a_thousand_times_is_folded_and_drawn_in_seconds(tmp_path, capsys):
    out = tmp_path / "sum.svg"
    expression = "+".join(["a"] * 1000)
    result = subprocess.run([sys.executable, "cli.py", "graph", expression, "-o", str(out)], cwd=ROOT,
                            capture_output=True, text=True, timeout=20)
    assert result.returncode == 0, result.stderr
    assert "repeated structure folded: 1999 → 6 nodes (max_nodes=300)" in result.stdout
    assert "×997" in out.read_text(encoding="utf-8")
    code, _, err = run_main(["graph", expression, "-o", str(tmp_path / "big.svg"), "--max-nodes", "0"], capsys)
    assert code == 2 and "--max-nodes 300" in err and not (tmp_path / "big.svg").exists()


def test_gradcheck_passes_and_exit_status_1_on_failure(monkeypatch):
    result = run(["gradcheck", "tanh", "matmul"])
    assert result.exit_code == 0 and "2 passed, 0 failed" in result.output
    import minigrad.course.opcheck as opcheck

    monkeypatch.setitem(opcheck.CASES, "broken", (lambda a: a * a.detach(), ((3,),), None))
    result = run(["gradcheck", "broken"])
    assert result.exit_code == 1 and "FAIL" in result.output


def test_diagnose_finds_vanishing_gradients(tmp_path):
    out = tmp_path / "report.html"
    result = run(["diagnose", "--depth", "12", "--width", "32", "--activation", "sigmoid", "--init", "small_normal",
                  "-o", str(out)])
    assert result.exit_code == 0 and "vanishing" in result.output
    assert out.exists() and "<img" in out.read_text() or "<svg" in out.read_text()
    page = out.read_text()
    assert page.count("data:image/png;base64,") == 1 and "<h2>Figures</h2>" not in page  # the plot, once
    healthy = run(["diagnose", "--depth", "2", "--activation", "relu", "--init", "he_normal"])
    assert "No problems found" in healthy.output


def test_train_then_quantize_the_checkpoint(tmp_path):
    out = tmp_path / "run"
    result = run(["train", "moons", "--epochs", "20", "--hidden", "16", "--out", str(out), "--no-progress",
                  "--quantize", "8"])
    assert result.exit_code == 0, result.output
    assert "test  loss" in result.output and "Post-training quantization: 8-bit" in result.output
    for name in ("model.ckpt", "learning_curves.png", "decision_boundary.png"):
        assert (out / name).exists()
    result = run(["quantize", str(out / "model.ckpt"), "--bits", "4", "--calibrate", "moons"])
    assert result.exit_code == 0 and "4-bit integer (PTQ)" in result.output


@pytest.mark.parametrize("args,message", [
    (["train", "mnist"], "unknown dataset 'mnist'"),
    (["train", "moons", "--hidden", "16,x"], "--hidden must be integers"),
    (["train", "moons", "--epochs", "0"], "--epochs must be at least 1"),
    (["diagnose", "--depth", "-1"], "--depth must be at least 1"),
    (["diagnose", "--activation", "swoosh"], "swoosh"),
    (["diagnose", "--init", "normal_0.01"], "unknown initializer 'normal_0.01'; valid names: constant, "),
    (["graph", "a +", "-o", "x.dot"], "malformed expression"),
    (["graph", "__import__('os')", "-o", "x.dot"], "unknown function"),
    (["graph", "-o", "x.dot"], "either an EXPRESSION or --model"),
    (["graph", "a", "-o", "x.txt"], "suffixes"),
    (["graph", "a", "-o", "/proc/nowhere/x.svg"], "cannot write"),
    (["quantize", "missing.ckpt", "--calibrate", "moons"], "missing.ckpt"),
    (["quantize", "cli.py", "--calibrate", "moons"], "cli.py"),
    (["gradcheck", "nope"], "unknown op 'nope'"),
    (["tutorial", "run", "99"], "no lesson '99'"),
    (["frobnicate"], "No such command"),
    (["diagnose", "--init", "he_normal", "--std", "0.5"], "--std sets the spread of --init normal"),
    (["diagnose", "--init", "normal", "--std", "-1"], "--std must be a positive finite number"),
    (["diagnose", "--optimizer", "bogus"], "unknown optimizer 'bogus'"),
    (["animate", "bogus", "-o", "x.gif"], "'bogus' is not one of"),
    (["animate", "training", "-o", "x.png"], "use one of the suffixes .gif, .html, .mp4"),
    (["animate", "training", "--dataset", "digits", "-o", "x.gif"], "--dataset must be a 2-D dataset"),
    (["animate", "optimizers", "--steps", "0", "-o", "x.gif"], "--steps must be at least 1"),
    (["animate", "training", "--lr", "nan", "-o", "x.gif"], "--lr must be a positive finite number"),
    (["animate", "training", "--optimizer", "bogus", "-o", "x.gif"], "unknown optimizer 'bogus'"),
    (["animate", "training"], "Missing option '-o'"),
])
def test_bad_input_is_one_line_on_stderr_with_exit_2(args, message, capsys):
    code, out, err = run_main(args, capsys)
    assert code == 2
    assert message in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_console_script_entry_point_runs():
    result = subprocess.run(
        [sys.executable, "-c", "import cli; cli.main(['--version'])"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0 and minigrad.__version__ in result.stdout


def test_demo_writes_a_gallery(tmp_path):
    result = run(["demo", "--out", str(tmp_path / "demo"), "--quick"])
    assert result.exit_code == 0, result.output
    index = tmp_path / "demo" / "index.html"
    assert f"wrote {index}" in result.output
    page = index.read_text()
    for picture in ("learning_curves.png", "decision_boundary.png", "grad_flow.png", "diagnosis_bad.png",
                    "diagnosis_good.png", "confusion.png", "quantization.png"):
        assert picture in page and (tmp_path / "demo" / picture).exists()
    assert "vanishing" in page and "8-bit" in page
    for animation in ("perceptron.gif", "training.gif", "optimizers.gif", "grad_flow.gif"):
        assert animation in page and (tmp_path / "demo" / animation).stat().st_size > 0
    assert "<pre>Badly" not in page and "<ul class='findings'>" in page  # advice wrapped, not one long line
    table = page[page.index("<table class='data'>"):]
    table = table[:table.index("</table>")]
    rows = table.split("<tr>")[2:]  # after the header row
    assert [row.split("<td>")[1].split("<")[0] for row in rows] == [
        "float32", "8-bit PTQ (integer)", "4-bit PTQ (integer)", "2-bit PTQ (integer)", "1.58-bit ternary (BitNet b1.58)"]
    assert all(row.count("<td>") == 5 and "%" in row.split("<td>")[2] for row in rows)  # every row complete
    assert "Chance level" in rows[3] and "quantization-aware training" in rows[4]
    assert "<a href='neuron.svg'><img src='neuron.svg'" in page  # the graph thumbnail opens full size


def test_diagnose_a_normal_init_with_its_std_and_the_update_ratio():
    result = run(["diagnose", "--depth", "3", "--width", "16", "--activation", "relu", "--init", "normal",
                  "--std", "0.05", "--optimizer", "adam", "--lr", "0.001"])
    assert result.exit_code == 0, result.output
    assert "init N(0, 0.05²)" in result.output and "update:data" in result.output
    assert "chance level ln 10 = 2.303" in result.output


def test_diagnose_calls_huge_gradients_exploding_not_vanishing():
    result = run(["diagnose", "--depth", "12", "--activation", "relu", "--init", "ones"])
    assert result.exit_code == 0
    assert "[exploding] layer 0" in result.output and "[vanishing]" not in result.output
    assert "[symmetry] layer 0" in result.output and "[dead_relu]" not in result.output


def test_animate_each_kind_end_to_end(tmp_path):
    from PIL import Image

    cases = [
        (["perceptron", "--max-epochs", "2"], "perceptron.gif"),
        (["optimizers", "--steps", "3", "--function", "rosenbrock"], "race.html"),
        (["training", "--epochs", "2", "--frames", "2", "--hidden", "4"], "training.gif"),
        (["grad-flow", "--epochs", "1", "--frames", "2", "--hidden", "4,4"], "flow.gif"),
    ]
    for args, name in cases:
        out = tmp_path / "sub" / name
        result = run(["animate", *args, "-o", str(out), "--dpi", "20"])
        assert result.exit_code == 0, result.output
        assert f"wrote {out}" in result.output
        if name.endswith(".gif"):
            with Image.open(out) as image:
                assert image.n_frames > 1
        else:
            assert out.read_text().count("data:image/png;base64") == 4  # the start + 3 steps
    assert "perceptron on blobs:" in run(["animate", "perceptron", "-o", str(tmp_path / "p.gif"),
                                          "--dpi", "20"]).output
    assert sorted(p.name for p in (tmp_path / "sub").iterdir()) == ["flow.gif", "perceptron.gif", "race.html",
                                                                   "training.gif"]


def test_animate_mp4_without_ffmpeg_names_ffmpeg_and_writes_nothing(tmp_path, monkeypatch, capsys):
    from matplotlib import animation as mpl_animation

    monkeypatch.setattr(mpl_animation.writers, "is_available", lambda name: False)
    code, _, err = run_main(["animate", "perceptron", "-o", str(tmp_path / "new" / "p.mp4")], capsys)
    assert code == 2 and "ffmpeg" in err and len(err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_demo_gallery_copies_the_readme_pictures(tmp_path):
    from viz.demo import GALLERY, copy_gallery

    demo = tmp_path / "demo"
    demo.mkdir()
    for name in GALLERY[:-1]:
        (demo / name).write_bytes(b"x")
    (demo / "index.html").write_text("page")
    assert copy_gallery(demo, tmp_path / "docs" / "gallery") == list(GALLERY[:-1])
    assert sorted(p.name for p in (tmp_path / "docs" / "gallery").iterdir()) == sorted(GALLERY[:-1])


def test_the_animate_progress_bar_draws_only_when_enabled(capsys):
    from cli import _Bar

    _Bar("rendering", enabled=False)(1, 2)
    assert capsys.readouterr().out == ""
    bar = _Bar("rendering", enabled=True, width=10)
    bar(1, 2)
    bar(2, 2)
    out = capsys.readouterr().out
    assert out == "\rrendering  [====>.....] 1/2\rrendering  [==========] 2/2\n"

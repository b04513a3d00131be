"""The ``minigrad`` command line: parse, call the library, print or save.

Every command has ``--help`` with an example. Each command checks all of its input
before it creates any file or folder. Bad input prints one line on stderr and exits
with status 2 (never a traceback); a bug in minigrad prints one line naming the
exception and exits 1 (the traceback with ``--debug`` or ``MINIGRAD_DEBUG=1``);
Ctrl-C exits 130; a failed or interrupted run removes what it created.
``gradcheck`` exits 1 when an op fails.
"""

from __future__ import annotations

import math
import os
import random
import select
import shutil
import sys
import tempfile
import traceback
import warnings
from pathlib import Path

import click

import minigrad
from minigrad._bar import bar as _bar_text

EXIT_USAGE = 2


class UsageError(click.ClickException):
    """One clear line on stderr, exit status 2."""

    exit_code = EXIT_USAGE

    def show(self, file=None):
        click.echo(f"minigrad: error: {self.format_message()}", err=True)


def _fail(message):
    raise UsageError(message)


# --------------------------------------------------------------------------- outputs
# Every command first checks all of its input (``_output_path`` only looks, it creates
# nothing), then makes its outputs with ``_make_output``, which records what it made
# and keeps a copy of each file it is about to overwrite; ``main`` removes the new
# paths and puts the old files back when the run fails or is interrupted.

_created: list[Path] = []
_backups: list[tuple[Path, Path]] = []  # (an output file that existed, its copy from before the run)


def _output_path(path, suffixes=None, folder=False):
    """Check that ``path`` (a file, or a folder with ``folder=True``) could be written; creates nothing.

    A dot in a folder name is not a suffix: ``--out runs/v1.2`` is the folder ``v1.2``.
    """
    if not str(path).strip():
        _fail("the output path is empty; give a file or folder name")
    path = Path(path)
    if suffixes and path.suffix.lower() not in suffixes:
        _fail(f"cannot write {path}: use one of the suffixes {', '.join(suffixes)}")
    if folder and path.exists() and not path.is_dir():
        _fail(f"cannot write to {path}: it exists and is not a folder")
    if not folder and path.is_dir():
        _fail(f"cannot write {path}: it is a folder; give a file name")
    existing = path if folder else path.parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        _fail(f"cannot write to {path}: {existing} is not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        _fail(f"cannot write to {existing}: permission denied")
    try:  # a real probe: permissions do not tell everything (root, read-only or virtual file systems)
        os.rmdir(tempfile.mkdtemp(prefix=".minigrad-probe-", dir=existing))
    except OSError as exc:
        _fail(f"cannot write to {existing}: {exc.strerror or exc}")
    return path


def _make_output(path, folder=False):
    """Create the folders ``path`` needs (``path`` itself with ``folder=True``), recording what is new."""
    path = Path(path)
    target = path if folder else path.parent
    first_new = None
    probe = target
    while not probe.exists() and probe != probe.parent:
        first_new, probe = probe, probe.parent
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _fail(f"cannot write to {target}: {exc.strerror or exc}")
    if first_new is not None:
        _created.append(first_new)
    elif not folder and not path.exists():
        _created.append(path)
    elif not folder and path.is_file() and all(path != kept for kept, _ in _backups):
        _backups.append((path, _backup(path)))
    return path


def _backup(path):
    """A copy of ``path`` beside it (same file system, so putting it back is one rename)."""
    fd, copy = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".backup", dir=path.parent)
    os.close(fd)
    try:
        shutil.copy2(path, copy)
    except OSError as exc:
        Path(copy).unlink(missing_ok=True)
        _fail(f"cannot keep a copy of {path} before overwriting it: {exc.strerror or exc}")
    return Path(copy)


def _finish_backups(restore):
    """Put the files overwritten by a failed run back (``restore``), or drop the copies."""
    while _backups:
        path, copy = _backups.pop()
        try:
            if restore:
                os.replace(copy, path)
            else:
                copy.unlink(missing_ok=True)
        except OSError:
            pass  # best effort, as for _remove_created


def _will_create(path):
    """Record that the run may create the folder ``path`` later (e.g. a lesson's figures), for cleanup."""
    first_new = None
    probe = Path(path)
    while not probe.exists() and probe != probe.parent:
        first_new, probe = probe, probe.parent
    if first_new is not None:
        _created.append(first_new)
    return Path(path)


def _remove_created():
    """Remove what this run created (newest first); used when the run fails or is interrupted."""
    while _created:
        path = _created.pop()
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        except OSError:
            pass  # best effort: the error already reported is the one that matters


def _int_list(text, what):
    try:
        values = [int(v) for v in text.split(",")] if text.strip() else []
    except ValueError:
        _fail(f"{what} must be integers separated by commas, e.g. 64,64; got {text!r}")
    if not values or any(v < 1 for v in values):
        _fail(f"{what} must be positive integers, got {text!r}")
    return values


def _at_least_one(name, value):
    """An integer option that counts something (epochs, layers, a batch): 1 or more."""
    if value < 1:
        _fail(f"{name} must be at least 1, got {value}")


def _positive_finite(name, value):
    """A float option that scales something (learning rate, init spread): finite and > 0."""
    if not (math.isfinite(value) and value > 0):
        _fail(f"{name} must be a positive finite number, got {value}")


def _known_dataset(dataset):
    """A bundled dataset's name (train, search and quantize take the same ones)."""
    from minigrad.train.recipe import DATASETS

    if dataset not in DATASETS:
        _fail(f"unknown dataset {dataset!r}; choose one of: {', '.join(DATASETS)}")


class _PipeClosed(Exception):
    """A BrokenPipeError carried past click, which would otherwise exit 1 without a word."""


class _Group(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except BrokenPipeError as exc:
            raise _PipeClosed(exc) from exc


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(minigrad.__version__, prog_name="minigrad")
@click.option("--debug", is_flag=True, help="Show the full traceback of an error (or set MINIGRAD_DEBUG=1).")
def group(debug):
    """minigrad: an educational autograd engine with a visualizer.

    \b
    Examples:
      minigrad demo --out demo/
      minigrad graph "tanh(a*b + c)" --values a=2,b=-3 -o graph.svg
      minigrad tutorial list
    """


# --------------------------------------------------------------------------- graph

@group.command()
@click.argument("expression", required=False)
@click.option("-o", "--output", required=True, help="Output file: .svg .png .pdf or .dot")
@click.option("--values", default="", help="Variable values, e.g. a=2,b=-3 (others get random values).")
@click.option("--backward/--no-backward", default=True, show_default=True, help="Backpropagate and show gradients.")
@click.option("--frames", default=None, help="Also write a backprop step-through: a folder or a page.html.")
@click.option("--model", default=None, help="Draw a model instead, e.g. mlp:2,16,16,1")
@click.option("--activation", default="relu", show_default=True, help="Hidden activation for --model.")
@click.option("--rankdir", type=click.Choice(["LR", "TB", "RL", "BT"]), default="LR", show_default=True)
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Seed for the random values of variables not given in --values (reruns draw the same picture).")
@click.option("--max-nodes", type=click.IntRange(min=0), default=300, show_default=True,
              help="Fold repeated structure into 'xN' boxes when the drawing has more nodes (0: never fold).")
@click.option("--legend/--no-legend", default=True, show_default=True, help="Explain the colours in a legend.")
def graph(expression, output, values, backward, frames, model, activation, rankdir, seed, max_nodes, legend):
    """Draw the computation graph of a scalar EXPRESSION or of a model.

    \b
    Examples:
      minigrad graph "tanh(x1*w1 + x2*w2 + b)" --values x1=2,x2=0,w1=-3,w2=1,b=6.88 -o neuron.svg
      minigrad graph "a*b + c" -o g.svg --frames steps.html
      minigrad graph --model mlp:2,16,16,1 --activation tanh -o mlp.svg

    Boxes are named after the expression's text ("a*b", "tanh(a*b + c)").
    """
    from minigrad.course.expression import ExpressionError, parse_expression, parse_values
    from viz.graph import SUPPORTED_SUFFIXES, draw_graph, save

    if bool(expression) == bool(model):
        _fail("give either an EXPRESSION or --model (e.g. --model mlp:2,16,16,1)")
    if not model and click.get_current_context().get_parameter_source("activation").name == "COMMANDLINE":
        _fail("--activation applies to --model graphs only (an EXPRESSION names its own functions)")
    output = _output_path(output, SUPPORTED_SUFFIXES)
    frames_folder = frames is not None and Path(frames).suffix.lower() != ".html"  # save_frames' own rule
    if frames is not None:
        _output_path(frames, folder=frames_folder)
    if model:
        root = _model_graph(model, activation, backward, seed)
    else:
        try:
            given = parse_values(values)
            root, variables = parse_expression(expression, dict(given), random.Random(seed), name_nodes=True)
        except ExpressionError as exc:
            _fail(str(exc))
        shown = ", ".join(f"{k}={v.data:g}" for k, v in variables.items())
        echoed = expression if len(expression) <= 80 else expression[:79] + "…"
        click.echo(f"{echoed} = {root.data:.6g}" + (f"  with {shown}" if shown else ""))
        drawn = [k for k in variables if k not in given]
        if drawn:
            click.echo(f"  {', '.join(drawn)} drawn at random with --seed {seed} "
                       "(choose them with --values, or another --seed)")
        if backward and frames is None:
            root.backward()
            for name, v in variables.items():
                click.echo(f"  d/d{name} = {v.grad:.6g}")
    frame_root = root
    if frames is not None:
        from viz.frames import backprop_frames, save_frames
        from viz.stepping import step_through

        _make_output(frames, folder=frames_folder)
        if frames_folder:
            written = save_frames(backprop_frames(frame_root, rankdir=rankdir), frames)
        else:
            written = step_through(frame_root, rankdir=rankdir).save(frames)
        click.echo(f"wrote the backprop step-through to {written if isinstance(written, (str, Path)) else frames}")
        if backward and not model:
            root.backward()
    dot = draw_graph(root, rankdir=rankdir, max_nodes=max_nodes or None, legend=legend)
    if dot.caption:
        click.echo(dot.caption)
    save(dot, _make_output(output))
    click.echo(f"wrote {output}")


def _model_graph(spec, activation, backward, seed):
    """The loss tensor of one forward (and backward) pass of ``mlp:SIZES`` on random data."""
    import numpy as np

    from minigrad import nn
    from minigrad.nn import losses

    kind, _, sizes = spec.partition(":")
    if kind != "mlp" or not sizes:
        _fail(f"--model must look like mlp:2,16,16,1, got {spec!r}")
    sizes = _int_list(sizes, "--model sizes")
    if len(sizes) < 2:
        _fail("--model needs at least an input and an output size, e.g. mlp:2,1")
    minigrad.manual_seed(seed or 0)
    try:
        net = nn.MLP(sizes, activation=activation)
    except ValueError as exc:
        _fail(str(exc))
    for name, p in net.named_parameters():
        p.label = name  # "0.weight", "2.bias", ... in the drawing
    rng = np.random.default_rng(seed or 0)
    x = minigrad.tensor(rng.normal(size=(8, sizes[0])))
    x.label = "x"
    y = minigrad.tensor(rng.normal(size=(8, sizes[-1])))
    y.label = "y"
    loss = losses.mse(net(x), y)
    loss.label = "loss"
    if backward:
        loss.backward(retain_graph=True)
    return loss


# --------------------------------------------------------------------------- gradcheck

@group.command()
@click.argument("ops", nargs=-1)
@click.option("--dtype", type=click.Choice(["float64", "float32"]), default="float64", show_default=True)
@click.option("--list", "list_ops", is_flag=True, help="List the ops that can be checked.")
def gradcheck(ops, dtype, list_ops):
    """Check the gradients of every op (or the named OPS) against numerical differentiation.

    Exit status 1 when any op fails.

    \b
    Examples:
      minigrad gradcheck
      minigrad gradcheck tanh softmax matmul
      minigrad gradcheck --dtype float32      # see why float64 is needed
    """
    from minigrad.course.opcheck import CASES, check_ops, format_results

    if list_ops:
        click.echo(" ".join(CASES))
        return
    try:
        results = check_ops(ops or None, dtype=dtype)
    except ValueError as exc:
        _fail(str(exc))
    click.echo(format_results(results))
    if not all(r.passed for r in results):
        sys.exit(1)


# --------------------------------------------------------------------------- diagnose

@group.command()
@click.option("--depth", type=int, default=10, show_default=True, help="Number of hidden layers.")
@click.option("--width", type=int, default=64, show_default=True, help="Units per hidden layer.")
@click.option("--activation", default="tanh", show_default=True)
@click.option("--init", "init_name", default="small_normal", show_default=True,
              help="Initializer, a name from minigrad.nn.init: small_normal (N(0, 0.01²), the classic "
                   "badly scaled one), normal (N(0, 1)), he_normal, glorot_normal, lecun_normal, zeros, ...")
@click.option("--std", type=float, default=None,
              help="Standard deviation of --init normal, e.g. --init normal --std 0.5 (default 1).")
@click.option("--batchnorm", is_flag=True, help="Insert BatchNorm1d before each activation.")
@click.option("--optimizer", default="sgd", show_default=True,
              help="Optimizer whose first step gives the update:data ratio (sgd, adam, ...).")
@click.option("--lr", type=float, default=0.01, show_default=True, help="Learning rate of that step.")
@click.option("-o", "--output", default=None, help="Also write an HTML report with plots.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
def diagnose(depth, width, activation, init_name, std, batchnorm, optimizer, lr, output, seed):
    """Build a deep network on random data and diagnose its gradients and activations.

    \b
    Examples:
      minigrad diagnose --depth 12 --activation sigmoid --init small_normal
      minigrad diagnose --depth 12 --activation relu --init he_normal --batchnorm -o report.html
      minigrad diagnose --depth 8 --activation relu --init normal --std 0.5
    """
    import numpy as np

    from minigrad import nn
    from minigrad.nn import init as initializers

    _at_least_one("--depth", depth)
    _at_least_one("--width", width)
    if std is not None:
        if init_name != "normal":
            _fail(f"--std sets the spread of --init normal; it does not apply to --init {init_name}")
        _positive_finite("--std", std)
    _positive_finite("--lr", lr)
    if output is not None:
        output = _output_path(output, (".html",))
    try:
        initializers.get(init_name)  # an unknown name fails here, with the list of valid ones
        from minigrad import optim

        optim.get(optimizer, [minigrad.nn.Parameter(np.zeros(1))], lr=lr)  # an unknown name fails here
        minigrad.manual_seed(seed)
        weight_init = init_name
        if std is not None:
            weight_init = lambda shape, dtype="float32": initializers.normal(shape, std=std, dtype=dtype)  # noqa: E731
            weight_init.__name__ = f"normal(std={std:g})"
        model = nn.MLP([width] * (depth + 1) + [10], activation=activation, weight_init=weight_init,
                       batchnorm=batchnorm)
    except ValueError as exc:
        _fail(str(exc))
    from viz.diagnosis import diagnose as run_diagnosis

    rng = np.random.default_rng(seed)
    x = rng.normal(size=(256, width))
    y = rng.integers(0, 10, 256)
    from minigrad.nn import losses

    result = run_diagnosis(model, x, y, losses.cross_entropy, optimizer=optimizer, lr=lr)
    init_text = init_name if std is None else f"N(0, {std:g}²)"
    click.echo(f"{depth} hidden layers of {width} {activation} units, init {init_text}"
               + (", BatchNorm" if batchnorm else ""))
    click.echo(str(result))
    if output is not None:
        from viz.html_report import report

        # diagnosis= brings the table, the findings and the plot (once)
        report(_make_output(output), title=f"Diagnosis: depth {depth}, {activation}, {init_text}", diagnosis=result)
        click.echo(f"wrote {output}")


# --------------------------------------------------------------------------- train

@group.command()
@click.argument("dataset")
@click.option("--epochs", type=int, default=100, show_default=True)
@click.option("--lr", type=float, default=0.01, show_default=True, help="Learning rate.")
@click.option("--optimizer", default="adam", show_default=True, help="sgd, adam, adamw, rmsprop, adagrad, ...")
@click.option("--hidden", default="32,32", show_default=True, help="Hidden layer sizes.")
@click.option("--activation", default="relu", show_default=True)
@click.option("--batch-size", type=int, default=32, show_default=True)
@click.option("--dropout", type=float, default=0.0, show_default=True)
@click.option("--l2", type=float, default=0.0, show_default=True, help="L2 penalty on the weights.")
@click.option("--batchnorm", is_flag=True)
@click.option("--early-stopping", type=int, default=None,
              help="Patience in epochs, at least 1 (stops on val_loss); leave out to train all epochs.")
@click.option("--quantize", "bits", type=int, default=None, help="Also quantize the trained model (PTQ) to BITS.")
@click.option("--out", default=None, help="Folder for learning curves, decision boundary and checkpoint.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--progress/--no-progress", default=True, show_default=True)
@click.option("--distributed", is_flag=True,
              help="Data-parallel over the processes of an MPI job (launch with mpiexec -n N); "
                   "--batch-size is the global batch, split among them.")
def train(dataset, epochs, lr, optimizer, hidden, activation, batch_size, dropout, l2, batchnorm,
          early_stopping, bits, out, seed, progress, distributed):
    """Train an MLP on a bundled DATASET: moons, circles, spirals, xor or digits.

    \b
    Examples:
      minigrad train moons --epochs 200 --out runs/moons
      minigrad train digits --hidden 64 --optimizer adam --lr 0.003 --early-stopping 10 --quantize 8
      mpiexec -n 2 minigrad train digits --distributed --out runs/digits
    """
    from minigrad.train.recipe import save_checkpoint, train_on_dataset

    _known_dataset(dataset)
    _at_least_one("--epochs", epochs)
    _at_least_one("--batch-size", batch_size)
    if not 0 <= dropout < 1:
        _fail(f"--dropout must be in [0, 1), got {dropout}")
    if bits is not None and not 2 <= bits <= 16:
        _fail(f"--quantize takes a number of bits from 2 to 16, got {bits}")
    _positive_finite("--lr", lr)
    if not (math.isfinite(l2) and l2 >= 0):
        _fail(f"--l2 must be a finite number >= 0, got {l2}")
    if early_stopping is not None and early_stopping < 1:
        _fail(f"--early-stopping is a patience in epochs and must be at least 1, got {early_stopping} "
              "(leave it out to train all epochs)")
    layers = _int_list(hidden, "--hidden")
    out = _output_path(out, folder=True) if out is not None else None
    if distributed:
        from minigrad import distributed as dist

        global _quiet_errors
        dist.init()
        _quiet_errors = not dist.is_main_process()
    try:
        result = train_on_dataset(dataset, hidden=layers, activation=activation, epochs=epochs, lr=lr,
                                  optimizer=optimizer, batch_size=batch_size, dropout=dropout, l2=l2,
                                  batchnorm=batchnorm, early_stopping=early_stopping, seed=seed,
                                  progress=progress, distributed=distributed)
    except ValueError as exc:
        _fail(str(exc))
    if distributed and not dist.is_main_process():
        return  # every process holds the same model: rank 0 reports and writes it
    h = result.history.history
    if distributed and dist.world_size() > 1:
        click.echo(f"data-parallel over {dist.world_size()} processes "
                   f"({batch_size // dist.world_size()} samples each per step)")
    click.echo(f"trained {result.config['sizes']} ({activation}) on {dataset} for {len(result.history)} epochs"
               + (f" ({result.history.stop_reason})" if result.history.stop_reason else ""))
    click.echo(f"  train loss {h['loss'][-1]:.4f}  accuracy {h['accuracy'][-1]:.3f}")
    click.echo(f"  val   loss {h['val_loss'][-1]:.4f}  accuracy {h['val_accuracy'][-1]:.3f}")
    click.echo(f"  test  loss {result.test['loss']:.4f}  accuracy {result.test['accuracy']:.3f}")
    if bits is not None:
        from minigrad.quant.report import quantization_report

        click.echo(quantization_report(result.model, result.splits, bits))
    if out is not None:
        from viz.plots import plot_decision_boundary, plot_learning_curves

        _make_output(out, folder=True)
        save_checkpoint(result, _make_output(out / "model.ckpt"))
        fig = plot_learning_curves(result.history, early_stopping=result.early_stopping)
        fig.savefig(_make_output(out / "learning_curves.png"), dpi=100, bbox_inches="tight")
        written = ["model.ckpt", "learning_curves.png"]
        if result.config["sizes"][0] == 2:
            X, y = result.splits["train"]
            fig = plot_decision_boundary(result.model, X, y)
            fig.savefig(_make_output(out / "decision_boundary.png"), dpi=100, bbox_inches="tight")
            written.append("decision_boundary.png")
        click.echo(f"wrote {', '.join(written)} to {out}")


# --------------------------------------------------------------------------- search

MAX_SEARCH_TRAININGS = 10_000


@group.command()
@click.argument("dataset")
@click.option("--param", "params", multiple=True, metavar="NAME=V1,V2",
              help="A hyperparameter and its values (repeat for each): lr, hidden (64x64 = two layers), dropout, "
                   "l2, batch_size, epochs, optimizer, activation.")
@click.option("--cv", type=int, default=5, show_default=True, help="Number of cross-validation folds k.")
@click.option("--jobs", type=int, default=1, show_default=True,
              help="Trainings at once: local processes (-1: one per core), or at most this many on the cluster.")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Run on a Dask cluster: the scheduler's address, e.g. tcp://host:8786.")
@click.option("--epochs", type=int, default=20, show_default=True, help="Epochs of each training (unless searched).")
@click.option("--timeout", type=float, default=600, show_default=True,
              help="Seconds one training may take before the search stops with an error.")
@click.option("-o", "--output", default=None, help="Also write the plot (.png) or a page with table and plot (.html).")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--progress/--no-progress", default=True, show_default=True)
def search(dataset, params, cv, jobs, scheduler, epochs, timeout, output, seed, progress):
    """Grid search of an MLP's hyperparameters on DATASET by k-fold cross-validation.

    Trains one MLP per (candidate, fold), in parallel with --jobs local processes or on a
    Dask cluster (--scheduler); the results do not depend on where they ran. Prints the
    candidates ranked by mean validation accuracy. The test split of `minigrad train` is
    left out of the search.

    \b
    Examples:
      minigrad search moons --param lr=1e-3,1e-2 --param hidden=16,64 --cv 3 --jobs 2 -o search.png
      minigrad search digits --param lr=1e-3,3e-3 --param hidden=32,64 --scheduler tcp://10.0.0.5:8786
    """
    from minigrad.train.search_recipe import parse_values, search_on_dataset

    _known_dataset(dataset)
    if not params:
        _fail("give at least one --param NAME=V1,V2 (e.g. --param lr=1e-3,1e-2)")
    grid = {}
    for spec in params:
        name, sep, values = spec.partition("=")
        name = name.strip()
        if not sep or not name or not values.strip():
            _fail(f"--param must look like NAME=V1,V2 (e.g. lr=1e-3,1e-2), got {spec!r}")
        if name in grid:
            _fail(f"--param {name} is given twice; list all its values in one --param")
        try:
            grid[name] = parse_values(name, values)
        except ValueError as exc:
            _fail(str(exc).splitlines()[0])
    if cv < 2:
        _fail(f"--cv must be at least 2 folds, got {cv}")
    if jobs < 1 and jobs != -1:
        _fail(f"--jobs must be a positive number of processes or -1 (one per core), got {jobs}")
    _at_least_one("--epochs", epochs)
    if not (math.isfinite(timeout) and timeout > 0):
        _fail(f"--timeout must be a positive number of seconds, got {timeout}")
    trainings = math.prod(len(v) for v in grid.values()) * cv
    if trainings > MAX_SEARCH_TRAININGS:
        _fail(f"the grid needs {trainings} trainings ({cv} folds); the limit is {MAX_SEARCH_TRAININGS}: "
              "search fewer values")
    if scheduler is not None and not scheduler.strip():
        _fail("--scheduler is empty; give the scheduler's address, e.g. tcp://host:8786")
    if output is not None:
        output = _output_path(output, (".png", ".html"))
    client = _dask_client(scheduler) if scheduler is not None else None
    try:
        results = search_on_dataset(dataset, grid, k=cv, epochs=epochs, seed=seed, n_jobs=jobs,
                                    backend="dask" if client is not None else None, timeout=timeout,
                                    progress=None if progress else False)
    finally:
        if client is not None:
            client.close()
    click.echo(str(results))
    best = ", ".join(f"{k}={_show_value(v)}" for k, v in results.best_params.items())
    click.echo(f"best: {best} (mean validation accuracy {results.best_score:.3f})")
    if output is not None:
        from viz.plots import plot_search

        fig = plot_search(results, title=f"{dataset}: mean validation accuracy ({cv}-fold)")
        if output.suffix.lower() == ".png":
            fig.savefig(_make_output(output), dpi=100, bbox_inches="tight")
        else:
            from viz.html_report import report

            report(_make_output(output), title=f"Hyperparameter search on {dataset}",
                   text=[str(results), f"best: {best}"], figures={"validation accuracy over the grid": fig})
        click.echo(f"wrote {output}")


def _show_value(value):
    if isinstance(value, tuple):
        return "x".join(str(v) for v in value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def _check_listening(address):
    """Fail at once when nothing listens at a tcp:// address (Dask itself would retry for its whole timeout)."""
    import socket
    from urllib.parse import urlsplit

    if not address.startswith("tcp://"):
        return
    try:
        parts = urlsplit(address)
        host, port = parts.hostname, parts.port
    except ValueError as exc:
        _fail(f"--scheduler {address!r} is not an address like tcp://host:8786 ({exc})")
    if not host or port is None:
        _fail(f"--scheduler {address!r} is not an address like tcp://host:8786 (host and port needed)")
    try:
        socket.create_connection((host, port), timeout=5).close()
    except OSError as exc:
        _fail(f"cannot connect to the Dask scheduler at {address}: {exc.strerror or exc} "
              "(is `dask scheduler` running there?)")


def _dask_client(address):
    """A dask.distributed Client connected to the scheduler at ``address`` (one clear line if it cannot)."""
    _check_listening(address)
    try:
        from distributed import Client
    except ImportError:
        _fail("--scheduler needs dask.distributed, which is not installed: pip install minigrad[distributed]")
    try:
        return Client(address, timeout=10)
    except (OSError, TimeoutError, ValueError) as exc:
        _fail(f"cannot connect to the Dask scheduler at {address}: {_error_line(exc, 160) or type(exc).__name__}")


# --------------------------------------------------------------------------- quantize

@group.command()
@click.argument("checkpoint")
@click.option("--bits", type=int, default=8, show_default=True)
@click.option("--calibrate", "dataset", required=True, help="Dataset for calibration and accuracy.")
def quantize(checkpoint, bits, dataset):
    """Post-training quantization of a `minigrad train` CHECKPOINT: size and accuracy before/after.

    \b
    Example:
      minigrad train digits --out runs/digits && minigrad quantize runs/digits/model.ckpt --bits 8 --calibrate digits
    """
    from minigrad.io import CheckpointError
    from minigrad.quant.report import quantization_report
    from minigrad.train.recipe import load_checkpoint, load_dataset, split_dataset

    if not 2 <= bits <= 16:
        _fail(f"--bits must be from 2 to 16, got {bits}")
    _known_dataset(dataset)
    if os.path.exists(checkpoint) and not os.path.isfile(checkpoint):
        _fail(f"cannot read {checkpoint}: not a regular file (a checkpoint is a file written by `minigrad train`)")
    try:
        model, config, scaler = load_checkpoint(checkpoint)
    except (CheckpointError, ValueError, KeyError) as exc:
        _fail(str(exc).splitlines()[0])
    X, y = load_dataset(dataset, config.get("seed", 0))
    if X.shape[1] != config["sizes"][0]:
        _fail(f"the checkpoint expects {config['sizes'][0]} features but {dataset} has {X.shape[1]}")
    splits, _ = split_dataset(X, y, config.get("seed", 0), scaler=scaler)
    click.echo(quantization_report(model, splits, bits))


# --------------------------------------------------------------------------- tutorial

@group.group()
def tutorial():
    """The course's lessons: list them, run one, step through one, or make a notebook.

    \b
    Examples:
      minigrad tutorial list
      minigrad tutorial step 1
      minigrad tutorial notebook 2 -o lesson2.ipynb
    """


@tutorial.command("list")
def tutorial_list():
    """List the lessons with their titles."""
    from minigrad.course.lessons import LessonError, list_lessons

    try:
        lessons = list_lessons()
    except LessonError as exc:
        _fail(str(exc))
    for lesson in lessons:
        click.echo(f"{lesson.number:>2}  {lesson.title}")


@tutorial.command("run")
@click.argument("number")
@click.option("--quick", is_flag=True, help="Small sizes (as the tests use).")
@click.option("--figures", default="figures", show_default=True, help="Folder for the lesson's figures.")
def tutorial_run(number, quick, figures):
    """Run lesson NUMBER top to bottom (figures are saved, not shown).

    \b
    Example:
      minigrad tutorial run 2
    """
    from minigrad.course.lessons import LessonError, find_lesson, run_lesson

    try:
        lesson = find_lesson(number)
        figures = _output_path(figures, folder=True)
        click.echo(f"Lesson {lesson.number}: {lesson.title}")
        run_lesson(number, quick=quick, figures=_will_create(figures))
    except LessonError as exc:
        _fail(str(exc).splitlines()[0])
    click.echo(f"done; figures in {figures}/")


@tutorial.command("step")
@click.argument("number")
@click.option("--figures", default="figures", show_default=True)
def tutorial_step(number, figures):
    """Step through lesson NUMBER cell by cell: Enter runs a cell, q quits.

    \b
    Example:
      minigrad tutorial step 1
    """
    from minigrad.course.lessons import LessonError, find_lesson, step_lesson

    try:
        find_lesson(number)
        figures = _output_path(figures, folder=True)
        step_lesson(number, read=lambda prompt: click.prompt(prompt, default="", show_default=False),
                    write=click.echo, figures=_will_create(figures))
    except click.Abort:
        click.echo("\nstopped.")
    except LessonError as exc:
        _fail(str(exc).splitlines()[0])


@tutorial.command("notebook")
@click.argument("number")
@click.option("-o", "--output", default=None, help="Notebook path (default: beside the lesson in a clone, else the current folder).")
def tutorial_notebook(number, output):
    """Write lesson NUMBER as a Jupyter notebook.

    \b
    Example:
      minigrad tutorial notebook 3 -o lesson3.ipynb
    """
    from minigrad.course.lessons import LessonError, find_lesson, to_notebook

    try:
        find_lesson(number)
        if output is not None:
            output = _make_output(_output_path(output, (".ipynb",)))
        path = to_notebook(number, output)
    except LessonError as exc:
        _fail(str(exc))
    click.echo(f"wrote {path}")


# --------------------------------------------------------------------------- demo

@group.command()
@click.option("--out", default="demo", show_default=True, help="Folder for the gallery.")
@click.option("--quick", is_flag=True, help="Fewer epochs (a fast smoke run).")
@click.option("--gallery", default=None,
              help="Also copy the pictures the README shows into this folder (the project's docs/gallery).")
def demo(out, quick, gallery):
    """The tour: train a network, draw graphs, diagnose, quantize, animate; writes an index.html gallery.

    \b
    Examples:
      minigrad demo --out demo/
      minigrad demo --gallery docs/gallery
    """
    from viz.demo import build_demo, copy_gallery

    out = _output_path(out, folder=True)
    gallery = _output_path(gallery, folder=True) if gallery is not None else None
    out = _make_output(out, folder=True)
    if gallery is not None:  # made before the long run, so a folder that cannot be made fails at once
        gallery = _make_output(gallery, folder=True)
    build_demo(out, log=click.echo, quick=quick)
    if gallery is not None:
        copied = copy_gallery(out, gallery)
        click.echo(f"copied {', '.join(copied)} to {gallery}")


# --------------------------------------------------------------------------- animate

ANIMATIONS = ("perceptron", "training", "optimizers", "grad-flow")
SURFACES = {"quadratic": (-4.0, 1.5), "rosenbrock": (-1.5, 2.0)}  # each function's start point


class _Bar:
    """``training [=======>......] 12/30`` redrawn in place on a terminal; silent otherwise."""

    def __init__(self, label, enabled, width=30):
        self.label, self.enabled, self.width = label, enabled, width

    def __call__(self, done, total):
        if not self.enabled:
            return
        sys.stdout.write(f"\r{self.label:<10} [{_bar_text(done, total, self.width)}] {done}/{total}")
        if done >= total:
            sys.stdout.write("\n")
        sys.stdout.flush()


@group.command()
@click.argument("kind", type=click.Choice(ANIMATIONS))
@click.option("-o", "--output", required=True, help="The animation file: .gif, .html (self-contained) or .mp4 "
                                                    "(needs ffmpeg).")
@click.option("--dataset", default=None, help="2-D data for perceptron/training/grad-flow: moons, circles, spirals, "
                                              "xor, or blobs (two separable clouds; the perceptron's default; "
                                              "moons otherwise).")
@click.option("--epochs", type=int, default=60, show_default=True, help="Training epochs (training, grad-flow).")
@click.option("--hidden", default="16,16", show_default=True, help="Hidden layer sizes (training, grad-flow).")
@click.option("--activation", default="relu", show_default=True)
@click.option("--optimizer", default="adam", show_default=True, help="Optimizer (training, grad-flow).")
@click.option("--lr", type=float, default=0.01, show_default=True, help="Learning rate (training, grad-flow).")
@click.option("--function", "surface", type=click.Choice(tuple(SURFACES)), default="quadratic", show_default=True,
              help="The loss surface of the optimizer race.")
@click.option("--steps", type=int, default=50, show_default=True, help="Optimizer steps (optimizers).")
@click.option("--frames", "max_frames", type=int, default=60, show_default=True,
              help="At most this many frames (training, grad-flow).")
@click.option("--max-epochs", type=int, default=20, show_default=True,
              help="Passes over the data before the perceptron gives up (data that is not separable).")
@click.option("--fps", type=float, default=None, help="Frames per second (default: the animation's own pace).")
@click.option("--dpi", type=int, default=80, show_default=True, help="Resolution of each frame.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--progress/--no-progress", default=True, show_default=True,
              help="Progress bars (only on a terminal).")
def animate(kind, output, dataset, epochs, hidden, activation, optimizer, lr, surface, steps, max_frames,
            max_epochs, fps, dpi, seed, progress):
    """Animate KIND (perceptron, training, optimizers, grad-flow) into a .gif, .html or .mp4 file.

    \b
    perceptron  Rosenblatt's rule on 2-D data: the boundary after each mistake
    training    an MLP's decision boundary and loss over the epochs
    optimizers  SGD, momentum, RMSprop and Adam racing on a 2-D loss surface
    grad-flow   each layer's gradient norm over the training steps

    \b
    Examples:
      minigrad animate perceptron -o perceptron.gif
      minigrad animate training --dataset spirals --hidden 32,32 --epochs 100 -o spirals.html
      minigrad animate optimizers --function rosenbrock --steps 100 -o race.gif
      minigrad animate grad-flow --activation sigmoid --hidden 16,16,16,16 -o flow.gif
    """
    from matplotlib import animation as mpl_animation

    from minigrad import optim
    from minigrad.train.recipe import DATASETS

    output = _output_path(output, (".gif", ".html", ".mp4"))
    if output.suffix.lower() == ".mp4" and not mpl_animation.writers.is_available("ffmpeg"):
        _fail(f"cannot write {output}: .mp4 needs ffmpeg, which is not installed (not found on PATH); install "
              "ffmpeg or write a .gif or .html instead")
    choices = [name for name in DATASETS if name != "digits"] + ["blobs"]
    if dataset is None:
        dataset = "blobs" if kind == "perceptron" else "moons"
    if kind != "optimizers" and dataset not in choices:
        _fail(f"--dataset must be a 2-D dataset: {', '.join(choices)}; got {dataset!r}")
    for name, value in (("--epochs", epochs), ("--steps", steps), ("--frames", max_frames),
                        ("--max-epochs", max_epochs)):
        _at_least_one(name, value)
    _positive_finite("--lr", lr)
    if fps is not None and not (math.isfinite(fps) and 0 < fps <= 100):
        _fail(f"--fps must be a number in (0, 100], got {fps}")
    if not 20 <= dpi <= 300:
        _fail(f"--dpi must be from 20 to 300, got {dpi}")
    if steps > 5000 or epochs > 100_000:
        _fail("too many steps or epochs for an animation: at most --steps 5000 and --epochs 100000")
    layers = _int_list(hidden, "--hidden")
    if sum(layers) > 4096:
        _fail(f"--hidden {hidden} is too large for an animation (at most 4096 units in all)")
    try:
        from minigrad.nn.activations import get_module

        get_module(activation)
        optim.get(optimizer, [minigrad.nn.Parameter([0.0])], lr=lr)
    except ValueError as exc:
        _fail(str(exc).splitlines()[0])

    import viz

    on_terminal = progress and sys.stdout.isatty()
    X = y = None
    if kind != "optimizers":
        if dataset == "blobs":
            X, y = viz.animation.two_blobs(60, seed=seed)
        else:
            from minigrad.data import StandardScaler
            from minigrad.train.recipe import load_dataset

            X, y = load_dataset(dataset, seed)
            X = StandardScaler().fit(X).transform(X)
    sizes = [2, *layers, int(y.max()) + 1] if y is not None else None
    if kind == "perceptron":
        anim = viz.animate_perceptron(X, y, max_epochs=max_epochs)
        mistakes = anim.n_frames - 1
        click.echo(f"perceptron on {dataset}: {mistakes} mistake{'' if mistakes == 1 else 's'}"
                   + ("" if anim.converged else f" (not separable: stopped after {max_epochs} passes)"))
    elif kind == "training":
        minigrad.manual_seed(seed)
        model = minigrad.nn.MLP(sizes, activation=activation)
        anim = viz.animate_training(model, X, y, epochs=epochs, optimizer=optimizer, lr=lr,
                                    every=max(1, math.ceil(epochs / max_frames)), seed=seed,
                                    progress=_Bar("training", on_terminal))
        last = anim.history[-1]
        click.echo(f"trained {sizes} ({activation}) on {dataset} for {epochs} epochs: loss {last['loss']:.4f}, "
                   f"accuracy {last['accuracy']:.3f}")
    elif kind == "optimizers":
        from minigrad.course.experiments import elongated_quadratic, rosenbrock

        fn = {"quadratic": elongated_quadratic, "rosenbrock": rosenbrock}[surface]
        anim = viz.animate_optimizers(fn, steps=steps, start=SURFACES[surface])
        click.echo(f"{len(anim.paths)} optimizers, {steps} steps on {surface}: "
                   + ", ".join(f"{name} ends at ({p[-1, 0]:.3g}, {p[-1, 1]:.3g})" for name, p in anim.paths.items()))
    else:
        from minigrad.train import GradientRecorder, fit

        minigrad.manual_seed(seed)
        model = minigrad.nn.MLP(sizes, activation=activation)
        recorder = GradientRecorder()
        bar = _Bar("training", on_terminal)
        fit(model, "cross_entropy", optim.get(optimizer, model.parameters(), lr=lr), (X, y), epochs=epochs,
            callbacks=[recorder, minigrad.train.LambdaCallback(on_epoch_end=lambda e, logs: bar(e + 1, epochs))],
            progress=False, seed=seed)
        anim = viz.animate_grad_flow(recorder, max_frames=max_frames)
        click.echo(f"recorded {len(recorder.records)} steps of {sizes} ({activation}) on {dataset}")
    viz.save_animation(anim, _make_output(output), fps=fps, dpi=dpi, progress=_Bar("rendering", on_terminal))
    click.echo(f"wrote {output} ({anim.n_frames} frames)")


EXIT_BUG = 1
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as a shell reports a process killed by a closed pipe

# Errors that bad input, a missing resource or a too-large request can cause: one line, exit 2.
# Anything else escaping a command is a bug in minigrad: one line naming the type, exit 1.
EXPECTED_ERRORS = (ValueError, TypeError, RuntimeError, OSError, OverflowError, MemoryError, RecursionError,
                   ArithmeticError, minigrad.CheckpointError)


def _error_line(message, limit=300):
    """The first line of ``message``, shortened to ``limit`` characters."""
    text = str(message).strip()
    line = text.splitlines()[0].strip() if text else ""
    return line if len(line) <= limit else line[:limit - 3] + "..."


def _describe(exc):
    """One line for an expected error, with a hint where the message alone would not say what to do."""
    message = _error_line(exc)
    if isinstance(exc, MemoryError):
        return f"out of memory{': ' + message if message else ''}; try smaller sizes"
    if isinstance(exc, RecursionError):
        return f"too deeply nested ({message or 'RecursionError'}); try a smaller or flatter input"
    if isinstance(exc, OverflowError):
        return f"number too large: {message or 'OverflowError'}"
    if isinstance(exc, OSError) and exc.strerror and exc.filename is not None:
        return _error_line(f"cannot use {exc.filename}: {exc.strerror}")
    return message or type(exc).__name__


_quiet_errors = False  # set on the ranks other than 0 of an MPI job: one process reports an error, not N


def _say(message):
    if not _quiet_errors:
        click.echo(f"minigrad: error: {message}", err=True)


def _invalid_utf8(args):
    """The first argument that is not valid UTF-8 text (undecodable bytes), or None."""
    for arg in args:
        try:
            str(arg).encode("utf-8")
        except UnicodeEncodeError:
            return arg
    return None


def _stdout_broken():
    """Whether standard output is a pipe whose reader has gone away."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        return True
    except (OSError, ValueError):
        return False
    try:
        fd = sys.stdout.fileno()
    except (OSError, ValueError, AttributeError):  # captured output (tests) has no descriptor
        return False
    if not hasattr(select, "poll"):
        return False
    poller = select.poll()
    poller.register(fd, select.POLLOUT)
    try:
        return any(event & (select.POLLERR | select.POLLHUP) for _, event in poller.poll(0))
    except OSError:
        return False


def _run(argv, debug):
    """Run the command line; returns the exit status after printing at most one error line."""
    args = sys.argv[1:] if argv is None else list(argv)
    bad = _invalid_utf8(args)
    if bad is not None:
        _say(f"an argument is not valid UTF-8 text: {_error_line(ascii(bad), 80)}")
        return EXIT_USAGE
    try:
        with warnings.catch_warnings():
            if not debug:
                warnings.simplefilter("ignore")  # e.g. NumPy overflow warnings before a clear error
            group.main(args=args, prog_name="minigrad", standalone_mode=False)
        sys.stdout.flush()
    except SystemExit as exc:  # gradcheck's status 1 when an op fails, or click's on a closed stdout
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        return EXIT_BROKEN_PIPE if code and _stdout_broken() else code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except (click.exceptions.Abort, KeyboardInterrupt):
        _say("interrupted")
        return EXIT_INTERRUPTED
    except click.ClickException as exc:
        _say(_error_line(exc.format_message()))
        return EXIT_USAGE
    except (BrokenPipeError, _PipeClosed) as exc:
        exc = exc.args[0] if isinstance(exc, _PipeClosed) else exc
        if _stdout_broken():  # the reader of our output went away (`minigrad ... | head`): stop quietly
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            return EXIT_BROKEN_PIPE
        _report(exc, debug)
        _say("Graphviz (dot) stopped reading the graph (broken pipe): the graph or one of its labels is "
             "too large for it; try a smaller graph, or write a .dot file")
        return EXIT_USAGE
    except EXPECTED_ERRORS as exc:
        _report(exc, debug)
        _say(_describe(exc))
        return EXIT_USAGE
    except Exception as exc:
        _report(exc, debug)
        _say(f"internal error, this is a bug in minigrad ({type(exc).__name__}: {_error_line(exc, 200)}); "
             "please report it with the output of --debug")
        return EXIT_BUG
    return 0


def _report(exc, debug):
    if debug:
        traceback.print_exception(type(exc), exc, exc.__traceback__)


def _debug_requested(argv):
    """``MINIGRAD_DEBUG=1`` or ``--debug`` before the command name."""
    if os.environ.get("MINIGRAD_DEBUG", "").strip() not in ("", "0"):
        return True
    args = sys.argv[1:] if argv is None else list(argv)
    for arg in args:
        if arg == "--debug":
            return True
        if not str(arg).startswith("-"):
            return False
    return False


def main(argv=None):
    """Entry point of the ``minigrad`` console script.

    Bad input prints one line on stderr and exits 2; a bug prints one line naming the
    exception type and exits 1 (the traceback only with ``--debug`` or ``MINIGRAD_DEBUG=1``);
    Ctrl-C exits 130. A failed or interrupted run removes the files and folders it created
    and puts back the files it overwrote.
    """
    global _quiet_errors
    _created.clear()
    _backups.clear()
    _quiet_errors = False
    try:
        code = _run(argv, _debug_requested(argv))
    except KeyboardInterrupt:  # a second Ctrl-C while reporting
        code = EXIT_INTERRUPTED
    if code != 0:
        _remove_created()
    _finish_backups(restore=code != 0)
    sys.exit(code)


if __name__ == "__main__":
    main()

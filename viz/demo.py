"""``minigrad demo``: a tour of the engine and the visualizer, written as a picture gallery.

:func:`build_demo` runs, on the bundled data and without a network:

1. a worked scalar expression (one tanh neuron): its computation graph and a
   step-through of backpropagation;
2. a small MLP trained on two moons: learning curves, decision boundary, gradient
   flow per layer, and the model's computation graph clustered by layer;
3. a diagnosis of a badly initialized deep network next to a well-initialized one;
4. a digits classifier and its confusion matrix, then quantized to 8, 4, 2 and 1.58
   bits: size and accuracy of each, every row commented, and a histogram of
   quantized weights;
5. animations (GIFs): the perceptron learning rule, the moons network training,
   optimizers racing on a loss surface, and the gradient flow of section 2;

and writes every picture plus an ``index.html`` gallery into one folder.
:func:`copy_gallery` copies the pictures the README shows into ``docs/gallery``
(``minigrad demo --gallery docs/gallery``).
"""

from __future__ import annotations

import html
import shutil
import time
from pathlib import Path

import numpy as np

import minigrad as mg
from minigrad import nn
from minigrad.nn import losses
from minigrad.train import GradientRecorder
from minigrad.train.recipe import train_on_dataset
from minigrad.course.walkthrough import network_walkthrough, neuron, neuron_walkthrough
from viz.animation import (
    animate_grad_flow, animate_optimizers, animate_perceptron, animate_training, save_animation, two_blobs,
)
from viz.diagnosis import diagnose, plot_diagnosis
from viz.flow import plot_grad_flow, plot_grad_heatmap
from viz.graph import draw_graph, save
from viz.plots import plot_confusion_matrix, plot_decision_boundary, plot_learning_curves
from viz.stepping import step_through

__all__ = ["build_demo", "copy_gallery", "GALLERY"]

#: The demo's pictures that the README and the documentation's gallery page show (docs/gallery/).
GALLERY = ("neuron.png", "decision_boundary.png", "diagnosis_bad.png", "grad_flow.png", "learning_curves.png",
           "quantization.png", "perceptron.gif", "training.gif")


class _Gallery:
    """Collects the demo's sections and writes them as files plus index.html."""

    def __init__(self, out, log):
        self.out = Path(out)
        self.out.mkdir(parents=True, exist_ok=True)
        self.log = log
        self.sections = []

    def section(self, title, text=""):
        self.sections.append({"title": title, "text": text, "items": []})

    def figure(self, fig, name, caption):
        path = self.out / name
        fig.savefig(path, dpi=100, bbox_inches="tight")
        self.sections[-1]["items"].append(("img", name, caption))
        return path

    def graph(self, dot, name, caption, png=False):
        """An SVG graph shown as a thumbnail that links to the full-size picture (a PNG too with ``png``)."""
        try:
            save(dot, self.out / name)
            if png:
                save(dot, self.out / Path(name).with_suffix(".png").name)
        except RuntimeError:  # no Graphviz binary: keep the DOT source
            name = Path(name).with_suffix(".dot").name
            save(dot, self.out / name)
        if name.endswith(".svg"):
            self.sections[-1]["items"].append(("img", name, caption + " (click for full size)"))
        else:
            self.sections[-1]["items"].append(("link", name, caption + " (Graphviz source; install Graphviz "
                                                                 "to draw it)"))

    def animation(self, anim, name, caption, dpi=55):
        """An animation saved as a GIF, shown in the page (it plays by itself)."""
        save_animation(anim, self.out / name, dpi=dpi)
        self.sections[-1]["items"].append(("img", name, caption))

    def html(self, fragment):
        """A piece of HTML this module built (every piece of text in it already escaped)."""
        self.sections[-1]["items"].append(("html", fragment, ""))

    def table(self, head, rows, caption=""):
        """A table: ``head`` the column titles, ``rows`` lists of cell texts (escaped here)."""
        cells = "".join(f"<th>{html.escape(h)}</th>" for h in head)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
        title = f"<caption>{html.escape(caption)}</caption>" if caption else ""
        self.html(f"<table class='data'>{title}<thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>")

    def link(self, name, caption):
        self.sections[-1]["items"].append(("link", name, caption))

    def pre(self, text):
        self.sections[-1]["items"].append(("pre", text, ""))

    def write_index(self, seconds):
        parts = [
            "<!DOCTYPE html><html><head><meta charset='utf-8'><title>minigrad demo</title>",
            "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
            "figure{display:inline-block;margin:.5em;vertical-align:top;max-width:520px}"
            "figure img{max-width:100%;border:1px solid #ddd}figcaption{font-size:.9em;color:#555}"
            "pre{background:#f6f6f6;padding:.8em;overflow-x:auto;font-size:.85em}"
            "table.data{border-collapse:collapse;margin:1em 0;font-size:.9em}"
            "table.data td,table.data th{border-bottom:1px solid #ddd;padding:.3em .7em;text-align:left;"
            "vertical-align:top}table.data td:last-child{max-width:38em}caption{text-align:left;color:#555}"
            "ul.findings li{margin:.5em 0;max-width:60em;line-height:1.4}.evidence{color:#666;font-size:.9em}"
            "h2{border-bottom:1px solid #ddd;padding-bottom:.2em}</style></head><body>",
            "<h1>minigrad demo</h1>",
            f"<p>Everything below was computed by minigrad in {seconds:.1f} s on this machine.</p>",
        ]
        for s in self.sections:
            parts.append(f"<h2>{html.escape(s['title'])}</h2>")
            if s["text"]:
                parts.append(f"<p>{html.escape(s['text'])}</p>")
            for kind, value, caption in s["items"]:
                if kind == "img":
                    parts.append(f"<figure><a href='{value}'><img src='{value}' alt='{html.escape(caption)}'></a>"
                                 f"<figcaption>{html.escape(caption)}</figcaption></figure>")
                elif kind == "link":
                    parts.append(f"<p><a href='{value}'>{html.escape(caption)}</a></p>")
                elif kind == "html":
                    parts.append(value)
                else:
                    parts.append(f"<pre>{html.escape(value)}</pre>")
        parts.append("</body></html>")
        index = self.out / "index.html"
        index.write_text("\n".join(parts), encoding="utf-8")
        return index


def _deep_net(activation, init, depth=12, width=64, seed=0):
    mg.manual_seed(seed)
    return nn.MLP([width] * (depth + 1) + [10], activation=activation, weight_init=init)


def build_demo(out="demo", log=print, quick=False):
    """Run the tour and write the gallery into ``out``; returns the path of index.html."""
    start = time.perf_counter()
    g = _Gallery(out, log)

    log("1/5 a worked expression: o = tanh(x1*w1 + x2*w2 + b)")
    g.section("1. A neuron, backpropagated by hand and by minigrad",
              "Each box shows a value and dL/d(value); op nodes sit between them.")
    g.pre(neuron_walkthrough() + "\n\n" + network_walkthrough())
    o = neuron()
    try:
        steps = step_through(o)  # laid out once: nothing moves from step to step
        steps.save(g.out / "backprop.html")
        g.link("backprop.html", f"Step through backpropagation ({len(steps)} steps)")
    except RuntimeError as exc:
        log(f"   (skipped the step-through: {str(exc).splitlines()[0]})")
    o.backward()
    g.graph(draw_graph(o), "neuron.svg", "The neuron's graph after backward", png=True)

    log("2/5 training an MLP on two moons")
    g.section("2. Training on two moons", "MLP 2-16-16-2 (ReLU), Adam, early stopping on the validation loss.")
    recorder = GradientRecorder()
    result = train_on_dataset("moons", hidden=(16, 16), epochs=30 if quick else 150, lr=0.01,
                              early_stopping=15, progress=False, callbacks=[recorder])
    h = result.history.history
    g.pre(f"{len(result.history)} epochs ({result.history.stop_reason or 'all epochs'}); "
          f"test accuracy {result.test['accuracy']:.3f}, validation accuracy {h['val_accuracy'][-1]:.3f}")
    g.figure(plot_learning_curves(result.history, early_stopping=result.early_stopping), "learning_curves.png",
             "Learning curves; the marker shows the best epoch restored by early stopping")
    X, y = result.splits["train"]
    g.figure(plot_decision_boundary(result.model, X, y), "decision_boundary.png", "Decision boundary (training set)")
    g.figure(plot_grad_flow(recorder), "grad_flow.png", "Gradient flow per layer (median and spread over steps)")
    g.figure(plot_grad_heatmap(recorder), "grad_heatmap.png", "log10 of each layer's gradient norm over training")
    model = result.model.train()
    for name, p in model.named_parameters():
        p.label = name
    xb = mg.tensor(X[:8])
    xb.label = "x"
    loss = losses.cross_entropy(model(xb), y[:8])
    loss.label = "loss"
    loss.backward()
    model.eval()
    g.graph(draw_graph(loss), "model_graph.svg", "The model's graph, clustered by layer, with gradients")

    log("3/5 diagnosing a badly and a well initialized 12-layer network")
    g.section("3. Vanishing gradients: initialization matters",
              "12 sigmoid layers with N(0, 0.01²) weights vs 12 ReLU layers with He initialization.")
    rng = np.random.default_rng(0)
    x, t = rng.normal(size=(256, 64)), rng.integers(0, 10, 256)
    bad = diagnose(_deep_net("sigmoid", lambda shape: mg.nn.init.normal(shape, std=0.01)), x, t,
                   losses.cross_entropy)
    good = diagnose(_deep_net("relu", "he_normal"), x, t, losses.cross_entropy)
    g.figure(plot_diagnosis(bad), "diagnosis_bad.png", "sigmoid + N(0, 0.01²): " +
             (", ".join(sorted({f.kind for f in bad.findings})) or "no findings"))
    g.figure(plot_diagnosis(good), "diagnosis_good.png", "ReLU + He: " +
             (", ".join(sorted({f.kind for f in good.findings})) or "no findings"))
    g.html(_findings_html("Badly initialized (sigmoid, N(0, 0.01²))", bad))
    g.html(_findings_html("Well initialized (ReLU, He)", good))

    log("4/5 digits: train, confusion matrix, quantization")
    g.section("4. Digits, and the same model in fewer bits")
    digits = train_on_dataset("digits", hidden=(64,), epochs=8 if quick else 25, lr=3e-3, progress=False)
    X_te, y_te = digits.splits["test"]
    predictions = mg.train.predict(digits.model, X_te).argmax(axis=1)
    g.figure(plot_confusion_matrix(y_te, predictions), "confusion.png",
             f"Confusion matrix on the test set (accuracy {digits.test['accuracy']:.3f})")
    _quantization_section(g, digits, quick)

    log("5/5 animations: perceptron, training, optimizers, gradient flow")
    _animation_section(g, recorder, quick)

    index = g.write_index(time.perf_counter() - start)
    log(f"wrote {index} ({time.perf_counter() - start:.1f} s)")
    return index


def _findings_html(title, diagnosis):
    """A diagnosis as readable HTML: the loss against chance, then each finding as a wrapped paragraph."""
    head = f"<h3>{html.escape(title)}</h3><p>{html.escape(diagnosis._loss_line())}"
    if diagnosis.loss_note:
        head += f" -- {html.escape(diagnosis.loss_note)}"
    head += "</p>"
    if not diagnosis.findings:
        return head + "<p>No problems found: gradients and activations look healthy.</p>"
    items = "".join(
        f"<li><b>[{html.escape(f.kind)}]</b> layer <code>{html.escape(f.layer)}</code>: {html.escape(f.message)}"
        + (f"<br><span class='evidence'>evidence: {html.escape(f.evidence)}</span>" if f.evidence else "")
        + "</li>"
        for f in diagnosis.findings
    )
    return head + f"<ul class='findings'>{items}</ul>"


def _quantization_section(g, digits, quick=False):
    """The digits model at 32, 8, 4, 2 and 1.58 bits: accuracy, size and what each row means."""
    try:
        from minigrad.quant import prepare_qat, quantize, quantize_model
        from minigrad.quant.report import ptq_report, quantization_report
        from minigrad.train import evaluate, fit
        from viz.plots import plot_quantization
    except ImportError as exc:  # pragma: no cover - quant is part of the package
        g.pre(f"quantization unavailable: {exc}")
        return
    (X_tr, y_tr), (X_te, y_te) = digits.splits["train"], digits.splits["test"]
    classes = int(max(y_tr.max(), y_te.max())) + 1
    reports = {bits: ptq_report(digits.model, quantize_model(digits.model, X_tr, bits=bits), X_te, y_te)
               for bits in (8, 4, 2)}
    first = reports[8]
    weights = digits.model[0].weight.numpy()
    zero_share = float(np.mean(quantize(weights, bits=2).q == 0))
    two = reports[2]
    rows = [["float32", f"{first['float_accuracy']:.1%}", f"{first['float_bytes']:,} B", "1.00×",
             "The trained model: 32-bit floats."]]
    rows.append(["8-bit PTQ (integer)", f"{reports[8]['quant_accuracy']:.1%}", f"{reports[8]['quant_bytes']:,} B",
                 f"{reports[8]['size_ratio']:.2f}×",
                 "Post-training quantization to 8-bit integer weights and activations (Jacob et al. 2018): 256 "
                 f"levels per tensor are plenty ({_change(reports[8])} against float32)."])
    rows.append(["4-bit PTQ (integer)", f"{reports[4]['quant_accuracy']:.1%}", f"{reports[4]['quant_bytes']:,} B",
                 f"{reports[4]['size_ratio']:.2f}×",
                 f"16 levels: the rounding error starts to show ({_change(reports[4])}); quantization-aware "
                 "training would win it back."])
    rows.append(["2-bit PTQ (integer)", f"{two['quant_accuracy']:.1%}", f"{two['quant_bytes']:,} B",
                 f"{two['size_ratio']:.2f}×",
                 (f"Chance level (1 in {classes} = {1 / classes:.0%} for {classes} classes): "
                  if two["quant_accuracy"] < 2 / classes else f"{_change(two)}: ")
                 + f"only 4 levels, and with min–max scaling the largest weight sets the step, so "
                 f"{zero_share:.0%} of the first layer's weights round to 0 and the network gives almost the same "
                 "answer for every input. Rounding after training stops working here; so few bits need "
                 "quantization-aware training (next row)."])
    ternary = prepare_qat(digits.model, weight_bits="ternary")
    rounded = evaluate(ternary, "cross_entropy", X_te, y_te, metrics=["accuracy"])["accuracy"]
    epochs = 1 if quick else 3
    fit(ternary, "cross_entropy", mg.optim.Adam(ternary.parameters(), lr=1e-3), (X_tr, y_tr), epochs=epochs,
        progress=False, seed=0)
    trained = evaluate(ternary, "cross_entropy", X_te, y_te, metrics=["accuracy"])["accuracy"]
    rows.append(["1.58-bit ternary (BitNet b1.58)", f"{trained:.1%}", f"{first['ternary_bytes']:,} B",
                 f"{first['ternary_ratio']:.2f}×",
                 f"Weights in {{−1, 0, 1}}·γ with γ = mean |W| and 8-bit activations (Ma et al. 2024), after "
                 f"{epochs} epoch{'s' if epochs > 1 else ''} of quantization-aware training from the float model "
                 f"({rounded:.1%} right after rounding, before any training). The absmean scale keeps most "
                 "weights nonzero, unlike the 2-bit row."])
    g.table(["model", "test accuracy", "size", "smaller", "comment"], rows,
            caption=f"The digits classifier in fewer bits (test set of {len(y_te)} images)")
    g.figure(plot_quantization(weights, quantize(weights, bits=4)), "quantization.png",
             "First-layer weights: float vs 4-bit symmetric quantization")
    g.pre(quantization_report(digits.model, digits.splits, 8))


def _change(report):
    """"+0.3 points" / "−12.3 points": the accuracy change of a quantized model."""
    points = 100 * report["accuracy_change"]
    return f"{points:+.1f} points".replace("-", "−")


def _animation_section(g, recorder, quick=False):
    """GIFs for the classroom: perceptron, training, optimizers, gradient flow."""
    g.section("5. Animations", "Made with viz.animate_* and saved with viz.save_animation (also .html and .mp4); "
                               "minigrad animate KIND -o FILE makes them from the command line.")
    X, y = two_blobs(40, seed=0)
    perceptron = animate_perceptron(X, y, interval=400)
    g.animation(perceptron, "perceptron.gif",
                f"Rosenblatt's perceptron: the boundary after each of its {perceptron.n_frames - 1} mistakes")
    from minigrad.data import StandardScaler, make_moons

    Xm, ym = make_moons(150, noise=0.15, seed=0)
    Xm = StandardScaler().fit(Xm).transform(Xm)
    mg.manual_seed(0)
    epochs = 20 if quick else 60
    training = animate_training(nn.MLP([2, 16, 16, 2]), Xm, ym, epochs=epochs, every=max(1, epochs // 20),
                                lr=0.02, resolution=80)
    g.animation(training, "training.gif", f"An MLP 2-16-16-2 learning two moons ({epochs} epochs of Adam)")
    race = animate_optimizers(steps=25 if quick else 30, resolution=80)
    g.animation(race, "optimizers.gif", "SGD, momentum, RMSprop and Adam on x²/2 + 10y²", dpi=45)
    g.animation(animate_grad_flow(recorder, max_frames=12 if quick else 20), "grad_flow.gif",
                "Section 2's gradient flow, step by step", dpi=45)


def copy_gallery(demo, gallery):
    """Copy the demo's pictures the README shows (:data:`GALLERY`) from ``demo`` into ``gallery``.

    This is how ``docs/gallery`` is made: ``minigrad demo --gallery docs/gallery``.
    A picture the demo could not draw (no Graphviz: no neuron.png) is skipped.
    Returns the names copied.
    """
    demo, gallery = Path(demo), Path(gallery)
    gallery.mkdir(parents=True, exist_ok=True)
    copied = []
    for name in GALLERY:
        if (demo / name).is_file():
            shutil.copyfile(demo / name, gallery / name)
            copied.append(name)
    return copied

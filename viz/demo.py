"""``minigrad demo``: a tour of the engine and the visualizer, written as a picture gallery.

:func:`build_demo` runs, on the bundled data and without a network:

1. a worked scalar expression (one tanh neuron): its computation graph and a
   step-through of backpropagation;
2. a small MLP trained on two moons: learning curves, decision boundary, gradient
   flow per layer, and the model's computation graph clustered by layer;
3. a diagnosis of a badly initialized deep network next to a well-initialized one;
4. a digits classifier and its confusion matrix, then quantized to 8, 4 and 1.58
   bits: size and accuracy of each, and a histogram of quantized weights;

and writes every picture plus an ``index.html`` gallery into one folder.
"""

from __future__ import annotations

import html
import time
from pathlib import Path

import numpy as np

import minigrad as mg
from minigrad import nn
from minigrad.nn import losses
from minigrad.train import GradientRecorder
from minigrad.train.recipe import train_on_dataset
from minigrad.course.walkthrough import network_walkthrough, neuron, neuron_walkthrough
from viz.diagnosis import diagnose, plot_diagnosis
from viz.flow import plot_grad_flow, plot_grad_heatmap
from viz.graph import draw_graph, save
from viz.plots import plot_confusion_matrix, plot_decision_boundary, plot_learning_curves
from viz.stepping import step_through

__all__ = ["build_demo"]


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

    def graph(self, dot, name, caption):
        try:
            save(dot, self.out / name)
        except RuntimeError:  # no Graphviz binary: keep the DOT source
            name = Path(name).with_suffix(".dot").name
            save(dot, self.out / name)
        kind = "img" if name.endswith(".svg") else "link"
        self.sections[-1]["items"].append((kind, name, caption))

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

    log("1/4 a worked expression: o = tanh(x1*w1 + x2*w2 + b)")
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
    g.graph(draw_graph(o), "neuron.svg", "The neuron's graph after backward")

    log("2/4 training an MLP on two moons")
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

    log("3/4 diagnosing a badly and a well initialized 12-layer network")
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
    g.pre("Badly initialized:\n" + "\n".join(f.message for f in bad.findings) +
          "\n\nWell initialized:\n" + ("\n".join(f.message for f in good.findings) or "no problems found"))

    log("4/4 digits: train, confusion matrix, quantization")
    g.section("4. Digits, and the same model in fewer bits")
    digits = train_on_dataset("digits", hidden=(64,), epochs=8 if quick else 25, lr=3e-3, progress=False)
    X_te, y_te = digits.splits["test"]
    predictions = mg.train.predict(digits.model, X_te).argmax(axis=1)
    g.figure(plot_confusion_matrix(y_te, predictions), "confusion.png",
             f"Confusion matrix on the test set (accuracy {digits.test['accuracy']:.3f})")
    _quantization_section(g, digits)

    index = g.write_index(time.perf_counter() - start)
    log(f"wrote {index} ({time.perf_counter() - start:.1f} s)")
    return index


def _quantization_section(g, digits):
    """Post-training quantization at several bit widths, and a histogram of quantized weights."""
    try:
        from minigrad.quant.report import quantization_report, quantization_table
        from viz.plots import plot_quantization
        from minigrad.quant import quantize
    except ImportError as exc:  # pragma: no cover - quant is part of the package
        g.pre(f"quantization unavailable: {exc}")
        return
    g.pre(quantization_table(digits.model, digits.splits, bits_list=(8, 4, 2)))
    weights = digits.model[0].weight.numpy()
    g.figure(plot_quantization(weights, quantize(weights, bits=4)), "quantization.png",
             "First-layer weights: float vs 4-bit symmetric quantization")
    g.pre(quantization_report(digits.model, digits.splits, 8))

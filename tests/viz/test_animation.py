"""Animations: frames hold what each says, files come out complete, nothing is displayed."""

import numpy as np
import pytest
from matplotlib.animation import FuncAnimation
from PIL import Image

import minigrad as mg
import viz
from minigrad import nn, optim
from minigrad.course.experiments import elongated_quadratic
from minigrad.train import GradientRecorder, fit
from viz.animation import perceptron_mistakes, two_blobs
from viz.animation.save import _writer


def small_perceptron():
    """Five mistakes: six small frames."""
    X, y = two_blobs(12, seed=2)
    return viz.animate_perceptron(X, y, resolution=20)


# ---------------------------------------------------------------------------- perceptron

def test_perceptron_has_one_frame_per_mistake_plus_the_start():
    X, y = two_blobs(16, seed=1)
    anim = viz.animate_perceptron(X, y, resolution=20)
    mistakes = [h for h in anim.history if h["index"] is not None]
    assert anim.converged and len(mistakes) >= 2
    assert anim.n_frames == len(mistakes) + 1 == anim._save_count
    # Every recorded mistake really was one: t (w·x + b) ≤ 0 with the state before it.
    t = np.where(y == 1, 1.0, -1.0)
    for before, after in zip(anim.history, anim.history[1:]):
        i = after["index"]
        assert t[i] * (X[i] @ before["w"] + before["b"]) <= 0
        np.testing.assert_allclose(after["w"], before["w"] + t[i] * X[i])
        assert after["b"] == pytest.approx(before["b"] + t[i])
    # ... and the final boundary separates the data.
    final = anim.history[-1]
    assert np.all(t * (X @ final["w"] + final["b"]) > 0)


def test_perceptron_on_xor_stops_after_max_epochs():
    X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    y = np.array([0, 0, 1, 1])
    history, converged = perceptron_mistakes(X, y, max_epochs=3)
    assert not converged and history[-1]["epoch"] == 3


@pytest.mark.parametrize("y, match", [(np.array([0, 1, 2, 0]), "two classes"), (np.array([1, 1, 1, 1]), "two classes")])
def test_perceptron_needs_two_classes(y, match):
    with pytest.raises(ValueError, match=match):
        viz.animate_perceptron(np.zeros((4, 2)), y)


def test_perceptron_needs_two_features():
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        viz.animate_perceptron(np.zeros((4, 3)), np.array([0, 1, 0, 1]))


# ---------------------------------------------------------------------------- optimizers

def test_optimizer_paths_match_running_the_optimizer_by_hand():
    spec = {"SGD": (optim.SGD, {"lr": 0.05}), "Adam": (optim.Adam, {"lr": 0.3})}
    anim = viz.animate_optimizers(elongated_quadratic, spec, steps=6, start=(-3.0, 1.0), resolution=15,
                                  figsize=(4, 3.5))
    assert anim.n_frames == 7 and set(anim.paths) == {"SGD", "Adam"}
    for label, (cls, kwargs) in spec.items():
        x = nn.Parameter(np.array(-3.0), dtype="float64")
        y = nn.Parameter(np.array(1.0), dtype="float64")
        opt = cls([x, y], **kwargs)
        expected = [(-3.0, 1.0)]
        for _ in range(6):
            opt.zero_grad()
            elongated_quadratic(x, y).backward()
            opt.step()
            expected.append((x.item(), y.item()))
        np.testing.assert_allclose(anim.paths[label], expected, rtol=1e-12)
    # Plain SGD on x²/2 + 10y²: x shrinks by (1 - lr) each step.
    np.testing.assert_allclose(anim.paths["SGD"][:, 0], -3.0 * 0.95 ** np.arange(7))


def test_optimizer_titles_read_the_function_name_as_words():
    spec = {"SGD": (optim.SGD, {"lr": 0.05})}
    anim = viz.animate_optimizers(elongated_quadratic, spec, steps=2, resolution=8)
    assert anim._fig.axes[0].get_title() == "Optimizers on elongated quadratic"
    fig = viz.plot_optimizer_trajectories(elongated_quadratic, spec, steps=2, resolution=8)
    assert fig.axes[0].get_title() == "elongated quadratic: 2 steps per optimizer"
    anim = viz.animate_optimizers(lambda x, y: x * x + y * y, spec, steps=2, start=(1.0, 1.0), resolution=8)
    assert anim._fig.axes[0].get_title() == "Optimizers on f"


def test_optimizers_frame_k_draws_k_steps():
    spec = {"SGD": (optim.SGD, {"lr": 0.05})}
    anim = viz.animate_optimizers(elongated_quadratic, spec, steps=4, resolution=10)
    ax = anim._fig.axes[0]
    anim._func(2)
    line = next(l for l in ax.lines if l.get_label() == "SGD")
    assert len(line.get_xdata()) == 3


def test_a_path_that_flies_off_is_labelled_diverged_and_does_not_set_the_view():
    # SGD with lr 0.02 on Rosenbrock from (-1.5, 2) runs off past |x| = 100 (finite, but gone):
    # framing it would shrink the surface and Adam's path to a dot.
    from minigrad.course.experiments import rosenbrock
    spec = {"SGD": (optim.SGD, {"lr": 0.02}), "Adam": (optim.Adam, {"lr": 0.05})}
    for make in (viz.animate_optimizers, viz.plot_optimizer_trajectories):
        out = make(rosenbrock, spec, steps=30, start=(-1.5, 2.0), resolution=10)
        fig = out._fig if hasattr(out, "_fig") else out
        ax = fig.axes[0]
        if hasattr(out, "paths"):
            assert np.isfinite(out.paths["SGD"]).all() and abs(out.paths["SGD"][-1, 0]) > 100
        labels = [line.get_label() for line in ax.lines]
        assert "SGD (diverged)" in labels and "Adam" in labels
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        assert -3 < x0 < x1 < 3 and -3 < y0 < y1 < 4


def test_optimizers_reject_bad_steps():
    with pytest.raises(ValueError, match="steps"):
        viz.animate_optimizers(elongated_quadratic, steps=0)


# ---------------------------------------------------------------------------- training and gradient flow

def test_training_frames_follow_the_epochs_and_the_loss_falls():
    X, y = mg.data.make_moons(40, noise=0.1, seed=0)
    mg.manual_seed(0)
    calls = []
    anim = viz.animate_training(nn.MLP([2, 8, 2]), X, y, epochs=5, every=2, lr=0.05, resolution=12,
                                figsize=(4, 2), progress=lambda done, total: calls.append((done, total)))
    assert [h["epoch"] for h in anim.history] == [0, 2, 4, 5]
    assert anim.n_frames == 4 and all(g.shape == (12, 12) for g in anim.grids)
    assert anim.history[-1]["loss"] < anim.history[0]["loss"]
    assert calls == [(e, 5) for e in range(1, 6)]


def test_training_readout_lives_in_the_legend_and_the_classes_are_explained():
    X, y = mg.data.make_moons(40, noise=0.1, seed=0)
    mg.manual_seed(0)
    anim = viz.animate_training(nn.MLP([2, 8, 2]), X, y, epochs=3, every=3, lr=0.05, resolution=8, figsize=(12, 5))
    left, right = anim._fig.axes[:2]
    anim._func(1)
    last = anim.history[1]
    texts = [t.get_text() for t in right.get_legend().get_texts()]
    assert texts == [f"training loss {last['loss']:.3g}", f"accuracy {last['accuracy']:.1%}"]
    assert not right.texts  # no box over the curves
    anim._fig.draw_without_rendering()
    assert all(float(t).is_integer() for t in right.get_xticks())  # whole epochs only
    (classes,) = anim._fig.legends
    assert [t.get_text() for t in classes.get_texts()] == ["class 0", "class 1"]
    anim._fig.draw_without_rendering()
    assert not classes.get_window_extent().overlaps(left.get_window_extent())


def test_training_validates_its_input():
    with pytest.raises(TypeError, match="nn.Module"):
        viz.animate_training("model", np.zeros((4, 2)), np.zeros(4))
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        viz.animate_training(nn.MLP([3, 2]), np.zeros((4, 3)), np.zeros(4))
    with pytest.raises(ValueError, match="epochs"):
        viz.animate_training(nn.MLP([2, 2]), np.zeros((4, 2)), np.zeros(4), epochs=0)


def _recorded_run(steps=3):
    X, y = mg.data.make_moons(32, noise=0.1, seed=0)
    mg.manual_seed(0)
    model = nn.MLP([2, 6, 6, 2])
    recorder = GradientRecorder()
    fit(model, "cross_entropy", optim.SGD(model.parameters(), lr=0.1), (X, y), epochs=steps, batch_size=32,
        callbacks=[recorder], progress=False)
    return model, recorder


def test_grad_flow_from_a_recorder_and_from_a_gradient_flow():
    model, recorder = _recorded_run()
    anim = viz.animate_grad_flow(recorder, figsize=(8, 6))
    assert anim.n_frames == 3 and anim.layers == ["0", "2", "4"]
    anim._func(2)  # bars are the norms of that step
    bars = [p for p in anim._fig.axes[0].patches][-3:]
    expected = [layer["norm"] for layer in viz.flow._layer_records(recorder)[2][1]]
    tops = [bar.get_y() + bar.get_height() for bar in bars]
    np.testing.assert_allclose(tops, expected, rtol=1e-6)

    flow = viz.GradientFlow(model)
    for _ in range(5):
        model.zero_grad()
        mg.nn.losses.cross_entropy(model(mg.tensor(np.ones((4, 2), np.float32))), [0, 1, 0, 1]).backward()
        flow.record()
    assert viz.animate_grad_flow(flow, max_frames=3, figsize=(8, 6)).steps == [0, 2, 4]


def test_grad_flow_lines_are_told_apart_by_a_titled_legend_beside_them():
    _, recorder = _recorded_run()
    fig = viz.animate_grad_flow(recorder, figsize=(8, 6))._fig
    bottom = fig.axes[1]
    legend = bottom.get_legend()
    assert legend.get_title().get_text() == "layer"
    assert [t.get_text() for t in legend.get_texts()] == ["0", "2", "4"]
    fig.draw_without_rendering()
    assert not legend.get_window_extent().overlaps(bottom.get_window_extent())


def test_grad_flow_needs_records():
    with pytest.raises(ValueError, match="nothing recorded"):
        viz.animate_grad_flow(GradientRecorder())


# ---------------------------------------------------------------------------- saving

def test_animations_are_funcanimations_that_show_nothing():
    anim = small_perceptron()
    assert isinstance(anim, FuncAnimation)
    assert anim._fig.canvas.manager is None  # not a pyplot figure: nothing pops up


def test_gif_has_more_than_one_frame(tmp_path):
    anim = small_perceptron()
    path = viz.save_animation(anim, tmp_path / "p.gif", dpi=20)
    with Image.open(path) as image:
        assert image.format == "GIF" and image.n_frames > 1
    assert [p.name for p in tmp_path.iterdir()] == ["p.gif"]  # no temporary file left


def test_html_embeds_every_frame_and_reports_progress(tmp_path):
    anim = small_perceptron()
    seen = []
    path = viz.save_animation(anim, tmp_path / "p.html", dpi=20, progress=lambda i, n: seen.append((i, n)))
    text = path.read_text()
    assert text.count("data:image/png;base64") == anim.n_frames
    assert "<script" in text and "src=" not in text.replace('src="data:', "")  # self-contained
    assert seen[-1] == (anim.n_frames, anim.n_frames)
    import matplotlib

    with matplotlib.rc_context({"savefig.dpi": 15}):
        assert "<script" in anim._repr_html_()  # plays inline in Jupyter


def test_unknown_suffix_and_missing_ffmpeg_are_clear_errors(tmp_path, monkeypatch):
    anim = small_perceptron()
    with pytest.raises(ValueError, match=r"\.gif, \.mp4, \.html"):
        viz.save_animation(anim, tmp_path / "p.png")
    from matplotlib import animation as mpl_animation

    monkeypatch.setattr(mpl_animation.writers, "is_available", lambda name: False)
    with pytest.raises(RuntimeError, match="ffmpeg"):
        viz.save_animation(anim, tmp_path / "p.mp4")
    with pytest.raises(TypeError, match="animation"):
        viz.save_animation("not an animation", tmp_path / "p.gif")
    assert list(tmp_path.iterdir()) == []


def test_mp4_uses_ffmpeg_when_present():
    from matplotlib import animation as mpl_animation

    if mpl_animation.writers.is_available("ffmpeg"):
        assert isinstance(_writer(".mp4", 5), mpl_animation.FFMpegWriter)
    else:
        with pytest.raises(RuntimeError, match="ffmpeg"):
            _writer(".mp4", 5)


def test_a_failed_save_leaves_no_file_and_keeps_the_old_one(tmp_path):
    anim = small_perceptron()
    target = tmp_path / "p.gif"
    target.write_bytes(b"old")

    def boom(done, total):
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        viz.save_animation(anim, target, dpi=20, progress=boom)
    assert target.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["p.gif"]


def test_the_perceptron_legend_sits_outside_the_data():
    X, y = two_blobs(30, seed=0)
    anim = viz.animate_perceptron(X, y, resolution=10)
    fig = anim._fig
    (ax,) = fig.axes
    assert ax.get_legend() is None and len(fig.legends) == 1
    fig.draw_without_rendering()
    legend, plot = fig.legends[0].get_window_extent(), ax.get_window_extent()
    assert not legend.overlaps(plot)
    assert [t.get_text() for t in fig.legends[0].get_texts()][-1] == "misclassified: update"

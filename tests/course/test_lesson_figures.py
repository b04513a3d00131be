"""Pictures drawn by code inside the lessons: legends name every line and cover no data."""

import ast

import matplotlib
import numpy as np

from minigrad.course.lessons import find_lesson, parse_cells


def _lesson_function(number, name):
    """The function ``name`` defined in a code cell of lesson ``number``, compiled on its own."""
    for cell in parse_cells(find_lesson(number).path):
        if cell.kind != "code":
            continue
        for node in ast.parse(cell.source).body:
            if isinstance(node, ast.FunctionDef) and node.name == name:
                import matplotlib.pyplot as plt

                space = {"np": np, "plt": plt}
                exec(compile(ast.Module([node], []), f"lesson {number}", "exec"), space)
                return space[name]
    raise AssertionError(f"lesson {number} defines no {name}")


def test_the_search_picture_legend_covers_no_trial():
    # Lesson 9's grid-vs-random picture: the worst trials (score ≈ 0 at the smallest
    # learning rate) sat under a legend fixed in the lower left corner.
    search_figure = _lesson_function(9, "search_figure")
    xs = np.array([-4.0, -4.0, -4.0, -2.0, -2.0, -2.0, 0.0, 0.0, 0.0])
    ys = np.tile([0.0, 0.5, 1.0], 3)
    scores = [0.0, 0.0, 0.0, 0.7, 0.74, 0.7, 0.05, 0.0, 0.0]
    curve = (np.linspace(-4, 0, 50), np.exp(-((np.linspace(-4, 0, 50) + 1.7) ** 2) / 0.2))
    fig = search_figure([("grid search", xs, ys, scores, curve), ("again", xs, ys, scores, curve)], "test")
    try:
        fig.canvas.draw()
        top = fig.axes[0]
        box = top.get_legend().get_window_extent()
        points = top.collections[0].get_offsets()
        inside = [p for p in top.transData.transform(points) if box.contains(*p)]
        assert not inside
    finally:
        matplotlib.pyplot.close(fig)


def test_the_dropout_bars_name_the_dotted_noise_floor():
    source = "\n".join(c.source for c in parse_cells(find_lesson(7).path) if c.kind == "code")
    (line,) = [ln for ln in source.splitlines() if "axhline(noise_floor" in ln]
    assert 'label=f"noise floor' in line

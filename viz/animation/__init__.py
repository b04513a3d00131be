"""Animations for the classroom (matplotlib ``FuncAnimation``), saved with :func:`save_animation`.

* :func:`animate_training` -- a network's decision boundary and loss over the epochs;
* :func:`animate_perceptron` -- Rosenblatt's perceptron, the boundary after each mistake;
* :func:`animate_optimizers` -- optimizers racing on the contours of a 2-D loss;
* :func:`animate_grad_flow` -- per-layer gradient norms over a recorded run;
* :func:`save_animation` -- .gif (Pillow), .mp4 (ffmpeg) or self-contained .html.

Each function computes everything first and returns the animation without drawing
or showing anything; frames render when it is saved or displayed in a notebook.
Fonts are sized to be read on a projector.
"""

from viz.animation.grad_flow import animate_grad_flow
from viz.animation.optimizers import animate_optimizers
from viz.animation.perceptron import animate_perceptron, perceptron_mistakes, two_blobs
from viz.animation.save import save_animation
from viz.animation.training import animate_training

__all__ = ["animate_training", "animate_perceptron", "perceptron_mistakes", "two_blobs", "animate_optimizers",
           "animate_grad_flow", "save_animation"]

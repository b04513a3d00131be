"""Newton's method: a step to the minimum of the local quadratic model of the loss.

Second order: the optimizer builds the Hessian itself, by differentiating the
gradient (``create_graph=True``), and solves one linear system per step -- for
small models only. :func:`hessian` is also the tool for looking at curvature.
"""

from __future__ import annotations

import numpy as np

from minigrad import autograd
from minigrad.autograd import enable_grad
from minigrad.optim.optimizer import Optimizer, check_nonnegative
from minigrad.tensor import Tensor

__all__ = ["hessian", "Newton"]


def hessian(loss, params):
    """The gradient g and the Hessian H of a scalar ``loss`` w.r.t. ``params``, as float64 arrays.

    Parameters are flattened and concatenated in order into one vector w, so
    ``g[i] = ∂J/∂w_i`` and ``H[i, j] = ∂²J/∂w_i∂w_j`` (Goodfellow et al. 2016, "Deep
    Learning", §8.6.1). The gradient is computed with
    ``create_graph=True``, so it is itself a graph; row i of H is the gradient of
    g[i], one backward pass per row (n passes for n weights: small models only).
    """
    if not isinstance(loss, Tensor):
        raise TypeError(f"the loss must be a Tensor, got {type(loss).__name__}")
    if loss.data.size != 1:
        raise ValueError(f"the loss must be a single number, got a tensor of shape {loss.shape}")
    if not loss.requires_grad:
        raise RuntimeError(
            "the loss has no graph: compute it from the parameters with recording on (not under mg.no_grad())"
        )
    sizes = [p.data.size for p in params]
    offsets = np.cumsum([0] + sizes)
    grads = autograd.grad(loss, params, create_graph=True)
    g = np.concatenate([np.zeros(n) if gk is None else gk.numpy().ravel() for gk, n in zip(grads, sizes)])
    H = np.zeros((offsets[-1], offsets[-1]))
    for k, gk in enumerate(grads):
        if gk is None or not gk.requires_grad:
            continue  # J is at most linear in this parameter: its rows of H are 0
        for j in range(sizes[k]):
            seed = np.zeros(gk.shape, dtype=gk.dtype)
            seed.flat[j] = 1.0  # picks the entry g[offsets[k] + j] out of gk
            row = autograd.grad([gk], params, grad_outputs=[seed], retain_graph=True)
            H[offsets[k] + j] = np.concatenate(
                [np.zeros(n) if r is None else r.numpy().ravel() for r, n in zip(row, sizes)]
            )
    return g.astype(np.float64), H


class Newton(Optimizer):
    """Newton's method: a step to the minimum of the local quadratic model of J.

    Update (Goodfellow et al. 2016, "Deep Learning", §8.6.1)::

        g = ∇J(w),   H_ij = ∂²J/∂w_i∂w_j
        solve (H + δ I) Δ = g
        w ← w − γ Δ

    On a quadratic J with γ = 1 and δ = 0, one step lands on the minimum. Near a
    minimum the convergence is quadratic (the number of correct digits doubles
    each step), but every step builds the n × n Hessian (n backward passes) and
    solves an n × n system, so it is for small models only (``max_params``).

    Damping δ ≥ 0 (Levenberg-style) keeps the solve well posed. Newton's step
    points downhill only when H + δI is positive definite; when it is not (a
    saddle or a maximum nearby, or H singular) -- the Cholesky factorization fails
    -- δ is multiplied by 10 and the solve retried, up to 10 times (from δ = 0 the
    first retry uses 1e-10 × the largest |H_ii|). A large δ turns the step into
    gradient descent with learning rate γ/δ. The damping used is kept in
    ``last_damping``; ``last_loss`` and ``last_grad_norm`` (‖g‖₂) describe the
    point before the step.

    Usage -- the closure returns the loss and does *not* call backward (the
    optimizer differentiates it twice itself; ``p.grad`` is not used)::

        opt = optim.Newton(model.parameters())
        for _ in range(5):
            opt.step(lambda: nn.losses.binary_cross_entropy(model(X), y, from_logits=True))
    """

    _max_damping_increases = 10

    def __init__(self, params, lr=1.0, damping=1e-4, max_params=2000):
        if not (isinstance(max_params, int) and max_params >= 1):
            raise ValueError(f"invalid max_params: {max_params!r} (must be a positive integer)")
        self.max_params = max_params
        self.last_loss = None
        self.last_grad_norm = None
        self.last_damping = None
        super().__init__(params, dict(lr=lr, damping=damping))

    def _check_hyperparameters(self, group):
        check_nonnegative(group, "lr", "damping")

    def add_param_group(self, param_group):
        super().add_param_group(param_group)
        groups = self.param_groups
        if groups[-1]["damping"] != groups[0]["damping"]:
            damping = groups.pop()["damping"]
            raise ValueError(
                f"Newton solves for all parameters at once, so every group must share one damping: "
                f"got {damping!r}, the first group has {groups[0]['damping']!r}"
            )
        n = sum(p.data.size for g in groups for p in g["params"])
        if n > self.max_params:
            groups.pop()
            raise ValueError(
                f"Newton's method is for small models: {n} parameters means a {n} x {n} Hessian built "
                f"with {n} backward passes (max_params={self.max_params}). Use a first-order optimizer "
                "such as optim.Adam, or raise max_params if you really mean it."
            )

    def step(self, closure=None):
        """Evaluate ``closure()`` (the loss, without backward), take one Newton step, return the loss."""
        if closure is None:
            raise TypeError(
                "Newton.step() needs a closure that returns the loss without calling backward(), "
                "e.g. opt.step(lambda: loss_fn(model(X), y)): the Hessian is computed from the graph"
            )
        with enable_grad():
            loss = closure()
        params = [p for group in self.param_groups for p in group["params"]]
        g, H = hessian(loss, params)
        if not (np.isfinite(g).all() and np.isfinite(H).all()):
            raise RuntimeError(f"Newton: the gradient or Hessian is not finite at this point (loss {loss.item()!r})")
        H = 0.5 * (H + H.T)  # symmetric in exact arithmetic; average away rounding
        delta, damping = _damped_newton_direction(H, g, self.param_groups[0]["damping"],
                                                  self._max_damping_increases)
        self.last_loss = float(loss.item())
        self.last_grad_norm = float(np.linalg.norm(g))
        self.last_damping = damping
        offset = 0
        for group in self.param_groups:
            for p in group["params"]:
                n = p.data.size
                p.data -= (group["lr"] * delta[offset:offset + n]).reshape(p.shape).astype(p.dtype)
                p._mark_changed()
                offset += n
        return loss


def _damped_newton_direction(H, g, damping, tries):
    """Solve (H + δI) Δ = g, raising δ ×10 until H + δI is positive definite; return (Δ, δ)."""
    n = len(g)
    eye = np.eye(n)
    scale = max(1.0, float(np.abs(np.diag(H)).max())) if n else 1.0
    for attempt in range(tries + 1):
        if attempt:
            damping = 10.0 * damping if damping > 0 else 1e-10 * scale
        try:
            L = np.linalg.cholesky(H + damping * eye)  # succeeds iff positive definite
        except np.linalg.LinAlgError:
            pass
        else:
            delta = np.linalg.solve(L.T, np.linalg.solve(L, g))
            if np.isfinite(delta).all():
                return delta, damping
    raise RuntimeError(
        f"Newton: H + damping·I is not positive definite even with damping={damping:g}; the loss "
        "curves strongly downward here. Start from another point or use a first-order optimizer."
    )

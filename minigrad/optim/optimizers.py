"""First-order optimizers with PyTorch's update rules, and Newton's method.

Each optimizer is a small class (hyperparameters, validation, state layout) plus
one function that updates a single parameter in place -- ``sgd_update``,
``adam_update``, ... -- on plain arrays. Those functions live in
:mod:`minigrad.backend.kernels`: a NumPy twin (``adam_update_numpy``, the
reference to read) and a fused Numba kernel for large parameters, equal bit for
bit. They follow PyTorch's reference ("single tensor") implementations operation
by operation, so a trajectory matches ``torch.optim`` to rounding error;
``benchmarks/optim_vs_torch.py`` checks it.

Notation in the docstrings: θ parameters, g gradient, γ learning rate, λ weight
decay, t the step count (1 on the first update), ⊙ elementwise product; every
operation on vectors is elementwise.

Defaults are PyTorch's. The course uses Keras' signatures,
whose defaults differ; each docstring lists where.
"""

from __future__ import annotations

import numpy as np

from minigrad import autograd
from minigrad.autograd import enable_grad
from minigrad.backend.kernels import (
    adadelta_update, adagrad_update, adam_update, adamax_update, nadam_update, rmsprop_update, sgd_update,
)
from minigrad.optim.optimizer import Optimizer, check_betas, check_nonnegative
from minigrad.tensor import Tensor

__all__ = [
    "SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW", "Adamax", "NAdam", "Newton",
    "sgd_update", "adagrad_update", "rmsprop_update", "adadelta_update", "adam_update",
    "adamax_update", "nadam_update", "hessian",
]


def _zeros(param):
    return np.zeros_like(param)


# ============================================================================ SGD

class SGD(Optimizer):
    """Stochastic gradient descent, optionally with (Nesterov) momentum.

    Update (PyTorch's form)::

        g ← ∇θ  (−∇θ when maximize)
        g ← g + λ θ                              if weight_decay λ ≠ 0
        b ← g                                    on the first step, then
        b ← μ b + (1 − τ) g                      if momentum μ ≠ 0 (τ = dampening)
        g ← g + μ b  (nesterov)   or   g ← b
        θ ← θ − γ g

    Momentum: v ← μv − ηg, w ← w + v. With τ = 0 this is
    the same trajectory: PyTorch's buffer is b = −v/η, the velocity measured in
    gradient units, so θ − γb = θ + v. Nesterov momentum evaluates
    the gradient at the look-ahead point θ + μv; the form above is Sutskever et
    al.'s rewrite in terms of the current point (no second gradient needed).

    Papers: Polyak (1964), "Some methods of speeding up the convergence of
    iteration methods"; Sutskever, Martens, Dahl, Hinton (2013), "On the
    importance of initialization and momentum in deep learning".

    Keras differs: ``learning_rate=0.01`` (PyTorch ``lr=1e-3``), and Keras keeps
    the velocity v above, so changing the learning rate mid-training acts
    differently.
    """

    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False,
                 maximize=False):
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group):
        check_nonnegative(group, "lr", "momentum", "weight_decay")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                f"Nesterov momentum requires momentum > 0 and dampening = 0, got "
                f"momentum={group['momentum']!r}, dampening={group['dampening']!r}"
            )

    def _update(self, param, grad, state, group):
        sgd_update(param, grad, state, lr=group["lr"], momentum=group["momentum"],
                   dampening=group["dampening"], weight_decay=group["weight_decay"],
                   nesterov=group["nesterov"], maximize=group["maximize"])


# ============================================================================ Adagrad

class Adagrad(Optimizer):
    """Adagrad: each weight's step shrinks with the sum of its squared gradients.

    Update::

        g ← ∇θ (+ λ θ)
        γₜ ← γ / (1 + (t − 1) η)                 η = lr_decay
        s ← s + g²                                s₀ = initial_accumulator_value
        θ ← θ − γₜ g / (√s + ε)

    In code: ``cache += dx**2; x += -lr * dx / (np.sqrt(cache) + eps)``.
    Paper: Duchi, Hazan, Singer (2011), "Adaptive Subgradient Methods for Online
    Learning and Stochastic Optimization".

    Keras differs: ``learning_rate=0.001`` (PyTorch 0.01),
    ``initial_accumulator_value=0.1`` (PyTorch 0), ``epsilon=1e-7`` (PyTorch 1e-10).
    """

    def __init__(self, params, lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10,
                 maximize=False):
        defaults = dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, eps=eps, maximize=maximize)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group):
        check_nonnegative(group, "lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps")

    def _init_state(self, param, group):
        return {"step": 0, "sum": np.full_like(param, group["initial_accumulator_value"])}

    def _update(self, param, grad, state, group):
        adagrad_update(param, grad, state, lr=group["lr"], lr_decay=group["lr_decay"],
                       weight_decay=group["weight_decay"], eps=group["eps"], maximize=group["maximize"])


# ============================================================================ RMSprop

class RMSprop(Optimizer):
    """RMSprop: divide the step by a moving root-mean-square of recent gradients.

    Update::

        g ← ∇θ (+ λ θ)
        v ← α v + (1 − α) g²
        ṽ ← v − ḡ²,  where ḡ ← α ḡ + (1 − α) g   if centered, else ṽ ← v
        b ← μ b + g / (√ṽ + ε);  θ ← θ − γ b      if momentum μ > 0
        θ ← θ − γ g / (√ṽ + ε)                    otherwise

    In code: ``cache = decay_rate * cache + (1 - decay_rate) * dx**2``
    (``decay_rate`` is α here). Centered RMSprop divides by an estimate of the
    gradient's standard deviation instead of its root mean square (Graves, 2013).
    Reference: Hinton, "Neural Networks for Machine Learning", lecture 6a (2012).

    Keras differs: ``learning_rate=0.001`` (PyTorch 0.01), ``rho=0.9`` (PyTorch
    ``alpha=0.99``), ``epsilon=1e-7`` (PyTorch 1e-8).
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False,
                 maximize=False):
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                        centered=centered, maximize=maximize)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group):
        check_nonnegative(group, "lr", "alpha", "eps", "momentum", "weight_decay")

    def _init_state(self, param, group):
        state = {"step": 0, "square_avg": _zeros(param)}
        if group["momentum"] > 0:
            state["momentum_buffer"] = _zeros(param)
        if group["centered"]:
            state["grad_avg"] = _zeros(param)
        return state

    def _update(self, param, grad, state, group):
        # A group switched to momentum/centered after its first step gets fresh buffers.
        if group["momentum"] > 0 and "momentum_buffer" not in state:
            state["momentum_buffer"] = _zeros(param)
        if group["centered"] and "grad_avg" not in state:
            state["grad_avg"] = _zeros(param)
        rmsprop_update(param, grad, state, lr=group["lr"], alpha=group["alpha"], eps=group["eps"],
                       weight_decay=group["weight_decay"], momentum=group["momentum"],
                       centered=group["centered"], maximize=group["maximize"])


# ============================================================================ Adadelta

class Adadelta(Optimizer):
    """Adadelta: RMSprop whose step size is itself a running RMS of past steps.

    Update::

        g ← ∇θ (+ λ θ)
        v ← ρ v + (1 − ρ) g²
        Δ ← √(u + ε) / √(v + ε) · g
        u ← ρ u + (1 − ρ) Δ²
        θ ← θ − γ Δ

    The ratio √(u + ε)/√(v + ε) has the units of θ, so no learning rate is needed
    in principle (γ = 1). Paper: Zeiler (2012),
    "ADADELTA: An Adaptive Learning Rate Method".

    Keras differs: ``learning_rate=0.001`` (PyTorch 1.0, the paper's choice),
    ``rho=0.95`` (PyTorch 0.9), ``epsilon=1e-7`` (PyTorch 1e-6).
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, maximize=False):
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group):
        check_nonnegative(group, "lr", "eps", "weight_decay")
        if not 0.0 <= group["rho"] <= 1.0:
            raise ValueError(f"invalid rho: {group['rho']!r} (must be in [0, 1])")

    def _init_state(self, param, group):
        return {"step": 0, "square_avg": _zeros(param), "acc_delta": _zeros(param)}

    def _update(self, param, grad, state, group):
        adadelta_update(param, grad, state, lr=group["lr"], rho=group["rho"], eps=group["eps"],
                        weight_decay=group["weight_decay"], maximize=group["maximize"])


# ============================================================================ Adam, AdamW

class Adam(Optimizer):
    """Adam: momentum on the gradient and RMSprop-style scaling, both bias-corrected.

    Update::

        g ← ∇θ (+ λ θ)
        m ← β₁ m + (1 − β₁) g                     first moment (momentum)
        v ← β₂ v + (1 − β₂) g²                    second moment (RMSprop)
        v̂max ← max(v̂max, v)                       if amsgrad, and v is replaced by v̂max below
        θ ← θ − γ · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)

    The divisions by 1 − βᵗ undo the bias of starting m and v at 0. In code,
    ``m = beta1*m + (1-beta1)*dx; v = beta2*v + (1-beta2)*(dx**2)``
    (the course's version omits the bias correction). Papers: Kingma & Ba (2014), "Adam: A
    Method for Stochastic Optimization"; AMSGrad: Reddi, Kale, Kumar (2018), "On
    the Convergence of Adam and Beyond".

    Keras differs: ``epsilon=1e-7`` (PyTorch 1e-8), and Keras adds ε to √v̂
    after folding the bias correction into the learning rate (ε̂ in the paper's
    notation), so the two agree only approximately when √v̂ ~ ε.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
                 maximize=False, decoupled_weight_decay=False):
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group):
        check_nonnegative(group, "lr", "eps", "weight_decay")
        check_betas(group)

    def _init_state(self, param, group):
        state = {"step": 0, "exp_avg": _zeros(param), "exp_avg_sq": _zeros(param)}
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = _zeros(param)
        return state

    def _update(self, param, grad, state, group):
        if group["amsgrad"] and "max_exp_avg_sq" not in state:
            state["max_exp_avg_sq"] = _zeros(param)  # amsgrad switched on after the first step
        beta1, beta2 = group["betas"]
        adam_update(param, grad, state, lr=group["lr"], beta1=beta1, beta2=beta2, eps=group["eps"],
                    weight_decay=group["weight_decay"], amsgrad=group["amsgrad"], maximize=group["maximize"],
                    decoupled_weight_decay=group["decoupled_weight_decay"])


class AdamW(Adam):
    """AdamW: Adam with *decoupled* weight decay.

    Update: first θ ← θ − γ λ θ, then Adam's step with the plain gradient g = ∇θ.

    In Adam, an L2 term λθ added to g is divided by √v̂ like the rest of the
    gradient, so weights with large gradients are barely regularized; shrinking
    θ directly decays every weight at the same rate. Paper: Loshchilov & Hutter
    (2019), "Decoupled Weight Decay Regularization".

    Defaults as PyTorch (``weight_decay=1e-2``). Keras ``AdamW`` differs:
    ``weight_decay=0.004``, ``epsilon=1e-7``.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False,
                 maximize=False):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                         maximize=maximize, decoupled_weight_decay=True)


# ============================================================================ Adamax

class Adamax(Optimizer):
    """Adamax: Adam with the infinity norm in place of the root mean square.

    Update::

        g ← ∇θ (+ λ θ)
        m ← β₁ m + (1 − β₁) g
        u ← max(β₂ u, |g| + ε)
        θ ← θ − γ m / ((1 − β₁ᵗ) u)

    Paper: Kingma & Ba (2014), "Adam", section 7.1.

    Keras differs: ``learning_rate=0.001`` (PyTorch 2e-3), ``epsilon=1e-7``
    (PyTorch 1e-8), and Keras adds ε outside the max (θ ← θ − γ m̂ / (u + ε)).
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, maximize=False):
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group):
        check_nonnegative(group, "lr", "eps", "weight_decay")
        check_betas(group)

    def _init_state(self, param, group):
        return {"step": 0, "exp_avg": _zeros(param), "exp_inf": _zeros(param)}

    def _update(self, param, grad, state, group):
        beta1, beta2 = group["betas"]
        adamax_update(param, grad, state, lr=group["lr"], beta1=beta1, beta2=beta2, eps=group["eps"],
                      weight_decay=group["weight_decay"], maximize=group["maximize"])


# ============================================================================ NAdam

class NAdam(Optimizer):
    """NAdam: Adam with Nesterov momentum (the look-ahead applied to m).

    Update, with ψ = momentum_decay::

        g ← ∇θ (+ λ θ, or θ ← θ − γ λ θ when decoupled_weight_decay)
        μₜ ← β₁ (1 − ½ · 0.96^(t ψ))              momentum schedule
        m ← β₁ m + (1 − β₁) g
        v ← β₂ v + (1 − β₂) g²
        m̂ ← μₜ₊₁ m / (1 − Π_{i≤t+1} μᵢ) + (1 − μₜ) g / (1 − Π_{i≤t} μᵢ)
        θ ← θ − γ m̂ / (√(v / (1 − β₂ᵗ)) + ε)

    Adam with Nesterov momentum. Paper: Dozat
    (2016), "Incorporating Nesterov Momentum into Adam".

    Keras ``Nadam`` differs: ``learning_rate=0.001`` (PyTorch 2e-3),
    ``epsilon=1e-7`` (PyTorch 1e-8).
    """

    _scalar_state = ("step", "mu_product")

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, maximize=False):
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay, decoupled_weight_decay=decoupled_weight_decay,
                        maximize=maximize)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group):
        check_nonnegative(group, "lr", "eps", "weight_decay", "momentum_decay")
        check_betas(group)

    def _init_state(self, param, group):
        return {"step": 0, "mu_product": 1.0, "exp_avg": _zeros(param), "exp_avg_sq": _zeros(param)}

    def _update(self, param, grad, state, group):
        beta1, beta2 = group["betas"]
        nadam_update(param, grad, state, lr=group["lr"], beta1=beta1, beta2=beta2, eps=group["eps"],
                     weight_decay=group["weight_decay"], momentum_decay=group["momentum_decay"],
                     decoupled_weight_decay=group["decoupled_weight_decay"], maximize=group["maximize"])


# ============================================================================ Newton

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

"""Scale-invariant weights and SGDP (Heo et al., "AdamP: Slowing Down the Slowdown for Momentum Optimizers on Scale-invariant Weights", ICLR 2021).

A weight w is *scale-invariant* when the loss does not see its norm, f(cw) = f(w) for all
c > 0: every weight that feeds a BatchNorm is (per output row, in train mode, up to BN's ε).
Differentiating in c at c = 1 gives w · ∇f(w) = 0, the gradient is orthogonal to w, so a
plain gradient step can only grow the norm (Pythagoras):

    ‖w_{t+1}‖² = ‖w_t‖² + η_t² ‖∇f(w_t)‖²                         (the paper's GD norm-growth lemma)

and since ∇f(cw) = ∇f(w)/c, the step *on the sphere* scales as η/‖w‖²: the effective
learning rate decays as the norm grows. Momentum adds past gradients, which are not
orthogonal to the current w, and grows the norm faster still.

SGDP (Algorithm 1 of the project page's `algorithms.svg`, AdamP being Algorithm 2; the
official `adamp/sgdp.py`) keeps the momentum buffer but removes the radial component of
each update on the weights its cosine test detects as scale-invariant (the figure writes
the test as w_t · ∇f(w_t) < δ; the code, transcribed here, as a cosine):

    p_t     = β p_{t−1} + ∇f(w_t)
    w_{t+1} = w_t − η Π_{w_t}(p_t),   Π_w(p) = p − ŵ (ŵ · p),  ŵ = w / ‖w‖,
              if max |cos(∇f(w_t), w_t)| < δ / √dim,  else  w_t − η p_t.

The paper's equation and lemma numbers were not checked against the PDF; the algorithm
and every constant below are transcribed from the official code (MIT licence).
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

# --- the cosine test and the projection (official adamp/sgdp.py, `_projection`) ----------


def channel_view(x: torch.Tensor) -> torch.Tensor:
    """One row per output unit / channel: BN makes each row scale-invariant on its own."""
    return x.reshape(x.shape[0], -1)


def layer_view(x: torch.Tensor) -> torch.Tensor:
    """The whole tensor as one row (e.g. a weight followed by LayerNorm over all units)."""
    return x.reshape(1, -1)


VIEWS = {"channel": channel_view, "layer": layer_view}


def scale_invariant(w: torch.Tensor, grad: torch.Tensor, delta: float = 0.1, eps: float = 1e-8) -> str | None:
    """The paper's cosine test: the first view ("channel", then "layer") in which every row
    has |cos(∇f, w)| < δ/√dim, or None. A scale-invariant w has cos = 0 exactly; the
    threshold δ/√dim is δ times the typical |cos| of two *random* vectors of that dimension,
    so a gradient that merely looks random does not pass (official defaults δ = 0.1)."""
    for name, view in VIEWS.items():
        cos = F.cosine_similarity(view(grad), view(w), dim=1, eps=eps).abs()
        if cos.max() < delta / math.sqrt(view(w).shape[1]):
            return name
    return None


def project_radial(w: torch.Tensor, d: torch.Tensor, view: str = "channel", eps: float = 1e-8) -> torch.Tensor:
    """Π_w(d) = d − ŵ(ŵ·d), row by row in `view`: the update with its norm-changing part removed."""
    v = VIEWS[view]
    w_hat = v(w) / (v(w).norm(dim=1, keepdim=True) + eps)   # (rows, dim)
    d_rows = v(d)
    return (d_rows - w_hat * (w_hat * d_rows).sum(1, keepdim=True)).reshape(d.shape)


class SGDP(torch.optim.Optimizer):
    """SGDP, transcribed from the official `adamp/sgdp.py` (dampening 0, as its default):

        buf ← m·buf + g;   d ← g + m·buf (Nesterov) or buf itself
        if w is a matrix/kernel and `scale_invariant(w, g)`: d ← Π_w(d) in place, decay ← wd·wd_ratio
        w ← w·(1 − η·decay/(1 − m))      (decoupled decay, /(1−m) to match SGD's coupled one)
        w ← w − η·d

    `delta = 0` switches the projection off (no |cos| is below 0): it is then plain momentum
    SGD with that decoupled decay (tested against torch.optim.SGD without decay).
    """

    def __init__(self, params, lr: float, momentum: float = 0.0, weight_decay: float = 0.0,
                 nesterov: bool = False, eps: float = 1e-8, delta: float = 0.1, wd_ratio: float = 0.1):
        super().__init__(params, dict(lr=lr, momentum=momentum, weight_decay=weight_decay,
                                      nesterov=nesterov, eps=eps, delta=delta, wd_ratio=wd_ratio))

    @torch.no_grad()
    def step(self, closure=None):
        loss = closure() if closure is not None else None
        for group in self.param_groups:
            m, lr = group["momentum"], group["lr"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad
                buf = self.state[p].setdefault("momentum", torch.zeros_like(p))
                buf.mul_(m).add_(g)
                d = g + m * buf if group["nesterov"] else buf
                decay = group["weight_decay"]
                view = scale_invariant(p, g, group["delta"], group["eps"]) if p.ndim > 1 else None
                if view is not None:   # biases and norm gains (ndim 1) are never projected
                    # in place, as the official `perturb -= ...`: without Nesterov, d *is* the
                    # buffer, so the stored momentum loses its radial part too
                    d.copy_(project_radial(p, d, view, group["eps"]))
                    decay *= group["wd_ratio"]
                if decay > 0:
                    p.mul_(1 - lr * decay / (1 - m))
                p.add_(d, alpha=-lr)
        return loss


# --- what the chapter measures ---------------------------------------------------------


def effective_lr(lr: float, w: torch.Tensor) -> float:
    """η / ‖w‖², averaged over the rows' squared norms: the learning rate a scale-invariant
    row feels on its unit sphere (∇f(cw) = ∇f(w)/c, so a step η·∇f moves ŵ by ∝ η/‖w‖²)."""
    return lr / channel_view(w.detach()).pow(2).sum(1).mean().item()


def angular_update(w_before: torch.Tensor, w_after: torch.Tensor) -> torch.Tensor:
    """‖Δw‖ / ‖w‖ (whole tensor, a 0-d tensor): the size of a step relative to the weight it
    moves, which for a scale-invariant w is what changes the function."""
    return (w_after - w_before).norm() / w_before.norm()


class NormLedger:
    """Bookkeeping hooks on an optimizer for the tracked `weights`, run at every step.

    `sum_sq_step[i]` accumulates η_t²‖∇_t‖² in float64, the right-hand side of the norm
    identity, from the gradient and the group's current lr *before* the step; `pop_angular()`
    returns each weight's mean ‖Δw‖/‖w‖ per step since the last call. Everything stays on the
    weights' device (no synchronisation per step on a GPU)."""

    def __init__(self, opt: torch.optim.Optimizer, weights: list[torch.Tensor]):
        self.weights = list(weights)
        self._group = {id(p): g for g in opt.param_groups for p in g["params"]}
        self.sum_sq_step = torch.zeros(len(self.weights), dtype=torch.float64, device=self.weights[0].device)
        self._angular, self._steps, self._before = torch.zeros_like(self.sum_sq_step), 0, []
        opt.register_step_pre_hook(self._pre)
        opt.register_step_post_hook(self._post)

    def _pre(self, *_):
        self._before = [w.detach().clone() for w in self.weights]
        for i, w in enumerate(self.weights):
            self.sum_sq_step[i] += self._group[id(w)]["lr"] ** 2 * w.grad.double().pow(2).sum()

    def _post(self, *_):
        for i, (w, w0) in enumerate(zip(self.weights, self._before)):
            self._angular[i] += angular_update(w0, w.detach()).double()
        self._steps += 1

    def pop_angular(self) -> list[float]:
        out = (self._angular / max(self._steps, 1)).tolist()
        self._angular.zero_()
        self._steps = 0
        return out

    def predicted_norms(self, norms0: list[float]) -> list[float]:
        """√(‖w₀‖² + Σ_t η_t²‖∇_t‖²): each weight's norm if every step were orthogonal to it."""
        return [math.sqrt(n0 ** 2 + s) for n0, s in zip(norms0, self.sum_sq_step.tolist())]


# --- models and the paper's 2-D toy ----------------------------------------------------


def bn_mlp(in_dim: int, num_classes: int, width: int = 256, depth: int = 2) -> nn.Sequential:
    """`depth` × (Linear(bias=False) → BatchNorm1d → ReLU) → Linear: every hidden weight
    row is scale-invariant in train mode (the bias would be removed by BN anyway)."""
    layers: list[nn.Module] = [nn.Flatten()]
    for a, b in zip([in_dim] + [width] * (depth - 1), [width] * depth):
        layers += [nn.Linear(a, b, bias=False), nn.BatchNorm1d(b), nn.ReLU()]
    return nn.Sequential(*layers, nn.Linear(width, num_classes))


def weights_before_norm(model: nn.Module) -> list[torch.Tensor]:
    """Weights of the Linear/Conv layers that a BatchNorm directly follows, in module order:
    the structurally scale-invariant ones (the cosine test finds them from gradients)."""
    mods = [m for m in model.modules() if not list(m.children())]   # leaves, in registration order
    return [a.weight for a, b in zip(mods, mods[1:])
            if isinstance(a, (nn.Linear, nn.Conv2d)) and isinstance(b, nn.modules.batchnorm._BatchNorm)]


def cosine_toy(momentum: float, project: bool, lr: float = 0.1, steps: int = 100,
               angle_deg: float = 90.0) -> dict:
    """The project page's 2-D toy: minimise f(w) = −cos(w, w*), scale-invariant by
    construction, from ‖w₀‖ = 1 at `angle_deg` from w* = (1, 0). SGD with `momentum`, or
    SGDP when `project`. Deterministic; returns the path `xy` (steps+1, 2) and its norms."""
    a = math.radians(angle_deg)
    w = torch.tensor([[math.cos(a), math.sin(a)]], dtype=torch.float64, requires_grad=True)  # (1, 2): one row
    target = torch.tensor([[1.0, 0.0]], dtype=torch.float64)
    opt = SGDP([w], lr=lr, momentum=momentum, delta=0.1 if project else 0.0)
    path = [w.detach().clone()]
    for _ in range(steps):
        loss = -F.cosine_similarity(w, target, dim=1).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
        path.append(w.detach().clone())
    xy = torch.cat(path).numpy()
    return {"xy": xy, "norm": (xy ** 2).sum(1) ** 0.5}

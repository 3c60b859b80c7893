"""Gradient rules: regularizers that act on the optimizer's step, not on the loss.

⊥Grad (Prieto et al., "Grokking at the Edge of Numerical Stability", ICLR 2025).
"""
from __future__ import annotations

import torch


@torch.no_grad()
def orthogonalize_grads_(params, eps: float = 1e-30, stacked: bool = False) -> None:
    """⊥Grad, in place, for each parameter tensor θ with gradient g:

        g⊥ = g − (θ·g / θ·θ) θ,   then rescaled so that ‖g⊥‖ = ‖g‖

    It removes the "naïve loss minimisation" direction (growing θ along itself, which
    scales the logits without changing predictions) and keeps the step length.
    The projection is the paper's Eq. 12; the rescaling and the per-tensor projection are
    the official code's. `stacked`: the first dimension indexes models (reglab.ensemble),
    each projected on its own.
    """
    for p in params:
        if p.grad is None:
            continue
        rows = p.shape[0] if stacked else 1
        w, g = p.detach().reshape(rows, -1), p.grad.reshape(rows, -1)
        g_orth = g - (w * g).sum(1, keepdim=True) / ((w * w).sum(1, keepdim=True) + eps) * w
        g_orth *= g.norm(dim=1, keepdim=True) / (g_orth.norm(dim=1, keepdim=True) + eps)
        p.grad.copy_(g_orth.view_as(p.grad))


def orthogonal_grad(opt: torch.optim.Optimizer, stacked: bool = False) -> torch.optim.Optimizer:
    """Make any optimizer a ⊥-optimizer (⊥AdamW, ⊥SGD): ⊥Grad runs before every step."""
    params = [p for g in opt.param_groups for p in g["params"]]
    opt.register_step_pre_hook(lambda *_: orthogonalize_grads_(params, stacked=stacked))
    return opt

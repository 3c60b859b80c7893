"""The book's subject: regularizers as a few lines of tensor code, each with its equation.

Shapes used here: a penalty added to the loss (ELR), an optimizer-level gradient rule
(⊥Grad), and a drop-in replacement for softmax (StableMax).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

# --- Early-Learning Regularization (Liu et al., NeurIPS 2020) ---------------------------

ELR_CLAMP = 1e-4  # the official code clamps probabilities to [1e-4, 1 - 1e-4]


def elr_update_targets_(targets: torch.Tensor, idx: torch.Tensor, logits: torch.Tensor, beta: float) -> None:
    """Temporal ensembling of the model's own predictions, in place:

        t_i ← β t_i + (1 − β) p_i / Σ_c p_ic,   p_i = clamp(softmax(logits_i))

    `targets` is the (N, C) table for the whole training set, `idx` the rows in the batch.
    The prediction is detached: targets are not differentiated through.
    """
    p = F.softmax(logits.detach(), dim=1).clamp(ELR_CLAMP, 1 - ELR_CLAMP)
    targets[idx] = beta * targets[idx] + (1 - beta) * p / p.sum(dim=1, keepdim=True)


def elr_penalty(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """The ELR term, averaged over the batch:

        R = (1/B) Σ_i log(1 − ⟨p_i, t_i⟩)

    Minimising it pushes p_i towards the running target t_i, which early in training
    holds the clean-label predictions, so it counters memorisation of noisy labels.
    The loss is CE + λ·R (λ = `lam`).
    """
    p = F.softmax(logits, dim=1).clamp(ELR_CLAMP, 1 - ELR_CLAMP)
    return torch.log(1 - (targets * p).sum(dim=1)).mean()


# --- Grokking at the Edge of Numerical Stability (Prieto et al., ICLR 2025) -------------

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


def stablemax(logits: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """StableMax (Prieto et al., 2025): softmax with exp replaced by

        s(x) = x + 1 for x ≥ 0,   s(x) = 1 / (1 − x) for x < 0

    s grows linearly, not exponentially, so scaling the logits cannot round a probability
    to exactly 1 the way softmax does (Softmax Collapse).
    """
    s = torch.where(logits >= 0, logits + 1, 1 / (1 - logits.clamp(max=0)))
    return s / s.sum(dim=dim, keepdim=True)


def stablemax_cross_entropy(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Cross-entropy with StableMax in place of softmax."""
    p = stablemax(logits, dim=-1)
    return -torch.log(p.gather(1, y[:, None])).mean()

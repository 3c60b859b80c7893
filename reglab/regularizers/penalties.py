"""Penalties: terms added to the loss.

Early-Learning Regularization (Liu et al., NeurIPS 2020): agreement with the running targets
of `targets.elr_update_targets_`.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from .targets import ELR_CLAMP


def elr_penalty(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """The ELR term, averaged over the batch:

        R = (1/B) Σ_i log(1 − ⟨p_i, t_i⟩)

    Minimising it pushes p_i towards the running target t_i, which early in training
    holds the clean-label predictions, so it counters memorisation of noisy labels.
    The loss is CE + λ·R (λ = `lam`).
    """
    p = F.softmax(logits, dim=1).clamp(ELR_CLAMP, 1 - ELR_CLAMP)
    return torch.log(1 - (targets * p).sum(dim=1)).mean()

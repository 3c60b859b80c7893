"""Targets: regularizers that change what the network is trained towards.

Early-Learning Regularization (Liu et al., NeurIPS 2020): a running average of the model's own
predictions, the target that `penalties.elr_penalty` pulls towards.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

ELR_CLAMP = 1e-4  # the official code clamps probabilities to [1e-4, 1 - 1e-4]


def elr_update_targets_(targets: torch.Tensor, idx: torch.Tensor, logits: torch.Tensor, beta: float) -> None:
    """Temporal ensembling of the model's own predictions, in place:

        t_i ← β t_i + (1 − β) p_i / Σ_c p_ic,   p_i = clamp(softmax(logits_i))

    `targets` is the (N, C) table for the whole training set, `idx` the rows in the batch.
    The prediction is detached: targets are not differentiated through.
    """
    p = F.softmax(logits.detach(), dim=1).clamp(ELR_CLAMP, 1 - ELR_CLAMP)
    targets[idx] = beta * targets[idx] + (1 - beta) * p / p.sum(dim=1, keepdim=True)

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


def label_smoothing_targets(y: torch.Tensor, num_classes: int, eps: float) -> torch.Tensor:
    """Label smoothing (Szegedy et al., 2016, Sec. 7): q = (1 − ε)·onehot(y) + ε/K.
    Cross-entropy against q equals `F.cross_entropy(logits, y, label_smoothing=ε)` (tested)."""
    return (1 - eps) * F.one_hot(y, num_classes).float() + eps / num_classes


def pskd_alpha(t: int, epochs: int, alpha_T: float) -> float:
    """PS-KD's weight of the past predictions at epoch t = 1, …, T (Kim et al., 2021):
    α_t = α_T · t/T, growing linearly (official code: `alpha_T * (epoch + 1) / end_epoch`)."""
    return alpha_T * t / epochs


def pskd_targets(y: torch.Tensor, past: torch.Tensor, alpha_t: float) -> torch.Tensor:
    """Progressive self-knowledge distillation (PS-KD; Kim et al., ICCV 2021):

        y_t^soft = (1 − α_t)·onehot(y) + α_t·p_{t−1}(x)

    `past` holds p_{t−1}, the model's own softmax for these examples from the previous
    epoch (rows of an (N, K) table the caller keeps, filled with onehot(y) before the first
    epoch, so the first targets are the labels). The target is detached: the teacher is
    the model's past, not differentiated through.
    """
    return (1 - alpha_t) * F.one_hot(y, past.shape[1]).to(past.dtype) + alpha_t * past.detach()

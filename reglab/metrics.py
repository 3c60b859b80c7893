"""Pure measurements on tensors and models. Each returns a Python float."""
from __future__ import annotations

import torch
import torch.nn as nn


def accuracy(logits: torch.Tensor, y: torch.Tensor) -> float:
    return (logits.argmax(1) == y).float().mean().item()


def memorized_fraction(logits: torch.Tensor, noisy_y: torch.Tensor, clean_y: torch.Tensor) -> float:
    """Of the examples whose training label is wrong, the fraction predicted as that wrong label."""
    wrong = noisy_y != clean_y
    if not wrong.any():
        return 0.0
    return (logits[wrong].argmax(1) == noisy_y[wrong]).float().mean().item()


def softmax_collapse_fraction(logits: torch.Tensor, y: torch.Tensor) -> float:
    """Fraction of examples whose softmax probability of the true class is exactly 1.0 in the
    logits' own precision (Softmax Collapse): their loss and the true-class logit's gradient
    are then exactly zero, and what is left of the gradient (the other classes' tiny
    probabilities) no longer reflects the loss being minimised.
    """
    p = torch.softmax(logits, dim=1).gather(1, y[:, None])
    return (p == 1.0).float().mean().item()


def grad_weight_cosine(model: nn.Module, loss: torch.Tensor) -> float:
    """cos(−∇L, θ) over all parameters: near 1 when descent just scales the weights
    (naïve loss minimisation, Prieto et al., 2025). Leaves `.grad` untouched."""
    params = [p for p in model.parameters() if p.requires_grad]
    grads = torch.autograd.grad(loss, params)
    g = torch.cat([x.reshape(-1) for x in grads])
    w = torch.cat([p.detach().reshape(-1) for p in params])
    return torch.nn.functional.cosine_similarity(-g, w, dim=0).item()


def weight_norm(model: nn.Module) -> float:
    """‖θ‖₂ over all parameters."""
    return torch.sqrt(sum((p.detach() ** 2).sum() for p in model.parameters())).item()

"""Pure measurements on tensors and models: each returns a Python float, except the per-bin
breakdown `calibration_bins`, which returns tensors."""
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


def calibration_bins(logits: torch.Tensor, y: torch.Tensor, n_bins: int = 15):
    """The reliability diagram: per equal-width confidence bin B_m = ((m−1)/M, m/M], the
    count |B_m|, mean confidence conf(B_m) and accuracy acc(B_m) (three tensors; 0 where
    empty). Confidence is the top softmax probability; bins are closed on the right, as in
    the PS-KD code's `compute_bin`."""
    conf, pred = torch.softmax(logits.detach().double(), dim=1).max(dim=1)
    m = (conf * n_bins).ceil().long().clamp(1, n_bins) - 1  # bin index of each example
    count = torch.bincount(m, minlength=n_bins).double()
    mean = lambda v: torch.bincount(m, v, minlength=n_bins) / count.clamp(min=1)  # noqa: E731
    return count, mean(conf), mean((pred == y).double())


def expected_calibration_error(logits: torch.Tensor, y: torch.Tensor, n_bins: int = 15) -> float:
    """Expected calibration error (Naeini et al., 2015; Guo et al., 2017), a fraction in [0, 1]:

        ECE = Σ_m |B_m|/n · |acc(B_m) − conf(B_m)|

    over the M equal-width confidence bins of `calibration_bins`. PS-KD reports it × 100
    with M = 10; Guo et al. use M = 15."""
    count, conf, acc = calibration_bins(logits, y, n_bins)
    return ((count / len(y)) * (acc - conf).abs()).sum().item()

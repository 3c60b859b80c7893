"""Benign overfitting and grokking on XOR cluster data (Xu, Wang, Frei, Vardi & Hu, ICLR 2024).

The paper's model: a two-layer ReLU network whose second layer is fixed at ±1/√m, trained
by full-batch gradient descent on the logistic loss from a tiny initialisation. The data
are `reglab.data.xor_clusters`. Labels are in {−1, +1} and the prediction is sign f(x).
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class TwoLayerReLU(nn.Module):
    """f(x; W) = Σⱼ aⱼ ReLU(⟨wⱼ, x⟩), j = 1..m, with no biases.

    Only W (m × p) is trained. The second layer is fixed: aⱼ = +1/√m for the first m/2
    neurons and −1/√m for the rest (a buffer, so no optimizer sees it). The rows of W start
    i.i.d. N(0, ω² I_p), ω = `init_std`, small enough that f ≈ 0 before the first step.
    """

    def __init__(self, p: int, m: int, init_std: float):
        super().__init__()
        if m % 2:
            raise ValueError(f"width m must be even (half the neurons have aⱼ = +1/√m), got {m}")
        self.weight = nn.Parameter(torch.randn(m, p) * init_std)
        self.register_buffer("a", torch.cat([torch.ones(m // 2), -torch.ones(m // 2)]) / math.sqrt(m))

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # x: (B, p) -> f: (B,)
        return F.relu(x @ self.weight.T) @ self.a.to(x.dtype)


def logistic_loss(f: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """(1/n) Σᵢ log(1 + exp(−yᵢ f(xᵢ))), written as softplus so it never overflows."""
    return F.softplus(-y * f).mean()


def sign_accuracy(f: torch.Tensor, y: torch.Tensor) -> float:
    """Share of examples with sign f(x) = y (y in {−1, +1}; f = 0 counts as −1)."""
    return (torch.where(f > 0, 1.0, -1.0) == y).float().mean().item()


@torch.no_grad()
def cluster_alignment(model: TwoLayerReLU) -> tuple[float, float]:
    """How far the neurons point along their own label's clusters, and along the other's::

        own   = mean_j |⟨wⱼ, μ_{k(j)}⟩| / ‖μ‖  /  mean_j ‖wⱼ‖,   k(j) = 1 if aⱼ > 0 else 2,
        other = the same with μ₁ and μ₂ swapped,

    with μ₁ = ‖μ‖e₁ and μ₂ = ‖μ‖e₂ as in `data.xor_clusters`, so ⟨wⱼ, μₖ⟩/‖μ‖ is wⱼ's k-th
    coordinate. A network that has learned the XOR rule has its aⱼ > 0 neurons along ±μ₁
    (label +1) and its aⱼ < 0 neurons along ±μ₂ (label −1): `own` large, `other` small.
    """
    w, pos = model.weight, model.a > 0
    own = torch.where(pos, w[:, 0], w[:, 1]).abs().mean()
    other = torch.where(pos, w[:, 1], w[:, 0]).abs().mean()
    scale = w.norm(dim=1).mean()
    return (own / scale).item(), (other / scale).item()

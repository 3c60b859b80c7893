"""Benign overfitting and grokking on XOR cluster data (Xu, Wang, Frei, Vardi & Hu, ICLR 2024).

The paper's model: a two-layer ReLU network whose second layer is fixed at ±1/√m, trained
by full-batch gradient descent on the logistic loss from a tiny initialisation. The data
are `xor_clusters` below. Labels are in {−1, +1} and the prediction is sign f(x).
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..data import DatasetError, TensorSet


def xor_clusters(n: int, p: int, mu_norm: float, flip_rate: float = 0.0, seed: int = 0,
                 dtype: torch.dtype = torch.float32) -> tuple[TensorSet, torch.Tensor]:
    """n points of the paper's XOR cluster distribution in R^p, with labels in {−1, +1}:

        x = z + ξ,   z uniform on {±μ₁, ±μ₂},   ξ ~ N(0, I_p),
        clean label ỹ = +1 if z = ±μ₁, −1 if z = ±μ₂,
        observed label y = −ỹ with probability `flip_rate` (η), independently, else ỹ.

    μ₁ = ‖μ‖e₁ and μ₂ = ‖μ‖e₂ (orthogonal, of norm `mu_norm`); the noise is isotropic, so
    any orthogonal pair gives the same distribution up to a rotation. No linear classifier
    beats chance on it: x and −x have the same clean label. (Gaussian noise and independent
    flips are our reading of the paper's model; its full definition was not checked.)
    Returns (TensorSet(x, y), ỹ): the observed labels and the clean ones, as `dtype`.
    """
    if not 0.0 <= flip_rate <= 1.0:
        raise DatasetError(f"label flip rate must be in [0, 1], got {flip_rate}")
    g = torch.Generator().manual_seed(seed)
    cluster = torch.randint(4, (n,), generator=g)          # 0: +μ₁, 1: −μ₁, 2: +μ₂, 3: −μ₂
    z = torch.zeros(n, p, dtype=dtype)
    z[torch.arange(n), cluster // 2] = mu_norm * (1 - 2 * (cluster % 2)).to(dtype)
    x = z + torch.randn(n, p, generator=g, dtype=dtype)
    clean = (1 - 2 * (cluster // 2)).to(dtype)              # +1 for ±μ₁, −1 for ±μ₂
    flipped = torch.rand(n, generator=g) < flip_rate
    return TensorSet(x, torch.where(flipped, -clean, clean)), clean


def cluster_of(x: torch.Tensor) -> torch.Tensor:
    """The cluster mean each point of `xor_clusters` is nearest to: 0 for +μ₁, 1 for −μ₁,
    2 for +μ₂, 3 for −μ₂ (the order `xor_clusters` draws them in). Since
    ‖x ∓ ‖μ‖eₖ‖² = ‖x‖² ∓ 2‖μ‖xₖ + ‖μ‖², the nearest mean is the largest of ±x₁, ±x₂; it is the
    one that drew x unless the noise of one coordinate is of order ‖μ‖. A cluster and its
    antipode (0 and 1, or 2 and 3) share the clean label."""
    on_mu2 = x[:, 1].abs() > x[:, 0].abs()
    coordinate = torch.where(on_mu2, x[:, 1], x[:, 0])
    return 2 * on_mu2.long() + (coordinate < 0).long()


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

    with μ₁ = ‖μ‖e₁ and μ₂ = ‖μ‖e₂ as in `xor_clusters`, so ⟨wⱼ, μₖ⟩/‖μ‖ is wⱼ's k-th
    coordinate. A network that has learned the XOR rule has its aⱼ > 0 neurons along ±μ₁
    (label +1) and its aⱼ < 0 neurons along ±μ₂ (label −1): `own` large, `other` small.
    """
    w, pos = model.weight, model.a > 0
    own = torch.where(pos, w[:, 0], w[:, 1]).abs().mean()
    other = torch.where(pos, w[:, 1], w[:, 0]).abs().mean()
    scale = w.norm(dim=1).mean()
    return (own / scale).item(), (other / scale).item()

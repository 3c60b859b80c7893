"""Feature emergence in grokking (Tian, arXiv 2509.21519, 2025): the Li₂ quadratic network on Z_M.

Three pieces, as the official code (facebookresearch/luckmatters,
`ssl/real-dataset/cogo/modular_addition_simple2.py`) defines them:

* `critical_fraction`: the training fraction c·log M / M at which the paper's scaling law puts
  the boundary between memorisation and generalisation on a group of order M;
* `QuadraticPairNet`: the paper's two-layer network, C (A e_a + B e_b)², with one-hot inputs;
* `fourier_spectrum` / `fourier_concentration`: how much of each hidden unit's input weights
  lies on one frequency of Z_M, i.e. whether the unit has learned a Fourier feature (an
  irreducible representation of the group) or is a random memorising feature.
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn

C_CRITICAL = 2.7482  # `critical_ratio_multiplier` in the official config/dyn_madd.yaml


def critical_fraction(M: int, multiple: float = 1.0, c: float = C_CRITICAL) -> float:
    """The training fraction `multiple` × c·ln M / M, clipped to [0, 1].

    The official script sets `test_size = 1 − ln(M)/M · (c − δ)` when `use_critical_ratio`
    is on, i.e. n ≈ c·M ln M training pairs out of the M² pairs of the group. ln is the
    natural log (`math.log`), as in that script. `multiple` = 1 is the boundary itself.
    """
    if M < 2:
        raise ValueError(f"the group order M must be at least 2, got {M}")
    return min(max(multiple * c * math.log(M) / M, 0.0), 1.0)


class QuadraticPairNet(nn.Module):
    """The paper's two-layer network on a pair (a, b) of elements of Z_M:

        f(a, b) = C σ(A e_a + B e_b),   σ(z) = z²,   A, B ∈ R^{K×M},  C ∈ R^{M×K}, no biases.

    e_a is the one-hot vector of a (the official code's frozen identity embedding), so
    A e_a is column a of A: `forward` looks the two columns up instead of multiplying by a
    one-hot (same parameters, initialisation and gradients; M times cheaper), as
    `models.PairMLP` does. Layers are `nn.Linear`, so initialisation is PyTorch's default,
    as in the official code.
    """

    def __init__(self, M: int, width: int = 512):
        super().__init__()
        self.M = M
        self.A = nn.Linear(M, width, bias=False)  # weight (K, M): row j is unit j's feature of a
        self.B = nn.Linear(M, width, bias=False)
        self.C = nn.Linear(width, M, bias=False)

    def forward(self, x):  # x: (B, 2) integers in [0, M)
        h = self.A.weight.T[x[:, 0]] + self.B.weight.T[x[:, 1]]  # (B, K) = A e_a + B e_b
        return self.C(h.pow(2))  # (B, M) logits


def fourier_spectrum(*weights: torch.Tensor) -> torch.Tensor:
    """Per hidden unit, the energy of its input weights at each frequency k = 1 … ⌊M/2⌋ of Z_M.

    Each weight is (K, M): row j is unit j's weights over the M group elements (A's rows,
    B's rows). With the DFT ŵ[k] = Σ_a w[a] e^{−2πi ka/M}, a real row has |ŵ[k]| = |ŵ[M−k]|,
    so a frequency is the pair ±k; by Parseval Σ_k |ŵ[k]|² = M‖w‖², hence the division by M.
    Frequency 0, the constant component, is left out: it does not depend on a, so it
    carries no information about the operand. The energies of the several weights (A and B)
    are added, so a unit counts as a Fourier feature when A_j and B_j share one frequency.
    Returns (K, ⌊M/2⌋): entry [j, k−1] is unit j's energy at ±k.
    """
    M = weights[0].shape[1]
    power = sum(torch.fft.fft(w.detach().double(), dim=1).abs().pow(2) for w in weights) / M  # (K, M)
    half = M // 2
    pairs = power[:, 1:half + 1].clone()  # +k for k = 1 … ⌊M/2⌋
    mirror = power[:, M - half:].flip(1)  # −k = M − k, in the same order
    if M % 2 == 0:
        mirror[:, -1] = 0.0  # k = M/2 is its own mirror: count it once
    return pairs + mirror  # float64: a concentration of exactly 1 stays 1


def fourier_concentration(*weights: torch.Tensor) -> float:
    """Share of the layer's non-constant energy that lies in each unit's best frequency:

        Σ_j max_k P[j, k] / Σ_j Σ_k P[j, k],   P = fourier_spectrum(*weights).

    1 when every unit is a single Fourier mode (cos(2πka/M + φ_j) for one k per unit);
    for random Gaussian weights it is the expected largest of ⌊M/2⌋ shares (≈ 0.21 at M = 23,
    ≈ 0.12 at M = 47). Units are weighted by their energy, so the many units that weight
    decay shrinks towards zero, whose directions are noise, barely count.
    """
    P = fourier_spectrum(*weights)
    return (P.max(dim=1).values.sum() / P.sum().clamp_min(1e-30)).item()

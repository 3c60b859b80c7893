"""MixUp and AdaMixUp (Guo, Mao & Zhang, AAAI 2019): mixing inputs and targets, manifold intrusion.

MixUp (Zhang et al., 2018) trains on convex combinations of pairs of examples and of their
one-hot labels. Guo et al. read it as a regulariser *off* the data manifold, and name its
failure *manifold intrusion*: a mixed point that lands on the data of a third class carries
a soft label that contradicts the real labels there, and the model under-fits. AdaMixUp
learns the mixing policy per pair (a policy region generator) and adds an intrusion
discriminator that tells mixed points from real ones.

Equations follow the official code (github.com/SITE5039/AdaMixUp,
`GitHub.AdaMixup.AAAI.MNIST.Cifar.py`); the paper's equation numbers were not checked
against its PDF, so none are cited. Plain PyTorch; `concentric_rings` is a toy data set on
which intrusion happens by construction.
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..data import TensorSet

# --- data ---------------------------------------------------------------------------------


def concentric_rings(n_per_ring: int, radii=(1.0, 2.0, 3.0), noise: float = 0.05,
                     seed: int = 0) -> TensorSet:
    """`n_per_ring` points on each circle of radius r_k (class k), with isotropic Gaussian noise:

        x = r_k (cos θ, sin θ) + σ ξ,   θ ~ U[0, 2π),   ξ ~ N(0, I₂),   σ = `noise`.

    With radii 1, 2, 3, mixing a point of ring 1 with one of ring 3 at λ ≈ ½ (on the same
    side of the origin) lands on ring 2: manifold intrusion by construction.
    """
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(len(radii)).repeat_interleave(n_per_ring)
    theta = 2 * math.pi * torch.rand(len(y), generator=g)
    r = torch.tensor(radii, dtype=torch.float32)[y]
    x = torch.stack([r * theta.cos(), r * theta.sin()], 1) + noise * torch.randn(len(y), 2, generator=g)
    return TensorSet(x, y)


# --- mixing -------------------------------------------------------------------------------


def mix(x1: torch.Tensor, x2: torch.Tensor, y1: torch.Tensor, y2: torch.Tensor,
        lam: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """MixUp's synthetic example, one λ per pair:

        x̃ = λ x₁ + (1 − λ) x₂,   ỹ = λ y₁ + (1 − λ) y₂,

    with y₁, y₂ one-hot (or any probability vectors), so ỹ sums to 1 for λ ∈ [0, 1] (tested).
    `lam` has shape (B,); it broadcasts over the remaining dimensions of x (images too).
    """
    lx = lam.reshape(-1, *[1] * (x1.ndim - 1))
    ly = lam.reshape(-1, 1)
    return lx * x1 + (1 - lx) * x2, ly * y1 + (1 - ly) * y2


def beta_lambdas(n: int, alpha: float, device=None) -> torch.Tensor:
    """λ ~ Beta(α, α), one per pair, as in the official code's MixUp branch (`np.random.beta(
    alpha, alpha, BATCH_SIZE)`). α → 0 mixes almost nothing; large α concentrates λ at ½.

    Drawn as G₁/(G₁ + G₂) with G ~ Gamma(α, 1) from torch's global generator (which
    `training.seed_all` seeds): 7× faster per step than building `torch.distributions.Beta`,
    and in float64 so that for small α the two gammas never both underflow to 0.
    """
    g = torch._standard_gamma(torch.full((2, n), float(alpha), dtype=torch.float64))
    return (g[0] / g.sum(0)).float().to(device)


def mixup_batch(x: torch.Tensor, y: torch.Tensor, alpha: float) -> tuple[torch.Tensor, torch.Tensor]:
    """MixUp on a whole batch: each example mixed with a random partner (a permutation of the
    batch), y one-hot; returns (x̃, ỹ) to train on with soft cross-entropy."""
    perm = torch.randperm(len(x), device=x.device)
    return mix(x, x[perm], y, y[perm], beta_lambdas(len(x), alpha, x.device))


def half_batch_pairs(x: torch.Tensor, y: torch.Tensor):
    """The official AdaMixUp batch split: the first half (x₁, y₁) is mixed; its partners
    (x₂, y₂) are the first half of a permutation of the *whole* batch; the second half is kept
    as "unseen" real examples for the intrusion discriminator. Returns x₁, y₁, x₂, y₂, unseen."""
    h = len(x) // 2
    partner = torch.randperm(len(x), device=x.device)[:h]
    return x[:h], y[:h], x[partner], y[partner], x[h:2 * h]


def soft_cross_entropy(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """−Σ_c ỹ_c log softmax(z)_c, averaged; F.cross_entropy with class probabilities."""
    return F.cross_entropy(logits, target)


# --- manifold intrusion -------------------------------------------------------------------


def nearest_labels(x: torch.Tensor, train_x: torch.Tensor, train_y: torch.Tensor,
                   chunk: int = 1024) -> torch.Tensor:
    """Label of the nearest training point (Euclidean, inputs flattened) to each row of x."""
    ref = train_x.flatten(1)
    idx = torch.cat([torch.cdist(x[i:i + chunk].flatten(1), ref).argmin(1) for i in range(0, len(x), chunk)])
    return train_y[idx]


def intrusion(x_mixed: torch.Tensor, y1: torch.Tensor, y2: torch.Tensor, train_x: torch.Tensor,
              train_y: torch.Tensor) -> torch.Tensor:
    """Manifold intrusion of each mixed point (bool): its nearest training point carries
    *neither* source label, y₁ nor y₂ (integer labels). Then the soft label ỹ, which puts no
    mass on that class, contradicts real data where x̃ lands. The paper defines intrusion as
    x̃ colliding with the data manifold of another class; the nearest neighbour among the
    training points is our finite-sample stand-in for "lies on that manifold"."""
    near = nearest_labels(x_mixed, train_x, train_y)
    return (near != y1) & (near != y2)


# --- AdaMixUp -----------------------------------------------------------------------------


def truncated_normal(shape, device=None) -> torch.Tensor:
    """N(0, 1) truncated to [−2, 2] (TensorFlow's `truncated_normal`), by the inverse CDF."""
    lo = 0.5 * (1 + math.erf(-2 / math.sqrt(2)))
    u = lo + (1 - 2 * lo) * torch.rand(shape, device=device)
    return math.sqrt(2) * torch.erfinv(2 * u - 1)


def _small_linear(n_in: int, n_out: int) -> nn.Linear:
    layer = nn.Linear(n_in, n_out)
    nn.init.normal_(layer.weight, std=1e-3)  # the official code's init for every gate/discriminator FC
    nn.init.zeros_(layer.bias)
    return layer


class MixingPolicy(nn.Module):
    """AdaMixUp's policy region generator: trunk → FC(100) → FC(3) → softmax = (a, Δ, c),

        λ = a + U · Δ,   U ~ U(0, 1),   so λ ∈ [a, a + Δ] ⊆ [0, 1]  (a + Δ = 1 − c ≤ 1),

    drawn per pair and differentiable in (a, Δ) (the reparameterisation trick). Its input is
    the pair seen through noise, (m₁ ⊙ x₁ + m₂ ⊙ x₂)/2 with m truncated-normal per pixel, and
    its trunk has the classifier's architecture but its own weights (official code). The two
    FC layers have no activation between them and start at std 1e-3, so the policy starts at
    (a, Δ) = (⅓, ⅓): λ ~ U(⅓, ⅔).
    """

    def __init__(self, trunk: nn.Module, features: int):
        super().__init__()
        self.trunk = trunk
        self.head = nn.Sequential(_small_linear(features, 100), _small_linear(100, 3))

    def forward(self, x1: torch.Tensor, x2: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        gate_input = (truncated_normal(x1.shape, x1.device) * x1 + truncated_normal(x2.shape, x2.device) * x2) / 2
        p = F.softmax(self.head(self.trunk(gate_input)), dim=1)  # (B, 3): a, Δ, c
        return p[:, 0], p[:, 1]

    def sample(self, x1: torch.Tensor, x2: torch.Tensor) -> torch.Tensor:
        a, delta = self(x1, x2)
        return a + torch.rand_like(a) * delta  # (B,)


class AdaMixUp(nn.Module):
    """A classifier (`nn.Sequential` whose last layer is the linear head), the mixing policy,
    and the intrusion discriminator FC(K) → FC(2), which reads the classifier's trunk
    (shared weights, as in the official code). `forward` is the classifier alone."""

    def __init__(self, classifier: nn.Sequential, gate_trunk: nn.Module):
        super().__init__()
        features, k = classifier[-1].in_features, classifier[-1].out_features
        self.classifier = classifier
        self.policy = MixingPolicy(gate_trunk, features)
        self.discriminator = nn.Sequential(_small_linear(features, k), _small_linear(k, 2))

    def forward(self, x):
        return self.classifier(x)

    def discriminate(self, x):
        return self.discriminator(self.classifier[:-1](x))


def discriminator_batch(unseen: torch.Tensor, originals: torch.Tensor,
                        mixed: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The intrusion discriminator's training set: real examples (the unseen half and the
    originals) labelled 1, mixed ones labelled 0 (official code's `binary_labels`)."""
    x = torch.cat([unseen, originals, mixed])
    real = torch.ones(len(unseen) + len(originals), dtype=torch.long, device=x.device)
    return x, torch.cat([real, torch.zeros(len(mixed), dtype=torch.long, device=x.device)])


def adamixup_loss(model: AdaMixUp, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """One AdaMixUp step's loss on a batch (x, one-hot y), the official recipe:

        L = CE(f([x̃; x₁]), [ỹ; y₁]) + CE(D([unseen; x₁; x̃]), [1; 1; 0]),

    the classifier f trained on the mixed points *and* the clean originals of the mixed half,
    the discriminator D on real vs mixed; one optimiser for all parameters, so the policy
    gets gradients through x̃ from both terms. ỹ is detached: the official code's TF-1
    `softmax_cross_entropy_with_logits` does not backpropagate into its labels.
    """
    x1, y1, x2, y2, unseen = half_batch_pairs(x, y)
    x_mix, y_mix = mix(x1, x2, y1, y2, model.policy.sample(x1, x2))
    classify = soft_cross_entropy(model(torch.cat([x_mix, x1])), torch.cat([y_mix.detach(), y1]))
    d_x, d_y = discriminator_batch(unseen, x1, x_mix)
    return classify + F.cross_entropy(model.discriminate(d_x), d_y)


def mixup_with_originals_loss(model: nn.Module, x: torch.Tensor, y: torch.Tensor, alpha: float) -> torch.Tensor:
    """Our ablation: AdaMixUp's batch recipe with a fixed Beta(α, α) policy and no discriminator,

        L = CE(f([x̃; x₁]), [ỹ; y₁]),   λ ~ Beta(α, α),

    so the only difference from plain MixUp is that the clean originals are always trained on
    (and the unseen half is left out, as in AdaMixUp's classifier term)."""
    x1, y1, x2, y2, _ = half_batch_pairs(x, y)
    x_mix, y_mix = mix(x1, x2, y1, y2, beta_lambdas(len(x1), alpha, x.device))
    return soft_cross_entropy(model(torch.cat([x_mix, x1])), torch.cat([y_mix, y1]))

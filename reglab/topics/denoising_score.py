"""Denoising auto-encoders estimate the score (Alain & Bengio, JMLR 2014): (r(x) − x)/σ² ≈ ∇log p.

The paper's asymptotic result: the optimal reconstruction of a denoising auto-encoder (DAE)
trained with Gaussian corruption of small σ satisfies

    r*(x) = x + σ² ∂log p(x)/∂x + o(σ²),

so r(x) − x estimates the *score* of the data density, not an energy. At finite σ the optimum
is exactly the posterior mean E[x | x̃] (Tweedie / Miyasawa), which equals
x̃ + σ² ∇log p_σ(x̃) with p_σ = p ∗ N(0, σ²I): the score of the *smoothed* density.

This module holds the pieces a chapter needs to measure that on densities whose score is
known in closed form: a Gaussian mixture with isotropic components (its σ-smoothed version is
again such a mixture, each variance grown by σ²), the DAE with a residual parameterisation,
its training loss and score estimate, and a score-error metric.
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn


class GaussianMixture:
    """p(x) = Σ_k w_k N(x; μ_k, s_k² I) in d dimensions, with closed-form log-density and score.

    means: (K, d); stds: (K,); weights: (K,), summing to 1.
    """

    def __init__(self, means, stds, weights):
        self.means = torch.as_tensor(means, dtype=torch.float64).reshape(len(weights), -1)  # (K, d)
        self.stds = torch.as_tensor(stds, dtype=torch.float64)      # (K,)
        self.weights = torch.as_tensor(weights, dtype=torch.float64)  # (K,)
        if not torch.isclose(self.weights.sum(), torch.tensor(1.0, dtype=torch.float64)):
            raise ValueError(f"mixture weights must sum to 1, got {self.weights.sum().item():.6g}")

    @property
    def dim(self) -> int:
        return self.means.shape[1]

    def smoothed(self, sigma: float) -> "GaussianMixture":
        """p_σ = p ∗ N(0, σ²I): a sum of independent Gaussians adds variances, component by
        component, so the smoothed density is the same mixture with s_k² → s_k² + σ²."""
        return GaussianMixture(self.means, torch.sqrt(self.stds ** 2 + sigma ** 2), self.weights)

    def _log_joint(self, x):
        """log w_k + log N(x; μ_k, s_k² I), shape (N, K), and the differences μ_k − x, (N, K, d)."""
        x = x.to(torch.float64).reshape(-1, self.dim)
        diff = self.means[None] - x[:, None]                                     # (N, K, d)
        var = self.stds ** 2                                                     # (K,)
        log_norm = -0.5 * self.dim * torch.log(2 * math.pi * var)
        return self.weights.log() + log_norm - (diff ** 2).sum(-1) / (2 * var), diff

    def log_prob(self, x: torch.Tensor) -> torch.Tensor:
        """log p(x) for x of shape (N, d), or (N,) when d = 1; returns (N,)."""
        log_joint, _ = self._log_joint(x)
        return torch.logsumexp(log_joint, dim=1)

    def score(self, x: torch.Tensor) -> torch.Tensor:
        """∇_x log p(x) = Σ_k γ_k(x) (μ_k − x)/s_k², with γ_k the posterior responsibilities.
        Returns (N, d), in float64 (tested against autograd of `log_prob`)."""
        log_joint, diff = self._log_joint(x)
        resp = torch.softmax(log_joint, dim=1)                                   # (N, K)
        return (resp[..., None] * diff / (self.stds ** 2)[None, :, None]).sum(1)

    def sample(self, n: int, generator: torch.Generator) -> torch.Tensor:
        """n draws, (n, d) in float32: a component by its weight, then its Gaussian."""
        k = torch.multinomial(self.weights, n, replacement=True, generator=generator)
        eps = torch.randn(n, self.dim, generator=generator, dtype=torch.float64)
        return (self.means[k] + self.stds[k, None] * eps).float()


def two_gaussians_1d() -> GaussianMixture:
    """The chapter's 1-D density: 0.3 N(−1.5, 0.4²) + 0.7 N(1.5, 0.6²). Two modes and a trough
    between them, all three critical points of p, at places known to float precision."""
    return GaussianMixture([[-1.5], [1.5]], [0.4, 0.6], [0.3, 0.7])


def ring_2d(components: int = 64, radius: float = 1.0, std: float = 0.05) -> GaussianMixture:
    """A noisy circle as a Gaussian mixture: equal components spaced evenly on the circle.
    With spacing 2πr/K ≈ 2·std the density is nearly uniform along the ring (a 1-D manifold
    with Gaussian thickness), and unlike "circle + noise" its score is exact."""
    angle = torch.arange(components, dtype=torch.float64) * 2 * math.pi / components
    means = radius * torch.stack([angle.cos(), angle.sin()], dim=1)
    return GaussianMixture(means, torch.full((components,), std), torch.full((components,), 1 / components))


class ResidualDAE(nn.Module):
    """A denoising auto-encoder written as r(x) = x + σ² g(x), with g an MLP.

    It is still a reconstruction function trained on E‖r(x̃) − x‖²; the parameterisation only
    makes the paper's quantity, (r(x) − x)/σ² = g(x), the network's own output, so that its
    scale does not shrink with σ (a plain MLP r must learn the identity to a precision of σ²,
    and at σ ≤ 0.2 it did not, in the chapter's pilot).
    """

    def __init__(self, dim: int, sigma: float, width: int = 128, depth: int = 2):
        super().__init__()
        layers, d = [], dim
        for _ in range(depth):
            layers += [nn.Linear(d, width), nn.SiLU()]
            d = width
        self.g = nn.Sequential(*layers, nn.Linear(d, dim))
        self.sigma = sigma

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.sigma ** 2 * self.g(x)


def dae_loss(model: ResidualDAE, x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """The DAE criterion E‖r(x + σε) − x‖², ε ~ N(0, I), divided by σ².

    The division puts every σ on one scale (the loss is then E‖ε + σ g(x̃)‖²) and does not move
    the minimiser, r* = E[x | x̃]. Note what the target of g is: −ε/σ, whose variance grows like
    1/σ² while the score it averages to does not, the estimation side of the U-shape in σ.
    """
    sigma = model.sigma
    eps = torch.randn(x.shape, generator=generator).to(x.device)  # drawn on the CPU generator
    noisy = x + sigma * eps
    return ((model(noisy) - x) ** 2).sum(1).mean() / sigma ** 2


@torch.no_grad()
def score_estimate(model: ResidualDAE, x: torch.Tensor) -> torch.Tensor:
    """The paper's estimator of ∇log p: (r(x) − x)/σ²."""
    return (model(x) - x) / model.sigma ** 2


def relative_score_error(estimate, target, weights) -> float:
    """p-weighted relative L2 error, √(Σ w‖ŝ − s‖² / Σ w‖s‖²), on a grid x_i with w_i = p(x_i):
    the error where the data are, relative to the size of the score there."""
    estimate, target, weights = (torch.as_tensor(t, dtype=torch.float64) for t in (estimate, target, weights))
    estimate, target = estimate.reshape(len(weights), -1), target.reshape(len(weights), -1)
    num = (weights * ((estimate - target) ** 2).sum(1)).sum()
    return (num / (weights * (target ** 2).sum(1)).sum()).sqrt().item()


def zero_crossings(x, values) -> list[float]:
    """Where a function sampled on an increasing 1-D grid changes sign, by linear interpolation
    between the two samples around each change. Exact zeros count only where the sign changes
    across them (at their midpoint), so a touch of zero is not a crossing."""
    x, v = torch.as_tensor(x, dtype=torch.float64).flatten(), torch.as_tensor(values, dtype=torch.float64).flatten()
    nonzero = torch.nonzero(v).flatten().tolist()
    out = []
    for i, j in zip(nonzero, nonzero[1:]):
        a, b = v[i].item(), v[j].item()
        if a * b < 0:
            t = a / (a - b) if j == i + 1 else 0.5   # zeros in between: the middle of the run
            out.append((x[i] + (x[j] - x[i]) * t).item())
    return out


def cosine(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Row-wise cosine between two (N, d) fields."""
    return (a * b).sum(1) / (a.norm(dim=1) * b.norm(dim=1)).clamp_min(1e-12)

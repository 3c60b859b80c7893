"""Exact generalization dynamics of a linear student (Advani, Saxe & Sompolinsky, 2020).

The paper's linear setting: a teacher y = w̄·x + ε with x ~ N(0, I/N), w̄ ~ N(0, σ_w² I),
ε ~ N(0, σ_ε²); a linear student ŷ = w·x trained by full-batch gradient descent on
½ Σ_μ (y_μ − w·x_μ)² over P = αN examples. In the eigenbasis of the input correlation XᵀX
every mode learns on its own, so both the finite-size dynamics (`gd_weights`) and their
N → ∞ average over the Marchenko–Pastur spectrum (`gen_error_theory`) are closed forms.
"""
from __future__ import annotations

import numpy as np
import torch


def mp_edges(alpha: float) -> tuple[float, float]:
    """λ∓ = (1 ∓ √α)²: the edges of the Marchenko–Pastur bulk of XᵀX when x ~ N(0, I/N)."""
    return (1 - alpha ** 0.5) ** 2, (1 + alpha ** 0.5) ** 2


def mp_density(lam, alpha: float):
    """Continuous part of the Marchenko–Pastur eigenvalue density of XᵀX (per input dimension),

        ρ(λ) = √((λ₊ − λ)(λ − λ₋)) / (2πλ)  on [λ₋, λ₊].

    It integrates to min(α, 1); for α < 1 the remaining mass 1 − α is a delta at λ = 0,
    the *frozen subspace* that gradient descent never moves."""
    lo, hi = mp_edges(alpha)
    lam = np.asarray(lam, dtype=float)
    inside = (lam > lo) & (lam < hi)
    root = np.sqrt(np.clip((hi - lam) * (lam - lo), 0, None))
    return np.where(inside, root / (2 * np.pi * np.where(lam > 0, lam, 1.0)), 0.0)


def mp_quadrature(alpha: float, n: int = 20_000) -> tuple[np.ndarray, np.ndarray]:
    """Nodes λ_j and weights q_j with Σ_j q_j f(λ_j) ≈ ∫ ρ(λ) f(λ) dλ over the bulk.

    Substituting λ = m + r cos θ (m, r: centre and half-width of the bulk) turns ρ dλ into
    r² sin²θ / (2πλ) dθ, smooth even when λ₋ = 0 (α = 1). The midpoint rule in θ on [0, π]
    is then spectrally accurate (the integrand extends to a smooth periodic function)."""
    lo, hi = mp_edges(alpha)
    m, r = (hi + lo) / 2, (hi - lo) / 2
    theta = (np.arange(n) + 0.5) * np.pi / n
    lam = m + r * np.cos(theta)
    return lam, (np.pi / n) * r ** 2 * np.sin(theta) ** 2 / (2 * np.pi * lam)


def gen_error_theory(t, alpha: float, sigma_w: float = 1.0, sigma_eps: float = 1.0,
                     sigma_0: float = 0.0, n: int = 20_000) -> np.ndarray:
    """Generalization error E_g(t) = ⟨(y − ŷ)²⟩ of gradient flow (τ = 1) as N → ∞:

        E_g(t) = σ_ε² + (1 − α)₊ (σ_w² + σ₀²)
                 + ∫ ρ(λ) [ (σ_w² + σ₀²) e^{−2λt} + σ_ε² (1 − e^{−λt})² / λ ] dλ.

    Each mode's error starts at σ_w² + σ₀² (teacher plus initial weights) and decays as
    e^{−λt}, while the noise it fits grows to σ_ε²/λ: small eigenvalues learn slowly and
    overfit most. The frozen modes (mass 1 − α, λ = 0) keep their initial error forever.
    `t` may hold np.inf: the converged error, infinite at α = 1 when σ_ε > 0."""
    t = np.atleast_1d(np.asarray(t, dtype=float))[:, None]
    lam, q = mp_quadrature(alpha, n)
    decay = np.exp(-np.minimum(lam * t, 700.0))
    s2 = sigma_w ** 2 + sigma_0 ** 2
    bulk = (q * (s2 * decay ** 2 + sigma_eps ** 2 * (1 - decay) ** 2 / lam)).sum(1)
    e_g = sigma_eps ** 2 + max(1 - alpha, 0.0) * s2 + bulk
    return np.where(np.isinf(t[:, 0]) & (alpha == 1) & (sigma_eps > 0), np.inf, e_g)


def ridge_error_theory(gamma: float, alpha: float, sigma_w: float = 1.0, sigma_eps: float = 1.0,
                       n: int = 20_000) -> float:
    """E_g of ridge regression w = (XᵀX + γI)⁻¹Xᵀy as N → ∞, for comparison with early stopping:
    each mode keeps a fraction λ/(λ+γ) of its signal, so
    E_g = σ_ε² + (1 − α)₊ σ_w² + ∫ ρ(λ) [σ_w² γ² + σ_ε² λ] / (λ + γ)² dλ;
    γ = σ_ε²/σ_w² is the Bayes-optimal choice."""
    lam, q = mp_quadrature(alpha, n)
    bulk = (q * (sigma_w ** 2 * gamma ** 2 + sigma_eps ** 2 * lam) / (lam + gamma) ** 2).sum()
    return float(sigma_eps ** 2 + max(1 - alpha, 0.0) * sigma_w ** 2 + bulk)


def gd_weights(X: torch.Tensor, y: torch.Tensor, w0: torch.Tensor, lr: float, steps) -> torch.Tensor:
    """Weights after k steps of full-batch gradient descent on ½‖Xw − y‖², for each k in
    `steps` (np.inf allowed), exactly, without iterating. Rows of the result are the w_k.

    With X = U S Vᵀ, the coordinates a = Vᵀw obey a_i ← a_i − lr s_i (s_i a_i − u_iᵀy), so::

        a_i(k) = (1 − lr s_i²)^k a_i(0) + [1 − (1 − lr s_i²)^k] u_iᵀy / s_i,

    and the part of w orthogonal to V (the frozen subspace) stays at w0. Requires
    lr · s_max² ≤ 1 (every mode decays without oscillating)."""
    U, s, Vt = torch.linalg.svd(X, full_matrices=False)
    keep = s > s.max() * max(X.shape) * torch.finfo(X.dtype).eps  # numerical rank
    U, s, Vt = U[:, keep], s[keep], Vt[keep]
    if lr * s.max() ** 2 > 1 + 1e-9:
        raise ValueError(f"lr = {lr} is too large: need lr ≤ 1 / s_max² = {1 / s.max().item() ** 2:.4g}")
    k = torch.as_tensor(np.asarray(steps, dtype=float), dtype=X.dtype)[:, None]
    decay = torch.exp(k * torch.log1p(-(lr * s ** 2).clamp(max=1)).clamp(min=-1e3))  # (1 − lr s²)^k; exp(−inf) = 0 at k = inf
    a0, target = Vt @ w0, (U.T @ y) / s
    a = decay * a0 + (1 - decay) * target
    return a @ Vt + (w0 - Vt.T @ a0)

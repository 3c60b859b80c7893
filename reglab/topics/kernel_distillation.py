"""Kernel ridge self-distillation (Borup & Andersen, NeurIPS 2021): every distilled fit in closed form.

Kernel ridge regression (KRR) with kernel matrix K (n, n) on the training inputs, ridge λ
and targets t predicts f(x) = k(x)ᵀ(K + λI)⁻¹ t. Self-distillation with ground truth refits
the same model, step after step, to a mix of the labels and its own training predictions:

    step 1:  t₁ = y;        step τ > 1:  t_τ = α y + (1 − α) ŷ_{τ−1},   ŷ_τ = K (K + λI)⁻¹ t_τ.

With α = 0 this is Mobahi et al. (2020)'s pure self-distillation. Everything is linear in y,
so in the eigenbasis K = V diag(d) Vᵀ each step only rescales each eigen-coordinate: the
paper's diagonal matrices B^(τ) (the official `toy_example.ipynb`'s `Recurser`). The closed
forms below follow from that; `distill_explicit` is the definition, step by step, that the
tests hold them to. All float64 numpy: the operators are exact up to rounding.
"""
from __future__ import annotations

import numpy as np


def rbf_kernel(a: np.ndarray, b: np.ndarray, gamma: float) -> np.ndarray:
    """k(a, b) = exp(−γ ‖a − b‖²) for rows a (m, p) and b (n, p): sklearn's `rbf_kernel`,
    which the official notebook uses (γ = 80 on inputs in [0, 1])."""
    a, b = np.atleast_2d(a), np.atleast_2d(b)
    sq = (a ** 2).sum(1)[:, None] + (b ** 2).sum(1)[None, :] - 2 * a @ b.T
    return np.exp(-gamma * np.clip(sq, 0.0, None))


def krr(K: np.ndarray, Kx: np.ndarray, y: np.ndarray, lam: float) -> np.ndarray:
    """Kernel ridge regression at new points: f(x) = k(x)ᵀ (K + λI)⁻¹ y, with Kx (m, n) the
    kernel between the m new points and the n training points; y (n,) or (n, R)."""
    return Kx @ np.linalg.solve(K + lam * np.eye(len(K)), y)


def distill_explicit(K: np.ndarray, Kx: np.ndarray, y: np.ndarray, lam: float, alpha: float,
                     steps: int) -> np.ndarray:
    """The definition, one KRR fit per step: f_τ = KRR on targets α y + (1 − α) ŷ_{τ−1},
    with ŷ₀ = y (so step 1 is plain KRR). Returns f_1 … f_steps at the new points,
    (steps, m) or (steps, m, R) for y (n, R)."""
    fits, y_hat = [], y
    for _ in range(steps):
        coef = np.linalg.solve(K + lam * np.eye(len(K)), alpha * y + (1 - alpha) * y_hat)
        y_hat = K @ coef                   # the teacher's predictions on the training inputs
        fits.append(Kx @ coef)
    return np.stack(fits)


def shrinkage(d: np.ndarray, lam: float, alpha, tau) -> np.ndarray:
    """The diagonal of the paper's B^(τ): how much of y's eigen-coordinate k the τ-th fit keeps
    on the training inputs, ŷ_τ = V diag(b_τ) Vᵀ y. The official recursion is
    B^(τ) = A ((1 − α) B^(τ−1) + α I) with A = D (D + λI)⁻¹ and B^(1) = A, i.e. per coordinate
    b_τ = h (α + (1 − α) b_{τ−1}), b₀ = 1, h = d / (d + λ). Its fixed point is
    b_∞ = α d / (α d + λ), and the gap to it shrinks by (1 − α) h per step, so

        b_τ = b_∞ + ((1 − α) h)^τ (1 − b_∞),     b_∞ = α D (α D + λ I)⁻¹ (τ = ∞).

    With α = 0, b_τ = h^τ → 0: the small eigenvalues die first (the sparsification).
    `alpha` and `tau` broadcast against `d` (tau may hold np.inf)."""
    d, alpha, tau = np.asarray(d, float), np.asarray(alpha, float), np.asarray(tau, float)
    h = d / (d + lam)
    b_inf = alpha * d / (alpha * d + lam)
    rate = np.where(np.isinf(tau), 0.0, ((1 - alpha) * h) ** np.where(np.isinf(tau), 1.0, tau))
    return b_inf + rate * (1 - b_inf)


def distillation_operators(K: np.ndarray, Kx: np.ndarray, lam: float, alphas, steps: int) -> np.ndarray:
    """Closed-form linear maps y ↦ f_τ(x) for τ = 1 … steps and τ = ∞: an array
    (len(alphas), steps + 1, m, n) whose [a, τ − 1] is S with f_τ = S y (last index: f_∞).

    The τ-th student fits t_τ = α y + (1 − α) ŷ_{τ−1} = V diag(α + (1 − α) b_{τ−1}) Vᵀ y, so

        f_τ(x) = k(x)ᵀ V diag((α + (1 − α) b_{τ−1}) / (d + λ)) Vᵀ y,

    a function of the first fit's ingredients only (the paper's "calculated directly as a
    function of the initial fit"). As τ → ∞ the middle factor is α / (α d + λ) = 1 / (d + λ/α):

        f_∞(x) = α k(x)ᵀ (α K + λ I)⁻¹ y = k(x)ᵀ (K + (λ/α) I)⁻¹ y,

    KRR with the ridge amplified from λ to λ/α; for α = 0 it is the zero function. Written
    with α / (α d + λ), not 1 / (d + λ/α), so that α = 0 needs no special case."""
    d, V = np.linalg.eigh(K)               # K is symmetric positive definite for the RBF kernel
    d = np.clip(d, 0.0, None)              # rounding can leave −1e-17 on a near-singular K
    alphas = np.asarray(alphas, float)[:, None, None]                  # (A, 1, 1)
    taus = np.arange(steps, dtype=float)[None, :, None]                # τ − 1 = 0 … steps − 1
    mix = alphas + (1 - alphas) * shrinkage(d, lam, alphas, taus)      # (A, steps, n)
    coef = np.concatenate([mix / (d + lam), alphas / (alphas * d + lam)], axis=1)
    return np.einsum("mk,atk,nk->atmn", Kx @ V, coef, V)               # (A, steps + 1, m, n)

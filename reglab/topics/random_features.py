"""Random-feature ridge regression and its kernel limit (Simon, Karkada, Ghosh & Belkin, ICLR 2024), in float64.

Random-feature (RF) regression trains only the last layer of a wide one-hidden-layer
network: features φ(x) ∈ R^k are fixed at random, and ridge regression fits the readout.
Written with the kernel matrix K = ΦΦᵀ, the fit is kernel ridge regression, and as k → ∞
K converges to a fixed kernel (the *kernel limit*). Also: power-law fits, and the paper's
test risk as a function of the fitting ratio (its official plotting notebook, cell 13).
Everything here is closed-form linear algebra, so the results do not depend on an optimizer.
"""
from __future__ import annotations

import math

import numpy as np
import torch


def relu_features(x: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """ReLU random features φ(x) = √(2/(k·d)) · ReLU(W x), with W (k, d) of i.i.d. N(0, 1) entries.

    The scale makes φ(x)·φ(x') an unbiased estimate of `arccos_kernel(x, x')`, so the
    random-feature kernel converges to it as k grows (tested).
    """
    k, d = weights.shape
    return torch.relu(x.double() @ weights.double().T) * math.sqrt(2.0 / (k * d))


def arccos_kernel(x1: torch.Tensor, x2: torch.Tensor) -> torch.Tensor:
    """The k → ∞ limit of `relu_features`: the degree-1 arc-cosine kernel (Cho & Saul, 2009),

        K(x, x') = ‖x‖‖x'‖ (sin θ + (π − θ) cos θ) / (π d),   θ = angle(x, x'),

    so that K(x, x) = ‖x‖²/d.
    """
    x1, x2 = x1.double(), x2.double()
    n1, n2 = x1.norm(dim=1, keepdim=True), x2.norm(dim=1, keepdim=True)
    cos = ((x1 @ x2.T) / (n1 * n2.T)).clamp(-1.0, 1.0)
    theta = torch.arccos(cos)
    return n1 * n2.T * (torch.sin(theta) + (math.pi - theta) * cos) / (math.pi * x1.shape[1])


def kernel_ridge(k_train: torch.Tensor, k_test: torch.Tensor, y: torch.Tensor, ridge: float) -> torch.Tensor:
    """Kernel ridge regression, solved directly: f(X_test) = K(X_test, X) (K(X, X) + δ I)⁻¹ y.

    With K = ΦΦᵀ this equals the primal ridge solution w = (ΦᵀΦ + δ I)⁻¹ Φᵀ y (tested).
    """
    eye = torch.eye(len(k_train), dtype=torch.float64, device=k_train.device)
    return k_test.double() @ torch.linalg.solve(k_train.double() + ridge * eye, y.double())


def ridge_sweep(k_train: torch.Tensor, k_test: torch.Tensor, y_train: torch.Tensor,
                y_test: torch.Tensor, ridges, eig: tuple | None = None) -> dict:
    """Train and test MSE of kernel ridge regression for every ridge δ, from one eigendecomposition.

    With K = U diag(λ) Uᵀ, the fit is α(δ) = U diag(1/(λ + δ)) Uᵀ y. δ = 0 gives the ridgeless
    (minimum-norm) interpolant, through the pseudo-inverse: eigenvalues below n·ε·λ_max count as
    zero. MSE is the squared error summed over outputs, averaged over examples. `eig` is
    `torch.linalg.eigh(k_train)`, given to share one decomposition between several target sets.
    """
    lam, u = eig if eig is not None else torch.linalg.eigh(k_train.double())
    lam = lam.clamp_min(0.0)
    cutoff = len(lam) * torch.finfo(torch.float64).eps * lam.max()
    y_eig = u.T @ y_train.double()                      # targets in the kernel's eigenbasis
    k_test_u = k_test.double() @ u
    train_mse, test_mse = [], []
    for ridge in ridges:
        inv = torch.where(lam + ridge > cutoff, 1.0 / (lam + ridge), torch.zeros_like(lam))
        alpha_eig = inv[:, None] * y_eig
        train_mse.append(((u @ (lam[:, None] * alpha_eig) - y_train).pow(2).sum(1).mean().item()))
        test_mse.append(((k_test_u @ alpha_eig - y_test).pow(2).sum(1).mean().item()))
    return {"ridge": list(map(float, ridges)), "train_mse": train_mse, "test_mse": test_mse}


def best_ridge(sweep: dict) -> dict:
    """The optimally tuned point of a `ridge_sweep`: its ridge, test and train MSE and the
    fitting ratio train/test MSE (≈ 0 means the optimum interpolates: it overfits)."""
    i = int(np.argmin(sweep["test_mse"]))
    test, train = sweep["test_mse"][i], sweep["train_mse"][i]
    return {"ridge": sweep["ridge"][i], "test_mse": test, "train_mse": train, "fit_ratio": train / test}


def kernel_spectrum(k_train: torch.Tensor, y: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues λ_i of K/n, largest first, and the target's squared eigencoefficients v_i²
    (summed over outputs, normalised to sum 1): the task's *eigenstructure*."""
    lam, u = torch.linalg.eigh(k_train.double() / len(k_train))
    v2 = (u.T @ y.double()).pow(2).sum(1)
    return lam.flip(0).cpu().numpy(), (v2 / v2.sum()).flip(0).cpu().numpy()


def power_law_fit(x, y) -> tuple[float, float]:
    """Least-squares fit of y = C · x^s on log–log axes. Returns (s, C): s < 0 for a decaying loss."""
    lx, ly = np.log(np.asarray(x, dtype=float)), np.log(np.asarray(y, dtype=float))
    s, log_c = np.polyfit(lx, ly, 1)
    return float(s), float(np.exp(log_c))


def fitting_ratio_risk(ratio, alpha: float, beta: float, noise: float) -> np.ndarray:
    """The paper's test risk of the optimally regularised kernel method against its fitting
    ratio R = train MSE / test MSE, up to a factor that does not depend on R (official
    `plots/plotting.ipynb`, cell 13, `mse_theory`): with s = √R, eigenvalues λ_i ~ i^(−α),
    target weights v_i² ~ i^(−β) and noise σ² relative to the noiseless risk,

        E(R) ∝ (1 − s + α σ² (1 − s)^β) / (1 + (α − 1) s) · (1 − s)^(−β).
    """
    s = np.sqrt(np.asarray(ratio, dtype=float))
    return (1 - s + alpha * noise * (1 - s) ** beta) / (1 + (alpha - 1) * s) * (1 - s) ** (-beta)


def optimal_fitting_ratio(alpha: float, beta: float, noise: float, points: int = 100_000) -> float:
    """The R ∈ [0, 1) that minimises `fitting_ratio_risk`, on a grid of `points` values of √R
    (the dotted "optimum" lines of the paper's fitting-ratio figure). Without noise it is 0
    when β ≥ α, else √R* = (α − β)/(β(α − 1)) (tested); noise moves it towards 1."""
    s = np.linspace(0.0, 1.0, points, endpoint=False)
    return float(s[np.argmin(fitting_ratio_risk(s ** 2, alpha, beta, noise))] ** 2)

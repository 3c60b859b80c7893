"""Random-feature ridge regression, its kernel limit, and power-law fits, all in float64.

Random-feature (RF) regression trains only the last layer of a wide one-hidden-layer
network: features φ(x) ∈ R^k are fixed at random, and ridge regression fits the readout.
Written with the kernel matrix K = ΦΦᵀ, the fit is kernel ridge regression, and as k → ∞
K converges to a fixed kernel (the *kernel limit*) (Simon et al., 2024, Sec. 3).
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
                y_test: torch.Tensor, ridges) -> dict:
    """Train and test MSE of kernel ridge regression for every ridge δ, from one eigendecomposition.

    With K = U diag(λ) Uᵀ, the fit is α(δ) = U diag(1/(λ + δ)) Uᵀ y. δ = 0 gives the ridgeless
    (minimum-norm) interpolant, through the pseudo-inverse: eigenvalues below n·ε·λ_max count as
    zero. MSE is the squared error summed over outputs, averaged over examples.
    """
    lam, u = torch.linalg.eigh(k_train.double())
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
    fitting ratio train/test MSE (≈ 0 means the optimum overfits, Simon et al., 2024, Sec. 5)."""
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

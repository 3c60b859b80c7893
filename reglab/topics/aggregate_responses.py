"""Learning from aggregate responses (Javanmard et al., ICLR 2024): bag-level vs instance-level losses.

The data come in bags of k samples and only the mean response ȳ_a of each bag a is observed.
Two losses fit a model f to such data:

    bag level:       L_bag = (1/m) Σ_a (ȳ_a − f̄_a)²,                f̄_a = (1/k) Σ_{i∈a} f(x_i)
    instance level:  L_ins = (1/m) Σ_a (1/k) Σ_{i∈a} (ȳ_a − f(x_i))²

and they differ by a data-dependent regulariser, the within-bag variance of the predictions
(the paper's observation; a one-line bias–variance identity):

    L_ins = L_bag + Reg,   Reg = (1/m) Σ_a (1/k) Σ_{i∈a} (f(x_i) − f̄_a)².

For a linear model f(x) = xᵀβ the interpolating loss L_bag + ρ·Reg has a closed-form minimiser
and, given the inputs, an exact bias and variance: no Monte Carlo over the noise. ρ = 0 is the
bag-level estimator, ρ = 1 the instance-level one. Everything is numpy in float64.
"""
from __future__ import annotations

import numpy as np


def random_bags(n: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """A random partition of n samples into m = n // k bags of size k: an (m, k) index array."""
    m = n // k
    return rng.permutation(n)[: m * k].reshape(m, k)


def bag_losses(f: np.ndarray, y_bar: np.ndarray, bags: np.ndarray) -> dict:
    """L_bag, L_ins and Reg for predictions `f` (n,), bag means `y_bar` (m,) and `bags` (m, k).

    Computed each from its own definition (module docstring), so that L_ins = L_bag + Reg is
    a property to check, not a consequence of how it is computed.
    """
    fb = f[bags]                                        # (m, k): predictions, bag by bag
    f_bar = fb.mean(1)                                  # (m,)
    return {"bag": np.mean((y_bar - f_bar) ** 2),
            "instance": np.mean((y_bar[:, None] - fb) ** 2),
            "reg": np.mean((fb - f_bar[:, None]) ** 2)}


def bag_design(x: np.ndarray, bags: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(X̄, X_w): the bag-mean inputs (m, d) and the within-bag-centred inputs (m·k, d).

    For a linear model, f̄_a = x̄_aᵀβ and f(x_i) − f̄_a = (x_i − x̄_a)ᵀβ, so
    L_bag = ‖ȳ − X̄β‖²/m and Reg = ‖X_wβ‖²/(m·k).
    """
    xb = x[bags]                                        # (m, k, d)
    x_bar = xb.mean(1)                                  # (m, d)
    return x_bar, (xb - x_bar[:, None, :]).reshape(-1, x.shape[1])


def grams(x: np.ndarray, bags: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(A, B) = (X̄ᵀX̄, X_wᵀX_w / k): the two quadratic forms of L_bag + ρ·Reg (times m)."""
    x_bar, x_w = bag_design(x, bags)
    return x_bar.T @ x_bar, x_w.T @ x_w / bags.shape[1]


def interpolating_estimator(x: np.ndarray, y_bar: np.ndarray, bags: np.ndarray, rho: float) -> np.ndarray:
    """argmin_β L_bag(β) + ρ·Reg(β) for a linear model: θ̂_ρ = (A + ρB)⁻¹ X̄ᵀȳ.

    Setting the gradient of ‖ȳ − X̄β‖² + (ρ/k)‖X_wβ‖² to zero gives (X̄ᵀX̄ + (ρ/k)X_wᵀX_w)β = X̄ᵀȳ.
    ρ = 0: least squares on the bag means (bag level); ρ = 1: every instance regressed on its
    bag's mean response (instance level; tested against that regression).
    """
    x_bar, _ = bag_design(x, bags)
    a, b = grams(x, bags)
    return np.linalg.solve(a + rho * b, x_bar.T @ y_bar)


def bias_variance(a: np.ndarray, b: np.ndarray, theta: np.ndarray, sigma: float, k: int,
                  rhos) -> dict:
    """Exact conditional bias² and variance of θ̂_ρ given the inputs, for y = Xθ + ε, ε ~ N(0, σ²I).

    A bag mean has noise of variance σ²/k, so with M = (A + ρB)⁻¹:
        E θ̂_ρ = M A θ,   bias² = ‖MAθ − θ‖²,   var = E‖θ̂_ρ − Eθ̂_ρ‖² = (σ²/k)·tr(M A M),
    and risk = bias² + var is the excess test MSE E(xᵀ(θ̂ − θ))² for x ~ N(0, I).
    At ρ = 0, MA = I when A is invertible: the bag-level estimator is unbiased (exact OLS).
    """
    bias2, var = [], []
    for rho in rhos:
        m_inv = np.linalg.inv(a + rho * b)
        bias2.append(float(np.sum((m_inv @ a @ theta - theta) ** 2)))
        var.append(float(sigma ** 2 / k * np.trace(m_inv @ a @ m_inv)))
    bias2, var = np.array(bias2), np.array(var)
    return {"rho": np.asarray(rhos, dtype=float), "bias2": bias2, "var": var, "risk": bias2 + var}

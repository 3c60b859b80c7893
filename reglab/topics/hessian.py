"""Curvature for the stability bounds of SGD and GD (Wu & Su, ICML 2023), without forming H:
Hessian-vector products and the estimators built on them (trace, top eigenvalue, Frobenius
norm), plus the exact Gauss–Newton Gram matrix of a small model.

Every function takes the loss as `f(theta) -> scalar` of ONE flat parameter vector `theta`
(write the model as a function of a flat vector, or wrap it with `torch.func.functional_call`).
Sharpness measures matter for stability: gradient descent with learning rate η can only stay
at a minimum with λ_max(H) ≤ 2/η, SGD with batch size 1 only at one with Tr(H) ≤ 2/η
(Wu & Su, ICML 2023).
"""
from __future__ import annotations

from typing import Callable

import torch
from torch.func import grad, jacrev, jvp, vmap

Loss = Callable[[torch.Tensor], torch.Tensor]


def hvp(f: Loss, theta: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """H v with H = ∇²f(θ), exactly, as the directional derivative of the gradient
    (forward-over-reverse: one jvp of `grad`)::

        H v = d/dt ∇f(θ + t v) |_{t=0}

    at about the cost of two gradients, never forming the P × P matrix H.
    `v` may have a leading batch dimension (K, P): then it returns the K products.
    """
    one = lambda u: jvp(grad(f), (theta,), (u,))[1]
    return vmap(one)(v) if v.ndim == 2 else one(v)


def _probes(k: int, theta: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
    """k Rademacher vectors (entries ±1, so E[v vᵀ] = I), drawn on the CPU from `generator`."""
    signs = torch.randint(0, 2, (k, theta.numel()), generator=generator, dtype=theta.dtype)
    return (2 * signs - 1).to(theta.device)


def hutchinson_trace(f: Loss, theta: torch.Tensor, probes: int = 100, chunk: int = 100,
                     generator: torch.Generator | None = None) -> tuple[float, float]:
    """Hutchinson's estimate of Tr(H): since E[v vᵀ] = I for Rademacher v,

        Tr(H) = E[vᵀ H v] ≈ (1/K) Σ_k v_kᵀ H v_k,

    unbiased for every K. Returns (estimate, its standard error over the K probes).
    `chunk` probes are evaluated at once (memory ∝ chunk).
    """
    values = []
    for start in range(0, probes, chunk):
        v = _probes(min(chunk, probes - start), theta, generator)
        values.append((v * hvp(f, theta, v)).sum(1))
    q = torch.cat(values)
    se = q.std() / probes ** 0.5 if probes > 1 else torch.tensor(float("nan"))
    return q.mean().item(), se.item()


def frobenius_norm(f: Loss, theta: torch.Tensor, probes: int = 100, chunk: int = 100,
                   generator: torch.Generator | None = None) -> float:
    """Estimate of ‖H‖_F from E‖H v‖² = Tr(H E[v vᵀ] H) = Tr(H²) = ‖H‖_F² (Rademacher v):

        ‖H‖_F ≈ ( (1/K) Σ_k ‖H v_k‖² )^{1/2}    (the square is unbiased, the root nearly so).
    """
    total = 0.0
    for start in range(0, probes, chunk):
        v = _probes(min(chunk, probes - start), theta, generator)
        total += (hvp(f, theta, v) ** 2).sum().item()
    return (total / probes) ** 0.5


def top_eigenvalue(f: Loss, theta: torch.Tensor, iters: int = 100, tol: float = 1e-6,
                   generator: torch.Generator | None = None) -> float:
    """λ of largest magnitude of H by power iteration on Hessian-vector products
    (λ is the Rayleigh quotient)::

        u ← H u / ‖H u‖,   λ ≈ uᵀ H u

    stopped when λ changes by less than ``tol · abs(λ)``. Near a minimum H is positive
    semidefinite, so this is λ_max(H), the sharpness. It converges at rate ``abs(λ₂/λ₁)`` per
    iteration.
    """
    u = torch.randn(theta.numel(), generator=generator, dtype=theta.dtype).to(theta.device)
    u = u / u.norm()
    lam = 0.0
    for _ in range(iters):
        hu = hvp(f, theta, u)
        new = torch.dot(u, hu).item()
        u = hu / hu.norm()
        if abs(new - lam) <= tol * abs(new):
            return new
        lam = new
    return lam


def gauss_newton_gram(predict: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
                      theta: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """The n × n matrix K = J Jᵀ / n, with J the n × P Jacobian of the outputs f(x_i; θ).

    For the loss ½·mean_i (f(x_i) − y_i)² the Hessian is G + (1/n) Σ_i r_i ∇²f(x_i) with
    G = Jᵀ J / n (Gauss–Newton) and r_i the residuals; at an interpolating minimum (r = 0),
    H = G, whose nonzero eigenvalues are those of K. So Tr(H) = Tr(K) = mean_i ‖∇f(x_i)‖²
    and λ_max(H) = λ_max(K), exactly. `predict(theta, x)` returns the n outputs.
    """
    jac = jacrev(lambda t: predict(t, x))(theta)  # (n, P), one row per example
    return jac @ jac.T / len(x)

"""Grokking as the transition from lazy to rich training (Kumar, Bordelon, Gershman & Pehlevan, ICLR 2024).

The paper's model is a two-layer network with frozen readouts and a polynomial activation,

    f(x) = mean_i φ(w_i · x),    φ(z) = z + ε z²/2,

trained by full-batch gradient descent on a *centred, output-scaled* copy of itself,

    f_α(x) = α (f(x) − f₀(x)),   L = mean_μ (f_α(x_μ) − y_μ)² / α²,

where f₀ is the network at initialisation (so f_α ≡ 0 at the start). With the learning rate
fixed, the function-space dynamics do not depend on α at first order (the NTK of f_α grows as
α², the loss shrinks as 1/α²), but the weights must move α times less to fit the same
function: large α is *lazy* (the network stays close to its linearisation, i.e. kernel
regression with the NTK at initialisation, K₀) and small α is *rich* (features move).

Here: the model and the wrapper, the loss, the NTK in closed form, the exact gradient-descent
trajectory of the linearised network (kernel regression with K₀ at t = ∞), the paper's kernel
alignment and its parameter-movement measure.
"""
from __future__ import annotations

import copy

import numpy as np
import torch
import torch.nn as nn


class PolyNet(nn.Module):
    """f(x) = mean_i φ(w_i · x) with φ(z) = z + ε z²/2 and w_i ~ N(0, I_D): the paper's network
    with untrained readouts (all equal to 1/N). ε sets how much of the target's quadratic part
    the initial NTK can see (the "alignment" knob of the paper's Fig. 3b)."""

    def __init__(self, d: int, width: int, eps: float, generator: torch.Generator | None = None,
                 dtype=torch.float64):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.randn(width, d, generator=generator, dtype=dtype))  # (N, D)

    def preactivations(self, x):
        return x @ self.weight.T  # (B, N)

    def forward(self, x):
        h = self.preactivations(x)
        return (h + 0.5 * self.eps * h ** 2).mean(1)  # (B,)


class Centred(nn.Module):
    """f_α(x) = α (f(x) − f₀(x)): the output-scaled network, centred on its initial function
    (Chizat, Oyallon & Bach, 2019; the paper's "centred loss"). f₀ is a frozen copy of `model`
    taken at construction, so the output is exactly zero at initialisation whatever α is, and
    α alone moves the network between the lazy (large α) and rich (small α) regimes."""

    def __init__(self, model: nn.Module, alpha: float):
        super().__init__()
        self.alpha = alpha
        self.model = model
        self.init = copy.deepcopy(model).requires_grad_(False)

    def forward(self, x):
        with torch.no_grad():
            f0 = self.init(x)
        return self.alpha * (self.model(x) - f0)


def scaled_mse(pred: torch.Tensor, y: torch.Tensor, alpha: float) -> torch.Tensor:
    """L = mean (f_α − y)² / α² (the paper's Fig. 3 loss). Dividing by α² keeps one learning
    rate for every α: it is the same as the plain MSE with learning rate η/α² (Fig. 1's η = N/α²)."""
    return ((pred - y) ** 2).mean() / alpha ** 2


def ntk(net: Centred, x1: torch.Tensor, x2: torch.Tensor) -> torch.Tensor:
    """The empirical NTK of f_α for a `Centred` `PolyNet`, in closed form (no autograd):

        K(x, x') = Σ_i ∂f_α(x)/∂w_i · ∂f_α(x')/∂w_i = (α²/N²) (x · x') Σ_i φ'(w_i·x) φ'(w_i·x'),

    with φ'(z) = 1 + εz. The centring term f₀ has no parameters, so it does not enter."""
    poly = net.model
    n = poly.weight.shape[0]
    with torch.no_grad():
        d1 = 1 + poly.eps * poly.preactivations(x1)  # (B1, N)
        d2 = 1 + poly.eps * poly.preactivations(x2)  # (B2, N)
        return (net.alpha / n) ** 2 * (x1 @ x2.T) * (d1 @ d2.T)


def linearized_predictions(k_train: torch.Tensor, k_test: torch.Tensor, y: torch.Tensor, lr: float,
                           steps) -> torch.Tensor:
    """Predictions on the test inputs of the network *linearised* at initialisation (its output
    zero there, as f_α's is) after t steps of full-batch gradient descent on mean (f − y)² with
    step `lr`, for each t in `steps` (np.inf allowed), exactly, without iterating. Rows: the t's.

    In function space a step is f ← f − (2 lr / P) K (f − y) on the training inputs, so with
    K = V diag(λ) Vᵀ and c = 2 lr / P,

        f_test(t) = K_{test,X} V diag((1 − (1 − cλ)^t) / λ) Vᵀ y,

    and t = ∞ gives kernel regression with K: K_{test,X} K⁻¹ y (the paper's K₀ line).
    For the loss L = mean (f_α − y)² / α² at learning rate η, pass lr = η / α²."""
    lam, v = torch.linalg.eigh(k_train)
    c = 2 * lr / len(y)
    if c * lam.max() >= 1:  # every mode then decays without oscillating (and the log below exists)
        raise ValueError(f"lr = {lr} is too large: need 2 lr λ_max / P < 1 (λ_max = {lam.max().item():.4g})")
    if lam.min() <= 0:
        raise ValueError("the kernel on the training inputs is singular: kernel regression is undefined")
    t = torch.as_tensor(np.asarray(steps, dtype=float), dtype=k_train.dtype, device=k_train.device)[:, None]  # (T, 1)
    grown = -torch.expm1(t * torch.log1p(-c * lam).clamp(min=-1e3))  # 1 − (1 − cλ)^t, stable for small cλ
    grown = torch.where(torch.isinf(t), torch.ones_like(grown), grown)
    coef = (grown / lam) * (v.T @ y)  # (T, P): coordinates in the eigenbasis
    return coef @ (k_test @ v).T  # (T, B_test)


def kernel_alignment(k: torch.Tensor, y: torch.Tensor) -> float:
    """The paper's NTK alignment (its `kalignment`, plotted in Fig. 1b):

        A(K, y) = ỹᵀ K̃ ỹ / (‖K̃‖_F ‖ỹ‖²),

    with ỹ = y − mean(y) and K̃ = K minus its column means (centred on one side, as in the
    authors' code; the numerator equals ỹᵀ K ỹ since ỹ sums to zero). It is 1 for K ∝ ỹỹᵀ
    and does not change when K is multiplied by a positive number, so α drops out."""
    yc = y - y.mean()
    kc = k - k.mean(0, keepdim=True)
    return (yc @ kc @ yc / (torch.linalg.matrix_norm(kc) * (yc @ yc))).item()


def movement(net: Centred) -> float:
    """‖θ − θ₀‖² / ‖θ₀‖²: how far the weights have moved from initialisation, relative (the
    paper's Fig. 3 code records this at the end of training). Lazy networks fit the data
    while this stays small; it shrinks like 1/α² for the same function."""
    num = sum(((p - p0) ** 2).sum() for p, p0 in zip(net.model.parameters(), net.init.parameters()))
    den = sum((p0 ** 2).sum() for p0 in net.init.parameters())
    return (num / den).item()

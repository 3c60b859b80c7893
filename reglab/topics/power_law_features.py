"""Bahri et al. (2024), "Explaining Neural Scaling Laws": the linear random-feature model, exactly.

Inputs x ∈ R^M have independent coordinates of variance λ_i = i^-(1+a) (a power-law
spectrum); the teacher is y = w · x with w ~ N(0, I); the student is least squares
(minimum-norm where underdetermined) on P random projections Vx, V with N(0, 1) entries,
fitted on D samples. A fitted student is a linear map ŵ of x, and its test loss is exact:

    L = Σ_i λ_i (w_i − ŵ_i)².

ŵ depends linearly on w (ŵ = B w), so the loss averaged over teachers w ~ N(0, I) is a trace,
E_w L = tr((I − B)ᵀ Λ (I − B)): each function below returns that average, computed in closed
form for one draw of the samples and projections (no teacher is drawn). All in float64.

The two infinite limits are closed forms as well. At P = ∞ the student is min-norm
regression on x itself; at D = ∞ it is the population-optimal readout of Vx.
"""
from __future__ import annotations

import torch


def power_law_spectrum(n_modes: int, a: float, device=None) -> torch.Tensor:
    """Variances λ_i = i^-(1+a), i = 1 … n_modes: mode i carries loss λ_i w_i² ~ i^-(1+a)
    until it is resolved, so resolving the first n modes leaves a loss ~ n^-a."""
    return torch.arange(1, n_modes + 1, dtype=torch.float64, device=device) ** -(1 + a)


def unresolved_loss(lam: torch.Tensor, rows: torch.Tensor) -> torch.Tensor:
    """tr Λ − tr(Λ Π_k) for k = 1 … len(rows), where Π_k projects onto the span of the first
    k rows: the teacher-averaged loss of a student that recovers w exactly on that span.

    One QR of rowsᵀ gives every k: its first k columns q_1 … q_k span the first k rows
    (Gram–Schmidt order), so tr(Λ Π_k) = Σ_{j ≤ k} q_jᵀ Λ q_j.
    """
    q, _ = torch.linalg.qr(rows.double().T)             # (M, rows), orthonormal columns
    resolved = (lam[:, None] * q ** 2).sum(0)           # q_jᵀ Λ q_j
    return lam.sum() - torch.cumsum(resolved, 0)


def loss_vs_data(lam: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """E_w L of min-norm regression on the first D samples (rows of x), for D = 1 … len(x),
    at width P = ∞. The fit ŵ = pinv(x_D) x_D w is w projected onto the samples' span."""
    return unresolved_loss(lam, x)


def loss_vs_width(lam: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """E_w L of the best readout of the first P projections (rows of v), for P = 1 … len(v),
    at D = ∞. With S = VΛVᵀ and b = VΛw, L = wᵀΛw − bᵀS⁻¹b = ‖(I − Π) Λ^½ w‖², Π the
    projection onto the rows of VΛ^½.

    Those rows are distributed exactly as samples x are (N(0, Λ)): in this model the loss
    against width at D = ∞ and against data at P = ∞ are the same random function (the
    duality of the two resolution-limited regimes).
    """
    return unresolved_loss(lam, v * lam.sqrt())


def excess_loss_vs_data(lam: torch.Tensor, v: torch.Tensor, x: torch.Tensor, sizes) -> list[float]:
    """E_w [L(θ_D) − L(θ_∞)] at a fixed width P = len(v): least squares on the features
    f = x_D vᵀ of the first D samples (D ≥ P), against the population-optimal readout θ_∞.

    θ_D = pinv(f) x_D w =: A_D w and θ_∞ = S⁻¹ vΛ w =: A_∞ w, and L(θ) − L(θ_∞) =
    (θ − θ_∞)ᵀ S (θ − θ_∞), so the average over teachers is tr(S (A_D − A_∞)(A_D − A_∞)ᵀ).
    """
    s = (v * lam) @ v.T
    a_inf = torch.linalg.solve(s, v * lam)               # (P, M)
    out = []
    for d in sizes:
        diff = torch.linalg.pinv(x[:d] @ v.T) @ x[:d] - a_inf
        out.append(torch.trace(s @ diff @ diff.T).item())
    return out


def excess_loss_vs_width(lam: torch.Tensor, x: torch.Tensor, v: torch.Tensor, sizes) -> list[float]:
    """E_w [L(ŵ_P) − L(ŵ_∞)] at a fixed number of samples D = len(x), for widths P in `sizes`
    (P ≥ D): the min-norm fit on the first P projections, ŵ_P = v_Pᵀ pinv(x v_Pᵀ) x w, against
    the P = ∞ fit ŵ_∞ = pinv(x) x w.

    ŵ_P − ŵ_∞ = G_P x w with G_P = v_Pᵀ pinv(x v_Pᵀ) − pinv(x). The loss gap is the distance
    ‖f_P − f_∞‖² = Σ_i λ_i (ŵ_P − ŵ_∞)_i² plus a cross term 2 (ŵ_P − ŵ_∞)ᵀ Λ (ŵ_∞ − w), which
    has mean zero over teachers ((I − pinv(x) x) xᵀ = 0; tested). So the average is the
    distance's, tr(G_Pᵀ Λ G_P x xᵀ).
    """
    pinv_x, gram = torch.linalg.pinv(x), x @ x.T
    out = []
    for p in sizes:
        g = v[:p].T @ torch.linalg.pinv(x @ v[:p].T) - pinv_x   # (M, D)
        out.append(torch.trace((g.T * lam) @ g @ gram).item())
    return out

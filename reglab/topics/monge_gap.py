"""The Monge gap (Uscidda & Cuturi, ICML 2023): a regularizer that picks the optimal map among all that fit.

For a cost c and a reference measure ρ, the Monge gap of a map T is

    M^c_ρ(T) = ∫ c(x, T(x)) dρ(x) − W_c(ρ, T♯ρ)  ≥ 0,

the cost T pays to move ρ onto T♯ρ minus the cheapest way to do it. It is zero exactly when
T is c-optimal between ρ and T♯ρ. Many maps push μ onto ν; the fitting loss Δ(T♯μ, ν) (here
the Sinkhorn divergence) cannot tell them apart, and adding λ·M^c_μ(T) selects the optimal one,
for any cost and with no convexity built into the network.

Everything here is plain torch on point clouds with uniform weights: a log-domain Sinkhorn
solver, the entropic Monge gap on samples (the paper's Eq. (8), as OTT-JAX's
`ott.neural.methods.monge_gap` implements it), the exact gap on samples by an optimal
assignment (scipy), and the closed-form OT map between Gaussians that the chapter tests against.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn as nn
from scipy.optimize import linear_sum_assignment


# --- costs ---------------------------------------------------------------------------------

def cost_matrix(x: torch.Tensor, y: torch.Tensor, p: float = 2.0) -> torch.Tensor:
    """C_ij = c(x_i, y_j) = ‖x_i − y_j‖^p: p = 2 is the squared-Euclidean cost, p = 1.5 a strictly
    convex cost of the distance for which the OT map is not a gradient of a convex function."""
    sq = ((x[:, None, :] - y[None, :, :]) ** 2).sum(-1)
    if p == 2.0:
        return sq
    return (sq + 1e-12) ** (p / 2)  # the 1e-12 keeps the gradient finite at x_i = y_j


# --- entropic OT ---------------------------------------------------------------------------

@torch.no_grad()
def sinkhorn_plan(cost: torch.Tensor, eps: float, iters: int) -> torch.Tensor:
    """The entropic OT plan between two uniform clouds (n and m points), log-domain Sinkhorn:

        P = argmin_{P ∈ Π(a, b)} ⟨P, C⟩ + ε·KL(P ‖ a⊗b),   a = 1/n, b = 1/m,
        f ← −ε·LSE_j((g_j − C_ij)/ε + log b_j),   g ← −ε·LSE_i((f_i − C_ij)/ε + log a_i),
        P_ij = a_i b_j exp((f_i + g_j − C_ij)/ε).

    Log-sum-exp instead of the kernel exp(−C/ε) keeps it finite for small ε. After the last
    g-update the columns sum to b exactly; the rows converge to a."""
    n, m = cost.shape
    log_a = torch.full((n,), -float(np.log(n)), dtype=cost.dtype)
    log_b = torch.full((m,), -float(np.log(m)), dtype=cost.dtype)
    f, g = torch.zeros(n, dtype=cost.dtype), torch.zeros(m, dtype=cost.dtype)
    for _ in range(iters):
        f = -eps * torch.logsumexp((g[None, :] - cost) / eps + log_b[None, :], dim=1)
        g = -eps * torch.logsumexp((f[:, None] - cost) / eps + log_a[:, None], dim=0)
    return torch.exp((f[:, None] + g[None, :] - cost) / eps + log_a[:, None] + log_b[None, :])


@torch.no_grad()
def symmetric_sinkhorn_plan(cost: torch.Tensor, eps: float, iters: int) -> torch.Tensor:
    """The entropic plan of a cloud with itself (C symmetric, a = b uniform), where f = g and
    the averaged update of Feydy et al. (2019)

        f ← ½ (f − ε·LSE_j((f_j − C_ij)/ε + log a_j))

    has the same fixed point as `sinkhorn_plan`, converges in a handful of iterations, and
    costs one log-sum-exp per iteration instead of two."""
    n = cost.shape[0]
    log_a = torch.full((n,), -float(np.log(n)), dtype=cost.dtype)
    f = torch.zeros(n, dtype=cost.dtype)
    for _ in range(iters):
        f = 0.5 * (f - eps * torch.logsumexp((f[None, :] - cost) / eps + log_a[None, :], dim=1))
    return torch.exp((f[:, None] + f[None, :] - cost) / eps + log_a[:, None] + log_a[None, :])


def entropic_ot(x: torch.Tensor, y: torch.Tensor, eps: float, iters: int, p: float = 2.0) -> torch.Tensor:
    """W_{c,ε}(x̂, ŷ) = ⟨P, C⟩ + ε·KL(P ‖ a⊗b) at the Sinkhorn plan P, differentiable in x and y.

    The gradient comes from the envelope theorem: at the optimum, ∇W_{c,ε} = Σ_ij P_ij ∇C_ij,
    so P is computed without a graph and only ⟨P, C⟩ is differentiated (the KL term is then a
    constant). No backward pass through the Sinkhorn iterations is needed."""
    cost = cost_matrix(x, y, p)
    solve = symmetric_sinkhorn_plan if y is x else sinkhorn_plan   # W(x̂, x̂): the symmetric solver
    plan = solve(cost.detach(), eps, iters)
    n, m = cost.shape
    kl = (torch.special.xlogy(plan, plan) + plan * float(np.log(n * m))).sum() - plan.sum() + 1  # 0·log 0 = 0
    return (plan * cost).sum() + eps * kl


def sinkhorn_divergence(x: torch.Tensor, y: torch.Tensor, eps: float, iters: int, p: float = 2.0,
                        target_term: bool = True) -> torch.Tensor:
    """S_ε(x̂, ŷ) = W_{c,ε}(x̂, ŷ) − ½W_{c,ε}(x̂, x̂) − ½W_{c,ε}(ŷ, ŷ) (Feydy et al., 2019): the
    debiased entropic OT cost, ≈ 0 when the clouds match. The paper's fitting loss Δ.

    `target_term=False` leaves out −½W_{c,ε}(ŷ, ŷ): when only x̂ = T♯μ̂ depends on the
    parameters it is a constant, so the gradient is the same for a quarter less work."""
    value = entropic_ot(x, y, eps, iters, p) - 0.5 * entropic_ot(x, x, eps, iters, p)
    return value - 0.5 * entropic_ot(y, y, eps, iters, p) if target_term else value


def monge_gap(x: torch.Tensor, tx: torch.Tensor, eps: float, iters: int, p: float = 2.0) -> torch.Tensor:
    """The entropic Monge gap on samples, the paper's Eq. (8):

        M^c_{ρ̂_n, ε}(T) = (1/n) Σ_i c(x_i, T(x_i)) − W_{c,ε}(ρ̂_n, T♯ρ̂_n),

    x ~ ρ (the reference, here μ itself) and tx = T(x). The first term is the cost of the
    coupling T gives; the second the cheapest (entropic) coupling of the same two clouds.
    With ε > 0 it can dip slightly below 0 near optimality (W_{c,ε} ≥ W_c): an estimator to
    train with, not to measure with (see `exact_monge_gap`)."""
    own = cost_matrix(x, tx, p).diagonal().mean()
    return own - entropic_ot(x, tx, eps, iters, p)


# --- exact OT on samples -------------------------------------------------------------------

def exact_ot_cost(x: torch.Tensor, y: torch.Tensor, p: float = 2.0) -> float:
    """W_c between two uniform clouds of n points each: an optimal assignment (Birkhoff: some
    optimal plan is a permutation), solved exactly by scipy in float64."""
    cost = cost_matrix(x.detach().double(), y.detach().double(), p).numpy()
    rows, cols = linear_sum_assignment(cost)
    return float(cost[rows, cols].mean())


def exact_monge_gap(x: torch.Tensor, tx: torch.Tensor, p: float = 2.0) -> float:
    """M^c_{ρ̂_n}(T) = (1/n) Σ_i c(x_i, T(x_i)) − W_c(ρ̂_n, T♯ρ̂_n) with the exact W_c. It is ≥ 0
    (the identity assignment is one candidate) and 0 exactly when x_i ↦ T(x_i) is an optimal
    assignment, i.e. c-cyclically monotone on the sample."""
    cost = cost_matrix(x.detach().double(), tx.detach().double(), p).numpy()
    rows, cols = linear_sum_assignment(cost)
    # the same array and the same summation for both terms: an optimal T gives exactly 0.0
    return float(np.diag(cost).mean() - cost[rows, cols].mean())


# --- the Gaussian test case ----------------------------------------------------------------

def sqrtm_psd(a: torch.Tensor) -> torch.Tensor:
    """The symmetric square root of a positive semi-definite matrix, by eigendecomposition."""
    vals, vecs = torch.linalg.eigh(a)
    return (vecs * vals.clamp_min(0).sqrt()) @ vecs.T


def gaussian_ot_map(x: torch.Tensor, mean: torch.Tensor, cov: torch.Tensor) -> torch.Tensor:
    """The squared-Euclidean OT map from N(0, I) to N(m, A): T*(x) = m + A^{1/2} x. It is the
    gradient of the convex ½xᵀA^{1/2}x + mᵀx (Brenier), so it is the unique optimal map; any
    other m + B x with BBᵀ = A (e.g. B = LR, L the Cholesky factor and R a rotation) also pushes
    N(0, I) onto N(m, A) but moves the mass at a higher cost."""
    return mean + x @ sqrtm_psd(cov).T


def rotation(angle: float) -> torch.Tensor:
    c, s = float(np.cos(angle)), float(np.sin(angle))
    return torch.tensor([[c, -s], [s, c]])


# --- the map -------------------------------------------------------------------------------

class ResidualMap(nn.Module):
    """T(x) = x + MLP(x): an unconstrained map, no convexity, no gradient structure. The residual
    form starts near the identity, a bias towards short, nearly optimal moves (see the chapter)."""

    def __init__(self, dim: int = 2, hidden: int = 64, layers: int = 2):
        super().__init__()
        widths = [dim] + [hidden] * layers
        blocks = [m for a, b in zip(widths, widths[1:]) for m in (nn.Linear(a, b), nn.GELU())]
        self.net = nn.Sequential(*blocks, nn.Linear(hidden, dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.net(x)

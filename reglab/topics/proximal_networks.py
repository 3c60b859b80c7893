"""Learned proximal networks (Fang, Buchanan & Sulam, ICLR 2024): a network that is exactly a prox.

If ψ is convex and differentiable, f = ∇ψ is the proximal operator of some regularizer R,
f(y) = argmin_x ½‖y − x‖² + R(x), and R can be read back from ψ. An input-convex network
(non-negative weights on the hidden path, convex non-decreasing activations) gives such a ψ,
so its gradient is a "learned proximal network" (LPN). Which R it learns depends on the loss:
trained to denoise y = x + σ·noise, squared error gives the posterior mean E[x | y], absolute
error the posterior median, and only the *proximal-matching* loss, 1 − exp(−‖f(y) − x‖²/γ²)
with γ annealed towards 0, the MAP denoiser prox_{−σ² log p}, whose R is the true log-prior.

The paper's 1-D toy, reproduced here: x ~ Laplace(0, b), σ = 1. The MAP denoiser is then the
soft-threshold at σ²/b and R(x) = (σ²/b)|x|; the posterior mean and median have closed forms.
Official code: github.com/ZhenghanFang/learned-proximal-networks, `exps/laplacian/`.
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn

# The official γ schedule for proximal matching (`laplacian_train.ipynb`), run after the ℓ1
# stage with the same Adam state: (γ, steps, learning rate), 24k steps at batch 2000.
PAPER_PM_STAGES = ((0.5, 2000, 1e-3), (0.5, 2000, 1e-4), (0.4, 4000, 1e-4), (0.3, 4000, 1e-4),
                   (0.2, 4000, 1e-5), (0.1, 4000, 1e-5), (0.1, 4000, 1e-6))


# --- the network ---------------------------------------------------------------------------

class LPN(nn.Module):
    """f = ∇ψ for an input-convex ψ: the official 1-D LPN (`exps/laplacian/network.py`).

        z₁ = s(W₀ y),   z_{k+1} = s(W_k z_k + A_k y + a_k),   ψ(y) = w·z_L + A_L y + a_L,

    s = softplus with sharpness β (convex, non-decreasing). ψ is convex when W₁, …, W_L and w
    are ≥ 0 (`clip_weights_` after every step, as the official `wclip`); W₀ and the input
    skips A_k are free, since an affine map of y keeps convexity.
    """

    def __init__(self, in_dim: int = 1, hidden: int = 50, layers: int = 4, beta: float = 10.0):
        super().__init__()
        self.lin = nn.ModuleList([nn.Linear(in_dim, hidden, bias=False),
                                  *[nn.Linear(hidden, hidden, bias=False) for _ in range(layers)],
                                  nn.Linear(hidden, 1, bias=False)])
        self.res = nn.ModuleList([*[nn.Linear(in_dim, hidden) for _ in range(layers)],
                                  nn.Linear(in_dim, 1)])
        self.act = nn.Softplus(beta=beta)
        self.clip_weights_()  # convex from the start (the official code clips after step 1)

    def constrained(self) -> list[torch.Tensor]:
        """The weights that must stay ≥ 0 for ψ to be convex."""
        return [layer.weight for layer in self.lin[1:]]

    @torch.no_grad()
    def clip_weights_(self) -> None:
        for w in self.constrained():
            w.clamp_(min=0)

    def psi(self, y: torch.Tensor) -> torch.Tensor:
        """The convex potential ψ(y), one value per row of y: (n, d) -> (n,)."""
        z = self.act(self.lin[0](y))
        for core, res in zip(self.lin[1:-1], self.res[:-1]):
            z = self.act(core(z) + res(y))
        return (self.lin[-1](z) + self.res[-1](y)).squeeze(-1)

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        """f(y) = ∇ψ(y), differentiable in the weights (create_graph) so that it can be trained."""
        with torch.enable_grad():
            if not y.requires_grad:
                y = y.detach().requires_grad_(True)
            (grad,) = torch.autograd.grad(self.psi(y).sum(), y, create_graph=True)
        return grad


# --- the losses ----------------------------------------------------------------------------

def proximal_matching_loss(out: torch.Tensor, target: torch.Tensor, gamma: float) -> torch.Tensor:
    """L_PM = mean over the batch of 1 − exp(−‖f(y) − x‖²/γ²), as in the official code.

    As γ → 0 this is minus a mollified Dirac at the target: its minimiser approaches the
    posterior *mode*, i.e. the MAP denoiser (the paper's Theorem on proximal matching). The
    paper's statement carries a normalising constant in front; the code, and we, drop it:
    it rescales the loss and so only the effective learning rate.
    """
    sq = ((out - target) ** 2).flatten(1).sum(1)
    return (1 - torch.exp(-sq / gamma ** 2)).mean()


# --- the Laplace toy in closed form --------------------------------------------------------

def sample_laplace(n: int, b: float, generator: torch.Generator | None = None) -> torch.Tensor:
    """n draws of Laplace(0, b), density exp(−|x|/b)/(2b), by inverting the CDF: (n, 1)."""
    u = torch.rand(n, 1, generator=generator, dtype=torch.float64) - 0.5   # U(−½, ½)
    u = u.clamp(-0.5 + 1e-12, 0.5 - 1e-12)                                  # keep log finite
    return (-b * torch.sign(u) * torch.log1p(-2 * u.abs())).float()


def soft_threshold(y: torch.Tensor, lam: float) -> torch.Tensor:
    """prox_{λ|·|}(y) = sign(y)·max(|y| − λ, 0): the MAP denoiser of the Laplace prior with
    λ = σ²/b (official `utils.soft_thr`)."""
    return torch.sign(y) * torch.clamp(y.abs() - lam, min=0)


def _laplace_posterior_parts(y: torch.Tensor, b: float, sigma: float):
    """The posterior p(x | y) ∝ exp(−|x|/b − (x − y)²/(2σ²)) is two truncated Gaussians:
    on x > 0 one centred at μ₊ = y − σ²/b, on x < 0 one at μ₋ = y + σ²/b, with log-weights
    log w₊ = −y/b + log Φ(μ₊/σ) and log w₋ = y/b + log Φ(−μ₋/σ) (completing the square)."""
    y = y.double()
    mu_p, mu_m = y - sigma ** 2 / b, y + sigma ** 2 / b
    log_wp = -y / b + torch.special.log_ndtr(mu_p / sigma)
    log_wm = y / b + torch.special.log_ndtr(-mu_m / sigma)
    return mu_p, mu_m, log_wp, log_wm


def laplace_posterior_mean(y: torch.Tensor, b: float, sigma: float) -> torch.Tensor:
    """E[x | y] for x ~ Laplace(0, b), y = x + N(0, σ²): what ℓ2 training learns.

    E = p₊·(μ₊ + σ·φ(μ₊/σ)/Φ(μ₊/σ)) + p₋·(μ₋ − σ·φ(μ₋/σ)/Φ(−μ₋/σ)), with p± = w±/(w₊ + w₋),
    the means of the two truncated Gaussians (`_laplace_posterior_parts`)."""
    mu_p, mu_m, log_wp, log_wm = _laplace_posterior_parts(y, b, sigma)
    p_plus = torch.sigmoid(log_wp - log_wm)
    # φ/Φ (inverse Mills ratio) in log space, finite far in the tails
    mills_p = torch.exp(_log_phi(mu_p / sigma) - torch.special.log_ndtr(mu_p / sigma))
    mills_m = torch.exp(_log_phi(mu_m / sigma) - torch.special.log_ndtr(-mu_m / sigma))
    return (p_plus * (mu_p + sigma * mills_p) + (1 - p_plus) * (mu_m - sigma * mills_m)).float()


def laplace_posterior_median(y: torch.Tensor, b: float, sigma: float) -> torch.Tensor:
    """The median of p(x | y): what ℓ1 training learns. Odd in y, so solve for y ≤ 0, where the
    median m ≤ 0 lies in the negative piece: P(x ≤ m | y) = p₋·Φ((m − μ₋)/σ)/Φ(−μ₋/σ) = ½, i.e.

        m = μ₋ + σ·Φ⁻¹(Φ(−μ₋/σ) / (2 p₋)).
    """
    s = torch.where(y > 0, -1.0, 1.0).double()
    mu_p, mu_m, log_wp, log_wm = _laplace_posterior_parts(-(y.double().abs()), b, sigma)
    p_minus = torch.sigmoid(log_wm - log_wp)                    # ≥ ½ for y ≤ 0
    level = torch.special.ndtr(-mu_m / sigma) / (2 * p_minus)   # in (0, 1]
    m = mu_m + sigma * torch.special.ndtri(level.clamp(max=1.0))
    return (s * m.clamp(max=0.0)).float()


def _log_phi(t: torch.Tensor) -> torch.Tensor:
    return -0.5 * t ** 2 - 0.5 * math.log(2 * math.pi)


# --- reading the prior back ----------------------------------------------------------------

def recover_prior(psi, x: torch.Tensor, bound: float = 20.0, iters: int = 60) -> torch.Tensor:
    """R(x) for the 1-D prox f = ψ', by a convex solve (official `utils.prior`, which inverts f):

        R(x) = x·y* − ψ(y*) − ½x²,   y* = f⁻¹(x) = argmin_y ψ(y) − x·y.

    The first two terms are the convex conjugate ψ*(x) = max_y x·y − ψ(y), so R is defined
    even where f is flat and y* is not unique (the soft-threshold's dead zone): every
    minimiser gives the same value. The objective is convex in y with derivative f(y) − x,
    which is non-decreasing, so bisection on it over [−bound, bound] finds y* to float
    precision and cannot diverge. A network's f is bounded (ψ grows linearly far out), so
    some x lie outside its range: there R = +inf (no y in the bracket reaches x), not a
    number a solver happened to stop at. R is defined up to a constant; x: (n, 1) -> (n,).
    """
    def grad(y):
        with torch.enable_grad():
            y = y.detach().requires_grad_(True)
            return torch.autograd.grad(psi(y).sum(), y)[0]

    lo, hi = torch.full_like(x, -bound), torch.full_like(x, bound)
    for _ in range(iters):
        mid = (lo + hi) / 2
        below = grad(mid) < x             # f(mid) < x: the minimiser lies to the right
        lo, hi = torch.where(below, mid, lo), torch.where(below, hi, mid)
    y = (lo + hi) / 2
    with torch.no_grad():
        r = (x * y).sum(1) - psi(y) - 0.5 * (x ** 2).sum(1)
    outside = (y.abs() > bound * (1 - 1e-6)).any(1)
    return torch.where(outside, torch.full_like(r, float("inf")), r)


def prior_on_curve(model: LPN, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The same R without a solve, along the curve x = f(y): R(f(y)) = ⟨f(y), y⟩ − ψ(y) − ½‖f(y)‖².
    Returns (f(y), R(f(y))), (n, d) and (n,): the check on `recover_prior` (tested)."""
    fx = model(y).detach()
    with torch.no_grad():
        return fx, (fx * y).sum(1) - model.psi(y) - 0.5 * (fx ** 2).sum(1)

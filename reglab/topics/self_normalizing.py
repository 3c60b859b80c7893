"""Self-Normalizing Neural Networks (Klambauer, Unterthiner, Mayr & Hochreiter, NeurIPS 2017).

SELU (Eq. 2) with LeCun-normal weights makes the map g: (μ, ν) ↦ (μ̃, ν̃) from one layer's
activation mean and variance to the next (Eqs. 3–5) a contraction around the fixed point
(0, 1) (Eq. 6, Theorem 1). Here: g in closed form, its Jacobian by autograd, the constants
λ01 and α01 recovered by solving g(0, 1) = (0, 1), alpha-dropout with its affine correction,
random deep networks to watch (μ, ν) travel through the layers, and deep MLPs (SELU with
LeCun-normal init; ReLU with He init; optional BatchNorm) as the official `figure1/run.py`
builds them. Everything of the map runs in float64: the fixed point is checked to 1e-10.
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn
from torch.func import jacrev, vmap

# The paper's constants for the fixed point (0, 1), to the digits of the official `selu.py`;
# the paper prints α01 ≈ 1.6733 and λ01 ≈ 1.0507 (Sec. "Stable and Attracting Fixed Point").
ALPHA_01 = 1.6732632423543772848170429916717
LAMBDA_01 = 1.0507009873554804934193349852946
ALPHA_PRIME = -LAMBDA_01 * ALPHA_01   # α′ = −λα = lim_{x→−∞} selu(x), where alpha-dropout sets units


def selu(x: torch.Tensor, lam: float = LAMBDA_01, alpha: float = ALPHA_01) -> torch.Tensor:
    """Eq. (2): selu(x) = λ·x for x > 0, λ·(α eˣ − α) for x ≤ 0.

    `x.clamp(max=0)` keeps the unused branch finite, so autograd never multiplies 0 by inf.
    """
    return lam * torch.where(x > 0, x, alpha * torch.expm1(x.clamp(max=0)))


def constants_closed_form() -> tuple[float, float]:
    """(λ01, α01) in closed form (the paper's Eq. 14, as the official getSELUparameters.ipynb
    writes it): α01 = −√(2/π) / (erfc(1/√2)·√e − 1), and λ01 from the variance equation."""
    ec, e = math.erfc(1 / math.sqrt(2)), math.e
    alpha = -math.sqrt(2 / math.pi) / (ec * math.sqrt(e) - 1)
    lam = (1 - math.sqrt(e) * ec) * math.sqrt(
        2 * math.pi / (2 + math.pi - 2 * math.sqrt(e) * (2 + math.pi) * ec
                       + e * math.pi * ec ** 2 + 2 * e ** 2 * math.erfc(math.sqrt(2))))
    return lam, alpha


# --- the mean/variance map g --------------------------------------------------------------

def moment_map(mu, nu, omega=0.0, tau=1.0, lam=LAMBDA_01, alpha=ALPHA_01):
    """(μ̃, ν̃) = g(μ, ν) for net inputs z ~ N(μω, ντ) (Eq. 3), in closed form, Eqs. (4)–(5):

        μ̃ = ½λ( μω·erf(μω/√(2ντ)) + α e^{μω+ντ/2} erfc((μω+ντ)/√(2ντ)) − α erfc(μω/√(2ντ))
               + √(2/π) √(ντ) e^{−(μω)²/(2ντ)} + μω ),
        ν̃ = ½λ²( ((μω)² + ντ)(2 − erfc(μω/√(2ντ)))
               + α²( −2 e^{μω+ντ/2} erfc((μω+ντ)/√(2ντ)) + e^{2(μω+ντ)} erfc((μω+2ντ)/√(2ντ))
                     + erfc(μω/√(2ντ)) )
               + √(2/π) μω √(ντ) e^{−(μω)²/(2ντ)} ) − μ̃².

    ω = Σwᵢ and τ = Σwᵢ² summarise the weights (LeCun init: ω = 0, τ = 1 in expectation).
    Broadcasts over tensors. The products eᵃ·erfc(b) are written erfcx(b)·e^{a−b²}, with
    a − b² = −(μω)²/(2ντ) in both: the same value, but no overflow × underflow at large ντ
    (Theorem 2 needs ν up to 16).
    """
    m, v = mu * omega, nu * tau                    # mean and variance of the net input z
    s = torch.sqrt(2 * v)
    gauss = torch.exp(-m ** 2 / (2 * v))
    e1 = torch.special.erfcx((m + v) / s) * gauss  # = e^{m + v/2} erfc((m + v)/√(2v))
    e2 = torch.special.erfcx((m + 2 * v) / s) * gauss  # = e^{2(m + v)} erfc((m + 2v)/√(2v))
    c = torch.erfc(m / s)
    mu_new = 0.5 * lam * (m * torch.erf(m / s) + alpha * e1 - alpha * c
                          + math.sqrt(2 / math.pi) * torch.sqrt(v) * gauss + m)
    nu_new = 0.5 * lam ** 2 * ((m ** 2 + v) * (2 - c) + alpha ** 2 * (-2 * e1 + e2 + c)
                               + math.sqrt(2 / math.pi) * m * torch.sqrt(v) * gauss) - mu_new ** 2
    return mu_new, nu_new


def g(state: torch.Tensor, omega=0.0, tau=1.0, lam=LAMBDA_01, alpha=ALPHA_01) -> torch.Tensor:
    """Eq. (1) on a stacked state (μ, ν) → (μ̃, ν̃): the form autograd differentiates."""
    return torch.stack(moment_map(state[0], state[1], omega, tau, lam, alpha))


def jacobian(mu, nu, omega=0.0, tau=1.0) -> torch.Tensor:
    """𝒥(μ, ν) = ∂(μ̃, ν̃)/∂(μ, ν) (Eq. 6) by reverse-mode autograd (`torch.func.jacrev`),
    vectorised over any broadcastable μ, ν, ω, τ: returns (..., 2, 2) in float64."""
    mu, nu, omega, tau = torch.broadcast_tensors(*(torch.as_tensor(t, dtype=torch.float64)
                                                  for t in (mu, nu, omega, tau)))
    shape = mu.shape
    state = torch.stack([mu.reshape(-1), nu.reshape(-1)], -1)            # (N, 2)
    jac = vmap(jacrev(g))(state, omega.reshape(-1), tau.reshape(-1))      # (N, 2, 2)
    return jac.reshape(*shape, 2, 2)


def spectral_norm(jac: torch.Tensor) -> torch.Tensor:
    """Largest singular value of each 2×2 Jacobian: g is a contraction where it is < 1."""
    return torch.linalg.matrix_norm(jac, ord=2)


def iterate(mu, nu, layers: int, omega=0.0, tau=1.0) -> torch.Tensor:
    """(μ, ν) after 0, 1, …, `layers` applications of g: (layers + 1, 2, ...) in float64."""
    state = torch.stack(torch.broadcast_tensors(torch.as_tensor(mu, dtype=torch.float64),
                                                torch.as_tensor(nu, dtype=torch.float64)))
    path = [state]
    for _ in range(layers):
        state = torch.stack(moment_map(state[0], state[1], omega, tau))
        path.append(state)
    return torch.stack(path)


def fixed_point(omega, tau, layers: int = 200) -> tuple[torch.Tensor, torch.Tensor]:
    """The fixed point (μ*, ν*) of g at weights (ω, τ), by iterating from (0, 1): Banach's
    theorem (Theorem 1) says the iteration converges on Ω. Also returns the last step's size."""
    omega, tau = (torch.as_tensor(t, dtype=torch.float64) for t in (omega, tau))
    path = iterate(torch.zeros_like(omega + tau), torch.ones_like(omega + tau), layers, omega, tau)
    return path[-1], (path[-1] - path[-2]).abs().amax(0)


def solve_constants(mu: float = 0.0, nu: float = 1.0, start=(1.0, 1.5), steps: int = 30) -> tuple[float, float]:
    """(λ, α) with g(μ, ν) = (μ, ν) at ω = 0, τ = 1 — at (0, 1) the paper's λ01, α01 — by
    Newton's method on the residual g(μ, ν; λ, α) − (μ, ν), its Jacobian by `jacrev`.
    As the official getSELUparameters.ipynb does with sympy's nsolve."""
    target = torch.tensor([mu, nu], dtype=torch.float64)

    def residual(params):
        return g(target, 0.0, 1.0, params[0], params[1]) - target

    params = torch.tensor(start, dtype=torch.float64)
    for _ in range(steps):
        params = params - torch.linalg.solve(jacrev(residual)(params), residual(params))
    return float(params[0]), float(params[1])


# --- dropout that keeps the fixed point --------------------------------------------------

def alpha_dropout_affine(p: float, alpha_prime: float = ALPHA_PRIME) -> tuple[float, float]:
    """a and b of alpha-dropout (Sec. "New Dropout Technique"), with keep rate q = 1 − p:

        a = (q + α′² q (1 − q))^(−1/2),   b = −a (1 − q) α′,

    so that a·(x d + α′(1 − d)) + b has mean 0 and variance 1 when x does (d ~ Bernoulli(q))."""
    q = 1.0 - p
    a = (q + alpha_prime ** 2 * q * (1 - q)) ** -0.5
    return a, -a * (1 - q) * alpha_prime


def alpha_dropout(x: torch.Tensor, p: float, training: bool = True,
                  generator: torch.Generator | None = None) -> torch.Tensor:
    """Alpha-dropout: each unit is set to α′ = −λα with probability p (not to 0, which for
    SELU is not the low-variance value), then a·(·) + b restores mean 0 and variance 1."""
    if not training or p == 0:
        return x
    keep = torch.rand(x.shape, generator=generator).to(x.device) >= p
    a, b = alpha_dropout_affine(p)
    return a * torch.where(keep, x, torch.full_like(x, ALPHA_PRIME)) + b


def dropout_moments(mu, nu, p: float, kind: str):
    """Mean and variance after dropout (keep rate q = 1 − p) of activations with mean μ and
    variance ν. "alpha": a(x d + α′(1 − d)) + b has mean a(qμ + (1 − q)α′) + b and variance
    a² q((1 − q)(α′ − μ)² + ν), the paper's formulas before it solves for a and b.
    "standard" (inverted): mean μ, variance (ν + μ²)/q − μ², since E[(x d/q)²] = E[x²]/q."""
    q = 1.0 - p
    if kind == "alpha":
        a, b = alpha_dropout_affine(p)
        return a * (q * mu + (1 - q) * ALPHA_PRIME) + b, a ** 2 * q * ((1 - q) * (ALPHA_PRIME - mu) ** 2 + nu)
    if kind == "standard":
        return mu, (nu + mu ** 2) / q - mu ** 2
    raise ValueError(f"kind must be 'alpha' or 'standard', got {kind!r}")


def fixed_point_with_dropout(p: float, kind: str, layers: int = 200) -> tuple[float, float]:
    """The fixed point of a SELU layer followed by dropout, (μ, ν) ↦ dropout(g(μ, ν)) at ω = 0,
    τ = 1, by iteration from (0, 1): where a deep network with that dropout settles."""
    mu, nu = torch.tensor(0.0, dtype=torch.float64), torch.tensor(1.0, dtype=torch.float64)
    for _ in range(layers):
        mu, nu = dropout_moments(*moment_map(mu, nu), p, kind)
    return float(mu), float(nu)


def inverted_dropout(x: torch.Tensor, p: float, training: bool = True,
                     generator: torch.Generator | None = None) -> torch.Tensor:
    """Standard (inverted) dropout: zero with probability p, survivors scaled by 1/(1 − p),
    which keeps the mean but not the variance. The control for alpha-dropout."""
    if not training or p == 0:
        return x
    keep = torch.rand(x.shape, generator=generator).to(x.device) >= p
    return x * keep / (1 - p)


# --- networks -----------------------------------------------------------------------------

# Weight std √(scale / fan_in), as the official figure1/run.py: LeCun (1) for SELU and tanh,
# He (2) for ReLU. The paper's initialisation (Sec. "Initialization") is the SELU row.
INIT_SCALE = {"selu": 1.0, "tanh": 1.0, "relu": 2.0}
ACTIVATION = {"selu": selu, "tanh": torch.tanh, "relu": torch.relu}
DROPOUT = {"alpha": alpha_dropout, "standard": inverted_dropout}


def propagate(x: torch.Tensor, depth: int, activation: str = "selu", dropout: str | None = None,
              p: float = 0.0, generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Push inputs x (N, n) through `depth` random layers y = f(W y), W ~ N(0, scale/n),
    no biases, with optional dropout after each activation. Returns the mean and variance of
    all activations after each layer, (depth,) each: the empirical (μ, ν) of Eq. (1)."""
    n, act = x.shape[1], ACTIVATION[activation]
    std = math.sqrt(INIT_SCALE[activation] / n)
    means, variances = [], []
    for _ in range(depth):
        w = torch.randn(n, n, generator=generator, dtype=x.dtype).to(x.device) * std
        x = act(x @ w)
        if dropout:
            x = DROPOUT[dropout](x, p, generator=generator)
        means.append(x.mean())
        variances.append(x.var())
    return torch.stack(means), torch.stack(variances)


def deep_mlp(in_dim: int, num_classes: int, width: int, depth: int, activation: str = "selu",
             batchnorm: str | None = None) -> nn.Sequential:
    """`depth` hidden layers of `width` units and a linear output, each weight matrix drawn
    from N(0, scale/fan_in) (LeCun for SELU and tanh, He for ReLU), biases zero.

    `batchnorm`: None; "before" the activation (Linear → BN → act, the common order); or
    "after" it (Linear → act → BN, the order of the official figure1/run.py)."""
    acts = {"selu": nn.SELU, "tanh": nn.Tanh, "relu": nn.ReLU}  # torch's SELU = Eq. (2) (tested)
    layers: list[nn.Module] = []
    sizes = [in_dim] + [width] * depth
    for a, b in zip(sizes[:-1], sizes[1:]):
        linear = nn.Linear(a, b)
        nn.init.normal_(linear.weight, std=math.sqrt(INIT_SCALE[activation] / a))
        nn.init.zeros_(linear.bias)
        block = [linear, acts[activation]()]
        if batchnorm == "before":
            block.insert(1, nn.BatchNorm1d(b))
        elif batchnorm == "after":
            block.append(nn.BatchNorm1d(b))
        elif batchnorm is not None:
            raise ValueError(f"batchnorm must be None, 'before' or 'after', got {batchnorm!r}")
        layers += block
    out = nn.Linear(width, num_classes)   # the readout: LeCun normal, whatever the activation
    nn.init.normal_(out.weight, std=math.sqrt(1.0 / width))
    nn.init.zeros_(out.bias)
    layers.append(out)
    return nn.Sequential(*layers)

"""Width-scaled parametrizations of an MLP (Yang & Hu, Tensor Programs IV, ICML 2021): SP, NTK and μP in abc-notation.

An L-hidden-layer perceptron (the paper's Eq. 1) computes h¹ = W¹ξ, xˡ = φ(hˡ),
hˡ⁺¹ = Wˡ⁺¹xˡ and the logits f = Wᴸ⁺¹xᴸ. An *abc-parametrization* (Sec. 3.2, Eq. 1 and the
lines under it) fixes, for width n,

    (a) a forward multiplier:   Wˡ = n^(−aₗ) wˡ, with wˡ the trained parameter,
    (b) the initialisation:     wˡ ~ N(0, n^(−2bₗ)),
    (c) the SGD learning rate:  η n^(−c).

`TABLE` transcribes the paper's Table 1 (arXiv v3), μP being Definition 5.1. The paper keeps
only the powers of n and drops width-independent constants (its footnote 4); we keep two, so
that every parametrization is the same ordinary network at a base width n₀: n is replaced by
the width multiplier m = n/n₀, and wˡ is drawn with the base network's fan-in variance,
1/d for the input layer and 1/n₀ after it. At n = n₀ all three rows are that network, trained
with learning rate η.

Eq. (5), the symmetry of the family: (aₗ, bₗ, c) → (aₗ + θ, bₗ − θ, c − 2θ) changes nothing,
and with a different θ per layer it trades a forward multiplier for a per-layer learning
rate (footnote 3). With θₗ = −aₗ every multiplier is 1: the "SP form" that libraries use
(`ParamMLP(..., sp_form=True)`): μP is then fan-in init for the input and hidden layers,
readout variance 1/n² and learning rates η·n, η, η/n (tested to train identically).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass(frozen=True)
class Parametrization:
    """One column of the paper's Table 1: exponents aₗ and bₗ for the layers l = 1 … L+1
    (input, hidden…, readout) and the learning-rate exponent c."""
    name: str
    a: tuple[float, ...]
    b: tuple[float, ...]
    c: float

    @property
    def depth(self) -> int:
        """L, the number of hidden layers."""
        return len(self.a) - 1


# The paper's Table 1 (arXiv v3; "Recall the MLP definition ..."), per role of a layer:
# (a, b) for the input layer l = 1, the hidden layers 2 ≤ l ≤ L and the readout l = L+1, and c.
TABLE = {
    # "SP (w/ LR 1/n)": PyTorch's fan-in default, with the learning rate it needs to stay
    # stable (Theorem 4.1); the default c = 0 blows up (Sec. 4).
    "sp": dict(input=(0.0, 0.0), hidden=(0.0, 0.5), readout=(0.0, 0.5), c=1.0),
    # "NTP" (Jacot et al.): a₁ = 0, aₗ = 1/2 for l ≥ 2; bₗ = 0; c = 0.
    "ntk": dict(input=(0.0, 0.0), hidden=(0.5, 0.0), readout=(0.5, 0.0), c=0.0),
    # "µP (ours)", Definition 5.1: a₁ = −1/2, aₗ = 0 (2 ≤ l ≤ L), a_{L+1} = 1/2; bₗ = 1/2; c = 0.
    "mup": dict(input=(-0.5, 0.5), hidden=(0.0, 0.5), readout=(0.5, 0.5), c=0.0),
}


def table(name: str, depth: int) -> Parametrization:
    """The abc exponents of a named parametrization ("sp", "ntk", "mup") for an MLP with
    `depth` = L hidden layers, as in the paper's Table 1."""
    if name not in TABLE:
        raise ValueError(f"unknown parametrization {name!r}: use one of {', '.join(TABLE)}")
    if depth < 1:
        raise ValueError(f"an MLP needs at least one hidden layer, got depth={depth}")
    row = TABLE[name]
    roles = [row["input"]] + [row["hidden"]] * (depth - 1) + [row["readout"]]
    return Parametrization(name, tuple(a for a, _ in roles), tuple(b for _, b in roles), row["c"])


def r_exponent(p: Parametrization) -> float:
    """The paper's r (Definition 3.2): the last layer's features move by Δxᴸ = Θ(n^(−r)),

        r = min(a_{L+1} + b_{L+1}, 2a_{L+1} + c) + c − 1 + min_{l ≤ L} [2aₗ + 𝟙(l = 1)].

    r = 0: feature learning (Theorem 3.6); r > 0: kernel regime (Theorem 3.8)."""
    a_out, b_out = p.a[-1], p.b[-1]
    return (min(a_out + b_out, 2 * a_out + p.c) + p.c - 1
            + min(2 * a + (l == 0) for l, a in enumerate(p.a[:-1])))


def is_stable(p: Parametrization) -> bool:
    """Theorem 3.3: stable (activations Θ(1) at init, nothing blows up in training) iff
    a₁ + b₁ = 0, aₗ + bₗ = 1/2 for 2 ≤ l ≤ L, a_{L+1} + b_{L+1} ≥ 1/2 (Eq. 6), r ≥ 0 (Eq. 7),
    and 2a_{L+1} + c ≥ 1, a_{L+1} + b_{L+1} + r ≥ 1 (Eq. 8)."""
    s = [a + b for a, b in zip(p.a, p.b)]
    r, eps = r_exponent(p), 1e-12
    return (abs(s[0]) < eps and all(abs(x - 0.5) < eps for x in s[1:-1]) and s[-1] >= 0.5 - eps
            and r >= -eps and 2 * p.a[-1] + p.c >= 1 - eps and s[-1] + r >= 1 - eps)


def layer_scalings(p: Parametrization, width: int, base_width: int, d_in: int,
                   sp_form: bool = False) -> list[dict]:
    """Per layer l = 1 … L+1: the forward `multiplier` m^(−aₗ), the `init_std` of the trained
    weights s_l·m^(−bₗ) and the learning-rate factor `lr` m^(−c), with m = width / base_width
    and s_l² = 1/d (input layer) or 1/base_width (after it), the base network's fan-in variance.

    `sp_form=True` applies Eq. (5) with θₗ = −aₗ: multiplier 1, init std s_l·m^(−(aₗ+bₗ)),
    learning rate m^(−(c + 2aₗ)). The effective weights Wˡ and their updates are unchanged."""
    m = width / base_width
    out = []
    for l, (a, b) in enumerate(zip(p.a, p.b)):
        s = 1 / math.sqrt(d_in if l == 0 else base_width)
        theta = -a if sp_form else 0.0
        out.append({"multiplier": m ** -(a + theta), "init_std": s * m ** -(b - theta),
                    "lr": m ** -(p.c - 2 * theta)})
    return out


class ParamMLP(nn.Module):
    """A bias-free ReLU MLP d_in → width (× depth) → d_out in the parametrization `p`:
    layer l computes multiplierₗ · (wˡ x) with wˡ ~ N(0, init_stdₗ²) (`layer_scalings`).
    Train it with `torch.optim.SGD(model.param_groups(lr))`, which gives each layer its
    learning rate η·m^(−c) (per layer in the SP form)."""

    def __init__(self, d_in: int, width: int, d_out: int, p: Parametrization, base_width: int,
                 sp_form: bool = False, generator: torch.Generator | None = None, dtype=torch.float32):
        super().__init__()
        self.p, self.width = p, width
        self.scalings = layer_scalings(p, width, base_width, d_in, sp_form)
        dims = [d_in] + [width] * p.depth + [d_out]
        self.weights = nn.ParameterList(
            nn.Parameter(torch.randn(dims[l + 1], dims[l], generator=generator, dtype=dtype) * s["init_std"])
            for l, s in enumerate(self.scalings))

    def effective_weights(self) -> list[torch.Tensor]:
        """Wˡ = multiplierₗ · wˡ, the matrices the network computes with."""
        return [s["multiplier"] * w for s, w in zip(self.scalings, self.weights)]

    def preactivations(self, x: torch.Tensor) -> list[torch.Tensor]:
        """[h¹, …, hᴸ, f]: every hidden pre-activation and, last, the logits."""
        out = []
        for l, (s, w) in enumerate(zip(self.scalings, self.weights)):
            h = s["multiplier"] * F.linear(x if l == 0 else F.relu(out[-1]), w)  # (B, n_l)
            out.append(h)
        return out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.preactivations(x)[-1]

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """hᴸ, the last hidden layer's pre-activations (B, width)."""
        return self.preactivations(x)[-2]

    def param_groups(self, lr: float) -> list[dict]:
        """One SGD parameter group per layer, learning rate lr·m^(−c) (abc form) or the
        per-layer rate of the SP form."""
        return [{"params": [w], "lr": lr * s["lr"]} for s, w in zip(self.scalings, self.weights)]


def relative_change(h: torch.Tensor, h0: torch.Tensor) -> float:
    """‖h − h₀‖ / ‖h₀‖ (Frobenius, over a fixed batch): how far the features have moved from
    initialisation. The paper's Δxᴸ = Θ(n^(−r)) (Definition 3.2) with ‖h₀‖ = Θ(√n) per input makes
    this Θ(n^(−r)): it falls like n^(−1/2) in SP and NTK and stays Θ(1) in μP (Table 1's r)."""
    return ((h - h0).norm() / h0.norm()).item()


def rms(t: torch.Tensor) -> float:
    """Root mean square of the coordinates: the paper's "coordinate size"."""
    return t.pow(2).mean().sqrt().item()


def width_exponent(widths, values) -> float:
    """The least-squares slope of log(value) on log(width): the measured exponent e in
    value ∝ widthᵉ (−r for the feature movement)."""
    x, y = np.log(np.asarray(widths, dtype=float)), np.asarray(values, dtype=float)
    if len(x) < 2 or not np.all(np.isfinite(y) & (y > 0)):
        return math.nan  # a diverged run has no exponent; the check then fails, with a verdict
    return float(np.polyfit(x, np.log(y), 1)[0])

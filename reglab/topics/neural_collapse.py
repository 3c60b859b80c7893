"""Neural collapse under class imbalance (Dang et al., ICML 2023): the closed-form geometry of the
global minimiser of the unconstrained-features model, the collapse metrics, imbalanced subsets.

The unconstrained-features model (UFM) with M bias-free linear layers on free features H (d × N):

    min  ‖W_M ⋯ W_1 H − Y‖² / (2N)  +  λ_W/2 Σ_l ‖W_l‖²  +  λ_H/2 ‖H‖²          (paper, Sec. 3)

with one-hot targets Y (K × N) and n_k examples of class k. The weight decays λ_W, λ_H are what
gives the minimiser its shape: without them the problem has no unique geometry at all. With
them, every global minimiser of the bias-free imbalanced problem is a *general orthogonal
frame*: each class's features collapse to their mean h̄_k, the class means are mutually
orthogonal, so are the rows w_k of the product W = W_M⋯W_1, and their lengths are set by n_k.
A class with n_k too small collapses to zero (minority collapse).
"""
from __future__ import annotations

import math

import numpy as np
import torch


# --- the closed form ------------------------------------------------------------------------

def class_objective(x: float, ratio: float, depth: int) -> float:
    """One class's share of the UFM objective at the GOF, in units of n_k/(2N):

        φ(x) = 1/(x^M + 1) + r·x,    r = b/n_k,

    where x ≥ 0 parametrises the class's singular value s (s^{2M} = Nλ_H x^M). φ(0) = 1 is the
    collapsed class (w_k = 0, h̄_k = 0: the loss of predicting 0 for it). Our derivation: put
    each layer's singular value for class k at s (the layers are balanced at a minimiser),
    minimise over ‖h̄_k‖ in closed form, and substitute; setting φ'(x) = 0 gives the
    official code's equation b/n_k = M x^{M−1}/(x^M + 1)² (tested against a direct minimisation).
    """
    return 1.0 / (x ** depth + 1.0) + ratio * x


def _largest_root(ratio: float, depth: int) -> float:
    """Largest root of M x^{M−1}/(x^M + 1)² = ratio, or 0 if there is none.

    M = 1: the left side falls from 1, so x = 1/√ratio − 1. M ≥ 2: it rises from 0 to its peak
    at x^M = (M − 1)/(M + 1) and then falls, so the largest root is found by bisection to the
    right of the peak (the official code asks sympy for all roots and takes the largest)."""
    m = depth
    if m == 1:
        return max(0.0, 1.0 / math.sqrt(ratio) - 1.0)
    f = lambda x: m * x ** (m - 1) / (x ** m + 1.0) ** 2  # noqa: E731
    lo = ((m - 1) / (m + 1)) ** (1.0 / m)
    if f(lo) < ratio:
        return 0.0
    hi = lo + 1.0
    while f(hi) > ratio:
        hi *= 2.0
    for _ in range(200):  # f is decreasing on [lo, hi]; 200 halvings reach float precision
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if f(mid) > ratio else (lo, mid)
    return 0.5 * (lo + hi)


def gof_closed_form(sizes, lam_w: float, lam_h: float, depth: int = 1) -> dict:
    """The general orthogonal frame (GOF) of the imbalanced, bias-free UFM above, as in the
    official `synthetic_experiment_imbalanced.py` (`compute_x`, `compute_s`, `compute_NC2_*`):

        b   = M N (N λ_W^M λ_H)^{1/M}
        x_k = the largest root of b/n_k = M x^{M−1}/(x^M + 1)², else 0
        s_k = (N λ_H x_k^M)^{1/(2M)}
        W Wᵀ ∝ diag(s_k^{2M}),  H̄ᵀH̄ ∝ diag(s_k^{2M}/(s_k^{2M} + Nλ_H)²),  W H̄ ∝ diag(s_k^{2M}/(s_k^{2M} + Nλ_H)).

    Here these are exact: ‖w_k‖² = s_k^{2M}, ‖h̄_k‖² = s_k^{2M}/(s_k^{2M} + Nλ_H)². One change
    from the official code: a root is kept only if it beats x = 0 (`class_objective`); for
    M = 1 that is automatic, for M ≥ 2 a root can exist and still be worse than collapse.
    For M = 1 the root is x_k = √n_k/(N√(λ_Wλ_H)) − 1, so class k collapses iff n_k ≤ N²λ_Wλ_H.
    Returns numpy arrays (per class) and the minimal objective value."""
    n = np.asarray(sizes, dtype=float)
    big_n, m = n.sum(), int(depth)
    b = m * big_n * (big_n * lam_w ** m * lam_h) ** (1.0 / m)
    x = np.array([_largest_root(b / nk, m) for nk in n])
    x = np.where([class_objective(xk, b / nk, m) < 1.0 for xk, nk in zip(x, n)], x, 0.0)
    s_2m = big_n * lam_h * x ** m                      # s_k^{2M}
    w_sq = s_2m                                        # ‖w_k‖², rows of W_M⋯W_1
    h_sq = s_2m / (s_2m + big_n * lam_h) ** 2          # ‖h̄_k‖²
    objective = sum(nk / (2 * big_n) * class_objective(xk, b / nk, m) for xk, nk in zip(x, n))
    return {"x": x, "s": s_2m ** (1.0 / (2 * m)), "w_sq": w_sq, "h_sq": h_sq,
            "wh": s_2m / (s_2m + big_n * lam_h), "b": b, "objective": float(objective)}


def unit(v) -> np.ndarray:
    """v / ‖v‖: the official code compares Gram matrices after dividing by their Frobenius
    norm, so only the *shape* of the lengths is predicted, not their overall scale."""
    v = np.asarray(v, dtype=float)
    norm = np.linalg.norm(v)
    return v / norm if norm > 0 else v


# --- the model's objective --------------------------------------------------------------------

def ufm_objective(weights: list[torch.Tensor], h: torch.Tensor, y: torch.Tensor,
                  lam_w: float, lam_h: float) -> torch.Tensor:
    """‖W_M⋯W_1 H − Y‖²/(2N) + λ_W/2 Σ_l ‖W_l‖² + λ_H/2 ‖H‖², with H as (N, d) rows h_i
    (a network's features, or free parameters), `weights` = [W_1, ..., W_M] (W_l: out × in)
    and integer labels y. Weight decay here is part of the objective, not of the optimizer,
    so the same minimiser is reached by SGD and by Adam."""
    out = h @ product(weights).T  # (N, K); multiplying the small K × d product first is faster
    target = torch.nn.functional.one_hot(y, out.shape[1]).to(out.dtype)
    fit = ((out - target) ** 2).sum() / (2 * len(y))
    decay = lam_w / 2 * sum((w ** 2).sum() for w in weights) + lam_h / 2 * (h ** 2).sum()
    return fit + decay


def product(weights: list[torch.Tensor]) -> torch.Tensor:
    """W = W_M ⋯ W_1 (K × d): the classifier the features see."""
    w = weights[0]
    for layer in weights[1:]:
        w = layer @ w
    return w


# --- collapse metrics --------------------------------------------------------------------------

def class_means(h: torch.Tensor, y: torch.Tensor, num_classes: int) -> torch.Tensor:
    """(K, d) class means h̄_k of features h (N, d); uncentred, as the bias-free GOF is stated."""
    h = h.double()
    onehot = torch.nn.functional.one_hot(y, num_classes).double()  # (N, K)
    return (onehot.T @ h) / onehot.sum(0)[:, None]


def nc1(h: torch.Tensor, y: torch.Tensor, num_classes: int) -> float:
    """NC1 = tr(Σ_W Σ_B^†)/K (Papyan et al., 2020, and the official code): within-class
    covariance against between-class covariance (means centred at the global mean). Zero iff
    every feature sits on its class mean. The pseudo-inverse drops eigenvalues below 1e-10 of
    the largest, which float rounding of an exactly rank-deficient Σ_B would otherwise inflate."""
    h = h.double()
    means = class_means(h, y, num_classes)
    within = h - means[y]
    sigma_w = within.T @ within / len(y)
    centred = means - h.mean(0)
    sigma_b = centred.T @ centred / num_classes
    pinv = torch.linalg.pinv(sigma_b, hermitian=True, rtol=1e-10)
    return float(torch.trace(sigma_w @ pinv) / num_classes)


def cosines(rows: torch.Tensor) -> torch.Tensor:
    """(K, K) cosine similarities between rows; a zero row gets cosine 0 with everything."""
    rows = rows.double()
    norms = rows.norm(dim=1).clamp_min(torch.finfo(torch.float64).tiny)
    return (rows @ rows.T) / (norms[:, None] * norms[None, :])


def off_diagonal(m: torch.Tensor, keep=None) -> torch.Tensor:
    """The off-diagonal entries of a square matrix, among the classes `keep` (a bool mask)."""
    keep = torch.ones(len(m), dtype=torch.bool) if keep is None else torch.as_tensor(keep, dtype=torch.bool)
    sub = m[keep][:, keep]
    return sub[~torch.eye(len(sub), dtype=torch.bool)]


def collapse_metrics(h: torch.Tensor, y: torch.Tensor, w: torch.Tensor, keep=None) -> dict:
    """Every geometry number of the chapter, for features h (N, d), labels y and the classifier
    W (K × d): NC1; the largest |cos| between class means and between classifier rows, and the
    mean cosine between class means, among the classes `keep` (default: all; a simplex ETF would
    give −1/(K−1), an orthogonal frame 0); and the squared lengths ‖w_k‖², ‖h̄_k‖², normalised
    to unit norm as in `unit` (the official code's NC2 compares exactly these shapes)."""
    num_classes = w.shape[0]
    means = class_means(h, y, num_classes)
    cos_h, cos_w = off_diagonal(cosines(means), keep), off_diagonal(cosines(w), keep)
    w_sq, h_sq = (w.double() ** 2).sum(1), (means ** 2).sum(1)
    return {"nc1": nc1(h, y, num_classes),
            "max_cos_h": float(cos_h.abs().max()), "max_cos_w": float(cos_w.abs().max()),
            "mean_cos_h": float(cos_h.mean()),
            "w_sq": unit(w_sq.tolist()).tolist(), "h_sq": unit(h_sq.tolist()).tolist(),
            "w_norm": w_sq.sqrt().tolist()}


# --- imbalanced data ---------------------------------------------------------------------------

def imbalanced_subset(y: torch.Tensor, sizes, seed: int) -> torch.Tensor:
    """Indices of a class-imbalanced subset: n_k = sizes[k] examples of class k, drawn without
    replacement from the examples of that class by a generator seeded with `seed` (so the subset
    does not depend on anything else the run draws). Sorted, so the data keep their order."""
    g = torch.Generator().manual_seed(seed)
    picks = []
    for k, n_k in enumerate(sizes):
        pool = torch.nonzero(y == k).flatten()
        if n_k > len(pool):
            raise ValueError(f"class {k} has {len(pool)} examples, fewer than the {n_k} asked for")
        picks.append(pool[torch.randperm(len(pool), generator=g)[:n_k]])
    return torch.cat(picks).sort().values

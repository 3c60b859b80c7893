"""One softmax-attention layer as a max-margin problem (Tarzanagh et al., "Transformers as
Support Vector Machines", 2023).

Gradient descent on the key-query weights of one softmax-attention layer converges in
direction to a hard-margin SVM that separates each sequence's selected token from its other
tokens (Att-SVM): in the Frobenius norm when W is trained directly, in the nuclear norm when
W = K Qᵀ. This module builds the model, the paper's synthetic task and the SVM's constraints;
`reglab.topics.max_margin.hard_margin_svm` solves it.
"""
from __future__ import annotations

import torch


def attention_problem(n: int, t: int, d: int, seed: int):
    """The official code's synthetic task: n sequences of T unit-norm Gaussian tokens in R^d,
    unit-norm queries z_i, a unit-norm head v and random ±1 labels, drawn from a generator
    seeded by `seed`. Returns (x, y, z, v) in float64, and the index of each sequence's
    globally optimal token argmax_t y_i x_itᵀ v."""
    g = torch.Generator().manual_seed(seed)
    v = torch.randn(d, generator=g)
    y = 2.0 * (torch.randn(n, generator=g) > 0) - 1
    x = torch.randn(n, t, d, generator=g)
    z = torch.randn(n, d, generator=g)
    v, x, z = v / v.norm(), x / x.norm(dim=-1, keepdim=True), z / z.norm(dim=-1, keepdim=True)
    x, y, z, v = x.double(), y.double(), z.double(), v.double()
    return x, y, z, v, ((x @ v) * y[:, None]).argmax(1)


def attention_scores(x: torch.Tensor, z: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """s_it = x_itᵀ W z_i for tokens x (n, T, d), queries z (n, d) and W (d, d): shape (n, T)."""
    return torch.einsum("ntd,de,ne->nt", x, w, z)


def attention_output(x: torch.Tensor, z: torch.Tensor, w: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """The paper's one-layer model f(X_i) = vᵀ X_iᵀ softmax(X_i W z_i) with a fixed head v: shape (n,)."""
    return torch.einsum("nt,ntd,d->n", torch.softmax(attention_scores(x, z, w), dim=1), x, v)


def attention_svm_features(x: torch.Tensor, z: torch.Tensor, opt: torch.Tensor) -> torch.Tensor:
    """The Att-SVM constraints as matrices F_k = (x_{i,opt_i} − x_it) z_iᵀ, one per token t ≠ opt_i,
    so that the constraint (x_{i,opt_i} − x_it)ᵀ W z_i ≥ 1 reads ⟨F_k, W⟩ ≥ 1: shape (n·(T−1), d, d)."""
    n, t, _ = x.shape
    diff = x[torch.arange(n), opt][:, None, :] - x                      # (n, T, d)
    feats = diff[:, :, :, None] * z[:, None, None, :]                   # (n, T, d, d)
    keep = torch.arange(t)[None, :] != opt[:, None]                     # drop t = opt_i
    return feats[keep]


@torch.no_grad()
def normalized_gd_step_(params, lr: float, eps: float = torch.finfo(torch.float64).eps) -> None:
    """W ← W − η ∇L / ‖∇L‖_F for each parameter tensor separately, as in the official code:
    every step has length η, so the norm of W grows linearly and its direction can settle."""
    for p in params:
        p -= lr * p.grad / (p.grad.norm() + eps)

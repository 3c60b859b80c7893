"""Max-margin problems that gradient descent solves implicitly, and the attention model behind one.

Tarzanagh et al. (2023), "Transformers as Support Vector Machines": gradient descent on the
key-query weights of one softmax-attention layer converges in direction to a hard-margin
SVM that separates each sequence's selected token from its other tokens (Att-SVM), in the
Frobenius norm when W is trained directly and in the nuclear norm when W = K Qᵀ. The
classical linear hard-margin SVM is the same problem with one constraint per example.
cvxpy is imported inside the solver only, so `import reglab` stays light.
"""
from __future__ import annotations

import numpy as np
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


def hard_margin_svm(features: torch.Tensor, norm: str = "fro") -> torch.Tensor:
    """min ‖W‖ subject to ⟨F_k, W⟩ ≥ 1 for every k, solved exactly with cvxpy (Clarabel).

    `features` is ``(m, *shape)``: one constraint per row. With rows y_i x_i and shape (d,) this is
    the linear hard-margin SVM without bias (‖·‖ = the Euclidean norm); with the rows of
    `attention_svm_features` it is Att-SVM (paper Eq. Att-SVM), where `norm` = "fro" gives
    W^mm (training W) and "nuc" gives W*^mm (training K, Q). Raises if the constraints are
    infeasible (no separating direction exists).
    """
    import cvxpy as cp

    if norm not in ("fro", "nuc"):
        raise ValueError(f"norm must be 'fro' or 'nuc', got {norm!r}")
    f = np.asarray(features.detach().cpu(), dtype=float)
    shape = f.shape[1:]
    w = cp.Variable(int(np.prod(shape)))
    if norm == "fro":
        objective = cp.norm(w, 2)
    else:
        objective = cp.normNuc(cp.reshape(w, shape, order="C"))
    problem = cp.Problem(cp.Minimize(objective), [f.reshape(len(f), -1) @ w >= 1])
    problem.solve(solver=cp.CLARABEL)
    if problem.status != cp.OPTIMAL:
        raise ValueError(f"hard-margin SVM not solved ({problem.status}): are the data separable?")
    return torch.tensor(w.value.reshape(shape), dtype=features.dtype)


def correlation(a: torch.Tensor, b: torch.Tensor) -> float:
    """The paper's correlation coefficient ⟨A, B⟩ / (‖A‖_F ‖B‖_F): 1 when A points along B."""
    a, b = a.reshape(-1).double(), b.reshape(-1).double()
    return (a @ b / (a.norm() * b.norm())).item()


def normalized_margin(w: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> float:
    """min_i y_i x_iᵀ w / ‖w‖: positive iff w separates the data; the SVM direction maximises it."""
    return ((y * (x @ w)).min() / w.norm()).item()


@torch.no_grad()
def normalized_gd_step_(params, lr: float, eps: float = torch.finfo(torch.float64).eps) -> None:
    """W ← W − η ∇L / ‖∇L‖_F for each parameter tensor separately, as in the official code:
    every step has length η, so the norm of W grows linearly and its direction can settle."""
    for p in params:
        p -= lr * p.grad / (p.grad.norm() + eps)


@torch.no_grad()
def logistic_gd_step(w: torch.Tensor, x: torch.Tensor, y: torch.Tensor, gammas: torch.Tensor) -> torch.Tensor:
    """One full-batch GD step on the mean logistic loss f(θ) = (1/n) Σ log(1 + exp(−y_i a_iᵀθ)),
    for each column of w (d, G) with its own step size γ (gammas, shape (G,)): θ − γ ∇f(θ).

    A column with γ = inf takes the batch-perceptron step θ + (1/n) Σ y_i a_i (1[m_i < 0] + ½ 1[m_i = 0])
    instead, m_i = y_i a_iᵀθ: the limit of GD's iterates divided by γ as γ → ∞ from θ_0 = 0
    (Tyurin, 2024), since γ σ(−γ m) / γ → 1[m < 0] (+½ at m = 0).
    """
    m = y[:, None] * (x @ w)                                            # (n, G) margins
    perceptron = (m < 0).to(x.dtype) + 0.5 * (m == 0).to(x.dtype)
    coef = torch.where(torch.isinf(gammas), perceptron, gammas * torch.sigmoid(-m))
    return w + (x * y[:, None]).T @ coef / len(y)

"""Max-margin directions that gradient descent finds implicitly (Soudry et al., 2018), and the exact solver.

The linear hard-margin SVM (and Att-SVM, with `reglab.topics.attention`'s constraints), solved
exactly with cvxpy; the normalized margin and correlation that measure how close an iterate's
direction is to it; and full-batch logistic GD with arbitrarily large steps and its γ → ∞ limit,
the batch perceptron, in exact arithmetic on integer data (Tyurin, "From Logistic Regression to
the Perceptron Algorithm", 2024). cvxpy is imported inside the solver only, so importing this
module stays light.
"""
from __future__ import annotations

import numpy as np
import torch


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
def logistic_gd_step(w: torch.Tensor, x: torch.Tensor, y: torch.Tensor, gammas: torch.Tensor) -> torch.Tensor:
    """One full-batch GD step on the mean logistic loss f(θ) = (1/n) Σ log(1 + exp(−y_i a_iᵀθ)),
    for each column of w (d, G) with its own step size γ (gammas, shape (G,)): θ − γ ∇f(θ),
    that is θ + (γ/n) Σ y_i a_i σ(−m_i) with margins m_i = y_i a_iᵀθ."""
    m = y[:, None] * (x @ w)                                            # (n, G) margins
    return w + (x * y[:, None]).T @ (gammas * torch.sigmoid(-m)) / len(y)


@torch.no_grad()
def batch_perceptron_step(u: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """One step of the batch perceptron, the γ → ∞ limit of `logistic_gd_step` (Tyurin, 2024).

    From θ_0 = 0, GD's iterates divided by γ tend to θ ← θ + (1/n) Σ y_i a_i (1[m_i < 0] + ½ 1[m_i = 0]),
    since γ σ(−γ m) / γ → 1[m < 0], and ½ at m = 0. Here the iterate is kept as u = 2nθ, whose step
    u ← u + Σ y_i a_i (2·1[m_i < 0] + 1[m_i = 0]) has integer coefficients: on integer data every
    entry of u and every margin is an integer, exact in float64 (below 2⁵³), so a tie m_i = 0 is a
    tie, and not a rounding error of either sign as it would be after dividing by n. u has shape (d,).
    """
    m = y * (x @ u)
    return u + x.T @ (y * (2 * (m < 0).to(x.dtype) + (m == 0).to(x.dtype)))


@torch.no_grad()
def normalized_logistic_gd_step(w: torch.Tensor, x: torch.Tensor, y: torch.Tensor, gammas: torch.Tensor) -> torch.Tensor:
    """One step of Normalized LR+GD (Tyurin 2024, Sec. 6): θ − γ β_t ∇f(θ) with
    β_t = ((1/n) Σ_i σ(−m_i))⁻¹, so that as γ → ∞ it becomes the batch perceptron normalised by
    |S_t| (the misclassified count) instead of by n. Columns of w as in `logistic_gd_step`."""
    m = y[:, None] * (x @ w)
    weights = torch.sigmoid(-m)
    return w + (x * y[:, None]).T @ (gammas * weights / weights.mean(0)) / len(y)


def two_point_dataset() -> tuple[torch.Tensor, torch.Tensor]:
    """Tyurin's Thm 4.1 example: a = (1, −1) labelled +1 and a = (−1, −4) labelled −1. From θ = 0,
    LR+GD's first step has loss ≈ γ/8 → ∞, its second step separates the data (θ₂/γ → (1, ¼))."""
    return torch.tensor([[1.0, -1.0], [-1.0, -4.0]], dtype=torch.float64), torch.tensor([1.0, -1.0], dtype=torch.float64)


def worst_case_dataset(n: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Tyurin's Thm 5.1 dataset: one point (0.5, −1) labelled +1 and n − 1 copies of (−0.5, −1)
    labelled −1, on which the batch perceptron needs Ω(n) steps (about 0.3 n)."""
    x = torch.tensor([[0.5, -1.0]] + [[-0.5, -1.0]] * (n - 1), dtype=torch.float64)
    return x, torch.tensor([1.0] + [-1.0] * (n - 1), dtype=torch.float64)

import numpy as np
import pytest
from sklearn.metrics.pairwise import rbf_kernel as sklearn_rbf

from reglab.topics import kernel_distillation as kd


def problem(n=9, m=30, p=2, seed=0, gamma=3.0):
    rng = np.random.default_rng(seed)
    X, x = rng.uniform(-1, 1, (n, p)), rng.uniform(-1, 1, (m, p))
    return kd.rbf_kernel(X, X, gamma), kd.rbf_kernel(x, X, gamma), rng.standard_normal((n, 4))


def test_rbf_kernel_is_sklearns():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(7, 3)), rng.normal(size=(5, 3))
    np.testing.assert_allclose(kd.rbf_kernel(a, b, 0.7), sklearn_rbf(a, b, gamma=0.7), rtol=0, atol=1e-14)


@pytest.mark.parametrize("lam", [0.05, 0.5])
def test_closed_form_steps_equal_explicit_refitting(lam):
    """f_1 … f_8 from the eigen closed form agree with refitting KRR step by step, for every α."""
    K, Kx, y = problem()
    alphas = [0.0, 0.1, 0.35, 0.7, 1.0]
    ops = kd.distillation_operators(K, Kx, lam, alphas, 8)
    for a, op in zip(alphas, ops):
        explicit = kd.distill_explicit(K, Kx, y, lam, a, 8)         # (8, m, 4)
        np.testing.assert_allclose(op[:-1] @ y, explicit, rtol=0, atol=1e-10)


def test_step_one_is_plain_krr_and_alpha_one_never_changes_it():
    K, Kx, y = problem(seed=2)
    ops = kd.distillation_operators(K, Kx, 0.3, [0.0, 0.4, 1.0], 5)
    krr = kd.krr(K, Kx, y, 0.3)
    for op in ops:
        np.testing.assert_allclose(op[0] @ y, krr, rtol=0, atol=1e-12)
    np.testing.assert_allclose(ops[-1] @ y, np.broadcast_to(krr, (6,) + krr.shape), rtol=0, atol=1e-12)


@pytest.mark.parametrize("alpha", [0.1, 0.35, 0.7])
def test_infinite_steps_are_krr_with_ridge_lambda_over_alpha(alpha):
    """The limit is KRR with the amplified ridge λ/α, and explicit refitting converges to it."""
    K, Kx, y = problem(seed=3)
    lam = 0.2
    limit = kd.distillation_operators(K, Kx, lam, [alpha], 1)[0, -1] @ y
    np.testing.assert_allclose(limit, kd.krr(K, Kx, y, lam / alpha), rtol=0, atol=1e-12)
    np.testing.assert_allclose(kd.distill_explicit(K, Kx, y, lam, alpha, 600)[-1], limit, rtol=0, atol=1e-10)
    assert np.abs(kd.distill_explicit(K, Kx, y, lam, alpha, 2)[-1] - limit).max() > 1e-3   # not there at once


def test_without_ground_truth_the_fits_collapse_to_zero():
    K, Kx, y = problem(seed=4)
    ops = kd.distillation_operators(K, Kx, 0.2, [0.0], 6)[0]
    assert np.all(ops[-1] == 0)
    norms = np.linalg.norm(ops[:-1] @ y, axis=(1, 2))
    assert np.all(np.diff(norms) < 0)                                   # shrinks at every step
    assert np.abs(kd.distill_explicit(K, Kx, y, 0.2, 0.0, 2000)[-1]).max() < 1e-8


def test_shrinkage_hand_computed_and_official_recursion():
    """d = 1, λ = 1, α = ½: h = ½, b₁ = ½, b₂ = ½(½ + ¼) = 3/8, b_∞ = ½ / (½ + 1) = ⅓. And the
    official notebook's `Recurser`: B ← A((1 − α)B + αI) from B = A, on a diagonal A."""
    np.testing.assert_allclose(kd.shrinkage(1.0, 1.0, 0.5, [1, 2, np.inf]), [0.5, 0.375, 1 / 3])
    d, lam, alpha = np.array([3.0, 1.0, 0.2, 0.01]), 0.3, 0.25
    A = np.diag(d / (d + lam))
    B = A.copy()
    for tau in range(1, 12):
        np.testing.assert_allclose(kd.shrinkage(d, lam, alpha, tau), np.diag(B), rtol=1e-13)
        B = A @ ((1 - alpha) * B + alpha * np.eye(len(d)))
    np.testing.assert_allclose(kd.shrinkage(d, lam, alpha, np.inf), alpha * d / (alpha * d + lam))

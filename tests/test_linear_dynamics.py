import numpy as np
import pytest
import torch

from reglab.topics import linear_dynamics


@pytest.mark.parametrize("alpha", [0.25, 0.5, 1.0, 2.0, 4.0])
def test_marchenko_pastur_mass_and_mean(alpha):
    """The bulk holds min(α, 1) of the eigenvalues (the rest sit at 0) and the mean
    eigenvalue of XᵀX is tr(XᵀX)/N = α; the density itself integrates the same way."""
    lam, q = linear_dynamics.mp_quadrature(alpha)
    assert q.sum() == pytest.approx(min(alpha, 1.0), rel=1e-6)
    assert (q * lam).sum() == pytest.approx(alpha, rel=1e-6)
    lo, hi = linear_dynamics.mp_edges(alpha)
    grid = np.linspace(lo, hi, 400_001)[1:-1]
    dens = linear_dynamics.mp_density(grid, alpha)
    assert (dens * (grid[1] - grid[0])).sum() == pytest.approx(min(alpha, 1.0), abs=2e-3)
    assert linear_dynamics.mp_density(np.array([lo - 0.1, hi + 0.1]), alpha).sum() == 0


@pytest.mark.parametrize("alpha", [0.25, 0.5, 2.0, 4.0])
def test_inverse_moment_closed_form(alpha):
    """∫ρ/λ = α/(1−α) below α = 1 and 1/(α−1) above: the noise a converged student fits."""
    lam, q = linear_dynamics.mp_quadrature(alpha)
    expected = alpha / (1 - alpha) if alpha < 1 else 1 / (alpha - 1)
    assert (q / lam).sum() == pytest.approx(expected, rel=1e-6)


def test_density_matches_sampled_spectrum():
    """The fraction of eigenvalues of a large sampled XᵀX below λ matches the density's integral."""
    g = torch.Generator().manual_seed(0)
    n, alpha = 800, 0.5
    X = torch.randn(int(alpha * n), n, generator=g, dtype=torch.float64) / n ** 0.5
    eig = torch.linalg.eigvalsh(X.T @ X).numpy()
    lam, q = linear_dynamics.mp_quadrature(alpha)
    for cut in [0.2, 0.5, 1.0, 2.0]:
        assert (eig[eig > 1e-8] < cut).mean() * alpha == pytest.approx(q[lam < cut].sum(), abs=0.01)


@pytest.mark.parametrize("alpha", [0.5, 1.0, 2.0])
def test_theory_limits(alpha):
    """E_g(0) = σ_w² + σ₀² + σ_ε²; E_g(∞) = σ_ε² + (1−α)(σ_w² + σ₀²) + σ_ε² α/(1−α) below α = 1,
    σ_ε² + σ_ε²/(α−1) above, and infinite at α = 1."""
    sw, se, s0 = 1.3, 0.7, 0.4
    e0, einf = linear_dynamics.gen_error_theory([0.0, np.inf], alpha, sw, se, s0)
    assert e0 == pytest.approx(sw ** 2 + s0 ** 2 + se ** 2, rel=1e-9)
    if alpha < 1:
        expected = se ** 2 + (1 - alpha) * (sw ** 2 + s0 ** 2) + se ** 2 * alpha / (1 - alpha)
    elif alpha > 1:
        expected = se ** 2 + se ** 2 / (alpha - 1)
    else:
        expected = np.inf
    assert einf == pytest.approx(expected, rel=1e-6)


def test_ridge_theory_limits_and_optimum():
    """γ → ∞ predicts nothing (E_g = σ_w² + σ_ε²); γ = σ_ε²/σ_w² beats early stopping at every time."""
    assert linear_dynamics.ridge_error_theory(1e9, 0.5) == pytest.approx(2.0, rel=1e-6)
    t = np.logspace(-2, 3, 200)
    for alpha in [0.5, 1.0, 2.0]:
        best = linear_dynamics.ridge_error_theory(1.0, alpha)
        assert best <= linear_dynamics.gen_error_theory(t, alpha).min() + 1e-12
        assert best < min(linear_dynamics.ridge_error_theory(g, alpha) for g in [0.5, 2.0])


@pytest.mark.parametrize("shape", [(6, 10), (10, 6), (8, 8)])
def test_gd_weights_equals_iterated_gradient_descent(shape):
    """The closed form equals 60 explicit steps of autograd gradient descent, frozen subspace included."""
    g = torch.Generator().manual_seed(1)
    X = torch.randn(*shape, generator=g, dtype=torch.float64) / shape[1] ** 0.5
    y = torch.randn(shape[0], generator=g, dtype=torch.float64)
    w0 = torch.randn(shape[1], generator=g, dtype=torch.float64)
    lr = 0.9 / torch.linalg.matrix_norm(X, 2).item() ** 2
    w = w0.clone().requires_grad_(True)
    iterated = [w0.clone()]
    for _ in range(60):
        loss = 0.5 * ((X @ w - y) ** 2).sum()
        (grad,) = torch.autograd.grad(loss, w)
        with torch.no_grad():
            w -= lr * grad
        iterated.append(w.detach().clone())
    closed = linear_dynamics.gd_weights(X, y, w0, lr, np.arange(61))
    torch.testing.assert_close(closed, torch.stack(iterated), rtol=1e-10, atol=1e-10)


def test_gd_weights_converges_to_least_squares_plus_frozen_init():
    """k = ∞: the pseudo-inverse solution plus the part of w0 that no example ever touches."""
    g = torch.Generator().manual_seed(2)
    for p, n in [(5, 9), (9, 5)]:
        X = torch.randn(p, n, generator=g, dtype=torch.float64)
        y = torch.randn(p, generator=g, dtype=torch.float64)
        w0 = torch.randn(n, generator=g, dtype=torch.float64)
        lr = 1 / torch.linalg.matrix_norm(X, 2).item() ** 2
        pinv = torch.linalg.pinv(X)
        expected = pinv @ y + (torch.eye(n, dtype=torch.float64) - pinv @ X) @ w0
        torch.testing.assert_close(linear_dynamics.gd_weights(X, y, w0, lr, [np.inf])[0], expected)


def test_gd_weights_rejects_too_large_step():
    X = torch.eye(3, dtype=torch.float64) * 2
    with pytest.raises(ValueError, match="too large"):
        linear_dynamics.gd_weights(X, torch.ones(3, dtype=torch.float64), torch.zeros(3, dtype=torch.float64), 0.5, [1])


def test_theory_predicts_finite_size_simulation():
    """Seed-averaged E_g(t) of N = 400 students is within 5% of the N → ∞ theory (α = 0.5)."""
    n, alpha, steps_per_t = 400, 0.5, 100
    t = np.array([0.1, 0.5, 1.0, 3.0, 10.0, 100.0, np.inf])
    errs = []
    for seed in range(4):
        g = torch.Generator().manual_seed(seed)
        X = torch.randn(int(alpha * n), n, generator=g, dtype=torch.float64) / n ** 0.5
        w_bar = torch.randn(n, generator=g, dtype=torch.float64)
        y = X @ w_bar + torch.randn(len(X), generator=g, dtype=torch.float64)
        W = linear_dynamics.gd_weights(X, y, torch.zeros(n, dtype=torch.float64), 1 / steps_per_t, t * steps_per_t)
        errs.append((((W - w_bar) ** 2).sum(1) / n + 1).numpy())
    np.testing.assert_allclose(np.mean(errs, 0), linear_dynamics.gen_error_theory(t, alpha), rtol=0.05)

import math

import numpy as np
import pytest
import torch

from reglab.topics import random_features


def _problem(n=40, n_test=15, d=5, k=30, outputs=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n + n_test, d, generator=g, dtype=torch.float64)
    y = torch.randn(n + n_test, outputs, generator=g, dtype=torch.float64)
    w = torch.randn(k, d, generator=g, dtype=torch.float64)
    return x[:n], y[:n], x[n:], y[n:], w


def test_kernel_ridge_equals_the_primal_normal_equations():
    x, y, x_te, _, w = _problem()
    phi, phi_te = random_features.relu_features(x, w), random_features.relu_features(x_te, w)
    ridge = 0.3
    weights = torch.linalg.solve(phi.T @ phi + ridge * torch.eye(phi.shape[1], dtype=torch.float64), phi.T @ y)
    torch.testing.assert_close(random_features.kernel_ridge(phi @ phi.T, phi_te @ phi.T, y, ridge), phi_te @ weights)


def test_ridge_sweep_matches_sklearn_ridge_at_every_ridge():
    from sklearn.linear_model import Ridge

    x, y, x_te, y_te, w = _problem()
    phi, phi_te = random_features.relu_features(x, w), random_features.relu_features(x_te, w)
    ridges = [1e-3, 0.1, 10.0]
    sweep = random_features.ridge_sweep(phi @ phi.T, phi_te @ phi.T, y, y_te, ridges)
    for i, ridge in enumerate(ridges):
        model = Ridge(alpha=ridge, fit_intercept=False, solver="cholesky").fit(phi.numpy(), y.numpy())
        test = ((model.predict(phi_te.numpy()) - y_te.numpy()) ** 2).sum(1).mean()
        train = ((model.predict(phi.numpy()) - y.numpy()) ** 2).sum(1).mean()
        assert sweep["test_mse"][i] == pytest.approx(test, rel=1e-8)
        assert sweep["train_mse"][i] == pytest.approx(train, rel=1e-8)


def test_zero_ridge_is_the_minimum_norm_least_squares_fit():
    # k = 8 features < n = 40 samples: K = ΦΦᵀ is singular, so δ = 0 needs the pseudo-inverse.
    x, y, x_te, y_te, w = _problem(k=8)
    phi, phi_te = random_features.relu_features(x, w), random_features.relu_features(x_te, w)
    weights = torch.linalg.pinv(phi) @ y
    sweep = random_features.ridge_sweep(phi @ phi.T, phi_te @ phi.T, y, y_te, [0.0])
    assert sweep["test_mse"][0] == pytest.approx(((phi_te @ weights - y_te) ** 2).sum(1).mean().item(), rel=1e-6)


def test_ridgeless_kernel_limit_interpolates_the_training_set():
    x, y, x_te, y_te, _ = _problem(n=20, d=8)
    sweep = random_features.ridge_sweep(random_features.arccos_kernel(x, x), random_features.arccos_kernel(x_te, x), y, y_te, [0.0, 1.0])
    assert sweep["train_mse"][0] < 1e-12 < sweep["train_mse"][1]
    best = random_features.best_ridge(sweep)
    assert best["test_mse"] == min(sweep["test_mse"])
    assert best["fit_ratio"] == pytest.approx(best["train_mse"] / best["test_mse"])


def test_arccos_kernel_hand_computed_values():
    x = torch.tensor([[1.0, 0.0], [0.0, 2.0], [-3.0, 0.0]], dtype=torch.float64)
    k = random_features.arccos_kernel(x, x)
    d = 2
    assert k[0, 0].item() == pytest.approx(1.0 / d)                       # ‖x‖²/d
    assert k[0, 1].item() == pytest.approx(1 * 2 * 1.0 / (math.pi * d))   # θ = π/2: sin θ = 1
    assert k[0, 2].item() == pytest.approx(0.0, abs=1e-12)                # θ = π: ReLUs never overlap


def test_random_feature_kernel_approaches_the_arccos_kernel_as_k_grows():
    g = torch.Generator().manual_seed(1)
    x = torch.randn(12, 6, generator=g, dtype=torch.float64)
    exact = random_features.arccos_kernel(x, x)
    errors = []
    for k in [100, 1_000, 10_000, 100_000]:
        phi = random_features.relu_features(x, torch.randn(k, 6, generator=g, dtype=torch.float64))
        errors.append((phi @ phi.T - exact).abs().max().item())
    assert errors[-1] < 0.01 * exact.abs().max().item()
    slope, _ = random_features.power_law_fit([100, 1_000, 10_000, 100_000], errors)
    assert -0.75 < slope < -0.25                                           # Monte Carlo error ∝ k^(-1/2)


def test_power_law_fit_recovers_a_known_exponent():
    x = np.logspace(1, 4, 12)
    noise = np.exp(np.random.default_rng(0).normal(0, 0.02, size=x.shape))
    slope, c = random_features.power_law_fit(x, 3.0 * x ** -0.6 * noise)
    assert slope == pytest.approx(-0.6, abs=0.02)
    assert c == pytest.approx(3.0, rel=0.15)
    assert random_features.power_law_fit([1, 2, 4], [5, 5, 5])[0] == pytest.approx(0.0, abs=1e-12)


def test_kernel_spectrum_is_sorted_and_target_weights_sum_to_one():
    x, y, _, _, _ = _problem(n=30)
    lam, v2 = random_features.kernel_spectrum(random_features.arccos_kernel(x, x), y)
    assert np.all(np.diff(lam) <= 1e-15) and v2.sum() == pytest.approx(1.0)
    assert lam.sum() == pytest.approx(random_features.arccos_kernel(x, x).trace().item() / 30)


def test_ridge_sweep_with_a_shared_eigendecomposition_is_the_same_sweep():
    x, y, x_te, y_te, _ = _problem(n=25, d=6)
    k_train, k_test = random_features.arccos_kernel(x, x), random_features.arccos_kernel(x_te, x)
    ridges = [0.0, 1e-3, 1.0]
    shared = random_features.ridge_sweep(k_train, k_test, 2 * y, y_te, ridges, eig=torch.linalg.eigh(k_train))
    assert shared == random_features.ridge_sweep(k_train, k_test, 2 * y, y_te, ridges)


def test_optimal_fitting_ratio_closed_form_without_noise_and_rise_with_noise():
    # noiseless: d/ds log E = (β − 1)/(1 − s) − (α − 1)/(1 + (α − 1)s) vanishes at s = (α − β)/(β(α − 1))
    alpha, beta = 1.5, 1.2
    s_star = (alpha - beta) / (beta * (alpha - 1))
    assert random_features.optimal_fitting_ratio(alpha, beta, 0.0) == pytest.approx(s_star ** 2, abs=1e-4)
    assert random_features.optimal_fitting_ratio(1.2, 1.5, 0.0) == 0.0          # β ≥ α: interpolate
    ratios = [random_features.optimal_fitting_ratio(alpha, beta, noise) for noise in (0, 1, 5, 50)]
    assert all(a < b for a, b in zip(ratios, ratios[1:])) and ratios[-1] < 1
    r = np.linspace(0, 0.99, 7)                                                   # E(R) at σ² = 0 by hand
    s = np.sqrt(r)
    torch.testing.assert_close(random_features.fitting_ratio_risk(r, alpha, beta, 0.0),
                               (1 - s) ** (1 - beta) / (1 + (alpha - 1) * s))

"""Bag-level vs instance-level losses: the identity, the closed-form estimator against plain
least squares, and the exact bias/variance against Monte Carlo over the noise."""
import numpy as np
import pytest

from reglab.topics import aggregate_responses as agg


def problem(n=60, d=4, k=3, sigma=0.7, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d))
    theta = rng.standard_normal(d)
    bags = agg.random_bags(n, k, rng)
    y = x @ theta + sigma * rng.standard_normal(n)
    return rng, x, theta, bags, y[bags].mean(1)


def test_random_bags_partition_the_samples():
    bags = agg.random_bags(20, 4, np.random.default_rng(1))
    assert bags.shape == (5, 4)
    assert sorted(bags.ravel().tolist()) == list(range(20))


def test_instance_loss_is_bag_loss_plus_within_bag_variance():
    rng, x, theta, bags, y_bar = problem()
    for _ in range(5):
        losses = agg.bag_losses(rng.standard_normal(len(x)) * 3, y_bar, bags)
        assert losses["reg"] > 0
        assert abs(losses["instance"] - (losses["bag"] + losses["reg"])) < 1e-12


def test_bag_losses_by_hand():
    f, y_bar, bags = np.array([1.0, 3.0, 0.0, 0.0]), np.array([1.0, 2.0]), np.array([[0, 1], [2, 3]])
    losses = agg.bag_losses(f, y_bar, bags)
    assert losses["bag"] == pytest.approx(((1 - 2) ** 2 + (2 - 0) ** 2) / 2)
    assert losses["reg"] == pytest.approx((1 + 1 + 0 + 0) / 4)
    assert losses["instance"] == pytest.approx((0 + 4 + 4 + 4) / 4)


def test_rho_0_is_least_squares_on_bag_means_and_rho_1_regresses_instances_on_their_bag_mean():
    _, x, _, bags, y_bar = problem()
    x_bar, _ = agg.bag_design(x, bags)
    ols_bags = np.linalg.lstsq(x_bar, y_bar, rcond=None)[0]
    np.testing.assert_allclose(agg.interpolating_estimator(x, y_bar, bags, 0.0), ols_bags, rtol=1e-10)
    rows = bags.ravel()
    ols_instances = np.linalg.lstsq(x[rows], np.repeat(y_bar, bags.shape[1]), rcond=None)[0]
    np.testing.assert_allclose(agg.interpolating_estimator(x, y_bar, bags, 1.0), ols_instances, rtol=1e-10)


def test_interpolating_estimator_minimises_bag_loss_plus_rho_reg():
    rng, x, _, bags, y_bar = problem()
    rho = 0.3
    beta = agg.interpolating_estimator(x, y_bar, bags, rho)

    def objective(b):
        losses = agg.bag_losses(x @ b, y_bar, bags)
        return losses["bag"] + rho * losses["reg"]

    best = objective(beta)
    for _ in range(20):
        assert objective(beta + 1e-3 * rng.standard_normal(len(beta))) > best


def test_exact_bias_and_variance_match_monte_carlo_over_the_noise():
    rng, x, theta, bags, _ = problem(sigma=1.0)
    sigma, k, rhos = 1.0, bags.shape[1], [0.0, 0.4, 1.0]
    a, b = agg.grams(x, bags)
    exact = agg.bias_variance(a, b, theta, sigma, k, rhos)
    assert exact["bias2"][0] < 1e-20  # bag level: exact OLS on the bag means, unbiased
    x_bar, _ = agg.bag_design(x, bags)
    draws = 20_000
    y_bar = (x_bar @ theta)[:, None] + sigma * rng.standard_normal((len(bags), k, draws)).mean(1)  # (m, draws)
    for i, rho in enumerate(rhos):
        est = np.linalg.solve(a + rho * b, x_bar.T @ y_bar)          # (d, draws)
        mean = est.mean(1)
        assert np.sum((mean - theta) ** 2) == pytest.approx(exact["bias2"][i], abs=0.01 + 0.05 * exact["bias2"][i])
        assert est.var(1).sum() == pytest.approx(exact["var"][i], rel=0.05)
    assert exact["var"][2] < exact["var"][0] and exact["bias2"][2] > exact["bias2"][0]

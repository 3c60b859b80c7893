"""Learned proximal networks (Fang, Buchanan & Sulam, ICLR 2024): the network is a prox, and the
Laplace toy's references are right (against brute force and Monte Carlo)."""
import torch

from reglab.topics import proximal_networks as pn


def lpn(seed: int, in_dim: int = 3) -> pn.LPN:
    """A random LPN whose constrained weights are far from 0, so that convexity is not trivial."""
    torch.manual_seed(seed)
    model = pn.LPN(in_dim=in_dim, hidden=16, layers=3, beta=2.0).double()
    with torch.no_grad():
        for w in model.constrained():
            w.normal_(0, 1)
    return model


def second_differences(psi, n_lines: int = 200, seed: int = 1, in_dim: int = 3) -> torch.Tensor:
    """ψ(a + (t − h)v) − 2ψ(a + tv) + ψ(a + (t + h)v) along random lines, on a grid of t."""
    g = torch.Generator().manual_seed(seed)
    a = 2 * torch.randn(n_lines, 1, in_dim, generator=g, dtype=torch.float64)
    v = torch.randn(n_lines, 1, in_dim, generator=g, dtype=torch.float64)
    t = torch.linspace(-3, 3, 61, dtype=torch.float64).view(1, -1, 1)
    h = 0.05
    value = lambda s: psi((a + s * v).reshape(-1, in_dim)).view(n_lines, -1)  # noqa: E731
    return value(t - h) - 2 * value(t) + value(t + h)


def test_psi_is_convex_along_random_lines_once_weights_are_clipped():
    model = lpn(0)
    model.clip_weights_()
    with torch.no_grad():
        assert second_differences(model.psi).min() >= -1e-10


def test_the_convexity_check_can_fail_without_the_clip():
    model = lpn(0)
    with torch.no_grad():
        for w in model.constrained():
            w.copy_(-w.abs())  # every hidden weight negative: ψ bends the other way somewhere
        assert second_differences(model.psi).min() < -1e-3


def test_f_is_the_gradient_of_psi_and_monotone():
    model = lpn(1)
    model.clip_weights_()
    g = torch.Generator().manual_seed(2)
    a, b = (torch.randn(500, 3, generator=g, dtype=torch.float64) * 3 for _ in range(2))
    fa, fb = model(a).detach(), model(b).detach()
    assert (((fa - fb) * (a - b)).sum(1) >= -1e-10).all()          # ⟨f(a) − f(b), a − b⟩ ≥ 0
    e = torch.eye(3, dtype=torch.float64)[0] * 1e-6                   # central difference of ψ
    with torch.no_grad():
        numeric = (model.psi(a + e) - model.psi(a - e)) / 2e-6
    torch.testing.assert_close(fa[:, 0], numeric, atol=1e-6, rtol=1e-6)


def test_soft_threshold_is_the_prox_of_lam_abs_by_brute_force():
    lam = 0.7
    y = torch.linspace(-3, 3, 41, dtype=torch.float64)
    x = torch.linspace(-4, 4, 160_001, dtype=torch.float64)         # grid step 5e-5
    objective = 0.5 * (y[:, None] - x[None, :]) ** 2 + lam * x[None, :].abs()
    brute = x[objective.argmin(1)]
    torch.testing.assert_close(pn.soft_threshold(y, lam), brute, atol=1e-4, rtol=0)


def test_posterior_mean_and_median_match_monte_carlo():
    """Importance weights p(y | x) on prior draws give the posterior; the draws come from the
    module's own Laplace sampler, so that is checked too."""
    b, sigma = 1.3, 0.8
    g = torch.Generator().manual_seed(0)
    x = pn.sample_laplace(500_000, b, g).double().squeeze(1)
    ys = torch.tensor([-3.0, -0.6, 0.0, 0.25, 1.0, 2.5], dtype=torch.float64)
    order = x.argsort()
    for y in ys:
        w = torch.exp(-0.5 * ((y - x) / sigma) ** 2)
        w = w / w.sum()
        mean = (w * x).sum()
        cdf = w[order].cumsum(0)
        median = x[order][torch.searchsorted(cdf, torch.tensor(0.5, dtype=torch.float64))]
        assert abs(pn.laplace_posterior_mean(y.view(1), b, sigma).item() - mean.item()) < 0.01
        assert abs(pn.laplace_posterior_median(y.view(1), b, sigma).item() - median.item()) < 0.01


def test_the_three_denoisers_are_ordered_as_the_theory_says():
    """For y > 0: soft-threshold < median < mean < y (the MAP shrinks most; Laplace tails
    make the mean shrink least), and all three are odd functions."""
    y = torch.linspace(0.1, 4, 40)
    st, med, mean = pn.soft_threshold(y, 1.0), pn.laplace_posterior_median(y, 1.0, 1.0), \
        pn.laplace_posterior_mean(y, 1.0, 1.0)
    assert (st < med).all() and (med < mean).all() and (mean < y).all()
    torch.testing.assert_close(pn.laplace_posterior_mean(-y, 1.0, 1.0), -mean)
    torch.testing.assert_close(pn.laplace_posterior_median(-y, 1.0, 1.0), -med)


def test_recovered_prior_of_the_soft_threshold_potential_is_abs():
    """ψ(y) = ½ max(|y| − 1, 0)² has ∇ψ = soft-threshold at 1, so R(x) = |x| (+ const)."""
    psi = lambda y: 0.5 * torch.clamp(y.abs() - 1, min=0).pow(2).sum(1)  # noqa: E731
    x = torch.linspace(-3, 3, 25, dtype=torch.float64).unsqueeze(1)
    r = pn.recover_prior(psi, x)
    torch.testing.assert_close(r - r[12], x.squeeze(1).abs(), atol=1e-6, rtol=0)


def test_recovered_prior_is_the_conjugate_minus_half_square_and_inf_outside_the_range():
    """ψ(y) = √(1 + y²): f = y/√(1 + y²) has range (−1, 1) and ψ*(x) = −√(1 − x²), so
    R(x) = −√(1 − x²) − x²/2 inside the range, and there is no y with f(y) = 2."""
    psi = lambda y: torch.sqrt(1 + y ** 2).sum(1)  # noqa: E731
    x = torch.tensor([[-0.9], [-0.3], [0.0], [0.6], [2.0]], dtype=torch.float64)
    r = pn.recover_prior(psi, x, bound=1e4)
    inside = x[:4, 0]
    torch.testing.assert_close(r[:4], -torch.sqrt(1 - inside ** 2) - inside ** 2 / 2, atol=1e-6, rtol=0)
    assert r[4] == float("inf")


def test_recovered_prior_matches_the_parametric_curve_of_an_lpn():
    model = lpn(3, in_dim=1)
    model.clip_weights_()
    y = torch.linspace(-3, 3, 40, dtype=torch.float64).unsqueeze(1)
    fx, r_curve = pn.prior_on_curve(model, y)
    torch.testing.assert_close(pn.recover_prior(model.psi, fx), r_curve, atol=1e-5, rtol=0)


def test_proximal_matching_loss_is_bounded_and_picks_the_mode():
    """1 − exp(−e²/γ²) ∈ [0, 1]; over a bimodal sample with small γ, the constant prediction
    that minimises it sits on the taller mode, while the mean sits between the modes."""
    target = torch.cat([torch.zeros(70, 1), torch.full((30, 1), 3.0)])
    grid = torch.linspace(-1, 4, 501)
    loss = torch.stack([pn.proximal_matching_loss(c.expand(100, 1), target, 0.2) for c in grid])
    assert 0 <= loss.min() and loss.max() <= 1
    assert abs(grid[loss.argmin()].item()) < 0.02
    assert abs(target.mean().item() - 0.9) < 1e-6                  # where ℓ2 would put it

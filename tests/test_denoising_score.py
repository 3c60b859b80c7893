"""reglab.topics.denoising_score: closed-form scores against autograd, the smoothed mixture
against Monte Carlo and quadrature, Tweedie's formula on a Gaussian, and the helpers."""
import math

import pytest
import torch

from reglab.topics import denoising_score as ds


def test_mixture_score_is_the_gradient_of_its_log_density():
    gen = torch.Generator().manual_seed(0)
    for p in (ds.two_gaussians_1d(), ds.ring_2d(components=7, std=0.3),
              ds.GaussianMixture([[0.0, 1.0, -1.0], [2.0, 0.0, 0.5]], [0.5, 1.3], [0.25, 0.75])):
        x = (2 * torch.randn(50, p.dim, generator=gen, dtype=torch.float64)).requires_grad_()
        (grad,) = torch.autograd.grad(p.log_prob(x).sum(), x)
        torch.testing.assert_close(p.score(x.detach()), grad, rtol=1e-10, atol=1e-10)


def test_log_density_integrates_to_one_in_1d_and_2d():
    x = torch.linspace(-8, 8, 8001, dtype=torch.float64)
    for sigma in (0.0, 0.3):
        p = ds.two_gaussians_1d().smoothed(sigma)
        assert abs(torch.trapezoid(p.log_prob(x).exp(), x).item() - 1) < 1e-8
    ax = torch.linspace(-2, 2, 401, dtype=torch.float64)
    grid = torch.stack(torch.meshgrid(ax, ax, indexing="xy"), -1).reshape(-1, 2)
    dens = ds.ring_2d(components=16, std=0.1).log_prob(grid).exp().reshape(401, 401)
    assert abs(torch.trapezoid(torch.trapezoid(dens, ax), ax).item() - 1) < 1e-6


def test_smoothed_mixture_is_the_density_of_x_plus_gaussian_noise():
    """p_σ(y) = E_{x~p} N(y; x, σ²I), estimated by Monte Carlo over 400k draws of x."""
    gen = torch.Generator().manual_seed(1)
    p, sigma = ds.ring_2d(components=12, std=0.1), 0.25
    x = p.sample(400_000, gen).double()
    y = torch.tensor([[1.0, 0.0], [0.0, 0.0], [0.5, -0.6], [1.4, 1.0]], dtype=torch.float64)
    kernel = torch.exp(-((y[:, None] - x[None]) ** 2).sum(-1) / (2 * sigma ** 2)) / (2 * math.pi * sigma ** 2)
    mc, exact = kernel.mean(1), p.smoothed(sigma).log_prob(y).exp()
    torch.testing.assert_close(mc, exact, rtol=0.02, atol=1e-4)
    assert not torch.allclose(exact, p.log_prob(y).exp(), rtol=0.1)  # smoothing does change it


def test_sampler_matches_the_mixture_moments():
    gen = torch.Generator().manual_seed(2)
    x = ds.two_gaussians_1d().sample(200_000, gen).double().squeeze(1)
    mean = 0.3 * -1.5 + 0.7 * 1.5
    var = 0.3 * (0.4 ** 2 + 1.5 ** 2) + 0.7 * (0.6 ** 2 + 1.5 ** 2) - mean ** 2
    assert abs(x.mean().item() - mean) < 0.01 and abs(x.var().item() - var) < 0.02


def test_tweedie_the_optimal_denoiser_of_a_gaussian_gives_the_smoothed_score():
    """For x ~ N(μ, s²) and x̃ = x + σε, E[x | x̃] = μ + s²/(s² + σ²)(x̃ − μ) (linear shrinkage),
    and (E[x | x̃] − x̃)/σ² is exactly the score of N(μ, s² + σ²) at x̃."""
    mu, s, sigma = 0.7, 0.8, 0.45
    p = ds.GaussianMixture([[mu]], [s], [1.0])
    xt = torch.linspace(-3, 3, 61, dtype=torch.float64).unsqueeze(1)
    posterior_mean = mu + s ** 2 / (s ** 2 + sigma ** 2) * (xt - mu)
    torch.testing.assert_close((posterior_mean - xt) / sigma ** 2, p.smoothed(sigma).score(xt))
    # ...and a least-squares linear fit on samples recovers the shrinkage (the DAE optimum).
    gen = torch.Generator().manual_seed(3)
    x = p.sample(200_000, gen).double().squeeze(1)
    noisy = x + sigma * torch.randn(x.shape, generator=gen, dtype=torch.float64)
    slope = ((noisy - noisy.mean()) * (x - x.mean())).mean() / noisy.var()
    assert abs(slope.item() - s ** 2 / (s ** 2 + sigma ** 2)) < 0.01


def test_tweedie_holds_for_the_mixture_by_quadrature():
    """E[x | x̃] computed by numerical integration equals x̃ + σ² ∇log p_σ(x̃) for the two-mode
    mixture, and is far from x̃ + σ² ∇log p(x̃) at this σ (the smoothing bias)."""
    p, sigma = ds.two_gaussians_1d(), 0.5
    x = torch.linspace(-8, 8, 20001, dtype=torch.float64)
    px = p.log_prob(x).exp()
    xt = torch.tensor([-2.0, -1.0, -0.3, 0.4, 1.5, 2.6], dtype=torch.float64)
    lik = torch.exp(-(xt[:, None] - x[None]) ** 2 / (2 * sigma ** 2))
    posterior_mean = torch.trapezoid(lik * px * x, x) / torch.trapezoid(lik * px, x)
    tweedie = xt + sigma ** 2 * p.smoothed(sigma).score(xt.unsqueeze(1)).squeeze(1)
    torch.testing.assert_close(posterior_mean, tweedie, rtol=1e-7, atol=1e-7)
    naive = xt + sigma ** 2 * p.score(xt.unsqueeze(1)).squeeze(1)
    assert (naive - posterior_mean).abs().max() > 0.1


def test_dae_loss_is_scaled_reconstruction_error_and_estimate_reads_g():
    torch.manual_seed(0)
    model = ds.ResidualDAE(2, sigma=0.3, width=8)
    x = torch.randn(5, 2)
    gen_a, gen_b = torch.Generator().manual_seed(4), torch.Generator().manual_seed(4)
    noisy = x + 0.3 * torch.randn(x.shape, generator=gen_b)
    expected = ((model(noisy) - x) ** 2).sum(1).mean() / 0.09
    torch.testing.assert_close(ds.dae_loss(model, x, gen_a), expected)
    torch.testing.assert_close(ds.score_estimate(model, x), model.g(x).detach())


def test_relative_score_error_hand_computed():
    est, true, w = torch.tensor([[1.0], [0.0]]), torch.tensor([[2.0], [1.0]]), torch.tensor([1.0, 3.0])
    # √((1·1 + 3·1) / (1·4 + 3·1)) = √(4/7)
    assert ds.relative_score_error(est, true, w) == pytest.approx(math.sqrt(4 / 7))
    assert ds.relative_score_error(true, true, w) == 0.0


def test_zero_crossings_finds_sign_changes_not_touches():
    x = torch.linspace(-3, 3, 601, dtype=torch.float64)
    crossings = ds.zero_crossings(x, (x + 1.234) * x * (x - 2.001))
    assert crossings == pytest.approx([-1.234, 0.0, 2.001], abs=1e-4)   # linear interpolation of a cubic
    assert ds.zero_crossings(x, 0.1234 - x) == pytest.approx([0.1234], abs=1e-12)  # exact on a line
    assert ds.zero_crossings(x, x ** 2) == []                  # touches 0 at a grid point
    assert ds.zero_crossings(x, (x - 0.5) ** 2 + 0.1) == []


def test_critical_points_of_the_smoothed_mixture_sit_where_its_score_vanishes():
    p = ds.two_gaussians_1d().smoothed(0.1)
    x = torch.linspace(-3, 3, 6001, dtype=torch.float64)
    crit = ds.zero_crossings(x, p.score(x.unsqueeze(1)).squeeze(1))
    assert len(crit) == 3
    dens = p.log_prob(x.unsqueeze(1))
    for c, pick in zip(crit, (torch.argmax, torch.argmin, torch.argmax)):   # mode, trough, mode
        near = (x - c).abs() < 0.2
        assert x[near][pick(dens[near])].item() == pytest.approx(c, abs=2e-3)


def test_cosine_rows():
    a = torch.tensor([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    b = torch.tensor([[3.0, 0.0], [0.0, -1.0], [1.0, 0.0]])
    torch.testing.assert_close(ds.cosine(a, b), torch.tensor([1.0, -1.0, 1 / math.sqrt(2)]))

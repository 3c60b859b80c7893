import numpy as np
import torch

from reglab.topics import denoiser_generalization as dg


def test_empirical_denoiser_returns_the_nearest_training_point_at_small_noise():
    g = torch.Generator().manual_seed(0)
    train = torch.randn(20, 8, generator=g)
    y = train[[3, 11]] + 0.01 * torch.randn(2, 8, generator=g)
    out = dg.empirical_denoiser(y, train, sigma=0.01)
    assert torch.allclose(out, train[[3, 11]], atol=1e-6)


def test_empirical_denoiser_returns_the_mean_at_huge_noise():
    train = torch.randn(50, 5, generator=torch.Generator().manual_seed(1))
    out = dg.empirical_denoiser(torch.zeros(1, 5), train, sigma=1e4)
    assert torch.allclose(out[0], train.mean(0), atol=1e-5)


def test_empirical_denoiser_of_many_gaussian_draws_is_the_wiener_filter():
    # The posterior mean under the empirical prior tends to the Gaussian's posterior mean
    # (the Wiener filter) as the number of draws grows; in 2-D 200k draws are plenty.
    g = torch.Generator().manual_seed(2)
    cov = torch.tensor([[1.0, 0.6], [0.6, 0.5]], dtype=torch.float64)
    mean = torch.tensor([0.3, -0.2], dtype=torch.float64)
    draws = mean + torch.randn(200_000, 2, generator=g, dtype=torch.float64) @ torch.linalg.cholesky(cov).T
    y = torch.tensor([[0.5, 0.5], [-1.0, 0.2], [1.5, -0.5]], dtype=torch.float64)
    eb = dg.empirical_denoiser(y, draws, sigma=0.7).double()
    assert torch.allclose(eb, dg.wiener_denoiser(y, mean, cov, 0.7), atol=0.03)


def test_wiener_filter_is_identity_without_noise_and_mean_with_infinite_noise():
    cov = torch.tensor([[2.0, 0.3], [0.3, 1.0]])
    mean, y = torch.tensor([1.0, -1.0]), torch.tensor([[0.2, 0.7]])
    assert torch.allclose(dg.wiener_denoiser(y, mean, cov, 0.0), y, atol=1e-6)
    assert torch.allclose(dg.wiener_denoiser(y, mean, cov, 1e4), mean[None], atol=1e-4)


def test_bias_free_cnn_is_positively_homogeneous_and_its_receptive_field_is_counted():
    torch.manual_seed(0)
    net = dg.BiasFreeCNN1d(channels=8, layers=4, kernel=11)
    assert net.receptive_field == 41
    y = torch.randn(3, 40)
    assert torch.allclose(net(2.5 * y), 2.5 * net(y), atol=1e-5)
    # a perturbation at position 0 reaches position 20 (within 20 of it) but no further than 20
    e = torch.zeros(1, 40)
    e[0, 0] = 1.0
    delta = (net(y[:1] + e) - net(y[:1]) - e).abs()[0]
    assert delta[21:].max() == 0


def test_disjoint_split_is_disjoint_nested_and_sized():
    a8, b8, t8 = dg.disjoint_split(100, 8, 10, torch.Generator().manual_seed(3))
    a40, b40, t40 = dg.disjoint_split(100, 40, 10, torch.Generator().manual_seed(3))
    assert len(a40) == len(b40) == 40 and len(t40) == 10
    assert not set(a40.tolist()) & set(b40.tolist()) and not (set(a40.tolist()) | set(b40.tolist())) & set(t40.tolist())
    assert set(a8.tolist()) <= set(a40.tolist()) and set(b8.tolist()) <= set(b40.tolist()) and torch.equal(t8, t40)


def test_nearest_cosine_matches_brute_force():
    g = torch.Generator().manual_seed(4)
    train, samples = torch.randn(30, 12, generator=g), torch.randn(7, 12, generator=g)
    cos, idx = dg.nearest_cosine(samples, train)
    brute = torch.stack([dg.centered_cosine(s.expand_as(train), train) for s in samples])  # (7, 30)
    assert np.allclose(cos, brute.max(1).values.numpy(), atol=1e-6)
    assert np.array_equal(idx, brute.argmax(1).numpy())
    assert np.allclose(dg.centered_cosine(samples, 3 * samples + 1).numpy(), 1.0, atol=1e-6)


def test_sampler_with_a_memorizing_denoiser_lands_on_a_training_point():
    # With the empirical denoiser at the iterate's own noise scale the ascent ends on a
    # training signal: the sampler of a memorizing model reproduces its training set.
    g = torch.Generator().manual_seed(5)
    train = torch.randn(5, 16, generator=g) * 2
    z = 1.5 * torch.randn(4, 16, generator=g)
    out = dg.sample(lambda y: dg.empirical_denoiser(y, train, 0.3), z, iterations=60)
    cos, _ = dg.nearest_cosine(out, train)
    assert cos.min() > 0.999


def test_disagreement_is_zero_for_one_function_and_two_for_independent_errors():
    x = torch.zeros(4, 3)
    f = torch.ones(4, 3)
    assert dg.disagreement(f, f, x) == 0.0
    assert abs(dg.disagreement(f, -f, x) - 4.0) < 1e-9          # ‖2‖² over a mean error of 1
    g = torch.Generator().manual_seed(6)
    e_a, e_b = torch.randn(20_000, 5, generator=g), torch.randn(20_000, 5, generator=g)
    assert abs(dg.disagreement(e_a, e_b, torch.zeros(20_000, 5)) - 2.0) < 0.05

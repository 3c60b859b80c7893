"""Nested Dropout and the paper's label noise (Chen et al., TNNLS 2022)."""
import math

import pytest
import torch
import torch.nn as nn

from reglab.topics import nested_dropout as nd


def test_the_mask_is_a_prefix_of_k_ones_followed_by_zeros():
    d = 7
    for k in range(1, d + 1):
        m = nd.prefix_mask(k, d)
        assert m.tolist() == [1.0] * k + [0.0] * (d - k)


def test_training_keeps_one_prefix_for_the_whole_batch_unscaled():
    g = torch.Generator().manual_seed(0)
    probs = nd.gaussian_index_probs(16, sigma=6.0)
    h = torch.rand(32, 16) + 0.5                      # no zeros of its own
    for _ in range(50):
        out = nd.nested_dropout(h, probs, training=True, generator=g)
        kept = out != 0
        k = int(kept[0].sum())
        assert 1 <= k <= 16
        assert kept.equal(nd.prefix_mask(k, 16).bool().expand(32, 16))  # same prefix in every row
        assert torch.equal(out[:, :k], h[:, :k])      # kept units are not rescaled


def test_eval_mode_is_the_identity():
    layer = nd.NestedDropout(nd.gaussian_index_probs(8, sigma=2.0), torch.Generator().manual_seed(0))
    h = torch.randn(5, 8)
    layer.eval()
    assert layer(h) is h
    assert nd.nested_dropout(h, layer.probs, training=False) is h
    assert not list(layer.buffers()) and not list(layer.parameters())  # adds no state to a model


def test_gaussian_index_probs_match_the_official_formula_by_hand():
    p = nd.gaussian_index_probs(3, sigma=2.0)
    w = [math.exp(-(k / 2.0) ** 2) for k in (1, 2, 3)]
    torch.testing.assert_close(p, torch.tensor([x / sum(w) for x in w], dtype=torch.float64))
    big = nd.gaussian_index_probs(512, sigma=3.0)      # far tail underflows, the sum stays 1
    assert torch.isfinite(big).all() and abs(big.sum().item() - 1) < 1e-12
    assert (big[1:] <= big[:-1]).all()                 # decreasing in k: short prefixes are likely


def test_geometric_index_probs_are_the_truncated_geometric():
    rho, d = 0.8, 10
    p = nd.geometric_index_probs(d, rho)
    assert abs(p.sum().item() - 1) < 1e-12
    torch.testing.assert_close(p[1:] / p[:-1], torch.full((d - 1,), rho, dtype=torch.float64))
    torch.testing.assert_close(p[0], torch.tensor((1 - rho) / (1 - rho ** d), dtype=torch.float64))


def test_sampled_indices_lie_in_1_to_d_and_follow_the_distribution():
    d, n = 12, 20_000
    probs = nd.gaussian_index_probs(d, sigma=4.0)
    g = torch.Generator().manual_seed(1)
    ks = torch.tensor([nd.sample_index(probs, g) for _ in range(n)])
    assert ks.min() >= 1 and ks.max() <= d
    freq = torch.bincount(ks - 1, minlength=d).double() / n
    sd = (probs * (1 - probs) / n).sqrt()
    assert ((freq - probs).abs() <= 5 * sd + 1e-12).all()
    again = torch.tensor([nd.sample_index(probs, torch.Generator().manual_seed(1)) for _ in range(3)])
    assert (again == ks[0]).all()                      # a seeded generator repeats its draw


def test_prefix_logits_equal_the_masked_classifier_for_every_k():
    torch.manual_seed(0)
    h, clf = torch.randn(9, 6), nn.Linear(6, 4, bias=False)
    z = nd.prefix_logits(h, clf.weight)
    assert z.shape == (9, 6, 4)
    for k in range(1, 7):
        torch.testing.assert_close(z[:, k - 1], clf(h * nd.prefix_mask(k, 6)))
    y = torch.randint(4, (9,))
    by_k = nd.accuracy_by_prefix(h, clf.weight, y, chunk=4)  # chunks must not change the answer
    expected = torch.tensor([(clf(h * nd.prefix_mask(k, 6)).argmax(1) == y).float().mean() for k in range(1, 7)])
    torch.testing.assert_close(by_k, expected)


def test_channels_after_k_get_no_gradient():
    torch.manual_seed(0)
    h = torch.randn(4, 5, requires_grad=True)
    out = nd.nested_dropout(h, nd.gaussian_index_probs(5, 1.0), True, torch.Generator().manual_seed(2))
    out.sum().backward()
    k = int((out[0] != 0).sum())
    assert (h.grad[:, k:] == 0).all() and (h.grad[:, :k] == 1).all()


def test_select_k_takes_the_best_and_breaks_ties_towards_fewer_channels():
    assert nd.select_k(torch.tensor([0.5, 0.7, 0.7, 0.6])) == 2
    assert nd.select_k(torch.tensor([0.5, 0.7, 0.700005])) == 2   # within 1e-5 per channel: fewer wins
    assert nd.select_k(torch.tensor([0.5, 0.7, 0.71])) == 3


@pytest.mark.parametrize("rate", [0.0, 0.2, 0.4, 0.5])
def test_exact_flips_are_always_wrong_and_exactly_counted_per_class(rate):
    y = torch.arange(10).repeat_interleave(torch.arange(20, 30))  # unequal classes: 20..29 members
    noisy = nd.exact_label_noise(y, rate, num_classes=10, seed=3)
    flipped = noisy != y
    for c in range(10):
        n_c = int((y == c).sum())
        assert int(flipped[y == c].sum()) == math.ceil(rate * n_c - 1e-9)
    assert (noisy[flipped] != y[flipped]).all() and noisy.min() >= 0 and noisy.max() <= 9
    assert torch.equal(noisy, nd.exact_label_noise(y, rate, num_classes=10, seed=3))


def test_exact_flips_spread_over_the_other_classes():
    y = torch.zeros(9000, dtype=torch.long)
    noisy = nd.exact_label_noise(y, 1.0, num_classes=4, seed=0)
    counts = torch.bincount(noisy, minlength=4)
    assert counts[0] == 0 and ((counts[1:] - 3000).abs() < 200).all()

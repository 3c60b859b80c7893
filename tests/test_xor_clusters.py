"""XOR cluster data and the fixed-second-layer ReLU network (Xu et al., ICLR 2024)."""
import math

import pytest
import torch

from reglab import data
from reglab.topics import xor_clusters


def test_clusters_sit_at_plus_minus_mu1_and_mu2_on_orthogonal_axes():
    ds, clean = xor_clusters.xor_clusters(4000, p=50, mu_norm=100.0, seed=0)
    x0, x1, rest = ds.x[:, 0], ds.x[:, 1], ds.x[:, 2:]
    on_mu1 = clean == 1
    # label +1: x = ±μ₁ + ξ, so the first coordinate is ±100 and the second is pure noise
    assert (x0[on_mu1].abs() > 90).all() and (x1[on_mu1].abs() < 6).all()
    assert (x1[~on_mu1].abs() > 90).all() and (x0[~on_mu1].abs() < 6).all()
    # both signs of each mean occur, about equally often (the four clusters are equally likely)
    for coord, rows in ((x0, on_mu1), (x1, ~on_mu1)):
        share_plus = (coord[rows] > 0).float().mean().item()
        assert abs(share_plus - 0.5) < 0.05
    assert abs(on_mu1.float().mean().item() - 0.5) < 0.05
    # the other coordinates are N(0, 1) noise
    assert abs(rest.mean().item()) < 0.01 and abs(rest.var().item() - 1) < 0.02


def test_labels_are_the_xor_rule_and_x_and_minus_x_share_a_label():
    ds, clean = xor_clusters.xor_clusters(500, p=20, mu_norm=50.0, seed=1)
    xor_rule = torch.where(ds.x[:, 0].abs() > ds.x[:, 1].abs(), 1.0, -1.0)
    assert torch.equal(clean, xor_rule)
    assert torch.equal(ds.y, clean)  # no flips by default
    assert set(clean.tolist()) == {-1.0, 1.0}


def test_cluster_of_recovers_the_cluster_that_drew_each_point():
    torch.manual_seed(0)
    ds, clean = xor_clusters.xor_clusters(2000, p=30, mu_norm=20.0, seed=4)
    cluster = xor_clusters.cluster_of(ds.x)
    assert set(cluster.tolist()) == {0, 1, 2, 3}
    assert torch.equal(clean, torch.where(cluster < 2, 1.0, -1.0))          # ±μ₁: +1, ±μ₂: −1
    sign = torch.where(cluster % 2 == 0, 1.0, -1.0)                           # +μ or −μ
    along = ds.x[torch.arange(2000), cluster // 2]
    assert (along * sign > 10).all()                                          # on the right side
    # by hand, on the means themselves
    means = torch.tensor([[5.0, 0.0], [-5.0, 0.0], [0.0, 5.0], [0.0, -5.0]])
    assert xor_clusters.cluster_of(means).tolist() == [0, 1, 2, 3]


def test_flip_rate_is_the_requested_one_and_flips_only_negate():
    ds, clean = xor_clusters.xor_clusters(20_000, p=4, mu_norm=3.0, flip_rate=0.2, seed=3)
    flipped = ds.y != clean
    assert abs(flipped.float().mean().item() - 0.2) < 0.01
    assert torch.equal(ds.y[flipped], -clean[flipped])
    # a fixed seed gives a fixed number of flips (this draw: regression value)
    ds_small, clean_small = xor_clusters.xor_clusters(80, p=40_000, mu_norm=50.0, flip_rate=0.15, seed=0)
    assert (ds_small.y != clean_small).sum().item() == 9


def test_xor_clusters_are_deterministic_per_seed_and_independent_of_the_global_rng():
    torch.manual_seed(0)
    a, ca = xor_clusters.xor_clusters(30, p=10, mu_norm=5.0, flip_rate=0.3, seed=7)
    torch.manual_seed(1)
    b, cb = xor_clusters.xor_clusters(30, p=10, mu_norm=5.0, flip_rate=0.3, seed=7)
    c, _ = xor_clusters.xor_clusters(30, p=10, mu_norm=5.0, flip_rate=0.3, seed=8)
    assert torch.equal(a.x, b.x) and torch.equal(a.y, b.y) and torch.equal(ca, cb)
    assert not torch.equal(a.x, c.x)
    assert xor_clusters.xor_clusters(3, p=2, mu_norm=1.0, dtype=torch.float64)[0].x.dtype == torch.float64


def test_flip_rate_outside_unit_interval_is_a_clear_error():
    with pytest.raises(data.DatasetError, match="must be in \\[0, 1\\]"):
        xor_clusters.xor_clusters(5, p=3, mu_norm=1.0, flip_rate=-0.1)


def test_network_equals_the_explicit_sum_over_neurons():
    torch.manual_seed(0)
    model = xor_clusters.TwoLayerReLU(p=7, m=6, init_std=1.0)
    x = torch.randn(5, 7)
    explicit = torch.zeros(5)
    for j in range(6):
        a_j = (1 if j < 3 else -1) / math.sqrt(6)
        explicit += a_j * torch.clamp(x @ model.weight[j], min=0)
    torch.testing.assert_close(model(x), explicit)
    assert [name for name, _ in model.named_parameters()] == ["weight"]  # a is fixed
    with pytest.raises(ValueError, match="even"):
        xor_clusters.TwoLayerReLU(p=3, m=5, init_std=1.0)


def test_logistic_loss_and_sign_accuracy_by_hand():
    f, y = torch.tensor([2.0, -1.0, 0.0, 1000.0]), torch.tensor([1.0, 1.0, -1.0, -1.0])
    expected = sum(math.log1p(math.exp(-yi * fi)) for fi, yi in zip([2.0, -1.0, 0.0], [1, 1, -1])) + 1000.0
    torch.testing.assert_close(xor_clusters.logistic_loss(f, y), torch.tensor(expected / 4))
    assert xor_clusters.sign_accuracy(f, y) == 0.5  # right: 2 → +1 and 0 → −1; wrong: −1 and 1000


def test_first_gd_step_from_tiny_init_is_the_papers_closed_form():
    """At f ≈ 0 the logistic loss has slope −1/2, so one GD step with step size α gives

        wⱼ⁽¹⁾ = wⱼ⁽⁰⁾ + (α / 2n) aⱼ Σᵢ yᵢ 1[⟨wⱼ⁽⁰⁾, xᵢ⟩ > 0] xᵢ.
    """
    torch.manual_seed(0)
    ds, _ = xor_clusters.xor_clusters(12, p=30, mu_norm=4.0, flip_rate=0.2, seed=0, dtype=torch.float64)
    model = xor_clusters.TwoLayerReLU(p=30, m=8, init_std=1e-9).double()
    w0, alpha = model.weight.detach().clone(), 0.3
    opt = torch.optim.SGD(model.parameters(), lr=alpha)
    xor_clusters.logistic_loss(model(ds.x), ds.y).backward()
    opt.step()
    active = (ds.x @ w0.T > 0).double()                               # (n, m)
    expected = w0 + alpha / (2 * 12) * model.a[:, None] * ((ds.y[:, None] * active).T @ ds.x)
    torch.testing.assert_close(model.weight.detach(), expected, rtol=1e-6, atol=1e-12)


def test_cluster_alignment_of_a_network_that_has_learned_the_xor_rule():
    model = xor_clusters.TwoLayerReLU(p=5, m=4, init_std=1.0)
    with torch.no_grad():
        model.weight.zero_()
        model.weight[:2, 0] = torch.tensor([3.0, -3.0])   # a > 0: along ±μ₁
        model.weight[2:, 1] = torch.tensor([2.0, -2.0])   # a < 0: along ±μ₂
    own, other = xor_clusters.cluster_alignment(model)
    assert own == pytest.approx(1.0) and other == 0.0
    with torch.no_grad():
        model.weight[:] = model.weight[[2, 3, 0, 1]]      # swapped: every neuron on the wrong axis
    assert xor_clusters.cluster_alignment(model) == pytest.approx((0.0, 1.0))

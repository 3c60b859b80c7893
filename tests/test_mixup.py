"""MixUp / AdaMixUp operators (reglab.topics.mixup): mixed targets are distributions that meet
the endpoints, intrusion is detected on a hand-built case, and the AdaMixUp pieces keep λ in
its interval and label the discriminator's data the official way."""
import math

import pytest
import torch
import torch.nn.functional as F

from reglab import models
from reglab.topics import mixup


def test_mixed_targets_sum_to_one_and_equal_the_endpoints_at_lambda_0_and_1():
    torch.manual_seed(0)
    x1, x2 = torch.randn(5, 3, 4, 4), torch.randn(5, 3, 4, 4)   # images: λ broadcasts over C, H, W
    y1 = F.one_hot(torch.tensor([0, 1, 2, 3, 4]), 6).float()
    y2 = F.one_hot(torch.tensor([5, 5, 0, 3, 1]), 6).float()
    lam = torch.tensor([0.0, 0.3, 0.5, 0.9, 1.0])
    x, y = mixup.mix(x1, x2, y1, y2, lam)
    torch.testing.assert_close(y.sum(1), torch.ones(5))
    assert (y >= 0).all()
    for k, l in enumerate(lam):
        torch.testing.assert_close(x[k], l * x1[k] + (1 - l) * x2[k])
    torch.testing.assert_close((x[0], y[0]), (x2[0], y2[0]))    # λ = 0: the partner
    torch.testing.assert_close((x[4], y[4]), (x1[4], y1[4]))    # λ = 1: the example itself
    assert y[3, 3] == 1.0                                        # same class on both sides: still one-hot


def test_beta_lambdas_have_the_beta_mean_and_variance():
    torch.manual_seed(0)
    for alpha in (0.2, 1.0, 4.0):
        lam = mixup.beta_lambdas(100_000, alpha)
        assert ((lam >= 0) & (lam <= 1)).all() and not lam.isnan().any()
        assert abs(lam.mean().item() - 0.5) < 0.01
        assert abs(lam.var().item() - 1 / (4 * (2 * alpha + 1))) < 0.005  # Var Beta(α, α) = 1/(4(2α+1))


def test_intrusion_is_detected_on_a_hand_built_line():
    # three classes on a line: class 0 at −1, class 2 at 0, class 1 at +1
    train_x = torch.tensor([[-1.0], [0.0], [1.0]])
    train_y = torch.tensor([0, 2, 1])
    x1, x2 = train_x[[0, 0, 0, 1]], train_x[[2, 2, 2, 2]]
    y1, y2 = train_y[[0, 0, 0, 1]], train_y[[2, 2, 2, 2]]
    lam = torch.tensor([0.5, 0.9, 0.1, 0.5])
    x_mix, _ = mixup.mix(x1, x2, x1, x2, lam)                    # −1↔+1 at ½ lands on class 2
    assert mixup.intrusion(x_mix, y1, y2, train_x, train_y).tolist() == [True, False, False, False]


def test_intrusion_counts_the_middle_ring_when_inner_and_outer_rings_mix():
    rings = mixup.concentric_rings(100, noise=0.0, seed=0)
    torch.testing.assert_close(rings.x.norm(dim=1), torch.tensor([1.0, 2.0, 3.0]).repeat_interleave(100))
    outer = rings.x[rings.y == 2]
    inner = outer / 3                                            # inner-ring points at the same angles
    zeros, twos = torch.zeros(100, dtype=torch.long), torch.full((100,), 2)
    x_mix, _ = mixup.mix(inner, outer, inner, outer, torch.full((100,), 0.5))   # radius 2: the middle ring
    assert mixup.intrusion(x_mix, zeros, twos, rings.x, rings.y).all()
    x_mix, _ = mixup.mix(inner, outer, inner, outer, torch.full((100,), 0.9))   # radius 1.2: still inner
    assert not mixup.intrusion(x_mix, zeros, twos, rings.x, rings.y).any()


def test_truncated_normal_stays_within_two_sd_with_unit_variance_of_the_truncated_law():
    torch.manual_seed(0)
    z = mixup.truncated_normal((200_000,))
    assert z.abs().max() <= 2.0 + 1e-6
    phi = math.exp(-2) / math.sqrt(2 * math.pi)                  # density at ±2
    var = 1 - 2 * 2 * phi / math.erf(2 / math.sqrt(2))          # variance of N(0,1) truncated to [−2, 2]
    assert abs(z.mean().item()) < 0.01 and abs(z.var().item() - var) < 0.01


@pytest.fixture
def ada():
    torch.manual_seed(0)
    return mixup.AdaMixUp(models.mlp((2,), 3, width=16), models.mlp((2,), 3, width=16)[:-1])


def test_policy_starts_at_a_third_and_keeps_lambda_in_its_interval(ada):
    x1, x2 = torch.randn(64, 2), torch.randn(64, 2)
    a, delta = ada.policy(x1, x2)
    torch.testing.assert_close(a, torch.full((64,), 1 / 3), atol=1e-3, rtol=0)   # std 1e-3 init
    with torch.no_grad():                                        # push the logits far from uniform
        ada.policy.head[1].bias.copy_(torch.tensor([3.0, -1.0, 0.5]))
    a, delta = ada.policy(x1, x2)
    lam = ada.policy.sample(x1, x2)
    assert ((a >= 0) & (delta >= 0) & (a + delta <= 1 + 1e-6)).all()
    assert ((lam >= a.min() - 1e-6) & (lam <= (a + delta).max() + 1e-6)).all()


def test_discriminator_labels_real_as_1_and_mixed_as_0():
    unseen, originals, mixed = torch.zeros(3, 2), torch.ones(4, 2), torch.full((5, 2), 7.0)
    x, y = mixup.discriminator_batch(unseen, originals, mixed)
    assert y.tolist() == [1] * 7 + [0] * 5
    assert (x[y == 0] == 7.0).all() and (x[y == 1] != 7.0).all()


def test_adamixup_loss_reaches_every_part_and_the_ablation_leaves_the_policy_alone(ada):
    x, y = torch.randn(32, 2), F.one_hot(torch.randint(3, (32,)), 3).float()
    mixup.adamixup_loss(ada, x, y).backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in ada.parameters())
    ada.zero_grad(set_to_none=True)
    mixup.mixup_with_originals_loss(ada, x, y, alpha=1.0).backward()
    assert all(p.grad is None for p in [*ada.policy.parameters(), *ada.discriminator.parameters()])

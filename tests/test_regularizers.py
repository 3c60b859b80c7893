import math

import pytest
import torch
import torch.nn.functional as F

from reglab import regularizers as reg


def test_elr_penalty_matches_hand_computed_value():
    # Two examples, two classes. Logits (0, 0) give p = (1/2, 1/2); logits (log 3, 0) give (3/4, 1/4).
    logits = torch.tensor([[0.0, 0.0], [math.log(3.0), 0.0]])
    targets = torch.tensor([[1.0, 0.0], [0.5, 0.5]])
    # <p, t> = 1/2 and 1/2, so the penalty is log(1 - 1/2) averaged: log(1/2).
    assert reg.elr_penalty(logits, targets).item() == pytest.approx(math.log(0.5), abs=1e-6)


def test_elr_penalty_clamps_probabilities_like_the_official_code():
    logits = torch.tensor([[100.0, -100.0]])            # p would be exactly (1, 0)
    targets = torch.tensor([[1.0, 0.0]])
    expected = math.log(1 - (1 - reg.ELR_CLAMP))         # p clamped to 1 - 1e-4: finite
    assert reg.elr_penalty(logits, targets).item() == pytest.approx(expected, rel=1e-3)


def test_elr_targets_are_a_moving_average_of_renormalised_predictions():
    targets = torch.zeros(3, 2)
    logits = torch.tensor([[0.0, 0.0], [math.log(3.0), 0.0]])
    reg.elr_update_targets_(targets, torch.tensor([2, 0]), logits, beta=0.7)
    torch.testing.assert_close(targets, torch.tensor([[0.75 * 0.3, 0.25 * 0.3], [0, 0], [0.15, 0.15]]))
    reg.elr_update_targets_(targets, torch.tensor([2, 0]), logits, beta=0.7)
    torch.testing.assert_close(targets[2], torch.tensor([0.15 * 0.7 + 0.15, 0.15 * 0.7 + 0.15]))


def test_elr_targets_are_not_differentiated_through():
    targets = torch.zeros(1, 3)
    logits = torch.randn(1, 3, requires_grad=True)
    reg.elr_update_targets_(targets, torch.tensor([0]), logits, beta=0.5)
    assert not targets.requires_grad


def _model_with_grads():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(5, 4), torch.nn.ReLU(), torch.nn.Linear(4, 3))
    F.cross_entropy(model(torch.randn(8, 5)), torch.randint(0, 3, (8,))).backward()
    return model


def test_orthogonal_grad_is_orthogonal_to_weights_and_keeps_the_norm():
    model = _model_with_grads()
    before = [p.grad.clone() for p in model.parameters()]
    reg.orthogonalize_grads_(model.parameters())
    for p, g in zip(model.parameters(), before):
        assert torch.dot(p.grad.flatten(), p.detach().flatten()).abs() < 1e-6 * g.norm() * p.norm()
        torch.testing.assert_close(p.grad.norm(), g.norm())
        assert not torch.allclose(p.grad, g)  # it did change the gradient


def test_orthogonal_grad_removes_a_pure_scaling_direction():
    w = torch.nn.Parameter(torch.tensor([3.0, 4.0]))
    w.grad = torch.tensor([0.6, 0.8]) + torch.tensor([-0.8, 0.6])  # along w + orthogonal to w
    reg.orthogonalize_grads_([w])
    torch.testing.assert_close(w.grad, torch.tensor([-0.8, 0.6]) * math.sqrt(2.0))


def test_orthogonal_grad_runs_before_every_optimizer_step():
    model = _model_with_grads()
    w0 = [p.detach().clone() for p in model.parameters()]
    opt = reg.orthogonal_grad(torch.optim.SGD(model.parameters(), lr=0.1))
    opt.step()
    for p, w in zip(model.parameters(), w0):  # the step was taken along the projected gradient
        torch.testing.assert_close(torch.dot((p.detach() - w).flatten(), w.flatten()),
                                   torch.tensor(0.0), atol=1e-6, rtol=0)


def test_stablemax_is_a_distribution_and_matches_its_formula():
    x = torch.tensor([[2.0, 0.0, -1.0]])
    s = torch.tensor([3.0, 1.0, 0.5])
    torch.testing.assert_close(reg.stablemax(x), (s / s.sum())[None])
    y = torch.tensor([0])
    assert reg.stablemax_cross_entropy(x, y).item() == pytest.approx(-math.log(3 / 4.5))

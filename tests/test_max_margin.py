import math

import pytest
import torch
import torch.nn.functional as F

from reglab.topics import max_margin


def test_linear_svm_of_a_hand_made_dataset():
    # (1, 0) labelled +1 and (0, 1) labelled −1 force w1 ≥ 1 and −w2 ≥ 1: the answer is (1, −1).
    # (3, 0), labelled +1, is not a support vector (3·w1 = 3 > 1).
    x = torch.tensor([[1.0, 0.0], [0.0, 1.0], [3.0, 0.0]], dtype=torch.float64)
    y = torch.tensor([1.0, -1.0, 1.0], dtype=torch.float64)
    w = max_margin.hard_margin_svm(y[:, None] * x)
    torch.testing.assert_close(w, torch.tensor([1.0, -1.0], dtype=torch.float64), atol=1e-6, rtol=0)
    assert max_margin.normalized_margin(w, x, y) == pytest.approx(1 / math.sqrt(2), abs=1e-6)


def test_svm_constraints_hold_with_equality_on_support_vectors_only():
    torch.manual_seed(0)
    x = torch.randn(40, 5, dtype=torch.float64)
    y = torch.sign(x @ torch.tensor([1.0, -2.0, 0.5, 0.0, 1.0], dtype=torch.float64))
    w = max_margin.hard_margin_svm(y[:, None] * x)
    m = y * (x @ w)
    assert m.min() == pytest.approx(1.0, abs=1e-6)         # feasible, and tight somewhere
    support = (m - 1).abs() < 1e-5
    assert 1 <= support.sum() <= 5 + 1                      # at most d+1 support vectors in general position
    # KKT: w is a nonnegative combination of the support vectors' y_i x_i.
    alpha, *_ = torch.linalg.lstsq((y[support, None] * x[support]).T, w[:, None])
    assert (alpha > -1e-6).all()
    torch.testing.assert_close((y[support, None] * x[support]).T @ alpha, w[:, None], atol=1e-6, rtol=0)


def test_frobenius_and_nuclear_svms_of_one_constraint():
    # min ‖W‖ s.t. ⟨F, W⟩ ≥ 1 with F = diag(2, 1): the Frobenius answer is F/‖F‖²_F = diag(2, 1)/5;
    # the nuclear answer is u1 v1ᵀ/σ1 = diag(1/2, 0), since the spectral norm is its dual.
    feats = torch.diag(torch.tensor([2.0, 1.0], dtype=torch.float64))[None]
    fro = max_margin.hard_margin_svm(feats, "fro")
    nuc = max_margin.hard_margin_svm(feats, "nuc")
    torch.testing.assert_close(fro, torch.diag(torch.tensor([0.4, 0.2], dtype=torch.float64)), atol=1e-6, rtol=0)
    torch.testing.assert_close(nuc, torch.diag(torch.tensor([0.5, 0.0], dtype=torch.float64)), atol=1e-6, rtol=0)


def test_infeasible_svm_raises():
    feats = torch.tensor([[1.0], [-1.0]], dtype=torch.float64)   # w ≥ 1 and −w ≥ 1
    with pytest.raises(ValueError, match="separable"):
        max_margin.hard_margin_svm(feats)


def test_correlation():
    a = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert max_margin.correlation(a, 3 * a) == pytest.approx(1.0)
    assert max_margin.correlation(a, -a) == pytest.approx(-1.0)
    assert max_margin.correlation(torch.tensor([1.0, 0.0]), torch.tensor([0.0, 2.0])) == pytest.approx(0.0)
    assert max_margin.correlation(torch.tensor([1.0, 0.0]), torch.tensor([1.0, 1.0])) == pytest.approx(1 / math.sqrt(2))


def test_logistic_gd_step_is_gradient_descent_on_the_logistic_loss():
    torch.manual_seed(0)
    x, y = torch.randn(20, 3, dtype=torch.float64), torch.sign(torch.randn(20, dtype=torch.float64))
    w = torch.randn(3, 2, dtype=torch.float64, requires_grad=True)
    F.softplus(-y[:, None] * (x @ w)).mean(0).sum().backward()
    gammas = torch.tensor([0.5, 7.0], dtype=torch.float64)
    torch.testing.assert_close(max_margin.logistic_gd_step(w.detach(), x, y, gammas), w.detach() - gammas * w.grad)


# Integer data on which the batch perceptron meets an exact tie at step 4: example 3's margin is
# 0 in exact arithmetic, but 2.7e-15 when the iterate is kept as θ = u / 2n in floating point.
TIE_X = torch.tensor([[10, 15, 5], [9, 2, 7], [8, 11, 14], [0, 5, 3], [16, 11, 4], [16, 2, 16], [1, 7, 4]],
                     dtype=torch.float64)
TIE_Y = torch.tensor([1.0, 1.0, 1.0, -1.0, -1.0, -1.0, 1.0], dtype=torch.float64)


def test_batch_perceptron_step_is_the_perceptron_rule_scaled_by_2n():
    x, y = TIE_X, TIE_Y
    u = max_margin.batch_perceptron_step(torch.zeros(3, dtype=torch.float64), x, y)
    torch.testing.assert_close(u, (y[:, None] * x).sum(0))           # every margin is 0 at θ = 0: weight ½
    m = y * (x @ u)
    want = u + (y[:, None] * x * (2.0 * (m < 0) + (m == 0))[:, None]).sum(0)
    torch.testing.assert_close(max_margin.batch_perceptron_step(u, x, y), want)


def test_batch_perceptron_finds_exact_ties_that_floating_point_misses():
    x, y, n = TIE_X, TIE_Y, len(TIE_Y)
    u, theta = torch.zeros(3, dtype=torch.float64), torch.zeros(3, dtype=torch.float64)
    for _ in range(4):
        u = max_margin.batch_perceptron_step(u, x, y)
        m = y * (x @ theta)                                                # the same rule on θ = u / 2n
        theta = theta + (y[:, None] * x).T @ ((m < 0).double() + 0.5 * (m == 0).double()) / n
    assert (y * (x @ u))[3] == 0                                          # an exact tie...
    assert (y * (x @ theta))[3] != 0                                      # ...that rounding hides
    assert torch.equal(u, torch.round(u))                                 # u stays an integer vector


def test_huge_steps_follow_the_exact_batch_perceptron_through_a_tie():
    # GD's θ_t / γ tends to the perceptron's u_t / 2n, also at the tie (GD weighs it σ(0) = ½).
    x, y, n = TIE_X, TIE_Y, len(TIE_Y)
    gammas = torch.tensor([1e9], dtype=torch.float64)
    w, u = torch.zeros(3, 1, dtype=torch.float64), torch.zeros(3, dtype=torch.float64)
    for _ in range(8):
        w, u = max_margin.logistic_gd_step(w, x, y, gammas), max_margin.batch_perceptron_step(u, x, y)
        torch.testing.assert_close(w[:, 0] / gammas[0], u / (2 * n), rtol=1e-6, atol=0)


def test_huge_steps_follow_the_batch_perceptron_on_random_integer_data():
    g = torch.Generator().manual_seed(1)
    x = torch.randint(-5, 6, (30, 4), generator=g).double()
    y = torch.sign(x @ torch.tensor([1.0, 1.0, -1.0, 0.5], dtype=torch.float64) + 0.25)
    gammas = torch.tensor([1e12], dtype=torch.float64)
    w, u = torch.zeros(4, 1, dtype=torch.float64), torch.zeros(4, dtype=torch.float64)
    for _ in range(5):
        w, u = max_margin.logistic_gd_step(w, x, y, gammas), max_margin.batch_perceptron_step(u, x, y)
        torch.testing.assert_close(w[:, 0] / gammas[0], u / (2 * len(y)), rtol=1e-9, atol=1e-12)

import math

import pytest
import torch
import torch.nn.functional as F

from reglab import svm


def test_linear_svm_of_a_hand_made_dataset():
    # (1, 0) labelled +1 and (0, 1) labelled −1 force w1 ≥ 1 and −w2 ≥ 1: the answer is (1, −1).
    # (3, 0), labelled +1, is not a support vector (3·w1 = 3 > 1).
    x = torch.tensor([[1.0, 0.0], [0.0, 1.0], [3.0, 0.0]], dtype=torch.float64)
    y = torch.tensor([1.0, -1.0, 1.0], dtype=torch.float64)
    w = svm.hard_margin_svm(y[:, None] * x)
    torch.testing.assert_close(w, torch.tensor([1.0, -1.0], dtype=torch.float64), atol=1e-6, rtol=0)
    assert svm.normalized_margin(w, x, y) == pytest.approx(1 / math.sqrt(2), abs=1e-6)


def test_svm_constraints_hold_with_equality_on_support_vectors_only():
    torch.manual_seed(0)
    x = torch.randn(40, 5, dtype=torch.float64)
    y = torch.sign(x @ torch.tensor([1.0, -2.0, 0.5, 0.0, 1.0], dtype=torch.float64))
    w = svm.hard_margin_svm(y[:, None] * x)
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
    fro = svm.hard_margin_svm(feats, "fro")
    nuc = svm.hard_margin_svm(feats, "nuc")
    torch.testing.assert_close(fro, torch.diag(torch.tensor([0.4, 0.2], dtype=torch.float64)), atol=1e-6, rtol=0)
    torch.testing.assert_close(nuc, torch.diag(torch.tensor([0.5, 0.0], dtype=torch.float64)), atol=1e-6, rtol=0)


def test_infeasible_svm_raises():
    feats = torch.tensor([[1.0], [-1.0]], dtype=torch.float64)   # w ≥ 1 and −w ≥ 1
    with pytest.raises(ValueError, match="separable"):
        svm.hard_margin_svm(feats)


def test_attention_scores_and_output_match_an_explicit_loop():
    x, y, z, v, _ = svm.attention_problem(3, 4, 5, seed=1)
    w = torch.randn(5, 5, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    scores = svm.attention_scores(x, z, w)
    out = svm.attention_output(x, z, w, v)
    for i in range(3):
        s = torch.stack([x[i, t] @ w @ z[i] for t in range(4)])
        torch.testing.assert_close(scores[i], s)
        torch.testing.assert_close(out[i], v @ x[i].T @ torch.softmax(s, 0))


def test_attention_svm_features_encode_the_att_svm_constraints():
    x, _, z, _, opt = svm.attention_problem(3, 4, 5, seed=2)
    w = torch.randn(5, 5, dtype=torch.float64)
    feats = svm.attention_svm_features(x, z, opt)
    assert feats.shape == (3 * 3, 5, 5)
    got = torch.einsum("kde,de->k", feats, w)
    want = torch.stack([(x[i, opt[i]] - x[i, t]) @ w @ z[i] for i in range(3) for t in range(4) if t != opt[i]])
    torch.testing.assert_close(got, want)


def test_att_svm_solution_makes_the_selected_tokens_win_with_margin_one():
    x, _, z, _, opt = svm.attention_problem(4, 5, 6, seed=3)
    for norm in ("fro", "nuc"):
        w = svm.hard_margin_svm(svm.attention_svm_features(x, z, opt), norm)
        s = svm.attention_scores(x, z, w)
        gap = s[torch.arange(4), opt][:, None] - s                         # (n, T), zero at opt
        gap[torch.arange(4), opt] = math.inf
        assert gap.min() == pytest.approx(1.0, abs=1e-6)                  # tight on a support token
        assert (torch.softmax(10 * s, 1).argmax(1) == opt).all()


def test_nuclear_svm_has_smaller_nuclear_norm_and_lower_rank():
    x, _, z, _, opt = svm.attention_problem(6, 8, 10, seed=0)
    feats = svm.attention_svm_features(x, z, opt)
    fro, nuc = svm.hard_margin_svm(feats, "fro"), svm.hard_margin_svm(feats, "nuc")
    assert torch.linalg.matrix_norm(nuc, "nuc") < torch.linalg.matrix_norm(fro, "nuc")
    assert torch.linalg.matrix_norm(fro) < torch.linalg.matrix_norm(nuc)
    assert torch.linalg.matrix_rank(nuc, rtol=1e-4) < torch.linalg.matrix_rank(fro, rtol=1e-4)


def test_correlation():
    a = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert svm.correlation(a, 3 * a) == pytest.approx(1.0)
    assert svm.correlation(a, -a) == pytest.approx(-1.0)
    assert svm.correlation(torch.tensor([1.0, 0.0]), torch.tensor([0.0, 2.0])) == pytest.approx(0.0)
    assert svm.correlation(torch.tensor([1.0, 0.0]), torch.tensor([1.0, 1.0])) == pytest.approx(1 / math.sqrt(2))


def test_normalized_gd_step_has_length_lr_per_tensor():
    a = torch.randn(3, 3, dtype=torch.float64, requires_grad=True)
    b = torch.randn(4, dtype=torch.float64, requires_grad=True)
    ((a ** 3).sum() + 100 * (b ** 2).sum()).backward()
    a0, b0, ga = a.detach().clone(), b.detach().clone(), a.grad.clone()
    svm.normalized_gd_step_([a, b], lr=0.1)
    assert (a.detach() - a0).norm().item() == pytest.approx(0.1)
    assert (b.detach() - b0).norm().item() == pytest.approx(0.1)
    assert svm.correlation(a0 - a.detach(), ga) == pytest.approx(1.0)


def test_logistic_gd_step_is_gradient_descent_on_the_logistic_loss():
    torch.manual_seed(0)
    x, y = torch.randn(20, 3, dtype=torch.float64), torch.sign(torch.randn(20, dtype=torch.float64))
    w = torch.randn(3, 2, dtype=torch.float64, requires_grad=True)
    F.softplus(-y[:, None] * (x @ w)).mean(0).sum().backward()
    gammas = torch.tensor([0.5, 7.0], dtype=torch.float64)
    torch.testing.assert_close(svm.logistic_gd_step(w.detach(), x, y, gammas), w.detach() - gammas * w.grad)


def test_huge_steps_follow_the_batch_perceptron():
    torch.manual_seed(1)
    x = torch.randn(30, 4, dtype=torch.float64)
    y = torch.sign(x @ torch.tensor([1.0, 1.0, -1.0, 0.5], dtype=torch.float64))
    gammas = torch.tensor([1e12, math.inf], dtype=torch.float64)
    w = torch.zeros(4, 2, dtype=torch.float64)
    for _ in range(5):
        w = svm.logistic_gd_step(w, x, y, gammas)
        torch.testing.assert_close(w[:, 0] / gammas[0], w[:, 1], rtol=1e-9, atol=1e-12)
    # The first step from θ = 0, where every margin is 0, is half the class-signed mean.
    first = svm.logistic_gd_step(torch.zeros(4, 1, dtype=torch.float64), x, y, gammas[1:])
    torch.testing.assert_close(first[:, 0], 0.5 * (y[:, None] * x).mean(0))

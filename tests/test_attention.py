import math

import pytest
import torch

from reglab.topics import attention, max_margin


def test_attention_scores_and_output_match_an_explicit_loop():
    x, y, z, v, _ = attention.attention_problem(3, 4, 5, seed=1)
    w = torch.randn(5, 5, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    scores = attention.attention_scores(x, z, w)
    out = attention.attention_output(x, z, w, v)
    for i in range(3):
        s = torch.stack([x[i, t] @ w @ z[i] for t in range(4)])
        torch.testing.assert_close(scores[i], s)
        torch.testing.assert_close(out[i], v @ x[i].T @ torch.softmax(s, 0))


def test_attention_problem_is_drawn_from_its_seed_only():
    a, b = attention.attention_problem(6, 8, 10, seed=5), attention.attention_problem(6, 8, 10, seed=5)
    assert all(torch.equal(p, q) for p, q in zip(a, b))
    assert not torch.equal(a[0], attention.attention_problem(6, 8, 10, seed=6)[0])
    x, y, z, v, best = a
    torch.testing.assert_close(x.norm(dim=-1), torch.ones(6, 8, dtype=torch.float64))
    assert set(y.tolist()) <= {-1.0, 1.0} and best.shape == (6,)


def test_attention_svm_features_encode_the_att_svm_constraints():
    x, _, z, _, opt = attention.attention_problem(3, 4, 5, seed=2)
    w = torch.randn(5, 5, dtype=torch.float64)
    feats = attention.attention_svm_features(x, z, opt)
    assert feats.shape == (3 * 3, 5, 5)
    got = torch.einsum("kde,de->k", feats, w)
    want = torch.stack([(x[i, opt[i]] - x[i, t]) @ w @ z[i] for i in range(3) for t in range(4) if t != opt[i]])
    torch.testing.assert_close(got, want)


def test_att_svm_solution_makes_the_selected_tokens_win_with_margin_one():
    x, _, z, _, opt = attention.attention_problem(4, 5, 6, seed=3)
    for norm in ("fro", "nuc"):
        w = max_margin.hard_margin_svm(attention.attention_svm_features(x, z, opt), norm)
        s = attention.attention_scores(x, z, w)
        gap = s[torch.arange(4), opt][:, None] - s                         # (n, T), zero at opt
        gap[torch.arange(4), opt] = math.inf
        assert gap.min() == pytest.approx(1.0, abs=1e-6)                  # tight on a support token
        assert (torch.softmax(10 * s, 1).argmax(1) == opt).all()


def test_nuclear_svm_has_smaller_nuclear_norm_and_lower_rank():
    x, _, z, _, opt = attention.attention_problem(6, 8, 10, seed=0)
    feats = attention.attention_svm_features(x, z, opt)
    fro, nuc = max_margin.hard_margin_svm(feats, "fro"), max_margin.hard_margin_svm(feats, "nuc")
    assert torch.linalg.matrix_norm(nuc, "nuc") < torch.linalg.matrix_norm(fro, "nuc")
    assert torch.linalg.matrix_norm(fro) < torch.linalg.matrix_norm(nuc)
    assert torch.linalg.matrix_rank(nuc, rtol=1e-4) < torch.linalg.matrix_rank(fro, rtol=1e-4)


def test_normalized_gd_step_has_length_lr_per_tensor():
    a = torch.randn(3, 3, dtype=torch.float64, requires_grad=True)
    b = torch.randn(4, dtype=torch.float64, requires_grad=True)
    ((a ** 3).sum() + 100 * (b ** 2).sum()).backward()
    a0, b0, ga = a.detach().clone(), b.detach().clone(), a.grad.clone()
    attention.normalized_gd_step_([a, b], lr=0.1)
    assert (a.detach() - a0).norm().item() == pytest.approx(0.1)
    assert (b.detach() - b0).norm().item() == pytest.approx(0.1)
    assert max_margin.correlation(a0 - a.detach(), ga) == pytest.approx(1.0)

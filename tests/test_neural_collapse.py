"""The imbalanced-UFM closed form (Dang et al., ICML 2023) against direct minimisation, and the
collapse metrics on configurations whose answer is known exactly."""
import math

import numpy as np
import pytest
import torch

from reglab.topics import neural_collapse as nc


def minimise_ufm(sizes, lam_w, lam_h, depth, d, seed):
    """Direct numerical minimisation of the UFM objective (float64 L-BFGS from a random init)."""
    g = torch.Generator().manual_seed(seed)
    y = torch.repeat_interleave(torch.arange(len(sizes)), torch.tensor(sizes))
    h = (0.3 * torch.randn(len(y), d, generator=g, dtype=torch.float64)).requires_grad_()
    shapes = [(d, d)] * (depth - 1) + [(len(sizes), d)]
    ws = [(0.3 * torch.randn(*s, generator=g, dtype=torch.float64)).requires_grad_() for s in shapes]
    opt = torch.optim.LBFGS([h, *ws], lr=1, max_iter=3000, tolerance_grad=1e-13, tolerance_change=1e-16,
                            history_size=50, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = nc.ufm_objective(ws, h, y, lam_w, lam_h)
        loss.backward()
        return loss

    for _ in range(3):
        opt.step(closure)
    with torch.no_grad():
        return nc.ufm_objective(ws, h, y, lam_w, lam_h).item(), h.detach(), y, [w.detach() for w in ws]


def test_depth_one_closed_form_matches_direct_minimisation_with_a_collapsed_minority():
    sizes, lam = [6, 3, 2, 1], 0.1  # N = 12: N²λ_Wλ_H = 1.44, so only the class with n = 1 collapses
    cf = nc.gof_closed_form(sizes, lam, lam, depth=1)
    assert cf["x"][-1] == 0 and (cf["x"][:-1] > 0).all()
    value, h, y, ws = minimise_ufm(sizes, lam, lam, depth=1, d=6, seed=0)
    assert value == pytest.approx(cf["objective"], rel=1e-9)
    m = nc.collapse_metrics(h, y, nc.product(ws), keep=cf["x"] > 0)
    np.testing.assert_allclose(m["w_sq"], nc.unit(cf["w_sq"]), atol=1e-5)
    np.testing.assert_allclose(m["h_sq"], nc.unit(cf["h_sq"]), atol=1e-5)
    assert m["w_norm"][-1] < 1e-5 and m["nc1"] < 1e-8 and m["max_cos_h"] < 1e-5
    # the lengths themselves, not only their shape: ‖w_k‖² = s_k^{2M}, ‖h̄_k‖² = s^{2M}/(s^{2M} + Nλ_H)²
    np.testing.assert_allclose(np.array(m["w_norm"]) ** 2, cf["w_sq"], atol=1e-6)


def test_depth_one_closed_form_is_the_hand_derived_formula():
    sizes, lam_w, lam_h = np.array([200, 100, 50, 20, 2]), 5e-3, 5e-3
    big_n = sizes.sum()
    c = np.maximum(0, 1 - big_n * np.sqrt(lam_w * lam_h / sizes))  # c_k; zero iff n_k ≤ N²λ_Wλ_H
    cf = nc.gof_closed_form(sizes, lam_w, lam_h, depth=1)
    np.testing.assert_allclose(nc.unit(cf["w_sq"]), nc.unit(c * np.sqrt(sizes)), atol=1e-12)
    np.testing.assert_allclose(nc.unit(cf["h_sq"]), nc.unit(c / np.sqrt(sizes)), atol=1e-12)
    assert cf["b"] == pytest.approx(big_n ** 2 * lam_w * lam_h)
    assert (cf["x"] == 0).tolist() == [False, False, False, False, True]


def test_depth_two_closed_form_matches_the_best_of_several_direct_minimisations():
    sizes, lam = [5, 3, 2], 0.02
    cf = nc.gof_closed_form(sizes, lam, lam, depth=2)
    runs = [minimise_ufm(sizes, lam, lam, depth=2, d=4, seed=s) for s in range(3)]
    values = [r[0] for r in runs]
    assert min(values) >= cf["objective"] * (1 - 1e-9)  # nothing beats the global minimiser
    value, h, y, ws = runs[int(np.argmin(values))]
    assert value == pytest.approx(cf["objective"], rel=1e-7)
    m = nc.collapse_metrics(h, y, nc.product(ws))
    np.testing.assert_allclose(m["w_sq"], nc.unit(cf["w_sq"]), atol=1e-4)
    np.testing.assert_allclose(m["h_sq"], nc.unit(cf["h_sq"]), atol=1e-4)


@pytest.mark.parametrize("depth", [2, 3, 6])
def test_the_chosen_x_minimises_the_class_objective_on_a_grid(depth):
    grid = np.linspace(0, 20, 400_001)
    for ratio in [1e-3, 0.05, 0.2, 0.5, 0.64, 0.9]:
        x = nc._largest_root(ratio, depth)
        x = x if nc.class_objective(x, ratio, depth) < 1 else 0.0
        best = grid[np.argmin(nc.class_objective(grid, ratio, depth))]
        assert x == pytest.approx(best, abs=1e-4), (depth, ratio)


def test_a_root_that_is_worse_than_collapse_is_rejected():
    # M = 2: the root equation has a solution for ratio just under its peak 0.6495..., but
    # φ(root) > φ(0) = 1 there, so the global minimiser is collapse; the official code keeps the root
    ratio = 0.64
    root = nc._largest_root(ratio, 2)
    assert root > 0 and nc.class_objective(root, ratio, 2) > 1
    # one class of one example, λ_W = λ_H = λ: b = M N (N λ^M λ)^{1/M} = 2 λ^{3/2} = ratio
    lam = (ratio / 2) ** (2 / 3)
    cf = nc.gof_closed_form([1], lam, lam, depth=2)
    assert cf["b"] == pytest.approx(ratio, rel=1e-9)
    assert cf["x"][0] == 0 and cf["objective"] == pytest.approx(0.5)


def test_metrics_are_zero_on_an_exactly_collapsed_orthogonal_frame():
    sizes, d = [4, 3, 2], 5
    y = torch.repeat_interleave(torch.arange(3), torch.tensor(sizes))
    q, _ = torch.linalg.qr(torch.randn(d, d, generator=torch.Generator().manual_seed(0), dtype=torch.float64))
    means = q[:3] * torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)[:, None]  # orthogonal, lengths 1, 2, 3
    w = q[:3] * torch.tensor([3.0, 2.0, 1.0], dtype=torch.float64)[:, None]
    m = nc.collapse_metrics(means[y], y, w)
    assert m["nc1"] < 1e-25 and m["max_cos_h"] < 1e-12 and m["max_cos_w"] < 1e-12
    np.testing.assert_allclose(m["h_sq"], nc.unit([1, 4, 9]), atol=1e-12)
    np.testing.assert_allclose(m["w_sq"], nc.unit([9, 4, 1]), atol=1e-12)
    noisy = means[y] + 0.01 * torch.randn(len(y), d, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    assert nc.collapse_metrics(noisy, y, w)["nc1"] > 1e-6


def test_a_simplex_etf_has_mean_cosine_minus_one_over_k_minus_one():
    k = 4
    etf = torch.eye(k, dtype=torch.float64) - 1 / k
    y = torch.arange(k).repeat(3)
    m = nc.collapse_metrics(etf[y], y, etf)
    assert m["mean_cos_h"] == pytest.approx(-1 / (k - 1)) and m["max_cos_w"] == pytest.approx(1 / (k - 1))
    assert m["nc1"] < 1e-25


def test_nc1_is_the_trace_formula_on_a_hand_case():
    # two classes on a line: means at ±1, within-class spread ±0.5; Σ_W = 0.25, Σ_B = 1, NC1 = 0.25/2
    h = torch.tensor([[0.5], [1.5], [-0.5], [-1.5]], dtype=torch.float64)
    y = torch.tensor([0, 0, 1, 1])
    assert nc.nc1(h, y, 2) == pytest.approx(0.125)


def test_ufm_objective_and_product_match_a_hand_computation():
    g = torch.Generator().manual_seed(2)
    h, w1, w2 = (torch.randn(*s, generator=g, dtype=torch.float64) for s in [(5, 3), (3, 3), (2, 3)])
    y = torch.tensor([0, 1, 1, 0, 1])
    target = torch.nn.functional.one_hot(y, 2).double()
    expected = (((h @ w1.T @ w2.T) - target) ** 2).sum() / 10 + 0.1 / 2 * ((w1 ** 2).sum() + (w2 ** 2).sum()) \
        + 0.2 / 2 * (h ** 2).sum()
    assert nc.ufm_objective([w1, w2], h, y, 0.1, 0.2).item() == pytest.approx(expected.item())
    torch.testing.assert_close(nc.product([w1, w2]), w2 @ w1)


def test_imbalanced_subset_draws_exact_counts_from_its_seed():
    y = torch.arange(5).repeat(30)
    sizes = [30, 12, 5, 1, 0]
    a, b, c = (nc.imbalanced_subset(y, sizes, seed=s) for s in (3, 3, 4))
    assert torch.equal(a, b) and not torch.equal(a, c)
    assert torch.bincount(y[a], minlength=5).tolist() == sizes
    assert len(set(a.tolist())) == len(a) and torch.equal(a, a.sort().values)
    with pytest.raises(ValueError, match="class 0"):
        nc.imbalanced_subset(y, [31], seed=0)


def test_unit_normalises_and_keeps_zero():
    np.testing.assert_allclose(nc.unit([3, 4]), [0.6, 0.8])
    assert nc.unit([0, 0]).tolist() == [0, 0]
    assert math.isclose(np.linalg.norm(nc.unit([1e-30, 2e-30])), 1.0)

"""The Monge gap (Uscidda & Cuturi, ICML 2023): exact gap zero for optimal maps and positive for
others, the entropic estimate converges to it, Sinkhorn and its envelope gradient are right."""
import math

import torch

from reglab.topics import monge_gap as mg


def cloud(n: int, seed: int, d: int = 2) -> torch.Tensor:
    return torch.randn(n, d, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


MEAN = torch.tensor([2.0, 1.0], dtype=torch.float64)
COV = torch.tensor([[2.0, 0.8], [0.8, 1.0]], dtype=torch.float64)


def test_exact_gap_is_zero_for_identity_and_gradients_of_convex_functions():
    x = cloud(60, 0)
    assert abs(mg.exact_monge_gap(x, x)) < 1e-12
    spd = torch.tensor([[3.0, 1.0], [1.0, 0.5]], dtype=torch.float64)     # positive definite
    assert abs(mg.exact_monge_gap(x, x @ spd.T + torch.tensor([5.0, -2.0], dtype=torch.float64))) < 1e-10
    assert abs(mg.exact_monge_gap(x, mg.gaussian_ot_map(x, MEAN, COV))) < 1e-10


def test_exact_gap_is_positive_for_a_rotated_push_forward_of_the_same_target():
    """m + L R x pushes N(0, I) onto N(m, A) exactly like T*, but is not optimal: a positive gap,
    and the cost it pays exceeds T*'s by about the gap."""
    x = cloud(200, 1)
    chol = torch.linalg.cholesky(COV)
    rotated = MEAN + x @ (chol @ mg.rotation(math.pi / 2).double()).T
    gap = mg.exact_monge_gap(x, rotated)
    assert gap > 1.0
    own_rot = ((rotated - x) ** 2).sum(1).mean().item()
    own_opt = ((mg.gaussian_ot_map(x, MEAN, COV) - x) ** 2).sum(1).mean().item()
    assert own_rot - own_opt > 1.0                                      # ‖LR − I‖²_F − ‖A^½ − I‖²_F ≈ 5.7


def test_exact_gap_is_nonnegative_and_translation_invariant_for_random_maps():
    x = cloud(50, 2)
    w = cloud(2, 3)
    tx = torch.tanh(x @ w) * 3 + x ** 2
    gap = mg.exact_monge_gap(x, tx)
    assert gap > 0
    shift = torch.tensor([7.0, -3.0], dtype=torch.float64)
    assert abs(mg.exact_monge_gap(x, tx + shift) - gap) < 1e-9        # squared cost only
    assert mg.exact_monge_gap(x, tx, p=1.5) >= -1e-12


def test_exact_ot_cost_matches_brute_force_over_permutations():
    import itertools

    x, y = cloud(6, 4), cloud(6, 5) + 1
    cost = mg.cost_matrix(x, y, 1.5)
    brute = min(cost[range(6), list(perm)].mean().item() for perm in itertools.permutations(range(6)))
    assert abs(mg.exact_ot_cost(x, y, 1.5) - brute) < 1e-12


def test_sinkhorn_plan_has_the_right_marginals_and_beats_no_feasible_plan():
    x, y = cloud(40, 6), cloud(30, 7) * 1.5
    cost = mg.cost_matrix(x, y)
    plan = mg.sinkhorn_plan(cost, eps=0.3, iters=500)
    torch.testing.assert_close(plan.sum(0), torch.full((30,), 1 / 30, dtype=torch.float64), atol=1e-12, rtol=0)
    torch.testing.assert_close(plan.sum(1), torch.full((40,), 1 / 40, dtype=torch.float64), atol=1e-6, rtol=0)
    # the transport part of an (almost) feasible plan cannot undercut the exact OT cost of equal clouds
    x2, y2 = cloud(50, 8), cloud(50, 9) + 0.5
    c2 = mg.cost_matrix(x2, y2)
    assert (mg.sinkhorn_plan(c2, 0.1, 300) * c2).sum().item() >= mg.exact_ot_cost(x2, y2) - 1e-3


def test_entropic_gap_approaches_the_exact_gap_as_epsilon_shrinks():
    x = cloud(40, 10)
    chol = torch.linalg.cholesky(COV)
    tx = MEAN + x @ (chol @ mg.rotation(math.pi / 3).double()).T
    exact = mg.exact_monge_gap(x, tx)
    errors = [abs(mg.monge_gap(x, tx, eps, iters=3000).item() - exact) for eps in (1.0, 0.3, 0.1, 0.03)]
    assert all(a > b for a, b in zip(errors, errors[1:])), errors
    assert errors[-1] < 0.05 * exact
    # at the optimal map the entropic gap is slightly negative: W_{c,ε} ≥ W_c
    opt = mg.monge_gap(x, mg.gaussian_ot_map(x, MEAN, COV), 0.1, 1000).item()
    assert -0.1 * math.log(40) - 1e-6 < opt < 0


def test_envelope_gradient_matches_finite_differences_of_the_entropic_cost():
    x, y = cloud(12, 11), cloud(12, 12) + 1
    y.requires_grad_(True)
    value = mg.entropic_ot(x, y, eps=0.5, iters=500)
    (grad,) = torch.autograd.grad(value, y)
    h, i, k = 1e-5, 3, 1
    bump = torch.zeros_like(y)
    bump[i, k] = h
    with torch.no_grad():
        numeric = (mg.entropic_ot(x, y + bump, 0.5, 500) - mg.entropic_ot(x, y - bump, 0.5, 500)) / (2 * h)
    assert abs(grad[i, k].item() - numeric.item()) < 1e-6


def test_sinkhorn_divergence_is_zero_on_equal_clouds_and_positive_otherwise():
    x = cloud(30, 13)
    assert abs(mg.sinkhorn_divergence(x, x, 0.2, 100).item()) < 1e-10
    assert mg.sinkhorn_divergence(x, x + 0.5, 0.2, 100).item() > 0.1


def test_gaussian_ot_map_pushes_onto_the_target_and_residual_map_starts_near_identity():
    x = cloud(200_000, 14)
    tx = mg.gaussian_ot_map(x, MEAN, COV)
    torch.testing.assert_close(tx.mean(0), MEAN, atol=0.02, rtol=0)
    torch.testing.assert_close(torch.cov(tx.T), COV, atol=0.03, rtol=0)
    torch.manual_seed(0)
    model = mg.ResidualMap()
    assert model(x[:10].float()).shape == (10, 2)


def test_dropping_the_target_self_term_changes_the_value_not_the_gradient():
    x, y = cloud(20, 15).requires_grad_(True), cloud(20, 16) * 2
    full = mg.sinkhorn_divergence(x, y, 0.3, 200)
    (g_full,) = torch.autograd.grad(full, x)
    part = mg.sinkhorn_divergence(x, y, 0.3, 200, target_term=False)
    (g_part,) = torch.autograd.grad(part, x)
    torch.testing.assert_close(g_full, g_part)
    assert abs((full - part).item() + 0.5 * mg.entropic_ot(y, y, 0.3, 200).item()) < 1e-12


def test_symmetric_sinkhorn_reaches_the_same_plan_as_the_alternating_one_with_fewer_iterations():
    torch.manual_seed(3)
    x = torch.randn(60, 2) * torch.tensor([1.5, 0.7])
    cost = mg.cost_matrix(x, x)
    full = mg.sinkhorn_plan(cost, eps=0.2, iters=2000)
    fast = mg.symmetric_sinkhorn_plan(cost, eps=0.2, iters=40)
    assert torch.allclose(fast, fast.T, atol=1e-9)                         # symmetric by construction
    assert (fast - full).abs().sum().item() < 1e-3                           # same plan (total variation)
    assert torch.allclose(fast.sum(1), torch.full((60,), 1 / 60), atol=1e-4)  # right marginals
    # entropic_ot takes the symmetric path for W(x̂, x̂), and its value is the full solver's
    assert abs(mg.entropic_ot(x, x, 0.2, 40).item() - mg.entropic_ot(x, x.clone(), 0.2, 2000).item()) < 1e-4

import pytest
import torch

from reglab.topics import power_law_features
from reglab.topics.random_features import power_law_fit

M = 40  # modes: small enough to build every M × M matrix explicitly


def _draws(rows, seed=0, m=M):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(rows, m, generator=g, dtype=torch.float64)


def _teacher_average(lam, b):
    """E_w Σ λ_i (w − B w)_i² over w ~ N(0, I): the trace of the quadratic form."""
    i_minus_b = torch.eye(len(lam), dtype=torch.float64) - b
    return torch.trace(i_minus_b.T @ torch.diag(lam) @ i_minus_b).item()


def test_spectrum_is_the_power_law():
    lam = power_law_features.power_law_spectrum(5, a=0.5)
    torch.testing.assert_close(lam, torch.tensor([1, 2, 3, 4, 5], dtype=torch.float64) ** -1.5)


def test_loss_vs_data_is_the_teacher_average_of_min_norm_regression():
    lam = power_law_features.power_law_spectrum(M, a=0.6)
    x = _draws(12) * lam.sqrt()
    curve = power_law_features.loss_vs_data(lam, x)
    for d in (1, 5, 12):
        b = torch.linalg.pinv(x[:d]) @ x[:d]               # ŵ = pinv(x) (x w) = B w
        assert curve[d - 1].item() == pytest.approx(_teacher_average(lam, b), rel=1e-10)


def test_loss_vs_width_is_the_teacher_average_of_the_best_readout():
    lam = power_law_features.power_law_spectrum(M, a=0.6)
    v = _draws(10, seed=1)
    curve = power_law_features.loss_vs_width(lam, v)
    for p in (1, 4, 10):
        vp = v[:p]
        s = (vp * lam) @ vp.T
        b = vp.T @ torch.linalg.solve(s, vp * lam)           # ŵ = Vᵀ S⁻¹ V Λ w
        assert curve[p - 1].item() == pytest.approx(_teacher_average(lam, b), rel=1e-10)


def test_the_teacher_average_matches_random_teachers():
    lam = power_law_features.power_law_spectrum(M, a=0.6)
    x = _draws(8) * lam.sqrt()
    w = _draws(20_000, seed=2).T                             # (M, teachers)
    w_hat = torch.linalg.pinv(x) @ (x @ w)
    monte_carlo = (lam[:, None] * (w - w_hat) ** 2).sum(0).mean().item()
    assert power_law_features.loss_vs_data(lam, x)[-1].item() == pytest.approx(monte_carlo, rel=0.03)


def test_duality_the_width_curve_of_v_is_the_data_curve_of_v_times_root_lambda():
    lam = power_law_features.power_law_spectrum(M, a=1.0)
    g = _draws(15, seed=3)
    torch.testing.assert_close(power_law_features.loss_vs_width(lam, g),
                               power_law_features.loss_vs_data(lam, g * lam.sqrt()))


def test_loss_falls_to_zero_once_every_mode_is_resolved():
    lam = power_law_features.power_law_spectrum(M, a=0.6)
    curve = power_law_features.loss_vs_data(lam, _draws(M) * lam.sqrt())
    assert torch.all(curve[1:] <= curve[:-1] + 1e-12) and curve[0] < lam.sum()
    assert abs(curve[-1].item()) < 1e-12


def test_excess_loss_vs_data_matches_the_explicit_quadratic_forms():
    lam = power_law_features.power_law_spectrum(M, a=0.6)
    v, x = _draws(3, seed=4), _draws(30, seed=5) * lam.sqrt()
    sizes = [5, 12, 30]
    ours = power_law_features.excess_loss_vs_data(lam, v, x, sizes)
    s = (v * lam) @ v.T
    best = _teacher_average(lam, v.T @ torch.linalg.solve(s, v * lam))
    for d, got in zip(sizes, ours):
        fitted = v.T @ torch.linalg.pinv(x[:d] @ v.T) @ x[:d]   # ŵ = Vᵀ pinv(f) x w
        assert got == pytest.approx(_teacher_average(lam, fitted) - best, rel=1e-8)
        assert got > 0


def test_excess_loss_vs_width_matches_the_explicit_quadratic_form():
    lam = power_law_features.power_law_spectrum(M, a=0.6)
    x, v = _draws(3, seed=6) * lam.sqrt(), _draws(30, seed=7)
    sizes = [4, 10, 30]
    ours = power_law_features.excess_loss_vs_width(lam, x, v, sizes)
    limit = torch.linalg.pinv(x) @ x
    for p, got in zip(sizes, ours):
        gap = v[:p].T @ torch.linalg.pinv(x @ v[:p].T) @ x - limit     # ŵ_P − ŵ_∞ = gap · w
        assert got == pytest.approx(torch.trace(gap.T @ torch.diag(lam) @ gap).item(), rel=1e-8)
        # ...which is also the teacher-averaged loss gap L(P) − L(∞): the fit at width P ≥ D still
        # interpolates the samples, so the cross term vanishes once averaged over teachers
        assert got == pytest.approx(_teacher_average(lam, gap + limit) - _teacher_average(lam, limit), rel=1e-8)


def test_variance_limited_curves_fall_as_one_over_size():
    lam = power_law_features.power_law_spectrum(400, a=0.6)
    sizes = [40, 80, 160, 320, 640]
    v, x = _draws(4, seed=8, m=400), _draws(640, seed=9, m=400) * lam.sqrt()
    slope_d, _ = power_law_fit(sizes, power_law_features.excess_loss_vs_data(lam, v, x, sizes))
    x, v = x[:4], _draws(640, seed=10, m=400)
    slope_p, _ = power_law_fit(sizes, power_law_features.excess_loss_vs_width(lam, x, v, sizes))
    assert slope_d == pytest.approx(-1.0, abs=0.2) and slope_p == pytest.approx(-1.0, abs=0.2)

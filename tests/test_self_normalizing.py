"""SELU's mean/variance map, its fixed point and Jacobian, and alpha-dropout (Klambauer et al., 2017)."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from reglab.topics import self_normalizing as sn

F64 = dict(dtype=torch.float64)


def test_zero_one_is_a_fixed_point_of_g():
    mu, nu = sn.moment_map(torch.tensor(0.0, **F64), torch.tensor(1.0, **F64))
    assert abs(mu.item()) < 1e-12 and abs(nu.item() - 1) < 1e-12


def test_closed_form_equals_the_integrals_of_eq3():
    """Eqs. (4)-(5) against Eq. (3) integrated numerically (trapezoid on a fine grid), away from (0, 1)."""
    for mu, omega, nu, tau in [(0.5, 0.3, 2.0, 1.2), (-1.0, 0.1, 10.0, 0.9), (0.05, -0.1, 0.05, 1.0)]:
        m, sd = mu * omega, math.sqrt(nu * tau)
        z = torch.linspace(m - 12 * sd, m + 12 * sd, 400_001, **F64)
        density = torch.exp(-(z - m) ** 2 / (2 * sd ** 2)) / (sd * math.sqrt(2 * math.pi))
        y = sn.selu(z)
        mean = torch.trapezoid(y * density, z)
        var = torch.trapezoid(y ** 2 * density, z) - mean ** 2
        got = sn.moment_map(torch.tensor(mu, **F64), torch.tensor(nu, **F64), omega, tau)
        torch.testing.assert_close(torch.stack(got), torch.stack([mean, var]), rtol=1e-7, atol=1e-9)


def test_jacobian_at_the_fixed_point_is_eq6_and_its_norms_are_the_printed_ones():
    jac = sn.jacobian(0.0, 1.0)
    printed = torch.tensor([[0.0, 0.088834], [0.0, 0.782648]], **F64)  # Eq. (6), six decimals
    assert (jac - printed).abs().max() < 1e-6
    # J is upper triangular, so its largest |eigenvalue| is J22 (printed 0.782648) ...
    assert abs(torch.linalg.eigvals(jac).abs().max().item() - 0.782648) < 1e-6
    # ... and the number the paper calls its spectral norm, 0.7877, is the largest singular value
    assert abs(sn.spectral_norm(jac).item() - 0.7877) < 5e-5


def test_autograd_jacobian_equals_central_differences_off_the_fixed_point():
    mu, nu, omega, tau, h = 0.07, 1.3, -0.08, 1.05, 1e-6
    jac = sn.jacobian(mu, nu, omega, tau)

    def gg(m, v):
        return torch.stack(sn.moment_map(torch.tensor(m, **F64), torch.tensor(v, **F64), omega, tau))

    fd = torch.stack([(gg(mu + h, nu) - gg(mu - h, nu)) / (2 * h), (gg(mu, nu + h) - gg(mu, nu - h)) / (2 * h)], 1)
    torch.testing.assert_close(jac, fd, rtol=1e-6, atol=1e-8)


def test_solving_g_01_equals_01_recovers_lambda01_and_alpha01():
    lam, alpha = sn.solve_constants(0.0, 1.0)
    assert abs(lam - sn.LAMBDA_01) < 1e-12 and abs(alpha - sn.ALPHA_01) < 1e-12
    assert round(lam, 4) == 1.0507 and round(alpha, 4) == 1.6733      # the printed values
    closed = sn.constants_closed_form()
    assert abs(closed[0] - lam) < 1e-12 and abs(closed[1] - alpha) < 1e-12
    lam2, alpha2 = sn.solve_constants(-0.1, 2.0, start=(1.05, 1.67))   # another fixed point moves them
    mu, nu = sn.moment_map(torch.tensor(-0.1, **F64), torch.tensor(2.0, **F64), 0.0, 1.0, lam2, alpha2)
    assert abs(mu.item() + 0.1) < 1e-12 and abs(nu.item() - 2.0) < 1e-12 and abs(lam2 - lam) > 0.01


def test_fixed_point_iteration_converges_and_is_a_fixed_point():
    omega = torch.tensor([-0.1, 0.0, 0.1], **F64)[:, None]
    tau = torch.tensor([0.95, 1.0, 1.1], **F64)[None, :]
    (mu, nu), step = sn.fixed_point(omega, tau)
    assert step.max() < 1e-14
    mu2, nu2 = sn.moment_map(mu, nu, omega, tau)
    assert (mu2 - mu).abs().max() < 1e-13 and (nu2 - nu).abs().max() < 1e-13
    assert abs(mu[1, 1].item()) < 1e-13 and abs(nu[1, 1].item() - 1) < 1e-13


def test_selu_is_eq2_and_torch_builtin_agrees():
    x = torch.linspace(-30, 30, 10_001, **F64)
    expected = sn.LAMBDA_01 * torch.where(x > 0, x, sn.ALPHA_01 * (torch.exp(x) - 1))
    torch.testing.assert_close(sn.selu(x), expected)
    torch.testing.assert_close(F.selu(x), expected)
    torch.testing.assert_close(nn.SELU()(x.float()), expected.float())
    assert abs(sn.selu(torch.tensor(-1e3, **F64)).item() - sn.ALPHA_PRIME) < 1e-12   # saturation α′ = −λα


def test_alpha_dropout_keeps_mean_0_and_variance_1_of_selu_activations():
    n = 1_000_000
    g = torch.Generator().manual_seed(0)
    x = sn.selu(torch.randn(n, generator=g, **F64))              # mean 0, variance 1 by the fixed point
    for p in (0.05, 0.1, 0.2):
        y = sn.alpha_dropout(x, p, generator=g)
        tol_mean = 5 * y.std().item() / math.sqrt(n)              # 5 standard errors of the sample mean
        tol_var = 5 * ((y - y.mean()) ** 2).std().item() / math.sqrt(n)   # ... of the sample variance
        assert abs(y.mean().item()) < tol_mean, (p, y.mean().item(), tol_mean)
        assert abs(y.var().item() - 1) < tol_var, (p, y.var().item(), tol_var)
        assert abs((y == y.min()).double().mean().item() - p) < 5 * math.sqrt(p * (1 - p) / n)
        raw = torch.where(y == y.min(), torch.full_like(x, sn.ALPHA_PRIME), x)   # without a, b
        assert abs(raw.mean().item() - p * sn.ALPHA_PRIME) < tol_mean             # the mean would move


def test_alpha_dropout_affine_is_the_papers_and_torchs():
    p, x = 0.1, torch.randn(50_000, **F64)
    a, b = sn.alpha_dropout_affine(p)
    q, ap = 1 - p, sn.ALPHA_PRIME
    assert abs(a - (q + ap ** 2 * q * (1 - q)) ** -0.5) < 1e-15 and abs(b + a * (1 - q) * ap) < 1e-15
    torch.manual_seed(0)
    y = nn.AlphaDropout(p).train()(x)
    dropped = (y - (a * ap + b)).abs() < 1e-12                       # torch sets dropped units to aα′ + b
    assert 0.05 < dropped.double().mean() < 0.15
    torch.testing.assert_close(y[~dropped], a * x[~dropped] + b)      # and keeps the rest as a·x + b


def test_the_papers_dropout_moments_give_a_and_b_and_a_new_fixed_point_for_standard_dropout():
    for p in (0.05, 0.1, 0.3):
        mu, nu = sn.dropout_moments(0.0, 1.0, p, "alpha")             # a, b solve mean 0, variance 1
        assert abs(mu) < 1e-12 and abs(nu - 1) < 1e-12
        assert max(abs(v - t) for v, t in zip(sn.fixed_point_with_dropout(p, "alpha"), (0, 1))) < 1e-12
    mu, nu = sn.dropout_moments(0.5, 2.0, 0.2, "alpha")               # elsewhere: a Monte Carlo check
    g = torch.Generator().manual_seed(1)
    x = 0.5 + 2 ** 0.5 * torch.randn(1_000_000, generator=g, **F64)
    y = sn.alpha_dropout(x, 0.2, generator=g)
    assert abs(y.mean().item() - mu) < 5 * y.std().item() / 1e3 and abs(y.var().item() / nu - 1) < 0.01
    mu_s, nu_s = sn.fixed_point_with_dropout(0.1, "standard")         # standard dropout moves the point
    assert mu_s > 0.02 and nu_s > 1.4
    assert max(abs(v - t) for v, t in zip(sn.fixed_point_with_dropout(1e-9, "standard"), (0, 1))) < 1e-6


def test_dropout_is_the_identity_in_eval_mode():
    x = torch.randn(7, 3)
    assert sn.alpha_dropout(x, 0.1, training=False) is x and sn.inverted_dropout(x, 0.1, training=False) is x


def test_deep_mlp_has_lecun_init_and_a_random_selu_net_self_normalizes():
    model = sn.deep_mlp(40, 10, width=256, depth=4, activation="selu")
    hidden = [m for m in model if isinstance(m, nn.Linear)][1:-1]
    for m in hidden:
        assert abs(m.weight.std().item() * math.sqrt(256) - 1) < 0.02 and m.bias.abs().max() == 0
    he = [m for m in sn.deep_mlp(40, 10, 256, 2, "relu") if isinstance(m, nn.Linear)][1]
    assert abs(he.weight.std().item() * math.sqrt(256 / 2) - 1) < 0.02
    g = torch.Generator().manual_seed(0)
    x = 1 + 2 * torch.randn(500, 256, generator=g)                  # far from the fixed point: (1, 4)
    mean, var = sn.propagate(x, depth=16, activation="selu", generator=g)
    assert abs(mean[-1]) < 0.1 and abs(var[-1] - 1) < 0.2
    _, var_relu = sn.propagate(x, depth=16, activation="relu", generator=g)
    assert var_relu[-1] > 1.5                                        # ReLU + He keeps the input's scale

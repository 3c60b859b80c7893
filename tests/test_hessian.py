import pytest
import torch
from torch.autograd.functional import hessian as explicit_hessian

from reglab.topics import hessian

D, M, N = 3, 4, 6  # inputs, hidden units, examples: P = M·D + M = 16 parameters


def predict(theta, x):
    """A tiny two-layer tanh network on a flat parameter vector (smooth, so H is not sparse)."""
    w, a = theta[:M * D].reshape(M, D), theta[M * D:]
    return torch.tanh(x @ w.T) @ a


@pytest.fixture
def problem():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(N, D, generator=g, dtype=torch.float64)
    y = torch.randn(N, generator=g, dtype=torch.float64)
    theta = torch.randn(M * D + M, generator=g, dtype=torch.float64)
    loss = lambda t: 0.5 * ((predict(t, x) - y) ** 2).mean()
    return loss, theta, x, y, explicit_hessian(loss, theta)


def test_hvp_equals_explicit_hessian_times_vector(problem):
    loss, theta, _, _, h = problem
    v = torch.randn(len(theta), dtype=torch.float64)
    torch.testing.assert_close(hessian.hvp(loss, theta, v), h @ v, rtol=1e-12, atol=1e-12)
    vs = torch.randn(5, len(theta), dtype=torch.float64)  # batched form
    torch.testing.assert_close(hessian.hvp(loss, theta, vs), vs @ h, rtol=1e-12, atol=1e-12)


def test_power_iteration_finds_the_largest_eigenvalue(problem):
    loss, theta, _, _, h = problem
    eig = torch.linalg.eigvalsh(h)
    top = eig[eig.abs().argmax()].item()
    g = torch.Generator().manual_seed(1)
    assert hessian.top_eigenvalue(loss, theta, iters=2000, tol=1e-12, generator=g) == pytest.approx(top, rel=1e-6)


def test_hutchinson_probe_average_over_all_sign_vectors_is_the_trace(problem):
    # Unbiasedness, exactly: averaged over all 2^P Rademacher vectors, vᵀHv is Tr(H).
    loss, theta, _, _, h = problem
    p = len(theta)
    bits = (torch.arange(2 ** p)[:, None] >> torch.arange(p)) & 1
    v = (2 * bits - 1).to(torch.float64)
    q = torch.cat([(c * hessian.hvp(loss, theta, c)).sum(1) for c in v.split(8192)])
    assert q.mean().item() == pytest.approx(h.trace().item(), rel=1e-10)


def test_hutchinson_is_close_with_many_probes(problem):
    loss, theta, _, _, h = problem
    est, se = hessian.hutchinson_trace(loss, theta, probes=20_000, chunk=5000,
                                       generator=torch.Generator().manual_seed(2))
    assert abs(est - h.trace().item()) < 4 * se
    assert se < 0.05 * abs(h.trace().item())


def test_hutchinson_is_exact_for_a_diagonal_hessian():
    # vᵀ D v = Σ d_i v_i² = Tr(D) for every sign vector v: one probe is already exact.
    d = torch.tensor([1.0, -2.0, 3.5], dtype=torch.float64)
    loss = lambda t: 0.5 * (d * t ** 2).sum()
    est, _ = hessian.hutchinson_trace(loss, torch.zeros(3, dtype=torch.float64), probes=1)
    assert est == pytest.approx(2.5, abs=1e-12)


def test_frobenius_estimate_is_close_to_explicit(problem):
    loss, theta, _, _, h = problem
    est = hessian.frobenius_norm(loss, theta, probes=20_000, chunk=5000,
                                 generator=torch.Generator().manual_seed(3))
    assert est == pytest.approx(torch.linalg.matrix_norm(h).item(), rel=0.03)


def test_estimators_are_deterministic_under_a_seed(problem):
    loss, theta, _, _, _ = problem
    runs = [(hessian.hutchinson_trace(loss, theta, 50, generator=torch.Generator().manual_seed(7)),
             hessian.top_eigenvalue(loss, theta, iters=30, generator=torch.Generator().manual_seed(7)),
             hessian.frobenius_norm(loss, theta, 50, generator=torch.Generator().manual_seed(7)))
            for _ in range(2)]
    assert runs[0] == runs[1]
    other = hessian.hutchinson_trace(loss, theta, 50, generator=torch.Generator().manual_seed(8))
    assert other != runs[0][0]  # a different seed draws different probes


def test_gauss_newton_gram_matches_explicit_jacobian_and_hessian_at_interpolation(problem):
    _, theta, x, _, _ = problem
    jac = torch.autograd.functional.jacobian(lambda t: predict(t, x), theta)  # (N, P)
    k = hessian.gauss_newton_gram(predict, theta, x)
    torch.testing.assert_close(k, jac @ jac.T / N, rtol=1e-12, atol=1e-12)
    # With targets equal to the predictions (r = 0) the loss Hessian is exactly Jᵀ J / n:
    y0 = predict(theta, x).detach()
    h0 = explicit_hessian(lambda t: 0.5 * ((predict(t, x) - y0) ** 2).mean(), theta)
    assert k.trace().item() == pytest.approx(h0.trace().item(), rel=1e-10)
    assert torch.linalg.eigvalsh(k)[-1].item() == pytest.approx(torch.linalg.eigvalsh(h0)[-1].item(), rel=1e-10)

import math

import numpy as np
import pytest
import torch

from reglab.topics import lazy_rich


def make(alpha, d=5, width=7, eps=0.25, seed=0):
    g = torch.Generator().manual_seed(seed)
    return lazy_rich.Centred(lazy_rich.PolyNet(d, width, eps, generator=g), alpha)


def inputs(n, d=5, seed=1):
    return torch.randn(n, d, generator=torch.Generator().manual_seed(seed), dtype=torch.float64) / d ** 0.5


def jacobian(net, x):
    """Rows: ∂f_α(x_μ)/∂W, flattened, by autograd."""
    return torch.stack([torch.autograd.grad(out, net.model.weight, retain_graph=True)[0].flatten()
                        for out in net(x)])


@pytest.mark.parametrize("alpha", [0.01, 1.0, 32.0])
def test_centred_model_is_exactly_zero_at_init_and_scales_with_alpha_after(alpha):
    net, x = make(alpha), inputs(9)
    assert torch.equal(net(x), torch.zeros(9, dtype=torch.float64))
    w0 = net.model.weight.detach().clone()
    with torch.no_grad():
        net.model.weight.add_(0.3 * torch.randn(w0.shape, generator=torch.Generator().manual_seed(2), dtype=w0.dtype))
    h, h0 = x @ net.model.weight.T, x @ w0.T
    phi = lambda z: z + 0.125 * z ** 2  # φ with ε = 0.25
    expected = alpha * (phi(h).mean(1) - phi(h0).mean(1))  # α (f − f₀), by hand
    torch.testing.assert_close(net(x), expected, rtol=1e-12, atol=1e-14)
    assert net(x).abs().min() > 0  # the frozen copy did not move with the weights


def test_scaled_loss_at_eta_equals_plain_mse_at_eta_over_alpha_squared():
    """One GD step on mean (f_α − y)²/α² with step η is one step on the plain MSE with η/α²."""
    alpha, eta, x = 4.0, 3.0, inputs(10)
    y = torch.randn(10, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    a, b = make(alpha), make(alpha)
    for net, loss, lr in [(a, lambda p: lazy_rich.scaled_mse(p, y, alpha), eta),
                          (b, lambda p: ((p - y) ** 2).mean(), eta / alpha ** 2)]:
        opt = torch.optim.SGD(net.parameters(), lr=lr)
        opt.zero_grad()
        loss(net(x)).backward()
        opt.step()
    torch.testing.assert_close(a.model.weight, b.model.weight, rtol=1e-13, atol=1e-15)
    assert not torch.equal(a.model.weight, a.init.weight)
    assert lazy_rich.scaled_mse(torch.full((4,), 3.0), torch.zeros(4), 2.0).item() == pytest.approx(9 / 4)


@pytest.mark.parametrize("alpha", [0.5, 3.0])
def test_closed_form_ntk_equals_autograd_jacobian_product_and_grows_as_alpha_squared(alpha):
    net, x1, x2 = make(alpha), inputs(6), inputs(4, seed=5)
    torch.testing.assert_close(lazy_rich.ntk(net, x1, x2), jacobian(net, x1) @ jacobian(net, x2).T,
                               rtol=1e-12, atol=1e-14)
    torch.testing.assert_close(lazy_rich.ntk(net, x1, x2), alpha ** 2 * lazy_rich.ntk(make(1.0), x1, x2),
                               rtol=1e-12, atol=1e-14)


def test_linearized_predictions_equal_explicit_gd_on_the_linearised_network():
    """The closed form equals 40 steps of autograd GD on f_lin(x) = J₀(x)·(w − w₀), a model
    linear in the weights; t = ∞ is kernel regression K_{*X} K⁻¹ y, solved directly."""
    net, x, x_test = make(2.0, width=9), inputs(8), inputs(5, seed=6)
    y = torch.randn(8, generator=torch.Generator().manual_seed(7), dtype=torch.float64)
    j, j_test = jacobian(net, x), jacobian(net, x_test)
    k, k_test = lazy_rich.ntk(net, x, x), lazy_rich.ntk(net, x_test, x)
    lr = 0.4 * len(y) / (2 * torch.linalg.eigvalsh(k).max().item())
    dw = torch.zeros(j.shape[1], dtype=torch.float64, requires_grad=True)
    iterated = []
    for _ in range(40):
        loss = ((j @ dw - y) ** 2).mean()
        (grad,) = torch.autograd.grad(loss, dw)
        with torch.no_grad():
            dw -= lr * grad
        iterated.append((j_test @ dw).detach())
    closed = lazy_rich.linearized_predictions(k, k_test, y, lr, [1, 10, 40, np.inf])
    torch.testing.assert_close(closed[:3], torch.stack([iterated[0], iterated[9], iterated[39]]), rtol=1e-9, atol=1e-11)
    torch.testing.assert_close(closed[3], k_test @ torch.linalg.solve(k, y), rtol=1e-8, atol=1e-10)
    torch.testing.assert_close(lazy_rich.linearized_predictions(k, k, y, lr, [np.inf])[0], y, rtol=1e-8, atol=1e-10)
    with pytest.raises(ValueError, match="too large"):
        lazy_rich.linearized_predictions(k, k_test, y, 2 * len(y) / torch.linalg.eigvalsh(k).max().item(), [1])


def test_large_alpha_network_tracks_its_linearisation_and_small_alpha_does_not():
    """The lazy limit (Chizat et al.): trained with the same η on the loss ÷ α², the network's
    distance from its linearisation shrinks as α grows (∝ 1/α)."""
    x, x_test = inputs(8), inputs(6, seed=8)
    y = (x.sum(1) ** 2) + 0.5
    distance = {}
    for alpha in (1.0, 100.0):
        net = make(alpha, width=20, eps=0.5)
        k, k_test = lazy_rich.ntk(net, x, x), lazy_rich.ntk(net, x_test, x)
        eta = 0.2 * len(y) * alpha ** 2 / (2 * torch.linalg.eigvalsh(k).max().item())
        opt = torch.optim.SGD(net.parameters(), lr=eta)
        for _ in range(100):
            opt.zero_grad()
            lazy_rich.scaled_mse(net(x), y, alpha).backward()
            opt.step()
        lin = lazy_rich.linearized_predictions(k, k_test, y, eta / alpha ** 2, [100])[0]
        with torch.no_grad():
            distance[alpha] = (net(x_test) - lin).norm().item() / lin.norm().item()
    assert distance[1.0] > 1e-2
    assert distance[100.0] < 0.05 * distance[1.0]


def test_kernel_alignment_hand_computed_cases():
    y = torch.tensor([1.0, 3.0, -2.0, 0.5], dtype=torch.float64)
    yc = y - y.mean()
    assert lazy_rich.kernel_alignment(torch.outer(yc, yc), y) == pytest.approx(1.0, rel=1e-12)
    # K = I: its column-centred version is the projector I − 11ᵀ/n, of Frobenius norm √(n − 1)
    identity = torch.eye(4, dtype=torch.float64)
    assert lazy_rich.kernel_alignment(identity, y) == pytest.approx(1 / math.sqrt(3), rel=1e-12)
    k = torch.randn(4, 4, generator=torch.Generator().manual_seed(9), dtype=torch.float64)
    k = k @ k.T
    assert lazy_rich.kernel_alignment(7.5 * k, y) == pytest.approx(lazy_rich.kernel_alignment(k, y), rel=1e-12)
    assert lazy_rich.kernel_alignment(k, y + 10) == pytest.approx(lazy_rich.kernel_alignment(k, y), rel=1e-12)


def test_movement_is_zero_at_init_and_one_when_the_weights_double():
    net = make(1.0)
    assert lazy_rich.movement(net) == 0.0
    with torch.no_grad():
        net.model.weight.mul_(2.0)
    assert lazy_rich.movement(net) == pytest.approx(1.0, rel=1e-12)

"""Scale invariance and SGDP (reglab.topics.scale_invariance): the norm identity of plain SGD
holds exactly on a scale-invariant weight, SGDP's update is orthogonal to such a weight, the
cosine test tells a weight before BatchNorm from a plain one, and SGDP without its projection
is momentum SGD."""
import copy

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from reglab import models
from reglab.topics import scale_invariance as si


def batch(n=64, d=12, k=3, seed=0, dtype=torch.float32):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, d, generator=g, dtype=dtype), torch.randint(0, k, (n,), generator=g)


def step_grads(model, x, y):
    model.zero_grad()
    F.cross_entropy(model(x), y).backward()


def test_plain_sgd_norm_identity_is_exact_on_a_scale_invariant_weight():
    # float64 and BatchNorm without ε: w·∇f = 0 exactly, so ‖w_{t+1}‖² = ‖w_t‖² + η²‖∇f‖²
    torch.manual_seed(0)
    # (BatchNorm refuses ε = 0; 1e-30 is zero next to the variance, at float64 precision)
    model = nn.Sequential(nn.Linear(12, 16, bias=False), nn.BatchNorm1d(16, eps=1e-30), nn.ReLU(),
                          nn.Linear(16, 3)).double()
    w, head = model[0].weight, model[3].weight
    opt = torch.optim.SGD(model.parameters(), lr=0.5, momentum=0.0)
    ledger = si.NormLedger(opt, [w, head])
    norms0 = [w.norm().item(), head.norm().item()]
    for t in range(20):
        x, y = batch(seed=t, dtype=torch.float64)
        step_grads(model, x, y)
        before, g = w.detach().clone(), w.grad.clone()
        opt.step()
        expected = before.pow(2).sum() + 0.5 ** 2 * g.pow(2).sum()
        assert abs(w.detach().pow(2).sum() - expected) / expected < 1e-12
    predicted = ledger.predicted_norms(norms0)
    assert abs(predicted[0] - w.norm().item()) / w.norm().item() < 1e-12
    # the readout is not scale-invariant: its norm is not what the identity predicts
    assert abs(predicted[1] - head.norm().item()) / head.norm().item() > 1e-3


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgdp_update_is_orthogonal_to_a_scale_invariant_weight(nesterov):
    torch.manual_seed(0)
    model = si.bn_mlp(12, 3, width=32).double()   # float64: Δw = w_{t+1} − w_t is then exact enough
    weights = si.weights_before_norm(model)
    twin = copy.deepcopy(model)
    opt = si.SGDP(model.parameters(), lr=0.1, momentum=0.9, nesterov=nesterov)
    ref = torch.optim.SGD(twin.parameters(), lr=0.1, momentum=0.9, nesterov=nesterov)
    for t in range(6):
        x, y = batch(seed=t, dtype=torch.float64)
        for m, o in ((model, opt), (twin, ref)):
            step_grads(m, x, y)
        before = [w.detach().clone() for w in weights]
        before_twin = [w.detach().clone() for w in si.weights_before_norm(twin)]
        opt.step()
        ref.step()
        for w0, w in zip(before, weights):
            dw = w.detach() - w0
            cos = (dw * w0).sum(1) / (dw.norm(dim=1) * w0.norm(dim=1))   # per row
            assert cos.abs().max() < 1e-7   # ŵ = w/(‖w‖ + ε), official ε = 1e-8: a residual ~ε/‖w‖
        if t >= 2:  # momentum SGD's update is not: its buffer holds radial parts by now
            w0, w = before_twin[0], si.weights_before_norm(twin)[0].detach()
            cos = ((w - w0) * w0).sum(1) / ((w - w0).norm(dim=1) * w0.norm(dim=1))
            assert cos.abs().max() > 1e-3


@pytest.mark.parametrize("seed", range(5))
def test_detector_flags_a_weight_before_batchnorm_and_not_a_plain_linear_weight(seed):
    # The plain weight is the readout, after a few steps on a learnable task: its gradient then
    # has a clear radial part (a larger logit scale changes the loss). At initialisation a
    # scale-variant weight's radial part can be near zero by chance, and the heuristic test
    # then flags it too: it is a test on gradients, not on the architecture.
    torch.manual_seed(seed)
    model = si.bn_mlp(12, 3, width=32)
    x, _ = batch(seed=seed)
    y = (x[:, 0] > 0).long() + (x[:, 1] > 0).long()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(5):
        step_grads(model, x, y)
        opt.step()
    step_grads(model, x, y)
    for w in si.weights_before_norm(model):
        assert si.scale_invariant(w, w.grad) == "channel"
    readout = model[-1].weight
    assert si.scale_invariant(readout, readout.grad) is None


def test_the_cosine_test_falls_back_to_the_layer_view():
    # invariant only to scaling the whole tensor (as before a LayerNorm): only the layer view passes
    torch.manual_seed(0)
    w = torch.randn(4, 6)
    g = torch.randn(4, 6)
    g -= (g * w).sum() / (w * w).sum() * w          # orthogonal to w as a whole, not row by row
    assert si.scale_invariant(w, g) == "layer"


def test_sgdp_without_projection_is_momentum_sgd():
    torch.manual_seed(0)
    a = si.bn_mlp(12, 3, width=16)
    b = copy.deepcopy(a)
    opt_a = si.SGDP(a.parameters(), lr=0.2, momentum=0.9, delta=0.0)   # δ = 0: no |cos| is below it
    opt_b = torch.optim.SGD(b.parameters(), lr=0.2, momentum=0.9)
    for t in range(5):
        x, y = batch(seed=t)
        for m, o in ((a, opt_a), (b, opt_b)):
            step_grads(m, x, y)
            o.step()
    for pa, pb in zip(a.parameters(), b.parameters()):
        torch.testing.assert_close(pa, pb)


def test_sgdp_weight_decay_by_hand():
    # one step from an empty buffer: w ← w(1 − η·λ·r/(1−β)) − η·Π(g), r = wd_ratio on projected weights
    lr, wd, m, ratio = 0.1, 0.01, 0.9, 0.1
    w_plain = nn.Parameter(torch.tensor([[3.0, 4.0]]))
    w_plain.grad = torch.tensor([[1.0, 1.0]])                       # not orthogonal: no projection
    w_inv = nn.Parameter(torch.tensor([[3.0, 4.0]]))
    w_inv.grad = torch.tensor([[4.0, -3.0]])                        # orthogonal: projected (a no-op here)
    si.SGDP([w_plain, w_inv], lr=lr, momentum=m, weight_decay=wd, wd_ratio=ratio).step()
    torch.testing.assert_close(w_plain.detach(), torch.tensor([[3.0, 4.0]]) * (1 - lr * wd / (1 - m)) - lr)
    torch.testing.assert_close(w_inv.detach(), torch.tensor([[3.0, 4.0]]) * (1 - lr * wd * ratio / (1 - m))
                               - lr * torch.tensor([[4.0, -3.0]]))


def test_projection_removes_exactly_the_radial_part_row_by_row():
    w = torch.tensor([[1.0, 0.0], [0.0, 2.0]])
    d = torch.tensor([[5.0, 7.0], [3.0, -4.0]])
    torch.testing.assert_close(si.project_radial(w, d), torch.tensor([[0.0, 7.0], [3.0, 0.0]]))


def test_effective_lr_and_angular_update_by_hand():
    w = torch.tensor([[1.0, 0.0], [0.0, 3.0]])                     # row norms² 1 and 9: mean 5
    assert si.effective_lr(0.5, w) == pytest.approx(0.1)
    assert si.angular_update(w, w + torch.tensor([[0.0, 0.0], [0.0, 1.0]])).item() == pytest.approx(1 / 10 ** 0.5)


def test_tracked_weights_are_those_a_batchnorm_follows():
    assert [tuple(w.shape) for w in si.weights_before_norm(si.bn_mlp(40, 10, 256))] == [(256, 40), (256, 256)]
    resnet = models.resnet18((3, 32, 32), 10, width=8)
    convs = [m.weight for m in resnet.modules() if isinstance(m, nn.Conv2d)]
    assert len(si.weights_before_norm(resnet)) == len(convs) == 20


def test_toy_norms_grow_monotonically_without_momentum_and_fastest_with_most_momentum():
    plain = si.cosine_toy(0.0, project=False)["norm"]
    assert (plain[1:] >= plain[:-1] - 1e-12).all()                 # the identity: GD can only grow it
    final = {k: si.cosine_toy(m, project=p)["norm"][-1]
             for k, (m, p) in {"0.99": (0.99, False), "0.9": (0.9, False), "sgdp": (0.9, True)}.items()}
    assert final["0.99"] > 3 * final["0.9"] > 3 * final["sgdp"] and final["sgdp"] < 2

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from reglab.topics import parametrizations as P

HALF = 0.5


def test_table_transcribes_the_papers_table_1_and_definition_5_1():
    # Table 1 (arXiv v3), for L = 3 hidden layers: layers 1, 2, 3 (hidden) and 4 (readout)
    assert P.table("ntk", 3) == P.Parametrization("ntk", (0, HALF, HALF, HALF), (0, 0, 0, 0), 0)
    assert P.table("sp", 3) == P.Parametrization("sp", (0, 0, 0, 0), (0, HALF, HALF, HALF), 1)
    # Definition 5.1: c = 0, bₗ = 1/2 for all l, a₁ = −1/2, aₗ = 0 in the middle, a_{L+1} = 1/2
    assert P.table("mup", 3) == P.Parametrization("mup", (-HALF, 0, 0, HALF), (HALF,) * 4, 0)
    assert P.table("mup", 1).a == (-HALF, HALF) and P.table("mup", 1).depth == 1
    with pytest.raises(ValueError, match="unknown parametrization"):
        P.table("mfp", 2)


def test_r_and_stability_are_table_1s_and_eq_5_leaves_them_unchanged():
    r = {name: P.r_exponent(P.table(name, 2)) for name in P.TABLE}
    assert r == {"sp": HALF, "ntk": HALF, "mup": 0.0}  # Table 1's row r: kernel, kernel, feature learning
    assert all(P.is_stable(P.table(name, depth)) for name in P.TABLE for depth in (1, 2, 4))
    # Table 1's MFP column (L = 1): a = (0, 1), b = 0, c = −1 is stable with r = 0, like µP
    mfp = P.Parametrization("mfp", (0.0, 1.0), (0.0, 0.0), -1.0)
    assert P.is_stable(mfp) and P.r_exponent(mfp) == 0.0
    # Theorem 4.1: SP at the default learning rate (c = 0) is unstable (r = −1 < 0)
    sp_c0 = P.Parametrization("sp", P.table("sp", 2).a, P.table("sp", 2).b, 0.0)
    assert P.r_exponent(sp_c0) == -1.0 and not P.is_stable(sp_c0)
    # µP with a readout initialised like SP's (a_{L+1} + b_{L+1} = 1/2) breaks Eq. (8)
    assert not P.is_stable(P.Parametrization("x", (-HALF, 0, 0), (HALF, HALF, 0), 0.0))
    for name in P.TABLE:  # Eq. (5) with one θ for every layer
        p, theta = P.table(name, 2), 0.3
        q = P.Parametrization(name, tuple(a + theta for a in p.a), tuple(b - theta for b in p.b), p.c - 2 * theta)
        assert P.r_exponent(q) == pytest.approx(P.r_exponent(p)) and P.is_stable(q)


def test_layer_scalings_for_a_given_width():
    d, n0, n = 40, 64, 256  # m = 4
    mup = P.layer_scalings(P.table("mup", 2), n, n0, d)
    assert [s["multiplier"] for s in mup] == pytest.approx([2.0, 1.0, 0.5])
    assert [s["init_std"] for s in mup] == pytest.approx([1 / math.sqrt(d) / 2, 1 / 8 / 2, 1 / 8 / 2])
    assert [s["lr"] for s in mup] == pytest.approx([1.0, 1.0, 1.0])
    # SP form (Eq. 5 with θₗ = −aₗ): fan-in init, readout variance n₀/n², learning rates ×m, ×1, ÷m
    mup_sp = P.layer_scalings(P.table("mup", 2), n, n0, d, sp_form=True)
    assert [s["multiplier"] for s in mup_sp] == pytest.approx([1.0, 1.0, 1.0])
    assert [s["init_std"] ** 2 for s in mup_sp] == pytest.approx([1 / d, 1 / n, n0 / n ** 2])
    assert [s["lr"] for s in mup_sp] == pytest.approx([4.0, 1.0, 0.25])
    ntk_sp = P.layer_scalings(P.table("ntk", 2), n, n0, d, sp_form=True)
    assert [s["init_std"] ** 2 for s in ntk_sp] == pytest.approx([1 / d, 1 / n, 1 / n])
    assert [s["lr"] for s in ntk_sp] == pytest.approx([1.0, 0.25, 0.25])
    sp = P.layer_scalings(P.table("sp", 2), n, n0, d)
    assert [s["lr"] for s in sp] == pytest.approx([0.25] * 3)
    # at the base width every parametrization is the same fan-in network with learning rate η
    for name in P.TABLE:
        base = P.layer_scalings(P.table(name, 2), n0, n0, d)
        assert base == [{"multiplier": 1.0, "init_std": pytest.approx(s), "lr": 1.0}
                        for s in (1 / math.sqrt(d), 1 / 8, 1 / 8)]


def test_the_model_draws_and_uses_its_scalings():
    g = torch.Generator().manual_seed(0)
    model = P.ParamMLP(40, 512, 10, P.table("mup", 2), 64, generator=g, dtype=torch.float64)
    for s, w in zip(model.scalings, model.weights):
        assert w.std().item() == pytest.approx(s["init_std"], rel=0.05)
    x = torch.randn(5, 40, generator=g, dtype=torch.float64)
    w1, w2, w3 = model.effective_weights()
    by_hand = F.relu(F.relu(x @ w1.T) @ w2.T) @ w3.T
    torch.testing.assert_close(model(x), by_hand)
    torch.testing.assert_close(model.features(x), F.relu(x @ w1.T) @ w2.T)
    groups = model.param_groups(0.5)
    assert [gr["lr"] for gr in groups] == pytest.approx([0.5] * 3) and groups[2]["params"][0] is model.weights[2]


@pytest.mark.parametrize("name", ["mup", "ntk", "sp"])
def test_the_sp_form_trains_exactly_like_the_abc_form(name):
    """Eq. (5): a per-layer multiplier traded for a per-layer learning rate changes nothing."""
    x = torch.randn(16, 6, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    y = torch.randint(0, 3, (16,), generator=torch.Generator().manual_seed(2))
    models = [P.ParamMLP(6, 96, 3, P.table(name, 2), 32, sp_form=sp, dtype=torch.float64,
                         generator=torch.Generator().manual_seed(3)) for sp in (False, True)]
    for model in models:
        opt = torch.optim.SGD(model.param_groups(0.7))
        for _ in range(3):
            opt.zero_grad()
            F.cross_entropy(model(x), y).backward()
            opt.step()
    abc, sp = models
    for wa, ws in zip(abc.effective_weights(), sp.effective_weights()):
        torch.testing.assert_close(wa, ws, rtol=1e-10, atol=1e-12)
    if name == "mup":  # the trained tensors themselves differ: a₁ = −1/2 is a multiplier m^(1/2) in one form only
        assert not torch.allclose(abc.weights[0], sp.weights[0])


def outputs_at_init(name, widths, seeds=(0, 1, 2)):
    x = torch.randn(64, 16, generator=torch.Generator().manual_seed(9))
    return [np.mean([P.rms(P.ParamMLP(16, n, 4, P.table(name, 2), 32, generator=torch.Generator().manual_seed(s))(x))
                     for s in seeds]) for n in widths]


def test_at_init_mup_logits_vanish_like_one_over_root_width_and_ntk_logits_do_not():
    """Table 1: a_{L+1} + b_{L+1} = 1 in µP, so f₀ = Θ(n^(1/2 − 1)) → 0 (Corollary 3.10); 1/2 in NTK: Θ(1)."""
    widths = [32, 128, 512, 2048]
    mup, ntk = outputs_at_init("mup", widths), outputs_at_init("ntk", widths)
    assert mup[0] == pytest.approx(ntk[0], rel=1e-6)  # the same network at the base width
    assert -0.6 <= P.width_exponent(widths, mup) <= -0.4
    assert abs(P.width_exponent(widths, ntk)) <= 0.1
    assert mup[-1] < 0.2 * ntk[-1]


def one_step_feature_change(name, width, seed):
    """‖Δh‖/‖h₀‖ of the last hidden layer after one SGD step on a fixed batch (cross-entropy,
    10 classes, random labels); only the initialisation depends on `seed`."""
    g = torch.Generator().manual_seed(100)
    x, y = torch.randn(64, 8, generator=g), torch.randint(0, 10, (64,), generator=g)
    model = P.ParamMLP(8, width, 10, P.table(name, 2), 64, generator=torch.Generator().manual_seed(seed))
    h0 = model.features(x).detach()
    opt = torch.optim.SGD(model.param_groups(0.5))
    F.cross_entropy(model(x), y).backward()
    opt.step()
    return P.relative_change(model.features(x).detach(), h0)


def test_one_sgd_step_moves_ntk_features_like_one_over_root_width_and_mup_features_by_order_one():
    """Definition 3.2 and Table 1: Δxᴸ = Θ(n^(−r)), r = 1/2 (NTK), r = 0 (µP). At width 64 the
    change still fluctuates by ±20% from one initialisation to the next, so the fit starts at 256."""
    assert one_step_feature_change("ntk", 64, 0) == pytest.approx(one_step_feature_change("mup", 64, 0))
    widths = [256, 1024, 4096]
    change = {name: [np.mean([one_step_feature_change(name, n, s) for s in (0, 1)]) for n in widths]
              for name in ("ntk", "mup")}
    assert -0.6 <= P.width_exponent(widths, change["ntk"]) <= -0.4
    assert abs(P.width_exponent(widths, change["mup"])) <= 0.1
    assert change["mup"][-1] > 4 * change["ntk"][-1]


def test_measurements_on_hand_computed_cases():
    h0 = torch.tensor([[3.0, 4.0]])
    assert P.relative_change(h0 * 1.5, h0) == pytest.approx(0.5)
    assert P.rms(torch.tensor([1.0, -1.0, 1.0, -1.0]) * 3) == pytest.approx(3.0)
    assert P.width_exponent([10, 100, 1000], [5.0, 5.0 / math.sqrt(10), 0.5]) == pytest.approx(-0.5)
    assert math.isnan(P.width_exponent([10, 100], [1.0, float("nan")]))

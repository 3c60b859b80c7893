"""Calibration metrics (reglab.metrics) and the PS-KD / label-smoothing targets
(reglab.regularizers.targets): hand-computed cases and invariants."""
import math

import pytest
import torch
import torch.nn.functional as F

from reglab import metrics
from reglab.regularizers import targets


def logits_with_confidence(conf, pred, k=3):
    """Logits whose softmax has top probability `conf` on class `pred`, the rest spread evenly."""
    p = torch.full((k,), (1 - conf) / (k - 1))
    p[pred] = conf
    return p.log()


def test_ece_matches_a_hand_computation():
    # Four examples, M = 10 bins. Confidences 0.95 (right), 0.92 (wrong) share bin (0.9, 1];
    # 0.55 (right) and 0.58 (wrong) share bin (0.5, 0.6].
    cases = [(0.95, 0, 0), (0.92, 1, 2), (0.55, 2, 2), (0.58, 0, 1)]  # (confidence, predicted, label)
    logits = torch.stack([logits_with_confidence(c, p) for c, p, _ in cases])
    y = torch.tensor([label for *_, label in cases])
    high = abs(1 / 2 - (0.95 + 0.92) / 2)   # bin (0.9, 1]: accuracy 1/2, mean confidence 0.935
    mid = abs(1 / 2 - (0.55 + 0.58) / 2)    # bin (0.5, 0.6]: accuracy 1/2, mean confidence 0.565
    expected = 2 / 4 * high + 2 / 4 * mid
    assert metrics.expected_calibration_error(logits, y, n_bins=10) == pytest.approx(expected, abs=1e-6)
    count, conf, acc = metrics.calibration_bins(logits, y, n_bins=10)
    assert count.tolist() == [0, 0, 0, 0, 0, 2, 0, 0, 0, 2]
    assert conf[5].item() == pytest.approx(0.565, abs=1e-6) and acc[9].item() == 0.5


def test_ece_is_zero_when_confidence_equals_accuracy_and_bounded_by_one():
    # Ten examples all at confidence 0.7, seven of them right: perfectly calibrated.
    logits = logits_with_confidence(0.7, 0).repeat(10, 1)
    y = torch.tensor([0] * 7 + [1] * 3)
    assert metrics.expected_calibration_error(logits, y) == pytest.approx(0.0, abs=1e-6)
    # Confident and always wrong: ECE is the confidence, and never above 1.
    wrong = 50.0 * F.one_hot(torch.zeros(8, dtype=torch.long), 4).float()
    ece = metrics.expected_calibration_error(wrong, torch.ones(8, dtype=torch.long))
    assert 0.99 < ece <= 1.0


def test_the_bins_partition_the_examples():
    torch.manual_seed(0)
    logits, y = 3 * torch.randn(500, 10), torch.randint(0, 10, (500,))
    count, conf, acc = metrics.calibration_bins(logits, y, n_bins=15)
    assert count.sum().item() == 500
    overall = (count * acc).sum() / 500
    assert overall.item() == pytest.approx(metrics.accuracy(logits, y), abs=1e-6)


def test_pskd_target_at_t0_is_the_one_hot_label_and_every_target_sums_to_one():
    y = torch.tensor([0, 2, 1, 2])
    onehot = F.one_hot(y, 3).float()
    past = torch.softmax(torch.randn(4, 3, generator=torch.Generator().manual_seed(1)), dim=1)
    assert targets.pskd_alpha(0, epochs=40, alpha_T=0.8) == 0.0
    assert torch.equal(targets.pskd_targets(y, past, alpha_t=0.0), onehot)
    # The first epoch's table holds the labels, so its targets are the labels whatever α_t is.
    assert torch.equal(targets.pskd_targets(y, onehot.clone(), alpha_t=0.3), onehot)
    for t in (1, 20, 40):
        q = targets.pskd_targets(y, past, targets.pskd_alpha(t, 40, 0.8))
        assert torch.allclose(q.sum(1), torch.ones(4)) and (q >= 0).all()


def test_pskd_alpha_rises_linearly_to_alpha_T_and_the_target_is_the_stated_mixture():
    alphas = [targets.pskd_alpha(t, epochs=5, alpha_T=0.8) for t in range(1, 6)]
    assert alphas == pytest.approx([0.16, 0.32, 0.48, 0.64, 0.8])
    y, past = torch.tensor([1]), torch.tensor([[0.2, 0.5, 0.3]], requires_grad=True)
    q = targets.pskd_targets(y, past, alpha_t=0.8)
    assert torch.allclose(q, torch.tensor([[0.16, 0.2 + 0.8 * 0.5, 0.24]]))
    assert not q.requires_grad  # the teacher (the model's past) is not differentiated through


@pytest.mark.parametrize("eps", [0.0, 0.1, 0.4])
def test_label_smoothing_targets_match_torchs_built_in(eps):
    torch.manual_seed(0)
    logits, y = torch.randn(16, 5), torch.randint(0, 5, (16,))
    q = targets.label_smoothing_targets(y, 5, eps)
    assert torch.allclose(q.sum(1), torch.ones(16))
    assert q.min().item() == pytest.approx(eps / 5) and q.max().item() == pytest.approx(1 - eps + eps / 5)
    ours = F.cross_entropy(logits, q)
    assert ours.item() == pytest.approx(F.cross_entropy(logits, y, label_smoothing=eps).item(), rel=1e-6)
    assert math.isfinite(ours.item())

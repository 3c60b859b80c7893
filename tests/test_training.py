import pytest
import torch
import torch.nn.functional as F

from reglab import data, metrics, models, training


def _train(seed):
    training.seed_all(seed)
    x = torch.randn(64, 5)
    train_set = data.TensorSet(x, (x[:, 0] > 0).long())
    model = models.mlp((5,), 2, width=16)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

    def loss_fn(model, batch):
        return F.cross_entropy(model(batch.x), batch.y)

    def monitor(model):
        return training.evaluate(model, train_set)

    return training.fit(model, opt, train_set, loss_fn, epochs=6, batch_size=16,
                        schedule=training.cosine, monitor=monitor, eval_every=2)


def test_fit_is_deterministic_on_cpu():
    assert _train(0) == _train(0)
    assert _train(0) != _train(1)


def test_fit_learns_and_records_history_at_eval_epochs():
    history = _train(0)
    assert history["epoch"] == [1, 2, 4, 6]
    assert history["train_loss"][-1] < history["train_loss"][0]
    assert history["acc"][-1] > 0.8


def test_schedule_sets_learning_rate_from_progress():
    model = torch.nn.Linear(2, 2)
    opt = torch.optim.SGD(model.parameters(), lr=1.0)
    seen = []

    def loss_fn(model, batch):
        seen.append(opt.param_groups[0]["lr"])
        return F.cross_entropy(model(batch.x), batch.y)

    train_set = data.TensorSet(torch.randn(8, 2), torch.zeros(8, dtype=torch.long))
    training.fit(model, opt, train_set, loss_fn, epochs=2, batch_size=4, schedule=lambda p: 1 - p)
    assert seen == [1.0, 0.75, 0.5, 0.25]


def test_pair_mlp_equals_one_hot_matmul():
    torch.manual_seed(0)
    p = 7
    model = models.PairMLP(p, width=8)
    x = torch.tensor([[1, 2], [6, 0], [3, 3]])
    one_hot = torch.cat([F.one_hot(x[:, 0], p), F.one_hot(x[:, 1], p)], 1).float()
    h = one_hot @ model.layers[0].weight.T
    for layer in model.layers[1:]:
        h = layer(F.relu(h))
    torch.testing.assert_close(model(x), h)


def test_softmax_collapse_counts_exact_ones_only():
    # A logit gap of 30: e^-30 ≈ 1e-13 is below float32's resolution at 1, not float64's.
    logits = torch.tensor([[30.0, 0.0], [3.0, 0.0], [0.0, 30.0]])
    y = torch.tensor([0, 0, 0])
    assert metrics.softmax_collapse_fraction(logits, y) == pytest.approx(1 / 3)
    assert metrics.softmax_collapse_fraction(logits.double(), y) == 0.0


def test_memorized_fraction_counts_only_wrong_labels():
    logits = torch.eye(3)[[0, 1, 2, 2]] * 5  # predicts 0, 1, 2, 2
    clean = torch.tensor([0, 1, 1, 0])
    noisy = torch.tensor([0, 1, 2, 1])        # examples 2 and 3 are wrong; 2 is memorised
    assert metrics.memorized_fraction(logits, noisy, clean) == 0.5


def test_grad_weight_cosine_is_one_when_the_gradient_scales_the_weights():
    model = torch.nn.Linear(3, 1, bias=False)
    loss = -(model.weight ** 2).sum()  # gradient -2w: descent grows w along itself
    assert abs(metrics.grad_weight_cosine(model, loss) - 1) < 1e-6
    assert model.weight.grad is None

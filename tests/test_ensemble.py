
import pytest
import torch
import torch.nn.functional as F

from reglab import data, ensemble, models, regularizers as reg, training


def _sets(n_models, n=96):
    out = []
    for k in range(n_models):
        g = torch.Generator().manual_seed(100 + k)
        x = torch.randn(n, 6, generator=g)
        out.append(data.TensorSet(x, (x[:, 0] + x[:, 1] > 0).long()))
    return out


def _models(n_models):
    out = []
    for k in range(n_models):
        torch.manual_seed(k)
        out.append(models.mlp((6,), 2, width=16))
    return out


@pytest.mark.parametrize("ortho", [False, True])
def test_ensemble_equals_training_the_models_one_by_one(ortho):
    sets, seq, vec = _sets(3), _models(3), _models(3)

    def make_opt(params, stacked):
        opt = torch.optim.AdamW(params, lr=0.01, weight_decay=0.01)
        return reg.orthogonal_grad(opt, stacked=stacked) if ortho else opt

    def loss_fn(model, batch):
        return F.cross_entropy(model(batch.x), batch.y)

    seq_histories = [
        training.fit(model, make_opt(model.parameters(), False), ds, loss_fn, epochs=3, batch_size=32,
                     schedule=training.cosine, generator=torch.Generator().manual_seed(k))
        for k, (model, ds) in enumerate(zip(seq, sets))]
    gens = [torch.Generator().manual_seed(k) for k in range(3)]
    histories = ensemble.fit_ensemble(
        vec, lambda ps: make_opt(ps, True), sets, lambda fwd, b: ensemble.cross_entropy(fwd(b.x), b.y),
        epochs=3, batch_size=32, generators=gens, schedule=training.cosine,
        monitor=lambda m, k: training.evaluate(m, sets[k]))
    for a, b in zip(seq, vec):
        for pa, pb in zip(a.parameters(), b.parameters()):
            torch.testing.assert_close(pa, pb, atol=1e-5, rtol=1e-4)
    assert len(histories) == 3 and histories[0]["epoch"] == [1, 2, 3] and "acc" in histories[2]
    for h_seq, h_vec in zip(seq_histories, histories):  # each model's own training loss
        torch.testing.assert_close(torch.tensor(h_vec["train_loss"]), torch.tensor(h_seq["train_loss"]),
                                   atol=1e-5, rtol=1e-4)


def test_ensemble_refuses_models_with_buffers():
    bn = [torch.nn.Sequential(torch.nn.Linear(6, 4), torch.nn.BatchNorm1d(4)) for _ in range(2)]
    with pytest.raises(ValueError, match="buffers"):
        ensemble.fit_ensemble(bn, torch.optim.SGD, _sets(2), None, epochs=1, batch_size=8,
                              generators=[torch.Generator(), torch.Generator()])


def test_stacked_orthogonalization_projects_each_model_separately():
    w = torch.nn.Parameter(torch.randn(4, 3, 5))
    w.grad = torch.randn(4, 3, 5)
    one_by_one = []
    for k in range(4):
        p = torch.nn.Parameter(w.detach()[k].clone())
        p.grad = w.grad[k].clone()
        reg.orthogonalize_grads_([p])
        one_by_one.append(p.grad)
    reg.orthogonalize_grads_([w], stacked=True)
    torch.testing.assert_close(w.grad, torch.stack(one_by_one))


def test_ensemble_cross_entropy_is_each_models_mean():
    logits, y = torch.randn(2, 5, 3), torch.randint(0, 3, (2, 5))
    expected = torch.stack([F.cross_entropy(logits[0], y[0]), F.cross_entropy(logits[1], y[1])])
    torch.testing.assert_close(ensemble.cross_entropy(logits, y), expected)

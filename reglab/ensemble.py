"""Several seeds of a small model trained at once: one vmapped forward over stacked weights.

Small models are overhead-bound on a CPU: a step costs Python and dispatch time more than
arithmetic. Stacking S models' parameters along a new first dimension and running them with
`torch.func.vmap` turns S small steps into one step of S-times-larger tensors. Each model
still sees only its own data, in its own order, and elementwise optimizers (SGD, Adam,
AdamW) on the stacked tensors are S independent optimizers, so the result equals training
the models one by one (tested), up to float rounding.
"""
from __future__ import annotations

import copy
from collections import defaultdict
from typing import Callable

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.func import functional_call, stack_module_state, vmap

from . import data, training


def cross_entropy(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Each model's mean cross-entropy, shape (S,); logits (S, B, C), y (S, B)."""
    return F.cross_entropy(logits.flatten(0, 1), y.flatten(), reduction="none").view(y.shape).mean(1)


def fit_ensemble(models: list[nn.Module], make_opt: Callable[[list[torch.Tensor]], torch.optim.Optimizer],
                 train_sets: list[data.TensorSet], loss_fn: Callable, *, epochs: int, batch_size: int,
                 generators: list[torch.Generator], schedule: Callable[[float], float] = training.constant,
                 monitor: Callable[[nn.Module, int], dict] | None = None, eval_every: int = 1) -> list[dict]:
    """`training.fit` for S models at once. Model k trains on `train_sets[k]` (all the same
    size) in the order drawn from `generators[k]`.

    `make_opt(params)` builds the optimizer over the stacked parameters (leading dim S).
    `loss_fn(forward, batch)` gets a stacked `data.Batch`: x (S, B, ...), and `forward(x)`
    returning logits (S, B, C); it returns each model's loss, shape (S,), e.g. `cross_entropy`.
    Their sum is differentiated, which gives each model exactly its own gradient.
    Models with buffers (BatchNorm) are not supported: vmap cannot update them in place.
    `monitor(model, k)` measures model k (its trained weights are copied back first).
    Returns one history per model; the models hold their trained weights afterwards.
    """
    if any(True for m in models for _ in m.buffers()):
        raise ValueError("fit_ensemble: models with buffers (e.g. BatchNorm) are not supported; "
                         "train them one by one with training.fit")
    params, buffers = stack_module_state(models)  # leaf tensors, shape (S, ...)
    base = copy.deepcopy(models[0]).to("meta")

    def forward(x):
        return vmap(lambda p, b, xi: functional_call(base, (p, b), (xi,)))(params, buffers, x)

    opt = make_opt(list(params.values()))
    for g in opt.param_groups:
        g.setdefault("initial_lr", g["lr"])
    xs, ys = torch.stack([d.x for d in train_sets]), torch.stack([d.y for d in train_sets])
    n, rows = len(train_sets[0]), torch.arange(len(models), device=ys.device)[:, None]
    total = epochs * data.num_batches(train_sets[0], batch_size)
    histories, step = [defaultdict(list) for _ in models], 0
    for epoch in range(1, epochs + 1):
        losses = []
        # the same orders as data.batches draws for each model alone (full batch: no shuffle)
        orders = (torch.arange(n).expand(len(models), n) if batch_size >= n else
                  torch.stack([torch.randperm(n, generator=g) for g in generators])).to(ys.device)
        for start in range(0, n, batch_size):
            idx = orders[:, start:start + batch_size]  # (S, B) positions in each model's set
            for g in opt.param_groups:
                g["lr"] = g["initial_lr"] * schedule(step / total)
            loss = loss_fn(forward, data.Batch(xs[rows, idx], ys[rows, idx], idx))  # (S,)
            opt.zero_grad(set_to_none=True)
            loss.sum().backward()
            opt.step()
            losses.append(loss.detach())
            step += 1
        if epoch == 1 or epoch % eval_every == 0 or epoch == epochs:
            unstack_(models, params)
            for k, (model, h) in enumerate(zip(models, histories)):
                h["epoch"].append(epoch)
                h["train_loss"].append(torch.stack(losses)[:, k].mean().item())
                for key, v in (monitor(model, k) if monitor else {}).items():
                    h[key].append(v)
    unstack_(models, params)
    return [dict(h) for h in histories]


@torch.no_grad()
def unstack_(models: list[nn.Module], params: dict) -> None:
    """Copy slice k of each stacked parameter into model k."""
    for k, model in enumerate(models):
        for name, p in model.named_parameters():
            p.copy_(params[name][k])

"""Seeding, devices, threads, schedules and the one training loop of the book.

`fit`'s signature is frozen (tested): a chapter whose paper changes the step copies the
loop (about 20 lines) into the notebook and edits it there; per-example extras travel in
the batch (`data.Batch`), never as new arguments.
"""
from __future__ import annotations

import math
import os
import random
from collections import defaultdict
from typing import Callable

import numpy as np
import torch
import torch.nn as nn

from . import data, metrics


def seed_all(seed: int) -> None:
    """Seed Python, NumPy and torch (all devices): `run(cfg)` calls this first.

    Runs on the CPU are then bitwise reproducible (tested); on a GPU, some kernels (index
    backward, convolutions) accumulate in a nondeterministic order, so runs agree only up to
    float rounding."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def device() -> torch.device:
    """CUDA when there is a GPU, else CPU; $REGLAB_DEVICE forces one (e.g. `cpu`)."""
    name = os.environ.get("REGLAB_DEVICE") or ("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def set_cpu_threads(n: int | None = None) -> int:
    """Threads for CPU math, torch's and NumPy/SciPy's BLAS alike: $REGLAB_THREADS, else 1.

    On a shared 2-core machine two OpenMP threads that cannot both be scheduled spin-wait
    and run 10–60× slower (an unpinned NumPy pilot ran 20–50× slower under load); one
    thread costs at most ~15% when the machine is quiet. Parallelism comes from processes.
    """
    from threadpoolctl import threadpool_limits

    n = n or int(os.environ.get("REGLAB_THREADS", 1))
    torch.set_num_threads(n)
    threadpool_limits(limits=n)  # every BLAS/OpenMP pool already loaded (NumPy's, SciPy's)
    return n


def constant(progress: float) -> float:
    """A constant learning rate (the multiplier is 1 throughout)."""
    return 1.0


def cosine(progress: float) -> float:
    """Cosine decay of the learning rate from its initial value to 0 over training."""
    return 0.5 * (1 + math.cos(math.pi * progress))


def fit(model: nn.Module, opt: torch.optim.Optimizer, train_set: data.TensorSet,
        loss_fn: Callable, *, epochs: int, batch_size: int,
        schedule: Callable[[float], float] = constant,
        monitor: Callable[[nn.Module], dict] | None = None, eval_every: int = 1,
        generator: torch.Generator | None = None) -> dict:
    """Minibatch training over tensors already on the device. Returns a history; never prints.

    `loss_fn(model, batch)` returns the scalar loss of a `data.Batch(x, y, idx)`; `idx` are
    the batch's positions in `train_set`, for losses with per-example state (ELR).
    `opt.step()` also runs any step pre-hooks a regularizer put on the optimizer
    (`reg.orthogonal_grad`).
    `schedule` maps progress in [0, 1] to a learning-rate multiplier, so it keeps its shape
    when a scale preset changes `epochs`.
    The history holds the epoch, the mean training loss and the measurements `monitor(model)`
    returns, after the first epoch, every `eval_every` epochs and after the last one.
    `generator` draws the batch order (default: torch's global generator, seeded by seed_all).
    """
    for g in opt.param_groups:
        g.setdefault("initial_lr", g["lr"])
    total = epochs * data.num_batches(train_set, batch_size)
    history, step = defaultdict(list), 0
    for epoch in range(1, epochs + 1):
        model.train()
        losses = []
        for batch in data.batches(train_set, batch_size, shuffle=True, generator=generator):
            for g in opt.param_groups:
                g["lr"] = g["initial_lr"] * schedule(step / total)
            loss = loss_fn(model, batch)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            losses.append(loss.detach())
            step += 1
        if epoch == 1 or epoch % eval_every == 0 or epoch == epochs:
            history["epoch"].append(epoch)
            history["train_loss"].append(torch.stack(losses).mean().item())
            for k, v in (monitor(model) if monitor else {}).items():
                history[k].append(v)
    return dict(history)


@torch.no_grad()
def evaluate(model: nn.Module, ds: data.TensorSet, batch_size: int = 4096) -> dict:
    """Accuracy and mean cross-entropy of `model` on `ds`, in eval mode."""
    logits = predict(model, ds.x, batch_size)
    return {"acc": metrics.accuracy(logits, ds.y),
            "loss": torch.nn.functional.cross_entropy(logits, ds.y).item()}


@torch.no_grad()
def predict(model: nn.Module, x: torch.Tensor, batch_size: int = 4096) -> torch.Tensor:
    """Logits for all of `x`, in eval mode, in chunks (the model's mode is restored)."""
    was_training = model.training
    model.eval()
    logits = torch.cat([model(x[i:i + batch_size]) for i in range(0, len(x), batch_size)])
    model.train(was_training)
    return logits

"""Datasets as in-memory tensors, offline by default.

Offline sets (no network, ever): scikit-learn's bundled `digits`, a generated `mnist1d`,
and `modular_arithmetic`. `mnist` and `cifar10` are for `paper` scale on a machine with the
network and torchvision; without either they fail with one line naming an offline set.
Subsets and label noise draw from their own seeded generators, so changing the model (and
so how many random numbers its init consumes) never changes the data.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import torch


class DatasetError(ValueError):
    """An unknown or unavailable dataset. The message is one line saying what to do."""


@dataclass
class TensorSet:
    """Inputs and labels, already on the device where training happens."""
    x: torch.Tensor
    y: torch.Tensor

    def __len__(self):
        return len(self.y)

    def to(self, device) -> "TensorSet":
        return TensorSet(self.x.to(device), self.y.to(device))


def cache_dir() -> Path:
    return Path(os.environ.get("REGLAB_CACHE", Path.home() / ".cache" / "reglab"))


# --- offline datasets -------------------------------------------------------------------

def digits(seed: int = 0, test_fraction: float = 0.3) -> tuple[TensorSet, TensorSet]:
    """scikit-learn's 8×8 digits (1797 images, 10 classes), pixels scaled to [0, 1].

    The train/test split is stratified and fixed (it does not move with `seed`), so
    seeds vary the noise draw and the init, not which images are tested.
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    x, y = load_digits(return_X_y=True)
    x_tr, x_te, y_tr, y_te = train_test_split(x / 16.0, y, test_size=test_fraction,
                                              stratify=y, random_state=0)
    return _tensors(x_tr, y_tr), _tensors(x_te, y_te)


def mnist1d(seed: int = 0, num_samples: int = 5000) -> tuple[TensorSet, TensorSet]:
    """MNIST-1D (Greydanus, 2020): 40-sample 1-D digit signals, generated locally.

    Generation takes a few seconds, so the arrays are cached as .npz. The package's own
    `get_dataset` downloads from GitHub: never called here.
    """
    path = cache_dir() / f"mnist1d_{num_samples}.npz"
    if not path.exists():
        from mnist1d.data import get_dataset_args, make_dataset

        state = np.random.get_state()  # make_dataset reseeds numpy's global RNG
        args = get_dataset_args()
        args.num_samples = num_samples
        d = make_dataset(args)
        np.random.set_state(state)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, x=d["x"], y=d["y"], x_test=d["x_test"], y_test=d["y_test"])
        tmp.rename(path)
    d = np.load(path)
    return _tensors(d["x"], d["y"]), _tensors(d["x_test"], d["y_test"])


def modular_arithmetic(p: int = 113, train_fraction: float = 0.4, seed: int = 0,
                       op: str = "add") -> tuple[TensorSet, TensorSet]:
    """All pairs (a, b) with label (a ∘ b) mod p; x holds the two operands as integers.

    The split is a seeded random permutation of the p² pairs (Power et al., 2022).
    """
    ops = {"add": lambda a, b: (a + b) % p, "sub": lambda a, b: (a - b) % p,
           "mul": lambda a, b: (a * b) % p}
    if op not in ops:
        raise DatasetError(f"unknown op {op!r} for modular_arithmetic: use one of {', '.join(ops)}")
    a, b = torch.cartesian_prod(torch.arange(p), torch.arange(p)).T
    x, y = torch.stack([a, b], 1), ops[op](a, b)
    perm = torch.randperm(p * p, generator=torch.Generator().manual_seed(seed))
    n_train = int(round(train_fraction * p * p))
    tr, te = perm[:n_train], perm[n_train:]
    return TensorSet(x[tr], y[tr]), TensorSet(x[te], y[te])


# --- paper-scale datasets (network + torchvision) ----------------------------------------

def mnist(seed: int = 0) -> tuple[TensorSet, TensorSet]:
    """MNIST via torchvision, flattened to 784 features in [0, 1]."""
    tr, te = (_torchvision_set("MNIST", train, offline="mnist1d") for train in (True, False))
    return tuple(_tensors(d.data.reshape(len(d.data), -1).numpy() / 255.0, d.targets.numpy())
                 for d in (tr, te))


def cifar10(seed: int = 0) -> tuple[TensorSet, TensorSet]:
    """CIFAR-10 via torchvision, as (N, 3, 32, 32) floats normalised per channel."""
    tr, te = (_torchvision_set("CIFAR10", train, offline="digits") for train in (True, False))
    mean = np.array([0.4914, 0.4822, 0.4465]).reshape(1, 3, 1, 1)
    std = np.array([0.2470, 0.2435, 0.2616]).reshape(1, 3, 1, 1)
    return tuple(_tensors((d.data.transpose(0, 3, 1, 2) / 255.0 - mean) / std, np.array(d.targets))
                 for d in (tr, te))


def cifar100(seed: int = 0) -> tuple[TensorSet, TensorSet]:
    """CIFAR-100 via torchvision, as (N, 3, 32, 32) floats normalised per channel by the training set."""
    tr, te = (_torchvision_set("CIFAR100", train, offline="mnist1d") for train in (True, False))
    x_tr = tr.data.transpose(0, 3, 1, 2) / 255.0
    mean, std = x_tr.mean((0, 2, 3), keepdims=True), x_tr.std((0, 2, 3), keepdims=True)
    return tuple(_tensors((d.data.transpose(0, 3, 1, 2) / 255.0 - mean) / std, np.array(d.targets))
                 for d in (tr, te))


def _torchvision_set(name: str, train: bool, offline: str):
    hint = f"use the offline dataset {offline!r} instead"
    try:
        import torchvision.datasets as tvd  # lazy: torchvision is optional and never needed in CI
    except Exception as e:  # ImportError, or a torchvision built for another torch
        raise DatasetError(f"{name} needs torchvision, which cannot be imported here "
                           f"({type(e).__name__}): `pip install reglab[vision]`, or {hint}") from None
    root = cache_dir() / "torchvision"
    try:
        return getattr(tvd, name)(root, train=train, download=True)
    except Exception as e:  # URLError, OSError, RuntimeError: the download failed
        raise DatasetError(f"could not download {name} to {root} ({type(e).__name__}); "
                           f"on a machine without the network, {hint}") from None


# --- one explicit table of names, for configs that name their dataset ---------------------

DATASETS = {"digits": digits, "mnist1d": mnist1d, "mnist": mnist, "cifar10": cifar10, "cifar100": cifar100}


def load(name: str, seed: int = 0, **kwargs) -> tuple[TensorSet, TensorSet]:
    """(train_set, test_set) of a named dataset."""
    if name not in DATASETS:
        raise DatasetError(f"unknown dataset {name!r}: use one of {', '.join(DATASETS)} "
                           f"(offline: digits, mnist1d)")
    return DATASETS[name](seed=seed, **kwargs)


def _tensors(x, y) -> TensorSet:
    return TensorSet(torch.as_tensor(np.asarray(x), dtype=torch.float32),
                     torch.as_tensor(np.asarray(y), dtype=torch.long))


# --- transforms of whole sets ------------------------------------------------------------

def symmetric_label_noise(y: torch.Tensor, rate: float, num_classes: int, seed: int) -> torch.Tensor:
    """Resample the labels of a `rate` fraction of examples uniformly over all classes.

    The convention of the ELR code (Liu et al., 2020): a resampled label can land on the
    true class, so the fraction of wrong labels is about rate·(K−1)/K.
    """
    if not 0.0 <= rate <= 1.0:
        raise DatasetError(f"label-noise rate must be in [0, 1], got {rate}")
    g = torch.Generator().manual_seed(seed)
    chosen = torch.randperm(len(y), generator=g)[: int(round(rate * len(y)))]
    noisy = y.clone()
    noisy[chosen] = torch.randint(num_classes, (len(chosen),), generator=g)
    return noisy


def random_crop_flip(x: torch.Tensor, pad: int = 4) -> torch.Tensor:
    """The standard CIFAR augmentation of a batch (B, C, H, W): a random horizontal flip, then a
    random H×W crop of the image zero-padded by `pad`, drawn per example (He et al., 2016)."""
    b, c, h, w = x.shape
    flip = torch.rand(b, device=x.device) < 0.5
    x = torch.where(flip[:, None, None, None], x.flip(3), x)
    x = torch.nn.functional.pad(x, (pad, pad, pad, pad))
    dy, dx = torch.randint(0, 2 * pad + 1, (2, b), device=x.device)
    rows = dy[:, None] + torch.arange(h, device=x.device)  # (B, H)
    cols = dx[:, None] + torch.arange(w, device=x.device)  # (B, W)
    x = x.gather(2, rows[:, None, :, None].expand(b, c, h, x.shape[3]))
    return x.gather(3, cols[:, None, None, :].expand(b, c, h, w))


class Batch(NamedTuple):
    """A minibatch: inputs, labels, and `idx`, the examples' positions in the training set.

    Per-example extras (ELR's running targets, a teacher's logits, sample weights) are
    tensors over the whole training set that a loss indexes with `idx`: they travel with
    the batch, never as new arguments of `training.fit`."""
    x: torch.Tensor
    y: torch.Tensor
    idx: torch.Tensor


def batches(ds: TensorSet, batch_size: int, shuffle: bool = True, generator: torch.Generator | None = None):
    """Yields `Batch(x, y, idx)` minibatches by indexing tensors: no per-sample DataLoader.
    The order is drawn from `generator` (a CPU generator), else from torch's global one.
    """
    n = len(ds)
    if batch_size >= n:  # full batch: the order cannot matter, so skip the copy
        yield Batch(ds.x, ds.y, torch.arange(n, device=ds.y.device))
        return
    order = torch.randperm(n, generator=generator) if shuffle else torch.arange(n)
    order = order.to(ds.y.device)
    for start in range(0, n, batch_size):
        idx = order[start:start + batch_size]
        yield Batch(ds.x[idx], ds.y[idx], idx)


def num_batches(ds: TensorSet, batch_size: int) -> int:
    return -(-len(ds) // batch_size)

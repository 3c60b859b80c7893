"""Nested Dropout against noisy labels (Chen, Hu, Shen, Ai & Suykens, IEEE TNNLS 2022).

Compress the penultimate features h ∈ R^d of a classifier so that it cannot store the wrong
labels: per minibatch draw a truncation index k ∈ {1, …, d} and keep only the first k
feature channels (Rippel, Gelbart & Adams, ICML 2014). Channel j is then trained only when
k ≥ j, so the first channels learn what every truncation needs, features come out ordered
by importance, and the classifier rarely sees the capacity it would need to memorise noise.

The official code (github.com/yingyichen-cyy/Nested-Co-teaching, `nested/train_resnet.py`)
draws k from a discretised half-Gaussian, p(k) ∝ exp(−(k/σ)²); Rippel et al. draw it from a
geometric distribution. Both are here; the chapter uses the official one. Also here: every
truncation's logits at once (to evaluate all k) and the paper's exact-flip label noise.
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn

from ..data import DatasetError


# --- the distribution of the truncation index ---------------------------------------------

def gaussian_index_probs(d: int, sigma: float) -> torch.Tensor:
    """p(k) for k = 1, …, d as the official code draws it (`GaussianDist(mu=0, std=σ, N=d)`):

        p(k) = exp(−(k/σ)²) / Σ_{j=1..d} exp(−(j/σ)²).

    σ is the code's `--nested` (10 for CIFAR-10, 100 for CIFAR-100, Clothing1M, ANIMAL-10N).
    Note the missing ½: the spread of k is σ/√2, not σ. Entry k − 1 holds p(k), in float64.
    """
    k = torch.arange(1, d + 1, dtype=torch.float64)
    logits = -(k / sigma) ** 2
    return torch.softmax(logits, 0)  # the normalisation, stable even where exp underflows


def geometric_index_probs(d: int, rho: float) -> torch.Tensor:
    """p(k) of the original Nested Dropout (Rippel et al., 2014, Sec. 2), truncated at d:

        p(k) = ρ^(k−1) (1 − ρ) / (1 − ρ^d),   k = 1, …, d,

    the geometric distribution conditioned on k ≤ d (the first "success" of a coin of
    probability 1 − ρ). Its mean is ≈ 1/(1 − ρ) when ρ^d ≈ 0. Entry k − 1 holds p(k), in float64.
    """
    if not 0.0 <= rho < 1.0:
        raise ValueError(f"rho must be in [0, 1), got {rho}")
    k = torch.arange(1, d + 1, dtype=torch.float64)
    p = (1 - rho) * torch.tensor(rho, dtype=torch.float64) ** (k - 1)
    return p / p.sum()


def sample_index(probs: torch.Tensor, generator: torch.Generator | None = None) -> int:
    """One truncation index k ∈ {1, …, d} with P(k) = probs[k − 1] (`probs` on the CPU)."""
    return int(torch.multinomial(probs, 1, generator=generator)) + 1


def prefix_mask(k: int, d: int, device=None, dtype=torch.float32) -> torch.Tensor:
    """m ∈ {0, 1}^d with m_j = 1 for j ≤ k, 0 after it: a prefix of k ones, then d − k zeros."""
    return (torch.arange(d, device=device) < k).to(dtype)


# --- the layer ----------------------------------------------------------------------------

def nested_dropout(h: torch.Tensor, probs: torch.Tensor, training: bool,
                   generator: torch.Generator | None = None) -> torch.Tensor:
    """Nested Dropout of features h (…, d), as the official code's training step (`Train`):

        k ~ p(k),   h̃ = h ⊙ m_k,   m_k = (1, …, 1, 0, …, 0)  (k ones),

    one k for the whole minibatch, as the official code draws it. Unlike Dropout, the kept
    units are NOT rescaled: the network must work with any prefix, so at test time all d
    channels are used as they are (identity) and any prefix can be read off afterwards.
    """
    if not training:
        return h
    k = sample_index(probs, generator)
    return h * prefix_mask(k, h.shape[-1], device=h.device, dtype=h.dtype)


class NestedDropout(nn.Module):
    """`nested_dropout` as a layer. `probs` is kept as a plain attribute, not a buffer, so the
    layer adds no state to the model; `generator` (a CPU torch.Generator) draws k, so a run's
    truncations come from its own seed."""

    def __init__(self, probs: torch.Tensor, generator: torch.Generator | None = None):
        super().__init__()
        self.probs, self.generator = probs.detach().cpu().double(), generator

    def forward(self, h):
        return nested_dropout(h, self.probs, self.training, self.generator)

    def extra_repr(self):
        mean = (torch.arange(1, len(self.probs) + 1, dtype=torch.float64) * self.probs).sum()
        return f"d={len(self.probs)}, mean k={mean:.1f}"


# --- evaluating every truncation at once ---------------------------------------------------

def prefix_logits(h: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """Logits of a bias-free linear classifier (weight: C × d) on every prefix of h (N × d):

        z_k = Σ_{j ≤ k} h_j w_j   for k = 1, …, d,

    returned as (N, d, C), entry [:, k − 1] = (h ⊙ m_k) Wᵀ. One cumulative sum replaces d
    masked forward passes (the official `TestNested` loops over all d masks). The classifier
    must have no bias: with a bias, z_0 would not be 0 and the sum would not split by channel.
    """
    return torch.cumsum(h[:, :, None] * weight.T[None], dim=1)  # (N, d, C)


def accuracy_by_prefix(h: torch.Tensor, weight: torch.Tensor, y: torch.Tensor,
                       chunk: int = 512) -> torch.Tensor:
    """Accuracy (d,) of the truncated classifier with the first k = 1, …, d channels, in chunks
    of examples so that the (N, d, C) logits never sit in memory at once."""
    hits = torch.zeros(h.shape[1], device=h.device)
    for i in range(0, len(h), chunk):
        z = prefix_logits(h[i:i + chunk], weight)              # (n, d, C)
        hits += (z.argmax(2) == y[i:i + chunk, None]).sum(0)
    return hits / len(h)


def select_k(acc_by_k: torch.Tensor) -> int:
    """The official rule for the number of channels: the best accuracy, ties (and near-ties
    below 1e-5 per channel) going to the smaller k: argmax_k acc(k) − 1e-5·(k − 1). Returns k."""
    penalty = 1e-5 * torch.arange(len(acc_by_k), dtype=acc_by_k.dtype, device=acc_by_k.device)
    return int((acc_by_k - penalty).argmax()) + 1


# --- the paper's label noise ---------------------------------------------------------------

def exact_label_noise(y: torch.Tensor, rate: float, num_classes: int, seed: int) -> torch.Tensor:
    """Symmetric noise by exact flips, as the official `data/preprocess_sym_noise_cifar.py`:
    in every class c, ⌈rate · n_c⌉ examples, chosen at random, get a label drawn uniformly
    from the K − 1 *other* classes. Every chosen label is wrong, so exactly (up to rounding)
    a `rate` fraction of labels is wrong, against ≈ rate·(K − 1)/K for the convention of
    `data.symmetric_label_noise`, which redraws from all K classes.
    """
    if not 0.0 <= rate <= 1.0:
        raise DatasetError(f"label-noise rate must be in [0, 1], got {rate}")
    g = torch.Generator().manual_seed(seed)
    noisy = y.clone()
    for c in range(num_classes):
        members = (y == c).nonzero().flatten()
        n_flip = math.ceil(rate * len(members) - 1e-9)  # the code's `i < rate * n`, float-safe
        chosen = members[torch.randperm(len(members), generator=g)[:n_flip]]
        shift = torch.randint(1, num_classes, (n_flip,), generator=g)  # 1..K−1: never c itself
        noisy[chosen] = (c + shift) % num_classes
    return noisy

"""Denoisers on disjoint training sets (Kadkhodaie, Guth, Simoncelli & Mallat, ICLR 2024): memorize, then agree.

The paper trains two denoisers, the score models of a diffusion, on non-overlapping training
sets S₁, S₂ of size N. A denoiser f(y) ≈ E[x | y = x + σz] gives the score by Miyasawa/Tweedie,

    ∇ log p_σ(y) = (f(y) − y) / σ²,

so two denoisers that compute the same function define the same density. At small N each
model memorizes (its samples are its own training images, and the two models disagree); at
large N both learn nearly the same function, and generate the same sample from the same noise.

What "memorizing" means is exact: the MSE-optimal denoiser of the *empirical* distribution
(1/N) Σ δ_{x_i} is the softmax-weighted average of the training points (`empirical_denoiser`),
which at small σ returns the nearest training point. A network trained to zero loss on N
points would be that function. The pieces here: clean 1-D signals, a bias-free 1-D CNN
denoiser, its loss, the deterministic sampler, and the comparison metrics.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn as nn
from scipy.spatial import cKDTree

from .. import data


def clean_mnist1d(num_samples: int = 10_000) -> torch.Tensor:
    """MNIST-1D templates without their added noise (Greydanus 2020), standardized: (n, 40) float32.

    `data.mnist1d` adds i.i.d. and correlated noise to each signal; a denoiser trained on noisy
    "clean" targets learns part of that noise, so here both noise scales are 0. The generator
    is seeded by the package's own default seed: one fixed pool, like a fixed image dataset;
    which signals go to S₁, S₂ and the test set is the run's draw. Cached as .npz.
    """
    path = data.cache_dir() / f"mnist1d_clean_{num_samples}.npz"
    if not path.exists():
        from mnist1d.data import get_dataset_args, make_dataset

        state = np.random.get_state()  # make_dataset reseeds numpy's global RNG
        args = get_dataset_args()
        args.num_samples, args.iid_noise_scale, args.corr_noise_scale = num_samples, 0.0, 0.0
        d = make_dataset(args)
        np.random.set_state(state)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, x=np.concatenate([d["x"], d["x_test"]]))
        tmp.rename(path)
    x = torch.as_tensor(np.load(path)["x"], dtype=torch.float32)
    return (x - x.mean()) / x.std()      # one scalar shift and scale: noise σ is then in signal units


def disjoint_split(n_pool: int, n: int, n_test: int, generator: torch.Generator):
    """Indices (S₁, S₂, test) of sizes n, n, n_test, pairwise disjoint, from one permutation.
    S₁ is taken from the front and S₂ from the back (as the paper's `--swap` takes the last N),
    so for one seed the sets of different N are nested and the test set is the same."""
    if 2 * n + n_test > n_pool:
        raise ValueError(f"2·{n} + {n_test} signals do not fit in a pool of {n_pool}")
    perm = torch.randperm(n_pool, generator=generator)
    return perm[n_test:n_test + n], perm[n_pool - n:], perm[:n_test]


class BiasFreeCNN1d(nn.Module):
    """Bias-free residual 1-D CNN denoiser: f(y) = y − g(y), g a stack of bias-free convolutions.

    No additive constants anywhere (Mohan et al., 2020, the paper's BF-CNN/UNet), so
    f(αy) = αf(y) for α > 0: the denoiser works across noise levels without being told σ.
    With `layers` convolutions of width `kernel`, the receptive field is layers·(kernel−1)+1;
    it must cover the signal, or the network cannot memorize whole signals (spec pilot).
    """

    def __init__(self, channels: int = 32, layers: int = 4, kernel: int = 11):
        super().__init__()
        widths = [1] + [channels] * (layers - 1) + [1]
        self.convs = nn.ModuleList(nn.Conv1d(a, b, kernel, padding=kernel // 2, bias=False)
                                   for a, b in zip(widths[:-1], widths[1:]))

    @property
    def receptive_field(self) -> int:
        return sum(c.kernel_size[0] - 1 for c in self.convs) + 1

    def forward(self, y: torch.Tensor) -> torch.Tensor:       # y: (B, L)
        h = y.unsqueeze(1)
        for i, conv in enumerate(self.convs):
            h = conv(h)
            if i < len(self.convs) - 1:
                h = torch.relu(h)
        return y - h.squeeze(1)                                # predict the noise, return the signal


def denoising_loss(model: nn.Module, x: torch.Tensor, sigma_max: float, generator: torch.Generator):
    """E_σ E_z ‖f(x + σz) − x‖² / L with σ ~ U[0, σ_max] per example: one "universal" denoiser
    for every noise level, as the paper trains (its σ ∈ [0, 255]/255)."""
    sigma = sigma_max * torch.rand(len(x), 1, generator=generator)
    y = x + sigma * torch.randn(x.shape, generator=generator)
    return ((model(y) - x) ** 2).mean()


def empirical_denoiser(y: torch.Tensor, train: torch.Tensor, sigma: float) -> torch.Tensor:
    """The MSE-optimal denoiser of the empirical distribution (1/N) Σ δ_{x_i}:

        f*(y) = Σ_i w_i(y) x_i,   w(y) = softmax_i(−‖y − x_i‖² / 2σ²),

    the posterior mean when the prior is the training set itself. It is what a network that
    reaches the global minimum of the training loss computes, i.e. perfect memorization."""
    d2 = torch.cdist(y.double(), train.double()) ** 2                       # (B, N)
    w = torch.softmax(-d2 / (2 * sigma ** 2), dim=1)
    return (w @ train.double()).to(y.dtype)


def wiener_denoiser(y: torch.Tensor, mean: torch.Tensor, cov: torch.Tensor, sigma: float) -> torch.Tensor:
    """The optimal denoiser of a Gaussian prior N(μ, Σ): f(y) = μ + Σ(Σ + σ²I)⁻¹(y − μ), the
    Wiener filter. The limit of `empirical_denoiser` on many draws of that Gaussian (tested)."""
    gain = cov @ torch.linalg.inv(cov + sigma ** 2 * torch.eye(len(cov), dtype=cov.dtype))
    return mean + (y - mean) @ gain.T


@torch.no_grad()
def sample(denoise, z: torch.Tensor, iterations: int = 60, step: float = 0.15) -> torch.Tensor:
    """Deterministic coarse-to-fine ascent of the learned density, y ← y + h (f(y) − y), then f(y).

    f(y) − y = σ² ∇log p_σ(y), so each step moves up the smoothed density; the effective noise
    shrinks by (1 − h) per step as the iterate denoises itself. The paper's sampler (Kadkhodaie &
    Simoncelli, 2021) adds fresh noise with β; β = 1 (no injected noise) makes it deterministic,
    so that two models started from the same z can be compared sample by sample."""
    y = z.clone()
    for _ in range(iterations):
        y = y + step * (denoise(y) - y)
    return denoise(y)


def centered_cosine(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Row-wise cosine of mean-removed signals, in [−1, 1]: a correlation, blind to offset and gain."""
    a, b = a - a.mean(1, keepdim=True), b - b.mean(1, keepdim=True)
    return (a * b).sum(1) / (a.norm(dim=1) * b.norm(dim=1)).clamp_min(1e-12)


def nearest_cosine(samples: torch.Tensor, train: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """(highest centered cosine of each sample to a training signal, that signal's index).

    For unit vectors ‖u − v‖² = 2 − 2 cos(u, v), so the nearest neighbour in Euclidean distance
    of the normalized, centered signals is the one of highest cosine: a k-d tree finds it."""
    def unit(v):
        v = (v - v.mean(1, keepdim=True)).double().numpy()
        return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
    dist, idx = cKDTree(unit(train)).query(unit(samples), k=1)
    return 1 - dist ** 2 / 2, idx


def disagreement(f_a: torch.Tensor, f_b: torch.Tensor, x: torch.Tensor) -> float:
    """D = E‖f_A(y) − f_B(y)‖² / ½(E‖f_A(y) − x‖² + E‖f_B(y) − x‖²): how far apart the two
    denoisers are, in units of their own mean error. 0: the same function; two denoisers with
    independent errors of equal size give 2."""
    err = 0.5 * (((f_a - x) ** 2).sum() + ((f_b - x) ** 2).sum())
    return float(((f_a - f_b) ** 2).sum() / err)

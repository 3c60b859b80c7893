"""Frame averaging (Puny et al., ICLR 2022): exact E(3) equivariance by averaging a backbone over a PCA frame.

A point cloud X (n points in R³) is mapped by g = (R, t) ∈ E(3) to g·X = {R xᵢ + t}. Averaging
a backbone Φ over the whole group makes it equivariant but is intractable; averaging over a
*frame* F(X) ⊂ E(3), a small set with F(g·X) = g F(X), is exact as well (the paper's main
theorem). For E(3) the frame is the centroid with the PCA eigenvectors of the centred cloud,
under all 2³ = 8 sign choices. Points are rows here: g·x = x Rᵀ + t, g⁻¹·x = (x − t) R.

The data of the paper's n-body benchmark (Sec. 5.3, from the EGNN paper): five particles with
charges ±1 under Coulomb forces, integrated by the leapfrog of EGNN's `synthetic_sim.py`.
Inputs are laid out per particle as (position, velocity, charge): 3 + 3 + 1 columns.
"""
from __future__ import annotations

import itertools
import os

import numpy as np
import torch
import torch.nn as nn

from .. import data

SIGNS = torch.tensor(list(itertools.product([1.0, -1.0], repeat=3)))  # (8, 3): the sign ambiguity of PCA


# --- the group ---------------------------------------------------------------------------

def random_orthogonal(n: int, generator: torch.Generator | None = None,
                      dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """n Haar-random matrices of O(3), rotations and reflections alike: (n, 3, 3).

    QR of a Gaussian matrix, with the signs of R's diagonal moved into Q; without that
    correction Q is not uniformly distributed (Mezzadri, 2007). det Q = ±1 with prob. ½ each."""
    q, r = torch.linalg.qr(torch.randn(n, 3, 3, generator=generator, dtype=dtype))
    return q * torch.sign(torch.diagonal(r, dim1=1, dim2=2))[:, None, :]


def act(x: torch.Tensor, rot: torch.Tensor, shift: torch.Tensor | None = None) -> torch.Tensor:
    """g·x for g = (rot, shift) on per-particle features (B, n, 3 + 3 + k): positions rotate
    and translate, velocities only rotate, the remaining scalars (charges) do not move.
    A (B, n, 3) tensor is read as positions alone. rot (B, 3, 3), shift (B, 1, 3)."""
    pos = x[..., :3] @ rot.transpose(1, 2) + (0 if shift is None else shift)
    if x.shape[-1] == 3:
        return pos
    return torch.cat([pos, x[..., 3:6] @ rot.transpose(1, 2), x[..., 6:]], -1)


# --- the frame and the average -------------------------------------------------------------

def pca_frame(points: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The E(3) frame of a point cloud (B, n, 3): its centroid t (B, 1, 3) and the 8 matrices
    R_s = V diag(s), s ∈ {±1}³ (B, 8, 3, 3), where V holds the eigenvectors of the covariance

        C = Σᵢ (xᵢ − t)(xᵢ − t)ᵀ   (in ascending order of eigenvalue).

    Rotating the cloud by Q turns C into Q C Qᵀ, whose eigenvectors are Q V up to one sign each;
    taking every sign makes the set exact: F(g·X) = g F(X). It needs distinct eigenvalues: near
    a tie, the eigenvectors (and so Φ's inputs) swing, which is the frame's known weak point.
    The eigen-decomposition runs in float64 so that rounding stays far below float32's."""
    center = points.mean(1, keepdim=True)
    x = (points - center).double()
    _, vecs = torch.linalg.eigh(x.transpose(1, 2) @ x)  # columns are eigenvectors
    frames = vecs[:, None] * SIGNS.to(vecs)[None, :, None, :]  # flip column j by s_j
    return center, frames.to(points.dtype)


class FrameAveraged(nn.Module):
    """Frame averaging of any backbone Φ over the PCA frame F(X) (the paper's two FA operators):

        invariant:    ⟨Φ⟩_F(X) = 1/|F(X)| Σ_{g ∈ F(X)} Φ(g⁻¹·X)
        equivariant:  ⟨Φ⟩_F(X) = 1/|F(X)| Σ_{g ∈ F(X)} g·Φ(g⁻¹·X)

    with |F(X)| = 8. The frame is computed from the positions (the first 3 columns); Φ sees
    each of the 8 canonical copies g⁻¹·X as one batch of 8B examples, so FA costs 8 forward
    passes and no change to Φ. In the equivariant mode Φ returns positions (B, n, 3), which
    g maps back (rotation and centroid); in the invariant mode any output is averaged as is.
    """

    def __init__(self, backbone: nn.Module, invariant: bool = False):
        super().__init__()
        self.backbone, self.invariant = backbone, invariant

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # x: (B, n, 3 + 3 + k)
        b, n, f = x.shape
        k = len(SIGNS)
        center, rot = pca_frame(x[..., :3])  # (B, 1, 3), (B, k, 3, 3)
        centred = torch.cat([x[..., :3] - center, x[..., 3:]], -1)
        rot = rot.reshape(b * k, 3, 3)
        # g⁻¹·X for every g in the frame: the centroid removed, then Rᵀ applied (rows: x R)
        canon = act(centred[:, None].expand(b, k, n, f).reshape(b * k, n, f), rot.transpose(1, 2))
        out = self.backbone(canon)
        if self.invariant:
            return out.reshape(b, k, *out.shape[1:]).mean(1)
        return act(out, rot).reshape(b, k, n, 3).mean(1) + center  # g·Φ(g⁻¹·X), averaged


class ParticleMLP(nn.Module):
    """The backbone: Φ(X) = x + MLP(x − x̄, v, q), an MLP on all particles' features flattened
    (n·(3+3+k) → width → … → n·3) that predicts each particle's displacement. Centring makes it
    translation-equivariant by construction; nothing makes it rotation-equivariant."""

    def __init__(self, n_particles: int = 5, features: int = 7, width: int = 256, depth: int = 3):
        super().__init__()
        sizes = [n_particles * features] + [width] * depth
        layers: list[nn.Module] = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            layers += [nn.Linear(a, b), nn.SiLU()]  # SiLU as in the official FA-GNN
        self.net = nn.Sequential(*layers, nn.Linear(sizes[-1], n_particles * 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pos = x[..., :3]
        centred = torch.cat([pos - pos.mean(1, keepdim=True), x[..., 3:]], -1)
        return pos + self.net(centred.flatten(1)).view_as(pos)


@torch.no_grad()
def equivariance_error(model: nn.Module, x: torch.Tensor, generator: torch.Generator | None = None,
                       invariant: bool = False) -> float:
    """Root mean square of Φ(g·X) − g·Φ(X) (or of Φ(g·X) − Φ(X) for an invariant Φ) over the
    examples of x, each under its own random g = (Q, t): Q Haar on O(3), t ~ N(0, I)."""
    was_training = model.training
    model.eval()
    rot = random_orthogonal(len(x), generator, x.dtype).to(x.device)
    shift = torch.randn(len(x), 1, 3, generator=generator, dtype=x.dtype).to(x.device)
    moved, out = model(act(x, rot, shift)), model(x)
    target = out if invariant else act(out, rot, shift)
    model.train(was_training)
    return (moved - target).pow(2).mean().sqrt().item()


# --- the charged n-body system -------------------------------------------------------------

def coulomb_forces(x: np.ndarray, charges: np.ndarray, max_force: float = 100.0) -> np.ndarray:
    """Fᵢ = Σ_{j≠i} qᵢ qⱼ (xᵢ − xⱼ) / |xᵢ − xⱼ|³ for positions (B, n, 3) and charges (B, n):
    like charges repel. Components are then clipped to ±max_force = ±0.1/Δt, as in
    `synthetic_sim.py` (a guard against close encounters that breaks conservation when it acts)."""
    xs = np.ascontiguousarray(np.moveaxis(x, 0, -1))  # (n, 3, B): long contiguous rows are fast
    i, j = np.triu_indices(x.shape[1], k=1)
    qq = np.ascontiguousarray((charges[:, i] * charges[:, j]).T)
    return np.moveaxis(_forces(xs, qq, _incidence(x.shape[1]), max_force), -1, 0)


def _incidence(n: int) -> np.ndarray:
    """(n, pairs): +1 at the pair's first particle, −1 at its second. Each pair's force enters
    the two particles with opposite signs, so Σᵢ Fᵢ = 0 to rounding (momentum is conserved)."""
    i, j = np.triu_indices(n, k=1)
    a = np.zeros((n, len(i)))
    a[i, np.arange(len(i))], a[j, np.arange(len(i))] = 1.0, -1.0
    return a


def _forces(xs: np.ndarray, qq: np.ndarray, incidence: np.ndarray, max_force: float) -> np.ndarray:
    """Coulomb forces in the particle-major layout: xs (n, 3, B), qq (pairs, B) → (n, 3, B)."""
    i, j = np.triu_indices(xs.shape[0], k=1)
    d = xs[i] - xs[j]  # (pairs, 3, B)
    r2 = (d * d).sum(1)
    pair = (qq / (r2 * np.sqrt(r2)))[:, None] * d
    f = (incidence @ pair.reshape(len(i), -1)).reshape(xs.shape)
    return np.clip(f, -max_force, max_force, out=f)


def leapfrog(x: np.ndarray, v: np.ndarray, charges: np.ndarray, save_at: tuple[int, ...],
             dt: float = 1e-3, max_force: float = 100.0) -> list[tuple[np.ndarray, np.ndarray]]:
    """(positions, velocities), each (B, n, 3), after each step count in `save_at`, integrating
    unit masses as EGNN's `synthetic_sim.py` does: a first kick v += Δt·F(x₀), then per step a
    drift x += Δt·v, the save, and a kick v += Δt·F(x). The velocity saved with x_k is the one
    that drifted into it. Vectorised over trajectories, in float64."""
    n = x.shape[1]
    i, j = np.triu_indices(n, k=1)
    qq = np.ascontiguousarray((charges[:, i] * charges[:, j]).T)
    inc = _incidence(n)
    xs, vs = (np.ascontiguousarray(np.moveaxis(a.astype(np.float64), 0, -1)) for a in (x, v))
    vs += dt * _forces(xs, qq, inc, max_force)
    out = []
    for step in range(1, max(save_at) + 1):
        xs += dt * vs
        if step in save_at:
            out.append((np.moveaxis(xs, -1, 0).copy(), np.moveaxis(vs, -1, 0).copy()))
        vs += dt * _forces(xs, qq, inc, max_force)
    return out


def initial_state(n: int, rng: np.random.Generator, n_particles: int = 5, loc_std: float = 1.0,
                  speed: float = 0.5, box: float = 5.0):
    """Random charges ±1, positions N(0, loc_std²) and velocities of norm `speed` in random
    directions (the `charged5_initvel1small` setting); a position outside the box is reflected
    back with its velocity, as the simulator's `_clamp` does to the initial state."""
    charges = rng.choice([-1.0, 1.0], size=(n, n_particles))
    x = rng.standard_normal((n, n_particles, 3)) * loc_std * (n_particles / 5) ** (1 / 3)
    v = rng.standard_normal((n, n_particles, 3))
    v *= speed / np.linalg.norm(v, axis=-1, keepdims=True)
    over, under = x > box, x < -box
    x = np.where(over, 2 * box - x, np.where(under, -2 * box - x, x))
    v = np.where(over, -np.abs(v), np.where(under, np.abs(v), v))
    return x, v, charges


SPLITS = {"train": 0, "val": 1, "test": 2}


def nbody(n: int, seed: int, split: str, start: int = 3100, horizon: int = 1000) -> data.TensorSet:
    """n trajectories of the benchmark task: inputs (n, 5, 7) = position, velocity, charge at
    step `start`; targets (n, 5, 3) = positions `horizon` steps later (frames 30 → 40 of
    `nbody_small`, sampled every 100 steps, are steps 3100 → 4100). Each split draws from its own
    generator, seeded by (seed, split), so the test set does not move with n_train. Cached as
    .npz (simulating 4,100 steps takes seconds), as `data.mnist1d` does."""
    path = data.cache_dir() / f"nbody_charged5_{split}_n{n}_seed{seed}_{start}-{start + horizon}.npz"
    if not path.exists():
        x0, v0, q = initial_state(n, np.random.default_rng([seed, SPLITS[split]]))
        (x, v), (y, _) = leapfrog(x0, v0, q, save_at=(start, start + horizon))
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp.npz")  # concurrent writers never collide
        np.savez(tmp, x=np.concatenate([x, v, q[..., None]], -1), y=y)
        tmp.rename(path)
    d = np.load(path)
    return data.TensorSet(torch.as_tensor(d["x"], dtype=torch.float32), torch.as_tensor(d["y"], dtype=torch.float32))


class LinearDynamics(nn.Module):
    """The benchmark's floor, ŷ = x + α v (EGNN's `Linear_dynamics`, where α is learnt by SGD
    from 0.7). `fit` takes the least-squares α on a training set: α = ⟨v, y − x⟩ / ⟨v, v⟩.
    Equivariant by construction: it is Φ(g·X) = g·Φ(X) for every g ∈ E(3)."""

    def __init__(self, alpha: float):
        super().__init__()
        self.alpha = alpha

    @classmethod
    def fit(cls, train_set: data.TensorSet) -> "LinearDynamics":
        x, v = train_set.x[..., :3].double(), train_set.x[..., 3:6].double()
        return cls(((v * (train_set.y.double() - x)).sum() / (v * v).sum()).item())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x[..., :3] + self.alpha * x[..., 3:6]

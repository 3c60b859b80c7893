"""Neural Scene Flow Prior (Li, Kaesemodel Pontes & Lucey, NeurIPS 2021): an MLP as an implicit prior.

Scene flow between two point clouds P₁, P₂ is a 3-D vector per point of P₁. With no labels, the
only signal is geometric: the warped cloud P₁ + F should lie on P₂ (Chamfer distance). Free
per-point vectors F can fit that objective by sliding each point to *any* nearby point of P₂,
so the objective alone does not determine the flow. NSFP instead writes F = f_θ(P₁) with a
coordinate MLP f_θ: ℝ³ → ℝ³ and optimizes θ at runtime, one scene at a time; the architecture is
the regularizer. The explicit alternative is a graph-Laplacian smoothness penalty on F.

Official code: github.com/Lilac-Lee/Neural_Scene_Flow_Prior (`model.py`, `loss.py`,
`optimization.py`, `utils.py`). This module holds the scene generator (procedural boxes, not
lidar), the truncated Chamfer loss, the MLP, the Laplacian penalty and the official metrics.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn as nn
from scipy.spatial import cKDTree

# --- the loss --------------------------------------------------------------------------------


def nearest(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Index into y of the nearest neighbour of every row of x: (n, 3), (m, 3) -> (n,).

    A KD-tree (O(n log m)) plays the role of pytorch3d's `knn_points` in the official code; the
    index is piecewise constant in x, so it needs no gradient (the distances get theirs by
    gathering, in `chamfer`)."""
    _, idx = cKDTree(y.detach().cpu().numpy()).query(x.detach().cpu().numpy(), k=1)
    return torch.as_tensor(idx, dtype=torch.long, device=x.device)


def chamfer(x: torch.Tensor, y: torch.Tensor, truncate: float = 2.0) -> torch.Tensor:
    """Truncated Chamfer distance on *squared* distances (official `loss.py`, `my_chamfer_fn`):

        CD(X, Y) = mean_{x∈X} d(x, Y) + mean_{y∈Y} d(y, X),   d(x, Y) = min_y ‖x − y‖²,

    where a nearest-neighbour term with d ≥ `truncate` (official: 2 m²) counts as 0 but still
    in the mean. Gradients flow through the gathered neighbours: almost everywhere the gradient
    of the min is the gradient at its arg-min, which is exactly what this computes."""
    d_xy = ((x - y[nearest(x, y)]) ** 2).sum(1)   # (n,)
    d_yx = ((y - x[nearest(y, x)]) ** 2).sum(1)   # (m,)
    keep = lambda d: torch.where(d < truncate, d, torch.zeros_like(d))  # noqa: E731
    return keep(d_xy).mean() + keep(d_yx).mean()


# --- the two regularizers: implicit (architecture) and explicit (graph Laplacian) -------------


def neural_prior(width: int = 128, layers: int = 8) -> nn.Sequential:
    """The official `Neural_Prior`: f_θ(p) = W₉ σ(W₈ … σ(W₁ p)), p ∈ ℝ³, σ = ReLU.

    `layers` hidden ReLU layers of `width` units (official: 8 × 128, i.e. 9 linear layers),
    PyTorch's default initialization. The flow of a point is f_θ(p): a continuous field that
    can be queried anywhere, not only at the points it was optimized on."""
    mods = [nn.Linear(3, width), nn.ReLU()]
    for _ in range(layers - 1):
        mods += [nn.Linear(width, width), nn.ReLU()]
    return nn.Sequential(*mods, nn.Linear(width, 3))


def knn_edges(points: torch.Tensor, k: int = 8) -> torch.Tensor:
    """The k-nearest-neighbour graph of a cloud as directed edges (i, j), j ≠ i: (n·k, 2)."""
    _, idx = cKDTree(points.detach().cpu().numpy()).query(points.detach().cpu().numpy(), k=k + 1)
    i = np.repeat(np.arange(len(points)), k)
    return torch.as_tensor(np.stack([i, idx[:, 1:].reshape(-1)], 1), dtype=torch.long)


def laplacian_penalty(flow: torch.Tensor, edges: torch.Tensor) -> torch.Tensor:
    """Graph-Laplacian smoothness, the classical explicit scene-flow prior:

        R(F) = (1/|E|) Σ_{(i,j)∈E} ‖F_i − F_j‖²  = (2/|E|) tr(Fᵀ L F)  for a symmetric graph,

    with E the kNN graph of P₁ (`knn_edges`). Zero exactly on flows that are constant on every
    connected component of the graph (a rigid translation per object)."""
    return ((flow[edges[:, 0]] - flow[edges[:, 1]]) ** 2).sum(1).mean()


# --- metrics (official `utils.py`, after FlowNet3D) ------------------------------------------


def flow_metrics(pred: torch.Tensor, gt: torch.Tensor) -> dict:
    """EPE3D (mean ‖pred − gt‖, metres); Acc₅: error < 0.05 m or relative error < 5 %;
    Acc₁₀: error < 0.1 m or relative error < 10 % (official `scene_flow_metrics`)."""
    err = (pred - gt).norm(dim=1)
    rel = err / (gt.norm(dim=1) + 1e-20)
    return {"epe": err.mean().item(),
            "acc5": ((err < 0.05) | (rel < 0.05)).float().mean().item(),
            "acc10": ((err < 0.1) | (rel < 0.1)).float().mean().item()}


# --- the scene: rigid boxes, an ego-motion, independent re-sampling --------------------------


def _yaw(a: float) -> np.ndarray:
    c, s = np.cos(a), np.sin(a)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def _surface(size: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """n uniform points on a box's surface without its bottom face (the ground is removed),
    in the box frame (centred in x, y; z from 0 to height)."""
    lx, ly, lz = size
    faces = np.array([lx * ly, ly * lz, ly * lz, lx * lz, lx * lz])  # top, ±x, ±y
    face = rng.choice(5, size=n, p=faces / faces.sum())
    u, v = rng.random(n), rng.random(n)
    p = np.stack([(u - 0.5) * lx, (v - 0.5) * ly, v * lz], 1)
    p[face == 0] = np.stack([(u - 0.5) * lx, (v - 0.5) * ly, np.full(n, lz)], 1)[face == 0]
    for f, sign in ((1, -1), (2, 1)):
        p[face == f] = np.stack([np.full(n, sign * lx / 2), (u - 0.5) * ly, v * lz], 1)[face == f]
    for f, sign in ((3, -1), (4, 1)):
        p[face == f] = np.stack([(u - 0.5) * lx, np.full(n, sign * ly / 2), v * lz], 1)[face == f]
    return p


def make_scene(rng: np.random.Generator, n_points: int = 1024, n_query: int = 1024, n_cars: int = 4,
               n_static: int = 4, extent: float = 16.0, noise: float = 0.02, ego_shift: float = 1.0,
               ego_yaw: float = 0.03) -> dict:
    """A driving-like scene (boxes, not lidar) at two times, in the sensor frame of each.

    Cars: 3.5–4.8 × 1.6–2.0 × 1.4–1.8 m, each moving 0.5–1.5 m along its heading and turning by
    ≤ 0.08 rad; static boxes stay put. The sensor moves `ego_shift` forward and turns `ego_yaw`,
    so every point moves (≈ 1.2 m), as in KITTI. P₂ is *re-sampled* on the moved surfaces, so no
    point of P₁ has an exact partner in P₂, and both clouds get `noise` (m). Returns float32
    tensors pc1, pc2, flow (of pc1's surface points), label (pc1's box; cars first), query and
    query_flow (held-out points of the same surfaces at t₁, never optimized on)."""
    boxes, placed = [], []  # placed: (centre, radius) of the footprints so far
    for b in range(n_cars + n_static):
        car = b < n_cars
        size = (rng.uniform([3.5, 1.6, 1.4], [4.8, 2.0, 1.8]) if car
                else rng.uniform([1.0, 1.0, 1.0], [4.0, 4.0, 2.5]))
        radius = np.hypot(size[0], size[1]) / 2
        for _ in range(200):  # objects do not intersect: re-draw a centre that overlaps (≤ 200 tries)
            centre = rng.uniform(-extent / 2, extent / 2, 2)
            if all(np.hypot(*(centre - c)) > radius + r for c, r in placed):
                break
        placed.append((centre, radius))
        pose1 = (_yaw(rng.uniform(-np.pi, np.pi)), np.r_[centre, 0.0])
        step = rng.uniform(0.5, 1.5) if car else 0.0
        turn = rng.uniform(-0.08, 0.08) if car else 0.0
        pose2 = (pose1[0] @ _yaw(turn), pose1[1] + pose1[0] @ np.array([step, 0.0, 0.0]))
        boxes.append((size, pose1, pose2))
    area = np.array([s[0] * s[1] + 2 * s[2] * (s[0] + s[1]) for s, _, _ in boxes])
    ego_r, ego_t = _yaw(ego_yaw), np.array([ego_shift, 0.0, 0.0])
    to_t2 = lambda w: (w - ego_t) @ ego_r  # world -> sensor frame at t₂: R_egoᵀ (w − t)  # noqa: E731

    def sample(n, at_t2):
        counts = rng.multinomial(n, area / area.sum())
        pts, flows = [], []
        for (size, (r1, t1), (r2, t2)), c in zip(boxes, counts):
            local = _surface(size, c, rng)
            p1, p2 = local @ r1.T + t1, to_t2(local @ r2.T + t2)
            pts.append(p2 if at_t2 else p1)
            flows.append(p2 - p1)
        return np.concatenate(pts), np.concatenate(flows), np.repeat(np.arange(len(boxes)), counts)

    pc1, flow, label = sample(n_points, False)
    pc2, _, _ = sample(n_points, True)
    query, query_flow, _ = sample(n_query, False)
    pc1 = pc1 + noise * rng.standard_normal(pc1.shape)
    pc2 = pc2 + noise * rng.standard_normal(pc2.shape)
    t = lambda a: torch.as_tensor(a, dtype=torch.float32)  # noqa: E731
    return {"pc1": t(pc1), "pc2": t(pc2), "flow": t(flow), "label": torch.as_tensor(label),
            "query": t(query), "query_flow": t(query_flow)}

"""Neural Scene Flow Prior (Li, Kaesemodel Pontes & Lucey, NeurIPS 2021): the truncated Chamfer loss
against a hand-computed case and against brute force, its gradient, the Laplacian penalty, the
metrics and the scene generator's ground truth."""
import numpy as np
import torch

from reglab.topics import scene_flow as sf


def test_chamfer_by_hand():
    # X = {(0,0,0), (1,0,0)}, Y = {(0,0,0), (0,2,0)}.
    # X -> Y: 0 for (0,0,0); for (1,0,0) the nearest is (0,0,0) at squared distance 1. Mean 0.5.
    # Y -> X: 0 for (0,0,0); for (0,2,0): (0,0,0) at 4, (1,0,0) at 5, so 4. Mean 2.0.
    x = torch.tensor([[0.0, 0, 0], [1, 0, 0]])
    y = torch.tensor([[0.0, 0, 0], [0, 2, 0]])
    assert torch.isclose(sf.chamfer(x, y, truncate=100.0), torch.tensor(2.5))
    # With the official truncation at 2 m², the term 4 is dropped but still counted in the mean.
    assert torch.isclose(sf.chamfer(x, y, truncate=2.0), torch.tensor(0.5))


def test_chamfer_matches_a_dense_brute_force():
    # The KD-tree route (O(n log m), what the chapter uses) against all pairwise distances
    # (torch.cdist, O(n·m) but obviously right): the same number, for
    # clouds of different sizes, with and without truncation.
    g = torch.Generator().manual_seed(0)
    x, y = 3 * torch.rand(200, 3, generator=g), 3 * torch.rand(150, 3, generator=g)
    d = torch.cdist(x, y) ** 2
    for trunc in (100.0, 0.05):
        dx, dy = d.min(1).values, d.min(0).values
        ref = torch.where(dx < trunc, dx, 0 * dx).mean() + torch.where(dy < trunc, dy, 0 * dy).mean()
        torch.testing.assert_close(sf.chamfer(x, y, truncate=trunc), ref)


def test_chamfer_gradient_matches_finite_differences():
    g = torch.Generator().manual_seed(1)
    x = torch.rand(30, 3, generator=g, dtype=torch.float64).requires_grad_()
    y = torch.rand(40, 3, generator=g, dtype=torch.float64)
    assert torch.autograd.gradcheck(lambda a: sf.chamfer(a, y, truncate=100.0), (x,), eps=1e-7)


def test_chamfer_is_zero_only_on_identical_clouds_and_symmetric():
    g = torch.Generator().manual_seed(2)
    x, y = torch.rand(50, 3, generator=g), torch.rand(60, 3, generator=g)
    assert sf.chamfer(x, x).item() == 0.0
    assert sf.chamfer(x, y).item() > 0.0
    torch.testing.assert_close(sf.chamfer(x, y), sf.chamfer(y, x))


def test_laplacian_penalty_is_zero_on_a_translation_and_positive_otherwise():
    g = torch.Generator().manual_seed(3)
    pts = torch.rand(100, 3, generator=g)
    edges = sf.knn_edges(pts, k=5)
    assert edges.shape == (500, 2) and (edges[:, 0] != edges[:, 1]).all()
    assert sf.laplacian_penalty(torch.tensor([0.3, -1.0, 2.0]).expand(100, 3), edges).item() == 0.0
    flow = torch.randn(100, 3, generator=g)
    by_hand = sum(((flow[i] - flow[j]) ** 2).sum() for i, j in edges.tolist()) / len(edges)
    torch.testing.assert_close(sf.laplacian_penalty(flow, edges), by_hand)


def test_metrics_of_the_true_flow_and_by_hand():
    gt = torch.tensor([[1.0, 0, 0], [0, 2, 0], [0, 0, 0.5]])
    assert sf.flow_metrics(gt, gt) == {"epe": 0.0, "acc5": 1.0, "acc10": 1.0}
    # errors 0.08 (relative 8 %), 0.3 (15 %), 0.04 (8 %): Acc5 counts only the 0.04 m one.
    pred = gt + torch.tensor([[0.08, 0, 0], [0, 0.3, 0], [0, 0, 0.04]])
    m = sf.flow_metrics(pred, gt)
    assert abs(m["epe"] - 0.14) < 1e-6 and abs(m["acc5"] - 1 / 3) < 1e-6 and abs(m["acc10"] - 2 / 3) < 1e-6


def test_the_scene_flow_is_rigid_per_box_and_carries_p1_onto_p2s_surfaces():
    s = sf.make_scene(np.random.default_rng(0), n_points=8192, n_query=256, noise=0.0)
    assert s["pc1"].shape == s["pc2"].shape == s["flow"].shape == (8192, 3)
    assert s["query"].shape == s["query_flow"].shape == (256, 3)
    # Every warped point lies on a moved surface, which a dense P₂ samples: the true flow has a
    # far smaller Chamfer distance than no flow (independent sampling keeps it above zero).
    warped = s["pc1"] + s["flow"]
    assert sf.chamfer(warped, s["pc2"]) < 0.1 * sf.chamfer(s["pc1"], s["pc2"])
    # The ego-motion moves every point: no flow vector is near zero, magnitudes as in KITTI.
    norms = s["flow"].norm(dim=1)
    assert norms.min() > 0.3 and 0.8 < norms.mean() < 2.5
    # The ground is removed: no point below z = 0.
    assert s["pc1"][:, 2].min() >= -1e-5


def test_the_prior_is_the_official_architecture():
    model = sf.neural_prior(width=128, layers=8)
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    assert len(linears) == 9
    assert (linears[0].in_features, linears[-1].out_features) == (3, 3)
    assert model(torch.zeros(5, 3)).shape == (5, 3)

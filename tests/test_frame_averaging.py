import numpy as np
import pytest
import torch

from reglab.topics import frame_averaging as fa


def systems(b=32, dtype=torch.float32, seed=0):
    """Random inputs (b, 5, 7): positions, velocities, charges ±1."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(b, 5, 7, generator=g, dtype=dtype)
    x[..., 6] = torch.sign(x[..., 6])
    return x


def test_random_orthogonal_is_haar_on_o3():
    """QᵀQ = I; rotations and reflections come in about equal shares; E[Q] = 0."""
    q = fa.random_orthogonal(4000, torch.Generator().manual_seed(0), torch.float64)
    torch.testing.assert_close(q.transpose(1, 2) @ q, torch.eye(3, dtype=q.dtype).expand_as(q), atol=1e-12, rtol=0)
    det = torch.linalg.det(q)
    torch.testing.assert_close(det.abs(), torch.ones_like(det), atol=1e-12, rtol=0)
    assert 0.45 < (det > 0).double().mean() < 0.55
    assert q.mean(0).abs().max() < 0.05


def test_pca_frame_is_equivariant():
    """F(g·X) = g F(X) as sets: the centroid moves with g, and Q R_s is one of the 8 new frames."""
    x = systems(16, torch.float64)[..., :3]
    g = torch.Generator().manual_seed(1)
    rot = fa.random_orthogonal(16, g, torch.float64)
    shift = torch.randn(16, 1, 3, generator=g, dtype=torch.float64)
    c, frames = fa.pca_frame(x)
    c2, frames2 = fa.pca_frame(fa.act(x, rot, shift))
    torch.testing.assert_close(c2, c @ rot.transpose(1, 2) + shift)
    moved = rot[:, None] @ frames  # (B, 8, 3, 3)
    dist = (moved[:, :, None] - frames2[:, None, :]).flatten(3).norm(dim=-1)  # (B, 8, 8)
    assert dist.min(-1).values.max() < 1e-8  # every moved frame is in the new set...
    assert (dist.argmin(-1).sort(-1).values == torch.arange(8)).all()  # ...and they match one to one
    eye = torch.eye(3, dtype=x.dtype).expand_as(frames)
    torch.testing.assert_close(frames.transpose(-1, -2) @ frames, eye)


def test_frame_averaged_mlp_is_equivariant_and_its_backbone_is_not():
    torch.manual_seed(0)
    backbone = fa.ParticleMLP(width=64)
    model = fa.FrameAveraged(backbone)
    x = systems()
    g = torch.Generator().manual_seed(2)
    assert fa.equivariance_error(model, x, g) < 1e-5
    assert fa.equivariance_error(backbone, x, g) > 1e-2
    model64, x64 = fa.FrameAveraged(fa.ParticleMLP(width=64).double()), x.double()
    assert fa.equivariance_error(model64, x64, g) < 1e-12  # exact up to float64 rounding


def test_invariant_frame_average_is_invariant():
    torch.manual_seed(0)
    backbone = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(35, 16), torch.nn.Tanh(), torch.nn.Linear(16, 2))
    x, g = systems(), torch.Generator().manual_seed(3)
    assert fa.equivariance_error(fa.FrameAveraged(backbone, invariant=True), x, g, invariant=True) < 1e-5
    assert fa.equivariance_error(backbone, x, g, invariant=True) > 1e-2


def test_wrapper_matches_the_sum_over_the_frame_written_out():
    """⟨Φ⟩(X) = 1/8 Σ_s [R_s Φ(R_sᵀ(X − x̄)) + x̄], with column vectors, one frame at a time."""
    torch.manual_seed(0)
    backbone = fa.ParticleMLP(width=32).double()
    x = systems(4, torch.float64)
    c, frames = fa.pca_frame(x[..., :3])
    expected = torch.zeros(4, 5, 3, dtype=torch.float64)
    for b in range(4):
        for r in frames[b]:
            pos = (r.T @ (x[b, :, :3] - c[b]).T).T
            vel = (r.T @ x[b, :, 3:6].T).T
            out = backbone(torch.cat([pos, vel, x[b, :, 6:]], -1)[None])[0]
            expected[b] += ((r @ out.T).T + c[b]) / 8
    torch.testing.assert_close(fa.FrameAveraged(backbone)(x), expected)


def test_frame_averaging_an_equivariant_model_changes_nothing():
    """g·Φ(g⁻¹·X) = Φ(X) for every g when Φ is equivariant, so the average is Φ itself."""
    x = systems(8, torch.float64)
    linear = fa.LinearDynamics(0.7)
    torch.testing.assert_close(fa.FrameAveraged(linear)(x), linear(x))


def test_coulomb_force_hand_computed():
    """Two like charges 2 apart on the x axis repel with |F| = 1/2² = 0.25; unlike ones attract."""
    x = np.array([[[0.0, 0, 0], [2.0, 0, 0]]])
    f = fa.coulomb_forces(x, np.array([[1.0, 1.0]]))
    np.testing.assert_allclose(f[0], [[-0.25, 0, 0], [0.25, 0, 0]])
    f = fa.coulomb_forces(x, np.array([[1.0, -1.0]]))
    np.testing.assert_allclose(f[0], [[0.25, 0, 0], [-0.25, 0, 0]])
    # components are clipped at ±max_force for close encounters
    close = fa.coulomb_forces(np.array([[[0.0, 0, 0], [0.01, 0, 0]]]), np.array([[1.0, 1.0]]))
    np.testing.assert_allclose(close[0, :, 0], [-100.0, 100.0])


def test_leapfrog_conserves_momentum():
    """Pair forces are equal and opposite, so Σᵢ vᵢ stays where it started (unclipped)."""
    x, v, q = fa.initial_state(64, np.random.default_rng(0))
    (x1, v1), (x2, v2) = fa.leapfrog(x, v, q, save_at=(100, 500), max_force=np.inf)
    for vel in (v1, v2):
        np.testing.assert_allclose(vel.sum(1), v.sum(1), atol=1e-10)
    assert np.abs(v2 - v).max() > 1e-2  # the particles did interact


def test_free_particles_drift_in_straight_lines():
    x, v, _ = fa.initial_state(8, np.random.default_rng(1))
    ((x1, v1),) = fa.leapfrog(x, v, np.zeros((8, 5)), save_at=(250,))
    np.testing.assert_allclose(x1, x + 250 * 1e-3 * v, atol=1e-12)
    np.testing.assert_allclose(v1, v)


def test_leapfrog_restarts_from_a_saved_state():
    """A saved (x, v) is a valid initial state: 30 + 20 steps in two calls equal 50 in one, bit
    for bit. So the benchmark's target is the input run on for `horizon` more steps."""
    x, v, q = fa.initial_state(16, np.random.default_rng(2))
    (xa, va), (xb, _) = fa.leapfrog(x, v, q, save_at=(30, 50))
    ((xc, _),) = fa.leapfrog(xa, va, q, save_at=(20,))
    np.testing.assert_array_equal(xb, xc)


def test_nbody_is_seeded_cached_and_laid_out(tmp_path, monkeypatch):
    monkeypatch.setenv("REGLAB_CACHE", str(tmp_path))
    a = fa.nbody(6, seed=3, split="train", start=40, horizon=20)
    assert a.x.shape == (6, 5, 7) and a.y.shape == (6, 5, 3)
    assert set(a.x[..., 6].unique().tolist()) <= {-1.0, 1.0}
    torch.testing.assert_close(a.x[..., 3:6].norm(dim=-1).mean(), torch.tensor(0.5), atol=0.05, rtol=0)
    assert list(tmp_path.glob("nbody_*.npz"))
    again = fa.nbody(6, seed=3, split="train", start=40, horizon=20)  # from the cache
    assert torch.equal(a.x, again.x) and torch.equal(a.y, again.y)
    for other in (fa.nbody(6, seed=4, split="train", start=40, horizon=20),
                  fa.nbody(6, seed=3, split="test", start=40, horizon=20)):
        assert not torch.equal(a.x, other.x)


@pytest.mark.parametrize("alpha", [0.3, 0.9])
def test_linear_baseline_recovers_alpha(alpha):
    x = systems(50, torch.float64).float()
    y = x[..., :3] + alpha * x[..., 3:6]
    from reglab.data import TensorSet
    assert fa.LinearDynamics.fit(TensorSet(x, y)).alpha == pytest.approx(alpha, rel=1e-6)

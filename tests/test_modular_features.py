"""The Li₂ quadratic network, the c·ln M / M boundary and the Fourier measure of its features."""
import math

import pytest
import torch

from reglab import data
from reglab.topics import modular_features as mf


def fourier_rows(M: int, K: int, seed: int = 0, shared: bool = True):
    """K rows cos(2π k_j a / M + φ_j) with random amplitude, frequency and phase per unit: a
    layer made only of Fourier modes. With `shared`, B's rows use A's frequencies."""
    g = torch.Generator().manual_seed(seed)
    a = torch.arange(M, dtype=torch.float64)
    k = torch.randint(1, M // 2 + 1, (K, 1), generator=g)
    amp = 0.1 + torch.rand(K, 1, generator=g, dtype=torch.float64)

    def rows(freq):
        phase = 2 * math.pi * torch.rand(K, 1, generator=g, dtype=torch.float64)
        return amp * torch.cos(2 * math.pi * freq * a / M + phase)

    return rows(k), rows(k if shared else torch.randint(1, M // 2 + 1, (K, 1), generator=g))


@pytest.mark.parametrize("M", [23, 24, 47])
def test_a_pure_fourier_layer_scores_one_even_with_a_constant_offset(M):
    A, B = fourier_rows(M, 64)
    assert mf.fourier_concentration(A, B) == pytest.approx(1.0, abs=1e-9)
    assert mf.fourier_concentration(A + 3.0, B - 1.0) == pytest.approx(1.0, abs=1e-9)  # frequency 0 is left out


def test_a_and_b_on_different_frequencies_do_not_count_as_one_feature():
    A, B = fourier_rows(47, 512, shared=False)
    assert mf.fourier_concentration(A, B) < 0.9


@pytest.mark.parametrize("M, bound", [(23, 0.35), (47, 0.2)])
def test_random_weights_score_low(M, bound):
    g = torch.Generator().manual_seed(1)
    A, B = torch.randn(512, M, generator=g), torch.randn(512, M, generator=g)
    assert 1 / (M // 2) < mf.fourier_concentration(A, B) < bound


def test_the_spectrum_is_parseval_for_odd_and_even_M():
    g = torch.Generator().manual_seed(2)
    for M in (23, 24):
        w = torch.randn(5, M, generator=g, dtype=torch.float64)
        centred = w - w.mean(1, keepdim=True)
        P = mf.fourier_spectrum(w)
        assert P.shape == (5, M // 2)
        torch.testing.assert_close(P.sum(1).double(), (centred ** 2).sum(1), rtol=1e-5, atol=1e-6)


def test_a_single_mode_lands_on_its_frequency():
    M, k = 23, 5
    a = torch.arange(M, dtype=torch.float64)
    P = mf.fourier_spectrum(torch.sin(2 * math.pi * k * a / M)[None])
    assert P.argmax().item() == k - 1 and P[0, k - 1] / P.sum() == pytest.approx(1.0)


def test_critical_fraction_is_c_ln_m_over_m_and_clipped():
    assert mf.critical_fraction(23) == pytest.approx(2.7482 * math.log(23) / 23)
    assert mf.critical_fraction(23) == pytest.approx(0.3746, abs=1e-4)
    assert mf.critical_fraction(47, 2.0) == pytest.approx(0.4502, abs=1e-4)
    assert mf.critical_fraction(11, 2.0) == 1.0  # more than all pairs: every pair trains
    assert mf.critical_fraction(47, 0.0) == 0.0
    # the boundary falls with M, so the same multiple needs a smaller share of a larger group
    assert mf.critical_fraction(127) < mf.critical_fraction(47) < mf.critical_fraction(23)
    with pytest.raises(ValueError):
        mf.critical_fraction(1)


def test_the_split_holds_round_fraction_times_m_squared_pairs():
    M = 23
    f = mf.critical_fraction(M, 2.0)
    train_set, test_set = data.modular_arithmetic(M, f, seed=0)
    assert len(train_set) == round(f * M * M) and len(train_set) + len(test_set) == M * M


def test_the_network_is_c_times_the_square_of_a_ea_plus_b_eb():
    torch.manual_seed(0)
    M, K = 7, 5
    model = mf.QuadraticPairNet(M, K).double()
    x = torch.tensor([[0, 3], [6, 6], [2, 5]])
    eye = torch.eye(M, dtype=torch.float64)
    h = eye[x[:, 0]] @ model.A.weight.T + eye[x[:, 1]] @ model.B.weight.T  # one-hot matmuls
    torch.testing.assert_close(model(x), (h ** 2) @ model.C.weight.T)
    assert all(m.bias is None for m in (model.A, model.B, model.C))

import builtins

import pytest
import torch

from reglab import data


def test_symmetric_noise_resamples_the_requested_fraction_reproducibly():
    y = torch.arange(10).repeat(500)  # 5000 labels, 10 classes
    noisy = data.symmetric_label_noise(y, 0.4, num_classes=10, seed=3)
    assert torch.equal(noisy, data.symmetric_label_noise(y, 0.4, num_classes=10, seed=3))
    assert not torch.equal(noisy, data.symmetric_label_noise(y, 0.4, num_classes=10, seed=4))
    # 2000 labels are redrawn from all 10 classes, so about 0.4 * 9/10 = 36% end up wrong.
    wrong = (noisy != y).float().mean().item()
    assert abs(wrong - 0.36) < 0.02
    assert torch.equal(data.symmetric_label_noise(y, 0.0, 10, seed=0), y)


def test_noise_rate_outside_unit_interval_is_a_clear_error():
    with pytest.raises(data.DatasetError, match="must be in \\[0, 1\\]"):
        data.symmetric_label_noise(torch.zeros(5, dtype=torch.long), 1.5, 10, seed=0)


def test_digits_split_is_fixed_and_scaled():
    train_set, test_set = data.digits()
    assert (len(train_set), len(test_set)) == (1257, 540)
    assert train_set.x.shape == (1257, 64) and 0 <= train_set.x.min() and train_set.x.max() <= 1
    assert torch.equal(data.digits()[0].y, train_set.y)


def test_mnist1d_is_generated_offline_and_cached(tmp_path, monkeypatch):
    monkeypatch.setenv("REGLAB_CACHE", str(tmp_path))
    train_set, test_set = data.mnist1d(num_samples=200)
    assert train_set.x.shape == (160, 40) and len(test_set) == 40
    assert (tmp_path / "mnist1d_200.npz").exists()
    torch.testing.assert_close(data.mnist1d(num_samples=200)[0].x, train_set.x)


def test_modular_arithmetic_labels_and_split():
    train_set, test_set = data.modular_arithmetic(p=7, train_fraction=0.4, seed=0)
    assert len(train_set) + len(test_set) == 49 and len(train_set) == 20
    assert torch.equal(train_set.y, train_set.x.sum(1) % 7)
    pairs = {tuple(r) for r in torch.cat([train_set.x, test_set.x]).tolist()}
    assert len(pairs) == 49  # every pair exactly once


def test_unknown_dataset_is_a_one_line_error_listing_the_choices():
    with pytest.raises(data.DatasetError) as e:
        data.load("imagenet")
    msg = str(e.value)
    assert "\n" not in msg and "imagenet" in msg and "digits" in msg and "mnist1d" in msg


def test_paper_datasets_fail_clearly_without_torchvision(monkeypatch):
    real_import = builtins.__import__

    def no_torchvision(name, *args, **kwargs):
        if name.startswith("torchvision"):
            raise ImportError("no torchvision here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_torchvision)
    for name, offline in [("cifar10", "digits"), ("mnist", "mnist1d")]:
        with pytest.raises(data.DatasetError) as e:
            data.load(name)
        msg = str(e.value)
        assert "\n" not in msg and "torchvision" in msg and repr(offline) in msg


def test_paper_datasets_fail_clearly_when_the_download_fails(monkeypatch, tmp_path):
    import sys
    import types

    def refuse(*args, **kwargs):
        raise OSError("network is unreachable")

    fake = types.ModuleType("torchvision")
    fake.datasets = types.SimpleNamespace(CIFAR10=refuse, MNIST=refuse)
    monkeypatch.setitem(sys.modules, "torchvision", fake)
    monkeypatch.setitem(sys.modules, "torchvision.datasets", fake.datasets)
    monkeypatch.setenv("REGLAB_CACHE", str(tmp_path))
    with pytest.raises(data.DatasetError, match="could not download CIFAR10.*use the offline dataset 'digits'"):
        data.load("cifar10")


def test_batches_cover_every_example_once_with_their_positions():
    ds = data.TensorSet(torch.arange(10.0)[:, None], torch.arange(10))
    torch.manual_seed(0)
    seen = torch.cat([idx for _, _, idx in data.batches(ds, 4)])
    assert sorted(seen.tolist()) == list(range(10))
    for x, y, idx in data.batches(ds, 4):
        assert torch.equal(y, idx) and torch.equal(x[:, 0], idx.float())


def test_random_crop_flip_keeps_shape_and_content_without_padding():
    x = torch.randn(6, 3, 8, 8)
    out = data.random_crop_flip(x, pad=0)  # only flips: each image is itself or its mirror
    assert out.shape == x.shape
    for a, b in zip(out, x):
        assert torch.equal(a, b) or torch.equal(a, b.flip(2))


def test_random_crop_flip_takes_a_window_of_the_padded_image():
    torch.manual_seed(0)
    x = torch.arange(2 * 1 * 4 * 4, dtype=torch.float32).reshape(2, 1, 4, 4) + 1  # no zeros inside
    out = data.random_crop_flip(x, pad=2)
    padded = torch.nn.functional.pad(x, (2, 2, 2, 2))
    for a, p in zip(out, padded):
        windows = [w for img in (p, p.flip(2)) for i in range(5) for j in range(5)
                   for w in [img[:, i:i + 4, j:j + 4]]]
        assert any(torch.equal(a, w) for w in windows)

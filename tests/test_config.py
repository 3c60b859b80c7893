import dataclasses

import pytest

from reglab import config


@dataclasses.dataclass(frozen=True)
class Cfg:
    width: int = 512
    epochs: int = 150
    seed: int = 0
    scale: str = "paper"


PRESETS = {"smoke": dict(width=8, epochs=1), "book": dict(epochs=10), "paper": dict()}


def test_env_variable_overrides_the_papermill_parameter(monkeypatch):
    monkeypatch.delenv("REGLAB_SCALE", raising=False)
    assert config.resolve_scale("book") == "book"
    monkeypatch.setenv("REGLAB_SCALE", "smoke")
    assert config.resolve_scale("book") == "smoke"


@pytest.mark.parametrize("where", ["parameter", "env"])
def test_unknown_scale_is_a_one_line_error_listing_valid_ones(monkeypatch, where):
    monkeypatch.delenv("REGLAB_SCALE", raising=False)
    if where == "env":
        monkeypatch.setenv("REGLAB_SCALE", "huge")
    with pytest.raises(config.ConfigError) as e:
        config.resolve_scale("huge" if where == "parameter" else "book")
    msg = str(e.value)
    assert "\n" not in msg and "'huge'" in msg and "smoke, book, paper" in msg


def test_at_scale_changes_sizes_and_records_the_scale():
    cfg = config.at_scale(Cfg(), PRESETS, "smoke")
    assert (cfg.width, cfg.epochs, cfg.scale) == (8, 1, "smoke")
    assert config.at_scale(Cfg(), PRESETS, "paper") == Cfg()


def test_malformed_preset_names_the_bad_field_and_the_valid_ones():
    with pytest.raises(config.ConfigError, match="Cfg has no field\\(s\\) widht: valid fields are epochs, scale, seed, width"):
        config.at_scale(Cfg(), {**PRESETS, "book": dict(widht=3)}, "book")


def test_presets_missing_a_scale_is_a_clear_error():
    with pytest.raises(config.ConfigError, match="no entry for scale\\(s\\) paper"):
        config.at_scale(Cfg(), {"smoke": {}, "book": {}}, "book")


def test_grid_is_the_product_of_the_axes_and_ids_are_stable():
    cfgs = config.grid(Cfg(), width=[1, 2], seed=range(3))
    assert len(cfgs) == 6 and cfgs[-1] == Cfg(width=2, seed=2)
    assert config.config_id(cfgs[0]) == config.config_id(Cfg(width=1, seed=0))
    assert len({config.config_id(c) for c in cfgs}) == 6


def test_seed_offset_shifts_every_seed_and_only_seeds(monkeypatch):
    presets = {s: (dict(width=2), dict(seed=[0, 1], width=[7])) for s in ("smoke", "book", "paper")}
    base, cfgs = config.at_scale(Cfg(), presets, "book")
    assert base.seed == 0 and [c.seed for c in cfgs] == [0, 1]
    monkeypatch.setenv("REGLAB_SEED_OFFSET", "1000")
    base, cfgs = config.at_scale(Cfg(), presets, "book")
    assert base.seed == 1000 and [c.seed for c in cfgs] == [1000, 1001]
    assert [c.width for c in cfgs] == [7, 7]
    assert [c.seed for c in config.grid(Cfg(), seed=[3])] == [1003]


@pytest.mark.parametrize("bad", ["-1", "abc", "1.5"])
def test_a_bad_seed_offset_is_a_one_line_error(monkeypatch, bad):
    monkeypatch.setenv("REGLAB_SEED_OFFSET", bad)
    with pytest.raises(config.ConfigError, match="is not a non-negative integer") as err:
        config.seed_offset()
    assert "\n" not in str(err.value)


def test_a_preset_with_overrides_and_a_list_of_grids():
    presets = {s: (dict(width=2), [dict(seed=[0]), dict(width=[5], seed=[0, 1])]) for s in ("smoke", "book", "paper")}
    base, cfgs = config.at_scale(Cfg(), presets, "smoke")
    assert base.width == 2 and base.scale == "smoke"
    assert [(c.width, c.seed) for c in cfgs] == [(2, 0), (5, 0), (5, 1)]


def test_a_malformed_preset_is_a_one_line_error():
    presets = {s: (dict(),) for s in ("smoke", "book", "paper")}
    with pytest.raises(config.ConfigError, match="must be a pair"):
        config.at_scale(Cfg(), presets, "book")

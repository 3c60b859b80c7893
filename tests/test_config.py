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

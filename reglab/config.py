"""Scales and experiment configs: frozen dataclasses, one table of presets, one seed knob.

A chapter defines `Cfg` (defaults = the paper's settings) and `PRESETS`: per scale, a pair
(overrides of `Cfg`, the grid of runs to sweep), so one line says what a scale runs:

    PRESETS = {"smoke": (dict(epochs=3), dict(lam=[0, 3], seed=[0])), ...}
    base, cfgs = config.at_scale(Cfg(), PRESETS, SCALE)

Scale changes sizes, never the algorithm: no function anywhere asks `if scale == ...`.

Seeds: $REGLAB_SEED_OFFSET = N (default 0) shifts every `seed` a config carries by N, so a
chapter's seed lists stay readable (`[0, 1, 2]`) and a reader can rerun it on seeds nobody
chose. Every random draw of a run must come from `cfg.seed` (tested per chapter).
"""
from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import os

SCALES = ("smoke", "book", "paper")
SCALE_ENV = "REGLAB_SCALE"
SEED_OFFSET_ENV = "REGLAB_SEED_OFFSET"


class ConfigError(ValueError):
    """A bad scale, preset or config field. The message is one line saying what to do."""


def check_scale(scale: str) -> str:
    if scale not in SCALES:
        raise ConfigError(f"unknown scale {scale!r}: use one of {', '.join(SCALES)} "
                          f"(set by the notebook's `scale` parameter or ${SCALE_ENV})")
    return scale


def resolve_scale(parameter: str = "book") -> str:
    """The scale a notebook runs at: $REGLAB_SCALE if set, else the papermill parameter."""
    return check_scale(os.environ.get(SCALE_ENV) or parameter)


def seed_offset() -> int:
    """$REGLAB_SEED_OFFSET: a non-negative integer added to every seed (default 0)."""
    text = os.environ.get(SEED_OFFSET_ENV, "0").strip() or "0"
    if not text.isdigit():
        raise ConfigError(f"{SEED_OFFSET_ENV}={text!r} is not a non-negative integer: "
                          f"unset it or set it to e.g. 1000")
    return int(text)


def _shift_seed(cfg):
    has_seed = any(f.name == "seed" for f in dataclasses.fields(cfg))
    return dataclasses.replace(cfg, seed=cfg.seed + seed_offset()) if has_seed else cfg


def at_scale(cfg, presets: dict, scale: str):
    """The runs of a scale: `(base, cfgs)` for a preset `(overrides, grid)`, where `base` is
    `cfg` with the overrides and `scale` applied and `cfgs` is `grid(base, **grid)` (a list of
    grids is their concatenation, in order). A preset that is a plain dict of overrides
    gives `base` alone. Seeds are shifted by $REGLAB_SEED_OFFSET."""
    check_scale(scale)
    missing = [s for s in SCALES if s not in presets]
    if missing:
        raise ConfigError(f"PRESETS has no entry for scale(s) {', '.join(missing)}: "
                          f"add one (overrides, grid) pair per scale")
    entry = presets[scale]
    if isinstance(entry, dict):
        return _shift_seed(replace(cfg, **entry, scale=scale))
    if not (isinstance(entry, tuple) and len(entry) == 2):
        raise ConfigError(f"PRESETS[{scale!r}] must be a pair (overrides, grid), "
                          f"e.g. (dict(epochs=3), dict(seed=[0]))")
    overrides, grids = entry
    base = _shift_seed(replace(cfg, **overrides, scale=scale))
    grids = [grids] if isinstance(grids, dict) else list(grids)
    return base, [c for g in grids for c in grid(base, **g)]


def replace(cfg, **changes):
    """dataclasses.replace with a one-line error naming the bad field."""
    fields = {f.name for f in dataclasses.fields(cfg)}
    unknown = sorted(set(changes) - fields)
    if unknown:
        raise ConfigError(f"{type(cfg).__name__} has no field(s) {', '.join(unknown)}: "
                          f"valid fields are {', '.join(sorted(fields))}")
    return dataclasses.replace(cfg, **changes)


def grid(base, **axes) -> list:
    """Every combination of the given field values, e.g. grid(cfg, lam=[0, 3], seed=range(3)).
    The values of `seed` are shifted by $REGLAB_SEED_OFFSET."""
    if "seed" in axes:
        axes = {**axes, "seed": [s + seed_offset() for s in axes["seed"]]}
    names = list(axes)
    return [replace(base, **dict(zip(names, values)))
            for values in itertools.product(*(list(axes[n]) for n in names))]


def config_id(cfg) -> str:
    """Short stable hash of a config: the file name of its record."""
    text = json.dumps(dataclasses.asdict(cfg), sort_keys=True, default=str)
    return hashlib.sha1(text.encode()).hexdigest()[:10]

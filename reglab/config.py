"""Scales and experiment configs: frozen dataclasses plus dicts of overrides.

A chapter defines `Cfg` (defaults = the paper's settings) and `PRESETS`
(one dict of size overrides per scale). Scale changes sizes, never the algorithm:
no function anywhere asks `if scale == ...`.
"""
from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import os

SCALES = ("smoke", "book", "paper")
SCALE_ENV = "REGLAB_SCALE"


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


def at_scale(cfg, presets: dict, scale: str):
    """`cfg` with the overrides of `presets[scale]` applied and `scale` recorded."""
    check_scale(scale)
    missing = [s for s in SCALES if s not in presets]
    if missing:
        raise ConfigError(f"PRESETS has no entry for scale(s) {', '.join(missing)}: "
                          f"add one dict per scale, even an empty one")
    return replace(cfg, **presets[scale], scale=scale)


def replace(cfg, **changes):
    """dataclasses.replace with a one-line error naming the bad field."""
    fields = {f.name for f in dataclasses.fields(cfg)}
    unknown = sorted(set(changes) - fields)
    if unknown:
        raise ConfigError(f"{type(cfg).__name__} has no field(s) {', '.join(unknown)}: "
                          f"valid fields are {', '.join(sorted(fields))}")
    return dataclasses.replace(cfg, **changes)


def grid(base, **axes) -> list:
    """Every combination of the given field values, e.g. grid(cfg, lam=[0, 3], seed=range(3))."""
    names = list(axes)
    return [replace(base, **dict(zip(names, values)))
            for values in itertools.product(*(list(axes[n]) for n in names))]


def config_id(cfg) -> str:
    """Short stable hash of a config: the file name of its record."""
    text = json.dumps(dataclasses.asdict(cfg), sort_keys=True, default=str)
    return hashlib.sha1(text.encode()).hexdigest()[:10]

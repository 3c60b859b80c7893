"""A paper's claim, our measurement of it, and a falsifiable check with its tolerance.

A chapter builds a list of `Claim`s from its records and ends with `check(claims, scale)`:
a table paper-vs-ours with verdicts. At the scales in `CHECKED_AT` a claim that fails
raises `ClaimFailed`, which fails the notebook and so the book build.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

CHECKED_AT = ("book", "paper")  # `smoke` only proves the code runs: too small for any claim


class ClaimFailed(AssertionError):
    """At least one claim did not hold at a scale where it must."""


@dataclass(frozen=True)
class Claim:
    statement: str             # the paper's claim, in one sentence
    where: str                 # where the paper prints its number, e.g. "Table 1"
    paper: str                 # the paper's number, as printed
    metric: str                # what we measure, e.g. "ELR − CE test accuracy (points)"
    ours: float                # our number (mean over seeds)
    low: float = -math.inf     # the check: low ≤ ours ≤ high
    high: float = math.inf
    spread: str = ""           # e.g. "± 0.8 (3 seeds)"

    @property
    def holds(self) -> bool:
        return self.low <= self.ours <= self.high

    @property
    def check(self) -> str:
        if math.isinf(self.high):
            return f"≥ {self.low:g}"
        if math.isinf(self.low):
            return f"≤ {self.high:g}"
        return f"in [{self.low:g}, {self.high:g}]"


def verdict(claim: Claim, scale: str) -> str:
    if scale not in CHECKED_AT:
        return "not checked at this scale"
    return "reproduced" if claim.holds else "NOT reproduced"


def table(claims: list[Claim], scale: str) -> pd.DataFrame:
    """Paper vs ours, one row per claim."""
    return pd.DataFrame([{
        "claim": c.statement,
        "paper": f"{c.paper} ({c.where})",
        "we measure": c.metric,
        "ours": f"{c.ours:.3g} {c.spread}".strip(),
        "check": c.check,
        "verdict": verdict(c, scale),
    } for c in claims])


def check(claims: list[Claim], scale: str):
    """The verdict table, as a styled HTML table (no truncated cells, no index);
    raises ClaimFailed if a claim fails at a checked scale."""
    failed = [c for c in claims if not c.holds]
    if scale in CHECKED_AT and failed:
        raise ClaimFailed(f"{len(failed)} claim(s) not reproduced at {scale!r} scale: " + "; ".join(
            f"{c.metric} = {c.ours:.4g}, needs {c.check}" for c in failed))
    return table(claims, scale).style.hide(axis="index").set_properties(
        subset=["claim"], **{"font-weight": "bold"})

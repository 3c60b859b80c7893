"""A paper's claim, our measurement of it, and a falsifiable check with its tolerance.

A chapter declares its `Claim`s up front (statement, the paper's number and where it is
printed, what we measure, the bounds), measures them, and ends with
`check(claims, measured, scale)`: a table paper-vs-ours with verdicts. At the scales in
`CHECKED_AT` a claim that fails raises `ClaimFailed`, which fails the notebook and so the
book build.
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
    key: str                   # short name, the key of its measurement
    statement: str             # the paper's claim, in one sentence
    where: str                 # where the paper prints its number, e.g. "Table 1"
    paper: str                 # the paper's number, as printed
    metric: str                # what we measure, e.g. "ELR − CE test accuracy (points)"
    low: float = -math.inf     # the check: low ≤ ours ≤ high
    high: float = math.inf

    def holds(self, ours: float) -> bool:
        return self.low <= ours <= self.high

    @property
    def check(self) -> str:
        if math.isinf(self.high):
            return f"≥ {self.low:g}"
        if math.isinf(self.low):
            return f"≤ {self.high:g}"
        return f"in [{self.low:g}, {self.high:g}]"


def verdict(holds: bool, scale: str) -> str:
    if scale not in CHECKED_AT:
        return "not checked at this scale"
    return "reproduced" if holds else "NOT reproduced"


def rows(claims: list[Claim], measured: dict, scale: str) -> list[dict]:
    """One dict per claim: the paper's side, ours, the check and the verdict.

    `measured[key]` is our number, or a pair (number, spread text such as "± 0.8 (3 seeds)").
    """
    missing = [c.key for c in claims if c.key not in measured]
    if missing:
        raise KeyError(f"no measurement for claim(s) {', '.join(missing)}: add them to `measured`")
    out = []
    for c in claims:
        ours, spread = measured[c.key] if isinstance(measured[c.key], tuple) else (measured[c.key], "")
        out.append({"key": c.key, "claim": c.statement, "paper": f"{c.paper} ({c.where})",
                    "we measure": c.metric, "ours": float(ours), "spread": spread,
                    "check": c.check, "holds": c.holds(ours), "verdict": verdict(c.holds(ours), scale)})
    return out


def check(claims: list[Claim], measured: dict, scale: str):
    """The verdict table as a styled HTML table (no truncated cells, no index);
    raises ClaimFailed if a claim fails at a checked scale."""
    table = rows(claims, measured, scale)
    failed = [r for r in table if not r["holds"]]
    if scale in CHECKED_AT and failed:
        raise ClaimFailed(f"{len(failed)} claim(s) not reproduced at {scale!r} scale: " + "; ".join(
            f"{r['we measure']} = {r['ours']:.4g}, needs {r['check']}" for r in failed))
    df = pd.DataFrame(table)
    df["ours"] = [f"{r['ours']:.3g} {r['spread']}".strip() for r in table]
    df = df.drop(columns=["key", "spread", "holds"])
    return (df.style.hide(axis="index").set_table_attributes('class="dataframe claims"')
            .set_properties(subset=["claim"], **{"font-weight": "bold"}))


def overall(table: list[dict], scale: str) -> str:
    """A chapter's verdict from its claim rows: reproduced, partly, or not reproduced."""
    if scale not in CHECKED_AT:
        return "not checked at this scale"
    held = sum(r["holds"] for r in table)
    return "reproduced" if held == len(table) else ("partly reproduced" if held else "not reproduced")

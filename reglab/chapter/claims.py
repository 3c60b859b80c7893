"""A paper's claim, our measurement of it, and a falsifiable check with its tolerance.

A chapter declares its `Claim`s before the experiment (the "What we check" table: the paper's
number and where it is printed, what we measure, the bounds), measures them, and ends with
`check(summary)`: the table paper-vs-ours with verdicts. At the scales in `CHECKED_AT` a claim
that fails raises `ClaimFailed`, which fails the notebook and so the book build.

A claim that does not reproduce at this scale, as a measured finding, says so up front with
`expected="not reproduced"` and `why=...`: it is measured and shown as such, and the build
fails if it *does* hold (then the chapter's statement is wrong and must be revisited).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

CHECKED_AT = ("book", "paper")  # `smoke` only proves the code runs: too small for any claim
EXPECTATIONS = ("reproduced", "not reproduced")
CAPTION = ("Each check was fixed from a pilot run before the chapter was written, not tuned on its "
           "results; at book and paper scale a failing check fails the build. Spreads are sample "
           "standard deviations.")


# A claim's `where` is a place a reader can open the paper at (or the authors' own code), an
# explicitly qualitative abstract sentence, or a check of ours that the paper does not make.
PLACE = re.compile(r"\b(Tables?|Figs?\.|Figures?|Eqs?\.|Equations?|Thms?|Theorems?|Secs?\.|Sections?|Prop\.|"
                   r"Proposition|Lemma|Cor\.|Corollary|App\.|Appendix|Alg\.|Algorithm)\s*\(?[A-Z]?\d|§\s*\d"
                   r"|\bofficial\b", re.IGNORECASE)
OURS = ("this chapter's check", "control")
KINDS = ("quantitative", "qualitative", "ours")


class ClaimFailed(AssertionError):
    """At least one claim did not hold at a scale where it must (or held where it must not)."""


@dataclass(frozen=True)
class Claim:
    key: str                   # short name, the key of its measurement
    statement: str             # the paper's claim, in one sentence
    where: str                 # where the paper prints its number: a table, figure, equation, section
    paper: str                 # the paper's number, as printed
    metric: str                # what we measure, e.g. "ELR − CE test accuracy (points)"
    low: float = -math.inf     # the check: low ≤ ours ≤ high
    high: float = math.inf
    expected: str = "reproduced"   # or "not reproduced": a measured negative result at this scale
    why: str = ""              # with expected="not reproduced": why it does not reproduce here

    def __post_init__(self):
        if self.expected not in EXPECTATIONS:
            raise ValueError(f"claim {self.key!r}: expected must be one of {EXPECTATIONS}, got {self.expected!r}")
        if self.expected == "not reproduced" and not self.why:
            raise ValueError(f"claim {self.key!r} is expected not to reproduce: say why (why=...)")
        if self.kind is None:
            raise ValueError(f"claim {self.key!r}: `where` must name a place in the paper (a table, figure, "
                             f"equation, theorem or section), got {self.where!r}; \"Abstract\" only for a claim "
                             f"whose statement says it is qualitative; \"this chapter's check\" for our own")

    @property
    def kind(self) -> str | None:
        """"quantitative": the paper prints a number at a named place; "qualitative": a named
        place, or the abstract of a claim that says it is qualitative, but no number; "ours":
        a check the paper does not make. None: `where` is not a place."""
        where, said = self.where.lower(), (self.statement + " " + self.paper).lower()
        if any(where.startswith(o) for o in OURS):
            return "ours"
        if PLACE.search(self.where):
            return "qualitative" if "qualitative" in said or not re.search(r"\d", self.paper) else "quantitative"
        if where.startswith("abstract") and "qualitative" in said:
            return "qualitative"
        return None

    def holds(self, ours: float) -> bool:
        return self.low <= ours <= self.high

    @property
    def check(self) -> str:
        if math.isinf(self.high):
            return f"≥ {self.low:g}"
        if math.isinf(self.low):
            return f"≤ {self.high:g}"
        return f"in [{self.low:g}, {self.high:g}]"

    def margin(self, ours: float) -> float:
        """Signed distance from our number to the nearest bound, relative to the larger of the
        two in size: > 0 inside the check, < 0 outside; near 0 means "passes by a hair".
        A point check (low = high, e.g. "the peak is at α = 1") is ±1: exactly right or wrong."""
        bounds = [b for b in (self.low, self.high) if not math.isinf(b)]
        if not bounds or not math.isfinite(ours):
            return math.nan
        if self.low == self.high:
            return 1.0 if self.holds(ours) else -1.0
        inside = min(ours - self.low if not math.isinf(self.low) else math.inf,
                     self.high - ours if not math.isinf(self.high) else math.inf)
        scale = max([abs(b) for b in bounds] + [abs(ours)]) or 1.0
        return inside / scale


def spread(values, reduce: str = "mean", unit: str = "seeds", times: float = 1.0) -> tuple[float, str]:
    """(our number, its spread text) from per-seed values: the mean with its sample standard
    deviation, or the worst case, `reduce="max"` / `"min"`. `times` rescales (e.g. 100 for %)."""
    v = np.asarray(values, dtype=float) * times
    if reduce not in ("mean", "max", "min"):
        raise ValueError(f"reduce must be 'mean', 'max' or 'min', got {reduce!r}")
    ours = {"mean": v.mean, "max": v.max, "min": v.min}[reduce]()
    sd = f"± {v.std(ddof=1):.3g} " if reduce == "mean" and len(v) > 1 else ""
    word = {"mean": "", "max": "worst of ", "min": "worst of "}[reduce]
    unit = unit[:-1] if len(v) == 1 and unit.endswith("s") else unit   # "1 seed", not "1 seeds"
    return float(ours), f"{sd}({word}{len(v)} {unit})"


def verdict(claim: Claim, holds: bool, scale: str) -> str:
    if scale not in CHECKED_AT:
        return "not checked at this scale"
    if claim.expected == "not reproduced":
        return "not reproduced at this scale (expected)" if not holds else "HELD, though expected not to"
    return "reproduced" if holds else "NOT reproduced"


def rows(claims, measured: dict, scale: str) -> list[dict]:
    """One dict per claim: the paper's side, ours, the check, the verdict and whether it is as
    expected (`ok`). `measured[key]` is our number, or a pair (number, spread text)."""
    missing = [c.key for c in claims if c.key not in measured]
    if missing:
        raise KeyError(f"no measurement for claim(s) {', '.join(missing)}: add them to `measured`")
    out = []
    for c in claims:
        ours, spread_ = measured[c.key] if isinstance(measured[c.key], tuple) else (measured[c.key], "")
        ours = float(ours)
        holds = c.holds(ours)
        out.append({"key": c.key, "claim": c.statement, "paper": f"{c.paper} ({c.where})",
                    "we measure": c.metric, "ours": ours, "spread": spread_, "check": c.check,
                    "holds": holds, "expected": c.expected, "why": c.why,
                    "ok": holds == (c.expected == "reproduced"), "margin": c.margin(ours),
                    "verdict": verdict(c, holds, scale), "kind": c.kind})
    return out


def as_expected(row: dict) -> bool:
    """Whether a claim row came out as expected; rows of summaries written before `ok` existed
    have only `holds`, stored as the text "True" in the oldest ones."""
    return str(row.get("ok", row.get("holds"))) == "True"


def seeds_text(seeds: list) -> str:
    """"0–19" for a contiguous run of more than two seeds, else the list: "3, 7"."""
    if len(seeds) > 2 and seeds == list(range(seeds[0], seeds[-1] + 1)):
        return f"{seeds[0]}–{seeds[-1]}"
    return ", ".join(map(str, seeds)) or "—"


def failures(table: list[dict], scale: str) -> list[str]:
    """What fails the build at this scale: a claim that did not hold, or held against expectation."""
    if scale not in CHECKED_AT:
        return []
    return [f"{r['we measure']} = {r['ours']:.4g}, " +
            (f"needs {r['check']}" if r["expected"] == "reproduced" else
             f"expected outside {r['check']} (the chapter says it does not reproduce: revisit it)")
            for r in table if not r["ok"]]


def overall(table: list[dict], scale: str) -> str:
    """A chapter's verdict: reproduced; partly reproduced (some claims are expected negative
    results, or some failed); or not reproduced."""
    if scale not in CHECKED_AT:
        return "not checked at this scale"
    if all(r["ok"] for r in table):
        return "reproduced" if all(r["expected"] == "reproduced" for r in table) else "partly reproduced"
    return "partly reproduced" if any(r["holds"] and r["ok"] for r in table) else "not reproduced"


def _styled(df: pd.DataFrame, caption: str):
    return (df.style.hide(axis="index").set_caption(caption)
            .set_table_attributes('class="dataframe claims"')
            .set_properties(subset=["claim"], **{"font-weight": "bold"}))


def plan(claims) -> "pd.io.formats.style.Styler":
    """The "What we check" table, shown before the experiment: the chapter's contract."""
    df = pd.DataFrame([{"claim": c.statement, "paper": f"{c.paper} ({c.where})", "we measure": c.metric,
                        "check": c.check + ("" if c.expected == "reproduced" else
                                            f" — expected NOT to hold here: {c.why}")} for c in claims])
    return _styled(df, "Fixed before the run. A claim marked \"expected not to hold\" is a measured "
                       "negative result at this scale; the build fails if it holds after all.")


def verdict_table(table: list[dict], provenance: str = ""):
    """The verdict table paper-vs-ours, as a styled HTML table (no truncated cells, no index);
    `provenance` (e.g. "From 24 runs, seeds 0–2.") starts its caption."""
    df = pd.DataFrame(table)
    df["ours"] = [f"{r['ours']:.3g} {r['spread']}".strip() for r in table]
    df = df[["claim", "paper", "we measure", "ours", "check", "verdict"]]
    return _styled(df, f"{provenance} {CAPTION}".strip())

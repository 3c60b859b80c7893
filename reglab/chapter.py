"""A chapter's metadata, declared once as data, and the summary each run of it leaves behind.

The notebook declares `CHAPTER = Chapter(...)` in its first cell. The header card, the
deviation list, the bibliography entry, the dashboard row and the status page are all
rendered from it: the card and the list by the notebook, the rest at build time from the
summary JSON that `save_summary` writes next to the run records.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import resource
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__, claims as claims_, records

REPO = Path(__file__).resolve().parents[1]  # the checkout, when reglab is installed from one
_STARTED = time.perf_counter()  # a notebook imports this module in its first cell


@dataclass(frozen=True)
class Paper:
    key: str                   # BibTeX key, used by {cite}
    title: str
    authors: tuple[str, ...]   # "Last, First" each
    venue: str                 # short, e.g. "NeurIPS"
    booktitle: str             # long, for the bibliography
    year: int
    arxiv: str                 # e.g. "2007.00151"
    code: str = ""             # official code URL

    @property
    def short_authors(self) -> str:
        last = [a.split(",")[0] for a in self.authors]
        return last[0] + " et al." if len(last) > 2 else " & ".join(last)

    def bibtex(self) -> str:
        return (f"@inproceedings{{{self.key},\n  title = {{{self.title}}},\n"
                f"  author = {{{' and '.join(self.authors)}}},\n  booktitle = {{{self.booktitle}}},\n"
                f"  year = {{{self.year}}},\n  eprint = {{{self.arxiv}}},\n  archiveprefix = {{arXiv}},\n"
                f"  url = {{https://arxiv.org/abs/{self.arxiv}}}\n}}\n")


@dataclass(frozen=True)
class Chapter:
    slug: str                        # the notebook's file name without extension
    title: str
    paper: Paper
    claim: str                       # the paper's claim in one line (the dashboard's)
    claims: tuple[claims_.Claim, ...]
    deviations: tuple[str, ...]      # what differs from the paper at `book` scale, and why
    budget_s: dict = field(default_factory=lambda: {"smoke": 20, "book": 180})  # wall time per scale
    uses: tuple[str, ...] = ()       # reglab functions the chapter relies on, for the API links

    def card(self):
        """The header card: paper, links, the claim, and the reglab functions used."""
        from IPython.display import Markdown

        p = self.paper
        links = f"[arXiv:{p.arxiv}](https://arxiv.org/abs/{p.arxiv})"
        if p.code:
            links += f" · [official code]({p.code})"
        uses = ", ".join(f"{{py:func}}`{u}`" for u in self.uses)
        return Markdown(f":::{{card}} {p.short_authors} ({p.venue} {p.year})\n"
                        f"**{p.title}** {{cite}}`{p.key}` · {links}\n\n"
                        f"**Claim.** {self.claim}\n\n" + (f"Uses {uses}.\n" if uses else "") + ":::\n")

    def deviation_list(self):
        from IPython.display import Markdown

        return Markdown("\n".join(f"- {d}" for d in self.deviations))


def fingerprint(slug: str) -> str | None:
    """SHA-256 of what produced a chapter's results: the reglab sources and the notebook.

    None where the notebook is not beside the package (e.g. on Colab)."""
    notebook = REPO / "notebooks" / f"{slug}.ipynb"
    if not notebook.exists():
        return None
    h = hashlib.sha256()
    for path in sorted((REPO / "reglab").glob("*.py")) + [notebook]:
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


def summary_path(slug: str, scale: str, root: str | Path = "results") -> Path:
    return Path(root) / slug / scale / "chapter.json"


def save_summary(chapter: Chapter, measured: dict, recs: list[records.Record], scale: str,
                 root: str | Path = "results") -> dict:
    """Write `results/<slug>/<scale>/chapter.json`: the chapter's metadata, its claims with
    our numbers and verdicts, and the provenance of the runs. Returns the summary."""
    table = claims_.rows(list(chapter.claims), measured, scale)
    summary = {
        "chapter": dataclasses.asdict(chapter),
        "scale": scale,
        "claims": table,
        "verdict": claims_.overall(table, scale),
        "runs": len(recs),
        "seeds": sorted({r.config.get("seed") for r in recs}),
        "run_seconds": sum(r.seconds for r in recs),
        "notebook_seconds": time.perf_counter() - _STARTED,
        "peak_memory_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "env": records.environment(),
        "reglab": __version__,
        "fingerprint": fingerprint(chapter.slug),
        "written": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    path = summary_path(chapter.slug, scale, root)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary, indent=1, default=str))
    return summary

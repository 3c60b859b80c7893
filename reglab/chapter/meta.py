"""A chapter's metadata, declared once as data, and the summary each run of it leaves behind.

The notebook's first cell declares `CHAPTER = Chapter(...)`: the paper and the one-line claim,
from which the header card is drawn. Its claims are declared visibly, in "What we check".
At the end, `save_summary` writes `results/<slug>/<scale>/chapter.json` next to the run
records; the dashboard, the status page, the bibliography and the robustness table are
generated from these summaries at build time.
"""
from __future__ import annotations

import hashlib
import json
import resource
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .. import __version__, records
from . import claims as claims_

REPO = Path(__file__).resolve().parents[2]  # the checkout, when reglab is installed from one
BIBTEX_FIELD = {"inproceedings": "booktitle", "article": "journal", "misc": "howpublished"}


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
    kind: str = "inproceedings"  # BibTeX type: "inproceedings" (conference, workshop), "article"
                                 # (journal: `booktitle` is the journal), "misc" (arXiv preprint)

    def __post_init__(self):
        if self.kind not in BIBTEX_FIELD:
            raise ValueError(f"paper {self.key!r}: kind must be one of {', '.join(BIBTEX_FIELD)}, got {self.kind!r}")

    @property
    def short_authors(self) -> str:
        last = [a.split(",")[0] for a in self.authors]
        return last[0] + " et al." if len(last) > 2 else " & ".join(last)

    def bibtex(self) -> str:
        """The entry of its type: a conference paper's booktitle, a journal's name, a preprint's
        `howpublished`; the arXiv id as eprint in all three."""
        return (f"@{self.kind}{{{self.key},\n  title = {{{self.title}}},\n"
                f"  author = {{{' and '.join(self.authors)}}},\n  {BIBTEX_FIELD[self.kind]} = {{{self.booktitle}}},\n"
                f"  year = {{{self.year}}},\n  eprint = {{{self.arxiv}}},\n  archiveprefix = {{arXiv}},\n"
                f"  url = {{https://arxiv.org/abs/{self.arxiv}}}\n}}\n")


def dotted_name(obj) -> str:
    """`reglab.regularizers.penalties.elr_penalty` for the function object: names that cannot rot."""
    return f"{obj.__module__}.{obj.__qualname__}"


@dataclass(frozen=True)
class Chapter:
    slug: str                        # the notebook's file name without extension
    title: str
    paper: Paper
    claim: str                       # the paper's claim in one line (the card's and the dashboard's)
    budget_s: dict = field(default_factory=lambda: {"smoke": 20, "book": 180})  # wall time per scale
    uses: tuple = ()                 # the reglab functions and classes the chapter relies on (objects)

    def card(self, scale: str = "book"):
        """The header card: paper, links, the claim, the scale it ran at, the reglab code used."""
        from IPython.display import Markdown

        p = self.paper
        links = f"[arXiv:{p.arxiv}](https://arxiv.org/abs/{p.arxiv})"
        if p.code:
            links += f" · [official code]({p.code})"
        uses = ", ".join(f"{{py:obj}}`{dotted_name(u)}`" for u in self.uses)
        return Markdown(f":::{{card}} {p.short_authors} ({p.venue} {p.year})\n"
                        f"**{p.title}** {{cite}}`{p.key}` · {links}\n\n"
                        f"**Claim.** {self.claim}\n\n" + (f"Uses {uses}. " if uses else "") +
                        f"Executed at `{scale}` scale.\n:::\n")

    def as_dict(self) -> dict:
        d = asdict(self)
        d["uses"] = [dotted_name(u) for u in self.uses]
        return d


def used_modules() -> list[str]:
    """The reglab source files this process has imported, relative to the checkout."""
    files = set()
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if (name == "reglab" or name.startswith("reglab.")) and path:
            try:
                files.add(Path(path).resolve().relative_to(REPO).as_posix())
            except ValueError:  # installed elsewhere (Colab): no checkout to fingerprint
                return []
    return sorted(files)


def fingerprint(slug: str, modules: list[str]) -> str | None:
    """SHA-256 of what produced a chapter's results: the reglab modules it imported (at any
    folder depth) and the notebook. None where the notebook is not beside the package (Colab)."""
    notebook = REPO / "notebooks" / f"{slug}.ipynb"
    if not notebook.exists():
        return None
    h = hashlib.sha256()
    for rel in sorted(modules) + [notebook.relative_to(REPO).as_posix()]:
        path = REPO / rel
        h.update(rel.encode() + b"\0" + (path.read_bytes() if path.exists() else b"<missing>") + b"\0")
    return h.hexdigest()[:16]


def summary_path(slug: str, scale: str, root: str | Path = "results") -> Path:
    return records.results_dir(slug, scale, root) / "chapter.json"


def save_summary(chapter: Chapter, claims, measured: dict, recs: list[records.Record], scale: str,
                 root: str | Path = "results") -> dict:
    """Write `results/<slug>/<scale>/chapter.json`: the chapter's metadata, its claims with
    our numbers and verdicts, and the provenance of the runs. Returns the summary."""
    from . import page

    table = claims_.rows(claims, measured, scale)
    modules = used_modules()
    env = records.environment()
    summary = {
        "chapter": chapter.as_dict(),
        "scale": scale,
        "claims": table,
        "verdict": claims_.overall(table, scale),
        "runs": len(recs),
        "seeds": sorted({r.config.get("seed") for r in recs if r.config.get("seed") is not None}),
        "seed_offset": env["seed_offset"],
        "run_seconds": sum(r.seconds for r in recs),
        "notebook_seconds": page.elapsed(),
        "peak_memory_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "env": env,
        "reglab": __version__,
        "modules": modules,
        "fingerprint": fingerprint(chapter.slug, modules),
        "written": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    path = summary_path(chapter.slug, scale, root)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary, indent=1, default=str))
    return summary

"""The book's reproducibility layer, run at the start of every Sphinx build.

1. Stale-output guard: every chapter in the table of contents must have been executed from
   the sources being rendered (same reglab sources and notebook, uncommitted edits included:
   the fingerprint; same commit; same reglab version). Otherwise the build stops and says
   which chapter and why.
2. Generated pages (book/generated/, not committed), all from the chapters' summary JSON
   (`reglab.chapter.save_summary`) and papermill's metadata: the reproducibility dashboard,
   the status page, and the bibliography entries of the chapters' papers.
"""
from __future__ import annotations

import ast
import html
import importlib.metadata
import json
import platform
from pathlib import Path

import yaml

from reglab import __version__, chapter, records


class StaleResults(Exception):
    """The build would render results that the sources being rendered did not produce.
    (A plain exception, so this module imports without Sphinx, in the tests.)"""

GENERATED = Path("book/generated")
SCALES = ("smoke", "book", "paper")


def chapter_slugs(root: Path) -> list[str]:
    """Chapters in _toc.yml order: the entries under book/executed/."""
    slugs = []

    def walk(node):
        if isinstance(node, dict):
            f = node.get("file", "")
            if f.startswith("book/executed/"):
                slugs.append(f.removeprefix("book/executed/"))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(yaml.safe_load((root / "_toc.yml").read_text()))
    return slugs


def glued(notebook: dict, name: str):
    """A value the notebook glued (myst-nb stores it as a display output with scrapbook metadata)."""
    for cell in notebook.get("cells", []):
        for out in cell.get("outputs", []):
            scrap = out.get("metadata", {}).get("scrapbook", {})
            if scrap.get("name") == name:  # the value's repr, under papermill's record mime type
                return ast.literal_eval(out["data"][scrap.get("mime_prefix", "") + "text/plain"])
    return None


def load_summary(root: Path, slug: str, scale: str) -> dict | None:
    path = root / "notebooks" / chapter.summary_path(slug, scale)
    return json.loads(path.read_text()) if path.exists() else None


def stale_reasons(root: Path, slug: str) -> list[str]:
    """Why the executed chapter may not be rendered; empty when it is current."""
    executed = root / "book" / "executed" / f"{slug}.ipynb"
    if not executed.exists():
        return [f"{executed.relative_to(root)} is missing (run `make book`)"]
    nb = json.loads(executed.read_text())
    scale = glued(nb, "provenance_scale")
    if scale is None:
        return ["the executed notebook has no provenance stamp (it did not run to its end)"]
    now = {"fingerprint": chapter.fingerprint(slug), "git_sha": records.git_sha()}
    reasons = []
    if glued(nb, "provenance_fingerprint") != now["fingerprint"]:
        reasons.append("reglab or the notebook changed since it was executed (fingerprint differs)")
    # Uncommitted edits that matter (reglab, the notebook) change the fingerprint; others
    # (prose pages, this extension) do not make results stale, hence the sha without "-dirty".
    if glued(nb, "provenance_git_sha").removesuffix("-dirty") != now["git_sha"].removesuffix("-dirty"):
        reasons.append(f"it was executed at commit {glued(nb, 'provenance_git_sha')}, "
                       f"the checkout is at {now['git_sha']}")
    summary = load_summary(root, slug, scale)
    if summary is None:
        reasons.append(f"its record notebooks/{chapter.summary_path(slug, scale)} is missing")
    elif summary["fingerprint"] != now["fingerprint"] or summary["reglab"] != __version__:
        reasons.append("its record comes from other sources or another reglab version")
    return reasons


def papermill_seconds(root: Path, slug: str) -> float | None:
    path = root / "book" / "executed" / f"{slug}.ipynb"
    if not path.exists():
        return None
    return json.loads(path.read_text()).get("metadata", {}).get("papermill", {}).get("duration")


# --- the generated pages ------------------------------------------------------------------

def headline(summary: dict) -> tuple[str, str, str]:
    """(paper's number and where, our number, verdict) of a summary's first claim."""
    c = summary["claims"][0]
    ours = f"{c['ours']:.3g} {c['spread']}".strip() + f"; {c['we measure']}"
    return c["paper"], ours, summary["verdict"]


def dashboard_table(root: Path, slugs: list[str]) -> str:
    head = ("| chapter | claim | paper's number | ours at `book` scale | verdict | `paper` scale |\n"
            "|---|---|---|---|---|---|\n")
    rows = []
    for slug in slugs:
        s = load_summary(root, slug, "book")
        if s is None:
            raise StaleResults(f"chapter {slug}: no book-scale record, run `make book`")
        ch, p = s["chapter"], s["chapter"]["paper"]
        paper_num, ours, verdict = headline(s)
        seconds = papermill_seconds(root, slug) or s["notebook_seconds"]
        big = load_summary(root, slug, "paper")
        big_cell = f"{headline(big)[1]}: {big['verdict']} ({big['env']['device']})" if big else "—"
        rows.append(f"| {{doc}}`{ch['title']} </book/executed/{slug}>` "
                    f"([{p['venue']} {p['year']}](https://arxiv.org/abs/{p['arxiv']})) "
                    f"| {ch['claims'][0]['statement']} | {paper_num} | {ours} "
                    f"| **{verdict}** in {seconds:.0f} s | {big_cell} |")
    return head + "\n".join(rows) + "\n"


def status_page(root: Path, slugs: list[str]) -> str:
    lines = ["# Status\n",
             "Every execution of a chapter leaves a summary next to its records. This page lists "
             "the ones present when the book was built: the `book` rows come from this build, "
             "others from earlier runs (tests, or committed GPU runs), with their commit.\n",
             "| chapter | scale | time / budget | runs | peak memory | date | commit |",
             "|---|---|---|---|---|---|---|"]
    env = None
    for slug in slugs:
        for scale in SCALES:
            s = load_summary(root, slug, scale)
            if s is None:
                continue
            env = s["env"] if scale == "book" else env
            budget = s["chapter"]["budget_s"].get(scale)
            secs = (papermill_seconds(root, slug) if scale == "book" else None) or s["notebook_seconds"]
            flag = "" if budget is None or secs <= budget else " **over budget**"
            lines.append(f"| {{doc}}`{s['chapter']['title']} </book/executed/{slug}>` | `{scale}` "
                         f"| {secs:.0f} s / {budget if budget is not None else '—'} s{flag} | {s['runs']} "
                         f"| {s['peak_memory_mb']:.0f} MB | {s['written'][:16].replace('T', ' ')} "
                         f"| `{s['env']['git_sha'][:7]}` |")
    env = env or records.environment()
    lines += ["\n## Environment of this build\n",
              "| | |\n|---|---|",
              f"| Python | {platform.python_version()} |",
              f"| torch | {env['torch']} |",
              f"| reglab | {__version__} |",
              f"| device | {env['device']} ({env['cpu_count']} CPUs, {env['threads']} torch thread(s)) |",
              f"| platform | {env['platform']} |",
              f"| commit | `{env['git_sha']}` |\n"]
    lines += benchmarks_section(root)
    packages = sorted(f"{d.metadata['Name']}=={d.version}" for d in importlib.metadata.distributions())
    lines += ["<details><summary>All installed packages</summary>\n",
              "<pre>" + html.escape("\n".join(packages)) + "</pre>\n</details>\n"]
    return "\n".join(lines)


def benchmarks_section(root: Path) -> list[str]:
    """The last `make bench` (book/benchmarks.json, committed with the machine it ran on)."""
    path = root / "book" / "benchmarks.json"
    if not path.exists():
        return ["\n## Benchmarks\n", "No `make bench` results yet.\n"]
    b = json.loads(path.read_text())
    out = ["\n## Benchmarks\n",
           f"From the last `make bench`: {b['env']['date'][:16].replace('T', ' ')}, commit "
           f"`{b['env']['git_sha'][:7]}`, {b['env']['device']}, load average {b['load_at_start']} at the "
           f"start and {b['load_at_end']} at the end. Ratios are speedups of the first over the second.\n",
           "| threads | measurement | result |", "|---|---|---|"]
    for threads, m in b["micro"].items():
        t = threads.removeprefix("threads_")
        for loop in m["loops"]:
            sps = loop["samples_per_s"]
            out.append(f"| {t} | training loop, batch {loop['batch_size']}: `fit` / minimal loop / "
                       f"`DataLoader` (samples/s) | {sps['fit']:,} / {sps['minimal']:,} / {sps['dataloader']:,}: "
                       f"fit vs minimal {loop['fit_vs_minimal']}×, vs DataLoader {loop['fit_vs_dataloader']}× |")
        for seeds in m["seeds"]:
            out.append(f"| {t} | vectorized vs sequential: {seeds['name']}, batch {seeds['batch_size']} "
                       f"| {seeds['speedup']}× |")
    chapters = b.get("chapters", {})
    out += ["", "| chapter | `smoke` (s) | `book` (s) | budget (s) |", "|---|---|---|---|"]
    for slug, c in chapters.items():
        out.append(f"| {slug} | {c.get('smoke_s', '—')} | {c.get('book_s', '—')} "
                   f"| {c['budget_s'].get('smoke', '—')} / {c['budget_s'].get('book', '—')} |")
    if "make_book_s" in b:
        out.append(f"\nThe whole `make book` took {b['make_book_s']:.0f} s.")
    flagged = b.get("over_budget") or []
    out.append("\n" + ("**Over budget by more than 50%:** " + "; ".join(flagged) if flagged
                       else "No chapter over its budget by more than 50%.") + "\n")
    return out


def bibliography(root: Path, slugs: list[str]) -> str:
    entries = []
    for slug in slugs:
        s = load_summary(root, slug, "book")
        if s is not None:
            p = dict(s["chapter"]["paper"], authors=tuple(s["chapter"]["paper"]["authors"]))
            entries.append(chapter.Paper(**p).bibtex())
    return "\n".join(entries) or "% no chapters executed\n"


def generate(app, config):
    root = Path(app.srcdir)
    slugs = chapter_slugs(root)
    stale = {slug: r for slug in slugs if (r := stale_reasons(root, slug))}
    if stale:
        raise StaleResults("refusing to render results nobody just computed: " + "; ".join(
            f"chapter {slug}: {', '.join(r)}" for slug, r in stale.items()) + ". Run `make book`.")
    out = root / GENERATED
    out.mkdir(parents=True, exist_ok=True)
    (out / "dashboard_table.md").write_text(dashboard_table(root, slugs))
    (out / "status.md").write_text(status_page(root, slugs))
    (out / "references.bib").write_text(bibliography(root, slugs))


def setup(app):
    app.connect("config-inited", generate, priority=100)  # before the bibtex extension reads .bib
    return {"parallel_read_safe": True, "parallel_write_safe": True}

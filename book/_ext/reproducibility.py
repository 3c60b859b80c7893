"""The book's reproducibility layer, run at the start of every Sphinx build.

1. Stale-output guard: every chapter in the table of contents must have been executed from
   the sources being rendered: the same notebook and the same reglab modules it imported,
   uncommitted edits included (the content fingerprint), and the same reglab version. The
   commit is provenance, not a condition. Otherwise the build stops and says which chapter
   and why. `book/_ext/execute.py` uses the same test to skip chapters that are current.
2. Generated pages (book/generated/, not committed), all from the chapters' summary JSON
   (`reglab.chapter.save_summary`), papermill's metadata and the committed
   book/robustness.json (`make robustness`): the reproducibility dashboard, grouped by part,
   with the claim-margin figure; the status page; the bibliography entries of the chapters'
   papers; and the API reference, one section per tier of reglab.
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
from reglab.config import SCALES


class StaleResults(Exception):
    """The build would render results that the sources being rendered did not produce.
    (A plain exception, so this module imports without Sphinx, in the tests.)"""

GENERATED = Path("book/generated")


def _executed(node) -> list[str]:
    """The chapter slugs (entries under book/executed/) below a node of _toc.yml, in order."""
    if isinstance(node, dict):
        f = node.get("file", "")
        own = [f.removeprefix("book/executed/")] if f.startswith("book/executed/") else []
        return own + [s for k, v in node.items() if k != "file" for s in _executed(v)]
    if isinstance(node, list):
        return [s for v in node for s in _executed(v)]
    return []


def chapter_parts(root: Path) -> list[tuple[str, list[str]]]:
    """(part caption, its chapter slugs) in _toc.yml order, parts without chapters left out."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    parts = [(p.get("caption", ""), _executed(p.get("chapters", []))) for p in toc.get("parts", [])]
    return [(caption, slugs) for caption, slugs in parts if slugs]


def chapter_slugs(root: Path) -> list[str]:
    """Chapters in _toc.yml order: the entries under book/executed/."""
    return _executed(yaml.safe_load((root / "_toc.yml").read_text()))


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
    modules = glued(nb, "provenance_modules") or []
    now = chapter.fingerprint(slug, modules)
    reasons = []
    if glued(nb, "provenance_fingerprint") != now:
        reasons.append("the notebook or a reglab module it imports changed since it was executed "
                       "(fingerprint differs)")
    if glued(nb, "provenance_seed_offset") not in (None, 0):
        reasons.append("it was executed with a nonzero $REGLAB_SEED_OFFSET")
    summary = load_summary(root, slug, scale)
    if summary is None:
        reasons.append(f"its record notebooks/{chapter.summary_path(slug, scale)} is missing")
    elif summary["fingerprint"] != now or summary["reglab"] != __version__:
        reasons.append("its record comes from other sources or another reglab version")
    return reasons


def papermill_seconds(root: Path, slug: str) -> float | None:
    path = root / "book" / "executed" / f"{slug}.ipynb"
    if not path.exists():
        return None
    return json.loads(path.read_text()).get("metadata", {}).get("papermill", {}).get("duration")


# --- the generated pages ------------------------------------------------------------------

def cell(text) -> str:
    """Text safe inside a markdown table cell: a `|` in a claim (|slope|) must not split it."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def headline(summary: dict) -> tuple[str, str]:
    """(paper's number and where, our number) of a summary's first claim."""
    c = summary["claims"][0]
    return c["paper"], f"{c['ours']:.3g} {c['spread']}".strip()


def load_robustness(root: Path) -> dict:
    path = root / "book" / "robustness.json"
    return json.loads(path.read_text()) if path.exists() else {}


def unseen_cell(robust: dict, slug: str) -> str:
    """k/K offsets at which every claim of the chapter held, or a dash if never run."""
    runs = robust.get("chapters", {}).get(slug)
    if not runs:
        return "—"
    held = sum(r["held"] for r in runs.values())
    return f"{'**' if held < len(runs) else ''}{held}/{len(runs)}{'**' if held < len(runs) else ''}"


def dashboard_table(root: Path, slugs: list[str], parts: list[tuple[str, list[str]]] | None = None) -> str:
    """One table per part: chapter, headline claim (paper vs ours), verdict, unseen seeds, paper scale."""
    robust = load_robustness(root)
    parts = parts or [("", slugs)]
    out = []
    for caption, part_slugs in parts:
        rows = []
        for slug in part_slugs:
            s = load_summary(root, slug, "book")
            if s is None:
                raise StaleResults(f"chapter {slug}: no book-scale record, run `make book`")
            ch, p = s["chapter"], s["chapter"]["paper"]
            paper_num, ours = headline(s)
            seconds = papermill_seconds(root, slug) or s["notebook_seconds"]
            big = load_summary(root, slug, "paper")
            big_cell = f"{headline(big)[1]}: {big['verdict']}<br>({big['env']['device']})" if big else "—"
            n_ok = sum(chapter.as_expected(c) for c in s["claims"])
            n_quant = sum(c.get("kind") == "quantitative" for c in s["claims"])
            rows.append(f"| {{doc}}`{cell(ch['title'])} </book/executed/{slug}>`<br>"
                        f"[{p['venue']} {p['year']}](https://arxiv.org/abs/{p['arxiv']}) "
                        f"| {cell(s['claims'][0]['claim'])}: paper {cell(paper_num)}; **ours {cell(ours)}** "
                        f"| **{s['verdict']}**<br>{n_ok}/{len(s['claims'])} claims ({n_quant} quantitative), {seconds:.0f} s "
                        f"| {unseen_cell(robust, slug)} | {cell(big_cell)} |")
        out += ([f"**{caption}**\n"] if caption else []) + [
            "| chapter | headline claim: the paper's number and ours (`book` scale) | verdict "
            "| held on unseen seeds | `paper` scale |", "|---|---|---|---|---|", *rows, ""]
    return "\n".join(out) + "\n"


def margin_rows(root: Path, slugs: list[str]) -> list[dict]:
    """Every claim's margin (> 0: as expected, 0: on its bound) at the default seeds and at
    each unseen offset of book/robustness.json."""
    robust = load_robustness(root).get("chapters", {})
    rows = []
    for slug in slugs:
        s = load_summary(root, slug, "book")
        for c in (s or {}).get("claims", []):
            sign = 1 if c.get("expected", "reproduced") == "reproduced" else -1
            at = {"default": c.get("margin")}
            for offset, run in robust.get(slug, {}).items():
                found = [r for r in run["claims"] if r["key"] == c["key"]]
                at[offset] = found[0]["margin"] if found else None
            rows.append({"label": f"{slug} · {c['key']}", "margins": {
                k: (sign * v if v is not None else None) for k, v in at.items()}})
    return rows


def margin_figure(rows: list[dict], path: Path) -> str:
    """A dot per claim and seed set: how far our number sits inside its check. Returns alt text."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from reglab import plots

    plots.use_style()
    keys = sorted({k for r in rows for k in r["margins"]}, key=lambda k: (k != "default", k))
    fig, ax = plt.subplots(figsize=(7.5, 0.9 + 0.19 * len(rows)))
    for j, key in enumerate(keys):
        ys = [i for i, r in enumerate(rows) if r["margins"].get(key) is not None]
        xs = [max(-1.0, min(1.0, rows[i]["margins"][key])) for i in ys]
        ax.scatter(xs, ys, s=22 if key == "default" else 14, marker="os^Dv"[j % 5], color=plots.PALETTE[j],
                   label="default seeds" if key == "default" else f"seed offset {key}", zorder=3)
    ax.axvline(0, color="black", lw=1)
    ax.axvspan(-1, 0, color="0.9", zorder=0)
    ax.set_xscale("symlog", linthresh=0.01, linscale=0.5)
    ax.set_xlim(-1.1, 1.1)
    ticks = [-1, -0.1, -0.01, 0, 0.01, 0.1, 1]
    ax.set_xticks(ticks, [f"{t:+.0%}" if t else "0" for t in ticks])
    ax.set_yticks(range(len(rows)), [r["label"] for r in rows], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("margin: distance inside the check, relative to the bound (< 0: fails)")
    ax.legend(fontsize="small", loc="lower left", bbox_to_anchor=(0, 1.0), ncol=len(keys))
    fig.savefig(path, bbox_inches="tight", dpi=110)
    plt.close(fig)
    close = [r["label"] for r in rows if any(v is not None and v < 0.05 for v in r["margins"].values())]
    return (f"Dot plot of {len(rows)} claims, one row each, at the default seeds and at {len(keys) - 1} unseen "
            f"seed offsets: the horizontal position is how far our number sits inside its check. "
            + (f"Within 5% of a bound on some seed set: {', '.join(close)}." if close
               else "No claim comes within 5% of its bound."))


def api_page(root: Path) -> str:
    """The API reference, one section per tier, from the package itself (nothing hand-kept)."""
    import pkgutil

    import reglab

    tiers = {"Core": [], "Regularizers": [], "Topics": [], "Publishing": []}
    for m in pkgutil.walk_packages(reglab.__path__, "reglab."):
        if m.ispkg:
            continue  # the subpackages re-export their modules' names: document each name once
        parts = m.name.split(".")
        tier = {"regularizers": "Regularizers", "topics": "Topics", "chapter": "Publishing"}.get(
            parts[1], "Core") if len(parts) > 2 else "Core"
        tiers[tier].append(m.name)
    intro = {"Core": "Knows no chapter; every chapter may use it.",
             "Regularizers": "The book's subject, split by shape; chapters write `reg.<name>`.",
             "Topics": "One computation that one to three chapters need, named for what it computes.",
             "Publishing": "What turns an experiment into a checked chapter page."}
    out = ["# The `reglab` API\n", "The small PyTorch package every chapter uses, by tier. Each "
           "chapter's header card links the functions it relies on.\n"]
    for tier, names in tiers.items():
        out += [f"## {tier}\n", intro[tier] + "\n", "```{eval-rst}"]
        out += [f".. automodule:: {n}\n   :members:\n" for n in sorted(names)]
        out += ["```\n"]
    return "\n".join(out)


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
    lines += robustness_section(root, slugs)
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
    if "workers" in b:
        w = b["workers"]
        out.append(f"\nExecuting the same {w['chapters']} chapters with 1 worker took {w['one_s']:.0f} s, "
                   f"with 2 workers {w['two_s']:.0f} s: **{w['ratio']}× faster**. A `make book` with nothing "
                   f"changed took {b.get('no_change_s', float('nan')):.0f} s (render and site checks only).")
    flagged = b.get("over_budget") or []
    out.append("\n" + ("**Over budget by more than 50%:** " + "; ".join(flagged) if flagged
                       else "No chapter over its budget by more than 50%.") + "\n")
    return out


def robustness_section(root: Path, slugs: list[str]) -> list[str]:
    """Per claim: our number at the default seeds and at each unseen seed offset, and whether it held."""
    robust = load_robustness(root)
    if not robust:
        return ["\n## Claims on unseen seeds\n", "`make robustness` has not been run yet.\n"]
    offsets = [str(o) for o in robust["offsets"]]
    out = ["\n## Claims on unseen seeds\n",
           f"From the last `make robustness` ({robust['written'][:16].replace('T', ' ')}, commit "
           f"`{robust['env']['git_sha'][:7]}`): every chapter at `book` scale with every seed shifted by "
           f"$REGLAB_SEED_OFFSET. A cross marks a claim that was not as expected.\n",
           "| chapter | claim | check | default | " + " | ".join(f"offset {o}" for o in offsets) + " |",
           "|---|---|---|---|" + "---|" * len(offsets)]
    def mark(r):
        return f"{r['ours']:.3g} {'✓' if chapter.as_expected(r) else '✗'}"

    for slug in slugs:
        s = load_summary(root, slug, "book") or {"claims": []}
        runs = robust["chapters"].get(slug, {})
        for c in s["claims"]:
            cells = []
            for o in offsets:
                found = [r for r in runs.get(o, {}).get("claims", []) if r["key"] == c["key"]]
                error = runs.get(o, {}).get("error")
                cells.append(mark(found[0]) if found else ("error: " + cell(error)[:80] if error else "—"))
            out.append(f"| {slug} | {cell(c['key'])} | {cell(c['check'])} | {mark(c)} | " + " | ".join(cells) + " |")
    times = {slug: [r["seconds"] for r in robust["chapters"].get(slug, {}).values()] for slug in slugs}
    out.append("\nWall time per offset (s): " + "; ".join(
        f"{slug} {', '.join(f'{t:.0f}' for t in ts)}" for slug, ts in times.items() if ts) + ".\n")
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
    parts = chapter_parts(root)
    (out / "dashboard_table.md").write_text(dashboard_table(root, slugs, parts))
    rows = margin_rows(root, slugs)
    alt = margin_figure(rows, out / "claim_margins.png")
    (out / "claim_margins.md").write_text(
        f"```{{figure}} generated/claim_margins.png\n:alt: {alt}\n:width: 100%\n\n"
        "Every claim of every chapter: how far our number sits inside its check, at the default "
        "seeds and at each unseen seed offset of `make robustness`. Left of the line, a claim fails; "
        "near it, it passes by a hair. A claim that is an exact count (\"no collapse by epoch 400\", "
        "\"the same step\") sits on the line when it holds exactly; claims expected not to reproduce "
        "count as inside when they do not hold.\n```\n")
    (out / "api.md").write_text(api_page(root))
    (out / "status.md").write_text(status_page(root, slugs))
    (out / "references.bib").write_text(bibliography(root, slugs))


def docstring_as_text(app, what, name, obj, options, lines):
    """Show reglab's docstrings as written: plain text with Unicode maths (|x|, a*b, indented
    equations), which reStructuredText would read as markup and, under -W, fail the build on."""
    if lines:
        lines[:] = ["::", ""] + [f"    {line}" for line in lines] + [""]


def setup(app):
    app.connect("config-inited", generate, priority=100)  # before the bibtex extension reads .bib
    app.connect("autodoc-process-docstring", docstring_as_text)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

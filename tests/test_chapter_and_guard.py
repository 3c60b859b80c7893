"""Chapter metadata and summaries, and the build's stale-output guard (book/_ext)."""
import json
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from reglab import chapter, records
from reglab.chapter import Claim, meta

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book" / "_ext"))
import reproducibility  # noqa: E402

PAPER = chapter.Paper(key="doe2024x", title="A Paper", authors=("Doe, Jane", "Roe, Rick"), venue="ICML",
                      booktitle="International Conference on Machine Learning", year=2024, arxiv="2401.00001")
CHAPTER = chapter.Chapter(slug="toy", title="Toy chapter", paper=PAPER, claim="x beats y",
                          uses=(records.sweep,))
CLAIMS = (Claim("gap", "x beats y", "Table 1", "+7", "gap (points)", low=5.0),)


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A fake checkout: reglab sources, a notebook, a table of contents, a fixed commit."""
    (tmp_path / "reglab" / "topics").mkdir(parents=True)
    (tmp_path / "reglab" / "core.py").write_text("x = 1\n")
    (tmp_path / "reglab" / "topics" / "used.py").write_text("y = 1\n")
    (tmp_path / "reglab" / "topics" / "unused.py").write_text("z = 1\n")
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "toy.ipynb").write_text("{}")
    (tmp_path / "_toc.yml").write_text("root: intro\nchapters:\n  - file: book/executed/toy\n")
    monkeypatch.setattr(meta, "REPO", tmp_path)
    monkeypatch.setattr(meta, "used_modules", lambda: ["reglab/core.py", "reglab/topics/used.py"])
    monkeypatch.setattr(records, "git_sha", lambda: "abc123")
    monkeypatch.chdir(tmp_path / "notebooks")  # where papermill runs the chapters
    return tmp_path


def _execute(repo, sha="abc123"):
    """What `make book` leaves: the summary and an executed notebook stamped by its footer."""
    summary = chapter.save_summary(CHAPTER, CLAIMS, {"gap": (8.0, "(3 seeds)")}, [], "book")

    def stamp(name, value):
        return {"output_type": "display_data", "metadata": {"scrapbook": {
            "name": name, "mime_prefix": "application/papermill.record/"}},
            "data": {"application/papermill.record/text/plain": repr(value)}}

    nb = {"metadata": {"papermill": {"duration": 12.5}}, "cells": [{"cell_type": "code", "outputs": [
        stamp("provenance_fingerprint", summary["fingerprint"]), stamp("provenance_git_sha", sha),
        stamp("provenance_modules", summary["modules"]),
        stamp("provenance_scale", "book")]}]}
    (repo / "book" / "executed").mkdir(parents=True, exist_ok=True)
    (repo / "book" / "executed" / "toy.ipynb").write_text(json.dumps(nb))
    return summary


def test_summary_holds_metadata_claims_verdict_and_provenance(repo):
    summary = _execute(repo)
    saved = json.loads((repo / "notebooks/results/toy/book/chapter.json").read_text())
    assert saved["chapter"]["paper"]["arxiv"] == "2401.00001"
    assert saved["claims"][0]["ours"] == 8.0 and saved["verdict"] == "reproduced"
    assert saved["fingerprint"] == summary["fingerprint"] and saved["env"]["git_sha"] == "abc123"
    assert saved["chapter"]["uses"] == ["reglab.records.sweep"] and saved["seed_offset"] == 0


def test_fingerprint_follows_the_modules_a_chapter_used_at_any_depth_and_the_notebook(repo):
    used = ["reglab/core.py", "reglab/topics/used.py"]
    before = chapter.fingerprint("toy", used)
    (repo / "reglab" / "topics" / "unused.py").write_text("z = 2\n")
    assert chapter.fingerprint("toy", used) == before
    (repo / "reglab" / "topics" / "used.py").write_text("y = 2\n")
    after_topic = chapter.fingerprint("toy", used)
    assert after_topic != before
    (repo / "notebooks" / "toy.ipynb").write_text('{"edited": 1}')
    assert chapter.fingerprint("toy", used) != after_topic
    assert chapter.fingerprint("not_a_chapter", used) is None


def test_used_modules_are_the_imported_reglab_files():
    import reglab.topics.hessian  # noqa: F401

    used = chapter.used_modules()
    assert "reglab/topics/hessian.py" in used and "reglab/chapter/meta.py" in used
    assert all(m.startswith("reglab/") and m.endswith(".py") for m in used)


def test_current_chapter_passes_the_guard(repo):
    _execute(repo)
    assert reproducibility.stale_reasons(repo, "toy") == []


def test_guard_refuses_an_edited_notebook(repo):
    _execute(repo)
    (repo / "notebooks" / "toy.ipynb").write_text('{"changed": true}')
    assert any("fingerprint" in r for r in reproducibility.stale_reasons(repo, "toy"))


def test_guard_refuses_an_edited_module_the_chapter_used_and_ignores_others(repo):
    _execute(repo)
    (repo / "reglab" / "topics" / "unused.py").write_text("z = 3\n")
    assert reproducibility.stale_reasons(repo, "toy") == []
    (repo / "reglab" / "topics" / "used.py").write_text("y = 3\n")
    assert any("fingerprint" in r for r in reproducibility.stale_reasons(repo, "toy"))


def test_another_commit_with_the_same_sources_is_not_stale(repo):
    _execute(repo, sha="def456")  # the commit is provenance; the content fingerprint decides
    assert reproducibility.stale_reasons(repo, "toy") == []


def test_guard_refuses_a_missing_execution_and_the_build_names_the_chapter(repo):
    with pytest.raises(Exception, match="chapter toy: book/executed/toy.ipynb is missing"):
        reproducibility.generate(SimpleNamespace(srcdir=str(repo)), None)


def test_build_generates_dashboard_status_bibliography_figure_and_api(repo):
    _execute(repo)
    reproducibility.generate(SimpleNamespace(srcdir=str(repo)), None)
    out = repo / "book" / "generated"
    row = [ln for ln in (out / "dashboard_table.md").read_text().splitlines() if "Toy chapter" in ln][0]
    assert "paper +7 (Table 1)" in row and "**ours 8 (3 seeds)**" in row
    assert "**reproduced**<br>1/1 claims (1 quantitative), 12 s" in row and row.endswith("| — | — |")  # never invented
    assert "12 s / 180 s" in (out / "status.md").read_text()
    assert "@inproceedings{doe2024x," in (out / "references.bib").read_text()
    assert (out / "claim_margins.png").stat().st_size > 1000 and "Dot plot of 1 claims" in (out / "claim_margins.md").read_text()
    assert ".. automodule:: reglab.topics.hessian" in (out / "api.md").read_text()


def test_dashboard_counts_unseen_seed_sets_and_groups_by_part(repo):
    _execute(repo)
    claim = {"key": "gap", "ours": 4.0, "check": "≥ 5", "holds": False, "ok": False, "margin": -0.2,
             "expected": "reproduced", "verdict": "NOT reproduced"}
    (repo / "book" / "robustness.json").write_text(json.dumps({
        "offsets": [1000, 2000], "written": "2026-12-01T12:00", "env": {"git_sha": "abc1234"},
        "chapters": {"toy": {"1000": {"held": True, "seconds": 3, "error": None, "claims": [dict(claim, ok=True)]},
                             "2000": {"held": False, "seconds": 3, "error": None, "claims": [claim]}}}}))
    (repo / "_toc.yml").write_text("root: intro\nparts:\n  - caption: Part I\n    chapters:\n"
                                   "      - file: book/executed/toy\n")
    reproducibility.generate(SimpleNamespace(srcdir=str(repo)), None)
    table = (repo / "book" / "generated" / "dashboard_table.md").read_text()
    assert table.startswith("**Part I**") and "| **1/2** |" in table
    status = (repo / "book" / "generated" / "status.md").read_text()
    assert "| toy | gap | ≥ 5 | 8 ✓ | 4 ✓ | 4 ✗ |" in status


def test_a_bar_in_a_claim_cannot_split_a_table_cell():
    assert reproducibility.cell("|slope L(D) − slope L(P)|") == "\\|slope L(D) − slope L(P)\\|"


def test_paper_metadata_renders_a_citation_entry():
    bib = PAPER.bibtex()
    assert "author = {Doe, Jane and Roe, Rick}" in bib and "eprint = {2401.00001}" in bib
    assert PAPER.short_authors == "Doe & Roe"


def test_bibtex_entries_by_type():
    journal = chapter.Paper(**{**PAPER.__dict__, "kind": "article", "booktitle": "Neural Networks"})
    preprint = chapter.Paper(**{**PAPER.__dict__, "kind": "misc", "booktitle": "arXiv preprint arXiv:2401.00001"})
    assert journal.bibtex().startswith("@article{doe2024x,") and "journal = {Neural Networks}" in journal.bibtex()
    assert preprint.bibtex().startswith("@misc{") and "howpublished = {arXiv preprint" in preprint.bibtex()
    assert "booktitle = {International Conference" in PAPER.bibtex()
    with pytest.raises(ValueError, match="kind must be one of"):
        chapter.Paper(**{**PAPER.__dict__, "kind": "book"})

"""Chapter metadata and summaries, and the build's stale-output guard (book/_ext)."""
import json
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from reglab import chapter, records
from reglab.claims import Claim

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book" / "_ext"))
import reproducibility  # noqa: E402

PAPER = chapter.Paper(key="doe2024x", title="A Paper", authors=("Doe, Jane", "Roe, Rick"), venue="ICML",
                      booktitle="International Conference on Machine Learning", year=2024, arxiv="2401.00001")
CHAPTER = chapter.Chapter(slug="toy", title="Toy chapter", paper=PAPER, claim="x beats y",
                          claims=(Claim("gap", "x beats y", "Table 1", "+7", "gap (points)", low=5.0),),
                          deviations=("smaller",))


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A fake checkout: reglab sources, a notebook, a table of contents, a fixed commit."""
    (tmp_path / "reglab").mkdir()
    (tmp_path / "reglab" / "core.py").write_text("x = 1\n")
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "toy.ipynb").write_text("{}")
    (tmp_path / "_toc.yml").write_text("root: intro\nchapters:\n  - file: book/executed/toy\n")
    monkeypatch.setattr(chapter, "REPO", tmp_path)
    monkeypatch.setattr(records, "git_sha", lambda: "abc123")
    monkeypatch.chdir(tmp_path / "notebooks")  # where papermill runs the chapters
    return tmp_path


def _execute(repo, sha="abc123"):
    """What `make book` leaves: the summary and an executed notebook stamped by its footer."""
    summary = chapter.save_summary(CHAPTER, {"gap": (8.0, "(3 seeds)")}, [], "book")

    def stamp(name, value):
        return {"output_type": "display_data", "metadata": {"scrapbook": {
            "name": name, "mime_prefix": "application/papermill.record/"}},
            "data": {"application/papermill.record/text/plain": repr(value)}}

    nb = {"metadata": {"papermill": {"duration": 12.5}}, "cells": [{"cell_type": "code", "outputs": [
        stamp("provenance_fingerprint", summary["fingerprint"]), stamp("provenance_git_sha", sha),
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


def test_fingerprint_follows_reglab_and_the_notebook(repo):
    before = chapter.fingerprint("toy")
    (repo / "reglab" / "core.py").write_text("x = 2\n")
    assert chapter.fingerprint("toy") != before
    assert chapter.fingerprint("not_a_chapter") is None


def test_current_chapter_passes_the_guard(repo):
    _execute(repo)
    assert reproducibility.stale_reasons(repo, "toy") == []


def test_guard_refuses_an_edited_notebook(repo):
    _execute(repo)
    (repo / "notebooks" / "toy.ipynb").write_text('{"changed": true}')
    assert any("fingerprint" in r for r in reproducibility.stale_reasons(repo, "toy"))


def test_guard_refuses_another_commit(repo):
    _execute(repo, sha="def456")
    assert any("def456" in r for r in reproducibility.stale_reasons(repo, "toy"))


def test_guard_refuses_a_missing_execution_and_the_build_names_the_chapter(repo):
    with pytest.raises(Exception, match="chapter toy: book/executed/toy.ipynb is missing"):
        reproducibility.generate(SimpleNamespace(srcdir=str(repo)), None)


def test_build_generates_dashboard_status_and_bibliography(repo):
    _execute(repo)
    reproducibility.generate(SimpleNamespace(srcdir=str(repo)), None)
    out = repo / "book" / "generated"
    row = (out / "dashboard_table.md").read_text().splitlines()[2]
    assert "Toy chapter" in row and "+7 (Table 1)" in row and "**reproduced** in 12 s" in row
    assert "8 (3 seeds)" in row and row.endswith("| — |")  # no paper-scale run: never invented
    assert "12 s / 180 s" in (out / "status.md").read_text()
    assert "@inproceedings{doe2024x," in (out / "references.bib").read_text()


def test_paper_metadata_renders_a_citation_entry():
    bib = PAPER.bibtex()
    assert "author = {Doe, Jane and Roe, Rick}" in bib and "eprint = {2401.00001}" in bib
    assert PAPER.short_authors == "Doe & Roe"

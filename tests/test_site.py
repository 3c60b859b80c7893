"""Checks of the built site (`make book` runs them after the build): every chapter page exists,
has its figures and its Colab badge, shows no error output, and needs no network for math."""
import re
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
CHAPTERS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.py"))
pytestmark = pytest.mark.site


def _page(chapter):
    path = HTML / "book" / "executed" / f"{chapter}.html"
    assert path.exists(), f"{path} missing: did `make book` run?"
    return path.read_text()


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_page_has_figures_with_alt_text(chapter):
    imgs = re.findall(r"<img [^>]*src=\"data:image/png[^>]*>", _page(chapter))
    assert len(imgs) >= 2, "expected the chapter's figures"
    assert all(re.search(r'alt="[^"]{20,}"', img) for img in imgs), "every figure needs alt text"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_page_has_no_error_output(chapter):
    page = _page(chapter)
    # error outputs as myst-nb renders them (source code showing `raise ValueError` is fine)
    for bad in ("Traceback (most recent call last)", "output traceback", "output error", "ClaimFailed"):
        assert bad not in page, f"{chapter}: found {bad!r}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_page_has_verdicts_and_provenance(chapter):
    page = _page(chapter)
    assert page.count("reproduced") >= 1 and "NOT reproduced" not in page
    assert "Provenance:" in page and "git commit" in page and "not checked at this scale" not in page


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_colab_links_open_the_notebook_committed_on_the_configured_branch(chapter):
    repo = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]
    slug, branch = repo["url"].removeprefix("https://github.com/"), repo["branch"]
    links = set(re.findall(r'href="(https://colab\.research\.google\.com/github/[^"]+)"', _page(chapter)))
    path = f"notebooks/{chapter}.ipynb"
    assert links == {f"https://colab.research.google.com/github/{slug}/blob/{branch}/{path}"}
    # the configured branch, else its remote-tracking copy (a CI clone may have only that)
    ref = next((r for r in (branch, f"origin/{branch}") if subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", r], cwd=ROOT, capture_output=True).returncode == 0), None)
    assert ref, f"branch {branch} (repository.branch in _config.yml) is not in this clone"
    committed = subprocess.run(["git", "cat-file", "-e", f"{ref}:{path}"], cwd=ROOT)
    assert committed.returncode == 0, f"{path} is not committed on branch {branch}"


def test_dashboard_lists_every_chapter_with_its_verdict():
    page = (HTML / "book" / "dashboard.html").read_text()
    for chapter in CHAPTERS:
        assert f"executed/{chapter}.html" in page
    verdicts = re.findall(r"<strong>(?:partly )?reproduced</strong>", page)
    assert len(verdicts) == len(CHAPTERS), "every chapter's verdict, and no failed one"


def test_math_is_served_locally():
    page = _page(CHAPTERS[0])
    assert "cdn.jsdelivr.net/npm/mathjax" not in page
    assert list((HTML / "_static").rglob("tex-chtml*.js")), "MathJax is not vendored into _static"

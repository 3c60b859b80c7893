"""Checks of the built site (`make book` runs them after the build): every chapter page exists,
has its figures and its Colab badge, shows no error output, and needs no network for math."""
import re
from pathlib import Path

import pytest

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
    for bad in ("Traceback (most recent call last)", "output traceback", "ClaimFailed", "Error</span>"):
        assert bad not in page, f"{chapter}: found {bad!r}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_page_has_verdicts_and_provenance(chapter):
    page = _page(chapter)
    assert page.count("reproduced") >= 1 and "NOT reproduced" not in page
    assert "git commit" in page and "not checked at this scale" not in page


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_colab_badge_opens_the_committed_notebook(chapter):
    links = re.findall(r'href="(https://colab\.research\.google\.com/github/[^"]+)"', _page(chapter))
    assert links and all(link.endswith(f"/notebooks/{chapter}.ipynb") for link in links)
    assert (ROOT / "notebooks" / f"{chapter}.ipynb").exists()


def test_math_is_served_locally():
    page = _page(CHAPTERS[0])
    assert "cdn.jsdelivr.net/npm/mathjax" not in page
    assert list((HTML / "_static").rglob("tex-chtml*.js")), "MathJax is not vendored into _static"

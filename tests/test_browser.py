"""Opens every page of the built site in headless Chromium (Playwright) and checks, per page:
no JavaScript console or page errors, every <img> loaded, math typeset by MathJax (no raw
delimiters left), no request leaving file://, every internal link and #fragment resolves.
A full-page screenshot of each page goes to _build/screenshots/.

Needs `pip install playwright` and Debian's chromium at /usr/bin/chromium (no `playwright install`).
Run after `make book`:  .venv/bin/python -m pytest -m browser tests/test_browser.py
"""
import re
import shutil
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"  # Debian's package
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
SKIP = {"genindex.html", "search.html"}
LOCAL_SCHEMES = {"file", "data", "about", "blob"}
PAGES = ["index.html"] + sorted(str(p.relative_to(HTML)) for p in (HTML / "book").rglob("*.html")
                                if p.name not in SKIP)
pytestmark = pytest.mark.browser

# Visible text with code hidden (code may legitimately show "$$" or "\("); restores the page after.
VISIBLE_TEXT_JS = """() => {
  const s = document.createElement('style');
  s.textContent = 'pre, code, .highlight { display: none !important; }';
  document.head.appendChild(s);
  const text = document.body.innerText;
  s.remove();
  return text;
}"""
MATHJAX_DONE_JS = """async () => {
  const timeout = new Promise((_, no) => setTimeout(() => no(new Error('MathJax typesetting timed out')), 15000));
  await Promise.race([window.MathJax.startup.promise, timeout]);
}"""
SETTLED_JS = """async () => {
  await document.fonts.ready;
  return document.readyState === 'complete' && [...document.images].every(img => img.complete);
}"""
BROKEN_IMAGES_JS = """() => [...document.images]
  .filter(img => !(img.complete && img.naturalWidth > 0))
  .map(img => img.currentSrc || img.src || img.outerHTML)"""


@pytest.fixture(scope="module")
def browser():
    if not HTML.is_dir():
        pytest.fail(f"{HTML} does not exist: run `make book` first", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


@cache
def ids_in(path: Path) -> frozenset:
    text = path.read_text(errors="replace")
    return frozenset(unquote(m) for m in re.findall(r'\b(?:id|name)="([^"]+)"', text))


def broken_links(hrefs):
    """Internal links (relative or file://) whose target file, or #fragment in it, is missing."""
    bad = []
    for href in sorted(set(hrefs)):
        url = urlsplit(href)
        if url.scheme != "file":  # http(s), mailto, javascript: not ours to check
            continue
        target = Path(unquote(url.path))
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            bad.append(f"{href} (no such file)")
        elif url.fragment and target.suffix == ".html" and unquote(url.fragment) not in ids_in(target):
            bad.append(f"{href} (no element with id/name {url.fragment!r})")
    return bad


def short(url, n=100):
    return url if len(url) <= n else url[:n] + "..."


@pytest.mark.parametrize("rel", PAGES)
def test_page_renders_cleanly_offline(browser, rel):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    console_errors, page_errors, requests = [], [], []
    page.on("console", lambda m: m.type == "error" and console_errors.append(
        f"{m.text} ({m.location['url'].rsplit('/', 1)[-1]}:{m.location['lineNumber']})"))
    page.on("pageerror", lambda e: page_errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    try:
        page.goto((HTML / rel).as_uri(), wait_until="load")
        if rel == "index.html":  # a meta-refresh redirect: check the page it lands on
            page.wait_for_url(lambda url: not url.endswith("/index.html"), timeout=10_000)
            page.wait_for_load_state("load")
        landed = Path(unquote(urlsplit(page.url).path))
        where = f"{rel} (landed on {landed.relative_to(HTML)})" if landed != HTML / rel else rel
        has_math = bool(re.search(r'class="[^"]*\bmath\b', landed.read_text()))
        if page.evaluate("() => !!window.MathJax"):
            page.wait_for_function("() => window.MathJax.startup?.promise", timeout=15_000)
            page.evaluate(MATHJAX_DONE_JS)
        # Settled = every image has finished (loaded or failed) and every web font is in.
        # Not "networkidle": Playwright discourages it for tests, and on file:// pages it
        # sometimes never fires although no request is pending (CI failed 3 pages on it).
        page.wait_for_function(SETTLED_JS, timeout=90_000)  # a busy 2-core box is slow

        problems = []
        problems += [f"console error: {e}" for e in console_errors]
        problems += [f"uncaught page error: {e}" for e in page_errors]
        problems += [f"image did not load: {short(src)}" for src in page.evaluate(BROKEN_IMAGES_JS)]
        text = page.evaluate(VISIBLE_TEXT_JS)
        problems += [f"raw math delimiter {d!r} left in the visible text"
                     for d in ("$$", "\\(", "\\[") if d in text]
        if has_math and page.locator("mjx-container").count() == 0:
            problems.append("page has math but MathJax rendered no mjx-container")
        problems += [f"request left file://: {short(u)}" for u in requests
                     if urlsplit(u).scheme not in LOCAL_SCHEMES]
        hrefs = page.eval_on_selector_all("a[href]", "as => as.map(a => a.href)")
        problems += [f"broken internal link: {b}" for b in broken_links(hrefs)]

        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SHOTS / (rel.removesuffix(".html").replace("/", "_") + ".png"),
                        full_page=True)
    finally:
        page.close()
    assert not problems, f"{where}: {len(problems)} problem(s)\n  " + "\n  ".join(problems)


def test_dashboard_tables_fit_a_laptop_screen(browser):
    """No dashboard table scrolls sideways at 1280 px: every column, the `paper` one too, is seen."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto((HTML / "book" / "dashboard.html").as_uri(), wait_until="load")
        overflow = page.eval_on_selector_all(
            "table", "ts => ts.map(t => { const box = t.closest('.pst-scrollable-table-container') || t.parentElement;"
                     " return box.scrollWidth - box.clientWidth; })")
    finally:
        page.close()
    assert overflow and max(overflow) <= 1, f"dashboard tables overflow by {overflow} px"

"""Page tweaks: Open-in-Colab for the chapter pages, and no duplicated inline scripts.

Colab. Chapter pages are the notebooks papermill executed into book/executed/.
The theme builds its Colab launch link from the page's own path, which is the executed copy
(not committed). Colab must open the committed, output-free twin in notebooks/ instead, so
this extension rewrites the launch links and puts a badge at the top of every chapter page.
The repository URL and branch come from `repository:` in _config.yml, the one setting.
"""
EXECUTED, SOURCE = "book/executed/", "notebooks/"


def colab_url(app, pagename: str) -> str:
    opts = app.config.html_theme_options
    repo = opts.get("repository_url", "").rstrip("/").removeprefix("https://github.com/")
    branch = opts.get("repository_branch", "main")
    return (f"https://colab.research.google.com/github/{repo}/blob/{branch}/"
            f"{SOURCE}{pagename.removeprefix(EXECUTED)}.ipynb")


def _rewrite_buttons(buttons):
    for b in buttons:  # launch buttons only (absolute URLs), not the download links
        if isinstance(b.get("url"), str) and b["url"].startswith("http"):
            b["url"] = b["url"].replace("/" + EXECUTED, "/" + SOURCE)
        if isinstance(b.get("buttons"), list):
            _rewrite_buttons(b["buttons"])


def _dedupe_scripts(context):
    """Jupyter Book 1.0.4 with Sphinx 7.4 emits the inline scripts of sphinx-thebe and
    sphinx-togglebutton twice, once with filename None and once with "" (seen in a minimal
    book too); the second `const THEBE_JS_URL` is a JavaScript SyntaxError on every page.
    Keep the first of each script that differs only in that."""
    seen, unique = set(), []
    for js in context.get("script_files", []):
        attrs = getattr(js, "attributes", {})
        key = (getattr(js, "filename", None) or "", getattr(js, "priority", 0), tuple(sorted(attrs.items())))
        if key not in seen:
            seen.add(key)
            unique.append(js)
    context["script_files"] = unique


def _on_page(app, pagename, templatename, context, doctree):
    _dedupe_scripts(context)
    if not pagename.startswith(EXECUTED):
        return
    _rewrite_buttons(context.get("header_buttons", []))
    badge = context["pathto"]("_static/colab-badge.svg", 1)
    context["body"] = (f'<p class="colab-badge"><a href="{colab_url(app, pagename)}">'
                       f'<img src="{badge}" alt="Open this chapter in Colab" height="20"/></a></p>\n'
                       + context.get("body", ""))


def setup(app):
    # after the theme (priority 501) has built its header buttons
    app.connect("html-page-context", _on_page, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

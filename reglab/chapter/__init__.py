"""The publishing machinery: what turns an experiment into a checked chapter page.

Notebooks write `from reglab import chapter` and use the names below; `book/_ext` reads the
summaries. Nothing else in reglab imports this package (tested): the core, the regularizers
and the topic modules know nothing of the book.
"""
from .claims import CHECKED_AT, Claim, ClaimFailed, as_expected, plan, spread
from .meta import Chapter, Paper, fingerprint, save_summary, summary_path, used_modules
from .page import check, elapsed, figure, glue, paper_scale, provenance, setup, show_source

__all__ = ["CHECKED_AT", "Chapter", "Claim", "ClaimFailed", "Paper", "as_expected", "check", "elapsed", "figure",
           "fingerprint", "glue", "paper_scale", "plan", "provenance", "save_summary",
           "setup", "show_source", "spread", "summary_path", "used_modules"]

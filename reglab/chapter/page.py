"""What a chapter page shows besides its science: setup, glue, figures with
alt text, the library's source, the verdict, the paper-scale note and the provenance footer."""
from __future__ import annotations

import html
import json
import time
from pathlib import Path

import pandas as pd

from .. import config, plots, training
from . import claims as claims_

_STARTED = time.perf_counter()


def setup(scale: str):
    """A chapter's first lines: the scale it runs at ($REGLAB_SCALE overrides the notebook's
    `scale` parameter), the device, one CPU thread for torch and BLAS alike
    (training.set_cpu_threads), the house plot style, and the clock the summary reports.
    Returns (SCALE, DEVICE)."""
    global _STARTED
    _STARTED = time.perf_counter()
    config.seed_offset()  # a bad $REGLAB_SEED_OFFSET fails here, in one line
    training.set_cpu_threads()
    plots.use_style()
    return config.resolve_scale(scale), training.device()


def elapsed() -> float:
    """Seconds since `setup`."""
    return time.perf_counter() - _STARTED


def glue(name: str, value, display: bool = False):
    """myst-nb's glue (numbers in the prose come from the run); a no-op where myst-nb is absent (Colab)."""
    try:
        from myst_nb import glue as _glue
    except ImportError:
        return value
    _glue(name, value, display=display)
    return value


def check(summary: dict):
    """The verdict table of a summary (`save_summary`), with every claim's number glued as
    `claim_<key>` and its spread as `claim_<key>_spread`, so prose and table cannot disagree.
    Raises claims.ClaimFailed at a checked scale when a claim is not as expected."""
    table = summary["claims"]
    for r in table:
        glue(f"claim_{r['key']}", f"{r['ours']:.3g}")
        glue(f"claim_{r['key']}_spread", r["spread"])
    failed = claims_.failures(table, summary["scale"])
    if failed:
        raise claims_.ClaimFailed(f"{len(failed)} claim(s) not as expected at {summary['scale']!r} "
                                  f"scale: " + "; ".join(failed))
    seeds = f", seeds {claims_.seeds_text(summary['seeds'])}" if summary.get("seeds") else " (no random draws)"
    runs = f"From {summary['runs']} runs{seeds}." if "runs" in summary else ""
    return claims_.verdict_table(table, runs)


def paper_scale(slug: str, root: str | Path = "results"):
    """"Run it at paper scale", from the committed `paper` records when there are any."""
    from IPython.display import Markdown

    from .meta import summary_path

    path = summary_path(slug, "paper", root)
    if not path.exists():
        return Markdown("Not yet run at `paper` scale on a GPU: no records are committed.")
    s = json.loads(path.read_text())
    n_ok = sum(claims_.as_expected(r) for r in s["claims"])
    return Markdown(f"Committed `paper`-scale records: {s['runs']} runs on {s['env']['device']} "
                    f"in {s['run_seconds']:.0f} s of run time ({s['written'][:10]}, commit "
                    f"`{s['env']['git_sha'][:7]}`); verdict **{s['verdict']}**, {n_ok} of "
                    f"{len(s['claims'])} claims as expected. They fill the dashboard's `paper` column.")


def provenance(summary: dict):
    """The provenance footer, collapsed under one line: where the chapter's numbers come from.

    It also stamps the executed notebook (glue) with the fingerprint of the sources that
    produced it and the modules it covers, which the build's stale-output guard and the
    incremental build compare with the sources they see.
    """
    from IPython.display import HTML

    env = summary["env"]
    glue("provenance_fingerprint", summary["fingerprint"])
    glue("provenance_modules", summary["modules"])
    glue("provenance_git_sha", env.get("git_sha"))
    glue("provenance_scale", summary["scale"])
    glue("provenance_seed_offset", summary["seed_offset"])
    facts = {
        "scale": summary["scale"],
        "runs": summary["runs"],
        "seeds": ", ".join(map(str, summary["seeds"])),
        "seed offset ($REGLAB_SEED_OFFSET)": summary["seed_offset"],
        "total run time (s)": f"{summary['run_seconds']:.1f}",
        "peak memory (MB)": f"{summary['peak_memory_mb']:.0f}",
        "git commit": env.get("git_sha"),
        "source fingerprint": summary["fingerprint"] or "n/a (not run from a checkout)",
        "reglab": summary["reglab"],
        "torch": env.get("torch"),
        "python": env.get("python"),
        "device": f"{env.get('device')}, {env.get('threads')} thread(s)",
        "date": env.get("date"),
        "reglab modules used": ", ".join(m.removeprefix("reglab/") for m in summary["modules"]),
    }
    line = (f"{summary['runs']} runs, seeds {claims_.seeds_text(summary['seeds'])}, "
            f"{summary['notebook_seconds']:.0f} s on {env.get('device')}, commit "
            f"{str(env.get('git_sha'))[:7]}")
    table = pd.DataFrame({"": list(facts.values())}, index=list(facts)).to_html(header=False)
    return HTML(f"<details><summary>Provenance: {html.escape(line)}</summary>\n{table}\n</details>")


def show_source(*fns):
    """Display the source of reglab functions as code blocks, one per file: the chapter shows
    the library code it relies on instead of retyping it."""
    import inspect

    from IPython.display import Markdown

    by_file: dict[str, list[str]] = {}
    for f in fns:
        path = "reglab/" + inspect.getsourcefile(f).replace("\\", "/").split("/reglab/")[-1]
        by_file.setdefault(path, []).append(inspect.getsource(f).rstrip())
    return Markdown("\n\n".join(f"From `{path}`:\n\n```python\n" + "\n\n".join(code) + "\n```"
                                for path, code in by_file.items()))


def figure(fig, alt: str) -> None:
    """Show a matplotlib figure as a PNG with alt text (for screen readers and broken images)."""
    import base64
    import io

    import matplotlib.pyplot as plt
    from IPython.display import display

    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    plt.close(fig)
    png = base64.b64encode(buf.getvalue()).decode()
    img = f'<img src="data:image/png;base64,{png}" alt="{html.escape(alt)}" style="max-width:100%"/>'
    display({"text/html": img, "image/png": png, "text/plain": f"<figure: {alt}>"}, raw=True)

"""Helpers for the chapter notebooks: glue, progress bars, the provenance footer."""
from __future__ import annotations

import pandas as pd


def setup(scale: str):
    """A chapter's first lines: the scale it runs at ($REGLAB_SCALE overrides the notebook's
    `scale` parameter), the device, one CPU thread (see training.set_cpu_threads) and the
    house plot style. Returns (SCALE, DEVICE)."""
    from . import config, plots, training

    training.set_cpu_threads()
    plots.use_style()
    return config.resolve_scale(scale), training.device()


def glue(name: str, value, display: bool = False):
    """myst-nb's glue (numbers in the prose come from the run); a no-op where myst-nb is absent (Colab)."""
    try:
        from myst_nb import glue as _glue
    except ImportError:
        return value
    _glue(name, value, display=display)
    return value


def progress(iterable, **kwargs):
    """A text progress bar: it works alike in Jupyter, Colab and papermill (no widgets needed)."""
    from tqdm.std import tqdm

    return tqdm(iterable, mininterval=2.0, **kwargs)


def provenance(summary: dict):
    """The provenance footer: where the chapter's numbers come from, from its summary.

    It also stamps the executed notebook (glue) with the fingerprint of the sources that
    produced it, which the build's stale-output guard compares with the sources it renders.
    """
    env = summary["env"]
    glue("provenance_fingerprint", summary["fingerprint"])
    glue("provenance_git_sha", env.get("git_sha"))
    glue("provenance_scale", summary["scale"])
    facts = {
        "scale": summary["scale"],
        "runs": summary["runs"],
        "seeds": ", ".join(map(str, summary["seeds"])),
        "total run time (s)": f"{summary['run_seconds']:.1f}",
        "peak memory (MB)": f"{summary['peak_memory_mb']:.0f}",
        "git commit": env.get("git_sha"),
        "source fingerprint": summary["fingerprint"] or "n/a (not run from a checkout)",
        "reglab": summary["reglab"],
        "torch": env.get("torch"),
        "python": env.get("python"),
        "device": f"{env.get('device')}, {env.get('threads')} thread(s)",
        "date": env.get("date"),
    }
    return pd.DataFrame({"": list(facts.values())}, index=list(facts))


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
    import html
    import io

    import matplotlib.pyplot as plt
    from IPython.display import display

    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    plt.close(fig)
    png = base64.b64encode(buf.getvalue()).decode()
    img = f'<img src="data:image/png;base64,{png}" alt="{html.escape(alt)}" style="max-width:100%"/>'
    display({"text/html": img, "image/png": png, "text/plain": f"<figure: {alt}>"}, raw=True)

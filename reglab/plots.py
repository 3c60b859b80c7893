"""One house style for every figure: colour-blind-safe palette, labelled axes, mean ± sd bands."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns

# Okabe–Ito via seaborn's "colorblind" palette; line styles tell series apart in grey print too.
PALETTE = sns.color_palette("colorblind")
LINESTYLES = ["-", "--", ":", "-."]


def use_style() -> None:
    """Apply the house style (call once per notebook, after importing)."""
    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE, font_scale=1.15,
                  rc={"figure.dpi": 110, "savefig.dpi": 110, "axes.titleweight": "bold",
                      "legend.frameon": False, "figure.constrained_layout.use": True})


def mean_band(ax, x, runs, label: str, i: int = 0, linestyle: str | None = None) -> None:
    """Plot the mean over runs (rows of `runs`) with a ±1 sd band, in series colour/style `i`."""
    runs = np.asarray(runs, dtype=float).reshape(-1, len(x))
    n = len(runs)
    mean = runs.mean(0)
    ax.plot(x, mean, color=PALETTE[i], linestyle=linestyle or LINESTYLES[i % len(LINESTYLES)], lw=2,
            label=f"{label} (mean of {n})" if n > 1 else label)
    if n > 1:
        sd = runs.std(0, ddof=1)  # sample sd over runs, as in every table of the book
        ax.fill_between(x, mean - sd, mean + sd, color=PALETTE[i], alpha=0.2, lw=0)


def panels(n: int, width: float = 4.4, height: float = 3.6):
    """A row of n axes sized for the book's text column."""
    fig, axes = plt.subplots(1, n, figsize=(width * n, height), squeeze=False)
    return fig, list(axes[0])

# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Grokking: data size and weight decay decide which features emerge

# %% tags=["remove-cell"]
# Colab bootstrap: there the package is not installed. Off Colab this cell does nothing.
import sys

if "google.colab" in sys.modules:
    get_ipython().run_line_magic("pip", "install -q git+https://github.com/regularization-reproduced/book")

# %% tags=["parameters", "remove-cell"]
scale = "book"  # smoke | book | paper; the environment variable REGLAB_SCALE overrides it

# %% tags=["remove-input"]
from reglab import chapter, config, data, training
from reglab.topics import modular_features as mf

CHAPTER = chapter.Chapter(
    slug="grokking_feature_emergence",
    title="Grokking: data size and weight decay decide which features emerge",
    paper=chapter.Paper(
        key="tian2025li2", title="Provable Scaling Laws of Feature Emergence from Learning Dynamics of Grokking",
        authors=("Tian, Yuandong",), venue="arXiv", booktitle="arXiv preprint arXiv:2509.21519",
        year=2025, arxiv="2509.21519", kind="misc",
        code="https://github.com/facebookresearch/luckmatters/tree/main/ssl/real-dataset/cogo"),
    claim="On modular addition, a training fraction of c·ln M / M (c = 2.7482 in the official code, "
          "i.e. about 2.75·M ln M pairs) separates a two-layer network that memorises from one that "
          "generalises, and weight decay is what lets the generalising features emerge.",
    budget_s={"smoke": 20, "book": 180, "paper": 3600},
    uses=(mf.critical_fraction, mf.QuadraticPairNet, mf.fourier_spectrum, mf.fourier_concentration,
          data.modular_arithmetic, training.fit),
)
CHAPTER.card(config.resolve_scale(scale))

# %% [markdown]
# Tian's Li₂ framework {cite}`tian2025li2` splits grokking in a two-layer network into three
# stages. **Lazy learning:** the top layer fits the training labels with the random hidden
# features it starts with, so the network memorises. **Independent feature learning:** once
# the top layer has fitted, and *because of weight decay*, the gradient sent back to the
# hidden layer carries information about the labels, and each hidden unit climbs an energy
# whose local maxima are the features that generalise. **Interactive feature learning:** the
# units then interact, and the gradient focuses on the features still missing. On group
# arithmetic the analysis gives scaling laws; the official code encodes the one for data as a
# training fraction of c·ln M / M, with c = 2.7482, for a group of order M.
#
# For a book on regularisation this is one of several grokking chapters. The chapter on Prieto et
# al. ({doc}`grokking_numerical_stability`) generalises with *no* regulariser, by fixing the
# numerics of the softmax. Here the regulariser is the point: weight decay and the amount of
# data decide *which* features the hidden layer ends up with, random ones that memorise or
# the group's Fourier modes that generalise.
#
# We train the paper's network on addition mod M for two group orders, at the same
# *multiples* of the boundary c·ln M / M, and check three things. Below the boundary it
# memorises and above it generalises, at both M. The same *raw* fraction that generalises at
# the larger M memorises at the smaller one, as the law says it should. Without weight decay,
# the network on the larger group memorises even at twice the boundary. We also measure the
# features themselves: how much of each hidden unit's weights lies on one frequency of Z_M.
#
# ## What we check

# %%
from reglab import chapter
from reglab.chapter import Claim

LAW = "Abstract (scaling law); c from the official config"
CLAIMS = (
    Claim("train_min", "Every run fits its training set", "Abstract (Stage I, lazy learning)",
          "qualitative: the top layer overfits", "train accuracy, worst run", low=0.999),
    Claim("below_max", "Below the boundary the network memorises: 0.75 × c·ln M/M", LAW,
          "boundary at n ≈ c·M ln M, c = 2.7482 (code); plotted values not verified",
          "test accuracy at ×0.75, worst run over both M", high=0.2),
    Claim("above_min", "Above the boundary it generalises: 2 × c·ln M/M", LAW,
          "boundary at n ≈ c·M ln M, c = 2.7482 (code); plotted values not verified",
          "test accuracy at ×2, worst run over both M", low=0.9),
    Claim("same_fraction_gap", "The boundary falls with M like c·ln M/M: one raw fraction, 1.5× the "
          "boundary of the larger M, is below the boundary of the smaller M", LAW,
          "fraction needed falls with M as ln M / M",
          "test acc., larger M − smaller M, at the same raw fraction", low=0.4),
    Claim("wd_gap", "Weight decay is needed for the features to emerge",
          "Abstract (Stage I → II); section not verified", "qualitative",
          "test acc. with − without weight decay, largest M at ×2", low=0.5),
    Claim("fourier_wd", "The features that emerge are the group's Fourier modes",
          "Abstract (features = local maxima of E); Fourier modes: our reading, not verified",
          "qualitative", "Fourier concentration, runs at ×2 with weight decay, worst", low=0.8),
    Claim("fourier_no_wd", "...and without weight decay the layer stays mostly random",
          "Abstract (Stage I → II); our reading, not verified", "qualitative",
          "Fourier concentration, largest M at ×2 without weight decay, worst", high=0.5),
)
chapter.plan(CLAIMS)

# %% [markdown]
# The bounds on test accuracy stay far from the boundary, where the outcome is sharp: 0.2 is
# well above chance (1/M) and far below the 90% that counts as generalising. Between ×1.0 and
# ×1.5 the outcome depends on the seed and on the number of epochs, so no check sits there;
# the ×1.5 runs serve the figures and the same-fraction comparison, whose bound (0.4) asks
# for a large gap, not a precise value. The Fourier bounds come from what the measure means,
# not from our runs: 1 is a network made only of Fourier modes; 0.8 means that at least 80%
# of the layer's energy lies on its units' best frequencies, and below 0.5 most of it lies
# elsewhere. Random weights score far lower, the largest of ⌊M/2⌋ random shares. These
# Fourier claims were added after a pilot on three seeds, as the chapter's specification
# asked.
#
# ## The method
# The network is the official one: a pair (a, b) of elements of Z_M enters as two one-hot
# vectors, two linear maps A and B (M → K, no bias) are added, the activation is the
# square, and a linear map C (K → M) gives the logits: $f(a, b) = C\,(A e_a + B e_b)^{2}$.
# It is trained with cross-entropy and Adam with coupled L2 weight decay, full batch. The
# training fraction is a multiple of the boundary c·ln M / M.
#
# To see which features emerge, we take each hidden unit's input weights $A_j$ and $B_j$ (a
# function of the group element $a$), compute their discrete Fourier transform over Z_M, and
# ask what share of the unit's energy lies on its best frequency ±k. The constant component
# is removed, since it does not depend on $a$. Summed over units, energy-weighted, this
# *Fourier concentration* is 1 for a network of pure Fourier modes (tested) and low for
# random weights.

# %% tags=["remove-input"]
chapter.show_source(mf.critical_fraction, mf.QuadraticPairNet, mf.fourier_spectrum, mf.fourier_concentration)

# %% [markdown]
# ## Configuration
# Defaults are the official `config/dyn_madd.yaml`: M = 127, K = 512 hidden units, square
# activation, Adam with learning rate 1e-3 and weight decay 1e-4 (PyTorch's coupled L2),
# 3,000 full-batch epochs, cross-entropy (`loss_func: nll`). The shipped yaml also sets
# `set_weight_reg: 1e-3`, which the script only allows with the MSE loss; like the paper's
# cross-entropy runs, we leave it off. Each scale runs every group order at each multiple of
# the boundary, the smallest M at the raw fraction that is ×1.5 for the largest, and every M
# at ×2 without weight decay. `base` below shows the settings the runs share; M and the
# multiple come from the grid.
#
# **Deviations from the paper**, at `book` scale:
# - **Size.** Group orders 23 and 47 instead of 127, and K = 256 hidden units instead of 512,
#   to fit the CPU budget.
# - **Weight decay 5e-4** instead of 1e-4, so that grokking finishes within the 3,000 epochs;
#   it was chosen for speed, not tuned on the checks.
# - **One seed per cell.** The checks were fixed after a pilot of the same grid on three
#   seeds (offsets 0, 100 and 200), where every check held with a wide margin; the book run
#   itself has one seed per cell.
# - **The split** is `reglab.data.modular_arithmetic`'s seeded permutation of the M² pairs,
#   not scikit-learn's `train_test_split`; the number of training pairs is the same,
#   round(fraction · M²).
# - **The first layer** looks up two weight columns instead of multiplying by a frozen
#   identity embedding: the same parameters and gradients.

# %%
from dataclasses import asdict, dataclass

import numpy as np
import torch
import torch.nn.functional as F

from reglab import config, data, metrics, plots, records, training
from reglab.topics import modular_features as mf

SCALE, DEVICE = chapter.setup(scale)


@dataclass(frozen=True)
class Cfg:
    M: int = 127                # order of the group: labels are (a + b) mod M
    mult: float = 1.0           # training fraction = mult × c·ln M / M; 1 is the boundary
    width: int = 512            # K, hidden units
    lr: float = 1e-3            # Adam
    weight_decay: float = 1e-4  # coupled L2 (torch.optim.Adam's weight_decay), on A, B and C
    epochs: int = 3000          # full-batch steps
    eval_every: int = 50        # epochs between measurements of the curves
    seed: int = 0
    scale: str = "paper"


BELOW, MID, ABOVE = 0.75, 1.5, 2.0  # multiples of the boundary


def grids(Ms, mults, seeds):
    """Every M at every multiple; the smallest M at the raw fraction that is ×1.5 for the
    largest; every M at ×2 without weight decay."""
    small, large = min(Ms), max(Ms)
    same_fraction = MID * mf.critical_fraction(large) / mf.critical_fraction(small)
    return [dict(M=Ms, mult=mults, seed=seeds),
            dict(M=[small], mult=[same_fraction], seed=seeds),
            dict(M=Ms, mult=[ABOVE], weight_decay=[0.0], seed=seeds)]


PRESETS = {  # per scale: (overrides of Cfg, grids of runs)
    "smoke": (dict(width=32, weight_decay=5e-4, epochs=200), grids([17, 23], [BELOW, MID, ABOVE], [0])),
    "book": (dict(width=256, weight_decay=5e-4), grids([23, 47], [BELOW, MID, ABOVE], [0])),
    "paper": (dict(), grids([23, 47, 71, 97, 127], [0.5, BELOW, 1.0, 1.25, MID, ABOVE], [0, 1, 2])),
}
TOP_UNITS = 48  # the units whose spectra a record keeps, by energy
base, cfgs = config.at_scale(Cfg(), PRESETS, SCALE)
base

# %% [markdown]
# ## The experiment
# One run trains one network with one seed; the seed draws the train/test split and the
# initialisation. Every `eval_every` epochs we record train and test accuracy, the Fourier
# concentration of the first layer and the weight norm. At the end the record keeps the
# frequency spectra of the `TOP_UNITS` units with the most energy, and their share of the
# layer's energy, for the figures. `measure` turns the records into each claim's number.

# %%
def run(cfg: Cfg) -> records.Record:
    training.seed_all(cfg.seed)
    fraction = mf.critical_fraction(cfg.M, cfg.mult)
    train_set, test_set = (d.to(DEVICE) for d in data.modular_arithmetic(cfg.M, fraction, cfg.seed))
    model = mf.QuadraticPairNet(cfg.M, cfg.width).to(DEVICE)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)

    def loss_fn(model, batch):
        return F.cross_entropy(model(batch.x), batch.y)

    def monitor(model):
        return {"train_acc": training.evaluate(model, train_set)["acc"],
                "test_acc": training.evaluate(model, test_set)["acc"],
                "fourier": mf.fourier_concentration(model.A.weight, model.B.weight),
                "weight_norm": metrics.weight_norm(model)}

    history = training.fit(model, opt, train_set, loss_fn, epochs=cfg.epochs, batch_size=len(train_set),
                           monitor=monitor, eval_every=cfg.eval_every)
    spectrum = mf.fourier_spectrum(model.A.weight, model.B.weight)  # (K, ⌊M/2⌋)
    top = spectrum[spectrum.sum(1).argsort(descending=True)[:TOP_UNITS]]
    final = {k: v[-1] for k, v in history.items()}
    final |= {"fraction": fraction, "n_train": len(train_set), "top_energy": (top.sum() / spectrum.sum()).item(),
              "spectrum": (top / top.sum(1, keepdim=True)).round(decimals=3).tolist()}
    return records.Record(config=asdict(cfg), history=history, final=final)


def cells(recs):
    """The runs of each comparison, by what they are, not by seed: {name: [records]}."""
    Ms = sorted({r.config["M"] for r in recs})
    small, large = Ms[0], Ms[-1]
    same = MID * mf.critical_fraction(large) / mf.critical_fraction(small)
    wd = [r for r in recs if r.config["weight_decay"] > 0]
    return {"below": [r for r in wd if r.config["mult"] == BELOW],
            "above": [r for r in wd if r.config["mult"] == ABOVE],
            "large_mid": records.select(wd, M=large, mult=MID), "small_same": records.select(wd, M=small, mult=same),
            "large_above": records.select(wd, M=large, mult=ABOVE),
            "no_wd": records.select(recs, M=large, mult=ABOVE, weight_decay=0.0)}


def measure(recs: list[records.Record]) -> dict:
    """Each claim's number, from the final metrics. Paired comparisons pair runs by seed."""
    c = cells(recs)
    by_seed = lambda rs: sorted(rs, key=lambda r: r.config["seed"])
    acc = lambda rs: records.finals(by_seed(rs), "test_acc")
    fourier = lambda rs: records.finals(by_seed(rs), "fourier")
    return {
        "train_min": chapter.spread(records.finals(recs, "train_acc"), reduce="min", unit="runs"),
        "below_max": chapter.spread(acc(c["below"]), reduce="max", unit="runs"),
        "above_min": chapter.spread(acc(c["above"]), reduce="min", unit="runs"),
        "same_fraction_gap": chapter.spread(acc(c["large_mid"]) - acc(c["small_same"])),
        "wd_gap": chapter.spread(acc(c["large_above"]) - acc(c["no_wd"])),
        "fourier_wd": chapter.spread(fourier(c["above"]), reduce="min", unit="runs"),
        "fourier_no_wd": chapter.spread(fourier(c["no_wd"]), reduce="max"),
    }


# %% [markdown]
# Every group order at ×0.75, ×1.5 and ×2 of the boundary, the smaller one at the larger
# one's ×1.5 fraction, and both at ×2 without weight decay:

# %% tags=["hide-output"]
recs = records.sweep(run, cfgs, CHAPTER.slug)

# %% [markdown]
# Final values: mean and standard deviation over seeds, and the number of runs per row
# (`mult` is the multiple of the boundary, `fraction` the share of the M² pairs trained on):

# %%
table = records.summarize(recs, by=["M", "weight_decay", "mult"],
                          metrics=["fraction", "train_acc", "test_acc", "fourier"])
table.round(3)

# %% [markdown]
# ## Memorise first, generalise later
# Every run fits its training set within a few hundred epochs. Above the boundary the test
# accuracy follows only later, which is grokking; below it, or without weight decay, it
# stays low.

# %% tags=["hide-input"]
def curves(rs, key):
    return rs[0].history["epoch"], [100 * np.array(r.history[key]) for r in rs]


Ms = sorted({c.M for c in cfgs})
fig, axes = plots.panels(len(Ms[:1] + Ms[-1:]))
for ax, M in zip(axes, Ms[:1] + Ms[-1:]):
    runs = [(f"×{m:g}", records.select(recs, M=M, mult=m, weight_decay=base.weight_decay))
            for m in (BELOW, MID, ABOVE)]
    runs += [("×2, no weight decay", records.select(recs, M=M, mult=ABOVE, weight_decay=0.0))]
    for i, (name, rs) in enumerate(r for r in runs if r[1]):
        plots.mean_band(ax, *curves(rs, "test_acc"), f"{name}, test", i)
    plots.mean_band(ax, *curves(runs[2][1], "train_acc"), "×2, train", 7, linestyle=(0, (6, 2, 1, 2, 1, 2)))
    ax.set(xlabel="epoch", ylabel="accuracy (%)", title=f"Addition mod {M}", ylim=(-3, 103))
axes[-1].legend(fontsize="small")
chapter.figure(fig, "Accuracy over training epochs for the smaller group order (left) and the larger one "
               "(right), one curve per training fraction, given as a multiple of the boundary c·ln M/M. "
               "Training accuracy reaches 100% early. Test accuracy at 0.75 times the boundary stays near "
               "zero; at 2 times it climbs late, after several hundred epochs, to near 100%; at 1.5 times "
               "it climbs partway. Without weight decay, at 2 times the boundary, the larger group's test "
               "accuracy stays near zero.")

# %% [markdown]
# ## Same multiple, same outcome
# Plotted against the multiple of c·ln M / M (left), the two group orders give the same
# outcome. Plotted against the raw fraction of pairs (right), they do not: the larger group
# generalises from a smaller share of its pairs, as the law says.

# %% tags=["hide-input"]
fig, (ax_mult, ax_frac) = plots.panels(2)
for i, M in enumerate(Ms):
    rs = records.select(recs, M=M, weight_decay=base.weight_decay)
    mults = sorted({r.config["mult"] for r in rs})
    acc = np.array([100 * records.finals(rs, "test_acc", mult=m).mean() for m in mults])
    fracs = [mf.critical_fraction(M, m) for m in mults]
    style = dict(color=plots.PALETTE[i], linestyle=plots.LINESTYLES[i], marker="os^D"[i % 4], lw=2, label=f"M = {M}")
    ax_mult.plot(mults, acc, **style)
    ax_frac.plot(fracs, acc, **style)
    ax_frac.axvline(mf.critical_fraction(M), color=plots.PALETTE[i], lw=1, linestyle=":")
ax_mult.axvline(1.0, color="grey", lw=1, linestyle=":")
ax_mult.set(xlabel="training fraction / (c·ln M / M)", ylabel="final test accuracy (%)", title="Against the multiple")
ax_frac.set(xlabel="training fraction (share of the M² pairs)", ylabel="final test accuracy (%)",
            title="Against the raw fraction")
ax_mult.legend()
chapter.figure(fig, "Final test accuracy against the training fraction, one line per group order. Left: "
               "the fraction as a multiple of c·ln M/M, with the boundary at 1 dotted; the lines for the "
               "group orders lie close together, near zero below the boundary and near 100% at twice it. "
               "Right: the same runs against the raw share of pairs, with each group's boundary dotted; "
               "the larger group's curve sits to the left, so one raw fraction can give near zero for the "
               "smaller group and high accuracy for the larger one.")

# %% tags=["remove-cell"]
chapter.glue("fourier_start", f"{np.mean([r.history['fourier'][0] for r in cells(recs)['no_wd']]):.2f}")
chapter.glue("top_units", str(TOP_UNITS))
chapter.glue("width", str(base.width))
chapter.glue("top_wd", f"{100 * records.finals(cells(recs)['large_above'], 'top_energy').mean():.0f}")
chapter.glue("top_no_wd", f"{100 * records.finals(cells(recs)['no_wd'], 'top_energy').mean():.0f}")

# %% [markdown]
# ## The features that emerge
# Left: the Fourier concentration of the first layer over training, for the largest group.
# It starts near {glue:text}`fourier_start`, the level of random weights. With weight decay
# and enough data it rises towards 1: each hidden unit ends up on one
# frequency of Z_M. Right: the spectra of the units with the most energy at the end of the
# ×2 runs, one row per unit, sorted by the dominant frequency. With weight decay each row has
# one bright cell. Without it the strongest units lean towards one frequency too, less
# cleanly, but they hold a smaller part of the layer's energy: with weight decay the
# {glue:text}`top_units` strongest of {glue:text}`width` units hold {glue:text}`top_wd`% of
# it, without {glue:text}`top_no_wd`%. Nothing shrinks the random initial weights of the other
# units, so the layer as a whole stays mostly random.

# %% tags=["hide-input"]
from matplotlib.ticker import MaxNLocator

M = Ms[-1]
fig, (ax_f, ax_wd, ax_nowd) = plots.panels(3, width=4.0)
runs = [(f"×{m:g}", records.select(recs, M=M, mult=m, weight_decay=base.weight_decay)) for m in (BELOW, MID, ABOVE)]
runs += [("×2, no weight decay", records.select(recs, M=M, mult=ABOVE, weight_decay=0.0))]
for i, (name, rs) in enumerate(runs):
    epochs = rs[0].history["epoch"]
    plots.mean_band(ax_f, epochs, [r.history["fourier"] for r in rs], name, i)
ax_f.set(xlabel="epoch", ylabel="Fourier concentration", title=f"First layer, M = {M}", ylim=(0, 1.02))
ax_f.legend(fontsize="small", loc="center right", bbox_to_anchor=(1.0, 0.62))
for ax, (name, rs) in [(ax_wd, runs[2]), (ax_nowd, runs[3])]:
    spec = np.array(rs[0].final["spectrum"])
    spec = spec[np.lexsort((-spec.max(1), spec.argmax(1)))]
    im = ax.imshow(spec, aspect="auto", cmap="viridis", vmin=0, vmax=1, interpolation="nearest",
                   extent=(0.5, spec.shape[1] + 0.5, len(spec), 0))
    ax.set(xlabel="frequency k", ylabel="unit (by energy, sorted by frequency)", title=name)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(False)
fig.colorbar(im, ax=ax_nowd, label="share of the unit's energy")
chapter.figure(fig, "Left: Fourier concentration of the first layer over epochs for the largest group "
               "order. At twice the boundary with weight decay it rises from the level of random weights to "
               "above 0.9; at 1.5 times it rises almost as high; at 0.75 times and without weight decay it "
               "stays low. Middle "
               "and right: heat maps of the hidden units' frequency spectra at the end of the runs at twice "
               "the boundary, one row per strong unit and one column per frequency. With weight decay "
               "(middle) each row has a single bright cell, forming a staircase over frequencies; without "
               "weight decay (right) the rows also lean towards one frequency each, but their bright cells "
               "are dimmer and the rest of each row is speckled with other frequencies.")

# %% [markdown]
# ## Paper vs ours

# %%
summary = chapter.save_summary(CHAPTER, CLAIMS, measure(recs), recs, SCALE)
chapter.check(summary)

# %% tags=["remove-cell"]
c = cells(recs)


def first_epoch(rec, key, level):
    return next((e for e, v in zip(rec.history["epoch"], rec.history[key]) if v >= level), float("nan"))


fit_epoch = [first_epoch(r, "train_acc", 0.99) for r in c["above"]]
gen_epoch = [first_epoch(r, "test_acc", 0.9) for r in c["above"]]
chapter.glue("Ms", " and ".join(map(str, Ms)))
chapter.glue("M_small", str(Ms[0]))
chapter.glue("M_large", str(Ms[-1]))
chapter.glue("same_fraction", f"{c['large_mid'][0].final['fraction']:.3f}")
chapter.glue("acc_large_mid", f"{100 * records.finals(c['large_mid'], 'test_acc').mean():.0f}")
chapter.glue("acc_small_same", f"{100 * records.finals(c['small_same'], 'test_acc').mean():.0f}")
chapter.glue("acc_no_wd", f"{100 * records.finals(c['no_wd'], 'test_acc').mean():.0f}")
chapter.glue("acc_no_wd_small", f"{100 * records.finals(recs, 'test_acc', M=Ms[0], weight_decay=0.0).mean():.0f}")
chapter.glue("acc_large_above", f"{100 * records.finals(c['large_above'], 'test_acc').mean():.0f}")
chapter.glue("fit_epochs", f"{min(fit_epoch):g}–{max(fit_epoch):g}")
chapter.glue("gen_epochs", f"{min(gen_epoch):g}–{max(gen_epoch):g}")
chapter.glue("n_runs", str(len(recs)))
chapter.glue("n_seeds", str(len({r.config["seed"] for r in recs})))
chapter.glue("n_paper_runs", str(len(config.at_scale(Cfg(), PRESETS, "paper")[1])))

# %% [markdown]
# Over {glue:text}`n_runs` runs (seeds per cell: {glue:text}`n_seeds`) on addition mod
# {glue:text}`Ms`, every run fits its training set. At 0.75 times the boundary the best
# test accuracy is {glue:text}`claim_below_max`; at twice the boundary the worst is
# {glue:text}`claim_above_min`. These runs fit the training set by epoch
# {glue:text}`fit_epochs` and pass 90% test accuracy only by epoch {glue:text}`gen_epochs`:
# grokking. At the same raw fraction, {glue:text}`same_fraction` of the pairs, the group of
# order {glue:text}`M_large` reaches {glue:text}`acc_large_mid`% and the group of order
# {glue:text}`M_small` {glue:text}`acc_small_same`%. Without weight decay the larger group at
# twice the boundary reaches {glue:text}`acc_no_wd`% against {glue:text}`acc_large_above`%
# with it. With weight decay and enough data the first layer is made of Fourier modes
# (concentration at least {glue:text}`claim_fourier_wd`); without weight decay it stays
# mostly random (at most {glue:text}`claim_fourier_no_wd`).
#
# ## Run it at paper scale
# Set `scale = "paper"` (or `REGLAB_SCALE=paper`) on a machine with a GPU. That runs the
# official settings (K = 512, weight decay 1e-4) for M ∈ {23, 47, 71, 97, 127}, at 0.5 to 2
# times the boundary, with 3 seeds, plus the same-fraction and no-weight-decay runs:
# {glue:text}`n_paper_runs` runs of 3,000 full-batch epochs. It has not been run or timed,
# and whether weight decay 1e-4 completes grokking within 3,000 epochs at every M is not
# known here. With five group orders, a fit of the boundary's position against M can start
# to tell ln M / M from a power law, which two orders cannot. The paper's comparison of Adam
# with Muon is not part of this chapter.

# %% tags=["remove-input"]
chapter.paper_scale(CHAPTER.slug)

# %% [markdown]
# ## What this does and does not show
# At `book` scale the network, loss, optimizer and boundary constant are the official ones;
# the group orders, the width and the weight decay are smaller or larger to fit a CPU. The
# runs show a sharp boundary between memorisation and generalisation at both group orders,
# grokking above it, and that the boundary's position moves with M the way c·ln M / M
# predicts: the same multiple gives the same outcome, the same raw fraction does not.
#
# What they cannot show is the law's form. Two group orders cannot tell ln M / M from, say,
# M^−0.8: the check is that the boundary scales *like* the law between M = 23 and M = 47, not
# that the exponent is right. Nor do they test the constant c: ×0.75 and ×2 are far from the
# boundary on purpose, and where exactly between them the outcome flips depends on the
# epochs, the weight decay and the seed (our ×1.5 runs are partway). The role of weight decay
# is shown at one point, twice the boundary; at the smaller group order, where twice the
# boundary is three quarters of all pairs, a network without weight decay still reaches
# {glue:text}`acc_no_wd_small`% test accuracy, so "weight decay is needed" is a statement
# about data near the boundary, not about every amount of data. That the features which
# emerge are Fourier modes is our reading of the Li₂ energy's maxima for Z_M, measured here,
# not a number printed in the paper. The paper's theorem and figures were not checked
# against its text; its Stage II and III dynamics, the energy E and Muon are not measured.

# %% tags=["remove-input"]
chapter.provenance(summary)

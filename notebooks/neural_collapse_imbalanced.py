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
# # Neural collapse under class imbalance: the geometry weight decay builds

# %% tags=["remove-cell"]
# Colab bootstrap: there the package is not installed. Off Colab this cell does nothing.
import sys

if "google.colab" in sys.modules:
    get_ipython().run_line_magic("pip", "install -q git+https://github.com/regularization-reproduced/book")

# %% tags=["parameters", "remove-cell"]
scale = "book"  # smoke | book | paper; the environment variable REGLAB_SCALE overrides it

# %% tags=["remove-input"]
from reglab import chapter, config
from reglab.topics import neural_collapse as nc

CHAPTER = chapter.Chapter(
    slug="neural_collapse_imbalanced",
    title="Neural collapse under class imbalance: the geometry weight decay builds",
    paper=chapter.Paper(
        key="dang2023neural",
        title="Neural Collapse in Deep Linear Networks: From Balanced to Imbalanced Data",
        authors=("Dang, Hien", "Tran, Tho", "Osher, Stanley", "Tran-The, Hung", "Ho, Nhat", "Nguyen, Tan"),
        venue="ICML", booktitle="International Conference on Machine Learning (ICML)",
        year=2023, arxiv="2301.00437",
        code="https://github.com/thotranhuu99/Neural-Collapse-in-Deep-Linear-Networks"),
    claim="With weight decay on the classifier and the features, every global minimiser of the "
          "imbalanced, bias-free MSE problem is an orthogonal frame whose lengths are set by the class "
          "sizes, in closed form; with one layer, a class of n_k ≤ N²λ_Wλ_H examples collapses to zero.",
    budget_s={"smoke": 20, "book": 180, "paper": 3600},
    uses=(nc.gof_closed_form, nc.class_objective, nc.ufm_objective, nc.collapse_metrics, nc.nc1,
          nc.imbalanced_subset),
)
CHAPTER.card(config.resolve_scale(scale))

# %% [markdown]
# Train a classifier long enough and its last-layer features *collapse*: every example's
# feature vector moves onto its class mean, and the class means and the classifier's rows
# settle into a rigid, symmetric shape. With balanced classes that shape is a simplex
# (equal lengths, equal angles). Dang et al. {cite}`dang2023neural` work out what happens
# when the classes are imbalanced. In the *unconstrained-features model*, where the
# features are free parameters, trained with the squared error and weight decay on both
# the classifier and the features, they prove that every global minimiser is a *general
# orthogonal frame*: class means mutually orthogonal, classifier rows mutually orthogonal,
# and the lengths set in closed form by the class sizes $n_k$. Frequent classes get long
# classifier rows and short feature means; rare ones the opposite, and a class that is
# rare enough gets nothing at all (*minority collapse*).
#
# For a book on regularisation, this is the point: the geometry is made by the penalties.
# Without weight decay the problem has no unique minimiser and no shape to predict; the
# decays $\lambda_W$ and $\lambda_H$ set every length and decide whether a small class
# survives. We check the closed form three ways: by direct gradient descent on the model
# the theorem is about (one layer, and the official run with three), and on a real ReLU
# network trained on imbalanced handwritten digits, whose features are not free at all.
#
# ## What we check

# %%
from reglab import chapter
from reglab.chapter import Claim

THEOREM = "official code: compute_x, compute_s (the imbalanced-data theorem; its number not verified)"
CLOSED_FORM = "orthogonal, lengths set by n_k (closed form, official code)"
CLAIMS = (
    Claim("shallow_lengths", "The class means and classifier rows have the closed-form lengths (M = 1)",
          THEOREM, CLOSED_FORM, "UFM, M = 1: max |normalised ‖w_k‖², ‖h̄_k‖² − closed form|", high=0.01),
    Claim("shallow_nc1", "Features collapse onto their class means", THEOREM, "NC1 → 0",
          "UFM, M = 1: NC1 = tr(Σ_W Σ_B⁺)/K", high=1e-6),
    Claim("shallow_orthogonal", "The surviving class means are orthogonal, not a simplex", THEOREM,
          "cos = 0 (a simplex ETF: −0.25 for K = 5)", "UFM, M = 1: max |cos| between surviving class means",
          high=0.02),
    Claim("minority_collapse", "A class with n_k ≤ N²λ_Wλ_H collapses to zero", THEOREM,
          "w_k = 0 (closed form)", "UFM, M = 1: ‖w_k‖ of the class with n = 2 (threshold 3.5)", high=1e-3),
    Claim("above_threshold", "...and a class above the threshold does not", THEOREM, "w_k ≠ 0 (closed form)",
          "UFM, M = 1: ‖w_k‖ of the class with n = 20", low=0.1),
    Claim("deep_lengths", "The same closed form holds for the product of M = 3 layers", THEOREM, CLOSED_FORM,
          "UFM, M = 3, official config: max |normalised length − closed form|", high=0.01),
    Claim("deep_orthogonal", "...and the class means are orthogonal", THEOREM, "cos = 0",
          "UFM, M = 3: max |cos| between class means", high=0.02),
    Claim("deep_strong_decay", "Gradient descent finds this minimiser (the paper's runs: weak decay)",
          "Sec. 5, synthetic experiments", "NC metrics → 0 at λ = 5e-4 (figures; not verified)",
          "UFM, M = 3, λ = 5e-3: share of seeds ending within 0.01 of the closed form", low=1.0,
          expected="not reproduced",
          why="with depth, collapse is a local minimum of every class's objective: from many "
              "initialisations gradient descent leaves the n = 20 class at zero, though the closed form keeps it"),
    Claim("mlp_train_acc", "A real network trained to collapse fits its training set", "Sec. 5, MLP on "
          "imbalanced CIFAR-10", "not verified", "MLP on digits: train accuracy, worst seed", low=1.0),
    Claim("mlp_nc1", "Its features collapse onto their class means", "Sec. 5, MLP on imbalanced CIFAR-10",
          "NC1 → ≈ 0 (figures; not verified)", "MLP: NC1, worst seed", high=1e-3),
    Claim("mlp_orthogonal", "Its class means are orthogonal, not a simplex", "Sec. 5, MLP on imbalanced "
          "CIFAR-10", "orthogonal (figures; not verified)", "MLP: max |cos| between class means, worst seed "
          "(simplex ETF: −0.111)", high=0.1),
    Claim("mlp_lengths", "Its lengths are the closed form's", "Sec. 5, MLP on imbalanced CIFAR-10",
          "GOF lengths (figures; not verified)", "MLP: max |normalised ‖w_k‖², ‖h̄_k‖² − closed form|, "
          "worst seed", high=0.02),
    Claim("mlp_order", "Frequent classes get long classifiers and short feature means", "Abstract",
          "lengths depend on n_k (qualitative)", "MLP: min over seeds of ρ(n_k, ‖w_k‖) and −ρ(n_k, ‖h̄_k‖) "
          "(Spearman)", low=0.9),
)
chapter.plan(CLAIMS)

# %% [markdown]
# The paper's "number" is its closed form: a vector of lengths for any class sizes and
# decays, which we compute and compare with what training reaches. Lengths are compared as
# the official code compares them, after normalising the vector of squared lengths to unit
# norm, so a tolerance of 0.01 is 1% of the whole vector. In the model the theorem is about
# (the UFM) gradient descent reaches the closed form to far better than that, so the bounds
# only leave room for a finite number of steps. The network's features are not free, so its
# bounds are looser: 0.02 on the lengths, 0.1 on the cosines where a simplex would give
# −0.111, and $10^{-3}$ on NC1. Two classes of each size tie in the digits design, so the
# largest possible rank correlation is 0.985; 0.9 asks that the order be right up to ties.
# The one claim expected *not* to hold is about the optimiser, not the theorem: with depth
# and strong decay, gradient descent often misses the global minimiser (see below), so we
# run that configuration from several initialisations and count how many reach it.
#
# ## The method
# The model is the unconstrained-features model (UFM) with $M$ bias-free linear layers on
# features $H$ (one column $h_i$ per example), one-hot targets $Y$, and $n_k$ examples of
# class $k$, $N = \sum_k n_k$:
#
# $$\min_{W_1,\dots,W_M,\,H}\ \frac{1}{2N}\lVert W_M\cdots W_1 H - Y\rVert^2
#   + \frac{\lambda_W}{2}\sum_{l}\lVert W_l\rVert^2 + \frac{\lambda_H}{2}\lVert H\rVert^2 .$$
#
# At a global minimiser every $h_i$ equals its class mean $\bar h_k$, the $\bar h_k$ are
# orthogonal, and so are the rows $w_k$ of $W = W_M\cdots W_1$. Each class then solves its
# own scalar problem. Written in a variable $x_k \ge 0$, its share of the objective is
# $\varphi(x) = 1/(x^M + 1) + (b/n_k)\,x$ in units of $n_k/2N$, with
# $b = M N (N\lambda_W^M\lambda_H)^{1/M}$; $x = 0$ is the collapsed class. The lengths follow
# from $x_k$: $\lVert w_k\rVert^2 = s_k^{2M}$ and
# $\lVert\bar h_k\rVert^2 = s_k^{2M}/(s_k^{2M} + N\lambda_H)^2$ with $s_k^{2M} = N\lambda_H x_k^M$.
# For one layer this gives $x_k = \sqrt{n_k/b} - 1$: class $k$ collapses exactly when
# $n_k \le b = N^2\lambda_W\lambda_H$. The code below is the official code's formula, with one
# change for $M \ge 2$: a root of $\varphi' = 0$ is kept only if it beats collapse (the
# official code keeps the largest root whenever there is one). The unit tests check the
# closed form against a direct numerical minimisation of the whole problem.

# %% tags=["remove-input"]
chapter.show_source(nc.class_objective, nc.gof_closed_form, nc.ufm_objective, nc.collapse_metrics)

# %% [markdown]
# ## Configuration
# Defaults are the paper's synthetic imbalanced run (official
# `synthetic_experiment_imbalanced.py`): class sizes 200, 100, 50, 50; feature dimension 64;
# $\lambda_W = \lambda_H = 5\cdot 10^{-4}$; $M = 6$; $H$ and every $W_l$ drawn from
# $\mathcal N(0, 0.1^2)$; full-batch SGD with learning rate 0.1 and momentum 0.9 for 30,000
# steps. `book` runs four experiments:
#
# 1. **One layer, minority collapse.** $M = 1$, $n = (200, 100, 50, 20, 2)$,
#    $\lambda_W = \lambda_H = 5\cdot 10^{-3}$, so $N^2\lambda_W\lambda_H = 3.5$: the class with two
#    examples must vanish, the one with twenty must not.
# 2. **The official configuration at depth 3.**
# 3. **Depth with strong decay**: the sizes and decays of (1) at $M = 3$, from eight
#    initialisations (seeds). Which minimum a run ends in is settled within about 1,000
#    steps, so these runs are shorter.
# 4. **A real network.** scikit-learn digits subsampled to the official CIFAR-10 ratios
#    1:1:2:2:3:3:4:4:5:5 ($n_k$ = 15 … 75, $N = 450$), a seeded draw from the training
#    split; three ReLU layers of width 128 and a linear layer give the features, a bias-free
#    linear head the outputs; the same objective with $H$ the network's features. Three
#    seeds, each drawing the subset and the initialisation.
#
# **Deviations from the paper**, at `book` scale:
# - **Length.** 8,000 (1, 2) and 2,000 (3, 4) full-batch steps instead of 30,000 and 12,000.
#   Each is long enough for its check, by a wide margin in the pilot. The slowest is the
#   vanishing class in (1): its length shrinks by a constant factor per step, about ten
#   times every 2,000 steps.
# - **Depth.** $M = 1$ and 3 instead of the README's sweep over 1, 3, 6, 9.
# - **Decay in (1) and (3).** Ten times the official $\lambda$, so that a class falls below
#   the collapse threshold; the paper's synthetic run has none that does.
# - **The network.** Digits (64 pixels) instead of CIFAR-10 (3,072), 3 × 128 ReLU layers
#   instead of 6 × 2,048, PyTorch's default initialisation instead of orthogonal; Adam with
#   learning rate $10^{-3}$ instead of $10^{-4}$, constant, instead of ÷10 halfway.
#   $\lambda_W = 10^{-2}$ and $\lambda_H = 2\cdot 10^{-5}$ on the sum over examples (about
#   $10^{-2}$ on their mean): strong enough to separate the lengths clearly, far from the
#   collapse threshold ($N^2\lambda_W\lambda_H = 0.04$). The official loss divides the squared
#   error by $NK$ rather than $N$; multiplying it by $K$ shows that its
#   $\lambda_W = \lambda_H = 10^{-5}$ are our $10^{-4}$, which `paper` uses.
# - **Closed form.** For $M \ge 2$ a root is kept only if it beats collapse (above); it
#   makes no difference in these configurations.

# %%
from collections import defaultdict
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import torch
import torch.nn as nn
from scipy.stats import spearmanr

from reglab import config, data, plots, records, training
from reglab.topics import neural_collapse as nc

SCALE, DEVICE = chapter.setup(scale)


@dataclass(frozen=True)
class Cfg:
    model: str = "ufm"                # "ufm": free features H; "mlp": features of a ReLU network
    sizes: tuple = (200, 100, 50, 50)  # n_k, training examples of class k
    depth: int = 6                    # M, bias-free linear layers from features to outputs
    hidden: int = 64                  # d, feature dimension (and MLP width); README: 2048
    lam_w: float = 5e-4               # λ_W, decay of every head layer
    lam_h: float = 5e-4               # λ_H, decay of the features, on Σ_i ‖h_i‖²
    optimizer: str = "sgd"            # full batch; "sgd" with momentum 0.9, or "adam"
    lr: float = 0.1
    lr_drop: float = 1.0              # lr ÷ 10 after this fraction of the steps; 1.0: never
    steps: int = 30_000               # full-batch steps
    dataset: str = ""                 # mlp: the images, "digits" or "cifar10"
    relu_layers: int = 6              # mlp: ReLU layers before the feature layer
    dtype: str = "float32"
    seed: int = 0
    scale: str = "paper"


def part(steps, seeds, **fields):  # one experiment of a grid: its fields (a list: swept), length, seeds
    return {**{k: v if isinstance(v, list) else [v] for k, v in fields.items()}, "steps": [steps], "seed": seeds}


STRONG = dict(model="ufm", sizes=(200, 100, 50, 20, 2), lam_w=5e-3, lam_h=5e-3, dtype="float64")
SHALLOW, DEEP, DEEP_STRONG = dict(STRONG, depth=1), dict(model="ufm", depth=3, dtype="float64"), dict(STRONG, depth=3)
DIGITS = dict(model="mlp", dataset="digits", sizes=(15, 15, 30, 30, 45, 45, 60, 60, 75, 75), depth=1, hidden=128,
              relu_layers=3, lam_w=1e-2, lam_h=2e-5, optimizer="adam", lr=1e-3)
CIFAR = dict(model="mlp", dataset="cifar10", sizes=(100, 100, 200, 200, 300, 300, 400, 400, 500, 500), depth=1,
             hidden=2048, relu_layers=6, lam_w=1e-4, lam_h=1e-4, optimizer="adam", lr=1e-4, lr_drop=0.5)
PRESETS = {  # per scale: (overrides of Cfg, grid of runs)
    "smoke": (dict(), [part(300, [0], **SHALLOW), part(300, [0], **DEEP), part(300, [0], **DEEP_STRONG),
                       part(100, [0], **DIGITS)]),
    "book": (dict(), [part(8000, [0], **SHALLOW), part(8000, [0], **DEEP), part(2000, list(range(8)), **DEEP_STRONG),
                      part(2000, [0, 1, 2], **DIGITS)]),
    "paper": (dict(hidden=2048), [part(30_000, [0], **SHALLOW), part(30_000, [0], **dict(DEEP, depth=[1, 3, 6, 9])),
                                  part(30_000, list(range(8)), **dict(DEEP_STRONG, hidden=64)),
                                  part(12_000, [0, 1, 2], **CIFAR)]),
}
base, cfgs = config.at_scale(Cfg(), PRESETS, SCALE)
base

# %% [markdown]
# ## The experiment
# One run trains one model by full-batch gradient descent on the objective above, with the
# decays in the objective (not the optimiser), and measures the geometry at 30 steps spread
# evenly on a log scale, and at the end. For the network, $H$ is its features of the
# training subset and the decay $\lambda_H$ falls on them, as in the official code's
# `--sep_decay`; the network's own weights are not decayed. Every random draw (features,
# head, network weights, the subset) comes from the run's seed. The closed form for the same
# sizes and decays gives the lengths to compare with, and `measure` turns the records into
# each claim's number.

# %%
def run(cfg: Cfg) -> records.Record:
    training.seed_all(cfg.seed)
    g, dtype, num_classes = torch.Generator().manual_seed(cfg.seed), getattr(torch, cfg.dtype), len(cfg.sizes)
    if cfg.model == "ufm":  # the features are free parameters, drawn as in the official code
        y = torch.repeat_interleave(torch.arange(num_classes), torch.tensor(cfg.sizes)).to(DEVICE)
        h = nn.Parameter((0.1 * torch.randn(len(y), cfg.hidden, generator=g, dtype=dtype)).to(DEVICE))
        features, params = (lambda: h), [h]
    else:                   # the features are a ReLU network's, on a seeded imbalanced subset
        train_set, test_set = data.load(cfg.dataset)
        pick = nc.imbalanced_subset(train_set.y, cfg.sizes, seed=cfg.seed)
        x, y = train_set.x[pick].flatten(1).to(DEVICE, dtype), train_set.y[pick].to(DEVICE)
        widths = [x.shape[1]] + [cfg.hidden] * cfg.relu_layers
        layers = [m for a, b in zip(widths[:-1], widths[1:]) for m in (nn.Linear(a, b), nn.ReLU())]
        backbone = nn.Sequential(*layers, nn.Linear(cfg.hidden, cfg.hidden)).to(DEVICE, dtype)
        features, params = (lambda: backbone(x)), list(backbone.parameters())
    shapes = [(cfg.hidden, cfg.hidden)] * (cfg.depth - 1) + [(num_classes, cfg.hidden)]
    head = [nn.Parameter((0.1 * torch.randn(*s, generator=g, dtype=dtype)).to(DEVICE)) for s in shapes]
    opt = (torch.optim.SGD(params + head, lr=cfg.lr, momentum=0.9) if cfg.optimizer == "sgd"
           else torch.optim.Adam(params + head, lr=cfg.lr))
    closed = nc.gof_closed_form(cfg.sizes, cfg.lam_w, cfg.lam_h, cfg.depth)

    @torch.no_grad()
    def geometry():
        hs, w = features(), nc.product(head)
        m = nc.collapse_metrics(hs.cpu(), y.cpu(), w.cpu(), keep=closed["x"] > 0)
        m["len_err"] = float(max(np.abs(np.subtract(m["w_sq"], nc.unit(closed["w_sq"]))).max(),
                                 np.abs(np.subtract(m["h_sq"], nc.unit(closed["h_sq"]))).max()))
        m["gap"] = nc.ufm_objective(head, hs, y, cfg.lam_w, cfg.lam_h).item() - closed["objective"]
        m["train_acc"] = (hs @ w.T).argmax(1).eq(y).double().mean().item()
        return m

    checkpoints = set(np.geomspace(1, cfg.steps, 30).astype(int).tolist())
    history = defaultdict(list)
    for step in range(1, cfg.steps + 1):
        if step == int(cfg.lr_drop * cfg.steps) + 1:
            for group in opt.param_groups:
                group["lr"] = cfg.lr / 10
        loss = nc.ufm_objective(head, features(), y, cfg.lam_w, cfg.lam_h)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if step in checkpoints:
            m = geometry()
            history["step"].append(step)
            for key in ("nc1", "max_cos_h", "len_err", "gap", "w_norm"):
                history[key].append(m[key])
    final = {**geometry(), "cf_w_sq": nc.unit(closed["w_sq"]).tolist(), "cf_h_sq": nc.unit(closed["h_sq"]).tolist(),
             "cf_w_norm": np.sqrt(closed["w_sq"]).tolist()}
    final["means_cos"] = nc.cosines(nc.class_means(features().detach().cpu(), y.cpu(), num_classes)).tolist()
    if cfg.model == "mlp":
        with torch.no_grad():
            logits = backbone(test_set.x.flatten(1).to(DEVICE, dtype)) @ nc.product(head).T
        final["test_acc"] = logits.argmax(1).eq(test_set.y.to(DEVICE)).double().mean().item()
    return records.Record(config=asdict(cfg), history=dict(history), final=final)


def measure(recs: list[records.Record]) -> dict:
    """Each claim's number; the network's over its seeds, worst case first."""
    def one(**fields):
        (rec,) = records.select(recs, **fields)
        return rec

    shallow = one(model="ufm", depth=1, lam_w=5e-3)
    n, shallow = list(shallow.config["sizes"]), shallow.final  # classes are found by their size
    deep = one(model="ufm", depth=3, lam_w=5e-4).final
    reached = [r.final["len_err"] <= 0.01 for r in records.select(recs, model="ufm", depth=3, lam_w=5e-3)]
    mlp = records.select(recs, model="mlp")
    order = [min(spearmanr(r.config["sizes"], r.final["w_norm"])[0], -spearmanr(r.config["sizes"], r.final["h_sq"])[0])
             for r in mlp]
    return {
        "shallow_lengths": shallow["len_err"],
        "shallow_nc1": shallow["nc1"],
        "shallow_orthogonal": shallow["max_cos_h"],
        "minority_collapse": shallow["w_norm"][n.index(2)],
        "above_threshold": shallow["w_norm"][n.index(20)],
        "deep_lengths": deep["len_err"],
        "deep_orthogonal": deep["max_cos_h"],
        "deep_strong_decay": (np.mean(reached), f"({sum(reached)} of {len(reached)} seeds)"),
        "mlp_train_acc": chapter.spread([r.final["train_acc"] for r in mlp], reduce="min"),
        "mlp_nc1": chapter.spread([r.final["nc1"] for r in mlp], reduce="max"),
        "mlp_orthogonal": chapter.spread([r.final["max_cos_h"] for r in mlp], reduce="max"),
        "mlp_lengths": chapter.spread([r.final["len_err"] for r in mlp], reduce="max"),
        "mlp_order": chapter.spread(order, reduce="min"),
    }


# %% [markdown]
# Four experiments, {glue:text}`n_runs` runs in all (experiment 3 on eight seeds, the network
# on three):

# %% tags=["hide-output"]
recs = records.sweep(run, cfgs, CHAPTER.slug)

# %% [markdown]
# NC1, the largest |cos| between (surviving) class means, the largest error of the
# normalised lengths against the closed form, and how far the objective ends above the
# closed-form minimum: mean and standard deviation over seeds, and the number of runs $n$.

# %%
summary_table = records.summarize(recs, by=["model", "depth", "lam_w"],
                                  metrics=["nc1", "max_cos_h", "len_err", "gap", "train_acc"])
summary_table.style.format("{:.2g}")

# %% [markdown]
# ## Lengths set by class size
# In each panel, bars are the squared lengths reached by training, normalised to unit norm,
# and black marks are the closed form. With one layer (left) the class with two examples
# has nothing: it is below the threshold. In the network (right) the rarest digits get the
# shortest classifier rows and the longest feature means, as the closed form says.

# %% tags=["hide-input"]
def length_panel(ax, rec, title):
    k = np.arange(len(rec.config["sizes"]))
    for i, (key, name) in enumerate([("w_sq", "‖w_k‖²"), ("h_sq", "‖h̄_k‖²")]):
        ax.bar(k + (i - 0.5) * 0.4, rec.final[key], 0.4, color=plots.PALETTE[i], label=f"{name}, trained")
        ax.plot(k + (i - 0.5) * 0.4, rec.final[f"cf_{key}"], "_", color="black", ms=12, mew=2,
                label="closed form" if i == 0 else None)
    ax.set_xticks(k, [str(s) for s in rec.config["sizes"]])
    ax.set(xlabel="class size n_k", ylabel="squared length (normalised)", title=title)


fig, axes = plots.panels(3, width=4.6)
length_panel(axes[0], records.select(recs, model="ufm", depth=1, lam_w=5e-3)[0], "UFM, M = 1, λ = 5e-3")
length_panel(axes[1], records.select(recs, model="ufm", depth=3, lam_w=5e-4)[0], "UFM, M = 3, official")
length_panel(axes[2], records.select(recs, model="mlp")[0], "ReLU network on digits")
fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncol=3, fontsize="small")
chapter.figure(fig, "Three bar charts of normalised squared lengths per class, classes ordered by size, with "
               "the closed form marked on each bar. Left, one-layer UFM with sizes 200, 100, 50, 20, 2: "
               "classifier lengths fall and feature-mean lengths rise as classes get smaller, and the class "
               "of 2 has zero length. Middle, the official depth-3 configuration: the same pattern. Right, "
               "the ReLU network on imbalanced digits: classifier lengths rise with class size and "
               "feature-mean lengths fall, in pairs of equal sizes. In every panel the bars meet the "
               "closed-form marks.")

# %% [markdown]
# ## Orthogonal, not a simplex
# The cosines between the network's class means (one seed). Balanced data would give a
# simplex, every off-diagonal entry $-1/(K-1) = -0.111$; without a bias and with unequal
# classes, the minimiser is orthogonal, every off-diagonal entry 0.

# %% tags=["hide-input"]
rec = records.select(recs, model="mlp")[0]
k = len(rec.config["sizes"])
etf = np.full((k, k), -1 / (k - 1)) + np.eye(k) * (1 + 1 / (k - 1))
fig, axes = plots.panels(2, width=4.6, height=4.0)
for ax, matrix, title in [(axes[0], np.array(rec.final["means_cos"]), "Trained network: cos(h̄_j, h̄_k)"),
                          (axes[1], etf, "A simplex ETF, for comparison")]:
    image = ax.imshow(matrix, cmap="RdBu_r", vmin=-1, vmax=1)
    ax.set_xticks(range(k), rec.config["sizes"], fontsize="x-small", rotation=90)
    ax.set_yticks(range(k), rec.config["sizes"], fontsize="x-small")
    ax.set(xlabel="class (size n_k)", title=title)
    ax.grid(False)
fig.colorbar(image, ax=axes, shrink=0.8, label="cosine")
chapter.figure(fig, "Two 10 by 10 heat maps of cosines between class means on a red-white-blue scale from "
               "−1 to 1, classes labelled by size. Left, the trained network: a red diagonal and white "
               "everywhere else, so the means are orthogonal. Right, a simplex equiangular tight frame: "
               "a red diagonal and pale blue everywhere else, at −0.111.")

# %% [markdown]
# ## How training gets there
# The objective above its closed-form minimum (left) and NC1 (right), along training. In
# the UFM both go to zero, the objective to the last digits of float64 with one layer; in
# the network the features are not free, and both level off low.

# %% tags=["hide-input"]
RUNS = [(dict(model="ufm", depth=1, lam_w=5e-3), "UFM, M = 1"), (dict(model="ufm", depth=3, lam_w=5e-4), "UFM, M = 3"),
        (dict(model="mlp"), "ReLU network")]
fig, (ax_gap, ax_nc1) = plots.panels(2)
for i, (fields, name) in enumerate(RUNS):
    rs = records.select(recs, **fields)
    steps = rs[0].history["step"]
    for ax, key in [(ax_gap, "gap"), (ax_nc1, "nc1")]:
        runs = np.clip([r.history[key] for r in rs], 1e-32, None)
        plots.mean_band(ax, steps, runs, name, i)
ax_gap.set(xscale="log", yscale="log", xlabel="full-batch step", ylabel="objective − closed-form minimum",
           title="Distance to the global minimum")
ax_nc1.set(xscale="log", yscale="log", xlabel="full-batch step", ylabel="NC1", title="Within-class collapse")
ax_gap.legend(fontsize="small")
chapter.figure(fig, "Two log-log panels over full-batch steps for three experiments. Left: the objective "
               "minus the closed-form minimum falls by many orders of magnitude for the one-layer UFM, the "
               "official depth-3 UFM and the ReLU network, fastest and furthest for the one-layer UFM. "
               "Right: NC1 falls by many orders of magnitude in all three.")

# %% [markdown]
# ## Depth lets gradient descent miss the minimiser
# With strong decay and three layers, the class with 20 examples should keep a classifier
# row of length {glue:text}`deep_strong_n20_cf` (left, dotted). From
# {glue:text}`n_trapped` of {glue:text}`n_strong` initialisations, gradient descent sends it
# to zero instead, and the objective stays {glue:text}`deep_strong_gap` above the minimum.
# The class's own problem shows why (right): with one layer, $\varphi$ falls from $x = 0$
# straight to its minimum, but with $M = 3$, $\varphi'(0) = b/n_k > 0$, so collapse is a
# local minimum, and a class that gets close to it early stays there.

# %% tags=["hide-input"]
rs = records.select(recs, model="ufm", depth=3, lam_w=5e-3)
sizes, cf_norm = rs[0].config["sizes"], np.array(rs[0].final["cf_w_norm"])
k = int(np.flatnonzero(cf_norm > 0)[-1])  # the smallest class the closed form keeps
fig, (ax_w, ax_phi) = plots.panels(2)
for r in rs:
    reached = r.final["len_err"] <= 0.01
    ax_w.plot(r.history["step"], np.array(r.history["w_norm"])[:, k], color=plots.PALETTE[0 if reached else 1],
              ls=plots.LINESTYLES[0 if reached else 1], lw=1.5)
ax_w.axhline(cf_norm[k], color="black", ls=":", lw=2)
ax_w.plot([], [], color=plots.PALETTE[0], label="reached the minimiser")
ax_w.plot([], [], color=plots.PALETTE[1], ls=plots.LINESTYLES[1], label="trapped at collapse")
ax_w.plot([], [], color="black", ls=":", label="closed form")
ax_w.set(xscale="log", xlabel="full-batch step", ylabel=f"‖w_k‖ of W₃W₂W₁, n_k = {sizes[k]}",
         title=f"UFM, M = 3, λ = 5e-3, {len(rs)} seeds")
ax_w.legend(fontsize="small")
xs = np.linspace(0, 3.5, 400)
for i, depth in enumerate([1, 3]):
    closed = nc.gof_closed_form(sizes, rs[0].config["lam_w"], rs[0].config["lam_h"], depth)
    ratio = closed["b"] / sizes[k]
    ax_phi.plot(xs, nc.class_objective(xs, ratio, depth), color=plots.PALETTE[i], ls=plots.LINESTYLES[i], lw=2,
                label=f"M = {depth}")
    ax_phi.plot(closed["x"][k], nc.class_objective(closed["x"][k], ratio, depth), "o", color=plots.PALETTE[i])
ax_phi.set(xlabel="x (0: class collapsed)", ylabel="φ(x), in units of n_k/2N", ylim=(0, 1.6),
           title=f"The n = {sizes[k]} class's own problem")
ax_phi.legend()
chapter.figure(fig, "Left: classifier-row length of the class of 20 examples over training steps for the "
               "depth-3 UFM with strong decay, one line per seed, with the closed-form length dotted; solid "
               "lines rise to the dotted line, dashed lines fall to zero and stay there. Right: the class objective "
               "phi of x for the class of 20: for one layer it decreases from x = 0 to a minimum; for three "
               "layers it first rises from its value at x = 0, then falls to a lower minimum further right, "
               "so x = 0 is a local minimum.")

# %% [markdown]
# ## Paper vs ours

# %%
summary = chapter.save_summary(CHAPTER, CLAIMS, measure(recs), recs, SCALE)
chapter.check(summary)

# %% tags=["remove-cell"]
mlp = records.select(recs, model="mlp")
trapped = [r for r in rs if r.final["len_err"] > 0.01]
chapter.glue("n_runs", str(len(recs)))
chapter.glue("n_strong", str(len(rs)))
chapter.glue("n_trapped", str(len(trapped)))
chapter.glue("deep_strong_n20_cf", f"{cf_norm[k]:.2f}")
chapter.glue("deep_strong_n20", f"{max([r.final['w_norm'][k] for r in trapped], default=np.nan):.1e}")
chapter.glue("deep_strong_gap", f"{np.mean([r.final['gap'] for r in trapped]) if trapped else np.nan:.4f}")
chapter.glue("mlp_test_acc", f"{np.mean([r.final['test_acc'] for r in mlp]):.3f}")
chapter.glue("mlp_mean_cos", f"{max(abs(r.final['mean_cos_h']) for r in mlp):.1e}")
chapter.glue("mlp_seeds", str(len(mlp)))
rare, common = np.mean([[r.final["w_sq"][0], r.final["w_sq"][-1], r.final["h_sq"][0], r.final["h_sq"][-1]]
                        for r in mlp], 0).reshape(2, 2).T
chapter.glue("w_rare", f"{rare[0]:.2f}")
chapter.glue("w_common", f"{common[0]:.2f}")
chapter.glue("h_rare", f"{rare[1]:.2f}")
chapter.glue("h_common", f"{common[1]:.2f}")

# %% [markdown]
# In the model the theorem is about, gradient descent lands on the closed form: with one
# layer its lengths are off by at most {glue:text}`claim_shallow_lengths`, NC1 is
# {glue:text}`claim_shallow_nc1`, and the class below the threshold has a classifier row of
# length {glue:text}`claim_minority_collapse`. The ReLU network, whose features are not free,
# lands on the same geometry over {glue:text}`mlp_seeds` seeds: lengths within
# {glue:text}`claim_mlp_lengths` of the closed form, class means orthogonal to within
# {glue:text}`claim_mlp_orthogonal` in cosine (the mean cosine is at most
# {glue:text}`mlp_mean_cos` in size, where a simplex would give −0.111). Its rarest classes
# have normalised squared classifier lengths of {glue:text}`w_rare` against
# {glue:text}`w_common` for the most frequent, and feature means of {glue:text}`h_rare`
# against {glue:text}`h_common`; it classifies the held-out digits with accuracy
# {glue:text}`mlp_test_acc`. With three layers and strong decay, only a share
# {glue:text}`claim_deep_strong_decay` of the initialisations reach the minimiser; the others
# leave the class of 20 at length {glue:text}`deep_strong_n20` or less, where the closed form
# keeps it at {glue:text}`deep_strong_n20_cf`. The geometry is the *global* minimiser's, and
# with depth gradient descent can miss it.
#
# ## Run it at paper scale
# `scale = "paper"` runs the README's configurations: the synthetic imbalanced UFM at
# feature dimension 2,048 for 30,000 steps at depths 1, 3, 6 and 9; our one-layer
# strong-decay run at the same size; the depth-3 strong-decay runs on eight seeds, kept at
# dimension 64 where we measured how often they miss the minimiser; and the imbalanced
# CIFAR-10 MLP (CIFAR-10 is downloaded through
# torchvision, `pip install "reglab[vision]"`): class sizes 100 … 500, six ReLU layers of
# width 2,048 and a feature layer, a bias-free head, Adam at $10^{-4}$ for 12,000 full-batch
# epochs with the rate divided by 10 halfway, on three seeds. It needs a GPU.

# %% tags=["remove-input"]
chapter.paper_scale(CHAPTER.slug)

# %% [markdown]
# ## What this does and does not show
# It shows the paper's imbalanced theorem at work, exactly: in the unconstrained-features
# model, gradient descent reaches the closed-form minimiser, orthogonal with lengths set by
# class size, and a class below $N^2\lambda_W\lambda_H$ vanishes while one above it does
# not. A ReLU network on imbalanced digits, with the decay on its features, reaches the same
# geometry, lengths included. Three things it does not show. First, the theorem is about
# global minimisers, and with depth gradient descent can miss them: at $M = 3$ and strong
# decay a class above the threshold is lost from most initialisations, so minority collapse
# is checked only with one layer, where this cannot happen (there each class's problem has
# a single minimum). Second, the network's features are the output of a linear layer
# after the ReLUs, as in the official MLP, so they can take either sign; features taken
# straight after a ReLU, which cannot be orthogonal without disjoint supports, are not
# tested, and neither are decays close to the collapse threshold in the network. Third, the
# paper's CIFAR-10, EMNIST, ResNet and VGG experiments, its cross-entropy results and the
# balanced case (a simplex, with a bias) are not run here.

# %% tags=["remove-input"]
chapter.provenance(summary)

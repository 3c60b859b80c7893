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
# # Benign overfitting and grokking on XOR clusters

# %% tags=["remove-cell"]
# Colab bootstrap: there the package is not installed. Off Colab this cell does nothing.
import sys

if "google.colab" in sys.modules:
    get_ipython().run_line_magic("pip", "install -q git+https://github.com/regularization-reproduced/book")

# %% tags=["parameters", "remove-cell"]
scale = "book"  # smoke | book | paper; the environment variable REGLAB_SCALE overrides it

# %% tags=["remove-input"]
from reglab import chapter, config
from reglab.topics import xor_clusters

CHAPTER = chapter.Chapter(
    slug="xor_benign_overfitting",
    title="Benign overfitting and grokking on XOR clusters",
    paper=chapter.Paper(
        key="xu2024benign", title="Benign Overfitting and Grokking in ReLU Networks for XOR Cluster Data",
        authors=("Xu, Zhiwei", "Wang, Yutong", "Frei, Spencer", "Vardi, Gal", "Hu, Wei"),
        venue="ICLR", booktitle="International Conference on Learning Representations (ICLR)",
        year=2024, arxiv="2310.02541"),
    claim="A two-layer ReLU network trained by gradient descent on XOR cluster data with flipped "
          "labels fits every training label after one step while testing near chance, and later "
          "tests near-optimally while still fitting the flipped labels.",
    budget_s={"smoke": 20, "book": 180, "paper": 600},
    uses=(xor_clusters.xor_clusters, xor_clusters.TwoLayerReLU, xor_clusters.logistic_loss,
          xor_clusters.sign_accuracy, xor_clusters.cluster_alignment, xor_clusters.cluster_of),
)
CHAPTER.card(config.resolve_scale(scale))

# %% [markdown]
# Two surprises of overparameterised networks meet in one small model. A network can fit
# noisy labels perfectly and still generalise (*benign overfitting*), and it can first
# overfit harmfully, with test accuracy at chance, and only later generalise (*grokking*).
# {cite}`xu2024benign` prove that both happen, one after the other, to a two-layer ReLU
# network trained by gradient descent on *XOR cluster* data, where no linear classifier
# beats chance: after the first step it fits every training label, flipped ones included,
# and tests near chance; some steps later it tests near-optimally and still fits the
# flipped labels. The first step makes the network a linear classifier that memorises; the
# later steps grow features along the cluster means.
#
# We train that network and check six claims: perfect fit and chance-level test accuracy
# after one step, near-linearity at that step, and near-optimal test accuracy with the flipped
# labels still fitted at the end. The outcome varies from seed to seed, so we report every
# seed and check means.
#
# ## What we check

# %%
from reglab import chapter
from reglab.chapter import Claim

CLAIMS = (
    Claim("step1_train", "After one GD step the network fits all training labels (qualitative: the "
          "theorem's constants were not reached)", "Abstract", "\"100% training accuracy\"", "train acc. (noisy labels) at step 1, mean", low=0.95),
    Claim("step1_flipped", "...the flipped ones included (qualitative)", "Abstract", "\"perfectly fitting the noisy labels\"",
          "flipped labels fitted at step 1, mean", low=0.95),
    Claim("step1_test", "...yet tests near chance: harmful overfitting (qualitative)", "Abstract",
          "\"near-random test accuracy\"", "clean test acc. at step 1, mean", low=0.35, high=0.65),
    Claim("step1_linear", "...because it is a near-linear classifier (qualitative)", "Abstract",
          "\"a non-generalizable linear classifier\"",
          "agreement with sign⟨Σᵢ yᵢxᵢ, x⟩ on test points at step 1, mean", low=0.80),
    Claim("final_flipped", "Later it still fits every flipped label (qualitative)", "Abstract",
          "\"while still fitting the random labels\"", "flipped labels fitted at the last step, mean", low=0.95),
    Claim("final_test", "...and tests near-optimally: benign overfitting (qualitative)", "Abstract",
          "\"near-optimal test accuracy\"", "clean test acc. at the last step, mean",
          low=0.90),
)
chapter.plan(CLAIMS)

# %% [markdown]
# The checks are on means over seeds. The paper's theorem holds with high probability for
# large enough sizes; at ours a seed can fall short (we show why below), so the last check
# asks for a mean of 90%, not every seed at 100%.
#
# ## The method
# Each point is $x = z + \xi$ with $z$ drawn uniformly from $\{\pm\mu_1, \pm\mu_2\}$,
# $\mu_1 \perp \mu_2$, $\|\mu_1\| = \|\mu_2\|$, and $\xi \sim N(0, I_p)$. The clean label is
# $+1$ on the clusters $\pm\mu_1$ and $-1$ on $\pm\mu_2$: an XOR, since $x$ and $-x$ share
# their label. Each training label is flipped with probability $\eta$. The network is
#
# $$f(x; W) = \sum_{j=1}^{m} a_j\, \mathrm{ReLU}(\langle w_j, x\rangle), \qquad a_j = \pm 1/\sqrt{m} \text{ fixed},$$
#
# and only $W$ is trained, by full-batch gradient descent on the logistic loss
# $\frac{1}{n}\sum_i \log(1 + e^{-y_i f(x_i; W)})$, starting from $w_j \sim N(0, \omega^2 I_p)$
# with $\omega$ tiny. At that start $f \approx 0$, so the first step adds to each $w_j$ a
# multiple of $a_j \sum_i y_i \mathbb{1}[\langle w_j, x_i\rangle > 0]\, x_i$ (tested in
# `tests/test_xor_clusters.py`). When $p \gg n$, each $x_i$ is nearly orthogonal to the
# others, so this step fits every training label, whatever its label is, and predicts like a
# linear classifier.

# %% tags=["remove-input"]
chapter.show_source(xor_clusters.xor_clusters, xor_clusters.cluster_of, xor_clusters.TwoLayerReLU,
                    xor_clusters.logistic_loss, xor_clusters.cluster_alignment)

# %% [markdown]
# ## Configuration
# The paper proves a theorem, and we could not verify the settings of its experiments, so the
# defaults of `Cfg` (the `paper` scale) are a larger instance of our own setting, not the
# paper's. The dimension $p$, the sample size $n$ and the signal $\|\mu\|$ are coupled: the
# first step memorises only if the noise dominates the signal between training points
# ($p \gg \sqrt{n}\,\|\mu\|^2$), and features are learned later only if the signal beats the
# noise in one direction ($\|\mu\|^2 \gg \sqrt{p}$). Each preset keeps the first ratio about
# the same. The step size is such that $f$ is of order 1 after the first step ($\alpha p / n$
# is 2.5 in every preset).
#
# **Deviations from the paper**, at `book` scale:
# - **Setting.** The paper is a theorem; its experimental settings (dimension, sample size,
#   width, step size) were not verified, so every size here is ours. We chose them in the
#   regime the theorem describes (p ≫ n, √p ≪ ‖μ‖² ≪ p/√n, tiny initialisation):
#   p = 50,000, n = 120, ‖μ‖ = 50, m = 64 neurons, 10% flipped labels, step size 0.006,
#   200 steps.
# - **Sizes and flip rate chosen so that the last claim holds on most draws.** This
#   chapter's first design (n = 80, p = 40,000, 15% flipped labels) ended with a mean final
#   test accuracy of 0.95 over 80 pilot seeds, and about one seed in four below 95%, most of
#   them with a whole cluster misclassified; the mechanism is shown below (*Where a seed falls
#   short*). In the pilot, longer training, more neurons and other step sizes did not help (a
#   misclassified cluster stays so), and a larger signal $\|\mu\|$ did, but broke the first
#   step's memorisation. What helped is what the theorem's "with high probability" points at:
#   more training points per cluster, so that the clusters' label votes concentrate, and
#   fewer flipped labels. With n = 120 (p raised so that $p/(\sqrt{n}\|\mu\|^2)$, which
#   decides the first step's memorisation, stays about the same) and 10% flipped labels, the
#   mean over 140 pilot seeds was 0.99, with one seed in eleven below 95% (with 15%: 0.97, one
#   in seven). 10% is still a constant fraction, as in the theorem; the `paper` scale keeps
#   15% with n = 200, about 50 points per cluster.
# - **The theorem's dimension assumption is not met.** It asks for a dimension far larger
#   than any experiment's (p growing like a high power of n); we only keep the ordering of the
#   scales.
# - **Test accuracy is measured on clean labels.** The paper's near-optimal test accuracy is
#   1 − η on noisy labels, which is the same as 100% on clean ones.
# - **The data model** (Gaussian noise N(0, I_p), each label flipped independently with
#   probability η) is our reading of the paper's abstract and of the literature it builds on;
#   we could not check it against the paper's full definition. The cluster means are ‖μ‖e₁
#   and ‖μ‖e₂; the noise is isotropic, so any orthogonal pair gives the same problem up to a
#   rotation.

# %%
from collections import defaultdict
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import torch

from reglab import config, plots, records, training
from reglab.topics import xor_clusters

SCALE, DEVICE = chapter.setup(scale)


@dataclass(frozen=True)
class Cfg:
    p: int = 100_000           # input dimension
    n: int = 200               # training points
    mu_norm: float = 60.0      # ‖μ₁‖ = ‖μ₂‖, coupled to p and n (see above)
    flip_rate: float = 0.15    # η, probability that a training label is flipped
    m: int = 256               # neurons (half with aⱼ = +1/√m, half with −1/√m)
    init_std: float = 1e-6     # ω, the initialisation's standard deviation
    lr: float = 0.005          # α, the GD step size
    steps: int = 200           # full-batch GD steps
    n_test: int = 2000         # clean test points
    n_evals: int = 25          # measurements, at log-spaced steps from 1 to `steps`
    seed: int = 0
    scale: str = "paper"


PRESETS = {  # per scale: (overrides of Cfg, grid of runs)
    "smoke": (dict(p=2000, n=20, mu_norm=12.0, m=16, lr=0.025, steps=10, n_test=200, n_evals=5),
              dict(seed=[0])),
    "book": (dict(p=50_000, n=120, mu_norm=50.0, flip_rate=0.10, m=64, lr=0.006, n_test=1000), dict(seed=range(10))),
    "paper": (dict(), dict(seed=range(20))),
}
base, cfgs = config.at_scale(Cfg(), PRESETS, SCALE)
base

# %% [markdown]
# ## The experiment
# One run is one config and one seed: the seed draws the training set, the label flips and
# the initialisation; the test set (clean labels) comes from a disjoint seed. At log-spaced
# steps we measure the training accuracy on the noisy labels, the share of flipped labels the
# network fits, the clean test accuracy, how often the network agrees on test points with the
# linear classifier $\mathrm{sign}\langle \sum_i y_i x_i, x\rangle$, and the neurons'
# alignment with their own and the other label's cluster means. At the end we also record the
# clean test accuracy of the worst of the four clusters, and each cluster's *label vote*: its
# training points with the clean label minus those with a flipped one (see *Where a seed
# falls short* below). The loop is plain full-batch GD (`training.fit` with
# `batch_size=n` would do the same steps), written out to measure at log-spaced steps.
# `measure` turns the records into each claim's number.

# %%
def run(cfg: Cfg) -> records.Record:
    training.seed_all(cfg.seed)
    train_set, clean_y = xor_clusters.xor_clusters(cfg.n, cfg.p, cfg.mu_norm, cfg.flip_rate, seed=cfg.seed)
    test_set, _ = xor_clusters.xor_clusters(cfg.n_test, cfg.p, cfg.mu_norm, 0.0, seed=10_000 + cfg.seed)
    train_set, test_set = train_set.to(DEVICE), test_set.to(DEVICE)
    flipped = train_set.y != clean_y.to(DEVICE)
    linear = torch.sign(test_set.x @ (train_set.y @ train_set.x))  # sign⟨Σᵢ yᵢxᵢ, x⟩, (n_test,)
    model = xor_clusters.TwoLayerReLU(cfg.p, cfg.m, cfg.init_std).to(DEVICE)
    opt = torch.optim.SGD(model.parameters(), lr=cfg.lr)
    eval_steps = set(np.geomspace(1, cfg.steps, cfg.n_evals).round().astype(int).tolist())

    @torch.no_grad()
    def snapshot(step):
        f, f_test = model(train_set.x), model(test_set.x)
        own, other = xor_clusters.cluster_alignment(model)
        return {"step": step, "train_acc": xor_clusters.sign_accuracy(f, train_set.y),
                "flipped_fit": xor_clusters.sign_accuracy(f[flipped], train_set.y[flipped]),
                "test_acc": xor_clusters.sign_accuracy(f_test, test_set.y),
                "linear_agreement": xor_clusters.sign_accuracy(f_test, linear),
                "align_own": own, "align_other": other}

    history = defaultdict(list)
    for step in range(1, cfg.steps + 1):
        loss = xor_clusters.logistic_loss(model(train_set.x), train_set.y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if step in eval_steps:
            for k, v in snapshot(step).items():
                history[k].append(v)
    # per cluster k (0: +μ₁, 1: −μ₁, 2: +μ₂, 3: −μ₂): clean test accuracy, and the label vote
    with torch.no_grad():
        f_test = model(test_set.x)
    cluster, test_cluster = xor_clusters.cluster_of(train_set.x), xor_clusters.cluster_of(test_set.x)
    cluster_acc = [xor_clusters.sign_accuracy(f_test[test_cluster == k], test_set.y[test_cluster == k])
                   for k in range(4)]
    vote = [int((~flipped[cluster == k]).sum() - flipped[cluster == k].sum()) for k in range(4)]
    worst = int(np.argmin(cluster_acc))
    final = {**{f"step1_{k}": v[0] for k, v in history.items()}, **{k: v[-1] for k, v in history.items()},
             "n_flipped": int(flipped.sum()), "worst_cluster_acc": cluster_acc[worst],
             "worst_cluster_vote_deficit": vote[worst ^ 1] - vote[worst],  # antipode's vote − its own
             "max_vote_deficit": max(vote[k ^ 1] - vote[k] for k in range(4))}
    return records.Record(config=asdict(cfg), history=dict(history), final=final)


def measure(recs: list[records.Record]) -> dict:
    """Each claim's number: the mean over seeds, with its spread and range."""
    def mean_of(key):
        v = records.finals(recs, key)
        number, spread = chapter.spread(v)
        return number, f"{spread[:-1]}; range {v.min():.3f}–{v.max():.3f})"

    return {"step1_train": mean_of("step1_train_acc"), "step1_flipped": mean_of("step1_flipped_fit"),
            "step1_test": mean_of("step1_test_acc"), "step1_linear": mean_of("step1_linear_agreement"),
            "final_flipped": mean_of("flipped_fit"), "final_test": mean_of("test_acc")}


# %% [markdown]
# Every seed of the configuration above:

# %% tags=["hide-output"]
recs = records.sweep(run, cfgs, CHAPTER.slug)

# %% [markdown]
# Every seed, after the first step and after the last: training accuracy on the noisy
# labels, the share of flipped labels fitted, the clean test accuracy, the test accuracy of
# the worst of the four clusters, and the largest vote deficit of the seed's training set
# (over the four clusters, the antipode's label vote minus the cluster's own).

# %%
per_seed = pd.DataFrame([{"seed": r.config["seed"], "flipped labels": r.final["n_flipped"],
                          "step-1 train": r.final["step1_train_acc"], "step-1 flipped fit": r.final["step1_flipped_fit"],
                          "step-1 test": r.final["step1_test_acc"], "final train": r.final["train_acc"],
                          "final flipped fit": r.final["flipped_fit"], "final test": r.final["test_acc"],
                          "worst cluster test": r.final["worst_cluster_acc"],
                          "largest vote deficit": r.final["max_vote_deficit"]}
                         for r in recs]).set_index("seed")
per_seed.round(3)

# %% [markdown]
# ## Memorise first, generalise later
# From the first step on, the network fits every training label, the flipped ones included
# (left). Its test accuracy starts at chance and climbs within a few steps to near 100%
# (right: each seed).

# %% tags=["hide-input"]
steps = recs[0].history["step"]
fig, (ax_mean, ax_seeds) = plots.panels(2)
for i, (key, name) in enumerate([("train_acc", "train (noisy labels)"), ("flipped_fit", "flipped labels fitted"),
                                 ("test_acc", "test (clean labels)")]):
    plots.mean_band(ax_mean, steps, [100 * np.array(r.history[key]) for r in recs], name, i)
for r in recs:
    ax_seeds.plot(steps, 100 * np.array(r.history["test_acc"]), color=plots.PALETTE[2], lw=1, alpha=0.7)
for ax in (ax_mean, ax_seeds):
    ax.axhline(50, color="grey", lw=1, linestyle=":", label="chance")
    ax.set(xscale="log", xlabel="GD step", ylim=(25, 103))
ax_mean.set(ylabel="accuracy (%)", title="Fit, then generalise")
ax_seeds.set(ylabel="test accuracy (%)", title=f"Each of {len(recs)} seeds")
ax_mean.legend(fontsize="small")
chapter.figure(fig, "Left: over gradient-descent steps on a log scale, training accuracy on the noisy "
               "labels and the share of flipped labels fitted are at 100% from the first step, while "
               "clean test accuracy starts near 50% (chance, dotted) and rises to near 100% within a few "
               "steps. Right: the test accuracy of each seed separately.")

# %% [markdown]
# ## From a linear classifier to XOR features
# After one step the network predicts almost exactly like the linear classifier
# $\mathrm{sign}\langle \sum_i y_i x_i, x\rangle$, which cannot beat chance on XOR data
# (left). Over the next steps its neurons turn towards the cluster means of their own label
# (right): those with $a_j > 0$ towards $\pm\mu_1$, those with $a_j < 0$ towards $\pm\mu_2$.
# The alignment is `cluster_alignment` above: the mean of $|\langle w_j, \mu\rangle| / \|\mu\|$
# over neurons, divided by the mean $\|w_j\|$.

# %% tags=["hide-input"]
fig, (ax_lin, ax_align) = plots.panels(2)
plots.mean_band(ax_lin, steps, [100 * np.array(r.history["linear_agreement"]) for r in recs], "agreement", 0)
plots.mean_band(ax_align, steps, [r.history["align_own"] for r in recs], "own label's means", 0)
plots.mean_band(ax_align, steps, [r.history["align_other"] for r in recs], "other label's means", 1)
ax_lin.set(xscale="log", xlabel="GD step", ylabel="test points agreeing (%)", title="Like a linear classifier?")
ax_align.set(xscale="log", xlabel="GD step", ylabel="alignment (share of ‖wⱼ‖)", title="Neurons along cluster means")
ax_align.legend(fontsize="small")
chapter.figure(fig, "Left: the share of test points on which the network's prediction agrees with the "
               "linear classifier given by the sum of label-weighted training points; near 100% after "
               "the first step, falling towards 50% as the network learns the XOR rule. Right: the "
               "neurons' alignment with the cluster means of their own label grows over the steps while "
               "their alignment with the other label's means shrinks.")

# %% tags=["remove-cell"]
chapter.glue("per_cluster", str(base.n // 4))

# %% [markdown]
# ## Where a seed falls short
# The linear classifier of the first step is odd, $f(-x) = -f(x)$, so of each pair of
# antipodal clusters, $+\mu_1$ and $-\mu_1$ (or $\pm\mu_2$), which share their clean label,
# it classifies one right and the other wrong (up to noise). Which one is right is decided by
# the training labels: along $\mu_1$, $\langle \sum_i y_i x_i, \mu_1\rangle / \|\mu_1\|^2$
# is, up to noise, the *label vote* of $+\mu_1$ (its points with the clean label minus its
# flipped ones) minus that of $-\mu_1$. The later steps must win the other cluster back by
# growing features along its mean, pulled by its own training points, which the first step
# has already fitted. When a cluster's vote is much weaker than its antipode's (fewer points,
# more of them flipped), the pull can stop before it is won back, and a whole cluster, a
# quarter of the test set, stays misclassified. The theorem rules this out with high
# probability for large $n$, where the votes of all four clusters are close to
# $(1 - 2\eta)\,n/4$; with about {glue:text}`per_cluster` points per cluster they still vary
# by several points from seed to seed. Each dot below is a seed: its final test accuracy and
# the largest vote deficit among its four clusters, a property of its training set alone.

# %% tags=["hide-input"]
fig, (ax,) = plots.panels(1, width=5.5)
ax.scatter(per_seed["largest vote deficit"], 100 * per_seed["final test"], color=plots.PALETTE[0], s=40)
ax.axhline(100 * CLAIMS[-1].low, color="grey", lw=1, linestyle=":", label="check on the mean (90%)")
ax.set(xlabel="largest vote deficit (antipode's vote − a cluster's own)", ylabel="final test accuracy (%)",
       title="Seeds that fall short", ylim=(45, 102))
ax.legend(fontsize="small")
chapter.figure(fig, "One dot per seed: final clean test accuracy against the largest label-vote "
               "deficit among the seed's four training clusters. Most seeds end near 100%; a seed "
               "that falls short, if any, is one with a large deficit.")

# %% [markdown]
# ## Paper vs ours

# %%
summary = chapter.save_summary(CHAPTER, CLAIMS, measure(recs), recs, SCALE)
chapter.check(summary)

# %% tags=["remove-cell"]
test_acc = records.finals(recs, "test_acc")
step1_test = records.finals(recs, "step1_test_acc")
chapter.glue("n_seeds", str(len(recs)))
chapter.glue("step1_test", f"{100 * step1_test.mean():.0f}")
chapter.glue("step1_test_range", f"{100 * step1_test.min():.0f}–{100 * step1_test.max():.0f}")
chapter.glue("final_test", f"{100 * test_acc.mean():.1f}")
chapter.glue("final_test_sd", f"{100 * test_acc.std(ddof=1):.1f}")
chapter.glue("final_test_min", f"{100 * test_acc.min():.0f}")
chapter.glue("n_good", str(int((test_acc >= 0.95).sum())))
chapter.glue("final_flipped", f"{100 * records.finals(recs, 'flipped_fit').mean():.0f}")
chapter.glue("steps", str(base.steps))

# %% [markdown]
# Over {glue:text}`n_seeds` seeds, the network tests at {glue:text}`step1_test`% on average
# after the first step (seeds range over {glue:text}`step1_test_range`%), with every training
# label fitted. After {glue:text}`steps` steps it still fits {glue:text}`final_flipped`% of the
# flipped labels and tests at {glue:text}`final_test` ± {glue:text}`final_test_sd`%;
# {glue:text}`n_good` of the {glue:text}`n_seeds` seeds reach 95% or more, and the worst ends at
# {glue:text}`final_test_min`%.
#
# ## Run it at paper scale
# `scale = "paper"` runs the defaults of `Cfg`: p = 100,000, n = 200, ‖μ‖ = 60, 256 neurons,
# 2,000 test points and 20 seeds, each 200 full-batch steps at step size 0.005. This is a
# larger instance of the same regime, not the paper's own experiment, whose settings we did
# not verify. Each run holds about 1 GB of data; on one CPU thread each run takes minutes, so
# use a GPU.

# %% tags=["remove-input"]
chapter.paper_scale(CHAPTER.slug)

# %% [markdown]
# ## What this does and does not show
# At `book` scale the model, the loss, the optimiser and the data distribution are the
# paper's, and the sequence it proves is visible: perfect fit with chance-level test accuracy
# after one step, then near-optimal test accuracy with the noise still fitted. What it does not
# show is the theorem's regime itself, which needs a far larger dimension than we use; in our
# smaller one the outcome depends on the draw, and a seed whose clusters' label votes are
# unbalanced can leave one cluster misclassified (above). How often this happens as $p$, $n$
# and $\eta$ grow, and how the transition's timing moves with them, is not measured here.
# Nor is the grokking delay long: at this step size the test accuracy climbs within a few
# steps of the first, so "later" means steps, not the long plateau of grokking on
# algorithmic data.

# %% tags=["remove-input"]
chapter.provenance(summary)

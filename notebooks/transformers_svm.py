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
# # Transformers as support vector machines

# %% tags=["remove-cell"]
# Colab bootstrap: there the package is not installed. Off Colab this cell does nothing.
import sys

if "google.colab" in sys.modules:
    get_ipython().run_line_magic("pip", "install -q git+https://github.com/regularization-reproduced/book")

# %% tags=["parameters", "remove-cell"]
scale = "book"  # smoke | book | paper; the environment variable REGLAB_SCALE overrides it

# %% tags=["remove-input"]
from reglab import chapter, config
from reglab.topics import attention, max_margin

CHAPTER = chapter.Chapter(
    slug="transformers_svm",
    title="Transformers as support vector machines",
    paper=chapter.Paper(
        key="tarzanagh2023transformers", title="Transformers as Support Vector Machines",
        authors=("Tarzanagh, Davoud Ataee", "Li, Yingcong", "Thrampoulidis, Christos", "Oymak, Samet"),
        venue="arXiv", booktitle="arXiv preprint arXiv:2308.16898", year=2023, arxiv="2308.16898", kind="misc",
        code="https://github.com/umich-sota/TF-as-SVM"),
    claim="Gradient descent on the key-query weights of one softmax-attention layer converges in "
          "direction to a hard-margin SVM that separates the selected token from the others: the "
          "Frobenius-norm SVM when W is trained directly, the nuclear-norm SVM when W = KQᵀ.",
    budget_s={"smoke": 20, "book": 180, "paper": 900},
    uses=(attention.attention_problem, attention.attention_output, attention.attention_svm_features,
          max_margin.hard_margin_svm, attention.normalized_gd_step_, max_margin.correlation),
)
CHAPTER.card(config.resolve_scale(scale))

# %% [markdown]
# Logistic regression trained by gradient descent on separable data does not stop at any
# separator: its weights grow forever and their *direction* converges to the max-margin
# (hard-margin SVM) separator {cite}`soudry2018implicit`, an implicit regulariser that nobody
# asked for. Tarzanagh et al. show that the attention layer of a transformer has the same
# bias {cite}`tarzanagh2023transformers`. Trained by gradient descent, the key-query weights grow
# until the softmax selects one token per sequence, and their direction converges to the
# solution of an SVM over *tokens*: the selected token must score at least one unit above
# every other token of its sequence, with the smallest possible weights. Which "smallest"
# depends on how the layer is written: training one matrix W minimises its Frobenius norm,
# training the usual key and query matrices with W = KQᵀ minimises its nuclear norm, which
# favours low rank.
#
# The next chapter, {doc}`large_step_logistic`, looks at the same bias from the other side:
# with huge steps, gradient descent on the logistic loss becomes the batch perceptron and
# stops far from the max-margin separator.
#
# ## What we check

# %%
from reglab import chapter
from reglab.chapter import Claim

CLAIMS = (
    Claim("w_fro", "Training W converges in direction to the Frobenius-norm Att-SVM (qualitative: "
          "a limit)", "Abstract", "correlation → 1", "corr(W, W^mm) after 2,000 steps, mean", low=0.98),
    Claim("kq_nuc", "Training (K, Q) converges in direction to the nuclear-norm Att-SVM (qualitative: "
          "a limit)", "Abstract", "correlation → 1", "corr(KQᵀ, W*^mm) after 2,000 steps, mean", low=0.98),
    Claim("norm_gap", "...and the parameterisation decides which of the two norms (qualitative)",
          "Abstract", "—", "own-norm minus other-norm corr., smaller of the two means", low=0.08),
    Claim("w_fro_1000", "Training W, 1,000 steps: correlation with the Frobenius SVM",
          "official local_converge.ipynb, cell 4, read by eye", "≈ 0.99 (100 problems)",
          "corr(W, W^mm) at step 1,000, mean", low=0.94, high=1.0),
    Claim("w_nuc_1000", "...and, lower, with the nuclear-norm SVM",
          "official local_converge.ipynb, cell 4, read by eye", "≈ 0.86 (100 problems)",
          "corr(W, W*^mm) at step 1,000, mean", low=0.81, high=0.91),
    Claim("softmax_one", "Attention ends up selecting one token per sequence",
          "official local_converge.ipynb, cell 3, read by eye", "softmax prob. ≈ 1.0 by step ~300 (W)",
          "softmax prob. of the selected token, mean", low=0.99),
    Claim("nuc_rank", "The nuclear-norm SVM has lower rank than the Frobenius one",
          "official svm_rank.ipynb, cell 3, read by eye", "lower by 0.1 to 1 on average (T = 5)",
          "rank(W*^mm) − rank(W^mm), mean", high=-0.1),
)
chapter.plan(CLAIMS)

# %% [markdown]
# The paper states its convergence results as limits, so the first three bounds are ours: a
# correlation of at least 0.98 with the SVM of the right norm, and at least 0.08 more than
# with the SVM of the other norm, so that the check tells the two parameterisations apart
# (the pilot measured about 0.997 and a gap of about 0.14). The paper's figure number for
# these experiments could not be verified; the authors' notebook `local_converge.ipynb`
# prints its curves, in exactly this setting, and those we compare with number for number:
# its mean correlations at 1,000 steps, read by eye, are about 0.99 with the Frobenius SVM
# and 0.86 with the nuclear one. Each bound is the read value ± 0.05 (capped at 1): about
# ±0.01 for reading the plotted mean and three standard errors of our mean over 20 problems
# (the problem-to-problem spread at step 1,000 is about 0.06, skewed by the few problems that
# converge slowly). The notebook `svm_rank.ipynb` (T = 5, the
# globally optimal tokens, rank at tolerance 10⁻⁷) shows the nuclear SVM's mean rank 0.1
# to 1 below the Frobenius one's; we check that ours is lower by at least the smallest of
# these, 0.1. Our gap is much larger (see below), and not because of the rank tolerance
# (ours counts singular values above 10⁻⁴ of the largest): on these problems the nuclear
# SVM's vanishing singular values come out of the solver at about 10⁻¹⁰ of the largest, so
# the official 10⁻⁷ counts the same rank. The official figure's setting differs: 5 tokens per
# sequence, the globally optimal ones, other n and d.
#
# ## The method
# Each input is a sequence $X_i \in \mathbb{R}^{T\times d}$ of tokens $x_{it}$ with a query
# $z_i$ and a label $y_i = \pm 1$. The model attends with scores $s_{it} = x_{it}^\top W z_i$ and
# predicts $f(X_i) = v^\top X_i^\top \mathrm{softmax}(X_i W z_i)$ with a fixed head $v$; the loss
# is the logistic loss of $y_i f(X_i)$. The paper's *Att-SVM* is, for a choice of one token
# $\mathrm{opt}_i$ per sequence,
#
# $$W^{mm} = \arg\min_W \|W\| \quad \text{s.t.} \quad (x_{i,\mathrm{opt}_i} - x_{it})^\top W z_i \ge 1
# \quad \text{for all } i \text{ and } t \neq \mathrm{opt}_i,$$
#
# with the Frobenius norm for the $W$ parameterisation and the nuclear norm ($W^{mm}_\star$) for
# $W = KQ^\top$. Each constraint is linear in $W$, $\langle F_k, W\rangle \ge 1$, so one cvxpy
# solver serves both norms. Training uses the official code's normalized gradient descent:
# every step has length $\eta$, so $\|W\|$ grows linearly and the direction can settle.

# %% tags=["remove-input"]
chapter.show_source(attention.attention_output, attention.attention_svm_features, max_margin.hard_margin_svm,
                    attention.normalized_gd_step_, max_margin.correlation)

# %% [markdown]
# ## Configuration
# Defaults are the official `local_converge.ipynb` settings: 6 sequences of 8 tokens in
# 10 dimensions, cross-attention with a random query per sequence, η = 0.1 for 2,000 steps,
# and, for (K, Q), a ridge ε(‖K‖² + ‖Q‖²) with ε the float64 machine epsilon, which the
# authors add to keep the two factors balanced. Each scale is one line of `PRESETS`: the
# overrides of `Cfg` and the grid of runs, both parameterisations on every random problem.
#
# **Deviations from the paper**, at `book` scale:
# - **Random problems.** 20 instead of the official notebook's 100; otherwise the official
#   setting (n = 6, T = 8, d = 10, cross-attention, normalized GD with η = 0.1 for 2,000
#   steps, float64).
# - **Initialisation.** K, Q and W are drawn uniform in ±1/√d (PyTorch's `nn.Linear` default,
#   which the official code uses) from the global generator, seeded by the run's seed; the
#   official notebook does not seed its initialisation.

# %%
import math
from dataclasses import asdict, dataclass

import numpy as np
import torch
import torch.nn.functional as F

from reglab import config, plots, records, training
from reglab.topics import attention, max_margin

SCALE, DEVICE = chapter.setup(scale)


@dataclass(frozen=True)
class Cfg:
    param: str = "W"           # "W": train W; "KQ": train K and Q with W = KQᵀ
    n: int = 6                 # sequences
    t: int = 8                 # tokens per sequence
    d: int = 10                # token dimension
    lr: float = 0.1            # η of normalized GD
    steps: int = 2000
    ridge: float = float(torch.finfo(torch.float64).eps)  # ε on ‖K‖² + ‖Q‖² (KQ only)
    log_every: int = 20
    seed: int = 0
    scale: str = "paper"


BOTH = ["W", "KQ"]
PRESETS = {  # per scale: (overrides of Cfg, grid of runs); one seed = one random problem
    "smoke": (dict(steps=200), dict(param=BOTH, seed=[0])),
    "book": (dict(), dict(param=BOTH, seed=list(range(20)))),
    "paper": (dict(), dict(param=BOTH, seed=list(range(100)))),
}
base, cfgs = config.at_scale(Cfg(), PRESETS, SCALE)
base

# %% [markdown]
# ## The experiment
# One run trains one parameterisation on one random problem (the seed draws the data and the
# initialisation). At the end it takes the token each sequence attends to most, solves both
# SVMs for that selection, and measures the correlation $\langle W_t, W^{mm}\rangle /
# (\|W_t\|\|W^{mm}\|)$ of the weights along the way with each of them, their ranks, and the
# singular values of the final $W$. `measure` turns the records into each claim's number.

# %%
def run(cfg: Cfg) -> records.Record:
    training.seed_all(cfg.seed)
    x, y, z, v, best = attention.attention_problem(cfg.n, cfg.t, cfg.d, cfg.seed)
    init = lambda: ((2 * torch.rand(cfg.d, cfg.d, dtype=torch.float64) - 1) / math.sqrt(cfg.d)).requires_grad_()
    params = [init() for _ in range(1 if cfg.param == "W" else 2)]
    weights = lambda: params[0] if cfg.param == "W" else params[0] @ params[1].T
    snaps, probs = [], []
    for step in range(1, cfg.steps + 1):
        loss = F.softplus(-y * attention.attention_output(x, z, weights(), v)).mean()
        loss = loss + (cfg.ridge * sum((p ** 2).sum() for p in params) if cfg.param == "KQ" else 0)
        for p in params:
            p.grad = None
        loss.backward()
        attention.normalized_gd_step_(params, cfg.lr)
        if step % cfg.log_every == 0:
            snaps.append(weights().detach().clone())
            probs.append(torch.softmax(attention.attention_scores(x, z, snaps[-1]), 1).max(1).values.mean().item())
    w = snaps[-1]
    selected = torch.softmax(attention.attention_scores(x, z, w), 1).argmax(1)
    feats = attention.attention_svm_features(x, z, selected)
    sol = {norm: max_margin.hard_margin_svm(feats, norm) for norm in ("fro", "nuc")}
    history = {"step": [cfg.log_every * (k + 1) for k in range(len(snaps))], "prob": probs,
               **{f"corr_{norm}": [max_margin.correlation(s, sol[norm]) for s in snaps] for norm in sol}}
    svals = torch.linalg.svdvals(w)
    final = {"corr_fro": history["corr_fro"][-1], "corr_nuc": history["corr_nuc"][-1], "prob": probs[-1],
             "global_opt": (selected == best).double().mean().item(), "svals": (svals / svals[0]).tolist(),
             **{f"rank_{norm}": torch.linalg.matrix_rank(sol[norm], rtol=1e-4).item() for norm in sol}}
    return records.Record(config=asdict(cfg), history=history, final=final)


def at_step(recs, key, step, param="W"):
    """A logged curve's value at `step` per problem (at the last step of a shorter run: smoke)."""
    return np.array([r.history[key][r.history["step"].index(min(step, r.history["step"][-1]))]
                     for r in records.select(recs, param=param)])


def measure(recs: list[records.Record]) -> dict:
    """Each claim's number, from the final metrics; seeds pair the two parameterisations."""
    def at(param, key):
        return records.finals(recs, key, param=param)

    gap_w = at("W", "corr_fro") - at("W", "corr_nuc")
    gap_kq = at("KQ", "corr_nuc") - at("KQ", "corr_fro")
    return {
        "w_fro": chapter.spread(at("W", "corr_fro"), unit="problems"),
        "w_fro_1000": chapter.spread(at_step(recs, "corr_fro", 1000), unit="problems"),
        "w_nuc_1000": chapter.spread(at_step(recs, "corr_nuc", 1000), unit="problems"),
        "kq_nuc": chapter.spread(at("KQ", "corr_nuc"), unit="problems"),
        "norm_gap": (min(gap_w.mean(), gap_kq.mean()), f"W: {gap_w.mean():.3f}, KQ: {gap_kq.mean():.3f}"),
        "softmax_one": chapter.spread(records.finals(recs, "prob"), unit="runs"),
        "nuc_rank": chapter.spread(at("W", "rank_nuc") - at("W", "rank_fro"), unit="problems"),
    }


# %% [markdown]
# Both parameterisations on every random problem:

# %% tags=["hide-output"]
recs = records.sweep(run, cfgs, CHAPTER.slug)

# %% [markdown]
# Final correlation with each SVM, softmax probability of the selected token, the share of
# sequences where that token is the globally optimal one ($\arg\max_t y_i x_{it}^\top v$),
# and the ranks of the two SVM solutions: mean and standard deviation over problems, and
# the number of runs per row (n).

# %%
records.summarize(recs, by="param", metrics=["corr_fro", "corr_nuc", "prob", "global_opt",
                                             "rank_fro", "rank_nuc"]).round(3)

# %% [markdown]
# ## Each parameterisation finds its own SVM
# Training $W$ (left) converges to the Frobenius-norm SVM and not to the nuclear-norm one;
# training $(K, Q)$ (middle) does the opposite. Both end with the softmax putting all its
# weight on one token per sequence (right).

# %% tags=["hide-input"]
by_param = {p: records.select(recs, param=p) for p in BOTH}
fig, axes = plots.panels(3)
steps = by_param["W"][0].history["step"]
for ax, p, title in zip(axes, BOTH, ("Training W", "Training (K, Q)")):
    for i, (norm, name) in enumerate([("fro", "Frobenius SVM $W^{mm}$"), ("nuc", "nuclear SVM $W^{mm}_\\star$")]):
        plots.mean_band(ax, steps, [r.history[f"corr_{norm}"] for r in by_param[p]], name, i)
    ax.set(xlabel="step", ylabel="correlation with the SVM", title=title, ylim=(0, 1.02))
    ax.legend(fontsize="small", loc="lower right")
for i, p in enumerate(BOTH):
    plots.mean_band(axes[2], steps, [r.history["prob"] for r in by_param[p]], f"training {p}", i)
axes[2].set(xlabel="step", ylabel="softmax prob. of selected token", title="Token selection")
axes[2].legend(fontsize="small", loc="lower right")
chapter.figure(fig, "Three panels over 2,000 steps of normalized gradient descent. Left: training W, "
               "the correlation with the Frobenius-norm SVM rises towards 1 while the correlation with "
               "the nuclear-norm SVM levels off lower. Middle: training K and Q, the reverse. Right: the "
               "mean softmax probability of the selected token rises to 1 for both parameterisations.")

# %% [markdown]
# ## The nuclear norm prefers low rank
# The nuclear norm is to singular values what the ℓ₁ norm is to coordinates, so the
# (K, Q) parameterisation's implicit regulariser favours weights of low rank. The singular
# values of the trained weights show it: those trained as $KQ^\top$ have fewer large ones.

# %% tags=["hide-input"]
fig, (ax,) = plots.panels(1, width=5.5)
k = np.arange(1, base.d + 1)
for i, (p, name) in enumerate([("W", "training W"), ("KQ", "training (K, Q)")]):
    plots.mean_band(ax, k, [r.final["svals"] for r in by_param[p]], name, i)
ax.set(xlabel="index k", ylabel="σ_k / σ_1 of the trained W", title="Singular values after training")
ax.legend()
chapter.figure(fig, "Normalized singular values of the trained attention weights, largest first. "
               "Weights trained directly have about six sizeable singular values; weights trained "
               "as a product of key and query matrices have fewer, decaying faster to near zero.")

# %% [markdown]
# ## Paper vs ours

# %%
summary = chapter.save_summary(CHAPTER, CLAIMS, measure(recs), recs, SCALE)
chapter.check(summary)

# %% tags=["remove-cell"]
chapter.glue("n_problems", str(len(records.select(recs, param="W"))))
chapter.glue("w_nuc", f"{records.finals(recs, 'corr_nuc', param='W').mean():.3f}")
chapter.glue("kq_fro", f"{records.finals(recs, 'corr_fro', param='KQ').mean():.3f}")
chapter.glue("global_opt", f"{100 * records.finals(recs, 'global_opt').mean():.0f}")
chapter.glue("rank_fro", f"{records.finals(recs, 'rank_fro', param='W').mean():.1f}")
chapter.glue("rank_nuc", f"{records.finals(recs, 'rank_nuc', param='W').mean():.1f}")

# %% [markdown]
# Over {glue:text}`n_problems` random problems, weights trained as one matrix end with a
# correlation of {glue:text}`claim_w_fro` with the Frobenius-norm SVM and {glue:text}`w_nuc`
# with the nuclear-norm one; weights trained as $KQ^\top$ end at {glue:text}`claim_kq_nuc` with
# the nuclear-norm SVM and {glue:text}`kq_fro` with the Frobenius one. The selected token was
# the globally optimal one in {glue:text}`global_opt`% of the sequences; the theory allows GD
# to settle on a locally optimal token instead. The Frobenius SVM has rank
# {glue:text}`rank_fro` on average, the nuclear one {glue:text}`rank_nuc`. At 1,000 steps,
# halfway, the weights trained as one matrix correlate {glue:text}`claim_w_fro_1000` with the
# Frobenius SVM and {glue:text}`claim_w_nuc_1000` with the nuclear one, against about 0.99 and
# 0.86 in the authors' notebook.
#
# ## Run it at paper scale
# Set `scale = "paper"` (or `REGLAB_SCALE=paper`): it runs the official notebook's 100 random
# problems for both parameterisations, 200 runs of 2,000 steps, each with two SVM solves.
# Everything runs on a CPU; `REGLAB_JOBS` or `REGLAB_DASK` spread the runs over workers
# (README). The paper's other experiments (the dimension sweep showing that
# over-parameterisation makes the globally optimal tokens win, and nonlinear heads) are not
# implemented here.

# %% tags=["remove-input"]
chapter.paper_scale(CHAPTER.slug)

# %% [markdown]
# ## What this does and does not show
# The experiments are the official code's setting, with fewer random problems, and the
# numbers agree with the claim: directions converge to the SVM of the right norm, the
# softmax saturates, and the nuclear-norm solution has lower rank. We do not test the paper's
# conditions for *global* convergence, nor how often the selected tokens are the globally
# optimal ones as the dimension grows.

# %% tags=["remove-input"]
chapter.provenance(summary)

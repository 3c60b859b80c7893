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
from reglab import chapter
from reglab.claims import Claim

CHAPTER = chapter.Chapter(
    slug="transformers_svm",
    title="Transformers as support vector machines",
    paper=chapter.Paper(
        key="tarzanagh2023transformers", title="Transformers as Support Vector Machines",
        authors=("Tarzanagh, Davoud Ataee", "Li, Yingcong", "Thrampoulidis, Christos", "Oymak, Samet"),
        venue="arXiv", booktitle="arXiv preprint arXiv:2308.16898", year=2023, arxiv="2308.16898",
        code="https://github.com/umich-sota/TF-as-SVM"),
    claim="Gradient descent on the key-query weights of one softmax-attention layer converges in "
          "direction to a hard-margin SVM that separates the selected token from the others: the "
          "Frobenius-norm SVM when W is trained directly, the nuclear-norm SVM when W = KQᵀ.",
    claims=(
        Claim("w_fro", "Training W converges in direction to the Frobenius-norm Att-SVM",
              "abstract; official local_converge.ipynb (figure number not verified)",
              "correlation → 1 (qualitative)", "corr(W, W^mm) after 2,000 steps, mean", low=0.98),
        Claim("kq_nuc", "Training (K, Q) converges in direction to the nuclear-norm Att-SVM",
              "abstract; official local_converge.ipynb (figure number not verified)",
              "correlation → 1 (qualitative)", "corr(KQᵀ, W*^mm) after 2,000 steps, mean", low=0.98),
        Claim("norm_gap", "...and the parameterisation decides which of the two norms",
              "abstract", "—", "own-norm minus other-norm corr., smaller of the two means", low=0.08),
        Claim("softmax_one", "Attention ends up selecting one token per sequence",
              "official local_converge.ipynb (not verified as a number)", "softmax prob. → 1",
              "softmax prob. of the selected token, mean", low=0.99),
        Claim("nuc_rank", "The nuclear-norm SVM has lower rank than the Frobenius one",
              "official svm_rank.ipynb (figure not verified)", "lower rank (qualitative)",
              "rank(W*^mm) − rank(W^mm), mean", high=-1.0),
        Claim("perc_same", "Logistic GD with γ → ∞ is the batch perceptron",
              "Tyurin (2024), abstract", "—",
              "share of runs where γ = 10⁶ separates at the perceptron's step", low=1.0),
        Claim("speedup", "...and larger steps separate the data sooner",
              "Tyurin (2024), abstract", "—", "steps to separate, γ = 1 over γ = 10⁶, mean", low=10.0),
        Claim("loss_higher", "...while the logistic loss on the way is higher",
              "Tyurin (2024), abstract", "—",
              "loss γ = 10⁴ over γ = 1 at half the perceptron's steps, geometric mean", low=10.0),
        Claim("acc_not_lower", "...although accuracy is not lower",
              "Tyurin (2024), abstract", "—",
              "train acc. γ = 10⁴ minus γ = 1 at half the perceptron's steps, worst run", low=0.0),
        Claim("large_step_margin", "Huge steps stop at a small-margin separator",
              "not in the paper (this chapter's check)", "—",
              "margin of γ = 10⁴ / SVM margin, mean", high=0.1),
        Claim("small_step_margin", "Small steps head for the max-margin separator",
              "Soudry et al. (2018) (theorem number not verified)", "direction → SVM",
              "margin of γ = 1 / SVM margin, mean", low=0.5),
    ),
    deviations=(
        "**Seeds.** 10 random problems at `book` scale instead of the official notebook's 100; "
        "otherwise the official setting (n = 6, T = 8, d = 10, cross-attention, normalized GD with "
        "η = 0.1 for 2,000 steps, float64).",
        "**Initialisation.** K, Q and W are drawn uniform in ±1/√d (PyTorch's `nn.Linear` default, "
        "which the official code uses) from the seeded global generator; the official notebook does "
        "not seed its initialisation.",
        "**Large steps.** The Tyurin (2024) section uses scikit-learn's digits (3 vs 5 and 8 vs 9, "
        "random 80% subsamples), not the paper's datasets, and does not run the paper's Normalized "
        "LR+GD. Its margin checks are ours, not the paper's.",
    ),
    budget_s={"smoke": 20, "book": 180, "paper": 900},
    uses=("reglab.svm.attention_problem", "reglab.svm.attention_output", "reglab.svm.attention_svm_features",
          "reglab.svm.hard_margin_svm", "reglab.svm.normalized_gd_step_", "reglab.svm.correlation",
          "reglab.svm.logistic_gd_step", "reglab.svm.normalized_margin"),
)
CHAPTER.card()

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
# The second half of the chapter looks at the same question from the other side
# {cite}`tyurin2024perceptron`: with a *huge* step size, gradient descent on the logistic loss
# becomes the batch perceptron. It separates the data in few steps and then stops moving,
# at a separator whose margin is far from the maximum. The implicit bias towards the
# max-margin solution is a property of small steps and long training.

# %% [markdown]
# ## Setup
# One parameter sets the scale: `smoke` proves the code runs, `book` (this page) runs the
# official setting with fewer random problems, `paper` runs all of them.

# %% tags=["hide-output"]
import math
from dataclasses import asdict, dataclass

import numpy as np
import torch
import torch.nn.functional as F

from reglab import book, claims, config, plots, records, svm, training

SCALE, DEVICE = book.setup(scale)
SCALE

# %% [markdown]
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
# solver serves both norms and also the ordinary linear SVM. Training uses the official code's
# normalized gradient descent: every step has length $\eta$, so $\|W\|$ grows linearly and the
# direction can settle.

# %% tags=["remove-input"]
book.show_source(svm.attention_output, svm.attention_svm_features, svm.hard_margin_svm,
                 svm.normalized_gd_step_, svm.correlation)

# %% [markdown]
# ## Configuration
# Defaults are the official `local_converge.ipynb` settings: 6 sequences of 8 tokens in
# 10 dimensions, cross-attention with a random query per sequence, η = 0.1 for 2,000 steps,
# and, for (K, Q), a ridge ε(‖K‖² + ‖Q‖²) with ε the float64 machine epsilon, which the
# authors add to keep the two factors balanced. Scale changes only the number of random
# problems (seeds), and `smoke` the number of steps.

# %%
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


PRESETS = {"smoke": dict(steps=200), "book": dict(), "paper": dict()}
SEEDS = {"smoke": [0], "book": list(range(10)), "paper": list(range(100))}[SCALE]
base = config.at_scale(Cfg(), PRESETS, SCALE)
base

# %% [markdown]
# ## The experiment
# One run trains one parameterisation on one random problem (the seed draws the data and the
# initialisation). At the end it takes the token each sequence attends to most, solves both
# SVMs for that selection, and measures the correlation $\langle W_t, W^{mm}\rangle /
# (\|W_t\|\|W^{mm}\|)$ of the weights along the way with each of them.

# %%
def run(cfg: Cfg) -> records.Record:
    training.seed_all(cfg.seed)
    x, y, z, v, best = svm.attention_problem(cfg.n, cfg.t, cfg.d, cfg.seed)
    init = lambda: ((2 * torch.rand(cfg.d, cfg.d, dtype=torch.float64) - 1) / math.sqrt(cfg.d)).requires_grad_()
    params = [init() for _ in range(1 if cfg.param == "W" else 2)]
    weights = lambda: params[0] if cfg.param == "W" else params[0] @ params[1].T
    snaps, probs = [], []
    for step in range(1, cfg.steps + 1):
        loss = F.softplus(-y * svm.attention_output(x, z, weights(), v)).mean()
        loss = loss + (cfg.ridge * sum((p ** 2).sum() for p in params) if cfg.param == "KQ" else 0)
        for p in params:
            p.grad = None
        loss.backward()
        svm.normalized_gd_step_(params, cfg.lr)
        if step % cfg.log_every == 0:
            snaps.append(weights().detach().clone())
            probs.append(torch.softmax(svm.attention_scores(x, z, snaps[-1]), 1).max(1).values.mean().item())
    return summarize_run(cfg, snaps, probs, x, z, best)


# %% [markdown]
# The measurements at the end of a run: the two SVMs for the tokens the model selected, the
# correlations of every logged $W_t$ with each, their ranks, and the singular values of the
# final $W$.

# %%
def summarize_run(cfg, snaps, probs, x, z, best):
    w = snaps[-1]
    selected = torch.softmax(svm.attention_scores(x, z, w), 1).argmax(1)
    feats = svm.attention_svm_features(x, z, selected)
    sol = {norm: svm.hard_margin_svm(feats, norm) for norm in ("fro", "nuc")}
    history = {"step": [cfg.log_every * (k + 1) for k in range(len(snaps))], "prob": probs,
               **{f"corr_{norm}": [svm.correlation(s, sol[norm]) for s in snaps] for norm in sol}}
    svals = torch.linalg.svdvals(w)
    final = {"corr_fro": history["corr_fro"][-1], "corr_nuc": history["corr_nuc"][-1], "prob": probs[-1],
             "global_opt": (selected == best).double().mean().item(), "svals": (svals / svals[0]).tolist(),
             **{f"rank_{norm}": torch.linalg.matrix_rank(sol[norm], rtol=1e-4).item() for norm in sol}}
    return records.Record(config=asdict(cfg), history=history, final=final)


# %% [markdown]
# Both parameterisations on every random problem. Each run's record is saved as JSON with
# its config and provenance.

# %% tags=["hide-output"]
cfgs = config.grid(base, param=["W", "KQ"], seed=SEEDS)
folder = f"results/transformers_svm/{SCALE}"
recs = [records.run_and_save(run, c, folder) for c in book.progress(cfgs, desc="attention runs")]
by_param = {p: [r for r in recs if r.config["param"] == p] for p in ("W", "KQ")}

# %% [markdown]
# Final correlation with each SVM, softmax probability of the selected token, the share of
# sequences where that token is the globally optimal one ($\arg\max_t y_i x_{it}^\top v$),
# and the ranks of the two SVM solutions: mean and standard deviation over problems, and their number (n).

# %%
records.summarize(recs, by="param", metrics=["corr_fro", "corr_nuc", "prob", "global_opt",
                                             "rank_fro", "rank_nuc"]).round(3)

# %% [markdown]
# ## Each parameterisation finds its own SVM
# Training $W$ (left) converges to the Frobenius-norm SVM and not to the nuclear-norm one;
# training $(K, Q)$ (middle) does the opposite. Both end with the softmax putting all its
# weight on one token per sequence (right).

# %% tags=["hide-input"]
fig, axes = plots.panels(3)
steps = by_param["W"][0].history["step"]
for ax, p, title in zip(axes, ("W", "KQ"), ("Training W", "Training (K, Q)")):
    for i, (norm, name) in enumerate([("fro", "Frobenius SVM $W^{mm}$"), ("nuc", "nuclear SVM $W^{mm}_\\star$")]):
        plots.mean_band(ax, steps, [r.history[f"corr_{norm}"] for r in by_param[p]], name, i)
    ax.set(xlabel="step", ylabel="correlation with the SVM", title=title, ylim=(0, 1.02))
    ax.legend(fontsize="small", loc="lower right")
for i, p in enumerate(("W", "KQ")):
    plots.mean_band(axes[2], steps, [r.history["prob"] for r in by_param[p]], f"training {p}", i)
axes[2].set(xlabel="step", ylabel="softmax prob. of selected token", title="Token selection")
axes[2].legend(fontsize="small", loc="lower right")
book.figure(fig, "Three panels over 2,000 steps of normalized gradient descent. Left: training W, "
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
book.figure(fig, "Normalized singular values of the trained attention weights, largest first. "
            "Weights trained directly have about six sizeable singular values; weights trained "
            "as a product of key and query matrices have fewer, decaying faster to near zero.")

# %% [markdown]
# ## The other side: large steps in logistic regression
# Tyurin {cite}`tyurin2024perceptron` runs gradient descent on the logistic loss
# $f(\theta) = \frac{1}{n}\sum_i \log(1 + e^{-y_i a_i^\top\theta})$ with step size $\gamma$ on
# separable data. As $\gamma \to \infty$ (from $\theta_0 = 0$), $\theta_t / \gamma$ follows the
# *batch perceptron* $\theta \leftarrow \theta + \frac{1}{n}\sum_i y_i a_i \,\mathbb{1}[y_i
# a_i^\top\theta < 0]$. That update stops as soon as every example is classified correctly, so
# huge steps find a separator quickly and then stay there, whatever its margin. We compare
# the separators with the max-margin one from the same SVM solver as above. The step
# function below runs several step sizes at once, one per column, and the batch perceptron
# as the column with $\gamma = \infty$.

# %% tags=["remove-input"]
book.show_source(svm.logistic_gd_step, svm.normalized_margin)

# %% [markdown]
# The paper's datasets are not in this offline book, and we did not verify its settings; we
# use two pairs of scikit-learn digits that need many perceptron steps (3 vs 5, 8 vs 9), with
# pixels in [0, 1] and a constant bias feature. Each seed draws a random 80% of a pair's
# images. Step sizes run from 1 to 10⁶; all runs start at θ = 0 and take 20,000 steps
# (`smoke`: 2,000).

# %%
@dataclass(frozen=True)
class LogisticCfg:
    pair: str = "3v5"            # digits a v b: a is labelled +1, b −1
    fraction: float = 0.8        # share of the pair's images drawn by the seed
    gammas: tuple = (1.0, 10.0, 100.0, 1e3, 1e4, 1e6)  # step sizes; the perceptron is added
    steps: int = 20_000
    seed: int = 0
    scale: str = "paper"


LOGISTIC_PRESETS = {"smoke": dict(steps=2000), "book": dict(), "paper": dict()}
PAIRS = {"smoke": ["3v5"], "book": ["3v5", "8v9"], "paper": ["3v5", "8v9"]}[SCALE]
LOGISTIC_SEEDS = {"smoke": [0], "book": [0, 1, 2], "paper": list(range(10))}[SCALE]
lbase = config.at_scale(LogisticCfg(), LOGISTIC_PRESETS, SCALE)
lbase

# %% [markdown]
# The data of one run, drawn by its own seeded generator:

# %%
def digit_pair(pair: str, fraction: float, seed: int):
    from sklearn.datasets import load_digits

    a, b = map(int, pair.split("v"))
    images, labels = load_digits(return_X_y=True)
    idx = np.flatnonzero((labels == a) | (labels == b))
    perm = torch.randperm(len(idx), generator=torch.Generator().manual_seed(seed)).numpy()
    idx = np.sort(idx[perm[: round(fraction * len(idx))]])
    x = torch.tensor(images[idx] / 16.0)
    x = torch.cat([x, torch.ones(len(x), 1, dtype=x.dtype)], 1)   # bias feature
    return x, torch.tensor(np.where(labels[idx] == a, 1.0, -1.0))


# %% [markdown]
# One run: all step sizes and the perceptron side by side on one subsample. Every step we
# keep each column's loss, training accuracy and normalized margin
# $\min_i y_i a_i^\top\theta / \|\theta\|$; the record keeps them at 60 log-spaced steps, plus
# the step at which each column first separates the data and its loss and accuracy at half
# the perceptron's step count.

# %%
def run_logistic(cfg: LogisticCfg) -> records.Record:
    training.seed_all(cfg.seed)
    x, y = digit_pair(cfg.pair, cfg.fraction, cfg.seed)
    gammas = torch.tensor([*cfg.gammas, math.inf], dtype=torch.float64)   # last column: perceptron
    w = torch.zeros(x.shape[1], len(gammas), dtype=torch.float64)
    loss, acc, margin = [], [], []
    for _ in range(cfg.steps + 1):
        m = y[:, None] * (x @ w)
        loss.append(F.softplus(-m).mean(0))
        acc.append((m > 0).double().mean(0))
        margin.append(m.min(0).values / w.norm(dim=0).clamp_min(1e-300))
        w = svm.logistic_gd_step(w, x, y, gammas)
    svm_margin = svm.normalized_margin(svm.hard_margin_svm(y[:, None] * x), x, y)
    return logistic_record(cfg, torch.stack(loss), torch.stack(acc), torch.stack(margin) / svm_margin, svm_margin)


# %% [markdown]
# Turning the per-step tensors (steps × columns) into the record:

# %%
def logistic_record(cfg, loss, acc, margin_ratio, svm_margin):
    separated = acc == 1.0
    first = [int(c.nonzero()[0]) if c.any() else None for c in separated.T]
    half = first[-1] // 2
    logged = np.unique(np.geomspace(1, cfg.steps, 60).astype(int)).tolist()
    history = {"step": logged, "loss": loss[logged].T.tolist(), "acc": acc[logged].T.tolist(),
               "margin_ratio": margin_ratio[logged].T.tolist()}
    final = {"sep_step": first[:-1], "perc_sep_step": first[-1], "loss_half": loss[half, :-1].tolist(),
             "acc_half": acc[half, :-1].tolist(), "margin_ratio": margin_ratio[-1, :-1].tolist(),
             "perc_margin_ratio": margin_ratio[-1, -1].item(), "svm_margin": svm_margin}
    return records.Record(config=asdict(cfg), history=history, final=final)


# %% [markdown]
# Both digit pairs, several subsamples each:

# %% tags=["hide-output"]
lcfgs = config.grid(lbase, pair=PAIRS, seed=LOGISTIC_SEEDS)
lrecs = [records.run_and_save(run_logistic, c, folder) for c in book.progress(lcfgs, desc="logistic runs")]
G = list(lbase.gammas)
col = {g: G.index(g) for g in (1.0, 1e4, 1e6)}

# %% [markdown]
# ## Larger steps separate sooner, at a higher loss
# Left: the number of steps until every training example is classified correctly, against
# the step size. It falls steeply from γ = 1 and then settles at the batch perceptron's count
# (dashed lines). It is not monotone: on 3 vs 5, γ = 100 separates sooner than the
# perceptron limit, in line with the paper's third point, that the iteration complexity of
# very large steps is suboptimal. Right: the logistic loss along the way. Before it
# separates the data, γ = 10⁴ has a loss orders of magnitude higher than γ = 1, and it goes
# up and down; yet it separates the data long before γ = 1 does, and then its loss collapses.

# %% tags=["hide-input"]
fig, (ax_sep, ax_loss) = plots.panels(2)
for i, pair in enumerate(PAIRS):
    rs = [r for r in lrecs if r.config["pair"] == pair]
    sep = [[s if s is not None else np.nan for s in r.final["sep_step"]] for r in rs]
    plots.mean_band(ax_sep, G, sep, f"digits {pair.replace('v', ' vs ')}", i)
    ax_sep.axhline(np.mean([r.final["perc_sep_step"] for r in rs]), color=plots.PALETTE[i], ls="--", lw=1)
ax_sep.set(xscale="log", yscale="log", xlabel="step size γ", ylabel="steps to separate",
           title="Steps to separate the data")
ax_sep.legend(fontsize="small")
rs = [r for r in lrecs if r.config["pair"] == PAIRS[0]]
for i, g in enumerate((1.0, 100.0, 1e4)):
    runs = [np.log10(r.history["loss"][G.index(g)]) for r in rs]
    plots.mean_band(ax_loss, rs[0].history["step"], runs, f"γ = {g:g}", i)
ax_loss.set(xscale="log", xlabel="step", ylabel="log₁₀ training logistic loss",
            title=f"Loss, digits {PAIRS[0].replace('v', ' vs ')}")
ax_loss.legend(fontsize="small", loc="lower left")
book.figure(fig, "Left: steps until the training data are separated, against the step size on log "
            "axes, for two digit pairs; the count falls steeply from step size 1, dips below the batch "
            "perceptron's count around step size 100 on 3 vs 5, and settles at the perceptron's count "
            "(dashed lines) for huge step sizes. Right: log of the training logistic loss over steps for "
            "three step sizes; step size 10^4 has by far the highest loss, going up and down, until it "
            "separates the data, long before step size 1 does; then its loss drops to almost zero.")

# %% [markdown]
# ## ...and stop at a small margin
# The normalized margin of each iterate, as a fraction of the max-margin SVM's. The
# perceptron, and GD with γ = 10⁴ that follows it, stop at a separator with a few percent of
# the best margin and stay there: once every example is on the right side their gradient is
# exponentially small. With γ = 1 the margin keeps growing towards the SVM's, the implicit
# bias that the attention section relies on; γ = 100, in between, separates early and then
# keeps improving its margin, slowly.

# %% tags=["hide-input"]
fig, axes = plots.panels(len(PAIRS))
for ax, pair in zip(axes, PAIRS):
    rs = [r for r in lrecs if r.config["pair"] == pair]
    steps = rs[0].history["step"]
    for i, g in enumerate((1.0, 100.0, 1e4)):
        plots.mean_band(ax, steps, [r.history["margin_ratio"][G.index(g)] for r in rs], f"γ = {g:g}", i)
    plots.mean_band(ax, steps, [r.history["margin_ratio"][-1] for r in rs], "perceptron", 3)
    ax.set(xscale="log", xlim=(10, None), ylim=(-0.25, 1.05), xlabel="step", ylabel="margin / SVM margin",
           title=f"Digits {pair.replace('v', ' vs ')}")
    ax.axhline(1, color="black", lw=1)
    ax.legend(fontsize="small", loc="upper left")
book.figure(fig, "Normalized margin of the iterates as a fraction of the max-margin SVM margin, over "
            "steps on a log axis, one panel per digit pair. With step size 1 it rises slowly towards "
            "the SVM's margin (the black line at 1); with step size 10^4 and for the perceptron it "
            "becomes positive within about a hundred steps and then stays at a few percent.")

# %% [markdown]
# ## Paper vs ours
# Each check and its tolerance was set from a pilot run before this chapter was written,
# not tuned on its results; at `book` and `paper` scale a failing check fails the build.
# The attention claims are means over the random problems; the large-step claims are over
# both digit pairs and all subsamples. Spreads are sample standard deviations.

# %%
def fin(rs, key, j=None):
    return np.array([r.final[key] if j is None else r.final[key][j] for r in rs], dtype=float)


w_fro, w_nuc = fin(by_param["W"], "corr_fro"), fin(by_param["W"], "corr_nuc")
kq_nuc, kq_fro = fin(by_param["KQ"], "corr_nuc"), fin(by_param["KQ"], "corr_fro")
gap_w, gap_kq = w_fro - w_nuc, kq_nuc - kq_fro
prob = np.concatenate([fin(by_param[p], "prob") for p in by_param])
rank_diff = fin(by_param["W"], "rank_nuc") - fin(by_param["W"], "rank_fro")
perc = fin(lrecs, "perc_sep_step")
speedup = fin(lrecs, "sep_step", col[1.0]) / fin(lrecs, "sep_step", col[1e6])
loss_ratio = np.log10(fin(lrecs, "loss_half", col[1e4]) / fin(lrecs, "loss_half", col[1.0]))
acc_diff = fin(lrecs, "acc_half", col[1e4]) - fin(lrecs, "acc_half", col[1.0])
m_big, m_small = fin(lrecs, "margin_ratio", col[1e4]), fin(lrecs, "margin_ratio", col[1.0])
n, nl = len(w_fro), len(lrecs)

# %% [markdown]
# The verdicts:

# %%
sd = lambda a, unit="problems": f"± {a.std(ddof=1):.3f} ({len(a)} {unit})"
measured = {
    "w_fro": (w_fro.mean(), sd(w_fro)), "kq_nuc": (kq_nuc.mean(), sd(kq_nuc)),
    "norm_gap": (min(gap_w.mean(), gap_kq.mean()), f"W: {gap_w.mean():.3f}, KQ: {gap_kq.mean():.3f}"),
    "softmax_one": (prob.mean(), sd(prob, "runs")),
    "nuc_rank": (rank_diff.mean(), sd(rank_diff)),
    "perc_same": ((fin(lrecs, "sep_step", col[1e6]) == perc).mean(), f"({nl} runs)"),
    "speedup": (speedup.mean(), sd(speedup, "runs")),
    "loss_higher": (10 ** loss_ratio.mean(), f"({nl} runs)"),
    "acc_not_lower": (acc_diff.min(), f"({nl} runs)"),
    "large_step_margin": (m_big.mean(), sd(m_big, "runs")),
    "small_step_margin": (m_small.mean(), sd(m_small, "runs")),
}
summary = chapter.save_summary(CHAPTER, measured, recs + lrecs, SCALE)
claims.check(CHAPTER.claims, measured, SCALE)

# %% tags=["remove-cell"]
book.glue("n_problems", str(n))
book.glue("w_fro", f"{w_fro.mean():.3f}")
book.glue("w_nuc", f"{w_nuc.mean():.3f}")
book.glue("kq_nuc", f"{kq_nuc.mean():.3f}")
book.glue("kq_fro", f"{kq_fro.mean():.3f}")
book.glue("global_opt", f"{100 * np.concatenate([fin(by_param[p], 'global_opt') for p in by_param]).mean():.0f}")
book.glue("rank_fro", f"{fin(by_param['W'], 'rank_fro').mean():.1f}")
book.glue("rank_nuc", f"{fin(by_param['W'], 'rank_nuc').mean():.1f}")
book.glue("speedup", f"{speedup.mean():.0f}")
book.glue("m_big", f"{100 * m_big.mean():.1f}")
book.glue("m_small", f"{100 * m_small.mean():.0f}")
book.glue("steps_l", f"{lbase.steps:,}")
r35 = [r for r in lrecs if r.config["pair"] == PAIRS[0]]
book.glue("sep100_35", f"{fin(r35, 'sep_step', G.index(100.0)).mean():.0f}")
book.glue("perc_35", f"{fin(r35, 'perc_sep_step').mean():.0f}")
book.glue("speedup_sd", f"{speedup.std(ddof=1):.1f}")

# %% [markdown]
# Over {glue:text}`n_problems` random problems, weights trained as one matrix end with a
# correlation of {glue:text}`w_fro` with the Frobenius-norm SVM and {glue:text}`w_nuc` with the
# nuclear-norm one; weights trained as $KQ^\top$ end at {glue:text}`kq_nuc` with the nuclear-norm
# SVM and {glue:text}`kq_fro` with the Frobenius one. The selected token was the globally
# optimal one in {glue:text}`global_opt`% of the sequences; the theory allows GD to settle on a
# locally optimal token instead. The Frobenius SVM has rank {glue:text}`rank_fro` on average,
# the nuclear one {glue:text}`rank_nuc`.
#
# In logistic regression, γ = 10⁶ separates the data in exactly as many steps as the batch
# perceptron, on average {glue:text}`speedup` ± {glue:text}`speedup_sd` times sooner than γ = 1:
# close to the check's threshold of 10, which was set from a pilot on the full digit pairs,
# where the ratio was more than twice as large. Random subsamples are not as kind to the perceptron: on 3 vs 5 it needs
# {glue:text}`perc_35` steps on average, and γ = 100 only {glue:text}`sep100_35`. "Larger steps
# separate sooner" holds between small and huge steps, not step by step.
#
# After {glue:text}`steps_l` steps, γ = 10⁴ sits at {glue:text}`m_big`% of the maximum margin
# and γ = 1 at {glue:text}`m_small`%.
#
# ## Deviations from the paper

# %% tags=["remove-input"]
CHAPTER.deviation_list()

# %% [markdown]
# ## Run it at paper scale
# `scale = "paper"` runs the official notebook's 100 random problems for both
# parameterisations (200 runs of 2,000 steps, each with two SVM solves) and ten subsamples of
# each digit pair. Everything runs on a CPU: about five minutes on one thread, estimated
# from the `book` timings (not measured). With ten subsamples per pair, the speed-up check
# (γ = 1 against γ = 10⁶), which holds narrowly at `book` scale, may fail. The paper's other experiments (the dimension sweep showing that
# over-parameterisation makes the globally optimal tokens win, and nonlinear heads) are not
# implemented here.
#
# ## What this does and does not show
# The attention experiments are the official code's setting, with fewer random problems, and
# the numbers agree with the claim: directions converge to the SVM of the right norm, the
# softmax saturates, and the nuclear-norm solution has lower rank. We do not test the paper's
# conditions for *global* convergence, nor how often the selected tokens are the globally
# optimal ones as the dimension grows. The large-step section shows the batch-perceptron
# limit, the faster separation and the misleading loss on two small datasets; it does not
# test the paper's iteration-complexity bounds or its Normalized LR+GD, and the margin checks
# are this chapter's addition, not the paper's claims.
#
# ## Provenance

# %% tags=["remove-input"]
book.provenance(summary)

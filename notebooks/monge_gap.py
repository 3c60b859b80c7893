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
# # The Monge gap: a regularizer that picks the optimal transport map

# %% tags=["remove-cell"]
# Colab bootstrap: there the package is not installed. Off Colab this cell does nothing.
import sys

if "google.colab" in sys.modules:
    get_ipython().run_line_magic("pip", "install -q git+https://github.com/regularization-reproduced/book")

# %% tags=["parameters", "remove-cell"]
scale = "book"  # smoke | book | paper; the environment variable REGLAB_SCALE overrides it

# %% tags=["remove-input"]
from reglab import chapter, config
from reglab.topics import monge_gap as mg

CHAPTER = chapter.Chapter(
    slug="monge_gap",
    title="The Monge gap: a regularizer that picks the optimal transport map",
    paper=chapter.Paper(
        key="uscidda2023monge", title="The Monge Gap: A Regularizer to Learn All Transport Maps",
        authors=("Uscidda, Théo", "Cuturi, Marco"),
        venue="ICML", booktitle="International Conference on Machine Learning (ICML), PMLR 202",
        year=2023, arxiv="2302.04953", code="https://github.com/ott-jax/ott"),
    claim="Minimising a fitting loss between T♯μ and ν, regularized by the Monge gap "
          "M(T) = E[c(x, T(x))] − W_c(μ, T♯μ), learns the optimal transport map with no constraint "
          "on the network; \"our simple pipeline significantly outperforms other baselines\" (abstract; "
          "qualitative here: this chapter's Gaussian test has no number in the paper).",
    budget_s={"smoke": 20, "book": 180, "paper": 3600},
    uses=(mg.monge_gap, mg.sinkhorn_divergence, mg.entropic_ot, mg.sinkhorn_plan, mg.exact_monge_gap,
          mg.gaussian_ot_map, mg.ResidualMap),
)
CHAPTER.card(config.resolve_scale(scale))

# %% [markdown]
# Many maps push one distribution onto another. A rotation of a standard Gaussian is still a
# standard Gaussian, so if $T$ pushes $\mu = \mathcal N(0, I)$ onto $\nu$, so does
# $x \mapsto T(Rx)$ for every rotation $R$. A loss that only compares $T\sharp\mu$ with $\nu$
# cannot tell these maps apart: every one of them fits perfectly. Optimal transport picks one,
# the map that moves the mass at the least total cost $\mathbb E\,c(x, T(x))$, and that is the
# map one usually wants (single-cell perturbation responses, domain adaptation, generative
# models). Earlier neural OT solvers got it by *building in* structure: for the squared
# Euclidean cost Brenier's theorem says the optimal map is the gradient of a convex function,
# so they parametrize $T = \nabla f_\theta$ with an input-convex network.
#
# Uscidda and Cuturi {cite}`uscidda2023monge` replace the architecture with a **regularizer**.
# The Monge gap of a map $T$ with respect to a reference measure $\rho$ and a cost $c$ is
#
# $$\mathcal M^c_\rho(T) = \int c(x, T(x))\,\mathrm d\rho(x) - W_c(\rho, T\sharp\rho) \;\ge\; 0,$$
#
# what $T$ pays to move $\rho$ onto $T\sharp\rho$, minus the cheapest way of doing the same
# move. It is zero exactly when $T$ is $c$-optimal between $\rho$ and its own image. Adding
# $\lambda\,\mathcal M^c_\mu(T)$ to a fitting loss $\Delta(T\sharp\mu, \nu)$ turns any
# push-forward learner into an OT-map learner, for any cost, with an unconstrained network.
# This is regularization in its plainest role: the data term has a whole set of minimizers and
# the penalty chooses among them.
#
# This chapter tests that selection where the answer is known in closed form. The target is a
# correlated Gaussian, $\nu = \mathcal N(m, A)$, so the OT map from $\mathcal N(0, I)$ is
# $T^*(x) = m + A^{1/2}x$. We train a plain residual MLP two ways, with the Sinkhorn
# divergence alone ("vanilla") and with the Monge gap added, from two starts: a random
# initialisation, and a network first fitted to a **valid but non-optimal** map, $m + LRx$
# with $L$ the Cholesky factor of $A$ and $R$ a 90° rotation. That map already pushes $\mu$
# exactly onto $\nu$, so the fitting loss has nothing left to do there. We measure the distance
# to $T^*$ and the exact Monge gap on samples (an optimal assignment, no entropy).
#
# ## What we check

# %%
from reglab import chapter
from reglab.chapter import Claim

CLAIMS = (
    Claim("selects_ot", "From a valid but non-optimal map, adding the Monge gap moves the network "
          "to the OT map, which the fitting loss alone does not (qualitative)", "Abstract",
          "qualitative: no number for this test", "‖T_MG − T*‖² / ‖T_vanilla − T*‖², rotated start, "
          "worst of the seeds", high=0.05),
    Claim("mg_near", "The map learned with the Monge gap is the OT map (qualitative)", "Abstract",
          "qualitative: no number for this test", "‖T_MG − T*‖² on 2000 fresh points, worst of the "
          "λ = 1 runs", high=0.15),
    Claim("vanilla_far", "Without the gap, the rotated map stays far from T*", "control: fitting loss alone",
          "—", "‖T_vanilla − T*‖², rotated start, least of the seeds", low=1.0),
    Claim("mg_optimal", "Training on the entropic gap estimate makes the learned map c-optimal on "
          "samples: its Monge gap is zero, as for every OT map (qualitative)",
          "Eq. (8) (the estimator, as OTT-JAX's monge_gap docstring cites it)",
          "qualitative: M = 0 iff T is c-optimal", "exact Monge gap on 500 fresh points, worst of the "
          "λ = 1 runs", high=1e-3),
    Claim("vanilla_gap", "...while the vanilla map from the rotated start keeps a large gap",
          "control: fitting loss alone", "—", "exact Monge gap, rotated start, λ = 0, least of the seeds",
          low=1.0),
    Claim("random_gap", "Even from a random start the gap removes a non-optimality the fitting loss "
          "leaves", "this chapter's check", "—", "exact gap (vanilla) − exact gap (MG), random start, "
          "mean over seeds", low=0.005),
    Claim("other_cost", "The same regularizer works for another cost: with c = ‖x − y‖^1.5 the learned "
          "map is c-optimal (qualitative)", "Abstract", "qualitative: \"for any cost\" is the title's "
          "\"all transport maps\"", "exact ‖x − y‖^1.5 Monge gap, rotated start, λ = 1 with that cost, "
          "worst of the seeds", high=1e-3),
    Claim("other_cost_vanilla", "...where the vanilla map is not", "control: fitting loss alone", "—",
          "exact ‖x − y‖^1.5 Monge gap, rotated start, λ = 0, least of the seeds", low=0.5),
    Claim("fit_mean", "Both pipelines push μ onto ν (qualitative)", "Abstract", "qualitative",
          "‖mean(T♯μ) − m‖ on 2000 fresh points, worst of all runs", high=0.4),
    Claim("fit_cov", "...in covariance too (qualitative)", "Abstract", "qualitative",
          "‖Cov(T♯μ) − A‖_F on 2000 fresh points, worst of all runs", high=0.6),
)
chapter.plan(CLAIMS)

# %% [markdown]
# The paper reports no number for a 2-D Gaussian test. Its experiments (described elsewhere
# as synthetic pairs under several costs and single-cell benchmarks against ICNN solvers) we
# could not read at the source, so none of their numbers is quoted here. What we verified is the
# abstract (PMLR page) and the estimator, Eq. (8), through the docstring of OTT-JAX's
# `monge_gap`, which cites the paper's equation. The bounds therefore come from the
# mechanism, fixed on pilot runs before this page was written. The rotated map is far from
# $T^*$: in closed form $\mathbb E\|LRx - A^{1/2}x\|^2 = \|LR - A^{1/2}\|_F^2 \approx 7.5$
# for this $A$, and its population Monge gap is
# $\|LR - I\|_F^2 - \|A^{1/2} - I\|_F^2 \approx 5.7$. A network that only fits $\nu$ can
# stay there: we ask the vanilla network to remain at distance ≥ 1 (a control: it shows the
# fitting loss does *not* select) and the regularized one to come within 0.15 and at least 20
# times closer. An OT map
# has an exact Monge gap of 0; we allow $10^{-3}$ for a network trained on minibatches with an
# entropic estimate, for the squared cost and for $c(x, y) = \|x - y\|^{1.5}$ alike (the
# fitting loss stays the squared-cost Sinkhorn divergence, as in the official tutorial's runs
# with other costs). For that second cost nothing is known in closed form, so the control only
# asks the vanilla map's gap to stay clearly positive (≥ 0.5). The fit bounds are loose on purpose: both pipelines must land on $\nu$,
# and the question is only *which* map does so. Worst cases over seeds, not means, because
# the claim is that the gap selects on every draw. From the random start the mechanism only
# says the vanilla gap should be positive; we ask for 0.005 more than the regularized map's,
# about a thousandth of the total transport cost $W_2^2(\mu, \nu) \approx 5.4$, on the mean
# over three seeds. How non-optimal a randomly started vanilla map ends up varies a lot from
# seed to seed (its gap ranged from 0.0085 to 0.13 in pilots), so one seed would make the
# verdict a coin toss about a size the paper says nothing about; the claim is about the typical
# run, and the mean over seeds is what we check.
#
# ## The method
# The fitting loss is the Sinkhorn divergence $S_\varepsilon(T\sharp\hat\mu, \hat\nu)$ between
# a minibatch pushed through $T$ and a minibatch of $\nu$. The regularizer is the paper's
# entropic estimate on the same source minibatch,
#
# $$\mathcal M^c_{\hat\rho_n,\varepsilon}(T) = \frac1n\sum_{i=1}^n c(x_i, T(x_i)) - W_{c,\varepsilon}(\hat\rho_n, T\sharp\hat\rho_n),$$
#
# with $W_{c,\varepsilon}$ the entropic OT cost, computed by a log-domain Sinkhorn solver. Its
# gradient in $T(x_j)$ comes from the envelope theorem: once the plan $P$ is solved, the
# gradient of $W_{c,\varepsilon}$ is that of $\langle P, C\rangle$ with $P$ held fixed, so no
# backward pass runs through the Sinkhorn iterations. The first term pulls each point towards
# its own source; the second lets the points trade partners freely. Their difference
# vanishes only when $x_i \mapsto T(x_i)$ is already the cheapest pairing.

# %% tags=["remove-input"]
chapter.show_source(mg.sinkhorn_plan, mg.entropic_ot, mg.sinkhorn_divergence, mg.monge_gap)

# %% [markdown]
# To *measure*, entropy is in the way: $W_{c,\varepsilon} \ge W_c$, so the entropic gap dips
# slightly below zero near optimality. The exact gap on $n$ points is an assignment problem
# (some optimal plan between two uniform $n$-point clouds is a permutation), solved exactly by
# `scipy.optimize.linear_sum_assignment`. The Gaussian OT map is the closed form.

# %% tags=["remove-input"]
chapter.show_source(mg.exact_monge_gap, mg.exact_ot_cost, mg.gaussian_ot_map, mg.ResidualMap)

# %% [markdown]
# ## Configuration
# Defaults follow the official OTT-JAX tutorial (`docs/tutorials/neural/200_Monge_Gap.ipynb`,
# read at commit `6aace50`) where it applies: Adam at $10^{-3}$, batch 256, 5000 iterations,
# the Sinkhorn divergence as fitting loss, and the same comparison we make, a run without the
# gap against runs with it. Its `fit_map` defaults to $\lambda_{MG} = 1$, which we use; the
# tutorial's own runs call it with $\lambda_{MG} = 2$ for the Euclidean cost and $0.1$ for the
# squared-Euclidean one.
#
# **Deviations from the paper**
# - The task: the tutorial maps a moons cloud onto an S-curve, and the paper's experiments
#   (which we could not read at the source) are reported to use other synthetic pairs and
#   single-cell data; we use a Gaussian pair, the one case where the OT map is known exactly,
#   with two starts that make the selection visible.
# - The map: $T(x) = x + \mathrm{MLP}(x)$, MLP 2→64→64→2 with GELU, instead of the tutorial's
#   plain MLP with hidden layers [32, 64, 32] and GELU. A residual map starts near the
#   identity, which already favours short, nearly optimal moves; the rotated start removes
#   that advantage.
# - Entropy: an absolute $\varepsilon = 0.2$ and 40 Sinkhorn iterations for both the fitting
#   loss and the gap. The tutorial sets $\varepsilon$ relative to the mean cost: 0.1 of the
#   target cloud's for the fitting loss, 0.01 of the source–target one for the gap, and runs
#   OTT's Sinkhorn to its convergence threshold. The divergence's self-term
#   $W_\varepsilon(T\sharp\hat\mu, T\sharp\hat\mu)$ uses the symmetric update of Feydy et al.
#   (one log-sum-exp per iteration instead of two, same fixed point; tested), which cut the
#   chapter's run time by about a fifth.
# - Length: at `book` scale 500 steps at batch 128 (a tenth of the tutorial's iterations at
#   half its batch), on 2 seeds from the rotated start and 3 from the random start, each
#   with and without the gap, plus one rotated-start run with the $\|x - y\|^{1.5}$ gap:
#   11 runs.
# - The reference measure $\rho$ is $\mu$ itself, sampled afresh every step, as in the
#   tutorial's `MongeGapEstimator`.

# %%
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import torch

from reglab import chapter, config, plots, records, training
from reglab.topics import monge_gap as mg

SCALE, DEVICE = chapter.setup(scale)


@dataclass(frozen=True)
class Cfg:
    start: str = "random"            # "random" init, or "rotated": first fitted to m + L R x
    lam: float = 1.0                 # λ_MG, the weight of the Monge gap (0 = vanilla)
    cost_p: float = 2.0              # the gap's cost c(x, y) = ‖x − y‖^p (the fitting loss stays p = 2)
    steps: int = 5000                # training iterations (tutorial: 5000)
    batch_size: int = 256            # source and target points per step (tutorial: 256)
    lr: float = 1e-3                 # Adam (tutorial)
    eps: float = 0.2                 # entropic ε of the Sinkhorn divergence and of the gap
    sinkhorn_iters: int = 40         # log-domain Sinkhorn iterations per OT problem
    hidden: int = 64                 # T(x) = x + MLP(x), MLP 2 → hidden → hidden → 2
    pretrain_steps: int = 1500       # regression steps onto m + L R x for the rotated start
    target_mean: tuple = (2.0, 1.0)                  # m
    target_cov: tuple = ((2.0, 0.8), (0.8, 1.0))     # A
    n_eval: int = 2000               # fresh points for ‖T − T*‖² and the fit
    n_gap: int = 500                 # fresh points for the exact Monge gap (an n × n assignment)
    eval_every: int = 50             # steps between two measurements of the curves
    seed: int = 0
    scale: str = "paper"


PRESETS = {  # per scale: (overrides of Cfg, grid of runs)
    "smoke": (dict(steps=30, batch_size=64, pretrain_steps=50, n_eval=200, n_gap=50, eval_every=10),
              [dict(start=["rotated", "random"], lam=[0.0, 1.0], seed=[0]),
               dict(start=["rotated"], lam=[1.0], cost_p=[1.5], seed=[0])]),
    "book": (dict(steps=500, batch_size=128),
             [dict(start=["rotated"], lam=[0.0, 1.0], seed=[0, 1]),
              dict(start=["random"], lam=[0.0, 1.0], seed=[0, 1, 2]),
              dict(start=["rotated"], lam=[1.0], cost_p=[1.5], seed=[0])]),
    "paper": (dict(), [dict(start=["rotated", "random"], lam=[0.0, 1.0], seed=[0, 1, 2, 3, 4]),
                       dict(start=["rotated"], lam=[1.0], cost_p=[1.5], seed=[0, 1, 2, 3, 4])]),
}
base, cfgs = config.at_scale(Cfg(), PRESETS, SCALE)
base

# %% [markdown]
# ## The experiment
# One run is one start, one $\lambda_{MG}$ and one seed. The seed draws the initialisation
# (`seed_all`), every training minibatch (its own generator) and the fresh evaluation points (a
# third one). The vanilla and regularized runs of a seed therefore start from the same network
# and see the same minibatches: they differ only by the penalty. The rotated start is a
# regression of the network onto $m + LRx$ before the real training begins. The loop is
# written out so that the one line the paper adds is visible. It leaves the target's
# self-term $-\tfrac12 W_{c,\varepsilon}(\hat\nu, \hat\nu)$ out of the Sinkhorn divergence: it does
# not depend on the network, so the gradient is unchanged and a quarter of the work is saved.
#
# `describe` measures a map on fresh points: the squared distance to $T^*$, the exact Monge
# gap, the fit of mean and covariance, and 60 arrows $x \to T(x)$ for the figures.

# %%
def target(cfg):
    return torch.tensor(cfg.target_mean), torch.tensor(cfg.target_cov)


def describe(model, x_eval, x_gap, cfg) -> dict:
    mean, cov = target(cfg)
    with torch.no_grad():
        tx, tgap = model(x_eval), model(x_gap)
    return {"err_to_ot": ((tx - mg.gaussian_ot_map(x_eval, mean, cov)) ** 2).sum(1).mean().item(),
            "exact_gap": mg.exact_monge_gap(x_gap, tgap),
            "exact_gap_p15": mg.exact_monge_gap(x_gap, tgap, p=1.5),
            "mean_error": (tx.mean(0) - mean).norm().item(),
            "cov_error": (torch.cov(tx.T) - cov).norm().item()}


def run(cfg: Cfg) -> records.Record:
    training.seed_all(cfg.seed)                               # the initialisation
    gen = torch.Generator().manual_seed(cfg.seed + 1000)      # the training minibatches
    gen_eval = torch.Generator().manual_seed(cfg.seed + 2000)  # the fresh evaluation points
    x_eval, x_gap = torch.randn(cfg.n_eval, 2, generator=gen_eval), torch.randn(cfg.n_gap, 2, generator=gen_eval)
    mean, cov = target(cfg)
    chol = torch.linalg.cholesky(cov)
    model = mg.ResidualMap(2, cfg.hidden)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    if cfg.start == "rotated":                                # a valid push-forward, not the OT map
        rotated = chol @ mg.rotation(np.pi / 2)
        for _ in range(cfg.pretrain_steps):
            x = torch.randn(cfg.batch_size, 2, generator=gen)
            loss = ((model(x) - (mean + x @ rotated.T)) ** 2).sum(1).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)  # fresh Adam state for the real task
    history, curves = {"step": [], "fit_loss": [], "gap_estimate": []}, {}
    for step in range(cfg.steps + 1):
        if step % cfg.eval_every == 0 or step == cfg.steps:   # the curves: their first and last points
            history["step"].append(step)                      # are the start and the end of the run
            for k, v in describe(model, x_eval, x_gap, cfg).items():
                curves.setdefault(k, []).append(v)
        if step == cfg.steps:
            break
        x = torch.randn(cfg.batch_size, 2, generator=gen)
        y = mean + torch.randn(cfg.batch_size, 2, generator=gen) @ chol.T
        tx = model(x)
        fit = mg.sinkhorn_divergence(tx, y, cfg.eps, cfg.sinkhorn_iters, target_term=False)  # Δ up to a constant
        gap = mg.monge_gap(x, tx, cfg.eps, cfg.sinkhorn_iters, cfg.cost_p) if cfg.lam > 0 else torch.zeros(())
        loss = fit + cfg.lam * gap                            # the paper's objective: Δ + λ·M
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        history["fit_loss"].append(fit.item())             # S_ε without its constant −½W_ε(ŷ, ŷ)
        history["gap_estimate"].append(gap.item())
    with torch.no_grad():
        history |= curves | {"arrows_x": x_eval[:60].tolist(), "arrows_tx": model(x_eval[:60]).tolist()}
    final = {k: v[-1] for k, v in curves.items()} | {f"start_{k}": v[0] for k, v in curves.items()}
    final["finite_losses"] = float(np.isfinite(history["fit_loss"]).all() and np.isfinite(history["gap_estimate"]).all())
    return records.Record(config=asdict(cfg), history=history, final=final)


def measure(recs: list[records.Record]) -> dict:
    """Each claim's number: worst cases over seeds, but the mean for random_gap (runs matched by seed)."""
    at = lambda key, **f: records.finals(recs, key, **f)  # noqa: E731
    rot0, rot1 = dict(start="rotated", lam=0.0), dict(start="rotated", lam=1.0, cost_p=2.0)
    rnd0, rnd1 = dict(start="random", lam=0.0), dict(start="random", lam=1.0)
    mg2, rot15 = dict(lam=1.0, cost_p=2.0), dict(start="rotated", lam=1.0, cost_p=1.5)
    return {
        "selects_ot": chapter.spread(at("err_to_ot", **rot1) / at("err_to_ot", **rot0), reduce="max"),
        "mg_near": chapter.spread(at("err_to_ot", **mg2), reduce="max", unit="runs"),
        "vanilla_far": chapter.spread(at("err_to_ot", **rot0), reduce="min"),
        "mg_optimal": chapter.spread(at("exact_gap", **mg2), reduce="max", unit="runs"),
        "vanilla_gap": chapter.spread(at("exact_gap", **rot0), reduce="min"),
        "random_gap": chapter.spread(at("exact_gap", **rnd0) - at("exact_gap", **rnd1)),
        "other_cost": chapter.spread(at("exact_gap_p15", **rot15), reduce="max"),
        "other_cost_vanilla": chapter.spread(at("exact_gap_p15", **rot0), reduce="min"),
        "fit_mean": chapter.spread(at("mean_error"), reduce="max", unit="runs"),
        "fit_cov": chapter.spread(at("cov_error"), reduce="max", unit="runs"),
    }


# %% [markdown]
# Every run of the grid:

# %% tags=["hide-output"]
recs = records.sweep(run, cfgs, CHAPTER.slug)

# %% [markdown]
# Two sanity checks that hold at any scale, whatever training did. Every loss is finite; and on
# a 50-point problem the transport part $\langle P, C\rangle$ of the Sinkhorn plan is no
# cheaper than the exact OT cost (the plan is feasible up to the solver's tolerance, so it
# cannot beat the optimal assignment). They fail only if the solver is broken.

# %%
assert all(r.final["finite_losses"] == 1.0 for r in recs), "a loss became NaN or infinite"
gen_check = torch.Generator().manual_seed(base.seed)
xs, ys = torch.randn(50, 2, generator=gen_check), torch.randn(50, 2, generator=gen_check) + 1.0
plan = mg.sinkhorn_plan(mg.cost_matrix(xs, ys), base.eps, 500)
assert (plan * mg.cost_matrix(xs, ys)).sum().item() >= mg.exact_ot_cost(xs, ys) - 1e-3

# %% [markdown]
# Mean over seeds of each metric, before training (after the rotated pre-fit, for that start)
# and after, with the number of runs. "gap" is the exact squared-Euclidean Monge gap and
# "p = 1.5 gap" the exact gap for $c(x, y) = \|x - y\|^{1.5}$, both on 500 fresh points; the
# third row trains with the gap of that second cost.

# %%
rows = []
for start, lam, p in (("rotated", 0.0, 2.0), ("rotated", 1.0, 2.0), ("rotated", 1.0, 1.5),
                      ("random", 0.0, 2.0), ("random", 1.0, 2.0)):
    sel = records.select(recs, start=start, lam=lam, cost_p=p)
    if not sel:
        continue
    val = lambda k: records.finals(sel, k).mean()  # noqa: E731
    rows.append({"start": start, "λ_MG": lam, "gap cost p": p if lam else "—",
                 "‖T − T*‖² before": val("start_err_to_ot"), "‖T − T*‖² after": val("err_to_ot"),
                 "gap before": val("start_exact_gap"), "gap after": val("exact_gap"),
                 "p = 1.5 gap after": val("exact_gap_p15"), "‖mean error‖": val("mean_error"),
                 "‖cov error‖_F": val("cov_error"), "n": len(sel)})
pd.DataFrame(rows).set_index(["start", "λ_MG", "gap cost p"]).round(4)

# %% [markdown]
# ## The maps
# Each arrow joins a source point $x \sim \mathcal N(0, I)$ to its image $T(x)$; grey dots are
# target samples. The closed-form OT map stretches and shifts without turning. From the
# rotated start, the vanilla network keeps its quarter turn: its image fits $\nu$ as well as
# the OT map's, and the fitting loss has no reason to move it. With the Monge gap the arrows
# straighten into the OT map's.

# %% tags=["hide-input"]
import matplotlib.pyplot as plt


def draw_arrows(ax, x, tx, color, title):
    x, tx = np.asarray(x), np.asarray(tx)
    ax.scatter(*ys_plot.T, s=4, color="0.75", zorder=0)
    ax.scatter(*x.T, s=10, color=plots.PALETTE[7], zorder=2)
    ax.quiver(x[:, 0], x[:, 1], tx[:, 0] - x[:, 0], tx[:, 1] - x[:, 1], angles="xy", scale_units="xy",
              scale=1.0, width=0.004, color=color, alpha=0.8, zorder=1)
    ax.set(xlim=(-3.5, 6.5), ylim=(-3.5, 4.5), aspect="equal", title=title, xlabel="x₁")


mean_t, cov_t = target(base)
ys_plot = (mean_t + torch.randn(800, 2, generator=gen_check) @ torch.linalg.cholesky(cov_t).T).numpy()
first_rot = records.select(recs, start="rotated", lam=0.0)[0].config["seed"]
x_arrows = torch.tensor(records.select(recs, start="rotated", lam=0.0)[0].history["arrows_x"])
fig, axes = plots.panels(3, width=4.2, height=4.0)
draw_arrows(axes[0], x_arrows, mg.gaussian_ot_map(x_arrows, mean_t, cov_t), plots.PALETTE[2], "OT map T*(x) = m + A^½x")
for ax, lam, i, name in ((axes[1], 0.0, 1, "vanilla"), (axes[2], 1.0, 0, "with Monge gap")):
    r = records.select(recs, start="rotated", lam=lam, cost_p=2.0, seed=first_rot)[0]
    draw_arrows(ax, r.history["arrows_x"], r.history["arrows_tx"], plots.PALETTE[i], f"Rotated start, {name}")
axes[0].set_ylabel("x₂")
chapter.figure(fig, "Three panels of arrows from 60 source points of a standard Gaussian to their images, "
               "over grey samples of the target Gaussian centred at (2, 1). Left, the closed-form optimal "
               "map: arrows point right and up, fanning out without turning. Middle, the network trained "
               "with the fitting loss alone from the rotated start: the arrows cross each other and swing "
               "around by a quarter turn, though their heads land on the same target cloud. Right, the "
               "same start trained with the Monge gap: the arrows match the left panel.")

# %% [markdown]
# ## Training
# The exact Monge gap and the distance to $T^*$ over training, on fresh points, one line per
# run. From the rotated start the vanilla network never leaves its non-optimal map; with the
# gap, both curves fall by orders of magnitude within the first hundred or so steps. The random
# start is near the identity, which is itself an optimal map (from $\mu$ to $\mu$, gap 0) but
# far from $T^*$: as the fitting loss pulls it onto $\nu$, the vanilla network picks up a
# small gap and keeps it, while the regularized one returns to zero. A gap that is exactly 0
# (the optimal assignment is the identity) is drawn at the floor of the plot, $10^{-6}$.

# %% tags=["hide-input"]
FLOOR = 1e-6
fig, axes = plots.panels(2, width=5.6, height=3.9)
series = [("rotated", 0.0, "rotated, vanilla"), ("rotated", 1.0, "rotated, Monge gap"),
          ("random", 0.0, "random, vanilla"), ("random", 1.0, "random, Monge gap")]
for ax, key, label in ((axes[0], "exact_gap", "exact Monge gap"), (axes[1], "err_to_ot", "‖T − T*‖²")):
    for i, (start, lam, name) in enumerate(series):
        for j, r in enumerate(records.select(recs, start=start, lam=lam, cost_p=2.0)):
            ax.plot(r.history["step"], np.maximum(r.history[key], FLOOR), color=plots.PALETTE[i],
                    linestyle=plots.LINESTYLES[i], lw=1.8, label=name if j == 0 else None)
    ax.set(yscale="log", xlabel="training step", ylabel=label, title=label)
fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncol=4, fontsize="small")
chapter.figure(fig, "Two panels with a log vertical axis against training steps, one line per run: the "
               "exact Monge gap (left) and the mean squared distance to the optimal map (right). The "
               "rotated-start vanilla lines stay flat, near 5 for the gap and 6 to 8 for the distance. "
               "The rotated-start Monge-gap lines start at the same height and drop within about a "
               "hundred steps, the gap to the floor of the plot (exactly zero) and the distance to a few "
               "hundredths. The random-start lines begin at zero gap and a distance between 5 and 7 (a map "
               "near the identity); the vanilla gap rises to between a few thousandths and a tenth and stays there, the "
               "Monge-gap one returns to zero, and both distances fall below 0.3.")

# %% [markdown]
# ## Paper vs ours

# %%
summary = chapter.save_summary(CHAPTER, CLAIMS, measure(recs), recs, SCALE)
chapter.check(summary)

# %% tags=["remove-cell"]
rnd0, rnd1 = records.select(recs, start="random", lam=0.0), records.select(recs, start="random", lam=1.0)
chapter.glue("n_runs", str(len(recs)))
chapter.glue("n_steps", f"{base.steps:,}")
chapter.glue("rot_start_err", f"{records.finals(recs, 'start_err_to_ot', start='rotated').mean():.2f}")
chapter.glue("rot_vanilla_err", f"{records.finals(recs, 'err_to_ot', start='rotated', lam=0.0).mean():.2f}")
chapter.glue("rot_mg_err", f"{records.finals(recs, 'err_to_ot', start='rotated', lam=1.0, cost_p=2.0).mean():.3f}")
chapter.glue("p15_err", f"{records.finals(recs, 'err_to_ot', start='rotated', lam=1.0, cost_p=1.5).mean():.3f}")
chapter.glue("p15_sq_gap", f"{records.finals(recs, 'exact_gap', start='rotated', lam=1.0, cost_p=1.5).mean():.4f}")
chapter.glue("sq_p15_gap", f"{records.finals(recs, 'exact_gap_p15', start='rotated', lam=1.0, cost_p=2.0).mean():.4f}")
chapter.glue("rnd_vanilla_err", f"{records.finals(rnd0, 'err_to_ot').mean():.3f}" if rnd0 else "—")
chapter.glue("rnd_mg_err", f"{records.finals(rnd1, 'err_to_ot').mean():.3f}" if rnd1 else "—")
chapter.glue("rnd_vanilla_gap", f"{records.finals(rnd0, 'exact_gap').mean():.3f}" if rnd0 else "—")
chapter.glue("mean_err_vanilla", f"{records.finals(recs, 'mean_error', lam=0.0).mean():.2f}")
chapter.glue("mean_err_mg", f"{records.finals(recs, 'mean_error', lam=1.0, cost_p=2.0).mean():.2f}")

# %% [markdown]
# The rotated pre-fit puts the networks at a squared distance of {glue:text}`rot_start_err`
# from the OT map on average. After {glue:text}`n_steps` steps with the Sinkhorn divergence
# alone they are still at {glue:text}`rot_vanilla_err`, with an exact Monge gap of at least
# {glue:text}`claim_vanilla_gap`: the fitting loss accepts the rotated map. With the Monge
# gap they end at {glue:text}`rot_mg_err` on average (a ratio of at most
# {glue:text}`claim_selects_ot` to the vanilla distance of the same seed), and the exact gap
# of every regularized map is at most {glue:text}`claim_mg_optimal`. Both pipelines land on
# $\nu$: the worst error of the mean over all runs is {glue:text}`claim_fit_mean` and of the
# covariance {glue:text}`claim_fit_cov`. Averaged over runs, the error of the mean is
# {glue:text}`mean_err_mg` with the gap and {glue:text}`mean_err_vanilla` without. The
# squared-cost Monge gap is blind to translations, so a difference there comes from the
# optimisation (a second gradient term under the same Adam step), not from the penalty
# pulling the mean. From a random start the vanilla map is already close to
# $T^*$ ({glue:text}`rnd_vanilla_err`, against {glue:text}`rnd_mg_err` with the gap) but
# keeps an exact gap of {glue:text}`rnd_vanilla_gap`, which the regularizer removes.
#
# With the gap of the cost $\|x - y\|^{1.5}$ instead, the network from the rotated start also
# ends c-optimal for *that* cost (exact gap at most {glue:text}`claim_other_cost`, against at
# least {glue:text}`claim_other_cost_vanilla` for the vanilla map). It sits at
# {glue:text}`p15_err` from $T^*$ and has a squared-cost gap of {glue:text}`p15_sq_gap`,
# while the squared-cost map has a $p = 1.5$ gap of {glue:text}`sq_p15_gap`: on 500 points
# the two costs pick the same pairing, so for this pair of Gaussians the check shows that the
# penalty reaches optimality for the cost it is given, not that different costs select
# visibly different maps. That would take a pair whose optimal maps for the two costs differ
# more, which we did not run.
#
# ## Run it at paper scale
# Set `scale = "paper"` (or `REGLAB_SCALE=paper`): the tutorial's 5000 iterations at batch 256,
# both starts, both values of $\lambda_{MG}$, 5 seeds each, and 5 seeds of the
# $\|x - y\|^{1.5}$ gap from the rotated start (25 runs). Nothing else changes,
# the checks included. The paper's own experiments (reported to include higher-dimensional
# synthetic tasks, several costs and single-cell benchmarks against ICNN solvers; not verified
# at the source) are not part of this chapter.

# %% tags=["remove-input"]
chapter.paper_scale(CHAPTER.slug)

# %% [markdown]
# ## What this does and does not show
# It shows the mechanism the paper builds on, in the one setting where it can be checked
# against an exact answer: a fitting loss has many minimizers, the Monge gap is zero on exactly
# one of them, and adding it moves an unconstrained network from a valid but wrong map to
# the OT map, without an input-convex architecture. The effect from the rotated start is large
# and comes out the same on every seed we ran.
#
# It shows less from a random start. A residual MLP initialised near the identity, trained
# with a Sinkhorn fitting loss, already lands close to the OT map; the gap then removes a
# small non-optimality (thousandths to tenths, not units), and the regularized map being
# *closer* to $T^*$ than the vanilla one is reported above but not checked, since its margin
# can be small. Much of what remains of $\|T_{MG} - T^*\|^2$ is a translation left by the
# stochastic fitting loss (the squared error of the mean is of the same order); the
# squared-cost Monge gap is blind to translations and cannot remove it.
#
# It shows the "all" of the title only in a small way: one other cost, $\|x - y\|^{1.5}$, on
# one seed at `book` scale, checked by its exact gap since its optimal map has no closed form
# here. Nor does it reproduce any of the paper's numbers: its comparisons with ICNN-based
# solvers are neither run nor quoted, and we could not verify them. At
# `book` scale this is {glue:text}`n_runs` runs of {glue:text}`n_steps` steps in 2-D.

# %% tags=["remove-input"]
chapter.provenance(summary)

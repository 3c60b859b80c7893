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
# # Learned proximal networks: which prior does a denoiser learn?

# %% tags=["remove-cell"]
# Colab bootstrap: there the package is not installed. Off Colab this cell does nothing.
import sys

if "google.colab" in sys.modules:
    get_ipython().run_line_magic("pip", "install -q git+https://github.com/regularization-reproduced/book")

# %% tags=["parameters", "remove-cell"]
scale = "book"  # smoke | book | paper; the environment variable REGLAB_SCALE overrides it

# %% tags=["remove-input"]
from reglab import chapter, config
from reglab.topics import proximal_networks as pn

CHAPTER = chapter.Chapter(
    slug="learned_proximal_networks",
    title="Learned proximal networks: which prior does a denoiser learn?",
    paper=chapter.Paper(
        key="fang2024lpn", title="What's in a Prior? Learned Proximal Networks for Inverse Problems",
        authors=("Fang, Zhenghan", "Buchanan, Sam", "Sulam, Jeremias"),
        venue="ICLR", booktitle="International Conference on Learning Representations (ICLR)",
        year=2024, arxiv="2310.14344", code="https://github.com/ZhenghanFang/learned-proximal-networks"),
    claim="The gradient of an input-convex network is exactly a proximal operator, and its regularizer "
          "can be read back; on a 1-D Laplace prior only proximal-matching training recovers the MAP "
          "denoiser (the soft-threshold) and the prior |x|, while ℓ2 and ℓ1 training learn the "
          "posterior mean and median (Fig. 1, qualitative: the toy has no printed numbers).",
    budget_s={"smoke": 20, "book": 180, "paper": 1800},
    uses=(pn.LPN, pn.proximal_matching_loss, pn.recover_prior, pn.soft_threshold,
          pn.laplace_posterior_mean, pn.laplace_posterior_median),
)
CHAPTER.card(config.resolve_scale(scale))

# %% [markdown]
# A proximal operator, $\operatorname{prox}_R(y) = \arg\min_x \tfrac12\|y - x\|^2 + R(x)$, is
# where a regularizer $R$ enters most algorithms for inverse problems. Plug-and-play methods
# swap it for a trained denoiser, and then nobody knows which $R$, if any, is being applied.
# Fang, Buchanan and Sulam {cite}`fang2024lpn` make the denoiser a *learned proximal network*
# (LPN): the gradient $f_\theta = \nabla\psi_\theta$ of an input-convex network $\psi_\theta$.
# Such a gradient is exactly the prox of some $R_\theta$, and $R_\theta$ can be computed from
# $\psi_\theta$. That turns a question about a network into a question about a regularizer:
# *which* prior did training put there?
#
# The answer depends on the loss. A denoiser trained on pairs $(y = x + \sigma\varepsilon,\ x)$
# with squared error learns the posterior mean $\mathbb E[x\mid y]$, with absolute error the
# posterior median; neither is a prox of $-\sigma^2\log p$. The paper's *proximal-matching*
# loss $1 - e^{-\|f(y) - x\|^2/\gamma^2}$, with $\gamma$ annealed towards 0, rewards hitting
# $x$ almost exactly and so targets the posterior *mode*, the MAP denoiser
# $\operatorname{prox}_{-\sigma^2\log p}$, whose $R$ is the log-prior itself.
#
# This chapter runs the paper's own test case, where every answer is known in closed form:
# $x \sim \mathrm{Laplace}(0, b = 1)$ and $\sigma = 1$, so the MAP denoiser is the
# soft-threshold at $\sigma^2/b = 1$ and the true regularizer is $R(x) = |x|$. We train the
# paper's LPN with the three losses, compare each learned $f$ with the three closed-form
# denoisers, and read back each learned prior.
#
# ## What we check

# %%
from reglab import chapter
from reglab.chapter import Claim

FIG = "Fig. 1 (numbering of the official README; the arXiv numbering not verified), read by eye"
CLAIMS = (
    Claim("l2_mmse", "ℓ2 training learns the posterior mean, not the MAP denoiser (qualitative)", FIG,
          "a smooth shrinkage curve, off the soft-threshold", "MAE(ℓ2 → mean) / min(MAE(ℓ2 → median), "
          "MAE(ℓ2 → soft-thr.)) on y ∈ [−3, 3]", high=0.8),
    Claim("l1_median", "ℓ1 training learns the posterior median (qualitative)", FIG,
          "a smooth shrinkage curve, off the soft-threshold", "MAE(ℓ1 → median) / min(MAE(ℓ1 → mean), "
          "MAE(ℓ1 → soft-thr.)) on y ∈ [−3, 3]", high=0.8),
    Claim("pm_map", "Proximal matching learns the MAP denoiser, the soft-threshold", FIG,
          "on it beyond |y| ≈ 1.5; at y = 1, ≈ 0.2 where it is 0",
          "MAE(PM → soft-threshold) on y ∈ [−3, 3]", high=0.10),
    Claim("pm_vs_l2", "...far closer to it than the ℓ2-trained network", FIG,
          "at y = 1: ℓ2 ≈ 0.5, PM ≈ 0.2, soft-threshold 0",
          "MAE(PM → soft-thr.) / MAE(ℓ2 → soft-thr.)", high=0.5),
    Claim("pm_prior", "The prior read back from the PM network is |x|", FIG,
          "R_PM(±2) − R_PM(0) ≈ 2.0 (on the |x| line)", "mean of R(2) − R(0) and R(−2) − R(0), PM",
          low=1.7, high=2.3),
    Claim("prior_gap", "...and rises faster than the ℓ2-trained network's prior", FIG,
          "≈ 0.6 (R_PM(2) ≈ 2.0 against R_ℓ2(2) ≈ 1.35)", "mean rise to ±2: PM − ℓ2", low=0.25),
    Claim("exact_prox", "Every trained LPN stays a proximal operator: ψ convex, f = ∇ψ monotone",
          "official code: exps/laplacian/network.py (wclip)", "by construction",
          "negative constrained weights + decreasing steps of f on a grid of y ∈ [−6, 6]", high=0.0),
)
chapter.plan(CLAIMS)

# %% [markdown]
# The paper prints no number for this toy: its Laplace figure is qualitative, so the "paper"
# column is read by eye from the figure the official repository ships
# (`assets/laplacian_compact.png`). The bounds come from the mechanism, fixed on pilot runs
# before this page was written. Proximal matching should put $f$ on the soft-threshold: the
# absolute error allowed, 0.10 averaged over $y \in [-3, 3]$, is half of what the ℓ2-trained
# network misses it by, and the ratio check says the same thing relative to that network. The
# prior should rise by 2 between $x = 0$ and $x = \pm 2$ (it is $|x|$), within ±0.3. The ℓ2
# and ℓ1 checks ask each network to sit clearly closer to its own target than to either other
# denoiser (at most 0.8 of the distance). That is demanding, because the posterior mean and
# median of a Laplace prior are close to each other; it passes with a clear margin because the
# learning rate drops tenfold for the second half of training, as in the official schedule.
# In pilots at a constant rate both networks jittered by nearly as much as the two curves
# differ, and the ℓ2 check passed only narrowly. Each claim's
# number is the mean over two seeds: on one pilot seed the prior's rise came close to its
# lower bound, too close for one seed to settle the claim.
#
# ## The method
# The network is the official 1-D LPN: four hidden layers of 50 softplus units whose weights
# are clipped at zero after every step, with skip connections from the input, so that
# $\psi_\theta$ is convex and $f_\theta = \nabla\psi_\theta$ is computed by `torch.autograd.grad`.
# Training draws fresh pairs every step. The prior is read back from the convex conjugate:
# for $x = f(y)$, $R(x) = \langle x, y\rangle - \psi(y) - \tfrac12\|x\|^2$, where $y = f^{-1}(x)$
# is found by minimising the convex function $\psi(y) - \langle x, y\rangle$ (the official
# code writes the same formula in `exps/laplacian/utils.py`, `prior`; we did not check the
# equation number in the paper). The references are closed forms: the posterior is two
# truncated Gaussians, one on each side of zero.

# %% tags=["remove-input"]
chapter.show_source(pn.LPN, pn.proximal_matching_loss, pn.recover_prior)

# %% tags=["remove-input"]
chapter.show_source(pn.soft_threshold, pn.laplace_posterior_mean, pn.laplace_posterior_median)

# %% [markdown]
# ## Configuration
# Defaults are the official notebook's (`exps/laplacian/laplacian_train.ipynb`): Adam, batch
# 2000, ℓ2 and ℓ1 each for 10k steps at learning rate $10^{-3}$ and 10k at $10^{-4}$, then
# proximal matching *from the ℓ1 network and its optimizer* through
# $\gamma = 0.5, 0.4, 0.3, 0.2, 0.1$ (24k steps, learning rate falling from $10^{-3}$ to
# $10^{-6}$). The paper's stages are `pn.PAPER_PM_STAGES`.
#
# **Deviations from the paper**, at `book` scale:
# - **Length.** Batch 500 instead of 2000, and every stage a tenth as long
#   (`steps_scale = 0.1`): ℓ2 and ℓ1 1,000 steps at $10^{-3}$ then 1,000 at $10^{-4}$ each,
#   proximal matching 2,400 steps through the same $\gamma$ and learning rates, 6,400 steps in
#   all instead of 64,000. The shape of the schedule is the official one. The late stages
#   ($\gamma \le 0.2$, learning rate $\le 10^{-5}$) barely move the network in either. Two seeds,
#   where the official notebook trains one.
# - **Initialisation.** The constrained weights are clipped at construction, so $\psi$ is
#   convex from the first step; the official code clips only after the first step.
# - **Prior read-out.** The inversion $f^{-1}$ is a convex solve, bisection on the derivative
#   $f(y) - x$ of the convex $\psi(y) - xy$, instead of the official 1,000 Adam steps on
#   $(f(y) - x)^2$. Both find the same point where one exists, ours to float precision (tested
#   against the parametric curve $(f(y), R(f(y)))$); where $x$ is outside the range of $f$,
#   ours returns $R = +\infty$ instead of the value wherever Adam stopped.

# %%
import copy
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import torch

from reglab import config, plots, records, training
from reglab.topics import proximal_networks as pn

SCALE, DEVICE = chapter.setup(scale)


@dataclass(frozen=True)
class Cfg:
    b: float = 1.0               # Laplace scale of the prior: p(x) ∝ exp(−|x|/b)
    sigma: float = 1.0           # noise std; the MAP denoiser is the soft-threshold at σ²/b
    hidden: int = 50             # LPN width
    layers: int = 4              # hidden layers with non-negative weights
    beta: float = 10.0           # softplus sharpness
    batch_size: int = 2000       # fresh Laplace draws every step
    base_stages: tuple = ((10_000, 1e-3), (10_000, 1e-4))  # (steps, lr), for ℓ2 and for ℓ1
    pm_stages: tuple = pn.PAPER_PM_STAGES  # (γ, steps, lr), continuing from the ℓ1 network
    steps_scale: float = 1.0     # every stage's step count × this; the schedule keeps its shape
    seed: int = 0
    scale: str = "paper"


PRESETS = {  # per scale: (overrides of Cfg, grid of runs); one run trains all three losses
    "smoke": (dict(batch_size=100, steps_scale=0.005), dict(seed=[0])),
    "book": (dict(batch_size=500, steps_scale=0.1), dict(seed=[0, 1])),
    "paper": (dict(), dict(seed=[0, 1, 2])),
}
base, cfgs = config.at_scale(Cfg(), PRESETS, SCALE)
base

# %% [markdown]
# ## The experiment
# One run is one seed, and trains three networks: ℓ2 and ℓ1 from fresh initialisations, then
# proximal matching from the ℓ1 network, as the official notebook does. The seed draws the
# initialisations (`seed_all`) and every training pair (its own generator). The loop is
# written out so that its two LPN-specific lines are visible: $f = \nabla\psi$ inside
# `model(y)`, and the clip that keeps $\psi$ convex after every step.
#
# After training, `describe` evaluates each network against the three closed-form denoisers
# on $y \in [-3, 3]$ (mean absolute error), reads back its prior at $x = 0, \pm 2$ and on a
# grid, and counts violations of convexity. `measure` turns the records into each claim's number.

# %%
Y_MAE = torch.linspace(-3, 3, 601).unsqueeze(1)    # where f is compared with the references
Y_PLOT = torch.linspace(-4, 4, 161).unsqueeze(1)   # where f is drawn
Y_MONO = torch.linspace(-6, 6, 1201).unsqueeze(1)  # where monotonicity is checked
X_PRIOR = torch.linspace(-3, 3, 61).unsqueeze(1)   # where R is drawn


def describe(model, cfg) -> tuple[dict, dict]:
    """Metrics (final) and curves (history) of one trained network."""
    f = model(Y_MAE).detach().squeeze(1)
    refs = {"soft": pn.soft_threshold(Y_MAE, cfg.sigma ** 2 / cfg.b),
            "mean": pn.laplace_posterior_mean(Y_MAE, cfg.b, cfg.sigma),
            "median": pn.laplace_posterior_median(Y_MAE, cfg.b, cfg.sigma)}
    r0, r_minus, r_plus = pn.recover_prior(model.psi, torch.tensor([[0.0], [-2.0], [2.0]])).tolist()
    final = {f"mae_{k}": (f - ref.squeeze(1)).abs().mean().item() for k, ref in refs.items()}
    final |= {"rise_minus": r_minus - r0, "rise_plus": r_plus - r0,
              "f_half": model(torch.tensor([[0.5]])).item(),
              "violations": int(sum((w < 0).sum() for w in model.constrained()))
              + int((model(Y_MONO).detach().diff(dim=0) < -1e-6).sum())}
    prior = pn.recover_prior(model.psi, X_PRIOR)
    curves = {"f": model(Y_PLOT).detach().squeeze(1).tolist(), "prior": (prior - r0).tolist()}
    return final, curves


def run(cfg: Cfg) -> records.Record:
    training.seed_all(cfg.seed)                            # the initialisations
    gen = torch.Generator().manual_seed(cfg.seed + 1000)   # the training pairs

    def train(model, opt, loss_fn, steps, lr):
        for g in opt.param_groups:
            g["lr"] = lr
        losses = []
        for _ in range(round(steps * cfg.steps_scale)):
            x = pn.sample_laplace(cfg.batch_size, cfg.b, gen)
            y = x + cfg.sigma * torch.randn(x.shape, generator=gen)
            loss = loss_fn(model(y), x)                    # model(y) = ∇ψ(y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            model.clip_weights_()                          # keep ψ convex: f stays a prox
            losses.append(loss.item())
        return losses

    def base_model(loss_fn):
        model = pn.LPN(1, cfg.hidden, cfg.layers, cfg.beta)
        opt = torch.optim.Adam(model.parameters())
        losses = [v for steps, lr in cfg.base_stages for v in train(model, opt, loss_fn, steps, lr)]
        return model, opt, losses

    history, final = {}, {}
    l2, _, history["loss_l2"] = base_model(lambda out, x: ((out - x) ** 2).mean())
    l1, opt, history["loss_l1"] = base_model(lambda out, x: (out - x).abs().mean())
    pm = copy.deepcopy(l1)                                 # PM continues from ℓ1 and its Adam state
    opt_pm = torch.optim.Adam(pm.parameters())
    opt_pm.load_state_dict(opt.state_dict())
    history["loss_pm"], history["f_pm_stages"] = [], []
    for gamma, steps, lr in cfg.pm_stages:
        history["loss_pm"] += train(pm, opt_pm, lambda out, x: pn.proximal_matching_loss(out, x, gamma), steps, lr)
        history["f_pm_stages"].append(pm(Y_PLOT).detach().squeeze(1).tolist())
    for name, model in (("l2", l2), ("l1", l1), ("pm", pm)):
        metrics, curves = describe(model, cfg)
        final |= {f"{name}_{k}": v for k, v in metrics.items()}
        history |= {f"{k}_{name}": v for k, v in curves.items()}
    final["finite_losses"] = float(all(np.isfinite(history[k]).all() for k in ("loss_l2", "loss_l1", "loss_pm")))
    return records.Record(config=asdict(cfg), history=history, final=final)


def measure(recs: list[records.Record]) -> dict:
    """Each claim's number, per seed, then over seeds."""
    at = lambda key: records.finals(recs, key)  # noqa: E731
    rise = lambda m: (at(f"{m}_rise_plus") + at(f"{m}_rise_minus")) / 2  # noqa: E731
    return {
        "l2_mmse": chapter.spread(at("l2_mae_mean") / np.minimum(at("l2_mae_median"), at("l2_mae_soft"))),
        "l1_median": chapter.spread(at("l1_mae_median") / np.minimum(at("l1_mae_mean"), at("l1_mae_soft"))),
        "pm_map": chapter.spread(at("pm_mae_soft")),
        "pm_vs_l2": chapter.spread(at("pm_mae_soft") / at("l2_mae_soft")),
        "pm_prior": chapter.spread(rise("pm")),
        "prior_gap": chapter.spread(rise("pm") - rise("l2")),
        "exact_prox": chapter.spread(at("l2_violations") + at("l1_violations") + at("pm_violations"),
                                     reduce="max"),
    }


# %% [markdown]
# Every network of every seed:

# %% tags=["hide-output"]
recs = records.sweep(run, cfgs, CHAPTER.slug)

# %% [markdown]
# Whatever the scale, every network must be a proximal operator by construction: no
# constrained weight below zero and $f$ non-decreasing. These asserts fail only if the
# construction is broken, not if training goes badly (that is what the claims measure).

# %%
assert all(r.final[f"{m}_violations"] == 0 for r in recs for m in ("l2", "l1", "pm")), \
    "a trained LPN has a negative constrained weight or a decreasing f: it is no longer a prox"

# %% [markdown]
# Distance of each learned $f$ to each closed-form denoiser (mean absolute error on
# $y \in [-3, 3]$) and the rise of each learned prior from $0$ to $\pm 2$ (where $|x|$ rises
# by 2); mean over seeds, with the number of runs:

# %%
rows = []
for m, name in (("l2", "ℓ2"), ("l1", "ℓ1"), ("pm", "proximal matching")):
    vals = {col: records.finals(recs, f"{m}_{key}") for col, key in
            (("to soft-threshold", "mae_soft"), ("to posterior mean", "mae_mean"),
             ("to posterior median", "mae_median"), ("f(0.5)", "f_half"),
             ("R(2) − R(0)", "rise_plus"), ("R(−2) − R(0)", "rise_minus"))}
    rows.append({"loss": name, **{k: v.mean() for k, v in vals.items()}, "n": len(recs)})
pd.DataFrame(rows).set_index("loss").round(3)

# %% [markdown]
# ## What each loss learned
# Each panel is one trained network $f_\theta$ (solid) against the three closed-form
# denoisers of this prior. The soft-threshold is exactly 0 for $|y| \le 1$; the posterior mean
# and median shrink smoothly and are close to each other.

# %% tags=["hide-input"]
y_plot = Y_PLOT.squeeze(1)
ref_curves = [(pn.soft_threshold(y_plot, base.sigma ** 2 / base.b), "soft-threshold (MAP)", "--"),
              (pn.laplace_posterior_mean(y_plot, base.b, base.sigma), "posterior mean", ":"),
              (pn.laplace_posterior_median(y_plot, base.b, base.sigma), "posterior median", "-.")]
fig, axes = plots.panels(3, width=3.9)
for i, (ax, (m, name)) in enumerate(zip(axes, (("l2", "ℓ2"), ("l1", "ℓ1"), ("pm", "proximal matching")))):
    for ref, label, ls in ref_curves:
        ax.plot(y_plot, ref, color="0.45", linestyle=ls, lw=1.6, label=label)
    plots.mean_band(ax, y_plot.numpy(), [r.history[f"f_{m}"] for r in recs], f"LPN, {name}", i, linestyle="-")
    ax.set(xlim=(-3, 3), ylim=(-2.2, 2.2), xlabel="noisy input y", title=f"Trained with {name}")
axes[0].set_ylabel("denoised output f(y)")
axes[0].legend(fontsize="small", loc="upper left")
chapter.figure(fig, "Three panels, one per training loss, each drawing the learned denoiser f(y) for y "
               "from −3 to 3 over three grey reference curves: the soft-threshold, flat at 0 for |y| below "
               "1, and the smooth posterior mean and median. The ℓ2 and ℓ1 networks follow the smooth "
               "curves and cut through the flat part; the proximal-matching network bends towards the "
               "flat part and follows the soft-threshold outside it.")

# %% [markdown]
# ## The prior each network implies
# Every LPN is the prox of *some* regularizer $R_\theta$; here it is, read back by the convex
# solve and shifted so that $R_\theta(0) = 0$. Only the proximal-matching network recovers
# the true $|x|$; the ℓ2 and ℓ1 networks imply a prior that is rounded at 0 and rises too slowly.

# %% tags=["hide-input"]
x_prior = X_PRIOR.squeeze(1).numpy()
fig, (ax,) = plots.panels(1, width=6.0, height=4.0)
ax.plot(x_prior, np.abs(x_prior), color="0.45", linestyle="--", lw=1.6, label="|x| (true prior)")
for i, (m, name) in enumerate((("l2", "ℓ2"), ("l1", "ℓ1"), ("pm", "proximal matching"))):
    plots.mean_band(ax, x_prior, [r.history[f"prior_{m}"] for r in recs], name, i)
ax.set(xlabel="x", ylabel="R(x) − R(0)", title="Recovered prior", ylim=(-0.1, 3.6))
ax.legend(fontsize="small", loc="upper center")
chapter.figure(fig, "The regularizer read back from each trained network, from x = −3 to 3, against the "
               "true prior |x|, all shifted to 0 at x = 0. The proximal-matching prior follows the V of "
               "|x| closely; the ℓ2 and ℓ1 priors are rounded near zero and stay below it, the ℓ2 one lowest.")

# %% [markdown]
# ## Annealing γ
# Proximal matching starts from the ℓ1 network. The first stage, $\gamma = 0.5$ at the
# largest learning rate, does most of the work of flattening $f$ between $\pm 1$; the later,
# smaller $\gamma$ at learning rates of $10^{-5}$ and below barely move it.

# %% tags=["hide-input"]
import matplotlib.pyplot as plt

stages = np.array(recs[0].history["f_pm_stages"])
colors = plt.cm.viridis(np.linspace(0.15, 0.85, len(stages)))
fig, (ax,) = plots.panels(1, width=6.4, height=3.8)
ax.plot(y_plot, ref_curves[0][0], color="0.45", linestyle="--", lw=1.6, label="soft-threshold")
ax.plot(y_plot, recs[0].history["f_l1"], color=plots.PALETTE[1], lw=1.6, label="start: ℓ1 network")
for c, f_stage, (gamma, _, lr) in zip(colors, stages, recs[0].config["pm_stages"]):
    ax.plot(y_plot, f_stage, color=c, lw=1.4, label=f"after γ = {gamma:g}, lr {lr:g}")
ax.set(xlim=(-2.5, 2.5), ylim=(-1.6, 1.6), xlabel="noisy input y", ylabel="f(y)",
       title=f"Proximal matching, γ annealed (seed {recs[0].config['seed']})")
ax.legend(fontsize="x-small", loc="center left", bbox_to_anchor=(1.02, 0.5))
chapter.figure(fig, "For one seed, the proximal-matching network after each stage of the γ schedule, from "
               "y = −2.5 to 2.5, with the ℓ1 network it starts from and the soft-threshold. The first "
               "stage pulls the smooth ℓ1 curve towards the flat part between −1 and 1; the later stages "
               "lie almost on top of each other, still rounded near ±1.")

# %% [markdown]
# ## Paper vs ours

# %%
summary = chapter.save_summary(CHAPTER, CLAIMS, measure(recs), recs, SCALE)
chapter.check(summary)

# %% tags=["remove-cell"]
chapter.glue("n_runs", str(len(recs)))
chapter.glue("pm_f_half", f"{records.finals(recs, 'pm_f_half').mean():.2f}")
chapter.glue("l2_f_half", f"{records.finals(recs, 'l2_f_half').mean():.2f}")
chapter.glue("l2_mae_soft", f"{records.finals(recs, 'l2_mae_soft').mean():.3f}")
chapter.glue("l1_mae_mean", f"{records.finals(recs, 'l1_mae_mean').mean():.3f}")
chapter.glue("l1_mae_median", f"{records.finals(recs, 'l1_mae_median').mean():.3f}")
chapter.glue("l2_mae_mean", f"{records.finals(recs, 'l2_mae_mean').mean():.3f}")
chapter.glue("n_steps", f"{round(sum(n for n, _ in base.base_stages) * 2 * base.steps_scale + sum(n for _, n, _ in base.pm_stages) * base.steps_scale):,}")
mean_vs_median = pn.laplace_posterior_mean(Y_MAE, base.b, base.sigma) - pn.laplace_posterior_median(Y_MAE, base.b, base.sigma)
chapter.glue("mean_median_gap", f"{mean_vs_median.abs().mean().item():.3f}")

# %% [markdown]
# Over {glue:text}`n_runs` seeds, the proximal-matching network misses the soft-threshold by
# {glue:text}`claim_pm_map` on average over $y \in [-3, 3]$, against
# {glue:text}`l2_mae_soft` for the ℓ2 network (a ratio of {glue:text}`claim_pm_vs_l2`). Where
# the soft-threshold is exactly zero it is not: at $y = 0.5$ it outputs
# {glue:text}`pm_f_half` (the ℓ2 network {glue:text}`l2_f_half`), the same rounding of the
# kink the paper's figure shows. The prior read back from it rises by {glue:text}`claim_pm_prior`
# from $0$ to $\pm 2$, where $|x|$ rises by 2, and by {glue:text}`claim_prior_gap` more than
# the ℓ2 network's. The ℓ2 network is {glue:text}`l2_mae_mean` from the posterior mean and
# the ℓ1 network {glue:text}`l1_mae_median` from the posterior median (and
# {glue:text}`l1_mae_mean` from the mean), though for this prior the two curves are only
# {glue:text}`mean_median_gap` apart on average over $y \in [-3, 3]$.
#
# ## Run it at paper scale
# Set `scale = "paper"` (or `REGLAB_SCALE=paper`): the official schedule, 20k steps of ℓ2, 20k
# of ℓ1 and the 24k steps of `pn.PAPER_PM_STAGES`, at batch 2000, for 3 seeds. It needs no
# data and no download, and runs on a CPU or a GPU; nothing else changes, the checks included.
# The paper's other experiments (MNIST priors, CelebA deblurring, Mayo-CT) are not part of
# this chapter.

# %% tags=["remove-input"]
chapter.paper_scale(CHAPTER.slug)

# %% [markdown]
# ## What this does and does not show
# It shows the paper's central mechanism on the one case where the truth is known: the same
# network, trained three ways, implies three different regularizers, and only proximal
# matching recovers the log-prior. The LPN is a prox by construction in every run, which is
# what makes reading the regularizer back possible at all.
#
# It does not show the limit $\gamma \to 0$: the learned $f$ still rounds the soft-threshold's
# kinks at $\pm 1$ instead of being exactly flat between them, in our short schedule and
# visibly in the paper's figure too. Nor does it show that the ℓ1 network learns the median
# *rather than* the mean: for a Laplace prior the two curves nearly coincide, and we check only
# that it lands near the median. At `book` scale this is {glue:text}`n_runs` seeds of a
# {glue:text}`n_steps`-step schedule, a tenth of the official one at a quarter of its batch; the paper's numbers for image deblurring and CT reconstruction (PSNR and SSIM against
# plug-and-play baselines) are neither checked nor quoted here.

# %% tags=["remove-input"]
chapter.provenance(summary)

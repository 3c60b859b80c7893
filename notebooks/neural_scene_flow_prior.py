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
# # Neural scene flow prior: the architecture as the regularizer

# %% tags=["remove-cell"]
# Colab bootstrap: there the package is not installed. Off Colab this cell does nothing.
import sys

if "google.colab" in sys.modules:
    get_ipython().run_line_magic("pip", "install -q git+https://github.com/regularization-reproduced/book")

# %% tags=["parameters", "remove-cell"]
scale = "book"  # smoke | book | paper; the environment variable REGLAB_SCALE overrides it

# %% tags=["remove-input"]
from reglab import chapter, config
from reglab.topics import scene_flow as sf

CHAPTER = chapter.Chapter(
    slug="neural_scene_flow_prior",
    title="Neural scene flow prior: the architecture as the regularizer",
    paper=chapter.Paper(
        key="li2021nsfp", title="Neural Scene Flow Prior",
        authors=("Li, Xueqian", "Kaesemodel Pontes, Jhony", "Lucey, Simon"),
        venue="NeurIPS", booktitle="Advances in Neural Information Processing Systems (NeurIPS)",
        year=2021, arxiv="2111.01253", code="https://github.com/Lilac-Lee/Neural_Scene_Flow_Prior"),
    claim="A coordinate MLP optimized at runtime on one pair of point clouds, with no training data, "
          "is an implicit regularizer for scene flow: under the same Chamfer objective it recovers the "
          "flow where free per-point vectors do not, with results 'competitive—if not better' on "
          "benchmarks (Abstract, qualitative; the benchmark tables' digits are not verified here).",
    budget_s={"smoke": 20, "book": 180, "paper": 3600},
    uses=(sf.make_scene, sf.chamfer, sf.nearest, sf.neural_prior, sf.knn_edges, sf.laplacian_penalty,
          sf.flow_metrics),
)
CHAPTER.card(config.resolve_scale(scale))

# %% [markdown]
# Scene flow is the 3-D motion of every point between two scans, $P_1$ and $P_2$, of a moving
# scene. Without labels the only signal is geometric: the warped cloud $P_1 + F$ should lie
# on $P_2$, measured by the Chamfer distance. That objective does not pin the flow down.
# $P_2$ is a fresh sample of the moved surfaces, so a point of $P_1$ has no partner in it,
# and free per-point vectors can slide each point onto *any* nearby point of $P_2$. Before deep
# learning the answer was an explicit smoothness prior, for example a graph Laplacian that
# asks neighbouring points to move alike. Li, Kaesemodel Pontes and Lucey {cite}`li2021nsfp`
# instead write the flow as a coordinate network, $F = f_\theta(P_1)$ with
# $f_\theta:\mathbb R^3\to\mathbb R^3$ an 8-layer ReLU MLP, and optimize $\theta$ at runtime on
# the one pair of clouds. No dataset and no labels are used. "The architecture of neural
# networks [is] a new type of implicit regularizer", and the result is a continuous field,
# defined between the points too.
#
# This chapter puts that claim on procedural driving scenes, where the true flow is known:
# rigid boxes ("cars" that move and turn, static obstacles), a moving sensor, and $P_2$
# re-sampled independently with noise. On every scene we optimize the *same* truncated
# Chamfer objective three ways: over free per-point vectors, over free vectors plus a tuned
# graph-Laplacian penalty, and over the MLP's weights (NSFP). We then ask which flow is
# right.
#
# ## What we check

# %%
from reglab import chapter
from reglab.chapter import Claim

ABSTRACT = "Abstract (NeurIPS 2021 and arXiv 2111.01253)"
METRIC = "official code: utils.py (the metric); the paper's benchmark tables not verified"
CLAIMS = (
    Claim("prior_vs_free", "The MLP is an implicit regularizer: under the same Chamfer objective it "
          "recovers the flow far better than free per-point flow (qualitative in the paper)", ABSTRACT,
          "no number", "EPE(NSFP) / EPE(free flow), mean over scenes", high=0.35),
    Claim("acc_nsfp", "NSFP's flow is accurate for most points", METRIC, "not verified",
          "Acc₁₀ of NSFP, mean over scenes", low=0.4),
    Claim("acc_free", "...while free flow is accurate almost nowhere", METRIC, "not verified",
          "Acc₁₀ of free flow, worst scene", high=0.1),
    Claim("free_fits_better", "The unregularized flow fits the objective better: it overfits the "
          "Chamfer loss", "this chapter's check", "—",
          "Chamfer(free) / Chamfer(NSFP), forward term, worst scene", high=1.0),
    Claim("continuous", "The flow is a continuous field: held-out points of the same surfaces, never "
          "optimized on, get flow as accurate as the optimized points (qualitative in the paper)",
          ABSTRACT, "no number", "max(r, 1/r), r = EPE(held-out) / EPE(optimized), worst scene",
          high=1.25),
)
chapter.plan(CLAIMS)

# %% [markdown]
# The paper prints no number for the first and last claims. Its abstract states them in words,
# so the bounds come from the mechanism and from pilot runs. A prior that *works* should cut
# the end-point error (EPE) of free flow severalfold, not by a few per cent: we ask for at
# most 0.35 of it. Free flow is barely better than predicting no motion (it
# only has to reach *some* nearby point of $P_2$). Acc₁₀ is the official metric: the
# fraction of points with error below 0.1 m or below 10 % of their true motion. NSFP should
# get most points right and free flow almost none. The third check follows from the
# optimization itself. Free vectors can reach every warp the MLP can reach, and more, so
# their Chamfer distance should come out *lower*. It did in every pilot scene, while their flow
# error came out several times *higher*. That pair is overfitting in its plainest form. For
# the continuous field we query $f_\theta$ at `n_query` fresh points on the same surfaces, after
# the optimization, from the network as it was at the lowest loss. Free flow has no answer
# there at all. If the MLP were only memorizing the optimized points, the held-out error
# would be far worse; a continuous field gives the same error at both, and we allow 25 % either
# way.
#
# The first two bounds apply to the mean over scenes, the other three to the *worst* scene.
# The paper's numbers are averages over a dataset, and NSFP's quality varies from scene to
# scene more than its mechanism does: an earlier version of this chapter checked every bound
# on the worst of three scenes, and on unseen seeds the worst scene came within 0.02 of the
# first two bounds (a ratio of 0.33, an Acc₁₀ of 0.41). Such a scene is one where 500 steps
# leave NSFP short of convergence, and simply optimizing longer is no cure: in a pilot at
# 1,000 steps the hardest scene improved while the other two got *worse*, because the step
# budget and the lowest-loss rule are themselves part of the regularization. The chapter now
# runs four scenes and checks the first two claims on their mean; the three mechanism checks
# still hold scene by scene.
#
# The paper's other claim, "competitive—if not better" than other methods, is **reported,
# not checked**. Against a graph-Laplacian prior whose weight $\lambda$ is tuned per scene on
# the true flow, a baseline that cheats in its favour, NSFP is competitive on these scenes but
# not reliably better (see the table below).
#
# ## The method
# The loss is the official truncated Chamfer distance on squared distances. Nearest
# neighbours come from a KD-tree, which plays the role of pytorch3d's `knn_points` in the
# official code. The tree scales as $n\log n$, where a dense distance matrix scales as $n^2$.
# The distances are then recomputed differentiably by gathering the neighbours. The network
# is the official one: nine linear layers, 128 units, ReLU. The explicit baseline penalizes
# differences of flow along the $k$-nearest-neighbour graph of $P_1$.

# %% tags=["remove-input"]
chapter.show_source(sf.nearest, sf.chamfer, sf.neural_prior, sf.laplacian_penalty)

# %% [markdown]
# NSFP adds a cycle term, as the official code does by default. A backward MLP $g$, started
# as a copy of $f$, must carry the warped cloud $P_1' = P_1 + f(P_1)$ back:
# $\mathcal L = \mathrm{CD}(P_1', P_2) + \mathrm{CD}(P_1' - g(P_1'), P_1)$. Both networks
# are trained by Adam at learning rate $8\cdot10^{-3}$, with weight decay $10^{-4}$ (as an L2
# term, through Adam's parameter groups, as in the official code). The optimization stops
# when the loss has not fallen by $10^{-4}$ for `patience` steps. The flow reported is the
# one at the lowest loss, a choice that needs no labels.
#
# ## Configuration
# Defaults are the official settings at 2,048 points (`config.py` and the README's KITTI
# command): width 128, depth 8, learning rate $8\cdot10^{-3}$, weight decay $10^{-4}$, at most
# 5,000 steps, early-stopping patience 70, truncation at 2 m² (`loss.py`), cycle term on.
#
# **Deviations from the paper**, at `book` scale:
# - **Data.** Procedural scenes (`sf.make_scene`), not KITTI or Argoverse lidar. A scene
#   holds 4 cars (3.5–4.8 × 1.6–2.0 × 1.4–1.8 m, moving 0.5–1.5 m and turning by up to
#   0.08 rad) and 4 static boxes in a 16 m square, with the ground removed. The sensor moves
#   1 m and turns 0.03 rad, so every point moves (≈ 1.2 m on average, as in KITTI). $P_2$ is
#   re-sampled independently on the moved surfaces, and both clouds carry 2 cm noise, so
#   there are no exact correspondences to find.
# - **Size.** 1,024 points per cloud instead of 2,048, and at most 500 steps with patience
#   100 instead of 5,000 with patience 70. At this budget NSFP usually stops at the step
#   limit, not by early stopping.
# - **Fresh start per scene.** The official loop creates the network once and does not
#   re-initialize it between samples, so every scene starts from the previous solution. We
#   initialize it afresh for every scene, so that each run stands alone.
# - **Baselines are ours.** Free flow and the Laplacian baseline use the same loss, Adam at
#   learning rate 0.01 and the same early stopping. The Laplacian weight is tuned per scene,
#   *on the true flow*, over $\lambda \in \{10, 30, 100\}$ ($k = 8$ neighbours).

# %%
import copy
import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import torch

from reglab import config, plots, records, training
from reglab.topics import scene_flow as sf

SCALE, DEVICE = chapter.setup(scale)


@dataclass(frozen=True)
class Cfg:
    n_points: int = 2048         # points per cloud (official: 2048, randomly sampled)
    n_query: int = 1024          # held-out points of the t₁ surfaces, never optimized on
    noise: float = 0.02          # std of the sensor noise on both clouds (m)
    width: int = 128             # MLP width (official --hidden_units 128)
    layers: int = 8              # hidden ReLU layers (official: 9 linear layers in all)
    lr: float = 8e-3             # Adam, NSFP (official, 2048 points)
    weight_decay: float = 1e-4   # NSFP, both networks (official)
    cycle: bool = True           # backward MLP and cycle-consistency term (official default)
    iters: int = 5000            # at most (official)
    patience: int = 70           # early stopping: steps without a 1e-4 drop (official, KITTI)
    min_delta: float = 1e-4
    truncate: float = 2.0        # Chamfer terms with squared distance ≥ this count as 0 (official)
    lr_free: float = 0.01        # Adam, free and Laplacian flow (ours)
    lams: tuple = (10.0, 30.0, 100.0)  # Laplacian weights tried; the best on the true flow is kept
    k: int = 8                   # neighbours in the Laplacian's graph
    trace_every: int = 10        # steps between entries of the Chamfer/EPE trace
    seed: int = 0                # draws the scene and the MLP's initialisation
    scale: str = "paper"


PRESETS = {  # per scale: (overrides of Cfg, grid of runs); one run = one scene, every method
    "smoke": (dict(n_points=256, n_query=128, iters=30, lams=(30.0,)), dict(seed=[0])),
    "book": (dict(n_points=1024, iters=500, patience=100), dict(seed=[0, 1, 2, 3])),
    "paper": (dict(), dict(seed=list(range(10)))),
}
base, cfgs = config.at_scale(Cfg(), PRESETS, SCALE)
base

# %% [markdown]
# ## The experiment
# One run is one scene. The seed draws the scene (its own generator) and the MLP's
# initialisation (`seed_all`). On that scene, `optimize` runs one method: Adam on the
# Chamfer loss plus the method's regularizer, the official early stopping, and the flow kept
# at the lowest loss. Every few steps it also records the Chamfer distance and the flow error.
# The error is for the figure only: it never steers the optimization. The three methods
# differ only in `forward`, which says where the flow comes from and what is added to the
# loss. `measure` turns the records into each claim's number.

# %%
def run(cfg: Cfg) -> records.Record:
    scene = sf.make_scene(np.random.default_rng(cfg.seed), cfg.n_points, cfg.n_query, noise=cfg.noise)
    pc1, pc2, gt = scene["pc1"], scene["pc2"], scene["flow"]
    training.seed_all(cfg.seed)                                   # the MLP initialisations

    def optimize(params, forward, lr, weight_decay, model=None):
        opt = torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)
        best, stop_at, stall, trace = (math.inf, None, None, None), math.inf, 0, []
        for step in range(cfg.iters):
            flow, penalty = forward()
            fit = sf.chamfer(pc1 + flow, pc2, cfg.truncate)        # the same objective for all
            loss = fit + penalty
            if loss.item() <= best[0]:                            # official: keep the lowest loss
                # clone: free flow *is* the parameter, which the optimizer updates in place
                best = (loss.item(), flow.detach().clone(), fit.item(), model and copy.deepcopy(model.state_dict()))
            if step % cfg.trace_every == 0:
                trace.append((step, fit.item(), sf.flow_metrics(flow.detach(), gt)["epe"]))
            stall = 0 if loss.item() < stop_at - cfg.min_delta else stall + 1
            stop_at = min(stop_at, loss.item()) if stall == 0 else stop_at
            if stall >= cfg.patience or not math.isfinite(loss.item()):
                break
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        return {**sf.flow_metrics(best[1], gt), "chamfer": best[2], "steps": step + 1}, best[1], trace, best[3]

    out, flows, traces = {}, {"true": gt}, {}
    free = torch.zeros_like(pc1, requires_grad=True)
    out["free"], flows["free"], traces["free"], _ = optimize([free], lambda: (free, 0.0), cfg.lr_free, 0.0)
    edges = sf.knn_edges(pc1, cfg.k)
    for lam in cfg.lams:
        lap = torch.zeros_like(pc1, requires_grad=True)
        out[f"lap{lam:g}"], flows[f"lap{lam:g}"], traces[f"lap{lam:g}"], _ = optimize(
            [lap], lambda: (lap, lam * sf.laplacian_penalty(lap, edges)), cfg.lr_free, 0.0)
    f = sf.neural_prior(cfg.width, cfg.layers)
    g = copy.deepcopy(f)                                          # backward flow, as in the official code

    def nsfp():
        flow = f(pc1)
        warped = pc1 + flow
        return flow, sf.chamfer(warped - g(warped), pc1, cfg.truncate) if cfg.cycle else 0.0

    out["nsfp"], flows["nsfp"], traces["nsfp"], state = optimize(
        [*f.parameters(), *g.parameters()], nsfp, cfg.lr, cfg.weight_decay, model=f)
    f.load_state_dict(state)                                      # the network at the lowest loss
    with torch.no_grad():
        query = sf.flow_metrics(f(scene["query"]), scene["query_flow"])
    final = {f"{m}_{k}": v for m, d in out.items() for k, v in d.items()}
    final |= {f"query_{k}": v for k, v in query.items()}
    final["zero_epe"] = gt.norm(dim=1).mean().item()
    history = {"pc1": pc1.tolist(), "pc2": pc2.tolist(), "label": scene["label"].tolist(),
               **{f"flow_{m}": v.tolist() for m, v in flows.items()},
               **{f"trace_{m}": v for m, v in traces.items()}}
    return records.Record(config=asdict(cfg), history=history, final=final)


def best_laplacian(rec: records.Record) -> str:
    """The Laplacian run with the lowest EPE in one scene: tuned on the true flow (an oracle)."""
    return min((f"lap{lam:g}" for lam in rec.config["lams"]), key=lambda m: rec.final[f"{m}_epe"])


def measure(recs: list[records.Record]) -> dict:
    """Each claim's number, per scene, then the mean over scenes (the paper's metrics) or the worst."""
    at = lambda key: records.finals(recs, key)  # noqa: E731
    r = at("query_epe") / at("nsfp_epe")
    return {
        "prior_vs_free": chapter.spread(at("nsfp_epe") / at("free_epe"), unit="scenes"),
        "acc_nsfp": chapter.spread(at("nsfp_acc10"), unit="scenes"),
        "acc_free": chapter.spread(at("free_acc10"), reduce="max", unit="scenes"),
        "free_fits_better": chapter.spread(at("free_chamfer") / at("nsfp_chamfer"), reduce="max", unit="scenes"),
        "continuous": chapter.spread(np.maximum(r, 1 / r), reduce="max", unit="scenes"),
    }


# %% [markdown]
# Every scene, every method:

# %% tags=["hide-output"]
recs = records.sweep(run, cfgs, CHAPTER.slug)

# %% [markdown]
# Whatever the scale, the code must have run properly: finite losses, a Chamfer distance that
# went down for every method, and one flow vector per point. These asserts do not test the
# paper; the claims do.

# %%
for rec in recs:
    for m in ("free", *(f"lap{lam:g}" for lam in rec.config["lams"]), "nsfp"):
        chamfers = [c for _, c, _ in rec.history[f"trace_{m}"]]
        assert all(math.isfinite(c) for c in chamfers), f"{m}: a non-finite loss"
        assert rec.final[f"{m}_chamfer"] < chamfers[0], f"{m}: the Chamfer distance did not go down"
        assert np.shape(rec.history[f"flow_{m}"]) == np.shape(rec.history["pc1"]) == (rec.config["n_points"], 3)

# %% [markdown]
# Flow error (EPE, metres), accuracy and the forward Chamfer term for each method, mean ± sd
# over scenes. "No motion" is the error of predicting zero flow. "Laplacian, tuned" is the
# best $\lambda$ per scene, chosen on the true flow.

# %%
def row(name, values):
    return {"method": name, **{k: f"{np.mean(v):.3f} ± {np.std(v, ddof=1) if len(v) > 1 else 0:.3f}"
                               for k, v in values.items()}, "n": len(recs)}


def stats(key_of):
    return {k: [r.final[f"{key_of(r)}_{k}"] for r in recs] for k in ("epe", "acc5", "acc10", "chamfer")}


table = [row("no motion", {"epe": [r.final["zero_epe"] for r in recs]}),
         row("free flow (Chamfer only)", stats(lambda r: "free")),
         *[row(f"Laplacian, λ = {lam:g}", stats(lambda r, lam=lam: f"lap{lam:g}")) for lam in base.lams],
         row("Laplacian, tuned on the true flow", stats(best_laplacian)),
         row("NSFP (MLP prior)", stats(lambda r: "nsfp")),
         row("NSFP at held-out points", {k: [r.final[f"query_{k}"] for r in recs] for k in ("epe", "acc5", "acc10")})]
pd.DataFrame(table, columns=["method", "epe", "acc5", "acc10", "chamfer", "n"]).set_index("method").fillna("—")

# %% [markdown]
# ## The flow fields
# A bird's-eye view of one scene: every arrow is one point's flow, drawn at its position in
# $P_1$ and coloured by its error. The true flow is the sensor's own motion plus the cars'.
# Free flow is a tangle of short vectors, each pulled to whatever point of $P_2$ is closest.
# The Laplacian and the MLP both produce coherent, object-wise motion.

# %% tags=["hide-input"]
import matplotlib.pyplot as plt

rec = recs[0]
pc1, gt = np.array(rec.history["pc1"]), np.array(rec.history["flow_true"])
panels = [("true", "True flow"), ("free", "Free flow (no prior)"),
          (best_laplacian(rec), f"Laplacian, λ = {best_laplacian(rec)[3:]} (tuned)"), ("nsfp", "NSFP (MLP prior)")]
fig, axes = plt.subplots(1, 4, figsize=(17, 4.6), sharex=True, sharey=True)
for ax, (m, title) in zip(axes, panels):
    flow = np.array(rec.history[f"flow_{m}"])
    err = np.linalg.norm(flow - gt, axis=1)
    ax.scatter(*np.array(rec.history["pc2"])[:, :2].T, s=2, color="0.75", label="P₂")
    q = ax.quiver(pc1[:, 0], pc1[:, 1], flow[:, 0], flow[:, 1], err, cmap="cividis", clim=(0, 1),
                  angles="xy", scale_units="xy", scale=1, width=0.003)
    ax.set(title=f"{title}\nEPE {err.mean():.2f} m", xlabel="x (m)", aspect="equal")
axes[0].set_ylabel("y (m)")
fig.colorbar(q, ax=axes, shrink=0.8, label="end-point error (m)")
chapter.figure(fig, "Four bird's-eye views of the same scene, arrows from each point of the first cloud "
               "showing its flow, coloured from dark (no error) to yellow (1 m error), over the second cloud "
               "in light grey. The true flow moves each box as one piece. Free flow is a field of short, "
               "disordered, mostly yellow arrows. The tuned Laplacian and NSFP panels look like the true "
               "flow, mostly dark arrows, with their errors concentrated on one or two objects.")

# %% [markdown]
# ## Fitting the objective is not recovering the flow
# The same optimization, watched from two sides. On the left, the Chamfer distance each
# method drives down; on the right, the error of the flow it holds at that step. Free flow
# wins on the left and loses on the right: it fits the objective best and the motion worst.
# The dotted line on the right is the error of predicting no motion at all.

# %% tags=["hide-input"]
fig, (ax_fit, ax_err) = plots.panels(2, width=6.0, height=4.0)
for i, (m, name) in enumerate((("free", "free flow"), ("lap", "Laplacian (tuned)"), ("nsfp", "NSFP"))):
    for j, r in enumerate(recs):
        trace = np.array(r.history[f"trace_{best_laplacian(r) if m == 'lap' else m}"])
        kw = dict(color=plots.PALETTE[i], linestyle=plots.LINESTYLES[i], lw=1.6, label=name if j == 0 else None)
        ax_fit.plot(trace[:, 0], trace[:, 1], **kw)
        ax_err.plot(trace[:, 0], trace[:, 2], **kw)
ax_err.axhline(np.mean([r.final["zero_epe"] for r in recs]), color="0.4", linestyle=":", label="no motion")
ax_fit.set(yscale="log", xlabel="optimization step", ylabel="Chamfer distance (m², forward term)",
           title="What is optimized")
ax_err.set(xlabel="optimization step", ylabel="end-point error (m)", title="What is wanted", ylim=(0, None))
ax_err.legend(fontsize="small")
chapter.figure(fig, f"Two panels over optimization steps, one line per scene and method ({len(recs)} scenes). "
               "Left, log scale: the Chamfer distance falls for all three methods, lowest for free flow. Right: "
               "the flow error of free flow stays near the no-motion level, while the tuned Laplacian and NSFP "
               "fall to a fraction of it.")

# %% [markdown]
# ## Paper vs ours

# %%
summary = chapter.save_summary(CHAPTER, CLAIMS, measure(recs), recs, SCALE)
chapter.check(summary)

# %% tags=["remove-cell"]
fin = lambda key: records.finals(recs, key)  # noqa: E731
lap_epe = np.array([r.final[f"{best_laplacian(r)}_epe"] for r in recs])
vs_lap = fin("nsfp_epe") / lap_epe
chapter.glue("n_runs", str(len(recs)))
chapter.glue("n_points", f"{base.n_points:,}")
chapter.glue("epe_free", f"{fin('free_epe').mean():.2f}")
chapter.glue("epe_zero", f"{fin('zero_epe').mean():.2f}")
chapter.glue("epe_nsfp", f"{fin('nsfp_epe').mean():.3f}")
chapter.glue("epe_lap", f"{lap_epe.mean():.3f}")
chapter.glue("epe_query", f"{fin('query_epe').mean():.3f}")
chapter.glue("acc_nsfp_worst", f"{fin('nsfp_acc10').min():.2f}")
chapter.glue("ratio_worst", f"{(fin('nsfp_epe') / fin('free_epe')).max():.2f}")
chapter.glue("cd_free", f"{fin('free_chamfer').mean():.3f}")
chapter.glue("cd_nsfp", f"{fin('nsfp_chamfer').mean():.3f}")
chapter.glue("vs_lap_range", f"{vs_lap.min():.2f}–{vs_lap.max():.2f}")
chapter.glue("n_nsfp_better", f"{int((vs_lap < 1).sum())} of {len(recs)}")
chapter.glue("query_ratio", f"{(fin('query_epe') / fin('nsfp_epe')).min():.2f}–{(fin('query_epe') / fin('nsfp_epe')).max():.2f}")
chapter.glue("max_iters", f"{base.iters:,}")
chapter.glue("nsfp_steps", f"{fin('nsfp_steps').min():.0f}–{fin('nsfp_steps').max():.0f}")

# %% [markdown]
# Over {glue:text}`n_runs` scenes of {glue:text}`n_points` points, free flow ends with an
# end-point error of {glue:text}`epe_free` m, hardly better than predicting no motion
# ({glue:text}`epe_zero` m). Yet it fits the Chamfer objective best: {glue:text}`cd_free`
# against {glue:text}`cd_nsfp` for NSFP (worst-scene ratio {glue:text}`claim_free_fits_better`).
# NSFP, with the same objective and no labels, gets {glue:text}`epe_nsfp` m, on average
# {glue:text}`claim_prior_vs_free` of free flow's error (at most {glue:text}`ratio_worst` in any
# scene). Its Acc₁₀ is {glue:text}`claim_acc_nsfp` on average and {glue:text}`acc_nsfp_worst`
# in the worst scene,
# against at most {glue:text}`claim_acc_free` for free flow. Queried at held-out points that
# it never saw, the field has error {glue:text}`epe_query` m, {glue:text}`query_ratio` times
# its error at the optimized points (range over scenes; the check asks for 0.8–1.25).
#
# The comparison the paper words as "competitive—if not better" is not a check here. The
# Laplacian baseline, with its $\lambda$ chosen per scene on the true flow, reaches
# {glue:text}`epe_lap` m. NSFP's error is {glue:text}`vs_lap_range` times the tuned
# Laplacian's, and lower in {glue:text}`n_nsfp_better` scenes. On piecewise-rigid boxes a
# smoothness prior is close to the right model, and it was tuned with labels NSFP never sees.
# NSFP has no weight to tune, but it has an architecture, a learning rate and a step budget.
#
# ## Run it at paper scale
# Set `scale = "paper"` (or `REGLAB_SCALE=paper`): 10 scenes of 2,048 points each, at the
# official settings (up to 5,000 steps, patience 70). It needs no download. The paper's own
# benchmarks need the authors' preprocessed KITTI Scene Flow and Argoverse files, linked from
# the official README, and are not part of this chapter. Their tables (EPE, Acc₅, Acc₁₀ and
# outliers against learning-based methods and a graph prior) are not quoted here, because we
# could not read them at the source.

# %% tags=["remove-input"]
chapter.paper_scale(CHAPTER.slug)

# %% [markdown]
# ## What this does and does not show
# It shows the paper's mechanism cleanly. One objective, three parametrizations. The one
# with no prior overfits: it fits the loss best and the motion worst. The MLP, optimized on
# nothing but the two clouds, recovers most of the motion, and its field extends to points
# it never saw. NSFP ran {glue:text}`nsfp_steps` of at most {glue:text}`max_iters` steps per
# scene. Every scene starts from a fresh network, where the official code warm-starts from
# the previous scene.
#
# It does not show that NSFP beats explicit regularization. A graph Laplacian tuned on the
# labels is in the same range on these scenes (NSFP's error {glue:text}`vs_lap_range` times
# its error, lower in {glue:text}`n_nsfp_better` scenes), and the page reports that rather
# than asserting either way. It does not reproduce any benchmark number: the scenes are boxes,
# not lidar. The sensor's motion and the independent re-sampling of $P_2$ are there to keep
# the task honest, with no exact correspondences and no static points. Real scans add
# occlusion, ground, density that falls with range, and non-rigid objects, none of which is
# here. Nor does it test the paper's long-range application, integrating the field over a
# sequence to densify lidar.

# %% tags=["remove-input"]
chapter.provenance(summary)

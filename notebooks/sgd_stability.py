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
# # The implicit regularization of dynamical stability in SGD

# %% tags=["remove-cell"]
# Colab bootstrap: there the package is not installed. Off Colab this cell does nothing.
import sys

if "google.colab" in sys.modules:
    get_ipython().run_line_magic("pip", "install -q git+https://github.com/regularization-reproduced/book")

# %% tags=["parameters", "remove-cell"]
scale = "book"  # smoke | book | paper; the environment variable REGLAB_SCALE overrides it

# %% tags=["remove-input"]
from reglab import chapter, config
from reglab.topics import hessian

CHAPTER = chapter.Chapter(
    slug="sgd_stability",
    title="The implicit regularization of dynamical stability in SGD",
    paper=chapter.Paper(
        key="wu2023stability",
        title="The Implicit Regularization of Dynamical Stability in Stochastic Gradient Descent",
        authors=("Wu, Lei", "Su, Weijie J."),
        venue="ICML", booktitle="International Conference on Machine Learning (ICML)",
        year=2023, arxiv="2305.17490"),
    claim="A global minimum that is linearly stable for SGD must have Tr(H) ≤ 2/η, while GD's "
          "stability only bounds λ_max(H) ≤ 2/η; so SGD's reachable minima are flatter, and for "
          "two-layer ReLU networks this flatness means better generalisation, more so at larger η.",
    budget_s={"smoke": 20, "book": 180, "paper": 1800},
    uses=(hessian.gauss_newton_gram, hessian.hutchinson_trace, hessian.top_eigenvalue, hessian.hvp),
)
CHAPTER.card(config.resolve_scale(scale))

# %% [markdown]
# Gradient descent with learning rate $\eta$ can only settle at a minimum whose sharpest
# direction is gentle enough, $\lambda_{\max}(H) \le 2/\eta$; otherwise its iterates oscillate
# away. Wu and Su show that SGD is far more selective: a minimum that is stable for SGD must
# satisfy $\operatorname{Tr}(H) \le 2/\eta$, a bound on the *sum* of all curvatures
# {cite}`wu2023stability`. For two-layer ReLU networks the trace of the Hessian controls a
# norm of the parameters, so SGD's stable minima generalise, and the larger $\eta$, the
# stronger the effect.
#
# This chapter trains the same network with GD and with single-example SGD, measures the
# curvature of the minima they reach, starts SGD at GD's minimum to see whether it stays, and
# compares test losses across learning rates.
#
# ## What we check

# %%
from reglab import chapter
from reglab.chapter import Claim

CLAIMS = (
    Claim("sgd_trace", "A minimum SGD (batch size 1) stays at has Tr(H) ≤ 2/η (qualitative: a bound, "
          "stated in the abstract; its theorem was not reached)", "Abstract",
          "Tr(H) ≤ 2/η", "η·Tr(H)/2 at SGD's end point, η = 2.5, worst seed", high=1.0),
    Claim("gd_sharpness", "GD's stability bounds only the top eigenvalue (qualitative: a bound)", "Abstract",
          "λ_max(H) ≤ 2/η", "η·λ_max(H)/2 at GD's end point, η = 2.5, worst seed", high=1.0),
    Claim("gd_trace", "...which leaves GD at minima SGD cannot stay at (qualitative)", "Abstract",
          "GD's constraint is too weak (no number)", "η·Tr(H)/2 at GD's end point, η = 2.5, "
          "lowest seed", low=1.0),
    Claim("escape", "A minimum with Tr(H) > 2/η is unstable for SGD (qualitative)", "Abstract",
          "(contrapositive of the bound)", "decades the loss grows when SGD starts at GD's "
          "minimum, η = 2.5, fewest over seeds", low=3.0),
    Claim("escape_control", "...but SGD stays where the bound does not bind", "control: this chapter's "
          "check, not a claim of the paper", "—", "same, η = 1.0 (2/η = 2), most over seeds", high=1.0),
    Claim("test_ratio", "SGD's stable minima generalise better than GD's (qualitative)", "Abstract",
          "qualitative", "SGD / GD mean test loss, η = 2.5", high=0.8),
    Claim("lr_trace", "A larger learning rate gives SGD flatter minima (qualitative)", "Abstract",
          "qualitative", "largest rise of SGD's mean Tr(H) from one η to the next", high=0.0),
    Claim("lr_test", "...and better generalisation (qualitative)", "Abstract", "—",
          "SGD mean test loss, η = 2.5 / η = 1.0", high=0.9),
)
chapter.plan(CLAIMS)

# %% [markdown]
# The curvature checks are per seed (the worst or the lowest seed must pass); the
# generalisation checks are on means over seeds. The 0.8 and 0.9 on the test-loss ratios ask
# for a clear gain, not just any.
#
# ## The method
# Near a global minimum $\theta^*$ of $L(\theta) = \frac{1}{2n}\sum_i (f(x_i;\theta) - y_i)^2$,
# the Hessian is $H = \frac1n\sum_i \nabla f_i \nabla f_i^\top$, and one step of SGD on
# example $i$ moves the error $e = \theta - \theta^*$ as $e \leftarrow (I - \eta\,\nabla f_i
# \nabla f_i^\top)\,e$. For GD (all examples at once) this is $e \leftarrow (I - \eta H)e$,
# which stays bounded exactly when $\lambda_{\max}(H) \le 2/\eta$. For SGD with one example
# per step, the paper shows that staying bounded (in mean square) requires
#
# $$\operatorname{Tr}(H) = \frac1n \sum_i \lVert\nabla f_i\rVert^2 \;\le\; \frac{2}{\eta}.$$
#
# A hint why: a step on example $i$ multiplies that example's residual by
# $1 - \eta\lVert\nabla f_i\rVert^2$, so each example's own curvature, not only the
# average in the sharpest direction, has to be small. The trace is at least
# $\lambda_{\max}(H)$ and is often many times larger, so the SGD bound is much stronger.
#
# To measure these quantities we use `reglab.topics.hessian`: the exact Gram matrix of
# per-example gradients, whose trace and top eigenvalue equal those of $H$ at an
# interpolating minimum, and Hessian-vector products, which estimate the same numbers for any
# loss without forming $H$.

# %% tags=["remove-input"]
chapter.show_source(hessian.gauss_newton_gram, hessian.hvp, hessian.hutchinson_trace, hessian.top_eigenvalue)

# %% [markdown]
# ## Configuration
# The paper's experimental settings could not be verified, so the defaults are this chapter's
# design. A run trains with one optimizer at one learning rate: `"sgd"` takes
# `batch_size`-example steps from the initialisation; `"gd"` takes full-batch steps to a
# minimum and then tests it, switching to SGD at the same $\eta$ for a short while. Lengths
# are in units of $\eta t$ (learning rate × steps), so every $\eta$ trains for the same time.
# Both optimizers raise $\eta$ linearly from 0 over the first `warmup` share of their steps
# (10%), then hold it; the escape test from GD's minimum starts at the full $\eta$. The
# learning rates are 1, where $2/\eta = 2$ is far above the trace of $H$ at the start (about
# 1), and 2 and 2.5, where $2/\eta$ (1 and 0.8) is about at or below it.
#
# Why the warm-up: at $\eta = 2.5$ the initialisation itself violates the SGD bound on most
# draws ($\eta\operatorname{Tr}(H)/2$ is above 1 there, measured below), so SGD at the full
# $\eta$ from the first step must leave it. Usually it is thrown to a flatter region and
# settles there; but on some draws the first hundred steps blow up instead (the loss and the
# weights grow without bound, until they overflow). In a pilot, the draws that blew up did
# not start with a larger $\operatorname{Tr}(H)$ than the others; on average they held an
# example with a larger input norm, whose own curvature $\eta\lVert\nabla f_i\rVert^2$
# (several times 2) multiplies its residual several-fold at every visit, and whether the
# network flattens before that runs away depends on the order of the first steps. With the
# warm-up, $\eta$ passes $2/\operatorname{Tr}(H)$ gradually and SGD lowers the trace as
# $\eta$ rises. A short set of runs without the warm-up measures how often the blow-up
# happens.
#
# **Deviations from the paper**:
# - **The experiment is ours.** We could not read the paper's experimental sections, so its
#   settings and numbers are not reproduced: this chapter tests the abstract's statements on
#   its own teacher–student regression (100 examples in 20 dimensions, a ReLU teacher with 3
#   units, a two-layer ReLU student of width 200 in NTK scaling, square loss). Each seed draws
#   its own teacher, training and test inputs and initialisation.
# - **Batch size 1 only.** The abstract states the bound $\operatorname{Tr}(H) \le 2/\eta$
#   without a batch size; we test it for single-example SGD, the case where that form
#   applies, and did not verify the paper's statement for larger batches.
# - **Stability is tested, not computed.** Instead of the spectral radius of the linearised
#   SGD map, we check two consequences: where SGD ends up (after a long run) satisfies the
#   bound, and SGD started at a minimum that violates it leaves it.
# - **Exact curvature.** At an interpolating minimum of the square loss the Hessian equals the
#   Gauss–Newton matrix, whose trace and top eigenvalue we compute exactly from the $n \times n$
#   Gram matrix of per-example gradients; Hessian-vector-product estimators (Hutchinson, power
#   iteration) on the loss itself serve as a cross-check.
# - **Training length and warm-up.** $\eta t$ = 10⁴ for GD and 5·10⁴ for SGD, enough for a
#   training loss below 10⁻¹⁰, with the linear warm-up above (a schedule of ours; the bound is
#   about the minimum SGD ends at, not about the path to it).

# %%
import math
from collections import defaultdict
from dataclasses import asdict, dataclass

import numpy as np
import torch

from reglab import config, plots, records, training
from reglab.topics import hessian

SCALE, DEVICE = chapter.setup(scale)
DT = torch.float64  # losses near 1e-11 and curvature near a minimum need double precision


@dataclass(frozen=True)
class Cfg:
    n: int = 100               # training examples
    d: int = 20                # input dimension; x ~ N(0, I/d), so ‖x‖ ≈ 1
    n_test: int = 2000
    width: int = 200           # m, hidden ReLU units of the student, f = aᵀ relu(Wx)/√m
    optimizer: str = "sgd"     # "sgd" or "gd" (then an SGD escape test from GD's minimum)
    lr: float = 2.5            # η; 2/η = 0.8
    warmup: float = 0.1        # share of the steps over which η rises linearly from 0 (0: none)
    batch_size: int = 1        # examples per SGD step, drawn with replacement
    sgd_time: float = 50_000   # η × SGD steps (20,000 steps at η = 2.5)
    gd_time: float = 10_000    # η × GD steps (4,000 steps at η = 2.5)
    escape_time: float = 1_250 # η × SGD steps taken from GD's minimum (500 at η = 2.5)
    evals: int = 20            # curvature measurements along training
    probes: int = 200          # Hutchinson probes for the cross-check at the end
    seed: int = 0
    scale: str = "paper"


# The second grid of each scale: SGD at η = 2.5 without the warm-up, for its first 500 steps
NO_WARMUP = dict(optimizer=["sgd"], lr=[2.5], warmup=[0.0], sgd_time=[1_250])
PRESETS = {  # per scale: (overrides of Cfg, grids of runs)
    "smoke": (dict(n=40, n_test=500, sgd_time=2_500, gd_time=2_500, escape_time=250, evals=4, probes=20),
              [dict(lr=[1.0, 2.5], optimizer=["gd", "sgd"], seed=[0]), dict(NO_WARMUP, seed=[0])]),
    "book": (dict(), [dict(lr=[1.0, 2.0, 2.5], optimizer=["gd", "sgd"], seed=range(5)),
                      dict(NO_WARMUP, seed=range(20))]),
    "paper": (dict(), [dict(lr=[1.0, 1.75, 2.0, 2.25, 2.5], optimizer=["gd", "sgd"], seed=range(10)),
                       dict(NO_WARMUP, seed=range(50))]),
}
base, cfgs = config.at_scale(Cfg(), PRESETS, SCALE)
base

# %% [markdown]
# ## The experiment
# The data: a teacher of 3 ReLU units with output weights $1, -1, 1$, and inputs, all drawn
# by the seed. The student is written as a function of one flat parameter vector
# $\theta = (W, a)$, the form `reglab.topics.hessian` takes. Its gradient is written out by
# hand (two lines of backpropagation): at batch size 1 this is about twice as fast as
# autograd, and the next cell checks that the two agree.

# %%
def teacher_student(cfg):
    g = torch.Generator().manual_seed(cfg.seed)
    teacher = torch.randn(3, cfg.d, generator=g, dtype=DT)
    x = torch.randn(cfg.n + cfg.n_test, cfg.d, generator=g, dtype=DT) / cfg.d ** 0.5
    y = torch.relu(x @ teacher.T) @ torch.tensor([1.0, -1.0, 1.0], dtype=DT)
    x, y = x.to(DEVICE), y.to(DEVICE)
    return x[:cfg.n], y[:cfg.n], x[cfg.n:], y[cfg.n:]


def predict(theta, x):
    """f(x) = aᵀ relu(W x) / √m, with θ = (W flattened, a)."""
    m = len(theta) // (x.shape[1] + 1)
    w, a = theta[:-m].view(m, -1), theta[-m:]
    return torch.relu(x @ w.T) @ a / m ** 0.5


def gradient(theta, x, y):
    """∇θ of ½·mean (f − y)², by hand."""
    m = len(theta) // (x.shape[1] + 1)
    w, a = theta[:-m].view(m, -1), theta[-m:]
    z = x @ w.T
    r = (torch.relu(z) @ a / m ** 0.5 - y) / len(y)
    return torch.cat([((r[:, None] * (z > 0)) * a).T.matmul(x).flatten(), torch.relu(z).T @ r]) / m ** 0.5


# %% [markdown]
# The hand-written gradient against autograd, on a random point and batch:

# %%
_g = torch.Generator().manual_seed(base.seed)
_x, _y = torch.randn(7, 5, generator=_g, dtype=DT), torch.randn(7, generator=_g, dtype=DT)
_theta = torch.randn(6 * 5 + 6, generator=_g, dtype=DT).requires_grad_()
_auto, = torch.autograd.grad(0.5 * ((predict(_theta, _x) - _y) ** 2).mean(), _theta)
torch.testing.assert_close(gradient(_theta.detach(), _x, _y), _auto)

# %% [markdown]
# One phase of training: `steps` steps on `batch` examples drawn with replacement (`batch = n`
# is GD on all of them), with $\eta$ warmed up over the first `warmup` share of the steps,
# recording the full training loss and, if asked, the exact trace and top eigenvalue of $H$
# from the Gram matrix. A phase stops early if the loss passes `stop_above` or overflows: the
# escape test stops at a loss of 1, when the iterate has left the minimum, and a run whose
# loss overflows is recorded as diverged (its metrics are NaN, which fails every check they
# enter), never raised.
#
# A run: train, then measure the end point: test loss, exact curvature, and the
# Hessian-vector-product estimates of the same trace and top eigenvalue on the loss itself.
# A GD run then restarts SGD from its minimum, at the full $\eta$, and records how far the loss
# climbs, in decades, counted up to a loss of 1. `measure` turns the records into each
# claim's number: the curvature claims on the runs at the largest $\eta$, where $2/\eta$ is
# smallest.

# %%
def curvature(theta, x):
    k = hessian.gauss_newton_gram(predict, theta, x)
    return {"trace": k.trace().item(), "lam_max": torch.linalg.eigvalsh(k)[-1].item()}


def descend(theta, x, y, lr, batch, steps, evals, warmup=0.0, with_curvature=True, stop_above=math.inf):
    theta, hist = theta.clone(), defaultdict(list)
    every = max(1, steps // evals)
    for t in range(steps + 1):
        eta = lr * min(1.0, (t + 1) / (warmup * steps)) if warmup > 0 else lr
        if t % every == 0 or t == steps:
            loss = 0.5 * ((predict(theta, x) - y) ** 2).mean().item()
            hist["time"].append(lr * t)
            hist["lr"].append(eta)
            hist["train_loss"].append(loss)
            for k, v in (curvature(theta, x) if with_curvature and math.isfinite(loss) else {}).items():
                hist[k].append(v)
            if not loss <= stop_above or t == steps:
                return theta, hist
        idx = torch.randint(0, len(y), (batch,), device=x.device) if batch < len(y) else slice(None)
        theta -= eta * gradient(theta, x[idx], y[idx])


def loss_on(theta, x, y):
    return 0.5 * ((predict(theta, x) - y) ** 2).mean().item()


def run(cfg: Cfg) -> records.Record:
    training.seed_all(cfg.seed)
    x, y, x_test, y_test = teacher_student(cfg)
    theta = torch.randn(cfg.width * (cfg.d + 1), dtype=DT).to(DEVICE)  # W, a ~ N(0, 1)
    gd = cfg.optimizer == "gd"
    steps = round((cfg.gd_time if gd else cfg.sgd_time) / cfg.lr)
    theta, history = descend(theta, x, y, cfg.lr, cfg.n if gd else cfg.batch_size, steps, cfg.evals, cfg.warmup)
    metrics = ["train_loss", "test_loss", "trace", "lam_max", "trace_hutchinson", "trace_hutchinson_se",
               "lam_power"] + (["escape_decades"] if gd else [])
    if not math.isfinite(history["train_loss"][-1]):  # diverged: recorded as such, never raised
        return records.Record(config=asdict(cfg), history=dict(history),
                              final={"diverged": 1.0, **dict.fromkeys(metrics, math.nan)})
    loss = lambda t: 0.5 * ((predict(t, x) - y) ** 2).mean()
    gen = torch.Generator().manual_seed(cfg.seed)
    hutch, hutch_se = hessian.hutchinson_trace(loss, theta, cfg.probes, generator=gen)
    final = {"diverged": 0.0, "train_loss": loss(theta).item(), "test_loss": loss_on(theta, x_test, y_test),
             **curvature(theta, x), "trace_hutchinson": hutch, "trace_hutchinson_se": hutch_se,
             "lam_power": hessian.top_eigenvalue(loss, theta, iters=300, tol=1e-8, generator=gen)}
    if gd:
        _, esc = descend(theta, x, y, cfg.lr, cfg.batch_size, round(cfg.escape_time / cfg.lr), 50,
                         with_curvature=False, stop_above=1.0)
        history |= {f"escape_{k}": v for k, v in esc.items()}
        peak = max(v if math.isfinite(v) else math.inf for v in esc["train_loss"])
        final["escape_decades"] = math.log10(min(peak, 1.0) / esc["train_loss"][0])
    return records.Record(config=asdict(cfg), history=dict(history), final=final)


def measure(recs: list[records.Record]) -> dict:
    """Each claim's number, from the warmed-up runs; curvature as η·Tr(H)/2 and η·λ_max(H)/2,
    which the stability bounds say must be ≤ 1. A diverged run gives NaN, which fails."""
    def at(optimizer, lr, key):
        return records.finals(recs, key, optimizer=optimizer, lr=lr, warmup=base.warmup)

    lrs = sorted({r.config["lr"] for r in recs if r.config["warmup"] == base.warmup})
    top = lrs[-1]  # η = 2.5, where 2/η binds
    sgd_test, gd_test, sgd_test_low = at("sgd", top, "test_loss"), at("gd", top, "test_loss"), at("sgd", 1.0, "test_loss")
    mean_trace = np.array([at("sgd", lr, "trace").mean() for lr in lrs])
    return {
        "sgd_trace": chapter.spread(at("sgd", top, "trace"), "max", times=top / 2),
        "gd_sharpness": chapter.spread(at("gd", top, "lam_max"), "max", times=top / 2),
        "gd_trace": chapter.spread(at("gd", top, "trace"), "min", times=top / 2),
        "escape": chapter.spread(at("gd", top, "escape_decades"), "min"),
        "escape_control": chapter.spread(at("gd", 1.0, "escape_decades"), "max"),
        "test_ratio": (sgd_test.mean() / gd_test.mean(), "per seed " + chapter.spread(sgd_test / gd_test)[1]),
        "lr_trace": (np.diff(mean_trace).max(), f"η = {', '.join(f'{lr:g}' for lr in lrs)}"),
        "lr_test": (sgd_test.mean() / sgd_test_low.mean(), "per seed " + chapter.spread(sgd_test / sgd_test_low)[1]),
    }


# %% [markdown]
# GD and SGD at each learning rate, over several seeds: a seed fixes the teacher, the inputs
# and the initialisation, so GD and SGD of one seed start from the same point. Then the short
# runs of SGD at $\eta = 2.5$ without the warm-up.

# %% tags=["hide-output"]
recs = records.sweep(run, cfgs, CHAPTER.slug)

# %% [markdown]
# End points of the warmed-up runs: mean and standard deviation over seeds, and the number of
# runs (n). `diverged` is the share of runs that diverged; `trace` and `lam_max` are exact,
# `trace_hutchinson` and `lam_power` the Hessian-vector-product estimates of the same numbers.

# %%
warmed = records.select(recs, warmup=base.warmup)
converged = [r for r in warmed if not r.final["diverged"]]  # the figures draw these
records.summarize(warmed, by=["optimizer", "lr"], metrics=[
    "diverged", "test_loss", "trace", "trace_hutchinson", "lam_max", "lam_power"]).round(3)

# %% [markdown]
# ## Where GD and SGD end up
# At $\eta = 2.5$ the SGD bound is $2/\eta = 0.8$. Both optimizers start at the same point,
# with $\operatorname{Tr}(H)$ above the bound. GD keeps it there: its only constraint, on
# $\lambda_{\max}$, is far from binding. SGD brings the trace below $2/\eta$ as the warm-up
# raises $\eta$ (the thin line is $2/\eta$ along the warm-up), before it fits the data.

# %% tags=["hide-input"]
lr_top = max(r.config["lr"] for r in warmed)
fig, (ax_h, ax_l) = plots.panels(2)
for i, opt in enumerate(["gd", "sgd"]):
    rs = records.select(converged, optimizer=opt, lr=lr_top)
    if not rs:
        continue
    t = rs[0].history["time"]
    plots.mean_band(ax_h, t, [r.history["trace"] for r in rs], f"{opt.upper()}: Tr(H)", i)
    plots.mean_band(ax_h, t, [r.history["lam_max"] for r in rs], f"{opt.upper()}: λ_max(H)", i, ":")
    plots.mean_band(ax_l, t, [np.log10(r.history["train_loss"]) for r in rs], opt.upper(), i)
for r in records.select(converged, optimizer="sgd", lr=lr_top)[:1]:
    ax_h.plot(r.history["time"], 2 / np.array(r.history["lr"]), color="black", lw=1, label="2/η (SGD's warm-up)")
ax_h.set(xlabel="training time ηt", ylabel="curvature", title=f"Curvature, η = {lr_top:g}", ylim=(0, 2.0))
ax_l.set(xlabel="training time ηt", ylabel="log₁₀ training loss", title="Training loss")
ax_h.legend(fontsize="x-small", loc="upper right")
ax_l.legend()
chapter.figure(fig, "Left: trace and top eigenvalue of the Hessian over training at learning rate "
               "2.5, for GD and SGD, with the SGD bound 2/η as a black line that falls to 0.8 during "
               "the warm-up and stays there. GD's trace stays well above the line and its top eigenvalue "
               "far below it; SGD's trace falls below the line. Right: the base-10 logarithm of the "
               "training loss of both falls to about −10 or lower.")

# %% tags=["remove-cell"]
cold = records.select(recs, warmup=0.0)
init_eta_trace = [r.config["lr"] * r.history["trace"][0] / 2 for r in cold]
chapter.glue("n_init_unstable", str(sum(v > 1 for v in init_eta_trace)))
chapter.glue("init_eta_trace", f"{min(init_eta_trace):.2f}")
chapter.glue("init_eta_trace_max", f"{max(init_eta_trace):.2f}")
chapter.glue("n_diverged", f"{int(records.finals(cold, 'diverged').sum())}")
chapter.glue("n_no_warmup", str(len(cold)))
chapter.glue("n_diverged_warmed", f"{int(records.finals(warmed, 'diverged').sum())}")
chapter.glue("n_warmed", str(len(warmed)))

# %% [markdown]
# ## Without the warm-up
# At the initialisation, $\eta\operatorname{Tr}(H)/2$ at $\eta = 2.5$ is above 1 on
# {glue:text}`n_init_unstable` of {glue:text}`n_no_warmup` seeds (it ranges from
# {glue:text}`init_eta_trace` to {glue:text}`init_eta_trace_max`): there the starting point is
# unstable for SGD at the full learning rate. Started there without the warm-up,
# {glue:text}`n_diverged` of the {glue:text}`n_no_warmup` SGD runs diverged within their first
# 500 steps; the others left the starting point towards flatter regions. A rare event per
# run, but one is enough to stop a chapter whose checks need every seed. With the warm-up,
# {glue:text}`n_diverged_warmed` of the {glue:text}`n_warmed` runs above diverged.

# %% [markdown]
# ## Does SGD stay at GD's minimum?
# Each GD run ends at a minimum with training loss near $10^{-11}$. From there we switch to
# SGD with one example per step and the same $\eta$. Where $\operatorname{Tr}(H) > 2/\eta$,
# the minimum is unstable for SGD and the loss climbs by many orders of magnitude within a few
# hundred steps, the faster the further the trace is above $2/\eta$; at $\eta = 1$
# ($2/\eta = 2$, far above the trace), SGD stays.

# %% tags=["hide-input"]
fig, (ax,) = plots.panels(1, width=5.5)
lrs = sorted({r.config["lr"] for r in warmed})
for i, lr in enumerate(lrs):
    for j, r in enumerate(records.select(converged, optimizer="gd", lr=lr)):
        t = np.array(r.history["escape_time"]) / lr
        ax.plot(t, r.history["escape_train_loss"], color=plots.PALETTE[i], linestyle=plots.LINESTYLES[i % 4],
                lw=1.5, label=f"η = {lr:g} (2/η = {2 / lr:.2g})" if j == 0 else None)
ax.set(xlabel="SGD steps after GD's minimum", ylabel="training loss", yscale="log",
       title="SGD started at GD's minimum")
ax.legend(fontsize="small")
chapter.figure(fig, "Training loss, log scale, of single-example SGD started at the minimum GD "
               "reached, one line per seed and learning rate. At the largest learning rate the loss "
               "climbs from about 1e-11 to above 1 within a few hundred steps; at η = 2 it climbs more "
               "slowly, by several decades; at η = 1 it stays near its starting value.")

# %% [markdown]
# ## Across learning rates
# GD reaches about the same minimum whatever $\eta$; its trace stays above $2/\eta$ once
# $\eta$ is large. SGD's trace falls as $\eta$ grows, and its test loss with it. Test losses
# vary a lot from seed to seed (each seed draws its own teacher and training set), so the
# right panel divides each SGD run's test loss by that of the GD run with the same seed,
# data and initialisation.

# %% tags=["hide-input"]
def final_by_lr(opt, key):
    return np.array([records.finals(warmed, key, optimizer=opt, lr=lr) for lr in lrs])


fig, (ax_t, ax_g) = plots.panels(2)
for i, opt in enumerate(["gd", "sgd"]):
    vals = final_by_lr(opt, "trace")
    ax_t.errorbar(lrs, vals.mean(1), yerr=vals.std(1, ddof=1) if vals.shape[1] > 1 else None,
                  color=plots.PALETTE[i], linestyle=plots.LINESTYLES[i], marker="os"[i], capsize=3, lw=2,
                  label=opt.upper())
ratio = final_by_lr("sgd", "test_loss") / final_by_lr("gd", "test_loss")
ax_g.errorbar(lrs, ratio.mean(1), yerr=ratio.std(1, ddof=1) if ratio.shape[1] > 1 else None,
              color=plots.PALETTE[1], linestyle="--", marker="s", capsize=3, lw=2, label="SGD / GD, same seed")
grid = np.linspace(min(lrs), max(lrs), 50)
ax_t.plot(grid, 2 / grid, color="black", lw=1, label="2/η")
ax_g.axhline(1.0, color="black", lw=1, label="no difference")
ax_t.set(xlabel="learning rate η", ylabel="Tr(H) at the end", title="Trace of the Hessian")
ax_g.set(xlabel="learning rate η", ylabel="test loss ratio", title="Generalisation, SGD vs GD")
ax_t.legend()
ax_g.legend()
chapter.figure(fig, "Left: trace of the Hessian at the end of training against the learning rate, "
               "for GD (flat, around 1.1) and SGD (falling with η), with the curve 2/η. Right: SGD's "
               "test loss divided by GD's for the same seed, against the learning rate: below 1 and "
               "falling as η grows.")

# %% [markdown]
# ## Paper vs ours

# %%
summary = chapter.save_summary(CHAPTER, CLAIMS, measure(recs), recs, SCALE)
chapter.check(summary)

# %% tags=["remove-cell"]
def at_top(opt, key):
    return records.finals(warmed, key, optimizer=opt, lr=lr_top)


hutch_gap = max(abs(r.final["trace_hutchinson"] - r.final["trace"]) / r.final["trace_hutchinson_se"] for r in warmed)
power_gap = max(abs(r.final["lam_power"] - r.final["lam_max"]) / r.final["lam_max"] for r in warmed)
chapter.glue("lr_top", f"{lr_top:g}")
chapter.glue("bound", f"{2 / lr_top:.2g}")
chapter.glue("trace_sgd", f"{at_top('sgd', 'trace').mean():.2f}")
chapter.glue("trace_sgd_sd", f"{at_top('sgd', 'trace').std(ddof=1):.2f}")
chapter.glue("trace_gd", f"{at_top('gd', 'trace').mean():.2f}")
chapter.glue("trace_gd_sd", f"{at_top('gd', 'trace').std(ddof=1):.2f}")
chapter.glue("lam_max_gd", f"{at_top('gd', 'lam_max').mean():.2f}")
chapter.glue("test_sgd", f"{at_top('sgd', 'test_loss').mean():.3f}")
chapter.glue("test_gd", f"{at_top('gd', 'test_loss').mean():.3f}")
chapter.glue("gain", f"{100 * (1 - at_top('sgd', 'test_loss').mean() / at_top('gd', 'test_loss').mean()):.0f}")
chapter.glue("max_train", f"{max(r.final['train_loss'] for r in warmed):.0e}")
chapter.glue("hutch_gap", f"{hutch_gap:.1f}")
chapter.glue("power_gap", f"{power_gap:.0e}")
chapter.glue("n_seeds", str(len(at_top("sgd", "trace"))))

# %% [markdown]
# At $\eta$ = {glue:text}`lr_top`, over {glue:text}`n_seeds` seeds, SGD ends at
# $\operatorname{Tr}(H)$ = {glue:text}`trace_sgd` ± {glue:text}`trace_sgd_sd`, below the bound
# $2/\eta$ = {glue:text}`bound` (η·Tr(H)/2 = {glue:text}`claim_sgd_trace` on the worst seed),
# while GD ends at {glue:text}`trace_gd` ± {glue:text}`trace_gd_sd`, above it, with
# $\lambda_{\max}(H)$ = {glue:text}`lam_max_gd`, far below it. SGD's test loss is
# {glue:text}`test_sgd` against GD's {glue:text}`test_gd`, {glue:text}`gain`% lower. Every run
# fits its training set to a loss of at most {glue:text}`max_train`, so $H$ equals the
# Gauss–Newton matrix there; the Hutchinson estimates lie within {glue:text}`hutch_gap`
# standard errors of the exact trace, and power iteration finds the top eigenvalue to a
# relative error of {glue:text}`power_gap`.
#
# ## Run it at paper scale
# `scale = "paper"` runs the same experiment with 10 seeds and five learning rates
# (1, 1.75, 2, 2.25 and 2.5), and 50 seeds without the warm-up; it needs no GPU (these small, sequential
# steps run faster on a CPU). We have not timed it. It is not the paper's own experiment,
# whose settings we could not read: the paper also treats diagonal linear networks and larger
# networks, which this chapter does not.

# %% tags=["remove-input"]
chapter.paper_scale(CHAPTER.slug)

# %% [markdown]
# ## What this does and does not show
# It shows the mechanism the paper describes on a network where everything can be measured
# exactly: single-example SGD ends at minima with $\operatorname{Tr}(H) \le 2/\eta$, cannot stay
# at GD's minimum when that minimum violates the bound, and generalises better the larger
# $\eta$. It also shows the other side of the bound: a starting point that violates it is
# left, and at the full $\eta$ from the first step SGD sometimes leaves it by diverging,
# which the warm-up avoids. It does not show the paper's theorems (we test consequences of the
# bound, not its proof), its dependence on batch size, or that the test-loss gain holds for
# other sample sizes, widths or real data: the gain is a property of this problem, where a
# smaller trace means smaller, more balanced weights that suit the 3-unit teachers.

# %% tags=["remove-input"]
chapter.provenance(summary)

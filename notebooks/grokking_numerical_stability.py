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
# # Grokking at the edge of numerical stability

# %% tags=["remove-cell"]
# Colab bootstrap: there the package is not installed. Off Colab this cell does nothing.
import sys

if "google.colab" in sys.modules:
    get_ipython().run_line_magic("pip", "install -q git+https://github.com/regularization-reproduced/book")

# %% tags=["parameters", "remove-cell"]
scale = "book"  # smoke | book | paper; the environment variable REGLAB_SCALE overrides it

# %% tags=["remove-input"]
from reglab import chapter, config, data, metrics, models, training
from reglab import regularizers as reg

CHAPTER = chapter.Chapter(
    slug="grokking_numerical_stability",
    title="Grokking at the edge of numerical stability",
    paper=chapter.Paper(
        key="prieto2025grokking", title="Grokking at the Edge of Numerical Stability",
        authors=("Prieto, Lucas", "Barsbey, Melih", "Mediano, Pedro A. M.", "Birdal, Tolga"),
        venue="ICLR", booktitle="International Conference on Learning Representations (ICLR)",
        year=2025, arxiv="2501.04697",
        code="https://github.com/LucasPrietoAl/grokking-at-the-edge-of-numerical-stability"),
    claim="Without weight decay, removing the gradient's component along the weights (⊥Grad) "
          "makes an MLP generalise on addition mod 113 within about 150–170 epochs, while plain "
          "AdamW scales its logits until Softmax Collapse stops learning.",
    budget_s={"smoke": 20, "book": 180, "paper": 3600},
    uses=(reg.orthogonalize_grads_, reg.orthogonal_grad, metrics.softmax_collapse_fraction,
          metrics.grad_weight_cosine, models.PairMLP, data.modular_arithmetic, training.fit),
)
CHAPTER.card(config.resolve_scale(scale))

# %% [markdown]
# A network trained without regularisation on modular addition memorises its training set
# and then, instead of generalising (*grokking*), keeps lowering the loss in the cheapest
# way: it scales its weights, and so its logits, along their current direction (*naïve loss
# minimisation*, NLM). Eventually the softmax rounds the true class's probability to exactly
# 1 in floating point (*Softmax Collapse*, SC): the loss of those examples, and the
# gradient of their true-class logit, become exactly zero, and learning stops
# {cite}`prieto2025grokking`. Remove the NLM direction
# from the gradient (**⊥Grad**) and the same network generalises within a few hundred
# epochs, with no weight decay.
#
# We check four things on a smaller modulus: ⊥AdamW generalises and AdamW does not; after
# fitting, AdamW's gradient points along the weights; AdamW in float32 runs into Softmax
# Collapse; and float64 delays it.
#
# ## What we check

# %%
from reglab import chapter
from reglab.chapter import Claim

CLAIMS = (
    Claim("ortho_mean", "⊥AdamW generalises without weight decay", "Fig. 1a, read by eye",
          "≈ 100% test acc. by epoch 150–170 (p = 113)", "⊥AdamW test accuracy, mean", low=0.90),
    Claim("ortho_min", "...on every seed", "Fig. 1a", "one run shown",
          "⊥AdamW test accuracy, worst seed", low=0.85),
    Claim("plain_max", "AdamW without weight decay does not generalise", "Fig. 1c, read by eye",
          "test acc. ≈ 0%", "AdamW test accuracy, best seed", high=0.05),
    Claim("train_min", "Both fit the training set", "Fig. 1", "100% train acc.",
          "train accuracy, worst run", low=0.999),
    Claim("nlm_cos", "After fitting, the gradient aligns with the weights (NLM)", "Fig. 5, read by eye",
          "cosine ≈ 0.9 (output layers)", "AdamW cos(−∇L, θ), all weights, mean", low=0.5),
    Claim("sc_late", "Softmax Collapse sets in with float32", "Fig. 2; Sec. 3.2",
          "not given as a number", "float32 SC fraction at the end of the long run, mean", low=0.5),
    Claim("sc_early", "...and it is absent early in training", "Sec. 3.2", "—",
          "float32 SC fraction at 1/10 of the long run, worst seed", high=0.0),
    Claim("sc_float64", "Higher precision delays Softmax Collapse", "Fig. 2 caption",
          "later in float64 than in float32", "float64 SC fraction at the end, worst seed", high=0.01),
)
chapter.plan(CLAIMS)

# %% [markdown]
# Softmax Collapse is checked against thresholds, not against the epoch it starts at, which
# depends on the order of float32 sums.
#
# ## The method
# ⊥Grad replaces each weight tensor's gradient $g$ by its component orthogonal to the
# weights $\theta$, $g_\perp = g - \frac{\theta^\top g}{\theta^\top\theta}\,\theta$ (paper
# Eq. 12), then, as the official code does, rescales $g_\perp$ to the length of $g$. Any
# optimizer then takes its step with $g_\perp$: here AdamW, giving ⊥AdamW. Softmax Collapse
# is measured directly: the fraction of training examples whose softmax probability of the
# true class is exactly 1.0 in the precision the loss is computed in.

# %% tags=["remove-input"]
chapter.show_source(reg.orthogonalize_grads_, reg.orthogonal_grad, metrics.softmax_collapse_fraction)

# %% [markdown]
# ## Configuration
# Defaults are the paper's Fig. 1 settings (the official `run_main_experiments.sh`): addition
# mod 113, 40% of the pairs for training, an MLP with two hidden layers of 200 units and no
# biases on concatenated one-hot inputs, full-batch AdamW with learning rate 0.01,
# β₂ = 0.99 and no weight decay. Each scale runs two grids: ⊥AdamW against AdamW over
# several seeds, and plain AdamW trained much longer with the loss in float32 and in
# float64, to watch Softmax Collapse set in.
#
# **Deviations from the paper**, at `book` scale:
# - **Size.** Modulus 59 instead of 113 (3,481 pairs instead of 12,769) and 128 units per
#   layer instead of 200; 600 epochs for the main comparison instead of 300, since the
#   smaller problem has fewer examples per full-batch step.
# - **The first layer** is computed as a lookup of two weight columns instead of a matrix
#   product with a one-hot vector: the same parameters, initialisation and gradients.
# - **Softmax Collapse** is shown with the Fig. 1 learning rate (0.01) over 4,000 epochs, not
#   with the Fig. 2 setting (learning rate 5e-4, 20,000 epochs, three training fractions).
# - **The NLM cosine** is measured over all weights together; the paper's Fig. 5 shows it per
#   layer, where the output layer aligns most.
# - **StableMax**, the paper's other fix, is implemented (`reglab.regularizers.stablemax`) but
#   not run here: it needs tens of thousands of epochs to grok (Fig. 1b), and in a pilot run
#   of 8,000 epochs at this size it had not started. With the loss in float32 it even
#   collapses too, once the weights are large enough: the official code computes it in float64.

# %%
from dataclasses import asdict, dataclass

import numpy as np
import torch
import torch.nn.functional as F

from reglab import config, data, metrics, models, plots, records, training
from reglab import regularizers as reg

SCALE, DEVICE = chapter.setup(scale)


@dataclass(frozen=True)
class Cfg:
    p: int = 113                 # modulus of a + b (mod p)
    train_fraction: float = 0.4  # share of the p² pairs used for training
    width: int = 200             # units per hidden layer (two layers, no bias)
    ortho: bool = True           # ⊥AdamW if True, plain AdamW if False
    precision: str = "float32"   # dtype the softmax cross-entropy is computed in
    lr: float = 0.01
    beta2: float = 0.99
    adam_eps: float = 1e-25      # the official code's tiny ε, so Adam does not mask vanishing gradients
    weight_decay: float = 0.0
    epochs: int = 300
    eval_every: int = 10
    seed: int = 0
    scale: str = "paper"


def grids(seeds, sc_epochs, sc_seeds):
    """⊥AdamW vs AdamW over `seeds`; then AdamW for `sc_epochs`, loss in float32 and float64."""
    return [dict(ortho=[True, False], seed=seeds),
            dict(ortho=[False], epochs=[sc_epochs], eval_every=[sc_epochs // 50],
                 precision=["float32", "float64"], seed=sc_seeds)]


PRESETS = {  # per scale: (overrides of Cfg, grids of runs)
    "smoke": (dict(p=23, width=32, epochs=40, eval_every=10), grids([0], sc_epochs=80, sc_seeds=[0])),
    "book": (dict(p=59, width=128, epochs=600, eval_every=20), grids([0, 1, 2], sc_epochs=4000, sc_seeds=[0, 1])),
    "paper": (dict(), grids([0, 1, 2, 3, 4], sc_epochs=80_000, sc_seeds=[0, 1])),
}
DTYPES = {"float32": torch.float32, "float64": torch.float64}
base, cfgs = config.at_scale(Cfg(), PRESETS, SCALE)
base

# %% [markdown]
# ## The experiment
# One run trains one network with one seed; the seed draws the train/test split and the
# initialisation. Every `eval_every` epochs we record train and test accuracy, the
# Softmax-Collapse fraction, the cosine between the negative gradient and the weights
# (1 means descent only scales the weights: NLM) and the weight norm. `measure` turns the
# records into each claim's number.

# %%
def run(cfg: Cfg) -> records.Record:
    training.seed_all(cfg.seed)
    train_set, test_set = (d.to(DEVICE) for d in data.modular_arithmetic(cfg.p, cfg.train_fraction, cfg.seed))
    model = models.PairMLP(cfg.p, width=cfg.width).to(DEVICE)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, betas=(0.9, cfg.beta2),
                            eps=cfg.adam_eps, weight_decay=cfg.weight_decay)
    if cfg.ortho:
        reg.orthogonal_grad(opt)
    dtype = DTYPES[cfg.precision]

    def loss_fn(model, batch):
        return F.cross_entropy(model(batch.x).to(dtype), batch.y)

    def monitor(model):
        logits = model(train_set.x).to(dtype)
        return {"train_acc": metrics.accuracy(logits, train_set.y),
                "test_acc": training.evaluate(model, test_set)["acc"],
                "collapse": metrics.softmax_collapse_fraction(logits.detach(), train_set.y),
                "grad_cos": metrics.grad_weight_cosine(model, F.cross_entropy(logits, train_set.y)),
                "weight_norm": metrics.weight_norm(model)}

    history = training.fit(model, opt, train_set, loss_fn, epochs=cfg.epochs, batch_size=len(train_set),
                           monitor=monitor, eval_every=cfg.eval_every)
    return records.Record(config=asdict(cfg), history=history, final={k: v[-1] for k, v in history.items()})


def split(recs):
    """The main comparison {ortho: runs} and the long AdamW runs {precision: runs}."""
    sc_epochs = max(r.config["epochs"] for r in recs)
    return ({o: records.select(recs, ortho=o, epochs=base.epochs) for o in (True, False)},
            {d: records.select(recs, epochs=sc_epochs, precision=d) for d in DTYPES})


def measure(recs: list[records.Record]) -> dict:
    """Each claim's number, from the final metrics and, for the onset of collapse, the curves."""
    main, long = split(recs)
    ortho_test, plain_test = records.finals(main[True], "test_acc"), records.finals(main[False], "test_acc")
    epochs = long["float32"][0].history["epoch"]
    early = epochs[len(epochs) // 10]  # 1/10 of the long run
    sc32_early = [r.history["collapse"][r.history["epoch"].index(early)] for r in long["float32"]]
    train = np.concatenate([records.finals(main[o], "train_acc") for o in (True, False)])
    n_sc = len(long["float32"])
    return {
        "ortho_mean": chapter.spread(ortho_test),
        "ortho_min": chapter.spread(ortho_test, reduce="min"),
        "plain_max": chapter.spread(plain_test, reduce="max"),
        "train_min": chapter.spread(train, reduce="min", unit="runs"),
        "nlm_cos": chapter.spread(records.finals(main[False], "grad_cos")),
        "sc_late": (records.finals(long["float32"], "collapse").mean(), f"epoch {epochs[-1]} ({n_sc} seeds)"),
        "sc_early": (max(sc32_early), f"epoch {early} ({n_sc} seeds)"),
        "sc_float64": (records.finals(long["float64"], "collapse").max(), f"epoch {epochs[-1]} ({n_sc} seeds)"),
    }


# %% tags=["hide-output"]
recs = records.sweep(run, cfgs, CHAPTER.slug)
main, long = split(recs)

# %% [markdown]
# Final values over seeds (`n` runs per row), for the main comparison:

# %%
records.summarize(main[True] + main[False], by="ortho", metrics=["train_acc", "test_acc", "grad_cos", "weight_norm"]).round(3)

# %% [markdown]
# ## ⊥AdamW generalises, AdamW memorises
# Both fit the training set within a few dozen epochs. Only ⊥AdamW's test accuracy follows.

# %% tags=["hide-input"]
fig, (ax_acc, ax_cos) = plots.panels(2)
for i, (o, name) in enumerate([(True, "⊥AdamW"), (False, "AdamW")]):
    epochs = main[o][0].history["epoch"]
    plots.mean_band(ax_acc, epochs, [100 * np.array(r.history["test_acc"]) for r in main[o]], f"{name}, test", i)
    plots.mean_band(ax_acc, epochs, [100 * np.array(r.history["train_acc"]) for r in main[o]], f"{name}, train", i, ":")
    plots.mean_band(ax_cos, epochs, [r.history["grad_cos"] for r in main[o]], name, i)
ax_acc.set(xlabel="epoch", ylabel="accuracy (%)", title=f"Addition mod {base.p}, no weight decay")
ax_cos.set(xlabel="epoch", ylabel="cos(−gradient, weights)", title="Alignment with the weights (NLM)")
ax_acc.legend(fontsize="small")
ax_cos.legend()
chapter.figure(fig, "Left: train and test accuracy over epochs. Both optimizers reach 100% training "
               "accuracy early; ⊥AdamW's test accuracy climbs to near 100% while AdamW's stays near "
               "zero. Right: the cosine between the negative gradient and the weights rises after the "
               "training set is fitted, i.e. the raw gradient mostly scales the weights; ⊥Grad removes "
               "that component before each step.")

# %% [markdown]
# ## Softmax Collapse
# Trained longer, plain AdamW keeps growing its weights. In float32 a growing share of
# training examples reach a softmax probability of exactly 1: their loss is exactly zero
# and their true-class logit gets no gradient; in float64 the same growth is still far from the rounding limit.

# %% tags=["hide-input"]
fig, (ax_sc, ax_norm) = plots.panels(2)
for i, d in enumerate(DTYPES):
    epochs = long[d][0].history["epoch"]
    plots.mean_band(ax_sc, epochs, [100 * np.array(r.history["collapse"]) for r in long[d]], f"softmax in {d}", i)
    plots.mean_band(ax_norm, epochs, [r.history["weight_norm"] for r in long[d]], f"softmax in {d}", i)
ax_sc.set(xlabel="epoch", ylabel="training examples collapsed (%)", title="Softmax Collapse, AdamW")
ax_norm.set(xlabel="epoch", ylabel="‖θ‖₂", title="Weight norm, AdamW", yscale="log")
ax_sc.legend()
chapter.figure(fig, "Left: share of training examples whose true-class softmax probability is "
               "exactly 1.0, over epochs of plain AdamW. In float32 it is zero at first, then climbs "
               "to most of the training set; in float64 it stays at zero. Right: the weight norm "
               "keeps growing in both precisions (log scale).")

# %% [markdown]
# ## Paper vs ours

# %%
summary = chapter.save_summary(CHAPTER, CLAIMS, measure(recs), recs, SCALE)
chapter.check(summary)

# %% tags=["remove-cell"]
chapter.glue("plain_test", f"{100 * records.finals(main[False], 'test_acc').mean():.1f}")
chapter.glue("sc_epochs", f"{long['float32'][0].config['epochs']:,}")
chapter.glue("n_seeds", str(len(main[True])))
chapter.glue("n_sc_seeds", str(len(long["float32"])))
chapter.glue("n_runs", str(len(recs)))
chapter.glue("p", str(base.p))
chapter.glue("epochs", str(base.epochs))

# %% [markdown]
# On addition mod {glue:text}`p`, after {glue:text}`epochs` full-batch epochs over
# {glue:text}`n_seeds` seeds, ⊥AdamW reaches a test accuracy of {glue:text}`claim_ortho_mean`
# {glue:text}`claim_ortho_mean_spread` and AdamW {glue:text}`plain_test`% on average. AdamW's
# gradient then has a cosine of {glue:text}`claim_nlm_cos` with its weights. Trained for
# {glue:text}`sc_epochs` epochs ({glue:text}`n_sc_seeds` seeds per precision;
# {glue:text}`n_runs` runs in all), AdamW has on average a fraction {glue:text}`claim_sc_late`
# of its training examples in Softmax Collapse with a float32 loss, and at most
# {glue:text}`claim_sc_float64` with a float64 loss.
#
# ## Run it at paper scale
# `scale = "paper"` trains the paper's Fig. 1 network (p = 113, width 200) for 300 epochs with
# 5 seeds per optimizer, and the float32/float64 AdamW runs for 80,000 epochs with 2 seeds.
# It needs a GPU; it has not been timed.

# %% tags=["remove-input"]
chapter.paper_scale(CHAPTER.slug)

# %% [markdown]
# ## What this does and does not show
# At `book` scale the mechanism is the paper's: no weight decay, the same optimizer, the same
# projection, and Softmax Collapse measured exactly as defined. It does not show grokking
# itself, the late jump in test accuracy, which the paper obtains with StableMax or float64
# after tens of thousands of epochs.

# %% tags=["remove-input"]
chapter.provenance(summary)

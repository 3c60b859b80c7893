"""Tree ensembles as adaptive smoothers (Curth, Jeffares & van der Schaar, 2024): smoother weights and
effective parameters of scikit-learn regression trees and forests.

A fitted regression tree predicts at x the (weighted) mean of the training responses that share
x's leaf, so its prediction is linear in the training responses: f̂(x) = ŝ(x)·y, with

    ŝ_j(x) = c_j·1{leaf(x) = leaf(x_j)} / Σ_l c_l·1{leaf(x) = leaf(x_l)},

where c_j is the number of times training point j is in the tree's bootstrap sample (1 without
bootstrap). A forest averages its trees, so its weights are the average of theirs. The paper
measures the model's complexity at a set of inputs I by the effective number of parameters

    p_ŝ(I) = (n / |I|) Σ_{x∈I} ‖ŝ(x)‖²,

which is n for a model that interpolates (ŝ(x_i) = e_i at every training input) and 1 for the
global mean. Everything here is numpy on the fitted scikit-learn objects; no torch.
"""
from __future__ import annotations

import numpy as np


def trees_of(model) -> list:
    """The fitted trees of a forest (`estimators_`), or [model] for a single tree."""
    return list(getattr(model, "estimators_", [model]))


def in_bag_counts(model, n: int) -> np.ndarray:
    """(n_trees, n): how often each training point is in each tree's training sample, c_j above.

    Without bootstrap every tree sees every point once. With bootstrap, scikit-learn fits each
    tree with sample weights equal to these counts, so its leaf values are count-weighted means:
    leaving them out breaks ŝ(x)·y = f̂(x) (tested). `estimators_samples_` (scikit-learn ≥ 1.4)
    regenerates each tree's draw from its stored seed, the same logic as the official code's
    `get_bootstrap_weights`.
    """
    if not getattr(model, "bootstrap", False):
        return np.ones((len(trees_of(model)), n))
    return np.stack([np.bincount(idx, minlength=n) for idx in model.estimators_samples_]).astype(float)


def tree_smoother(tree, x_train: np.ndarray, x_eval: np.ndarray, counts: np.ndarray | None = None) -> np.ndarray:
    """(n_eval, n_train): the weights ŝ(x) of one tree at each row x of `x_eval` (module docstring).

    Rows sum to 1: every leaf holds at least one in-bag training point, and a point reaches the
    same leaf whether it is a training or an evaluation point.
    """
    counts = np.ones(len(x_train)) if counts is None else counts
    leaf_train, leaf_eval = tree.apply(x_train), tree.apply(x_eval)                  # (n_train,), (n_eval,)
    weights = (leaf_eval[:, None] == leaf_train[None, :]) * counts[None, :]          # (n_eval, n_train)
    return weights / weights.sum(1, keepdims=True)


def smoother_matrix(model, x_train: np.ndarray, x_eval: np.ndarray) -> np.ndarray:
    """(n_eval, n_train): Ŝ with Ŝ·y_train = model.predict(x_eval), for a fitted
    DecisionTreeRegressor, RandomForestRegressor or ExtraTreesRegressor (fitted without
    sample_weight): the average over trees of `tree_smoother`, with each tree's in-bag counts."""
    counts = in_bag_counts(model, len(x_train))
    s = np.zeros((len(x_eval), len(x_train)))
    for tree, c in zip(trees_of(model), counts):
        s += tree_smoother(tree, x_train, x_eval, c)
    return s / len(counts)


def parameter_shares(s: np.ndarray) -> np.ndarray:
    """(|I|,): each input's share n‖ŝ(x)‖² of the effective parameters: n where all the weight is
    on one training point (the model interpolates there), 1 where it is spread evenly over all n."""
    return s.shape[1] * np.sum(s ** 2, axis=1)


def effective_parameters(s: np.ndarray) -> float:
    """p_ŝ(I) = (n / |I|) Σ_{x∈I} ‖ŝ(x)‖² for the rows ŝ(x) of `s` (|I| rows, n training columns).

    The official code's `n_train · mean_x ‖S(x)‖²`: the mean of `parameter_shares`. At the
    training inputs it is tr(ŜᵀŜ), one of the classical effective degrees of freedom of a linear
    smoother; n for the identity.
    """
    return float(np.mean(parameter_shares(s)))

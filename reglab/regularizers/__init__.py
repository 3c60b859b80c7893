"""The book's subject: regularizers as a few lines of tensor code, each with its equation,
split by shape. Chapters write `from reglab import regularizers as reg` and `reg.<name>`;
every public name is re-exported here, so a file can move without touching a chapter.

| shape | module | in the book |
|---|---|---|
| added to the loss | `penalties` | ELR's penalty |
| what the loss pulls towards | `targets` | ELR's running targets, label smoothing, PS-KD's targets |
| acts on the optimizer's step | `gradients` | ⊥Grad |
| replaces softmax / cross-entropy | `losses` | StableMax |
"""
from .gradients import orthogonal_grad, orthogonalize_grads_
from .losses import stablemax, stablemax_cross_entropy
from .penalties import elr_penalty
from .targets import ELR_CLAMP, elr_update_targets_, label_smoothing_targets, pskd_alpha, pskd_targets

__all__ = ["ELR_CLAMP", "elr_penalty", "elr_update_targets_", "label_smoothing_targets", "orthogonal_grad",
           "orthogonalize_grads_", "pskd_alpha", "pskd_targets", "stablemax", "stablemax_cross_entropy"]

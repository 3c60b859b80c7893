"""Loss replacements: drop-in substitutes for softmax and cross-entropy.

StableMax (Prieto et al., "Grokking at the Edge of Numerical Stability", ICLR 2025).
"""
from __future__ import annotations

import torch


def stablemax(logits: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """StableMax (Prieto et al., 2025): softmax with exp replaced by

        s(x) = x + 1 for x ≥ 0,   s(x) = 1 / (1 − x) for x < 0

    s grows linearly, not exponentially, so scaling the logits cannot round a probability
    to exactly 1 the way softmax does (Softmax Collapse).
    """
    s = torch.where(logits >= 0, logits + 1, 1 / (1 - logits.clamp(max=0)))
    return s / s.sum(dim=dim, keepdim=True)


def stablemax_cross_entropy(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Cross-entropy with StableMax in place of softmax."""
    p = stablemax(logits, dim=-1)
    return -torch.log(p.gather(1, y[:, None])).mean()

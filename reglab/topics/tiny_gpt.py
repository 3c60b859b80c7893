"""Small-scale proxies for Transformer instabilities (Wortsman et al., ICLR 2024): a tiny GPT.

A pre-LN, decoder-only Transformer without biases (the paper's Sec. 2.1 recipe, with learned
positional embeddings instead of rotary ones), with a switch for qk-layernorm, the z-loss,
the max attention logit of a layer (the paper's Fig. 2 probe), the LR-sensitivity summary
of an LR sweep (Sec. 2.2), and the synthetic order-2 Markov-chain data the book trains on.
"""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


# --- the model ----------------------------------------------------------------------------

class Attention(nn.Module):
    """Causal multi-head self-attention with attention logits z_ij = ⟨q_i, k_j⟩ / √d_h
    (Sec. 3.1.1). With `qk_layernorm`, q and k pass through a LayerNorm per head, over the
    head dimension d_h (the paper's default; App. Fig. E.8), before the dot product
    (Dehghani et al., 2023): each q_i, k_j then has norm ≈ √d_h times its gain, so the
    logits can no longer grow with the square of the weights' norm."""

    def __init__(self, d: int, heads: int, qk_layernorm: bool):
        super().__init__()
        self.heads, self.dh = heads, d // heads
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.out = nn.Linear(d, d, bias=False)
        norm = (lambda: nn.LayerNorm(self.dh, eps=1e-6, bias=False)) if qk_layernorm else nn.Identity
        self.q_norm, self.k_norm = norm(), norm()

    def qk(self, x: torch.Tensor):
        """Queries, keys and values per head, each (B, H, T, d_h); q and k normalised if asked."""
        b, t, _ = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.heads, self.dh).permute(2, 0, 3, 1, 4)
        return self.q_norm(q), self.k_norm(k), v

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        """The attention logits z_ij = ⟨q_i, k_j⟩/√d_h, (B, H, T, T), −∞ above the diagonal
        (position i may not attend to a later j)."""
        q, k, _ = self.qk(x)
        return self._logits(q, k)

    def _logits(self, q, k):
        t = q.shape[-2]
        z = q @ k.transpose(-2, -1) / math.sqrt(self.dh)
        future = torch.ones(t, t, dtype=torch.bool, device=q.device).triu(1)
        return z.masked_fill(future, float("-inf"))

    def forward(self, x):
        q, k, v = self.qk(x)
        # softmax(z) v with z = self.logits(x), fused (same numbers up to rounding; tested)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)  # (B, H, T, d_h)
        return self.out(y.transpose(1, 2).flatten(2))               # (B, T, d)


class Block(nn.Module):
    """Pre-LN block: x + attn(LN(x)), then x + MLP(LN(x)) with a 4d GELU hidden layer."""

    def __init__(self, d: int, heads: int, qk_layernorm: bool):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(d, eps=1e-6, bias=False), nn.LayerNorm(d, eps=1e-6, bias=False)
        self.attn = Attention(d, heads, qk_layernorm)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d, bias=False), nn.GELU(), nn.Linear(4 * d, d, bias=False))

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class TinyGPT(nn.Module):
    """Decoder-only Transformer: token + learned position embeddings, `layers` pre-LN blocks,
    a final LayerNorm and an untied head, no biases anywhere (Sec. 2.1)."""

    def __init__(self, vocab: int, seq_len: int, d: int = 64, layers: int = 2, heads: int = 4,
                 qk_layernorm: bool = False):
        super().__init__()
        self.tok, self.pos = nn.Embedding(vocab, d), nn.Embedding(seq_len, d)
        self.blocks = nn.ModuleList(Block(d, heads, qk_layernorm) for _ in range(layers))
        self.ln_f = nn.LayerNorm(d, eps=1e-6, bias=False)
        self.head = nn.Linear(d, vocab, bias=False)
        init_(self)

    def embed(self, idx: torch.Tensor) -> torch.Tensor:
        return self.tok(idx) + self.pos(torch.arange(idx.shape[1], device=idx.device))

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        """Next-token logits (B, T, V) for token ids (B, T)."""
        x = self.embed(idx)
        for block in self.blocks:
            x = block(x)
        return self.head(self.ln_f(x))


def init_(model: nn.Module) -> None:
    """Sec. 2.1: embeddings N(0, 1/d) (std 1/√d, Flax's default); every other matrix a normal
    with std 1/√fan_in truncated at ±2 std; LayerNorm gains 1. (Flax's truncated initialisers
    rescale so that the std *after* truncation is 1/√fan_in; here it is 0.88/√fan_in.)"""
    for m in model.modules():
        if isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, std=m.weight.shape[1] ** -0.5)
        elif isinstance(m, nn.Linear):
            std = m.weight.shape[1] ** -0.5
            nn.init.trunc_normal_(m.weight, std=std, a=-2 * std, b=2 * std)


@torch.no_grad()
def max_attention_logit(model: TinyGPT, idx: torch.Tensor, layer: int = 0) -> float:
    """max_{b,h,i≤j} z_ij of block `layer` on the sequences `idx` (Fig. 2 reports layer 0,
    "which we typically observe to have the largest logit values")."""
    x = model.embed(idx)
    for block in model.blocks[:layer]:
        x = block(x)
    block = model.blocks[layer]
    return block.attn.logits(block.ln1(x)).amax().item()


# --- losses and the optimizer -------------------------------------------------------------

def z_loss(logits: torch.Tensor) -> torch.Tensor:
    """Mean over positions of log² Z, with Z = Σ_j exp(y_j) the softmax normaliser of the
    output logits y (Sec. 3.1.2, after Chowdhery et al., 2022). Added with coefficient 1e−4,
    it keeps log Z near 0, so that the logits cannot drift together to very negative values."""
    return torch.logsumexp(logits.float(), dim=-1).pow(2).mean()


def independent_adamw(model: nn.Module, lr: float, weight_decay: float, betas=(0.9, 0.95),
                      eps: float = 1e-8) -> torch.optim.AdamW:
    """AdamW with *independent* decay (Sec. 3.2.2): θ ← θ − s_t(ηΔ + λθ), so the decay does
    not scale with the peak LR η (the paper prints −λθ, a sign slip). PyTorch applies
    θ ← θ − s_t η(Δ + λ'θ); λ' = λ/η gives the paper's update. Matrices decay, LayerNorm
    gains do not."""
    decay = [p for p in model.parameters() if p.ndim >= 2]
    rest = [p for p in model.parameters() if p.ndim < 2]
    return torch.optim.AdamW([dict(params=decay, weight_decay=weight_decay / lr),
                              dict(params=rest, weight_decay=0.0)], lr=lr, betas=betas, eps=eps)


def warmup_cosine(progress: float, lr: float, warmup: float = 0.1, min_lr: float = 1e-5) -> float:
    """The LR multiplier s_t at `progress` ∈ [0, 1]: linear warm-up over the first `warmup`
    of training, then cosine decay from η to `min_lr` (Sec. 2.1; there 5e3 of 1e5 steps)."""
    if progress < warmup:
        return progress / warmup
    cos = 0.5 * (1 + math.cos(math.pi * (progress - warmup) / (1 - warmup)))
    return (min_lr + (lr - min_lr) * cos) / lr


# --- the LR-sensitivity summary -----------------------------------------------------------

def lr_sensitivity(losses, initial_loss) -> float:
    """E_η[min(ℓ(A(η)), ℓ₀) − ℓ*] over the swept LRs η (Sec. 2.2), with ℓ* = min_η ℓ(A(η))
    and ℓ₀ the loss at initialisation (a scalar, or one per LR). A diverged run (NaN or
    inf) counts as ℓ₀: the min caps what one failed LR can add."""
    loss = np.asarray(losses, dtype=float)
    l0 = np.broadcast_to(np.asarray(initial_loss, dtype=float), loss.shape)
    capped = np.where(np.isfinite(loss), np.minimum(loss, l0), l0)
    return float(np.mean(capped - capped.min()))


# --- data -----------------------------------------------------------------------------------

def markov_table(vocab: int, alpha: float, rng: np.random.Generator) -> np.ndarray:
    """An order-2 Markov chain's transition table P[a, b, :] = p(x_t | x_{t−2}=a, x_{t−1}=b),
    each row drawn from a symmetric Dirichlet(alpha); a small alpha makes the rows peaked."""
    return rng.dirichlet(np.full(vocab, alpha), size=(vocab, vocab))


def markov_sequences(table: np.ndarray, n: int, length: int, rng: np.random.Generator) -> torch.Tensor:
    """n sequences of `length` tokens from the chain: two uniform tokens, then x_t ~ P[x_{t−2}, x_{t−1}].

    Inverse-CDF sampling in O(log V) per token: row r = (a, b) of the table's CDF is shifted
    by r, so all rows concatenated form one sorted array, and r + u (u uniform in [0, 1))
    lands in row r at the sampled token."""
    vocab = table.shape[0]
    rows = np.arange(vocab * vocab)
    flat = (rows[:, None] + table.reshape(-1, vocab).cumsum(-1)).ravel()  # row r's CDF lies in (r, r + 1]
    x = np.empty((n, length), dtype=np.int64)
    x[:, :2] = rng.integers(vocab, size=(n, 2))
    for t in range(2, length):
        r = x[:, t - 2] * vocab + x[:, t - 1]
        x[:, t] = np.clip(np.searchsorted(flat, r + rng.random(n)) - r * vocab, 0, vocab - 1)
    return torch.from_numpy(x)


def markov_entropy(table: np.ndarray, length: int, context: int = 2) -> float:
    """The loss floor (nats) of next-token prediction on sequences of `length` from the chain,
    for a predictor that sees the last `context` tokens: the mean over the predicted positions
    1 … length−1 of the conditional entropy. context=2 is the chain's own floor; context=1
    is the best a bigram model can do (Sec. 3.3 compares with one). Position 1 follows a
    uniform token (log V); the distribution of (x_{t−2}, x_{t−1}) is propagated exactly from
    the uniform start."""
    vocab = table.shape[0]
    pair = np.full((vocab, vocab), 1.0 / vocab**2)                 # p(x_{t−2}, x_{t−1})
    h = [math.log(vocab)]
    for _ in range(2, length):
        joint = pair[:, :, None] * table                          # p(x_{t−2}, x_{t−1}, x_t)
        if context == 1:
            joint = joint.sum(0, keepdims=True)                   # p(x_{t−1}, x_t)
        cond = joint / np.maximum(joint.sum(-1, keepdims=True), 1e-300)
        h.append(float(-(joint * np.log(np.maximum(cond, 1e-300))).sum()))
        pair = joint.sum(0) if context == 2 else (pair[:, :, None] * table).sum(0)
    return float(np.mean(h))

"""The tiny GPT of the Transformer-stability chapter: causal masking, qk-layernorm, the fused
attention against its explicit logits, z-loss and LR sensitivity on hand cases, the schedule,
independent weight decay, and the Markov chain's entropy against a Monte Carlo estimate."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from reglab.topics import tiny_gpt


def model(qk: bool, seed: int = 0) -> tiny_gpt.TinyGPT:
    torch.manual_seed(seed)
    return tiny_gpt.TinyGPT(vocab=11, seq_len=12, d=32, layers=2, heads=4, qk_layernorm=qk).eval()


@pytest.mark.parametrize("qk", [False, True])
def test_the_output_at_position_t_does_not_depend_on_later_tokens(qk):
    m = model(qk)
    x = torch.randint(11, (3, 12), generator=torch.Generator().manual_seed(1))
    t = 6
    y = x.clone()
    y[:, t + 1:] = (x[:, t + 1:] + 1 + torch.randint(9, x[:, t + 1:].shape)) % 11  # every later token changes
    assert (y[:, t + 1:] != x[:, t + 1:]).all()
    with torch.no_grad():
        a, b = m(x), m(y)
    torch.testing.assert_close(a[:, :t + 1], b[:, :t + 1], rtol=0, atol=1e-6)
    assert (a[:, t + 1:] - b[:, t + 1:]).abs().max() > 1e-3  # later positions do see them


@pytest.mark.parametrize("qk", [False, True])
def test_the_fused_attention_equals_softmax_of_the_explicit_logits(qk):
    attn = model(qk).blocks[0].attn
    x = torch.randn(2, 12, 32, generator=torch.Generator().manual_seed(2))
    z = attn.logits(x)
    assert torch.isinf(z[..., 0, 1:]).all() and torch.isfinite(z.tril()).all()  # only the future is masked
    _, _, v = attn.qk(x)
    explicit = attn.out((torch.softmax(z, -1) @ v).transpose(1, 2).flatten(2))
    torch.testing.assert_close(attn(x), explicit, rtol=1e-5, atol=1e-6)


def test_qk_layernorm_normalises_each_head_of_queries_and_keys():
    attn = model(True).blocks[0].attn
    with torch.no_grad():
        attn.qkv.weight.mul_(1000.0)  # huge projections: the logits must not care
    x = torch.randn(2, 12, 32, generator=torch.Generator().manual_seed(3))
    q, k, _ = attn.qk(x)
    for u in (q, k):  # (B, H, T, d_h), unit gains at init
        torch.testing.assert_close(u.mean(-1), torch.zeros(u.shape[:-1]), rtol=0, atol=1e-4)
        torch.testing.assert_close(u.pow(2).mean(-1), torch.ones(u.shape[:-1]), rtol=0, atol=1e-3)
    z = attn.logits(x)
    assert z[torch.isfinite(z)].abs().max() <= math.sqrt(attn.dh) + 1e-3  # |⟨q,k⟩|/√d_h ≤ √d_h by Cauchy-Schwarz
    plain = model(False).blocks[0].attn
    with torch.no_grad():
        plain.qkv.weight.mul_(1000.0)
    assert plain.logits(x)[torch.isfinite(plain.logits(x))].abs().max() > 1e4  # quadratic in the weights


def test_max_attention_logit_reads_layer_0_of_the_model():
    m = model(False)
    x = torch.randint(11, (4, 12), generator=torch.Generator().manual_seed(4))
    block = m.blocks[0]
    expected = block.attn.logits(block.ln1(m.embed(x))).amax().item()
    assert tiny_gpt.max_attention_logit(m, x, layer=0) == pytest.approx(expected)
    assert tiny_gpt.max_attention_logit(m, x, layer=1) != pytest.approx(expected)


def test_z_loss_is_the_mean_squared_log_normaliser_on_a_hand_case():
    # row 1: Z = e^0 + e^0 = 2, log² Z = (ln 2)²; row 2: Z = e^1 + e^1 + e^1 + ... = 4e, log Z = 1 + ln 4
    logits = torch.tensor([[[0.0, 0.0, -math.inf, -math.inf], [1.0, 1.0, 1.0, 1.0]]])
    expected = ((math.log(2)) ** 2 + (1 + math.log(4)) ** 2) / 2
    assert tiny_gpt.z_loss(logits).item() == pytest.approx(expected, rel=1e-6)
    assert tiny_gpt.z_loss(torch.log(torch.full((5, 3), 1 / 3))).item() == pytest.approx(0.0, abs=1e-12)


def test_lr_sensitivity_on_a_hand_made_loss_table():
    # l0 = 3; the 4th LR is capped at l0 and the 5th diverged (counts as l0); l* = 1
    losses = [1.5, 1.0, 1.2, 4.0, float("nan")]
    assert tiny_gpt.lr_sensitivity(losses, 3.0) == pytest.approx((0.5 + 0 + 0.2 + 2 + 2) / 5)
    assert tiny_gpt.lr_sensitivity([2.0, 2.0, 2.0], [3.0, 3.0, 3.0]) == 0.0
    assert tiny_gpt.lr_sensitivity([1.0, 5.0], [3.0, 2.0]) == pytest.approx((0 + 1) / 2)  # per-run l0


def test_warmup_cosine_starts_at_zero_peaks_at_the_lr_and_ends_at_the_minimum():
    lr = 0.1
    assert tiny_gpt.warmup_cosine(0.0, lr) == 0.0
    assert tiny_gpt.warmup_cosine(0.05, lr) == pytest.approx(0.5)
    assert tiny_gpt.warmup_cosine(0.1, lr) == pytest.approx(1.0)
    assert lr * tiny_gpt.warmup_cosine(1.0, lr) == pytest.approx(1e-5)
    s = [tiny_gpt.warmup_cosine(p, lr) for p in np.linspace(0.1, 1, 50)]
    assert all(a >= b for a, b in zip(s, s[1:]))


def test_independent_weight_decay_does_not_scale_with_the_lr():
    """With zero gradients Adam's step is 0 and only the decay acts: θ ← θ(1 − s_t λ) for any η."""
    for lr in (1e-3, 0.3):
        m = model(True)
        opt = tiny_gpt.independent_adamw(m, lr, weight_decay=0.01)
        before = {n: p.detach().clone() for n, p in m.named_parameters()}
        for p in m.parameters():
            p.grad = torch.zeros_like(p)
        opt.step()
        for n, p in m.named_parameters():
            factor = 1 - 0.01 if p.ndim >= 2 else 1.0  # gains do not decay
            torch.testing.assert_close(p.detach(), before[n] * factor)


def test_markov_entropy_matches_the_monte_carlo_loss_of_the_true_chain():
    rng = np.random.default_rng(0)
    table = tiny_gpt.markov_table(6, 0.3, rng)
    x = tiny_gpt.markov_sequences(table, 20_000, 9, rng).numpy()
    nll = [np.full(len(x), math.log(6))]  # position 1 follows a uniform token
    nll += [-np.log(table[x[:, t - 2], x[:, t - 1], x[:, t]]) for t in range(2, 9)]
    assert np.mean(nll) == pytest.approx(tiny_gpt.markov_entropy(table, 9), abs=0.01)
    # the best bigram predictor: p(x_t | x_{t-1}) estimated from the same samples
    bigram = tiny_gpt.markov_entropy(table, 9, context=1)
    assert tiny_gpt.markov_entropy(table, 9) < bigram < math.log(6)
    counts = np.zeros((7, 6, 6))
    for t in range(2, 9):
        np.add.at(counts[t - 2], (x[:, t - 1], x[:, t]), 1)
    cond = counts / counts.sum(-1, keepdims=True)
    mc = [math.log(6)] + [-(counts[t] / len(x) * np.log(np.maximum(cond[t], 1e-300))).sum() for t in range(7)]
    assert np.mean(mc) == pytest.approx(bigram, abs=0.01)
    assert (x[:, :2] < 6).all() and x.min() >= 0

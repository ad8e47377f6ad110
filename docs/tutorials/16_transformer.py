# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 16. Attention and the Transformer: a tiny GPT
#
# A language model reads a text one token at a time and, at every position, predicts the next token. To
# predict well it must look back: after `ROMEO` comes `:`, after `thou` comes `art` more often than `are`.
# The networks of the earlier tutorials see a fixed-size input all at once; a convolution (tutorial 15)
# sees a fixed neighbourhood. **Attention** lets every position choose, by content, which earlier positions
# to read from, and how much of each.
#
# We build it from the ground up on characters of Shakespeare: tokens and embeddings; one attention head
# written by hand (queries, keys, values, scaled scores, the causal mask, softmax, a weighted sum) and
# checked against `F.scaled_dot_product_attention`; several heads side by side; a Transformer block
# (attention and an MLP, each added to a residual stream after a LayerNorm); and then lucidnet's `GPT`,
# which is those blocks stacked, trained for a few hundred steps and asked to write.

# %%
# %matplotlib inline
import math
import os
import time

import numpy as np
from matplotlib.figure import Figure

import lucidnet
from lucidnet import nn
from lucidnet.data import CharTokenizer, TokenWindows, tiny_shakespeare
from lucidnet.models import GPT
from lucidnet.nn import functional as F

QUICK = os.environ.get("LUCIDNET_QUICK") == "1"     # CI runs every tutorial with small settings
lucidnet.manual_seed(0)


def gap(a, b):
    """The largest difference between two tensors' values."""
    return float(np.abs(a.detach().numpy() - b.detach().numpy()).max())

# %% [markdown]
# ## The text, as tokens
#
# Tiny Shakespeare (Karpathy's char-rnn corpus, 1,115,394 characters) is what nanoGPT, the reference GPT
# most people read, trains on first. `tiny_shakespeare()` finds a verified local copy (the folder you pass,
# `$LUCIDNET_DATA`, or lucidnet's cache) or downloads it once and checks its SHA-256.
#
# Our tokens are single characters: the tokenizer numbers the 65 distinct characters of the text, and a text
# becomes a sequence of integer ids.

# %%
text = tiny_shakespeare()
tok = CharTokenizer.from_text(text)
ids = tok.encode(text)
print(f"{len(text):,} characters, {tok.vocab_size} distinct: {tok.chars!r}")
print(text[:200])
tok.encode("ROMEO:"), tok.decode(tok.encode("ROMEO:"))

# %% [markdown]
# ## Two baselines, before any network
#
# A model that knows nothing gives every character probability 1/65: its cross-entropy is $\ln 65 \approx
# 4.17$ (tutorial 4's blind guess). A model that knows only how often each character occurs, and ignores
# the context, can do no better than the **unigram entropy** $H = -\sum_c p_c \ln p_c$. A model that sees
# just the previous character reaches the **bigram** conditional entropy. A model that beats the unigram
# entropy is using the context; one that beats the bigram is using more than one character of it.

# %%
counts = np.bincount(ids, minlength=tok.vocab_size)
p = counts / counts.sum()
uniform = math.log(tok.vocab_size)
unigram = float(-(p[p > 0] * np.log(p[p > 0])).sum())
pairs = np.zeros((tok.vocab_size, tok.vocab_size))
np.add.at(pairs, (ids[:-1], ids[1:]), 1)              # pairs[a, b]: how often b follows a
joint = pairs / pairs.sum()
following = pairs / np.maximum(pairs.sum(axis=1, keepdims=True), 1)
bigram = float(-(joint[pairs > 0] * np.log(following[pairs > 0])).sum())
print(f"uniform ln 65 = {uniform:.3f}, unigram entropy = {unigram:.3f}, bigram entropy = {bigram:.3f} nats")

# %% [markdown]
# ## Embeddings: a table with one row per token
#
# A network wants vectors, not ids. `nn.Embedding(65, C)` is a learned (65, C) table, and token id t reads
# row t. It is the same as multiplying a one-hot vector by the table (a linear layer without bias), done
# without building the one-hots. Because attention by itself has no notion of order, a second table gives
# each **position** 0, 1, 2, ... its own vector, added to the token's.

# %%
C = 16
phrase = "To be, or not to be"
T = len(phrase)
x_ids = lucidnet.tensor(tok.encode(phrase))[None]     # (B, T) = (1, 19)
token_table, position_table = nn.Embedding(tok.vocab_size, C), nn.Embedding(T, C)
x = token_table(x_ids) + position_table(lucidnet.arange(T))      # (1, T, C): one vector per position
one_hot_way = F.one_hot(x_ids, tok.vocab_size).float() @ token_table.weight
embedding_gap = gap(token_table(x_ids), one_hot_way)
x.shape, embedding_gap

# %% [markdown]
# ## One attention head, by hand
#
# Each position makes three vectors from its embedding, with three linear maps:
#
# - a **query** $q_i$: what am I looking for?
# - a **key** $k_j$: what do I offer?
# - a **value** $v_j$: what do I hand over if chosen?
#
# The score of position i for position j is the dot product $q_i \cdot k_j$, divided by $\sqrt{d}$ (d the
# head size). In a language model position i must not peek at the characters it is trying to predict, so
# scores for $j > i$ are set to $-\infty$ (the **causal mask**). A softmax over each row turns the scores
# into weights that are positive and sum to 1, and the head's output at i is the weighted sum of the values:
#
# $$ \text{attention}(Q, K, V) = \text{softmax}\!\left(\frac{Q K^\top}{\sqrt d} + M\right) V,
# \qquad M_{ij} = \begin{cases} 0 & j \le i \\ -\infty & j > i \end{cases} $$

# %%
head_size = 8
query, key, value = (nn.Linear(C, head_size, bias=False) for _ in range(3))
q, k, v = query(x), key(x), value(x)                  # (1, T, head_size) each

scores = q @ k.transpose(-2, -1) / math.sqrt(head_size)          # (1, T, T): row i scores every j
causal = lucidnet.tril(lucidnet.ones(T, T, dtype=lucidnet.bool))   # True on and below the diagonal
scores = scores.masked_fill(~causal, float("-inf"))              # the future gets -inf ...
weights = scores.softmax(dim=-1)                                  # ... so weight exactly 0
head_by_hand = weights @ v                                        # (1, T, head_size)

fused = F.scaled_dot_product_attention(q, k, v, is_causal=True)  # the same, as one fused op
head_gap = gap(head_by_hand, fused)
head_gap


# %% [markdown]
# The weights, one row per query position: the upper triangle is the masked future. The first character can
# only look at itself; later ones spread their attention over everything before them. These weights come
# from random projections, so they are still nearly even; training will make them choose.

# %%
def heat_map(ax, w, text, title):
    labels = ["␣" if c == " " else repr(c)[1:-1] for c in text]    # spaces and newlines made visible
    ax.imshow(w, cmap="viridis", vmin=0, vmax=1)
    ax.set_xticks(range(len(labels)), labels=labels)
    ax.set_yticks(range(len(labels)), labels=labels)
    ax.set_xlabel("key (looked at)")
    ax.set_ylabel("query (looking)")
    ax.set_title(title)


fig = Figure(figsize=(5.5, 5), layout="constrained")
heat_map(fig.subplots(), weights[0].detach().numpy(), phrase, "one head, random weights")
fig

# %% [markdown]
# ### Why divide by √d
#
# With unit-variance entries, a dot product of two d-long vectors has variance d. Unscaled scores grow with
# the head size, and a softmax of large scores is nearly one-hot: one position takes all the weight and
# the gradient to the others vanishes. Dividing by $\sqrt d$ brings the scores back to variance 1.

# %%
d = 64
qr, kr = lucidnet.randn(1000, d), lucidnet.randn(1000, d)
raw = (qr * kr).sum(dim=1)
print(f"std of q.k: {raw.std().item():.2f} unscaled, {(raw / math.sqrt(d)).std().item():.2f} scaled by 1/sqrt({d})")
row = lucidnet.randn(10, d) @ lucidnet.randn(d)
print(f"largest softmax weight of 10 scores: {row.softmax(dim=0).max().item():.2f} unscaled, "
      f"{(row / math.sqrt(d)).softmax(dim=0).max().item():.2f} scaled")


# %% [markdown]
# ## Several heads side by side
#
# One head computes one pattern of looking. **Multi-head attention** runs H heads in parallel, each on its
# own C/H-wide slice of one big projection, and mixes their outputs with a final linear layer. Written with
# the head axis moved next to the batch axis, the same function serves all heads at once: (B, T, C) ->
# (B, H, T, C/H).
#
# We write it by hand with the weights of PyTorch's `nn.MultiheadAttention` (its `in_proj_weight` stacks the
# query, key and value projections; `out_proj` mixes the heads) and compare. Note its mask convention: the
# float mask `nn.Transformer.generate_square_subsequent_mask(T)` adds $-\infty$ above the diagonal, as our M.

# %%
def attention(q, k, v):
    """Causal attention by hand over the last two axes: (..., T, d) -> (..., T, d), and the weights."""
    T, d = q.shape[-2], q.shape[-1]
    scores = q @ k.transpose(-2, -1) / math.sqrt(d)
    scores = scores.masked_fill(~lucidnet.tril(lucidnet.ones(T, T, dtype=lucidnet.bool)), float("-inf"))
    w = scores.softmax(dim=-1)
    return w @ v, w


def multi_head_by_hand(x, mha):
    B, T, C = x.shape
    H = mha.num_heads
    qkv = x @ mha.in_proj_weight.T + mha.in_proj_bias               # (B, T, 3C): q | k | v
    q, k, v = (t.reshape(B, T, H, C // H).transpose(1, 2) for t in qkv.split(C, dim=-1))   # (B, H, T, C/H)
    heads, w = attention(q, k, v)
    return mha.out_proj(heads.transpose(1, 2).reshape(B, T, C)), w  # heads side by side, then mixed


mha = nn.MultiheadAttention(C, num_heads=4, batch_first=True)
mask = nn.Transformer.generate_square_subsequent_mask(T)
theirs, _ = mha(x, x, x, attn_mask=mask, is_causal=True, need_weights=False)
mine, per_head = multi_head_by_hand(x, mha)
multi_head_gap = gap(mine, theirs)
per_head.shape, multi_head_gap


# %% [markdown]
# ## A Transformer block
#
# Attention moves information **between** positions; an MLP then works on each position by itself. The
# block of GPT-2 wraps both the same way: normalise (a LayerNorm), transform, and **add** the result to the
# input. The running sum is the *residual stream*: each block reads it and writes a correction into it, and
# gradients flow straight down it through the additions, so deep stacks still train. Its width C never
# changes, so blocks stack.

# %%
class Block(nn.Module):
    def __init__(self, C, heads):
        super().__init__()
        self.ln_1, self.ln_2 = nn.LayerNorm(C), nn.LayerNorm(C)
        self.attn = nn.MultiheadAttention(C, heads, batch_first=True)
        self.mlp = nn.Sequential(nn.Linear(C, 4 * C), nn.GELU(), nn.Linear(4 * C, C))

    def forward(self, x):
        T = x.shape[1]
        h = self.ln_1(x)
        x = x + self.attn(h, h, h, attn_mask=nn.Transformer.generate_square_subsequent_mask(T), is_causal=True,
                          need_weights=False)[0]
        return x + self.mlp(self.ln_2(x))


block = Block(C, heads=4)
x_in = x.detach().requires_grad_()
out = block(x_in)
out[0, 5].sum().backward()                  # how does position 5's output depend on each input position?
influence = np.abs(x_in.grad.numpy()[0]).sum(axis=1)
out.shape, influence.round(3)

# %% [markdown]
# The output keeps the input's shape, and position 5's output depends on inputs 0 to 5 only: the gradient
# with respect to every later position is exactly zero. The mask does what it says, through the LayerNorms,
# the MLP and the residual additions.
#
# ## A GPT
#
# `lucidnet.models.GPT` is nanoGPT's model in lucidnet's parts: token and position embeddings, `n_layer` of
# these blocks (`ln_1`, `attn`, `ln_2`, `mlp`, nanoGPT's names, so its weights load as they are), a final
# LayerNorm and a linear head to 65 scores per position, whose weight is the token table itself (weight
# tying). Given targets, it returns the cross-entropy of predicting each next character.
#
# Training samples random windows of `block_size + 1` characters from the first 90% of the text: the input
# is the first `block_size`, the target the same shifted by one, so one window gives `block_size`
# predictions, each with its own amount of context. The last 10% is for validation.

# %%
if QUICK:
    settings = dict(n_layer=1, n_head=2, n_embd=32, block_size=32, batch=16, steps=80, lr=1e-2, eval_every=20)
else:
    settings = dict(n_layer=4, n_head=4, n_embd=128, block_size=64, batch=16, steps=600, lr=2e-3, eval_every=50)
block_size = settings["block_size"]
train_windows, val_windows = TokenWindows.split(ids, block_size=block_size)
model = GPT(vocab_size=tok.vocab_size, block_size=block_size, n_layer=settings["n_layer"],
            n_head=settings["n_head"], n_embd=settings["n_embd"], bias=False, tokenizer=tok)
print(f"{model.get_num_params():,} parameters")
model

# %% [markdown]
# Before training, with nanoGPT's small initial weights, every character is about equally likely: the loss
# starts at the blind guess, ln 65.

# %%
val_batches = [val_windows.sample(32, generator=seed) for seed in range(4 if QUICK else 10)]


def val_loss():
    model.eval()
    with lucidnet.no_grad():
        loss = np.mean([model(xb, yb)[1].item() for xb, yb in val_batches])
    model.train()
    return float(loss)


initial_loss = val_loss()
initial_loss, uniform

# %% [markdown]
# ## Training
#
# A plain PyTorch-style loop: sample a batch, forward, backward, step. AdamW decays the weight matrices
# only, not the biases and LayerNorm gains (`configure_optimizers`, as nanoGPT).

# %%
optimizer = model.configure_optimizers(weight_decay=0.1, learning_rate=settings["lr"], betas=(0.9, 0.99))
train_curve, val_curve = [], [(0, initial_loss)]
start = time.perf_counter()
for step in range(1, settings["steps"] + 1):
    xb, yb = train_windows.sample(settings["batch"])
    _, loss = model(xb, yb)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    train_curve.append(loss.item())
    if step % settings["eval_every"] == 0:
        val_curve.append((step, val_loss()))
seconds = time.perf_counter() - start
print(f"{settings['steps']} steps in {seconds:.1f} s; validation loss {val_curve[-1][1]:.3f}")

# %%
fig = Figure(figsize=(7, 4), layout="constrained")
ax = fig.subplots()
ax.plot(range(1, len(train_curve) + 1), train_curve, color="C0", alpha=0.5, linewidth=0.8, label="training batch")
ax.plot(*zip(*val_curve), "o-", color="C1", label="validation")
for level, name, style in [(uniform, "uniform (ln 65)", ":"), (unigram, "unigram entropy", "--"),
                           (bigram, "bigram entropy", "-.")]:
    ax.axhline(level, color="gray", linestyle=style, linewidth=1)
    ax.text(len(train_curve), level, name, ha="right", va="bottom", color="gray")
ax.set_xlabel("step")
ax.set_ylabel("cross-entropy (nats per character)")
ax.set_title("A tiny GPT on tiny Shakespeare")
ax.legend(loc="upper center")
fig

# %% [markdown]
# The loss drops through the unigram line within the first steps: the model has started to use the
# context. At the full settings it goes below the bigram line too: it reads more than one character back.
#
# ## What the heads learned
#
# The first block's attention weights for a line of the play, computed with our own `attention` function
# from the trained weights (nanoGPT packs the three projections into one layer, `c_attn`). Trained heads
# are far from even: some look at the previous character or two, some at the start of the word, or back to
# the last space or capital.

# %%
line = "ROMEO:\nBut, soft! what light"[:block_size]
with lucidnet.no_grad():
    ids_line = lucidnet.tensor(tok.encode(line))[None]
    first = model.transformer.h[0]
    h = first.ln_1(model.transformer.wte(ids_line) + model.transformer.wpe(lucidnet.arange(len(line))))
    B, T_line, C_model = h.shape
    H = model.config.n_head
    q, k, v = (t.reshape(B, T_line, H, C_model // H).transpose(1, 2)
               for t in first.attn.c_attn(h).split(C_model, dim=-1))
    _, trained_weights = attention(q, k, v)

fig = Figure(figsize=(5 * min(H, 2), 4.6 * math.ceil(H / 2)), layout="constrained")
for i, ax in enumerate(np.atleast_1d(fig.subplots(math.ceil(H / 2), min(H, 2))).ravel()):
    heat_map(ax, trained_weights[0, i].numpy(), line, f"block 1, head {i + 1}")
fig

# %% [markdown]
# ## Writing, with a key/value cache
#
# To generate, feed a prompt, sample the next character from the predicted probabilities (divided by a
# *temperature*: below 1 is bolder, above 1 wilder), append it, and repeat. Done naively, every new character
# reruns the whole context. But the keys and values of the positions already seen do not change when a
# character is appended (the mask stops old positions from seeing new ones), so `generate` keeps them in a
# **key/value cache** and computes only the new position: one row of attention per character instead of a
# whole window. Same seed, same characters, either way:

# %%
prompt = lucidnet.tensor(tok.encode("ROMEO:"))[None]
n_new = 60 if QUICK else 400
timings = {}
for use_cache in (True, False):
    start = time.perf_counter()
    written = model.generate(prompt, max_new_tokens=n_new, temperature=0.8, generator=1, use_cache=use_cache)
    timings[use_cache] = (time.perf_counter() - start, written)
same_text = bool((timings[True][1] == timings[False][1]).all())
print(f"with the cache {n_new / timings[True][0]:,.0f} characters/s, without {n_new / timings[False][0]:,.0f}; "
      f"the same text: {same_text}\n")
print(tok.decode(timings[True][1][0]))

# %% [markdown]
# A few hundred steps on a CPU give Shakespeare's look: names in capitals before a colon, short lines,
# words that are mostly English. nanoGPT's CPU recipe (`lucidnet train --model gpt`: 2,000 steps) reaches a
# validation loss near 1.9, and spells much better.

# %% [markdown]
# ## Check
#
# The hand-written head equals the fused `scaled_dot_product_attention` to 1e-6, and so does the hand-written
# multi-head attention equal `nn.MultiheadAttention`; the block hides the future; the trained GPT's
# validation loss is below the unigram entropy (at the full settings below the bigram entropy); the cache
# changes the speed of writing, not the text.

# %%
assert embedding_gap < 1e-6, embedding_gap
assert head_gap < 1e-6, head_gap
assert multi_head_gap < 1e-6, multi_head_gap
assert np.all(influence[6:] == 0) and np.all(influence[:6] > 0), influence
assert abs(initial_loss - uniform) < 0.1, initial_loss
final_loss = val_curve[-1][1]
assert final_loss < unigram, (final_loss, unigram)
assert QUICK or final_loss < bigram, (final_loss, bigram)
assert same_text
print(f"attention by hand == scaled_dot_product_attention (max gap {head_gap:.1e}); validation loss "
      f"{final_loss:.3f} < unigram entropy {unigram:.3f}")

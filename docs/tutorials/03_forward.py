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
# # 3. Forward propagation
#
# A network is layers in a row: the output of one is the input of the next. Running a sample through all
# of them is *forward propagation*. We build a small classifier for the spiral dataset (three interleaved
# arms, one per class) by hand, from two layers, a ReLU and a softmax, and then in one line with `nn.MLP`.

# %%
# %matplotlib inline
import os

import numpy as np

import lucidnet
from lucidnet import nn, plots
from lucidnet.data import spiral

QUICK = os.environ.get("LUCIDNET_QUICK") == "1"     # CI runs every tutorial with small settings
lucidnet.manual_seed(0)

X, y = spiral(100 if not QUICK else 40, 3, seed=0)
X.shape, y.shape

# %% [markdown]
# ## Layer by layer
#
# Two inputs (the point's coordinates), 16 hidden neurons, 3 outputs (one score per class). The scores
# become probabilities with the *softmax*: exponentiate (everything positive), then divide by the row's
# sum (rows add up to 1). Subtracting each row's maximum first changes nothing mathematically but keeps
# `exp` from overflowing.

# %%
hidden = nn.Linear(2, 16)
output = nn.Linear(16, 3)

def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)

with lucidnet.no_grad():
    h = hidden(lucidnet.tensor(X)).numpy()                  # (N, 16): weighted sums of the first layer
    h = np.maximum(h, 0)                                   # ReLU
    scores = output(lucidnet.tensor(h)).numpy()            # (N, 3)
probs = softmax(scores)
probs[:5]

# %% [markdown]
# An untrained network guesses: its weights are random and small, so every class gets about a third.
#
# ## In one line
#
# `nn.MLP([2, 16, 3])` builds the same Linear-ReLU-Linear stack. Copying our weights in (the state-dict
# keys are those of the Sequential written out, `0.weight`, `2.weight`...) gives the same scores.

# %%
mlp = nn.MLP([2, 16, 3], output_activation="softmax")
mlp

# %%
mlp.load_state_dict({"0.weight": hidden.weight, "0.bias": hidden.bias,
                     "2.weight": output.weight, "2.bias": output.bias})
with lucidnet.no_grad():
    probs_mlp = mlp(lucidnet.tensor(X)).numpy()

# %% [markdown]
# The regions the untrained network assigns to each class are arbitrary: training (tutorial 8) will
# shape them around the arms.

# %%
plots.plot_decision_boundary(lambda p: mlp(lucidnet.tensor(p)).detach().numpy(), X, y,
                             title="An untrained network's guesses", resolution=100)

# %% [markdown]
# ## Check
#
# The hand-written forward pass and `nn.MLP` agree, and each row of probabilities sums to one.

# %%
assert np.allclose(probs, probs_mlp, atol=1e-6)
assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-6)
print("by hand == nn.MLP; max difference", float(np.abs(probs - probs_mlp).max()))

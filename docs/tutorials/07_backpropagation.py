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
# # 7. Backpropagation, by hand and with backward()
#
# Backpropagation is the chain rule applied to a whole network, organised so that nothing is computed
# twice: start at the loss with gradient 1, and walk the layers backwards, each turning the gradient of its
# output into the gradient of its input (handed to the layer before) and of its weights (kept).
#
# For our two-layer classifier, with $H = \text{relu}(X W_1^\top + b_1)$, scores $S = H W_2^\top + b_2$,
# probabilities $P = \text{softmax}(S)$ and the mean cross-entropy loss:
#
# | step | gradient |
# |---|---|
# | loss and softmax together | $\partial L/\partial S = (P - Y)/N$ (Y one-hot; tutorial 12 derives it) |
# | second layer | $\partial L/\partial W_2 = (\partial L/\partial S)^\top H$, $\;\partial L/\partial b_2 = \sum_{\text{rows}} \partial L/\partial S$, $\;\partial L/\partial H = (\partial L/\partial S)\, W_2$ |
# | ReLU | $\partial L/\partial Z_1 = \partial L/\partial H \odot [Z_1 > 0]$ |
# | first layer | $\partial L/\partial W_1 = (\partial L/\partial Z_1)^\top X$, $\;\partial L/\partial b_1 = \sum_{\text{rows}} \partial L/\partial Z_1$ |
#
# We write these six lines in NumPy and compare them with what lucidnet's `backward()` computes.

# %%
# %matplotlib inline
import os

import numpy as np

import lucidnet
from lucidnet import nn, plots
from lucidnet.data import spiral
from lucidnet.train import layer_statistics

QUICK = os.environ.get("LUCIDNET_QUICK") == "1"     # CI runs every tutorial with small settings
lucidnet.manual_seed(0)

X, y = spiral(100 if not QUICK else 30, 3, seed=0)
X = X.astype(np.float64)
N = len(X)
model = nn.MLP([2, 32, 3]).double()                  # float64, to compare to many digits
W1, b1 = model[0].weight.detach().numpy(), model[0].bias.detach().numpy()
W2, b2 = model[2].weight.detach().numpy(), model[2].bias.detach().numpy()

# %% [markdown]
# ## Forward, keeping what backward needs

# %%
Z1 = X @ W1.T + b1
H = np.maximum(Z1, 0)
S = H @ W2.T + b2
P = np.exp(S - S.max(axis=1, keepdims=True))
P /= P.sum(axis=1, keepdims=True)
Y = np.eye(3)[y]
loss_by_hand = -np.log(P[np.arange(N), y]).mean()

# %% [markdown]
# ## Backward, by hand

# %%
dS = (P - Y) / N
dW2 = dS.T @ H
db2 = dS.sum(axis=0)
dH = dS @ W2
dZ1 = dH * (Z1 > 0)
dW1 = dZ1.T @ X
db1 = dZ1.sum(axis=0)

# %% [markdown]
# ## Backward, by lucidnet

# %%
loss = nn.CrossEntropyLoss()(model(lucidnet.tensor(X)), lucidnet.tensor(y))
loss.backward()
for name, mine, theirs in [("W1", dW1, model[0].weight.grad), ("b1", db1, model[0].bias.grad),
                           ("W2", dW2, model[2].weight.grad), ("b2", db2, model[2].bias.grad)]:
    print(f"{name}: largest difference {np.abs(mine - theirs.numpy()).max():.1e}")

# %% [markdown]
# ## Where the gradient goes
#
# Each layer's outputs (top row) and the gradient of the loss with respect to them (bottom row). The ReLU
# row shows a spike at 0: those units passed no gradient back for those samples.

# %%
stats, activations, gradients = layer_statistics(model, X, y, nn.CrossEntropyLoss())
plots.plot_layer_histograms(activations, gradients)

# %% [markdown]
# ## Check
#
# The six hand-written lines and `backward()` agree to 1e-6 (in fact to rounding).

# %%
assert abs(loss.item() - loss_by_hand) < 1e-6
for mine, theirs in [(dW1, model[0].weight.grad), (db1, model[0].bias.grad), (dW2, model[2].weight.grad),
                     (db2, model[2].bias.grad)]:
    assert np.allclose(mine, theirs.numpy(), atol=1e-6, rtol=0), np.abs(mine - theirs.numpy()).max()
print("hand-written backprop == backward() to 1e-6")

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
# # 4. A loss
#
# To improve a network we need one number that says how wrong it is: the *loss*. For classification the
# standard one is the *categorical cross-entropy*: the negative log of the probability the network gave to
# the right class,
#
# $$ L = -\frac{1}{N}\sum_{i} \log p_{i, y_i}. $$
#
# Confident and right costs almost nothing ($-\log 1 = 0$); confident and wrong costs a lot
# ($-\log 0.01 \approx 4.6$). Accuracy, the share of right answers, is what we report, but it is a step
# function of the weights and cannot guide small changes; the loss can.

# %%
# %matplotlib inline
import math
import os

import numpy as np

import lucidnet
from lucidnet import nn, plots

QUICK = os.environ.get("LUCIDNET_QUICK") == "1"     # CI runs every tutorial with small settings

# %% [markdown]
# ## By hand, on three samples

# %%
probs = np.array([[0.7, 0.1, 0.2],
                  [0.1, 0.4, 0.5],         # wrong: class 2 wins, though class 1 is not far off
                  [0.02, 0.9, 0.08]])
targets = np.array([0, 1, 1])

picked = probs[np.arange(len(targets)), targets]      # the probability of each right class
loss = -np.log(picked).mean()
accuracy = (probs.argmax(axis=1) == targets).mean()
picked, loss, accuracy

# %% [markdown]
# The second sample is misclassified, so accuracy counts it as a plain miss; the loss also sees that the
# right class got 0.4, nearly as much as the winner, and charges only $-\log 0.4 = 0.92$ for it.
#
# How the loss of one sample falls as the probability of its right class rises. The curve is steep near 0:
# a confident mistake is punished hard, and (the derivative, below) pushes hard to be corrected.

# %%
plots.plot_derivative(lambda p: -p.log(), x_range=(0.02, 1.0), at=[0.1, 0.5, 0.9],
                      title="-log(p): the loss of one sample")

# %% [markdown]
# ## With lucidnet
#
# `nn.CrossEntropyLoss` takes *scores* (logits), not probabilities: it applies the softmax itself, in a
# numerically safe way (tutorial 12 shows why this fusion also gives the simplest gradient). Passing the
# log-probabilities as scores gives back the same loss, since softmax(log p) = p.

# %%
loss_fn = nn.CrossEntropyLoss()
loss_lucidnet = loss_fn(lucidnet.tensor(np.log(probs)), lucidnet.tensor(targets)).item()
loss_lucidnet

# %% [markdown]
# A network that knows nothing gives each of C classes probability 1/C. Its loss is $\log C$: for 10
# classes, 2.30. Seeing a first loss near that value is a quick sanity check of a new model.

# %%
uniform = loss_fn(lucidnet.zeros(4, 10), lucidnet.tensor([0, 3, 5, 9])).item()
uniform, math.log(10)

# %% [markdown]
# ## Check

# %%
assert abs(loss - loss_lucidnet) < 1e-6, (loss, loss_lucidnet)
assert abs(uniform - math.log(10)) < 1e-6
assert accuracy == 2 / 3
print(f"cross-entropy {loss:.4f} by hand and {loss_lucidnet:.4f} with nn.CrossEntropyLoss")

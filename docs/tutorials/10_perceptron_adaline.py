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
# # 10. The Perceptron and Adaline
#
# Before backpropagation there was one neuron. Rosenblatt's **Perceptron** (1958) computes
# z = w·x + b, predicts class 1 when z ≥ 0, and after each *mistake* nudges the weights toward the right
# answer: w ← w + η (target - prediction) x. Widrow and Hoff's **Adaline** (1960) learns from z itself, not
# from the thresholded prediction: it follows the gradient of the squared error (target - z)², the first
# learning rule that is gradient descent on a loss. Both are in lucidnet with scikit-learn's interface.

# %%
# %matplotlib inline
import os

import numpy as np

import lucidnet
from lucidnet import Adaline, Perceptron, plots
from lucidnet.data import blobs, standardize, xor

QUICK = os.environ.get("LUCIDNET_QUICK") == "1"     # CI runs every tutorial with small settings

X, y = blobs(100 if QUICK else 200, centers=[[-2.0, -1.0], [2.0, 1.5]], std=0.8, seed=1)
X, mean, std = standardize(X)          # zero mean, unit variance per feature: Adaline needs it

# %% [markdown]
# ## The Perceptron
#
# On two separable clusters, the Perceptron's number of mistakes per epoch drops to zero: it has found a
# separating line, and then it stops changing (a correct prediction updates nothing).

# %%
perceptron = Perceptron(eta=0.1, n_iter=15).fit(X, y)
perceptron.errors_

# %%
plots.plot_decision_boundary(perceptron.predict, X, y, title="Perceptron", resolution=100)

# %% [markdown]
# ## Adaline
#
# Adaline's loss, the mean squared error of z, falls smoothly epoch after epoch, because it is gradient
# descent on a smooth loss. Too large a learning rate (here 1.0) and it climbs instead: the steps overshoot the
# valley, each further up the other side.

# %%
good = Adaline(eta=0.01, n_iter=30).fit(X, y)
too_big = Adaline(eta=1.0, n_iter=8).fit(X, y)
plots.plot_history({"loss": good.losses_}, title="Adaline, eta = 0.01: the loss falls at every epoch")

# %%
too_big.losses_

# %% [markdown]
# ## Their limit: XOR
#
# One neuron draws one straight line. XOR's classes sit on opposite corners of a square; no line separates
# them, and no amount of training helps. Stacking neurons into layers (tutorial 3) does.

# %%
X_xor, y_xor = xor(repeats=25, noise=0.1, seed=0)
xor_accuracy = Perceptron(eta=0.1, n_iter=20).fit(X_xor, y_xor).score(X_xor, y_xor)
xor_accuracy

# %% [markdown]
# ## Check

# %%
assert perceptron.errors_[-1] == 0 and perceptron.score(X, y) == 1.0
assert all(a > b for a, b in zip(good.losses_, good.losses_[1:]))
assert too_big.losses_[-1] > too_big.losses_[0]
assert xor_accuracy <= 0.75
print(f"Perceptron: {perceptron.errors_}; Adaline loss {good.losses_[0]:.3f} -> {good.losses_[-1]:.3f}; "
      f"on XOR {xor_accuracy:.2f}")

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
# # 11. Why gradients: random search versus gradient descent
#
# Do we need derivatives at all? The simplest optimizer imaginable: add a little random noise to every
# weight, keep the change if the loss went down, undo it otherwise. `optim.RandomSearch` does exactly
# that, with PyTorch's `step(closure)` protocol (the closure returns the loss; no `backward` needed).
#
# It works on easy data. On the spirals it stalls, and the reason is geometry: among all the directions a
# random step can take in a space of a few hundred weights, almost none goes downhill, and fewer still as
# the loss gets lower. The gradient *is* the downhill direction, for the price of one backward pass.

# %%
# %matplotlib inline
import os

import numpy as np

import lucidnet
from lucidnet import nn, plots
from lucidnet.data import spiral, vertical
from lucidnet.optim import Adam, RandomSearch

QUICK = os.environ.get("LUCIDNET_QUICK") == "1"     # CI runs every tutorial with small settings
STEPS = 300 if QUICK else 3000

def fit(data, make_optimizer, steps=STEPS, seed=0):
    lucidnet.manual_seed(seed)
    X, y = data(100, 3, seed=seed)
    Xt, yt = lucidnet.tensor(X), lucidnet.tensor(y)
    model, loss_fn = nn.MLP([2, 64, 3]), nn.CrossEntropyLoss()
    optimizer = make_optimizer(model.parameters())
    losses = []

    def closure():
        optimizer.zero_grad()
        loss = loss_fn(model(Xt), yt)
        loss.backward()                     # RandomSearch ignores the gradients; Adam needs them
        return loss

    for _ in range(steps):
        losses.append(optimizer.step(closure).item())
    with lucidnet.no_grad():
        accuracy = (model(Xt).argmax(1).numpy() == y).mean()
    return model, losses, accuracy, (X, y)

random_search = lambda params: RandomSearch(params, scale=0.05)
gradients = lambda params: Adam(params, lr=0.02)

# %% [markdown]
# ## Easy data: vertical stripes
#
# The three classes are stripes along x. Random search finds a good model:

# %%
rs_vertical, rs_vertical_losses, rs_vertical_acc, (Xv, yv) = fit(vertical, random_search)
plots.plot_decision_boundary(lambda p: rs_vertical(lucidnet.tensor(p)).detach().numpy(), Xv, yv,
                             title=f"Random search on vertical data: accuracy {rs_vertical_acc:.2f}", resolution=100)

# %% [markdown]
# ## Spirals
#
# The same budget of steps on the spirals. Random search's loss falls a little and stalls; gradient descent
# (Adam) keeps going down.

# %%
rs_spiral, rs_losses, rs_acc, (Xs, ys) = fit(spiral, random_search)
gd_spiral, gd_losses, gd_acc, _ = fit(spiral, gradients)
plots.plot_history({"random search": rs_losses, "gradient descent (Adam)": gd_losses},
                   title="Loss per step on the spirals")

# %%
plots.plot_decision_boundary(lambda p: rs_spiral(lucidnet.tensor(p)).detach().numpy(), Xs, ys,
                             title=f"Random search: accuracy {rs_acc:.2f}", resolution=100)

# %%
plots.plot_decision_boundary(lambda p: gd_spiral(lucidnet.tensor(p)).detach().numpy(), Xs, ys,
                             title=f"Gradient descent: accuracy {gd_acc:.2f}", resolution=100)

# %% [markdown]
# ## Check
#
# Random search is fine on the easy data, but on the spirals gradient descent beats it by a wide margin.

# %%
assert rs_vertical_acc > 0.8, rs_vertical_acc
assert gd_acc > rs_acc + 0.2 and gd_losses[-1] < rs_losses[-1], (gd_acc, rs_acc)
print(f"vertical: random search {rs_vertical_acc:.2f}; spirals: random search {rs_acc:.2f}, gradients {gd_acc:.2f}")

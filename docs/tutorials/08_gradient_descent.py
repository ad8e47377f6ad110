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
# # 8. Gradient descent in mini-batches
#
# Now we can train. The gradient points uphill, so each step moves every weight a little against it:
#
# $$ w \leftarrow w - \eta \, \frac{\partial L}{\partial w} $$
#
# with the *learning rate* η setting the step size. Computing the gradient over all the data for every
# step is slow and, it turns out, unnecessary: a *mini-batch* of a few dozen samples gives a noisy but
# good-enough estimate, for a fraction of the cost. One pass over all the data, batch after batch, is an
# *epoch*; the data is shuffled between epochs so the batches differ.

# %%
# %matplotlib inline
import os
import tempfile

import numpy as np

import lucidnet
from lucidnet import nn, plots
from lucidnet.data import DataLoader, TensorDataset, spiral

QUICK = os.environ.get("LUCIDNET_QUICK") == "1"     # CI runs every tutorial with small settings
EPOCHS = 40 if QUICK else 300
FRAMES = 5 if QUICK else 15
lucidnet.manual_seed(0)

X, y = spiral(100, 3, seed=0)

# %% [markdown]
# ## The loop, written out
#
# PyTorch's shape of a training loop: for each epoch, for each batch, forward, loss, `zero_grad`,
# `backward`, `step`. `optim.SGD` does exactly the update above (here with momentum, which keeps a running
# average of recent gradients and smooths the noisy batch estimates). We record the decision regions every
# few epochs to watch them form.

# %%
def train(batch_size, epochs=EPOCHS, lr=0.1, movie=None, seed=0):
    lucidnet.manual_seed(seed)
    model = nn.MLP([2, 64, 64, 3])
    loss_fn = nn.CrossEntropyLoss()
    optimizer = lucidnet.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    loader = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True, generator=seed)
    losses = []
    for epoch in range(epochs):
        total = 0.0
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(xb)
        losses.append(total / len(X))
        if movie is not None and (epoch % max(1, epochs // FRAMES) == 0 or epoch == epochs - 1):
            movie.add_frame(lambda p: model(lucidnet.tensor(p)).detach().numpy(), title=f"epoch {epoch + 1}")
    with lucidnet.no_grad():
        accuracy = (model(lucidnet.tensor(X)).argmax(1).numpy() == y).mean()
    return model, losses, accuracy

movie = plots.DecisionBoundaryAnimation(X, y, resolution=50 if QUICK else 100)
model, losses, accuracy = train(batch_size=32, movie=movie)
accuracy

# %% [markdown]
# ## The decision regions, epoch by epoch

# %%
movie.save(os.path.join(tempfile.mkdtemp(), "spiral.gif"), fps=3)
movie

# %% [markdown]
# ## Batch size
#
# With the same number of epochs, small batches take many (noisy) steps per epoch, one batch of everything
# takes a single (exact) step per epoch. The loss per epoch: early on, small batches are far ahead; later
# their noise shows, and the full batch, many exact steps on, can catch up.

# %%
runs = {f"batch {b}": train(batch_size=b)[1] for b in (16, 64, 300)}
plots.plot_history(runs, title="Training loss per epoch (SGD, lr 0.1, momentum 0.9)")

# %% [markdown]
# ## Check
#
# Gradient descent fitted the spirals: the loss fell well below its starting value (about ln 3 = 1.1), and
# most points are classified right. (With the small settings CI runs, 40 epochs, it is only on its way.)

# %%
assert losses[-1] < losses[0] * (0.9 if QUICK else 0.5), (losses[0], losses[-1])
assert accuracy > (0.5 if QUICK else 0.75), accuracy
assert runs["batch 16"][19] < runs["batch 300"][19]     # after 20 epochs: more steps taken, lower loss
print(f"loss {losses[0]:.3f} -> {losses[-1]:.3f}, accuracy {accuracy:.3f}")

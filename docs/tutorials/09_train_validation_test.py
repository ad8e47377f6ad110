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
# # 9. Training, validation and testing
#
# A network can learn its training data by heart, noise included, and do worse on new data: *overfitting*.
# The remedy starts with honest measurement. Split the data three ways:
#
# - the **training** set, which the optimizer sees;
# - the **validation** set, to choose when to stop and which settings to keep (we look at it, so it slowly
#   leaks into our decisions);
# - the **test** set, looked at once, at the end, for the number to report.
#
# Here a network much larger than the problem needs learns noisy moons with Keras-style `fit`, and
# `EarlyStopping` keeps the weights of the epoch with the best validation loss.

# %%
# %matplotlib inline
import os

import numpy as np

import lucidnet
from lucidnet import nn, plots
from lucidnet.data import moons, train_test_split
from lucidnet.train.callbacks import EarlyStopping

QUICK = os.environ.get("LUCIDNET_QUICK") == "1"     # CI runs every tutorial with small settings
WIDTH = 64 if QUICK else 128
lucidnet.manual_seed(0)

X, y = moons(200 if QUICK else 400, noise=0.35, seed=0)
X_rest, X_test, y_rest, y_test = train_test_split(X, y, test_size=0.25, seed=0)
X_train, X_val, y_train, y_val = train_test_split(X_rest, y_rest, test_size=0.33, seed=0)
len(X_train), len(X_val), len(X_test)

# %% [markdown]
# ## Train long, and watch both losses

# %%
def make_model():
    lucidnet.manual_seed(0)
    model = lucidnet.Model(nn.MLP([2, WIDTH, WIDTH, 2]))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"], lr=0.01)
    return model

EPOCHS = 50 if QUICK else 200
overfit = make_model()
history = overfit.fit(X_train, y_train, epochs=EPOCHS, batch_size=32, validation_data=(X_val, y_val), verbose=0)
plots.plot_history(history, title="Training keeps improving; validation turns around")

# %% [markdown]
# The training loss keeps falling. The validation loss falls, bottoms out, and rises: from there on the
# network fits the noise of its training points. The decision boundary shows it, bending around single
# points:

# %%
plots.plot_decision_boundary(overfit.predict, X_train, y_train, title="After all epochs: fitting the noise",
                             resolution=120)

# %% [markdown]
# ## Stop at the best epoch
#
# `EarlyStopping(patience=...)` stops once the validation loss has not improved for that many epochs, and
# with `restore_best_weights=True` puts back the weights of the best one.

# %%
stopper = EarlyStopping(monitor="val_loss", patience=10, restore_best_weights=True)
model = make_model()
history_es = model.fit(X_train, y_train, epochs=EPOCHS, batch_size=32, validation_data=(X_val, y_val),
                       callbacks=[stopper], verbose=0)
best_epoch = int(np.argmin(history_es.history["val_loss"]))
len(history_es.history["loss"]), best_epoch

# %% [markdown]
# ## The test set, once

# %%
test = model.evaluate(X_test, y_test, return_dict=True)
test_overfit = overfit.evaluate(X_test, y_test, return_dict=True)
val_now = model.evaluate(X_val, y_val, return_dict=True)["loss"]
test, test_overfit

# %% [markdown]
# ## Check
#
# Early stopping kept the epoch with the lowest validation loss (evaluating the restored model gives that
# loss again), and it ended before the full run.

# %%
assert abs(val_now - min(history_es.history["val_loss"])) < 1e-4, (val_now, min(history_es.history["val_loss"]))
assert len(history_es.history["loss"]) < EPOCHS
assert history.history["loss"][-1] < history.history["loss"][0] / 2
print(f"stopped after {len(history_es.history['loss'])} epochs (best: {best_epoch + 1}); test accuracy "
      f"{test['accuracy']:.3f} (without stopping: {test_overfit['accuracy']:.3f})")

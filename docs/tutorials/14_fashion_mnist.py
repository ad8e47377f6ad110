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
# # 14. Real data: Fashion-MNIST
#
# 70,000 grayscale photos of clothes, 28 x 28 pixels, in ten classes (Zalando, 2017): harder than the
# handwritten digits of MNIST, and small enough to train on a laptop CPU in seconds per epoch. lucidnet
# reads the original IDX files (from Debian's `dataset-fashion-mnist` package, a local folder, or a
# verified download).
#
# We train `nn.MLP([784, 128, 10])` with Keras-style `fit`, watch it with TensorBoard and a look inside
# the layers, and read its mistakes.

# %%
# %matplotlib inline
import os
import tempfile

import numpy as np

import lucidnet
from lucidnet import nn, plots
from lucidnet.data import FASHION_MNIST_CLASSES, fashion_mnist
from lucidnet.train import LayerStatistics, TensorBoard
from lucidnet.train.metrics import confusion_matrix

QUICK = os.environ.get("LUCIDNET_QUICK") == "1"     # CI runs every tutorial with small settings
lucidnet.manual_seed(0)

(x_train, y_train), (x_test, y_test) = fashion_mnist(normalize=True)
if QUICK:                                         # a slice, for CI
    x_train, y_train, x_test, y_test = x_train[:3000], y_train[:3000], x_test[:1000], y_test[:1000]
x_train.shape, x_test.shape

# %%
plots.plot_images(x_train[:16], y_train[:16], class_names=FASHION_MNIST_CLASSES, title="Training images")

# %% [markdown]
# ## The model
#
# Each image is flattened into 784 numbers, then a hidden layer of 128 ReLU units, then 10 scores.
# `lucidnet.Model` gives the module Keras's `compile` / `fit` / `evaluate`.

# %%
model = lucidnet.Model(nn.Sequential(nn.Flatten(), nn.MLP([784, 128, 10])))
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.summary(input_shape=(28, 28))

# %% [markdown]
# ## Training, watched
#
# `TensorBoard` writes the logs that `tensorboard --logdir <dir>` draws; `LayerStatistics` looks inside the
# layers while training runs (activation spread, dead ReLUs, gradient norms, update sizes).

# %%
logs = tempfile.mkdtemp()
inside = LayerStatistics(every=20 if QUICK else 100)
history = model.fit(x_train, y_train, epochs=4 if QUICK else 10, batch_size=128, validation_split=0.1,
                    callbacks=[TensorBoard(logs), inside], verbose=0)
plots.plot_history(history, title="Fashion-MNIST, MLP 784-128-10")

# %%
plots.plot_layer_stats(inside)

# %% [markdown]
# The update-to-weight ratio sits near the rule-of-thumb 1e-3 (Adam's default learning rate is well
# chosen here), and few ReLUs die.
#
# ## Testing

# %%
test = model.evaluate(x_test, y_test, return_dict=True)
predicted = model.predict(x_test).argmax(axis=1)
test

# %%
plots.plot_confusion_matrix(confusion_matrix(y_test, predicted, num_classes=10), class_names=FASHION_MNIST_CLASSES)

# %% [markdown]
# Shirts, T-shirts, pullovers and coats are confused with each other: at 28 x 28 pixels they differ in
# details a fully connected network sees only as scattered pixels. Some of its mistakes:

# %%
wrong = np.flatnonzero(predicted != y_test)[:16]
plots.plot_images(x_test[wrong], y_test[wrong], predicted[wrong], class_names=FASHION_MNIST_CLASSES,
                  title="predicted (true)")

# %% [markdown]
# ## What the first layer learned
#
# Each hidden unit has one weight per pixel, so its weights form an image: red pixels push it up, blue ones
# down. Many look like blurred silhouettes of clothes.

# %%
plots.plot_weights(model.module[1][0], max_units=32)

# %% [markdown]
# ## Check

# %%
assert test["accuracy"] > (0.7 if QUICK else 0.85), test
assert os.listdir(logs) and len(inside.steps) > 0
print(f"test accuracy {test['accuracy']:.4f}")

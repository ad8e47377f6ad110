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
# # 15. Convolutional networks
#
# The MLP of tutorial 14 flattens each image into 784 numbers and gives every hidden unit its own weight
# for every pixel. It has to learn "an edge here" separately for every place an edge can be, and it does
# not know that pixel (3, 4) is next to pixel (3, 5): shuffle the pixels of every image the same way and it
# learns just as well. Images are not like that: what matters is local (edges, corners, textures), and the
# same pattern means the same thing anywhere in the picture.
#
# A **convolution** builds both facts in. It slides one small grid of weights, a *kernel*, over the image
# and takes a dot product at every position: the weights look at a neighbourhood only, and the same weights
# are used everywhere. We start with a kernel made by hand, write the convolution as a loop, then as one
# matrix product (the way lucidnet computes it), add padding, stride and pooling, and finally train a small
# CNN with `nn.Conv2d` and `nn.MaxPool2d` on Fashion-MNIST, and look at what it learned.

# %%
# %matplotlib inline
import os
import time

import numpy as np
from matplotlib.figure import Figure

import lucidnet
from lucidnet import nn, plots
from lucidnet.data import FASHION_MNIST_CLASSES, fashion_mnist
from lucidnet.nn import functional as F

QUICK = os.environ.get("LUCIDNET_QUICK") == "1"     # CI runs every tutorial with small settings
lucidnet.manual_seed(0)

(x_train, y_train), (x_test, y_test) = fashion_mnist(normalize=True)     # (N, 28, 28), pixels in [0, 1]
if QUICK:                                         # a slice, for CI
    x_train, y_train, x_test, y_test = x_train[:2000], y_train[:2000], x_test[:1000], y_test[:1000]
image = x_test[np.flatnonzero(y_test == 9)[0]]    # an ankle boot
x_train.shape, image.shape

# %% [markdown]
# ## What a kernel does to an image
#
# Put a 3 x 3 kernel on a 3 x 3 patch of the image, multiply the nine pairs, add them up: one output
# number. Slide the kernel one pixel to the right and do it again, and so on over every position. With the
# *Sobel* kernel below, the left column counts +1, 2, 1 and the right column -1, -2, -1: on an even patch the
# two cancel to 0, and where the image gets darker from left to right the output is large. It is a detector
# of vertical edges. Its transpose detects horizontal edges; a kernel of ninths averages (blurs).
#
# (Strictly this is a *cross-correlation*: a mathematician's convolution flips the kernel first. Deep
# learning libraries, PyTorch and lucidnet included, call the unflipped one convolution; a learned kernel
# does not care.)

# %%
def correlate(image, kernel):
    """Slide kernel over image; at each position, the dot product of the kernel and the patch under it."""
    kh, kw = kernel.shape
    out = np.zeros((image.shape[0] - kh + 1, image.shape[1] - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = (image[i:i + kh, j:j + kw] * kernel).sum()
    return out


sobel = np.array([[1.0, 0.0, -1.0],
                  [2.0, 0.0, -2.0],
                  [1.0, 0.0, -1.0]])
kernels = {"identity": np.array([[0.0, 0, 0], [0, 1, 0], [0, 0, 0]]), "vertical edges": sobel,
           "horizontal edges": sobel.T, "blur": np.full((3, 3), 1 / 9)}
filtered = {name: correlate(image, k) for name, k in kernels.items()}

fig = Figure(figsize=(10, 5.2), layout="constrained")
axes = fig.subplots(2, len(kernels), height_ratios=[1, 2.2])
for (name, k), top, bottom in zip(kernels.items(), axes[0], axes[1]):
    top.imshow(k, cmap="RdBu_r", vmin=-2, vmax=2)
    for (r, c), value in np.ndenumerate(k):
        top.text(c, r, f"{value:.2g}", ha="center", va="center", fontsize=8,
                 color="white" if abs(value) > 1.5 else "black")
    top.set_title(name)
    out = filtered[name]
    bound = np.abs(out).max()
    bottom.imshow(out, cmap="gray" if name in ("identity", "blur") else "RdBu_r",
                  vmin=0 if name in ("identity", "blur") else -bound, vmax=bound)
    bottom.set_title(f"{out.shape[0]} x {out.shape[1]}")
for ax in axes.ravel():
    ax.set_xticks([])
    ax.set_yticks([])
fig

# %% [markdown]
# Red is a positive response, blue a negative one: the vertical-edge kernel lights up the boot's left and
# right outlines (with opposite signs: dark-to-light and light-to-dark), the horizontal one its top and sole.
# The output is 26 x 26, two pixels smaller than the image: a 3 x 3 kernel fits in 26 positions across 28
# pixels.
#
# A CNN does not get its kernels by hand. It learns them, as it learns a linear layer's weights, and it
# learns many: its first layer has, say, 16 kernels, giving 16 *feature maps*, and the next layer's kernels
# each read all 16 maps at once.
#
# ## Convolution as a loop, in full
#
# A convolution layer takes a batch of images with C channels, (N, C, H, W), and O kernels, each C x KH x
# KW (one slice per input channel), giving (N, O, OH, OW). Two more knobs:
#
# - **padding** p adds p rows and columns of zeros around the image, so the kernel also fits at the border;
# - **stride** s moves the kernel s pixels at a time instead of 1, so the output is about s times smaller.
#
# Along each axis, the output size is
#
# $$ \text{out} = \left\lfloor \frac{\text{in} + 2p - k}{s} \right\rfloor + 1. $$
#
# The loop below is the definition, word for word: for every image, every kernel, every output position,
# one dot product of the kernel with the window under it, plus the kernel's bias.

# %%
def output_size(size, k, padding, stride):
    return (size + 2 * padding - k) // stride + 1


def conv2d_loop(x, weight, bias, stride=1, padding=0):
    N, C, H, W = x.shape
    O, _, KH, KW = weight.shape
    OH, OW = output_size(H, KH, padding, stride), output_size(W, KW, padding, stride)
    x = np.pad(x, [(0, 0), (0, 0), (padding, padding), (padding, padding)])
    out = np.zeros((N, O, OH, OW), dtype=x.dtype)
    for n in range(N):
        for o in range(O):
            for i in range(OH):
                for j in range(OW):
                    window = x[n, :, i * stride:i * stride + KH, j * stride:j * stride + KW]   # (C, KH, KW)
                    out[n, o, i, j] = (window * weight[o]).sum() + bias[o]
    return out


rng = np.random.default_rng(0)
x = rng.normal(size=(2, 3, 9, 8)).astype(np.float32)          # 2 images, 3 channels, 9 x 8
weight = rng.normal(size=(4, 3, 3, 3)).astype(np.float32)     # 4 kernels of 3 x 3 x 3
bias = rng.normal(size=4).astype(np.float32)
by_loop = conv2d_loop(x, weight, bias, stride=2, padding=1)
by_lucidnet = F.conv2d(lucidnet.tensor(x), lucidnet.tensor(weight), lucidnet.tensor(bias), stride=2, padding=1)
loop_gap = float(np.abs(by_loop - by_lucidnet.numpy()).max())
by_loop.shape, loop_gap

# %% [markdown]
# The output-size formula at work, for the settings one meets most: "same" padding $p = (k-1)/2$ keeps the
# size, stride 2 halves it.

# %%
sizes = []
for k, p, s in [(3, 0, 1), (3, 1, 1), (5, 2, 1), (3, 1, 2), (5, 0, 1), (2, 0, 2)]:
    formula = output_size(28, k, p, s)
    actual = F.conv2d(lucidnet.zeros(1, 1, 28, 28), lucidnet.zeros(1, 1, k, k), stride=s, padding=p).shape[-1]
    sizes.append((k, p, s, formula, actual))
    print(f"kernel {k}, padding {p}, stride {s}: 28 -> {formula} (F.conv2d: {actual})")

# %% [markdown]
# ## Convolution as one matrix product: im2col
#
# The loop does N·O·OH·OW small dot products in Python: correct and hopelessly slow. Notice that every
# kernel meets the *same* windows. So copy each window, flattened to C·KH·KW numbers, into one column of a
# matrix (**im2col**, "image to columns"): a (C·KH·KW, N·OH·OW) matrix. Flatten each kernel into a row: a
# (O, C·KH·KW) matrix. Then every dot product of the loop is one entry of a single matrix product,
#
# $$ \underbrace{W}_{O \times CK_HK_W} \; \underbrace{\text{cols}}_{CK_HK_W \times N\,OH\,OW} =
# \underbrace{\text{out}}_{O \times N\,OH\,OW}, $$
#
# which a BLAS library computes at the machine's full speed. The price is memory: each pixel is copied into
# up to KH·KW columns.

# %%
def im2col_loop(x, KH, KW, stride=1, padding=0):
    N, C, H, W = x.shape
    OH, OW = output_size(H, KH, padding, stride), output_size(W, KW, padding, stride)
    x = np.pad(x, [(0, 0), (0, 0), (padding, padding), (padding, padding)])
    cols = np.empty((C * KH * KW, N * OH * OW), dtype=x.dtype)
    for n in range(N):
        for i in range(OH):
            for j in range(OW):
                cols[:, (n * OH + i) * OW + j] = x[n, :, i * stride:i * stride + KH, j * stride:j * stride + KW].ravel()
    return cols, OH, OW


def conv2d_im2col(x, weight, bias, stride=1, padding=0, im2col=im2col_loop):
    N, O = x.shape[0], weight.shape[0]
    cols, OH, OW = im2col(x, weight.shape[2], weight.shape[3], stride, padding)
    out = weight.reshape(O, -1) @ cols + bias[:, None]           # the one matrix product: (O, N*OH*OW)
    return out.reshape(O, N, OH, OW).transpose(1, 0, 2, 3)       # back to (N, O, OH, OW)


by_im2col = conv2d_im2col(x, weight, bias, stride=2, padding=1)
im2col_gap = float(np.abs(by_im2col - by_loop).max())
im2col_loop(x, 3, 3, stride=2, padding=1)[0].shape, im2col_gap

# %% [markdown]
# The columns need no Python loop either. NumPy can *view* every window of an array without copying
# anything (`sliding_window_view` only changes the strides with which the same memory is read); one copy of
# that view, reordered, is the column matrix. lucidnet's `conv2d` does exactly this (with `as_strided`),
# then one matrix product; its backward is two more matrix products (one for the kernels' gradient, one for
# the columns'), and each column's gradient is added back onto the pixels it was copied from.

# %%
def im2col_strided(x, KH, KW, stride=1, padding=0):
    N, C = x.shape[:2]
    x = np.pad(x, [(0, 0), (0, 0), (padding, padding), (padding, padding)])
    view = np.lib.stride_tricks.sliding_window_view(x, (KH, KW), axis=(2, 3))[:, :, ::stride, ::stride]
    OH, OW = view.shape[2:4]                                     # view: (N, C, OH, OW, KH, KW), no copy
    return view.transpose(1, 4, 5, 0, 2, 3).reshape(C * KH * KW, N * OH * OW), OH, OW


strided_gap = float(np.abs(conv2d_im2col(x, weight, bias, 2, 1, im2col=im2col_strided) - by_loop).max())

batch = x_train[:16, None]                                     # 16 images, (16, 1, 28, 28)
random_kernels = rng.normal(size=(8, 1, 5, 5)).astype(np.float32)
no_bias = np.zeros(8, np.float32)
timings = {}
for name, run in [("four loops", lambda: conv2d_loop(batch, random_kernels, no_bias, padding=2)),
                  ("im2col, columns by a loop", lambda: conv2d_im2col(batch, random_kernels, no_bias, padding=2)),
                  ("im2col, columns by a strided view",
                   lambda: conv2d_im2col(batch, random_kernels, no_bias, padding=2, im2col=im2col_strided)),
                  ("F.conv2d", lambda: F.conv2d(lucidnet.tensor(batch), lucidnet.tensor(random_kernels), padding=2))]:
    start = time.perf_counter()
    run()
    timings[name] = time.perf_counter() - start
for name, seconds in timings.items():
    print(f"{name:>34}: {seconds * 1000:8.2f} ms   ({timings['four loops'] / seconds:,.0f}x the loops' speed)")

# %% [markdown]
# ## Pooling
#
# After a convolution, a **max pool** keeps the largest value of each 2 x 2 block: the map shrinks by half
# each way, the strongest responses survive, and a feature that moves by a pixel mostly lands in the same
# block, so the next layer sees a slightly shifted image as nearly the same. Stacking conv, pool, conv, pool
# lets later kernels see ever larger parts of the image (their *receptive field* grows) for the same
# 3 x 3 or 5 x 5 weights.
#
# For non-overlapping 2 x 2 blocks, it is one reshape and a max:

# %%
def max_pool_2x2(x):
    N, C, H, W = x.shape
    return x.reshape(N, C, H // 2, 2, W // 2, 2).max(axis=(3, 5))


edges = np.abs(filtered["vertical edges"])[None, None].astype(np.float32)   # (1, 1, 26, 26)
pooled = max_pool_2x2(edges)
pooled_twice = max_pool_2x2(pooled[:, :, :12, :12])     # 13 is odd: drop the last row and column, as F.max_pool2d
pool_gap = float(np.abs(pooled - F.max_pool2d(lucidnet.tensor(edges), 2).numpy()).max())

fig = Figure(figsize=(9, 3.2), layout="constrained")
for ax, m, title in zip(fig.subplots(1, 3), [edges, pooled, pooled_twice],
                        ["|vertical edges| 26 x 26", "max-pooled: 13 x 13", "and again: 6 x 6"]):
    ax.imshow(m[0, 0], cmap="magma")
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
fig

# %% [markdown]
# ## A CNN, with nn.Conv2d and nn.MaxPool2d
#
# Two rounds of convolution (3 x 3 kernels, like our Sobel kernel, with "same" padding), ReLU and 2 x 2 max
# pooling take the image from 1 x 28 x 28 to 16 maps of 14 x 14, then 32 maps of 7 x 7; a linear layer reads
# those 1,568 numbers and gives the 10 class scores. Images go in channels-first, (N, 1, 28, 28), as in
# PyTorch.
#
# Next to it, tutorial 14's MLP. Both are trained the same way: Adam with a learning rate of 3e-3 (three
# times the default; these small networks learn faster with it), batches of 64.

# %%
cnn = nn.Sequential(
    nn.Conv2d(1, 16, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),     # 16 x 14 x 14
    nn.Conv2d(16, 32, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),    # 32 x 7 x 7
    nn.Flatten(), nn.Linear(32 * 7 * 7, 10))
model = lucidnet.Model(cnn)
model.compile(optimizer=lucidnet.optim.Adam(cnn.parameters(), lr=3e-3), loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])
model.summary(input_shape=(1, 28, 28))

mlp_module = nn.Sequential(nn.Flatten(), nn.MLP([784, 128, 10]))
mlp = lucidnet.Model(mlp_module)
mlp.compile(optimizer=lucidnet.optim.Adam(mlp_module.parameters(), lr=3e-3),
            loss="sparse_categorical_crossentropy", metrics=["accuracy"])
print(f"CNN: {cnn.num_parameters():,} parameters; MLP: {mlp_module.num_parameters():,}")

# %% [markdown]
# The CNN has a fifth of the MLP's parameters, but does more arithmetic per image: each of its 1 x 3 x 3 and
# 16 x 3 x 3 kernels is applied at every one of 784 and 196 positions.

# %%
epochs = 2 if QUICK else 3
start = time.perf_counter()
history = model.fit(x_train[:, None], y_train, epochs=epochs, batch_size=64, validation_split=0.1, verbose=0)
cnn_seconds = time.perf_counter() - start
start = time.perf_counter()
mlp_history = mlp.fit(x_train, y_train, epochs=epochs, batch_size=64, validation_split=0.1, verbose=0)
mlp_seconds = time.perf_counter() - start
cnn_test = model.evaluate(x_test[:, None], y_test, return_dict=True)
mlp_test = mlp.evaluate(x_test, y_test, return_dict=True)
print(f"CNN: test accuracy {cnn_test['accuracy']:.4f} ({cnn_seconds:.0f} s);  "
      f"MLP: {mlp_test['accuracy']:.4f} ({mlp_seconds:.0f} s)")
plots.plot_history(history, title="Fashion-MNIST, a small CNN")

# %% [markdown]
# ## What the first layer learned
#
# The 16 kernels of the first convolution, 3 x 3 each (red positive, blue negative). Nine weights make a
# small picture, but look for a row or a column of red against one of blue: edge detectors like our Sobel
# kernels, at various angles, found by gradient descent without anyone mentioning edges.

# %%
plots.plot_weights(cnn[0], title="First-layer kernels")

# %% [markdown]
# And what they make of the ankle boot, layer by layer: the 16 maps after the first convolution and its
# ReLU, the same pooled, then (the first 16 of) the 32 maps of the second convolution, pooled to the 7 x 7
# grids that the linear layer reads. The first maps are the boot seen through one kernel each (outlines of one orientation, flat
# regions, the sole); deeper maps are coarser, and say which patterns are present in which part of the
# picture rather than what each pixel is. An empty map belongs to a kernel whose ReLU does not fire on this
# image.

# %%
with lucidnet.no_grad():
    h, maps = lucidnet.tensor(image[None, None]), {}
    for layer, name in zip(cnn, ["conv 1", "conv 1 + ReLU", "pool 1", "conv 2", "conv 2 + ReLU", "pool 2"]):
        h = layer(h)
        if name != "conv 1" and name != "conv 2":
            maps[name] = h[0]                                    # (channels, height, width)
plots.plot_feature_maps(maps, image=image, title="Feature maps of the ankle boot")

# %% [markdown]
# ## Check
#
# The four-loop convolution, the im2col one and `F.conv2d` agree to 1e-5; the output size follows the
# formula; max pooling by reshape equals `F.max_pool2d`; the trained CNN beats the 10% of a blind guess by
# far and, at the full settings, beats the MLP trained the same way.

# %%
assert loop_gap < 1e-5 and im2col_gap < 1e-5 and strided_gap < 1e-5, (loop_gap, im2col_gap, strided_gap)
assert all(formula == actual for *_, formula, actual in sizes), sizes
assert pool_gap == 0, pool_gap
chance = 1 / len(FASHION_MNIST_CLASSES)
assert cnn_test["accuracy"] > chance + (0.4 if QUICK else 0.75), cnn_test
assert QUICK or cnn_test["accuracy"] > mlp_test["accuracy"], (cnn_test, mlp_test)
print(f"conv2d by loops == F.conv2d (max gap {loop_gap:.1e}); CNN test accuracy {cnn_test['accuracy']:.4f} vs "
      f"chance {chance:.2f} and the MLP's {mlp_test['accuracy']:.4f}")

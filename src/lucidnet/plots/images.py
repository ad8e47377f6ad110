"""Images: a grid of samples with predicted vs true labels; the weights of a first layer seen as images
(what each unit looks for in its input); a convolutional network's feature maps for one input."""
import math

import numpy as np

from ._figure import _figure, _save

__all__ = ["plot_feature_maps", "plot_images", "plot_weights"]


def _array(x):
    return np.asarray(getattr(x, "array", x))


def _as_images(where, images):
    """(N, H, W) or (N, H, W, 3): channels-last images from (N, H, W), (N, H, W, C), (N, C, H, W) or flat
    (N, D) with D a square."""
    a = _array(images)
    if a.ndim == 2:
        side = math.isqrt(a.shape[1])
        if side * side != a.shape[1]:
            raise ValueError(f"{where}: expected images of shape (N, H, W), (N, H, W, C), (N, C, H, W) or flat "
                             f"(N, side*side), got {tuple(a.shape)}.")
        return a.reshape(len(a), side, side)
    if a.ndim == 3:
        return a
    if a.ndim == 4:
        if a.shape[1] in (1, 3) and a.shape[3] not in (1, 3):
            a = a.transpose(0, 2, 3, 1)                     # channels-first (PyTorch's layout)
        if a.shape[3] == 1:
            return a[..., 0]
        if a.shape[3] == 3:
            return a
    raise ValueError(f"{where}: expected images of shape (N, H, W), (N, H, W, C), (N, C, H, W) or flat "
                     f"(N, side*side), got {tuple(a.shape)}.")


def _name(k, class_names):
    k = int(k)
    return str(class_names[k]) if class_names is not None and 0 <= k < len(class_names) else str(k)


def plot_images(images, labels=None, predictions=None, class_names=None, path=None, *, cols=8, title=None):
    """A grid of images, each titled with its label; with predictions, "predicted (true)" in green when
    right and red when wrong.

    Args:
        images: (N, H, W), (N, H, W, C), (N, C, H, W) or flat (N, side*side) arrays or tensors.
        labels: the true class ids, (N,).
        predictions: predicted class ids (N,) or scores (N, C) (the argmax is taken).
        class_names: names for the class ids (e.g. ``lucidnet.data.FASHION_MNIST_CLASSES``).
        path: the PNG file to write; None returns the matplotlib Figure (shown inline in a notebook).
        cols: images per row. Default: 8.
        title: a title over the grid.

    Returns:
        ``path``, or the Figure.

    Example:
        >>> import os, tempfile
        >>> import numpy as np
        >>> images = np.random.default_rng(0).random((6, 28, 28))
        >>> path = os.path.join(tempfile.mkdtemp(), "grid.png")
        >>> _ = plot_images(images, labels=[0, 1, 2, 0, 1, 2], predictions=[0, 1, 1, 0, 2, 2], path=path)
        >>> open(path, "rb").read(4)
        b'\\x89PNG'
    """
    where = "plot_images()"
    imgs = _as_images(where, images)
    n = len(imgs)
    if n == 0:
        raise ValueError(f"{where}: expected at least one image, got none.")
    y = None if labels is None else _array(labels).reshape(-1)
    p = None if predictions is None else _array(predictions)
    if p is not None and p.ndim == 2:
        p = p.argmax(axis=1)
    for name, v in (("labels", y), ("predictions", p)):
        if v is not None and v.shape != (n,):
            raise ValueError(f"{where}: expected one entry of {name} per image ({n}), got shape {tuple(v.shape)}.")
    cols = max(1, min(int(cols), n))
    rows = -(-n // cols)
    fig = _figure(where, figsize=(1.5 * cols, 1.75 * rows + (0.4 if title else 0)), dpi=100, layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for i, ax in enumerate(axes):
        ax.set_axis_off()
        if i >= n:
            continue
        ax.imshow(imgs[i], cmap="gray" if imgs[i].ndim == 2 else None)
        if p is not None:
            text = _name(p[i], class_names) + (f" ({_name(y[i], class_names)})" if y is not None else "")
            color = "black" if y is None else ("green" if p[i] == y[i] else "red")
            ax.set_title(text, fontsize=8, color=color)
        elif y is not None:
            ax.set_title(_name(y[i], class_names), fontsize=8)
    if title:
        fig.suptitle(title)
    return _save(fig, path)


def plot_weights(weights, image_shape=None, path=None, *, cols=8, max_units=64, title=None):
    """The weights of a first layer as images: unit k's weights, one per input pixel, drawn in the input's
    shape (red positive, blue negative). After training on images they show the patterns each unit
    responds to.

    Args:
        weights: a Linear layer (its ``weight``), or a weight tensor/array: (units, H*W) for a fully
            connected layer, (filters, C, kh, kw) for a convolution (the first channel, or RGB for 3).
        image_shape: (H, W) of the input, for a fully connected layer. Default: a square.
        path: the PNG file to write; None returns the matplotlib Figure (shown inline in a notebook).
        cols: images per row. Default: 8.
        max_units: how many units to draw, the first ones. Default: 64.
        title: a title over the grid. Default: "First-layer weights".

    Returns:
        ``path``, or the Figure.

    Example:
        >>> import os, tempfile
        >>> from lucidnet import nn
        >>> path = os.path.join(tempfile.mkdtemp(), "weights.png")
        >>> _ = plot_weights(nn.Linear(784, 16), path=path)
        >>> open(path, "rb").read(4)
        b'\\x89PNG'
    """
    where = "plot_weights()"
    w = _array(getattr(weights, "weight", weights)).astype(np.float64)
    if w.ndim == 2:
        if image_shape is None:
            side = math.isqrt(w.shape[1])
            if side * side != w.shape[1]:
                raise ValueError(f"{where}: expected weights of shape (units, H*W) with a square H*W, got {tuple(w.shape)}; "
                                 f"pass image_shape=(H, W).")
            image_shape = (side, side)
        image_shape = tuple(int(s) for s in image_shape)
        if math.prod(image_shape) != w.shape[1]:
            raise ValueError(f"{where}: expected image_shape with {w.shape[1]} pixels (one per input), got "
                             f"{image_shape}.")
        tiles = w.reshape((len(w),) + image_shape)
    elif w.ndim == 4:
        tiles = w.transpose(0, 2, 3, 1) if w.shape[1] == 3 else w[:, 0]
    else:
        raise ValueError(f"{where}: expected weights of shape (units, inputs) or (filters, C, kh, kw), got {tuple(w.shape)}.")
    tiles = tiles[:int(max_units)]
    n = len(tiles)
    cols = max(1, min(int(cols), n))
    rows = -(-n // cols)
    fig = _figure(where, figsize=(1.3 * cols, 1.3 * rows + 0.4), dpi=100, layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for i, ax in enumerate(axes):
        ax.set_axis_off()
        if i >= n:
            continue
        tile = tiles[i]
        if tile.ndim == 3:                                   # RGB filters: scaled to [0, 1] around 0.5
            m = np.abs(tile).max() or 1.0
            ax.imshow(0.5 + 0.5 * tile / m)
        else:
            m = np.abs(tile).max() or 1.0
            ax.imshow(tile, cmap="RdBu_r", vmin=-m, vmax=m)
        ax.set_title(str(i), fontsize=7)
    fig.suptitle(title or "First-layer weights")
    return _save(fig, path)


def plot_feature_maps(maps, path=None, *, image=None, max_maps=16, title=None):
    """What the layers of a convolutional network see in one input: a row per layer, one tile per channel of its
    output (bright where the channel responds), after the input image itself.

    Args:
        maps: ``{layer name: output}`` in order, each one input's (C, H, W) output (or (1, C, H, W)), e.g. the
            outputs of each ReLU and pooling layer; or one (C, H, W) array.
        path: the PNG file to write; None returns the matplotlib Figure (shown inline in a notebook).
        image: the input, drawn first: (H, W), (1, H, W) or (H, W) with channels last.
        max_maps: how many channels to draw per layer, the first ones. Default: 16.
        title: a title over the rows. Default: "Feature maps".

    Returns:
        ``path``, or the Figure.

    Example:
        >>> import os, tempfile
        >>> import numpy as np
        >>> maps = {"conv1": np.random.default_rng(0).random((8, 28, 28)), "pool1": np.ones((8, 14, 14))}
        >>> path = os.path.join(tempfile.mkdtemp(), "maps.png")
        >>> _ = plot_feature_maps(maps, path, image=np.zeros((28, 28)))
        >>> open(path, "rb").read(4)
        b'\\x89PNG'
    """
    where = "plot_feature_maps()"
    if not isinstance(maps, dict):
        maps = {"": maps}
    if not maps:
        raise ValueError(f"{where}: expected maps as a non-empty dict of layer name -> (C, H, W) output, got dict "
                         f"(empty).")
    rows = []
    for name, m in maps.items():
        a = _array(m).astype(np.float64)
        if a.ndim == 4 and len(a) == 1:
            a = a[0]
        if a.ndim != 3:
            raise ValueError(f"{where}: expected one input's output of shape (C, H, W) for {name!r}, got "
                             f"{tuple(a.shape)}.")
        rows.append((str(name), a[:int(max_maps)]))
    if image is not None:
        img = _array(image).astype(np.float64)
        if img.ndim == 3 and img.shape[0] in (1, 3) and img.shape[-1] not in (1, 3):
            img = img.transpose(1, 2, 0)                     # channels-first (PyTorch's layout)
        if img.ndim == 3 and img.shape[-1] == 1:
            img = img[..., 0]
        if img.ndim not in (2, 3):
            raise ValueError(f"{where}: expected an image (H, W), (C, H, W) or (H, W, C), got {tuple(img.shape)}.")
        rows.insert(0, ("input", [img]))
    cols = max(len(a) for _, a in rows)
    fig = _figure(where, figsize=(1.1 * cols + 0.8, 1.2 * len(rows) + 0.4), dpi=100, layout="constrained")
    axes = fig.subplots(len(rows), cols, squeeze=False)
    for r, (name, a) in enumerate(rows):
        for c in range(cols):
            ax = axes[r, c]
            ax.set_xticks([])
            ax.set_yticks([])
            for side in ax.spines.values():
                side.set_visible(False)
            if c >= len(a):
                continue
            tile = a[c]
            ax.imshow(tile, cmap=("gray" if name == "input" else "viridis") if tile.ndim == 2 else None)
            if c == 0:
                shape = f"{tile.shape[0]}x{tile.shape[1]}"
                ax.set_ylabel(f"{name}\n{shape}" if name else shape, fontsize=7)
    fig.suptitle(title or "Feature maps")
    return _save(fig, path)

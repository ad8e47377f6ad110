"""``lucidnet predict``: what a saved model says about images (PNG or .npy) or points (.npy), one line per sample."""
import os
import sys

import numpy as np

from ...data.png import read_png, to_grayscale
from ...validation import check_finite, numeric_array
from .. import registry
from ..args import CLIError, int_at_least, one_line
from ..files import dataset_of, load_model
from .train import dataset_type


def arguments(p):
    p.add_argument("model", metavar="MODEL", help="a model file written by lucidnet train")
    p.add_argument("files", metavar="FILE", nargs="+", help=".png or .npy files")
    p.add_argument("--top", type=int_at_least(1), default=1, metavar="K",
                   help="also list the K most likely classes (default: 1)")
    p.add_argument("--invert", action="store_true", help="invert images (255 - pixel) before predicting")
    p.add_argument("--dataset", metavar="NAME", type=dataset_type(),
                   help="the dataset the model is for, when its file does not say (a model saved from Python)")


def read_inputs(path, shape, scale, invert):
    """The samples in one file, float32 of shape (k,) + shape, scaled as the training data was; and whether the
    file holds one sample (rather than a batch)."""
    shape = tuple(shape)
    lower = path.lower()
    if lower.endswith(".png"):
        if scale is None:
            raise CLIError(f"{path}: expected a .npy file of points of shape (N, {', '.join(map(str, shape))}) for "
                           f"this model, got a PNG image.")
        try:
            image = read_png(path)
        except (OSError, ValueError) as e:
            raise CLIError(one_line(e)) from None
        if image.shape[:2] != shape:
            h, w = image.shape[:2]
            raise CLIError(f"{path}: expected a {shape[0]}x{shape[1]} image for this model, got {h}x{w}. Resize it "
                           f"to {shape[0]}x{shape[1]} first.")
        x, single = to_grayscale(image)[None], True
    elif lower.endswith(".npy"):
        try:
            x = np.load(path, allow_pickle=False)
        except (OSError, ValueError, EOFError) as e:
            raise CLIError(f"{path}: expected a .npy array file, got one that NumPy cannot read "
                           f"({one_line(e)}).") from None
        try:
            x = numeric_array(x, path, "the array")
        except TypeError as e:
            raise CLIError(str(e)) from None
        single = x.shape == shape
        if single:
            x = x[None]
        elif x.shape[1:] != shape or len(x) == 0:
            raise CLIError(f"{path}: expected an array of shape {shape} or a batch (N, "
                           f"{', '.join(map(str, shape))}) for this model, got {tuple(x.shape)}.")
        try:
            check_finite(x, path, "the array")
        except ValueError as e:
            raise CLIError(str(e)) from None
    else:
        raise CLIError(f"{path}: expected a .png or .npy file, got {os.path.basename(path)!r}.")
    if scale is None:
        if invert:
            raise CLIError(f"--invert: expected a model of images, got one of {len(shape)}-D points.")
        return x.astype(np.float32), single
    if x.dtype.kind == "f":
        if x.min() < 0 or x.max() > 1:
            raise CLIError(f"{path}: expected float pixels in [0, 1] (or uint8 pixels 0..255), got values from "
                           f"{x.min():g} to {x.max():g}. Divide by 255, or save uint8.")
        x = x.astype(np.float32)
    else:
        if x.min() < 0 or x.max() > scale:
            raise CLIError(f"{path}: expected integer pixels in 0..{scale}, got values from {x.min()} to "
                           f"{x.max()}.")
        x = x.astype(np.float32) / np.float32(scale)
    return (1.0 - x if invert else x), single


def _looks_inverted(x):
    """Mostly light borders: a drawing on white paper rather than a dataset-style image on black."""
    border = np.concatenate([x[:, 0, :], x[:, -1, :], x[:, :, 0], x[:, :, -1]], axis=1)
    return bool(border.mean() > 0.5)


def run(args):
    loaded = load_model(args.model)
    loaded.check_predict()
    name = dataset_of(loaded, args.dataset)
    recipe = registry.dataset(name)
    meta = loaded.meta if loaded.meta.get("dataset") == name else {}
    if meta:
        shape, scale, classes = tuple(meta["input_shape"]), meta.get("input_scale"), meta.get("classes") or []
    else:                                     # a model saved from Python, or read as another dataset's
        shape, scale, classes = tuple(recipe.input_shape), recipe.input_scale, list(recipe.classes)
    inputs = [(path, *read_inputs(path, shape, scale, args.invert)) for path in args.files]
    x = np.concatenate([b for _, b, _ in inputs])
    lines = loaded.predict_lines(x, name, shape, recipe.task, classes, args.top)
    i = 0
    for path, b, single in inputs:
        for j in range(len(b)):
            print(f"{path if single else f'{path}[{j}]'}: {lines[i]}")
            i += 1
        if scale is not None and not args.invert and _looks_inverted(b):
            print(f"lucidnet: note: {path} looks like a dark object on a light background; {recipe.title} images are "
                  f"light on black: try --invert.", file=sys.stderr)
    return 0


registry.register_command(registry.Command(
    name="predict", help="classify images (PNG or .npy) with a saved model",
    description="Print the predicted class and its probability for each image.\n\n"
                "Images for the Fashion-MNIST and MNIST models: 28x28, PNG (8-bit grayscale, RGB or with "
                "alpha; color is converted to gray, transparency shows black) or .npy (one image (28, 28) "
                "or a batch (N, 28, 28); uint8 pixels 0..255, or floats in [0, 1]). As in the datasets, the "
                "object is light on a black background: use --invert for dark-on-light drawings. Models "
                "of the toy datasets take .npy files of points, shape (2,) or (N, 2) (sine: (N, 1)).",
    epilog="examples:\n"
           "  lucidnet predict runs/fashion-mnist-mlp/model.safetensors shoe.png bag.png\n"
           "  lucidnet predict runs/fashion-mnist-mlp/model.safetensors batch.npy --top 3\n"
           "  lucidnet predict runs/spiral-mlp/model.safetensors points.npy",
    arguments=arguments, run=run,
    examples=("lucidnet predict runs/fashion-mnist-mlp/model.safetensors shoe.png --top 3",)))

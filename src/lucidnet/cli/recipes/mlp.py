"""The networks of ``lucidnet train --model mlp`` (hidden ReLU layers) and ``--model linear`` (none).

Both standardize their inputs inside the model (a ``Normalization`` layer adapted on the training set), so a
saved model takes raw inputs: images with pixels scaled to [0, 1], or the toy datasets' points as they are.
The images row of the defaults is the main job's recipe (test accuracy 0.896-0.899 over seeds).
"""
import numpy as np

from ... import nn
from ...train import Sequential
from ..args import sizes
from ..registry import ModelRecipe, Option, register_model


def network(d, hidden):
    """Sequential([Flatten (images), Normalization adapted on the training inputs, Linear-ReLU..., Linear]) for
    the dataset ``d``, and its description ("MLP 784-256-128-10 (ReLU)", "linear 2-3")."""
    features = int(np.prod(d.input_shape))
    outputs = len(d.classes) if d.task == "classification" else 1
    layers = [nn.Flatten()] if len(d.input_shape) > 1 else []
    norm = nn.Normalization()
    norm.adapt(d.x_train.reshape(len(d.x_train), -1))
    layers.append(norm)
    sizes_ = [features] + list(hidden) + [outputs]
    for a, b in zip(sizes_[:-2], sizes_[1:-1]):
        layers += [nn.Linear(a, b), nn.ReLU()]
    layers.append(nn.Linear(sizes_[-2], sizes_[-1]))
    kind = "MLP " + "-".join(map(str, sizes_)) + " (ReLU)" if len(sizes_) > 2 else f"linear {sizes_[0]}-{sizes_[1]}"
    return Sequential(layers), kind


_IMAGES = dict(epochs=10, batch_size=128, lr=1e-3)
_TOY = dict(epochs=100, batch_size=32, lr=1e-2)

register_model(ModelRecipe(
    name="mlp", help="mlp (hidden ReLU layers)",
    build=lambda d, settings: network(d, settings["hidden"]),
    defaults={"images": dict(_IMAGES, hidden=(256, 128)), "*": dict(_TOY, hidden=(64, 64))},
    options=(Option("--hidden", type=sizes, metavar="SIZES", refusal="it has no hidden layers",
                    help="hidden layer sizes of the mlp (default: 256,128; 64,64 for the toy datasets)"),),
    about="Defaults for the toy datasets: hidden 64,64, 100 epochs, batch 32, lr 0.01."))

register_model(ModelRecipe(
    name="linear", help="linear (no hidden layer)",
    build=lambda d, settings: network(d, ()),
    defaults={"images": _IMAGES, "*": _TOY}))

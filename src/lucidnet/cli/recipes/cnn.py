"""The convolutional networks of ``lucidnet train --model cnn`` and ``--model cnn-bn``, for 28x28 images.

``cnn`` is the CNN of issue 10 (and of the benchmark ``bench/cnn_fashion_mnist.py``): conv5x5(1->32, pad 2)-ReLU-
maxpool2 -> conv5x5(32->64, pad 2)-ReLU-maxpool2 -> Flatten -> Linear(3136, 10), 83,466 parameters, on pixels
scaled to [0, 1], with dropout 0.25 before the Linear layer (no parameters; the benchmark times the network
without it); Adam lr 2e-3 with the per-epoch cosine decay, batch 128, 20 epochs: test accuracy 0.9252 in the
latest run. Without dropout the network fits its training set and stops at about 0.922 (0.9229 after 15
epochs at lr 1e-3, 0.9212 after 20 at lr 2e-3); dropout 0.5 gives 0.9229, flips or crops of the training
images 0.916-0.918.

``cnn-bn`` adds BatchNorm after each convolution, a hidden Linear(3136, 256) followed by dropout 0.3, and
augmentation of the training batches: each image shifted by up to a pixel each way (a random 28x28 crop of the
image padded by 1: :mod:`lucidnet.transforms`, applied by ``fit(augment=...)`` per batch, never to the test set);
Adam lr 2e-3 with the cosine decay, 20 epochs (test accuracy 0.9353 in the latest run). Tried and worse: random
horizontal flips (Fashion-MNIST's shoes all face one way), crops of padding 2, dropout before the hidden layer
too (0.9203 with all three in 15 epochs: underfit).

Both models begin with ``Unflatten(1, (1, H))``, so they take the dataset's (N, H, W) images as they are, and a
saved model evaluates and predicts on them like the MLP. A run also plots the first layer's filters
(``filters.png``) and the feature maps of a test image (``feature_maps.png``) next to its history.
"""
from ... import nn, plots, transforms
from ...autograd import no_grad
from ...tensor import Tensor
from ...train import Sequential
from ..registry import ModelRecipe, register_model

__all__ = ["augmentation", "feature_maps", "filters", "network"]


def network(d, batch_norm=False):
    """The CNN for the image dataset ``d`` (channels 32, 64; 5x5 kernels, padding 2; 2x2 max pooling; dropout 0.25
    before the Linear layer), and its description; with ``batch_norm``, cnn-bn's (BatchNorm2d after each
    convolution, a hidden layer of 256 followed by dropout 0.3)."""
    h, w = d.input_shape
    outputs = len(d.classes)
    features = 64 * (h // 4) * (w // 4)

    def block(cin, cout):
        return [nn.Conv2d(cin, cout, 5, padding=2)] + ([nn.BatchNorm2d(cout)] if batch_norm else []) + \
            [nn.ReLU(), nn.MaxPool2d(2)]

    layers = [nn.Unflatten(1, (1, h))] + block(1, 32) + block(32, 64) + [nn.Flatten()]
    if batch_norm:
        layers += [nn.Linear(features, 256), nn.ReLU(), nn.Dropout(0.3), nn.Linear(256, outputs)]
        head = f"Linear({features}, 256)-ReLU-Linear(256, {outputs}), dropout 0.3"
    else:
        layers += [nn.Dropout(0.25), nn.Linear(features, outputs)]
        head = f"dropout 0.25, Linear({features}, {outputs})"
    model = Sequential(layers)
    params = sum(p.numel() for p in model.parameters())
    conv = "conv5x5-BN-ReLU-maxpool" if batch_norm else "conv5x5-ReLU-maxpool"
    return model, f"CNN {conv} 1->32->64, {head}, {params:,} parameters"


def augmentation(d, settings):
    """cnn-bn's augmentation of every training batch: a random crop of the image padded by 1 pixel (a shift of up to
    one pixel each way)."""
    h, w = d.input_shape
    return transforms.Compose([transforms.RandomCrop((h, w), padding=1)])


def _model(report):
    model = report.model
    if model is None:
        raise ValueError("the CNN plots need the trained model in the report.")
    return model


def filters(report):
    """The first convolution's filters as images (``filters.png``)."""
    conv = next(m for m in _model(report).modules() if isinstance(m, nn.Conv2d))
    return plots.plot_weights(conv.weight, path=report.path("filters.png"), cols=8, max_units=32,
                              title=f"{report.title}: first-layer filters (5x5)")


def feature_maps(report, index=0):
    """What the layers make of a test image (``feature_maps.png``): the output of every ReLU and pooling layer."""
    model = _model(report)
    x = report.data.x_test[index:index + 1]
    maps = {}
    modes = [(m, m.training) for m in model.modules()]
    model.eval()
    try:
        with no_grad():
            h = Tensor._wrap(x)
            for name, layer in model.named_children():
                h = layer(h)
                if h.ndim == 4 and isinstance(layer, (nn.ReLU, nn.MaxPool2d)):
                    maps[f"{name} {type(layer).__name__}"] = h.array[0]
    finally:
        for m, training in modes:
            m.training = training
    label = report.data.classes[int(report.data.y_test[index])]
    return plots.plot_feature_maps(maps, report.path("feature_maps.png"), image=x[0], max_maps=12,
                                   title=f"{report.title}: feature maps of test image {index} ({label})")


_IMAGES = dict(batch_size=128, lr=2e-3, epochs=20)     # both CNNs: Adam lr 2e-3, cosine decay

register_model(ModelRecipe(
    name="cnn", help="cnn (two conv layers, 28x28 images)",
    build=lambda d, settings: network(d),
    defaults={"images": dict(_IMAGES)}, tasks=("classification",), kinds=("images",),
    refusal="it is a CNN", plots=(filters, feature_maps),
    about="For --model cnn (conv5x5 32 and 64 with max pooling, dropout 0.25, 83,466 parameters): 20 epochs, "
          "batch 128, Adam lr 0.002 with the cosine decay (test accuracy 0.925 in the latest run). --model cnn-bn "
          "adds BatchNorm, a hidden layer with dropout, and random shifts of the training images by up to a pixel "
          "(test accuracy 0.935)."))

register_model(ModelRecipe(
    name="cnn-bn", help="cnn-bn (with BatchNorm and augmentation)",
    build=lambda d, settings: network(d, batch_norm=True), augment=augmentation,
    defaults={"images": dict(_IMAGES)}, tasks=("classification",), kinds=("images",),
    refusal="it is a CNN", plots=(filters, feature_maps)))

"""The datasets of ``lucidnet train --dataset``: Fashion-MNIST and MNIST (28x28 images, pixels scaled to [0, 1]),
the 2-D toy classification problems and the 1-D sine regression.

The toy datasets are drawn once with :data:`DATA_SEED` and split 75/25 (stratified for classification), so
every run sees the same data.
"""
from ... import data
from ..run import decision_boundary, fitted_curve
from ..data import Data
from ..registry import DatasetRecipe, register_dataset

DATA_SEED = 0              # the toy datasets are drawn once with this seed: every run sees the same data
TOY_TEST_SIZE = 0.25


def _images(name, load, classes):
    def load_images(data_dir, progress):
        (x_tr, y_tr), (x_te, y_te) = load(data_dir, normalize=True, progress=progress)
        return Data(name, x_tr, y_tr, x_te, y_te, classes, 255)
    return load_images


def _toy(name, generate, classification):
    def load_toy(data_dir, progress):
        X, y = generate()
        x_tr, x_te, y_tr, y_te = data.train_test_split(X, y, test_size=TOY_TEST_SIZE, seed=DATA_SEED,
                                                       stratify=y if classification else None)
        classes = [str(c) for c in range(int(y.max()) + 1)] if classification else []
        return Data(name, x_tr, y_tr, x_te, y_te, classes, None)
    return load_toy


for _name, _title, _load, _classes, _aliases in (
        ("fashion-mnist", "Fashion-MNIST", data.fashion_mnist, data.FASHION_MNIST_CLASSES,
         ("fashion_mnist", "fashion", "fashionmnist")),
        ("mnist", "MNIST", data.mnist, data.MNIST_CLASSES, ())):
    register_dataset(DatasetRecipe(
        name=_name, title=_title, kind="images", task="classification", load=_images(_name, _load, _classes),
        aliases=_aliases, input_shape=(28, 28), input_scale=255, classes=tuple(_classes), unit="images"))

for _name, _title, _generate, _count in (
        ("spiral", "spiral", lambda: data.spiral(200, 3, seed=DATA_SEED), 3),
        ("vertical", "vertical", lambda: data.vertical(200, 3, seed=DATA_SEED), 3),
        ("moons", "moons", lambda: data.moons(600, noise=0.1, seed=DATA_SEED), 2),
        ("blobs", "blobs", lambda: data.blobs(600, centers=3, std=1.5, seed=DATA_SEED), 3),
        ("xor", "XOR", lambda: data.xor(150, noise=0.15, seed=DATA_SEED), 2)):
    # The class names (as load_toy names them) are known without drawing the data: predict checks a model's
    # output count against them, as evaluate does against the loaded data's.
    register_dataset(DatasetRecipe(
        name=_name, title=_title, kind="points", task="classification", load=_toy(_name, _generate, True),
        input_shape=(2,), classes=tuple(str(c) for c in range(_count)), plots=(decision_boundary,)))

register_dataset(DatasetRecipe(
    name="sine", title="sine", kind="curve", task="regression",
    load=_toy("sine", lambda: data.sine(1000, noise=0.1, seed=DATA_SEED), False), input_shape=(1,),
    plots=(fitted_curve,)))

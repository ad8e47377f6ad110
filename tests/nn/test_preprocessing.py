"""Normalization: statistics from adapt() (arrays, chunks, batches) against NumPy's float64 ones and the
Standardizer, the layer contract, axes, invert, saving inside a model, training leaves it alone, bad input."""
import os

import numpy as np
import pytest

import lucidnet
from lucidnet import nn
from lucidnet.data import DataLoader, Standardizer, TensorDataset

from helpers import raises
from layer_testing import run_layer_test

rng = np.random.default_rng(3)


def adapted(x, **kwargs):
    layer = nn.Normalization(**kwargs)
    layer.adapt(x)
    return layer


def test_layer_contract():
    layer = adapted(rng.normal(2, 3, (50, 6)).astype(np.float32))
    run_layer_test(layer, (4, 6), (4, 6), 0, "Normalization(num_features=6, axis=-1)", bad_shape=(4, 2, 3),
                   error="Normalization(num_features=6, axis=-1): expected input of shape (*, 6), got (4, 2, 3). "
                         "Did you forget a Flatten()?")


def test_statistics_are_float64_population_ones_and_output_matches_standardizer():
    x = rng.normal(0.5, 0.2, (3000, 784)).astype(np.float32)     # > 1 chunk of 2**20 values
    x[:, 7] = 0.0                                                 # a constant pixel: centred, not divided by 0
    layer = adapted(x)
    np.testing.assert_allclose(layer.mean.array, x.astype(np.float64).mean(0), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(layer.var.array, x.astype(np.float64).var(0), rtol=1e-5, atol=1e-9)
    assert layer.mean.dtype == np.float32 and layer.var.dtype == np.float32
    out = layer(lucidnet.tensor(x)).array
    np.testing.assert_allclose(out, Standardizer().fit_transform(x), rtol=1e-4, atol=1e-4)
    assert np.all(out[:, 7] == 0) and np.isfinite(out).all()


def test_adapt_from_batches_equals_adapt_from_the_array():
    x = rng.normal(1, 4, (301, 5)).astype(np.float32)
    whole = adapted(x)
    loader = DataLoader(TensorDataset(x, np.zeros(len(x))), batch_size=37, shuffle=True, generator=0)
    for source in (loader, [x[:100], x[100:250], x[250:]], [lucidnet.tensor(x[:10]), lucidnet.tensor(x[10:])]):
        other = adapted(source)
        np.testing.assert_allclose(other.mean.array, whole.mean.array, rtol=1e-6)
        np.testing.assert_allclose(other.var.array, whole.var.array, rtol=1e-5)


def test_uint8_data_and_inputs():
    x = rng.integers(0, 256, (64, 10), dtype=np.uint8)
    layer = adapted(x)
    out = layer(lucidnet.tensor(x))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.array.mean(0), 0, atol=1e-5)


@pytest.mark.parametrize("axis, stats_shape", [(None, ()), (1, (3,)), ((2, 3), (4, 5)), ((-1,), (5,))])
def test_axes(axis, stats_shape):
    x = rng.normal(size=(40, 3, 4, 5))
    layer = adapted(x, axis=axis)
    assert layer.mean.shape == stats_shape
    keep = () if axis is None else tuple(a % 4 for a in ((axis,) if isinstance(axis, int) else axis))
    over = tuple(a for a in range(4) if a not in keep)
    out = layer(lucidnet.tensor(x)).array
    np.testing.assert_allclose(out.mean(axis=over), 0, atol=1e-5)
    np.testing.assert_allclose(out.std(axis=over), 1, atol=1e-5)
    twin = nn.module_from_config(layer.to_config())
    twin.load_state_dict(layer.state_dict())
    np.testing.assert_array_equal(twin(lucidnet.tensor(x)).array, out)


def test_given_statistics_and_invert():
    layer = nn.Normalization(mean=[1.0, 2.0], variance=[4.0, 0.25])
    x = lucidnet.tensor([[3.0, 2.5]])
    np.testing.assert_allclose(layer(x).array, [[1.0, 1.0]])
    inverse = nn.Normalization(mean=[1.0, 2.0], variance=[4.0, 0.25], invert=True)
    np.testing.assert_allclose(inverse(layer(x)).array, x.array)
    assert repr(inverse) == "Normalization(num_features=2, axis=-1, invert=True)"
    assert nn.Normalization(3, mean=0.5, variance=4.0).mean.tolist() == [0.5, 0.5, 0.5]


def test_saved_and_loaded_inside_a_model(tmp_path):
    x = rng.normal(5, 2, (32, 4, 4)).astype(np.float32)
    lucidnet.manual_seed(0)
    norm = nn.Normalization()
    norm.adapt(x.reshape(len(x), -1))
    model = lucidnet.Sequential([nn.Flatten(), norm, nn.Linear(16, 3)])
    path = os.fspath(tmp_path / "m.safetensors")
    lucidnet.save(model, path)
    back = lucidnet.load(path)
    assert type(back[1]) is nn.Normalization
    np.testing.assert_array_equal(back[1].mean.array, norm.mean.array)
    np.testing.assert_array_equal(back.predict(x), model.predict(x))


def test_buffers_are_not_trained():
    x = rng.normal(3, 2, (64, 2)).astype(np.float32)
    y = (x[:, 0] > 3).astype(np.int64)
    norm = adapted(x)
    before = norm.mean.array.copy(), norm.var.array.copy()
    model = lucidnet.Sequential([norm, nn.Linear(2, 2)])
    assert [n for n, _ in model.named_parameters()] == ["1.weight", "1.bias"]
    assert [n for n, _ in model.named_buffers()] == ["0.mean", "0.var"]
    model.compile("adam", "sparse_categorical_crossentropy", lr=0.1)
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    np.testing.assert_array_equal(norm.mean.array, before[0])
    np.testing.assert_array_equal(norm.var.array, before[1])


def test_gradient_reaches_the_input():
    layer = nn.Normalization(mean=[1.0], variance=[4.0])
    x = lucidnet.tensor([[3.0], [5.0]], requires_grad=True)
    layer(x).sum().backward()
    np.testing.assert_allclose(x.grad.array, [[0.5], [0.5]])


@pytest.mark.parametrize("make, error, message", [
    (lambda: nn.Normalization()(lucidnet.ones(2, 3)), RuntimeError,
     "Normalization(num_features=None, axis=-1): call adapt(data) before using the layer, or pass mean= and "
     "variance=."),
    (lambda: nn.Normalization(axis=0), ValueError,
     "Normalization: expected axis to name feature axes, got 0 (the batch axis, which is always averaged over)."),
    (lambda: nn.Normalization(axis="x"), ValueError,
     "Normalization: expected axis to be an int, a tuple of distinct ints or None, got 'x'."),
    (lambda: nn.Normalization(mean=[1.0]), ValueError,
     "Normalization: expected both mean and variance, or neither, got only mean."),
    (lambda: nn.Normalization(mean=[1.0], variance=[-1.0]), ValueError,
     "Normalization: expected variances >= 0, got -1.0."),
    (lambda: nn.Normalization(num_features=0), ValueError,
     "Normalization: expected num_features to be a positive int or a tuple of them, got 0."),
    (lambda: nn.Normalization(num_features=(2, 3)), ValueError,
     "Normalization: expected num_features with one size per axis in (-1,), got (2, 3)."),
    (lambda: nn.Normalization(eps=-1), ValueError, "Normalization: expected eps >= 0, got -1."),
    (lambda: nn.Normalization().adapt(np.array([[1.0, np.nan]])), ValueError,
     "Normalization(num_features=None, axis=-1).adapt(): expected finite values, got nan or inf."),
    (lambda: nn.Normalization().adapt(np.zeros((0, 3))), ValueError,
     "Normalization(num_features=None, axis=-1).adapt(): expected at least one sample, got none."),
    (lambda: nn.Normalization().adapt(np.array(["a", "b"])), TypeError,
     "Normalization(num_features=None, axis=-1).adapt(): expected the data to hold numbers, got an array of dtype "
     "<U1."),
    (lambda: nn.Normalization().adapt(3.0), TypeError,
     "Normalization(num_features=None, axis=-1).adapt(): expected an array, a Tensor or an iterable of batches, "
     "got float."),
    (lambda: nn.Normalization(axis=2).adapt(np.zeros((4, 3))), ValueError,
     "Normalization(num_features=None, axis=2).adapt(): expected input with axis 2 besides the batch axis, got "
     "shape (4, 3)."),
    (lambda: nn.Normalization(4).adapt(np.zeros((4, 3))), ValueError,
     "Normalization(num_features=4, axis=-1): expected data with features of shape (4,), got (3,)."),
    (lambda: nn.Normalization().adapt([np.zeros((2, 3)), np.zeros((2, 4))]), ValueError,
     "Normalization(num_features=None, axis=-1).adapt(): expected every batch to have samples of shape (3,), "
     "got (4,)."),
    (lambda: adapted(np.zeros((5, 3, 4)), axis=1)(lucidnet.ones(2, 4, 4)), ValueError,
     "Normalization(num_features=3, axis=1): expected input of shape (N, ...) with axes (1,) of sizes (3,), got "
     "(2, 4, 4)."),
])
def test_bad_input(make, error, message):
    with raises(error, message):
        make()

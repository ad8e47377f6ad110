"""Toy datasets: the published algorithms (checked against the nnfs book's code), shapes, ranges, determinism,
bad input."""
import numpy as np
import pytest

import lucidnet
from lucidnet.data import blobs, linear_regression, moons, sine, spiral, vertical, xor


# The book's functions (nnfs.datasets), verbatim in substance, drawing from NumPy's global legacy RNG as the
# book does after nnfs.init() seeds it with 0.
def nnfs_spiral_data(samples, classes):
    X = np.zeros((samples * classes, 2))
    y = np.zeros(samples * classes, dtype="uint8")
    for class_number in range(classes):
        ix = range(samples * class_number, samples * (class_number + 1))
        r = np.linspace(0.0, 1, samples)
        t = np.linspace(class_number * 4, (class_number + 1) * 4, samples) + np.random.randn(samples) * 0.2
        X[ix] = np.c_[r * np.sin(t * 2.5), r * np.cos(t * 2.5)]
        y[ix] = class_number
    return X, y


def nnfs_vertical_data(samples, classes):
    X = np.zeros((samples * classes, 2))
    y = np.zeros(samples * classes, dtype="uint8")
    for class_number in range(classes):
        ix = range(samples * class_number, samples * (class_number + 1))
        X[ix] = np.c_[np.random.randn(samples) * .1 + (class_number) / 3, np.random.randn(samples) * .1 + 0.5]
        y[ix] = class_number
    return X, y


def nnfs_sine_data(samples=1000):
    X = np.arange(samples).reshape(-1, 1) / samples
    y = np.sin(2 * np.pi * X).reshape(-1, 1)
    return X, y


@pytest.fixture
def book_seed():
    state = np.random.get_state()
    np.random.seed(0)                                     # what nnfs.init() does
    yield
    np.random.set_state(state)


@pytest.mark.parametrize("make, reference", [(spiral, nnfs_spiral_data), (vertical, nnfs_vertical_data)])
def test_nnfs_datasets_reproduce_the_book_exactly(book_seed, make, reference):
    X_book, y_book = reference(100, 3)
    X, y = make(100, 3, generator=np.random.RandomState(0))
    np.testing.assert_array_equal(X, X_book.astype(np.float32))
    np.testing.assert_array_equal(y, y_book)
    assert X.dtype == np.float32 and y.dtype == np.int64


def test_sine_is_the_book_sine():
    X_book, y_book = nnfs_sine_data(1000)
    X, y = sine(1000)
    assert X.shape == y.shape == (1000, 1) and X.dtype == y.dtype == np.float32
    np.testing.assert_array_equal(X, X_book.astype(np.float32))
    np.testing.assert_array_equal(y, y_book.astype(np.float32))
    assert X.min() == 0 and X.max() < 1 and abs(y).max() <= 1
    Xn, yn = sine(1000, noise=0.1, seed=0)
    assert np.array_equal(Xn, X) and 0.05 < float((yn - y).std()) < 0.15


@pytest.mark.parametrize("samples, classes", [(1, 1), (100, 3), (50, 5)])
def test_spiral_shapes_and_ranges(samples, classes):
    X, y = spiral(samples, classes, seed=1)
    assert X.shape == (samples * classes, 2) and y.shape == (samples * classes,)
    assert np.bincount(y).tolist() == [samples] * classes
    radius = np.hypot(X[:, 0], X[:, 1])
    assert radius.max() <= 1 + 1e-6
    for c in range(classes):                              # r = linspace(0, 1): the arm grows outwards
        np.testing.assert_allclose(radius[y == c], np.linspace(0, 1, samples), atol=1e-6)


def test_vertical_stripes():
    X, y = vertical(500, 3, seed=0)
    for c in range(3):
        assert abs(X[y == c, 0].mean() - c / 3) < 0.02 and abs(X[y == c, 1].mean() - 0.5) < 0.02
        assert abs(X[y == c].std(0) - 0.1).max() < 0.02


@pytest.mark.parametrize("make", [spiral, vertical, lambda **k: blobs(**k), lambda **k: moons(noise=0.1, **k),
                                  lambda **k: xor(5, noise=0.1, **k), lambda **k: linear_regression(**k)])
def test_determinism_and_generators(make):
    a, b = make(seed=0), make(seed=0)
    assert all(np.array_equal(u, v) for u, v in zip(a, b))
    assert not np.array_equal(make(seed=1)[0], a[0])
    g = make(generator=lucidnet.Generator().manual_seed(0))
    assert all(np.array_equal(u, v) for u, v in zip(g, make(generator=lucidnet.Generator().manual_seed(0))))
    n = make(generator=np.random.default_rng(0))
    assert all(np.array_equal(u, v) for u, v in zip(n, a))          # seed=s is default_rng(s)
    lucidnet.manual_seed(5)
    d = make()
    lucidnet.manual_seed(5)
    assert all(np.array_equal(u, v) for u, v in zip(d, make()))


def test_xor():
    X, y = xor()
    assert X.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]] and y.tolist() == [0, 1, 1, 0]
    X, y = xor(3)
    assert X.shape == (12, 2) and y.tolist() == [0, 1, 1, 0] * 3
    Xn, yn = xor(100, noise=0.05, seed=0)
    assert np.array_equal(yn, np.tile([0, 1, 1, 0], 100))
    assert np.array_equal(np.round(Xn), np.tile(X[:4], (100, 1))) and not np.array_equal(Xn, np.round(Xn))
    assert (yn == (np.round(Xn[:, 0]) != np.round(Xn[:, 1]))).all()


def test_blobs():
    X, y = blobs(10, centers=3, std=0.5, features=4, seed=0)
    assert X.shape == (10, 4) and X.dtype == np.float32 and y.dtype == np.int64
    assert np.bincount(y).tolist() == [4, 3, 3]
    X, y = blobs(3000, centers=[[0, 0], [10, 0], [0, 10]], std=[0.5, 1.0, 2.0], seed=0)
    for c, (center, s) in enumerate(zip([[0, 0], [10, 0], [0, 10]], [0.5, 1.0, 2.0])):
        assert abs(X[y == c].mean(0) - center).max() < 0.2
        assert abs(X[y == c].std(0) - s).max() < 0.15
    X, y = blobs(2000, centers=2, std=0.01, center_box=(-1, 1), seed=3)
    assert abs(X).max() < 1.1


def test_moons_is_the_sklearn_algorithm():
    X, y = moons(7)
    s_out, s_in = np.linspace(0, np.pi, 3), np.linspace(0, np.pi, 4)
    want = np.r_[np.c_[np.cos(s_out), np.sin(s_out)], np.c_[1 - np.cos(s_in), 1 - np.sin(s_in) - 0.5]]
    np.testing.assert_allclose(X, want, atol=1e-6)
    assert y.tolist() == [0, 0, 0, 1, 1, 1, 1]
    Xn, _ = moons(1000, noise=0.1, seed=0)
    assert 0.07 < float((Xn - moons(1000)[0]).std()) < 0.13


def test_linear_regression_recovers_its_weights():
    X, y, w = linear_regression(2000, 4, noise=0.01, bias=-1.5, seed=0)
    assert X.shape == (2000, 4) and y.shape == (2000, 1) and w.shape == (4, 1)
    assert X.dtype == y.dtype == w.dtype == np.float32
    A = np.c_[X, np.ones(len(X))]
    coef = np.linalg.lstsq(A, y, rcond=None)[0]
    np.testing.assert_allclose(coef[:4], w, atol=2e-3)
    assert abs(coef[4, 0] + 1.5) < 2e-3


@pytest.mark.parametrize("call, message", [
    (lambda: spiral(0, 3), r"^spiral\(\): expected samples to be a positive integer, got 0\.$"),
    (lambda: spiral(100, -1), r"^spiral\(\): expected classes to be a positive integer, got -1\.$"),
    (lambda: spiral(2.5, 3), r"expected samples to be a positive integer, got 2.5"),
    (lambda: vertical(True, 3), r"^vertical\(\): expected samples to be a positive integer, got True\.$"),
    (lambda: sine(0), r"^sine\(\): expected samples to be a positive integer, got 0\.$"),
    (lambda: sine(10, noise=-0.1), r"^sine\(\): expected noise to be a finite number >= 0, got -0.1\.$"),
    (lambda: xor(0), r"^xor\(\): expected repeats to be a positive integer, got 0\.$"),
    (lambda: xor(noise=float("nan")), r"^xor\(\): expected noise to be a finite number >= 0, got nan\.$"),
    (lambda: moons(1), r"^moons\(\): expected samples to be an integer >= 2, got 1\.$"),
    (lambda: moons(10, noise=float("inf")), r"expected noise to be a finite number >= 0, got inf"),
    (lambda: blobs(10, centers=0), r"^blobs\(\): expected centers to be a positive integer, got 0\.$"),
    (lambda: blobs(10, std=0), r"^blobs\(\): expected std to be a positive number or one per cluster \(3\), "
                               r"got 0\.$"),
    (lambda: blobs(10, std=[1, 2]), r"expected std to be a positive number or one per cluster \(3\), got \[1, 2\]"),
    (lambda: blobs(10, centers=[[0, 0], [1]]), r"expected centers to be a count or finite coordinates"),
    (lambda: blobs(10, center_box=(1, -1)), r"expected center_box \(low, high\) with low < high, got \(1, -1\)"),
    (lambda: linear_regression(10, 0), r"^linear_regression\(\): expected features to be a positive integer, "
                                       r"got 0\.$"),
    (lambda: linear_regression(10, bias=float("nan")), r"expected bias to be a finite number, got nan"),
    (lambda: spiral(10, 2, seed=1, generator=2), r"^spiral\(\): expected seed or generator, got both\.$"),
])
def test_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_bad_seed_and_generator_types():
    with pytest.raises(TypeError, match=r"^spiral\(\): expected seed to be an int, got str\.$"):
        spiral(10, 2, seed="0")
    with pytest.raises(TypeError, match=r"^moons\(\): expected generator to be a lucidnet.Generator, a numpy "
                                        r"Generator or RandomState, or an int seed, got list\.$"):
        moons(10, noise=0.1, generator=[1])

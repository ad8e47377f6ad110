"""one_hot, Standardizer/standardize, train_test_split: values (against PyTorch where it has the function),
dtypes, and every bad input."""
import numpy as np
import pytest
import torch

import lucidnet
from lucidnet.data import Standardizer, one_hot, standardize, train_test_split


def test_one_hot_matches_pytorch():
    y = np.array([[0, 3], [2, 1], [4, 4]])
    ours = one_hot(y, 6)
    theirs = torch.nn.functional.one_hot(torch.from_numpy(y), 6).numpy()
    assert ours.shape == (3, 2, 6) and ours.dtype == np.float32
    np.testing.assert_array_equal(ours, theirs)
    np.testing.assert_array_equal(one_hot(y), torch.nn.functional.one_hot(torch.from_numpy(y)).numpy())


def test_one_hot_inputs_and_dtype():
    assert one_hot(lucidnet.tensor([1, 0]), 2).tolist() == [[0, 1], [1, 0]]
    assert one_hot([2.0, 0.0], 3).tolist() == [[0, 0, 1], [1, 0, 0]]
    assert one_hot(np.array([1], np.uint8), 2, dtype=lucidnet.int64).dtype == np.int64
    assert one_hot(np.zeros(0, np.int64), 3).shape == (0, 3)


@pytest.mark.parametrize("labels, num_classes, message", [
    ([0, 10, 3], 10, r"^one_hot\(\): expected labels in \[0, 10\), got values from 0 to 10\.$"),
    ([-1, 2], 3, r"^one_hot\(\): expected labels in \[0, 3\), got values from -1 to 2\.$"),
    ([0.5, 1.0], 3, r"^one_hot\(\): expected integer class ids, got 0.5\.$"),
    ([np.nan, 1.0], 3, r"^one_hot\(\): expected finite labels, got nan at index 0\.$"),
    ([1, 2], 0, r"^one_hot\(\): expected num_classes to be a positive integer, got 0\.$"),
    ([1, 2], 2.5, r"expected num_classes to be a positive integer, got 2.5"),
])
def test_one_hot_bad_labels(labels, num_classes, message):
    with pytest.raises(ValueError, match=message):
        one_hot(labels, num_classes)


def test_one_hot_non_numeric():
    with pytest.raises(TypeError, match=r"^one_hot\(\): expected labels to hold numbers, got an array of dtype <U3\.$"):
        one_hot(["cat", "dog"], 2)


def test_standardizer_fits_on_train_and_applies_everywhere():
    rng = np.random.default_rng(0)
    x_train = (rng.standard_normal((500, 4)) * [1, 10, 0.1, 5] + [3, -2, 0, 100]).astype(np.float32)
    x_test = (rng.standard_normal((100, 4)) * [1, 10, 0.1, 5] + [3, -2, 0, 100]).astype(np.float32)
    s = Standardizer().fit(x_train)
    z = s.transform(x_train)
    assert z.dtype == np.float32 and s.mean_.shape == s.std_.shape == (1, 4)
    np.testing.assert_allclose(z.mean(0), 0, atol=1e-5)
    np.testing.assert_allclose(z.std(0), 1, atol=1e-5)
    zt = s.transform(x_test)
    np.testing.assert_allclose(zt, (x_test - x_train.mean(0)) / x_train.std(0), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(s.inverse_transform(zt), x_test, rtol=1e-5, atol=1e-4)
    np.testing.assert_array_equal(Standardizer().fit_transform(x_train), z)
    assert repr(s) == "Standardizer(axis=0, fitted)"


def test_constant_features_are_centred_not_divided_by_zero():
    x = np.array([[0, 5.0], [0, 7.0], [0, 9.0]])           # a constant column, like MNIST's border pixels
    z = Standardizer().fit_transform(x)
    assert np.isfinite(z).all() and (z[:, 0] == 0).all()


def test_standardizer_axis_none_and_integers():
    x = np.arange(12).reshape(3, 4)                          # ints: statistics and results in float64
    s = Standardizer(axis=None).fit(x)
    assert s.mean_.shape == (1, 1) and s.transform(x).dtype == np.float64
    assert abs(float(s.transform(x).mean())) < 1e-12


def test_standardize_function():
    x_train, x_test = np.array([[1.0, 2.0], [3.0, 6.0]]), np.array([[5.0, 10.0]])
    z, mean, std = standardize(x_train)
    assert mean.tolist() == [[2.0, 4.0]] and std.tolist() == [[1.0, 2.0]]
    assert z.tolist() == [[-1, -1], [1, 1]]
    assert standardize(x_test, mean, std)[0].tolist() == [[3.0, 3.0]]
    assert standardize(lucidnet.tensor([[1.0], [3.0]]))[0].dtype == np.float32


@pytest.mark.parametrize("call, error, message", [
    (lambda: Standardizer().fit(np.array([[1.0, np.nan], [2.0, 3.0]])), ValueError,
     r"^Standardizer.fit\(\): expected finite data, got nan at index \(0, 1\)\.$"),
    (lambda: Standardizer().fit(np.array([1.0, np.inf])), ValueError,
     r"^Standardizer.fit\(\): expected finite data, got inf at index 1\.$"),
    (lambda: Standardizer().fit(np.zeros((0, 3))), ValueError,
     r"expected at least one sample, got shape \(0, 3\)"),
    (lambda: Standardizer(axis=2).fit(np.zeros((2, 3))), ValueError,
     r"^Standardizer.fit\(\): axis 2 is out of range for data of shape \(2, 3\)\.$"),
    (lambda: Standardizer().transform(np.zeros((2, 3))), RuntimeError,
     r"^Standardizer.transform\(\): call fit\(\) before transform\(\)\.$"),
    (lambda: Standardizer().fit(np.zeros((2, 3))).transform(np.zeros((2, 4))), ValueError,
     r"^Standardizer.transform\(\): expected data shaped like the data fitted \(statistics of shape \(1, 3\)\), "
     r"got \(2, 4\)\.$"),
    (lambda: Standardizer().fit(np.zeros((2, 3))).transform(np.full((1, 3), -np.inf)), ValueError,
     r"expected finite data, got -inf at index \(0, 0\)"),
    (lambda: standardize(np.zeros((2, 2)), mean=np.zeros(2)), ValueError,
     r"^standardize\(\): expected both mean and std, or neither, got only mean\.$"),
    (lambda: standardize(np.zeros((2, 2)), mean=np.zeros(2), std=np.array([1.0, 0.0])), ValueError,
     r"^standardize\(\): expected std > 0, got 0.0\.$"),
    (lambda: Standardizer().fit(["a", "b"]), TypeError, r"expected X to hold numbers, got an array of dtype <U1"),
])
def test_standardization_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_train_test_split_pairs_rows_and_is_reproducible():
    X, y = np.arange(200).reshape(100, 2), np.arange(100)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, seed=0)
    assert X_tr.shape == (80, 2) and X_te.shape == (20, 2) and y_tr.shape == (80,) and y_te.shape == (20,)
    assert (X_tr[:, 0] == 2 * y_tr).all() and (X_te[:, 0] == 2 * y_te).all()
    assert sorted(np.r_[y_tr, y_te].tolist()) == list(range(100))
    again = train_test_split(X, y, test_size=0.2, generator=lucidnet.Generator().manual_seed(0))
    assert all(np.array_equal(a, b) for a, b in zip(again, (X_tr, X_te, y_tr, y_te)))
    assert len(train_test_split(X, test_size=7, seed=1)[1]) == 7
    a, b = train_test_split(y, shuffle=False, test_size=0.1)
    assert a.tolist() == list(range(90)) and b.tolist() == list(range(90, 100))


def test_train_test_split_stratified():
    y = np.r_[np.zeros(80, np.int64), np.ones(20, np.int64)]
    X = np.arange(100)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, stratify=y, seed=0)
    assert np.bincount(y_te).tolist() == [20, 5] and np.bincount(y_tr).tolist() == [60, 15]
    assert (y[X_te] == y_te).all() and (y[X_tr] == y_tr).all()


@pytest.mark.parametrize("call, message", [
    (lambda: train_test_split(np.zeros(10), np.zeros(9)),
     r"^train_test_split\(\): expected arrays with the same number of samples, got lengths \[10, 9\] "
     r"\(shapes \(10,\), \(9,\)\)\.$"),
    (lambda: train_test_split(np.zeros(10), test_size=1.5),
     r"expected test_size to be a fraction in \(0, 1\) or a count, got 1.5"),
    (lambda: train_test_split(np.zeros(10), test_size=10),
     r"^train_test_split\(\): expected a test part of 1 to 9 samples, got 10 of 10 \(test_size=10\)\.$"),
    (lambda: train_test_split(), r"expected at least one array"),
    (lambda: train_test_split(np.zeros(4), seed=1, generator=2), r"expected seed or generator, got both"),
    (lambda: train_test_split(np.zeros(4), stratify=[0, 1], test_size=2),
     r"expected stratify labels of shape \(4,\), got \(2,\)"),
    (lambda: train_test_split(np.zeros(4), stratify=[0, 1, 0, 1], shuffle=False, test_size=2),
     r"stratify needs shuffle=True"),
])
def test_train_test_split_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()

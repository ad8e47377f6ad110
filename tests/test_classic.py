"""Perceptron and Adaline: the textbook learning rules, convergence on separable data, one-vs-rest, bad input."""
import numpy as np
import pytest

import lucidnet
from lucidnet import Adaline, Perceptron


def blobs(centers, n=50, std=0.5, seed=0):
    rng = np.random.default_rng(seed)
    X = np.concatenate([rng.normal(c, std, size=(n, len(c))) for c in centers])
    y = np.repeat(np.arange(len(centers)), n)
    return X, y


def iris_like(seed=0):
    """Setosa vs versicolor as in Raschka's chapter 2: sepal length and petal length, 50 flowers each, drawn
    with the Iris means and standard deviations (the petal lengths never overlap: 1.0-1.9 vs 3.0-5.1)."""
    rng = np.random.default_rng(seed)
    setosa = np.column_stack([rng.normal(5.01, 0.35, 50), np.clip(rng.normal(1.46, 0.17, 50), 1.0, 1.9)])
    versicolor = np.column_stack([rng.normal(5.94, 0.52, 50), np.clip(rng.normal(4.26, 0.47, 50), 3.0, 5.1)])
    return np.concatenate([setosa, versicolor]), np.array(["setosa"] * 50 + ["versicolor"] * 50)


def standardize(X):
    return (X - X.mean(axis=0)) / X.std(axis=0)


# ----------------------------------------------------------------------------------------- the learning rules

def test_perceptron_follows_the_textbook_rule():
    """Raschka's loop, written out: same initial weights (same generator draws), same updates, same errors_."""
    X, y = iris_like()
    model = Perceptron(eta=0.1, n_iter=10, random_state=3).fit(X, y)
    w = np.random.default_rng(3).normal(0.0, 0.01, size=(1, 2))[0]
    b, errors = 0.0, []
    t = (y == "versicolor").astype(float)
    for _ in range(10):
        n = 0
        for xi, target in zip(X, t):
            update = 0.1 * (target - (1.0 if xi @ w + b >= 0.0 else 0.0))
            w, b = w + update * xi, b + update
            n += int(update != 0.0)
        errors.append(n)
    np.testing.assert_allclose(model.w_, w, rtol=1e-12)
    assert model.b_ == pytest.approx(b, rel=1e-12) and model.errors_ == errors


def test_adaline_follows_the_textbook_rule():
    X, y = iris_like()
    X = standardize(X)
    model = Adaline(eta=0.01, n_iter=15, random_state=4).fit(X, y)
    w = np.random.default_rng(4).normal(0.0, 0.01, size=(1, 2))[0]
    b, losses = 0.0, []
    t = (y == "versicolor").astype(float)
    for _ in range(15):
        errors = t - (X @ w + b)
        w = w + 0.01 * 2.0 * X.T @ errors / len(X)
        b = b + 0.01 * 2.0 * errors.mean()
        losses.append((errors ** 2).mean())
    np.testing.assert_allclose(model.w_, w, rtol=1e-12)
    np.testing.assert_allclose(model.losses_, losses, rtol=1e-12)
    assert model.b_ == pytest.approx(b, rel=1e-12, abs=1e-15)


# ----------------------------------------------------------------------------------------- convergence

@pytest.mark.parametrize("shuffle", [False, True])
def test_perceptron_separates_two_blobs(shuffle):
    X, y = blobs([(-2.0, -2.0), (2.0, 2.0)])
    model = Perceptron(eta=0.1, n_iter=20, shuffle=shuffle).fit(X, y)
    assert model.score(X, y) == 1.0
    assert model.errors_[-1] == 0
    assert model.w_.shape == (2,) and isinstance(model.b_, float)


def test_perceptron_on_iris_like_converges_within_ten_epochs():
    X, y = iris_like()
    model = Perceptron(eta=0.1, n_iter=10).fit(X, y)
    assert model.score(X, y) == 1.0 and model.errors_[-1] == 0 and model.errors_[0] > 0
    assert list(model.classes_) == ["setosa", "versicolor"]
    assert set(model.predict(X)) == {"setosa", "versicolor"}


def test_perceptron_never_settles_on_xor():
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    model = Perceptron(eta=0.1, n_iter=30).fit(X, [0, 1, 1, 0])
    assert min(model.errors_) > 0 and model.score(X, [0, 1, 1, 0]) < 1.0


def test_adaline_separates_two_blobs_and_iris_like():
    X, y = blobs([(-2.0, -2.0), (2.0, 2.0)])
    assert Adaline(eta=0.01, n_iter=50).fit(X, y).score(X, y) == 1.0
    X, y = iris_like()
    X = standardize(X)
    model = Adaline(eta=0.5, n_iter=20).fit(X, y)        # Raschka's settings on standardized features
    assert model.score(X, y) == 1.0


@pytest.mark.parametrize("eta, standardized", [(0.0001, False), (0.01, True)])
def test_adaline_loss_falls_every_epoch_with_a_small_learning_rate(eta, standardized):
    X, y = iris_like()
    X = standardize(X) if standardized else X
    losses = Adaline(eta=eta, n_iter=50).fit(X, y).losses_
    assert len(losses) == 50
    assert all(later < earlier for earlier, later in zip(losses, losses[1:]))


def test_adaline_loss_grows_when_the_learning_rate_is_too_large():
    X, y = iris_like()                                    # raw features: the book's eta = 0.1 diverges
    losses = Adaline(eta=0.1, n_iter=10).fit(X, y).losses_
    assert all(later > earlier for earlier, later in zip(losses, losses[1:]))


@pytest.mark.parametrize("cls, kwargs", [(Perceptron, {"eta": 0.1, "n_iter": 20}),
                                         (Adaline, {"eta": 0.05, "n_iter": 100})])
@pytest.mark.parametrize("labels", [[0, 1, 2], ["red", "green", "blue"], [7, -1, 3]])
def test_one_vs_rest_on_three_separable_classes(cls, kwargs, labels):
    X, idx = blobs([(0.0, 4.0), (4.0, -3.0), (-4.0, -3.0)])
    y = np.array(labels)[idx]
    model = cls(**kwargs).fit(X, y)
    assert model.score(X, y) == 1.0
    assert model.w_.shape == (3, 2) and model.b_.shape == (3,)
    assert model.net_input(X).shape == (150, 3)
    assert sorted(model.classes_.tolist()) == sorted(labels)
    assert set(model.predict(X).tolist()) == set(labels)


def test_labels_minus_one_plus_one_and_tensor_input():
    X, y = blobs([(-2.0, -2.0), (2.0, 2.0)])
    y = np.where(y == 1, 1, -1)
    model = Perceptron(eta=0.1, n_iter=20).fit(lucidnet.tensor(X), lucidnet.tensor(y))
    assert model.score(X, y) == 1.0 and set(model.predict(X).tolist()) == {-1, 1}
    assert model.net_input(X).shape == (100,)


def test_same_random_state_same_model():
    X, y = blobs([(-1.0, -1.0), (1.0, 1.0)], std=1.0)
    a = Perceptron(eta=0.1, n_iter=5, shuffle=True, random_state=7).fit(X, y)
    b = Perceptron(eta=0.1, n_iter=5, shuffle=True, random_state=7).fit(X, y)
    np.testing.assert_array_equal(a.w_, b.w_)
    assert a.errors_ == b.errors_


def test_repr():
    assert repr(Perceptron(eta=0.1)) == "Perceptron(eta=0.1, n_iter=50, random_state=1, shuffle=False)"
    assert repr(Adaline()) == "Adaline(eta=0.01, n_iter=50, random_state=1)"


# ----------------------------------------------------------------------------------------- bad input

X2 = np.zeros((4, 2))
Y2 = np.array([0, 1, 0, 1])
FITTED = Perceptron().fit(np.array([[1.0, 2.0], [-1.0, -2.0]]), [1, 0])


@pytest.mark.parametrize("call, error, message", [
    (lambda: Perceptron().fit(X2, Y2[:3]), ValueError,
     r"Perceptron.fit\(\): expected y of shape \(4,\), one label per row of X, got shape \(3,\)."),
    (lambda: Adaline().fit(X2, Y2[:, None]), ValueError,
     r"Adaline.fit\(\): expected y of shape \(4,\), one label per row of X, got shape \(4, 1\). "
     r"Flatten it with y.ravel\(\)."),
    (lambda: Perceptron().fit(np.zeros(4), Y2), ValueError,
     r"Perceptron.fit\(\): expected X of shape \(n_samples, n_features\), got shape \(4,\). For a single feature, "
     r"pass X.reshape\(-1, 1\)."),
    (lambda: Adaline().fit(np.zeros((4, 2, 1)), Y2), ValueError,
     r"Adaline.fit\(\): expected X of shape \(n_samples, n_features\), got shape \(4, 2, 1\).$"),
    (lambda: Perceptron().fit(np.array([[1.0, np.nan], [0.0, np.inf], [1.0, 1.0], [2.0, 2.0]]), Y2), ValueError,
     r"Perceptron.fit\(\): expected finite values in X, got nan in sample 0\. Remove or impute the bad samples"),
    (lambda: Adaline().fit(X2, np.array([0.0, np.nan, 1.0, 1.0])), ValueError,
     r"Adaline.fit\(\): expected finite labels in y, got nan at index 1\.$"),
    (lambda: Perceptron().fit(X2, [1, 1, 1, 1]), ValueError,
     r"Perceptron.fit\(\): expected at least 2 classes in y, got 1 \(np.int64\(1\)\)."),
    (lambda: Perceptron().fit(np.zeros((0, 2)), []), ValueError,
     r"Perceptron.fit\(\): expected at least one sample, got X of shape \(0, 2\)."),
    (lambda: Perceptron().fit([["a", "b"]], [0]), TypeError, r"Perceptron.fit\(\): expected X to be numbers"),
    (lambda: Perceptron().predict(X2), RuntimeError, r"Perceptron.predict\(\): call fit\(\) before predict\(\)."),
    (lambda: Adaline().score(X2, Y2), RuntimeError, r"Adaline.predict\(\): call fit\(\) before predict\(\)."),
    (lambda: Adaline().net_input(X2), RuntimeError, r"Adaline.net_input\(\): call fit\(\) before net_input\(\)."),
    (lambda: FITTED.predict(np.zeros((3, 5))), ValueError,
     r"Perceptron.predict\(\): expected X with 2 features \(as in fit\), got 5."),
    (lambda: FITTED.score(np.zeros((3, 2)), [0, 1]), ValueError,
     r"Perceptron.score\(\): expected y of shape \(3,\), one label per row of X, got shape \(2,\)."),
    (lambda: Perceptron(eta=-0.1), ValueError,
     r"Perceptron: expected eta \(the learning rate\) to be a positive number, got -0.1."),
    (lambda: Adaline(eta=0), ValueError,
     r"Adaline: expected eta \(the learning rate\) to be a positive number, got 0."),
    (lambda: Adaline(n_iter=0), ValueError,
     r"Adaline: expected n_iter \(the number of epochs\) to be a positive integer, got 0."),
    (lambda: Perceptron(n_iter=2.5), ValueError, r"got 2.5."),
])
def test_bad_input_messages(call, error, message):
    with pytest.raises(error, match=message):
        call()

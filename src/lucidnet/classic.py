"""The classic single-neuron classifiers of the tutorials: Rosenblatt's Perceptron and Widrow and Hoff's Adaline.

Both compute a net input ``z = w . x + b`` and differ in how they learn from it: the Perceptron corrects
its weights after each misclassified sample, Adaline follows the gradient of the squared error of ``z``
itself. They are written out in NumPy (float64), without autograd, as in chapter 2 of Raschka's *Python
Machine Learning*, with scikit-learn's interface: ``fit(X, y)`` returns the model, then ``predict``,
``score`` (accuracy) and the learned ``w_`` and ``b_``. Labels can be any values (0/1, -1/+1, strings);
with more than two classes the models are trained one-vs-rest, one unit per class, and predict the class
whose unit has the largest net input.
"""
import numbers

import numpy as np

from .random import numpy_generator
from .tensor import Tensor
from .validation import check_all_finite, check_finite, check_int

__all__ = ["Adaline", "Perceptron", "from_state"]


class _LinearUnit:
    """What the Perceptron and Adaline share: argument and input checks, labels to 0/1 targets (one
    column per class for one-vs-rest), the net input, predict and score."""

    def __init__(self, eta=0.01, n_iter=50, random_state=1):
        name = type(self).__name__
        if not isinstance(eta, numbers.Real) or isinstance(eta, bool) or not 0 < eta < np.inf:
            raise ValueError(f"{name}: expected eta (the learning rate) to be a positive number, got {eta!r}.")
        n_iter = check_int(name, "n_iter (the number of epochs)", n_iter)
        self.eta, self.n_iter, self.random_state = float(eta), n_iter, random_state

    def _params(self):
        return f"eta={self.eta}, n_iter={self.n_iter}, random_state={self.random_state!r}"

    def __repr__(self):
        return f"{type(self).__name__}({self._params()})"

    # ----------------------------------------------------------------------------------------- checks

    def _check_X(self, where, X):
        """X as a finite float64 matrix (n_samples, n_features)."""
        try:
            X = np.asarray(X.array if isinstance(X, Tensor) else X, dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError(f"{where}: expected X to be numbers (an array of shape (n_samples, n_features)), got "
                            f"{type(X).__name__} that NumPy cannot turn into floats.") from None
        if X.ndim != 2:
            hint = " For a single feature, pass X.reshape(-1, 1)." if X.ndim == 1 else ""
            raise ValueError(f"{where}: expected X of shape (n_samples, n_features), got shape {tuple(X.shape)}.{hint}")
        if X.shape[0] == 0:
            raise ValueError(f"{where}: expected at least one sample, got X of shape {tuple(X.shape)}.")
        check_finite(X, where, "X")
        return X

    def _check_y(self, where, y, n):
        y = np.asarray(y.array if isinstance(y, Tensor) else y)
        if y.shape != (n,):
            hint = " Flatten it with y.ravel()." if y.size == n else ""
            raise ValueError(f"{where}: expected y of shape ({n},), one label per row of X, got shape {tuple(y.shape)}.{hint}")
        check_all_finite(y, where, "labels in y")
        return y

    def _check_fitted(self, where, X):
        if not hasattr(self, "w_"):
            raise RuntimeError(f"{where}: call fit() before {where.split('.')[1]}.")
        X = self._check_X(where, X)
        if X.shape[1] != self.w_.shape[-1]:
            raise ValueError(f"{where}: expected X with {self.w_.shape[-1]} features (as in fit), got {X.shape[1]}.")
        return X

    def _start(self, X, y):
        """Check the data, find the classes, draw the initial weights. Returns X, the 0/1 targets T of
        shape (n_samples, units) and the weights W (units, n_features) and biases b (units,)."""
        where = f"{type(self).__name__}.fit()"
        X = self._check_X(where, X)
        y = self._check_y(where, y, X.shape[0])
        self.classes_ = np.unique(y)
        if len(self.classes_) < 2:
            raise ValueError(f"{where}: expected at least 2 classes in y, got 1 ({self.classes_[0]!r}).")
        if len(self.classes_) == 2:                  # one unit: target 1 for the second class
            T = (y == self.classes_[1]).astype(np.float64)[:, None]
        else:                                        # one-vs-rest: unit k says "class k or not"
            T = (y[:, None] == self.classes_[None, :]).astype(np.float64)
        rng = numpy_generator(self.random_state)
        W = rng.normal(0.0, 0.01, size=(T.shape[1], X.shape[1]))      # small random weights, as in Raschka
        b = np.zeros(T.shape[1])
        return X, T, W, b, rng

    def _finish(self, W, b):
        """Store the weights: w_ (n_features,) and a scalar b_ for two classes, else one row per class."""
        if W.shape[0] == 1:
            self.w_, self.b_ = W[0].copy(), float(b[0])
        else:
            self.w_, self.b_ = W, b

    # ----------------------------------------------------------------------------------------- predicting

    def net_input(self, X):
        """The net input ``z = X @ w_ + b_``: shape (n_samples,) for two classes, (n_samples, n_classes) else.

        Args:
            X: array of shape (n_samples, n_features).
        """
        X = self._check_fitted(f"{type(self).__name__}.net_input()", X)
        return X @ self.w_.T + self.b_

    def _decide(self, z):
        raise NotImplementedError

    def predict(self, X):
        """The predicted label of each row of X (values from the labels seen in fit).

        Args:
            X: array of shape (n_samples, n_features).
        """
        X = self._check_fitted(f"{type(self).__name__}.predict()", X)
        z = X @ self.w_.T + self.b_
        if z.ndim == 1:
            return self.classes_[self._decide(z).astype(np.intp)]
        return self.classes_[np.argmax(z, axis=1)]   # one-vs-rest: the most confident unit wins

    # ----------------------------------------------------------------------------------------- saving

    def get_state(self):
        """The fitted model as plain values (numbers and arrays), e.g. for ``lucidnet.save``; :func:`from_state`
        rebuilds it. Weights are kept as 2-D ``w`` and 1-D ``b`` (one row per unit) with a ``binary`` flag.

        Example:
            >>> import numpy as np
            >>> X = np.array([[2.0, 1.0], [3.0, 2.0], [-1.0, -2.0], [-2.0, -1.0]])
            >>> model = Adaline(eta=0.05, n_iter=30).fit(X, [1, 1, 0, 0])
            >>> state = model.get_state(); state["class"], state["w"].shape, state["binary"]
            ('Adaline', (1, 2), True)
            >>> from_state(state).predict(X).tolist()
            [1, 1, 0, 0]
        """
        if not hasattr(self, "w_"):
            raise RuntimeError(f"{type(self).__name__}.get_state(): call fit() before get_state().")
        return {"class": type(self).__name__, "eta": self.eta, "n_iter": self.n_iter, "binary": np.ndim(self.b_) == 0,
                "w": np.atleast_2d(self.w_), "b": np.atleast_1d(self.b_), "classes": np.asarray(self.classes_)}

    def score(self, X, y):
        """The accuracy on (X, y): the fraction of rows whose predicted label equals y.

        Args:
            X: array of shape (n_samples, n_features).
            y: labels of shape (n_samples,).
        """
        pred = self.predict(X)
        y = self._check_y(f"{type(self).__name__}.score()", y, len(pred))
        return float(np.mean(pred == y))


class Perceptron(_LinearUnit):
    """Rosenblatt's perceptron: a threshold unit that learns from its mistakes.

    The output is a step function of the net input, ``y_hat = 1 if w . x + b >= 0 else 0``. Going through
    the samples one at a time, each sample moves the weights by the learning rule

        ``w <- w + eta * (y - y_hat) * x``,   ``b <- b + eta * (y - y_hat)``

    which is zero for a correctly classified sample and pushes the boundary towards the sample otherwise.
    If the two classes are linearly separable, the perceptron convergence theorem guarantees that an epoch
    with no mistake comes after finitely many updates; if not, the weights never settle.

    Args:
        eta: learning rate, in (0, inf). Default: 0.01.
        n_iter: number of passes (epochs) over the training set. Default: 50.
        random_state: seed of the small random initial weights (an int, a Generator, or None for lucidnet's
            default generator). Default: 1.
        shuffle: visit the samples in a new random order each epoch (otherwise in the given order, as in
            Rosenblatt's and Raschka's presentation). Default: False.

    Attributes:
        w_: the weights, shape (n_features,); (n_classes, n_features) one-vs-rest.
        b_: the bias, a float; shape (n_classes,) one-vs-rest.
        errors_: per epoch, the number of samples misclassified (by any unit, one-vs-rest), i.e. that
            caused an update.
        classes_: the sorted labels seen in fit.

    Example:
        >>> import numpy as np
        >>> X = np.array([[2.0, 1.0], [3.0, 2.0], [-1.0, -2.0], [-2.0, -1.0]])
        >>> y = np.array(["yes", "yes", "no", "no"])
        >>> model = Perceptron(eta=0.1, n_iter=10).fit(X, y)
        >>> model.predict([[4.0, 3.0], [-3.0, -3.0]]).tolist(), model.score(X, y)
        (['yes', 'no'], 1.0)
        >>> model.errors_[-1]
        0
    """

    def __init__(self, eta=0.01, n_iter=50, random_state=1, shuffle=False):
        super().__init__(eta, n_iter, random_state)
        self.shuffle = bool(shuffle)

    def _params(self):
        return super()._params() + f", shuffle={self.shuffle}"

    def _decide(self, z):
        return z >= 0.0                              # the step function

    def fit(self, X, y):
        """Learn the weights by the perceptron rule, ``n_iter`` epochs of one update per sample.

        Args:
            X: training inputs, shape (n_samples, n_features).
            y: labels, shape (n_samples,): two classes, or more for one-vs-rest.

        Returns:
            self
        """
        X, T, W, b, rng = self._start(X, y)
        self.errors_ = []
        for _ in range(self.n_iter):
            order = rng.permutation(len(X)) if self.shuffle else range(len(X))
            errors = 0
            for i in order:
                x = X[i]
                y_hat = (W @ x + b >= 0.0)                   # each unit's step output
                update = self.eta * (T[i] - y_hat)           # 0 where the unit was right
                if update.any():
                    W += update[:, None] * x
                    b += update
                    errors += 1
            self.errors_.append(errors)
        self._finish(W, b)
        return self


class Adaline(_LinearUnit):
    """ADAptive LInear NEuron (Widrow and Hoff, 1960): learns from the net input itself, not from the
    thresholded output.

    The activation is the identity, ``phi(z) = z = w . x + b``, and training minimizes the mean squared
    error ``L(w, b) = mean((y - z)^2)`` by full-batch gradient descent. One step per epoch:

        ``w <- w + eta * 2 * X.T @ (y - z) / n``,   ``b <- b + eta * 2 * mean(y - z)``

    Because the loss is a smooth convex function, a small enough ``eta`` lowers it at every epoch (too large
    an eta makes it blow up: standardize the features first). Predictions threshold the output at 0.5,
    halfway between the 0/1 targets.

    Args:
        eta: learning rate, in (0, inf). Default: 0.01.
        n_iter: number of epochs (gradient steps). Default: 50.
        random_state: seed of the small random initial weights (an int, a Generator, or None for lucidnet's
            default generator). Default: 1.

    Attributes:
        w_: the weights, shape (n_features,); (n_classes, n_features) one-vs-rest.
        b_: the bias, a float; shape (n_classes,) one-vs-rest.
        losses_: the mean squared error at the start of each epoch (averaged over the units, one-vs-rest).
        classes_: the sorted labels seen in fit.

    Example:
        >>> import numpy as np
        >>> X = np.array([[2.0, 1.0], [3.0, 2.0], [-1.0, -2.0], [-2.0, -1.0]])
        >>> model = Adaline(eta=0.05, n_iter=30).fit(X, [1, 1, 0, 0])
        >>> model.predict([[4.0, 3.0], [-3.0, -3.0]]).tolist(), model.score(X, [1, 1, 0, 0])
        ([1, 0], 1.0)
        >>> bool(np.all(np.diff(model.losses_) < 0))      # the loss fell at every epoch
        True
    """

    def _decide(self, z):
        return z >= 0.5                              # threshold the linear output between the 0/1 targets

    def fit(self, X, y):
        """Learn the weights by gradient descent on the mean squared error, one full-batch step per epoch.

        Args:
            X: training inputs, shape (n_samples, n_features); standardized features train best.
            y: labels, shape (n_samples,): two classes, or more for one-vs-rest.

        Returns:
            self
        """
        X, T, W, b, _ = self._start(X, y)
        n = len(X)
        self.losses_ = []
        for _ in range(self.n_iter):
            output = X @ W.T + b                             # the identity activation: phi(z) = z
            errors = T - output
            W += self.eta * 2.0 * errors.T @ X / n           # -dL/dW = 2/n sum (y - z) x
            b += self.eta * 2.0 * errors.mean(axis=0)
            self.losses_.append(float(np.mean(errors ** 2)))
        self._finish(W, b)
        return self


def from_state(state):
    """The Perceptron or Adaline that :meth:`get_state` described (arrays may be lucidnet Tensors, as
    ``lucidnet.load`` gives them).

    Raises:
        KeyError, TypeError, ValueError: for a state that is not one ``get_state`` wrote.
    """
    cls = {"Perceptron": Perceptron, "Adaline": Adaline}[state["class"]]
    arr = {k: (v.array if isinstance(v, Tensor) else np.asarray(v)) for k, v in state.items()
           if k in ("w", "b", "classes")}
    model = cls(eta=state["eta"], n_iter=state["n_iter"])
    model.w_ = arr["w"][0].astype(np.float64) if state["binary"] else arr["w"].astype(np.float64)
    model.b_ = float(arr["b"][0]) if state["binary"] else arr["b"].astype(np.float64)
    model.classes_ = arr["classes"]
    return model

"""The op table: sample inputs for every primitive, the test table of the whole core.

Every primitive registered with ``@primitive`` (``lucidnet.autograd.PRIMITIVES``) needs at least one row
in ``ROWS``; ``test_gradcheck.py`` fails if one has none, checks that each row records the primitive it
names, checks its gradients in float64 against central differences (and that forward and backward leave
the inputs untouched), and ``test_torch_oracle.py`` compares its values and gradients with PyTorch in
float64 and float32.
``COMPOSITES`` holds the same kind of rows for functions built from primitives (mean, var, stack, ...).

Adding a primitive means appending rows here, e.g.::

    row("erf", lambda t, x: t.erf(x), randn(3, 4)),
    row("conv2d", lambda t, x, w, b: t.conv2d(x, w, b, stride=2), randn(2, 3, 7, 7), randn(4, 3, 3, 3), randn(4)),
    row("embedding", lambda t, ids, w: t.embedding(ids, w), ints(5, 2, 3), randn(5, 4), label="repeats"),

A row is: the primitive's name (the key in PRIMITIVES), a function, and its sample inputs.

* The function takes a namespace ``t`` and the inputs as tensors, and is written in PyTorch's spelling:
  ``t`` is lucidnet (``lucidnet.nn.functional``, ``lucidnet.functional``, ``lucidnet``, searched in that
  order) for the gradient check, and torch (``torch.nn.functional``, then ``torch``) for the oracle. So
  ``t.pad`` is ``F.pad`` and ``t.cat`` is ``torch.cat``. It returns one tensor.
* Floating inputs are differentiated (all of them, unless ``grad=`` lists the indices that are);
  integer and bool inputs become index/mask tensors. Make inputs with the helpers below, kept small
  (a gradient check costs two forward passes per element): ``randn`` (normal), ``positive`` (in
  [0.5, 2], for log/sqrt), ``away`` (|x| in [0.2, 2], away from the kink of abs/relu), ``distinct``
  (no ties, for max/sort), ``ints(high, *shape)`` and ``mask(*shape)``.
* Put broadcasting, keepdims, negative axes and repeated indices in on purpose: that is where backward
  rules go wrong. ``label`` tells rows of one primitive apart in test ids.
* ``torch=False`` keeps a row out of the oracle, for behaviour that differs from PyTorch by design
  (say why in the label). Random ops (dropout) should fix their seed inside ``fn``.
* ``fd=False`` keeps a row out of the finite-difference check, for inputs placed on purpose where the
  derivative is a convention (ties of max, the kink of relu at 0): the oracle still checks PyTorch's choice.
* ``eps``/``rtol``/``atol`` loosen the finite-difference check for one row, where the function itself
  rounds (a float32 round trip); ``rtol32``/``atol32`` the float32 oracle comparison.
"""
import dataclasses
from typing import Callable, Optional

import numpy as np

_rng = np.random.default_rng(20240607)        # one seeded stream: the table is the same in every run


# ------------------------------------------------------------------------------------------- input helpers

def randn(*shape):
    """Standard normal float64 samples."""
    return _rng.standard_normal(shape)


def positive(*shape):
    """Values in [0.5, 2]: safe for log, sqrt, division, and powers with any exponent."""
    return _rng.uniform(0.5, 2.0, shape)


def away(*shape):
    """Values with |x| in [0.2, 2] and random signs: finite differences never straddle a kink at 0."""
    return _rng.uniform(0.2, 2.0, shape) * _rng.choice([-1.0, 1.0], shape)


def distinct(*shape):
    """Values at least 0.1 apart (no ties), in random order: max/min/sort have one clear winner."""
    n = int(np.prod(shape))
    return (_rng.permutation(n) * 0.1 - n * 0.05 + _rng.uniform(-0.02, 0.02, n)).reshape(shape)


def ints(high, *shape):
    """int64 values in [0, high): indices, class ids."""
    return _rng.integers(0, high, shape)


def mask(*shape):
    """A random bool array with both values present."""
    m = _rng.random(shape) < 0.5
    m.flat[0], m.flat[-1] = True, False
    return m


# ------------------------------------------------------------------------------------------- namespaces

class Namespace:
    """Attribute lookup over several modules, first hit wins: ``t.pad`` is ``F.pad``, ``t.cat`` is ``torch.cat``."""

    def __init__(self, *modules):
        self._modules = modules

    def __getattr__(self, name):
        for m in self._modules:
            if hasattr(m, name):
                return getattr(m, name)
        raise AttributeError(f"no {name!r} in {[m.__name__ for m in self._modules]}")


def lucidnet_namespace():
    import importlib

    import lucidnet
    modules = []
    try:
        modules.append(importlib.import_module("lucidnet.nn.functional"))
    except ModuleNotFoundError:
        pass
    return Namespace(*modules, lucidnet.functional, lucidnet)


def torch_namespace():
    import torch
    return Namespace(torch.nn.functional, torch)


# ------------------------------------------------------------------------------------------- rows

@dataclasses.dataclass(frozen=True)
class Row:
    name: str                                  # the primitive (or composite) this row exercises
    fn: Callable                               # fn(t, *tensors) -> Tensor, PyTorch spelling
    args: tuple                                # sample inputs, NumPy arrays
    label: str = ""                            # tells rows of one name apart
    grad: Optional[tuple] = None               # indices of the differentiated args (default: all floating)
    torch: bool = True                         # compared with PyTorch in the oracle suite
    fd: bool = True                            # checked by finite differences (False at ties and kinks)
    eps: float = 1e-6
    rtol: float = 1e-5
    atol: float = 1e-6
    rtol32: float = 1e-4
    atol32: float = 1e-5

    @property
    def id(self):
        return f"{self.name}-{self.label}" if self.label else self.name

    def diff_args(self):
        """Indices of the args whose gradient is checked."""
        if self.grad is not None:
            return tuple(self.grad)
        return tuple(i for i, a in enumerate(self.args) if np.asarray(a).dtype.kind == "f")


def row(name, fn, *args, **options):
    """One row: ``row("mul", lambda t, a, b: a * b, randn(3, 4), randn(4), label="broadcast")``."""
    return Row(name, fn, tuple(np.asarray(a) for a in args), **options)


# Primitives: every key of lucidnet.autograd.PRIMITIVES needs a row (test_gradcheck enforces it).
ROWS = [
    # ----- arithmetic, broadcasting both ways
    row("add", lambda t, a, b: a + b, randn(3, 4), randn(3, 4), label="same"),
    row("add", lambda t, a, b: a + b, randn(2, 3, 4), randn(4), label="broadcast"),
    row("add", lambda t, a, b: a + b, randn(3, 1), randn(1, 4), label="outer"),
    row("add", lambda t, a: a + 2.5, randn(3), label="scalar"),
    row("add", lambda t, a, b: a + b, randn(2, 3), randn(2, 3), grad=(0,), label="one-needs-grad"),
    row("sub", lambda t, a, b: a - b, randn(2, 1, 4), randn(3, 1), label="broadcast"),
    row("sub", lambda t, a: 1.0 - a, randn(3), label="rsub"),
    row("mul", lambda t, a, b: a * b, randn(3, 4), randn(3, 4), label="same"),
    row("mul", lambda t, a, b: a * b, randn(4, 1, 3), randn(2, 3), label="broadcast"),
    row("mul", lambda t, a: a * a, randn(5), label="self"),
    row("mul", lambda t, a, b: a * b, randn(3, 4), np.array(randn(1)[0]), label="0d"),
    row("div", lambda t, a, b: a / b, randn(3, 4), away(4), label="broadcast"),
    row("div", lambda t, a, b: a / b, randn(1, 3), away(2, 1), label="outer"),
    row("div", lambda t, a: 2.0 / a, away(3), label="rdiv"),
    row("neg", lambda t, a: -a, randn(2, 3)),
    row("pow", lambda t, a: a ** 2, randn(3, 2), label="square"),
    row("pow", lambda t, a: a ** 3, randn(4), label="cube"),
    row("pow", lambda t, a: a ** -1.5, positive(2, 3), label="negative-fractional"),
    row("pow", lambda t, a: a ** 0.5, positive(5), label="sqrt"),
    row("pow", lambda t, a: a ** 0 + a ** 1 + a ** 2, np.array([0.0, -1.5, 2.0]), label="small-exponents-at-zero"),
    row("power", lambda t, a, b: a ** b, positive(3, 4), randn(4), label="broadcast"),
    row("power", lambda t, b: 2.0 ** b, randn(3), label="rpow"),
    row("power", lambda t, a, b: a ** b, positive(2, 1), randn(1, 3), grad=(1,), label="exponent-only"),
    row("power", lambda t, a, b: a ** b, np.array([0.0, 0.0, 2.0, 0.0]), np.array([0.0, 2.0, 0.0, 1.0]),
        label="zero-base-or-exponent", fd=False),
    # ----- unary math
    row("exp", lambda t, a: a.exp(), randn(3, 4)),
    row("log", lambda t, a: a.log(), positive(3, 4)),
    row("sqrt", lambda t, a: a.sqrt(), positive(2, 3)),
    row("clone", lambda t, a: a.clone() * 2, randn(2, 3)),
    row("astype", lambda t, a: a.to(t.float32), randn(2, 3), label="float64-to-float32",
        eps=1e-3, rtol=1e-3, atol=1e-4),
    row("abs", lambda t, a: a.abs(), away(3, 4)),
    row("sin", lambda t, a: a.sin(), randn(3, 4)),
    row("cos", lambda t, a: a.cos(), randn(3, 4)),
    row("tanh", lambda t, a: a.tanh(), randn(3, 4)),
    row("sigmoid", lambda t, a: a.sigmoid(), randn(3, 4)),
    row("sigmoid", lambda t, a: (a * 40).sigmoid(), randn(8), label="saturating"),
    row("relu", lambda t, a: a.relu(), away(3, 4)),
    row("relu", lambda t, a: t.relu(a), away(5), label="function"),
    row("relu", lambda t, a: t.cat([a.relu(), a.abs(), a.clamp(-1, 1), a.clamp(min=0)]),
        np.array([-1.0, 0.0, 1.0, 2.0]), label="kinks", fd=False),
    row("clip", lambda t, a: a.clamp(-0.5, 0.5), away(4, 3) * 0.9, label="both"),
    row("clip", lambda t, a: a.clamp(min=0.3), away(6), label="min-only"),
    row("clip", lambda t, a: t.clamp(a, max=-0.3), away(6), label="max-only"),
    # ----- selection
    row("maximum", lambda t, a, b: t.maximum(a, b), distinct(3, 4), distinct(4), label="broadcast"),
    row("maximum", lambda t, a: t.maximum(a, a * 0 + 0.5), distinct(5), label="tensor-constant"),
    row("minimum", lambda t, a, b: t.minimum(a, b), distinct(2, 1, 3), distinct(4, 1), label="broadcast"),
    row("maximum", lambda t, a, b: t.maximum(a, b) + t.minimum(a, b) * 3, np.array([1., 2., 3.]),
        np.array([1., 0., 3.]), label="ties-split", fd=False),
    row("where", lambda t, c, a, b: t.where(c, a, b), mask(3, 4), randn(3, 4), randn(3, 4), label="same"),
    row("where", lambda t, c, a, b: t.where(c, a, b), mask(3, 1), randn(4), randn(3, 4), label="broadcast"),
    row("where", lambda t, a: t.where(a > 0, a, a * 0), away(6), label="relu-like"),
    # ----- matrix products
    row("matmul", lambda t, a, b: a @ b, randn(3, 4), randn(4, 2), label="2d"),
    row("matmul", lambda t, a, b: a @ b, randn(4), randn(4, 3), label="vector-matrix"),
    row("matmul", lambda t, a, b: a @ b, randn(3, 4), randn(4), label="matrix-vector"),
    row("matmul", lambda t, a, b: a @ b, randn(4), randn(4), label="dot"),
    row("matmul", lambda t, a, b: a @ b, randn(2, 3, 4), randn(2, 4, 2), label="batched"),
    row("matmul", lambda t, a, b: a @ b, randn(2, 3, 4), randn(4, 2), label="batch-times-matrix"),
    row("matmul", lambda t, a, b: a @ b, randn(3, 4), randn(2, 4, 2), label="matrix-times-batch"),
    row("matmul", lambda t, a, b: a @ b, randn(2, 1, 3, 4), randn(3, 4, 2), label="batch-broadcast"),
    row("matmul", lambda t, a, b: a @ b, randn(2, 3, 4), randn(4), label="batch-times-vector"),
    row("matmul", lambda t, a, b: a @ b, randn(4), randn(2, 4, 3), label="vector-times-batch"),
    row("linear", lambda t, x, w, b: t.linear(x, w, b), randn(3, 4), randn(2, 4), randn(2), label="bias"),
    row("linear", lambda t, x, w: t.linear(x, w), randn(2, 3, 4), randn(5, 4), label="batched-no-bias"),
    row("linear", lambda t, x, w, b: t.linear(x, w, b), randn(4), randn(3, 4), randn(3), label="1d"),
    row("linear", lambda t, x, w, b: t.linear(x, w, b), randn(3, 4), randn(2, 4), randn(2), grad=(1, 2),
        label="params-only"),
    # ----- softmax family
    row("softmax", lambda t, a: t.softmax(a, dim=-1), randn(3, 5), label="last"),
    row("softmax", lambda t, a: t.softmax(a, dim=0), randn(3, 4), label="dim0"),
    row("softmax", lambda t, a: t.softmax(a * 30, dim=1), randn(2, 3, 2), label="peaked"),
    row("log_softmax", lambda t, a: t.log_softmax(a, dim=-1), randn(3, 5), label="last"),
    row("log_softmax", lambda t, a: t.log_softmax(a, dim=1), randn(2, 3, 2), label="middle"),
    row("cross_entropy", lambda t, z, y: t.cross_entropy(z, y), randn(4, 5), ints(5, 4), label="ids"),
    row("cross_entropy", lambda t, z, y: t.cross_entropy(z, y, reduction="sum"), randn(4, 3), ints(3, 4),
        label="sum"),
    row("cross_entropy", lambda t, z, y: t.cross_entropy(z, y, reduction="none"), randn(4, 3), ints(3, 4),
        label="none"),
    row("cross_entropy", lambda t, z, y, w: t.cross_entropy(z, y, weight=w), randn(5, 3), ints(3, 5),
        positive(3), grad=(0,), label="weight"),
    row("cross_entropy", lambda t, z, y: t.cross_entropy(z, y, ignore_index=1, label_smoothing=0.2),
        randn(6, 3), np.array([0, 1, 2, 1, 0, 2]), label="ignore-smoothing"),
    row("cross_entropy", lambda t, z, p: t.cross_entropy(z, p), randn(3, 4), np.full((3, 4), 0.25) +
        np.array([0.5, -0.25, 0.0, -0.25]), grad=(0,), label="probabilities"),
    row("cross_entropy", lambda t, z, y: t.cross_entropy(z, y), randn(2, 3, 2, 2), ints(3, 2, 2, 2),
        label="spatial"),
    row("cross_entropy", lambda t, z, y: t.cross_entropy(z, y), randn(4), np.array(2), label="unbatched"),
    row("cross_entropy", lambda t, z, y: t.cross_entropy(z, y), randn(2, 3), np.array([-100, -100]),
        label="all-ignored-nan-loss-zero-grad", fd=False),
    # ----- reductions
    row("sum", lambda t, a: a.sum(), randn(3, 4), label="all"),
    row("sum", lambda t, a: a.sum(dim=1), randn(3, 4), label="dim"),
    row("sum", lambda t, a: a.sum(-1, keepdim=True), randn(2, 3, 4), label="negative-keepdim"),
    row("sum", lambda t, a: a.sum(dim=(0, 2)), randn(2, 3, 4), label="tuple"),
    row("sum", lambda t, a: a.sum(dim=(-1, 0), keepdim=True), randn(2, 3, 4), label="tuple-keepdim"),
    row("amax", lambda t, a: a.amax(dim=1), distinct(3, 4), label="dim"),
    row("amax", lambda t, a: a.amax(dim=(0, -1), keepdim=True), distinct(2, 3, 2), label="tuple-keepdim"),
    row("amax", lambda t, a: a.max(), distinct(3, 4), label="all"),
    row("amax", lambda t, a: a.amax(dim=0), np.array([[1., 2.], [1., 0.], [0.5, 2.]]), label="ties-split",
        fd=False),
    row("amin", lambda t, a: a.amin(dim=-1), distinct(3, 4), label="negative"),
    row("amin", lambda t, a: a.min(), distinct(2, 3), label="all"),
    # ----- shapes
    row("reshape", lambda t, a: a.reshape(4, 3), randn(3, 4), label="2d"),
    row("reshape", lambda t, a: a.reshape(2, -1, 2), randn(3, 4), label="infer"),
    row("reshape", lambda t, a: a.view(-1), randn(2, 3), label="view"),
    row("transpose", lambda t, a: a.transpose(0, 1), randn(3, 4), label="2d"),
    row("transpose", lambda t, a: a.transpose(-1, 0), randn(2, 3, 4), label="swap-negative"),
    row("transpose", lambda t, a: a.permute(2, 0, 1), randn(2, 3, 4), label="permute"),
    row("transpose", lambda t, a: a.T, randn(3, 4), label="T"),
    row("broadcast_to", lambda t, a: a.expand(3, 4), randn(3, 1), label="expand"),
    row("broadcast_to", lambda t, a: a.expand(2, -1, 4), randn(3, 1), label="new-leading"),
    row("getitem", lambda t, a: a[1], randn(3, 4), label="int"),
    row("getitem", lambda t, a: a[-1, 1:3], randn(3, 4), label="negative-slice"),
    row("getitem", lambda t, a: a[:, ::2], randn(3, 5), label="step"),
    row("getitem", lambda t, a: a[..., None, 1], randn(2, 3, 4), label="ellipsis-none"),
    row("getitem", lambda t, a: a[::-1], randn(4), label="negative-step-numpy-only", torch=False),
    row("getitem", lambda t, a, i: a[i], randn(4, 3), np.array([0, 2, 0, 3, 0]), label="int-array-repeats"),
    row("getitem", lambda t, a, i: a[:, i], randn(3, 4), np.array([[1, 1], [3, 0]]), label="int-array-2d"),
    row("getitem", lambda t, a, i, j: a[i, j], randn(3, 4), np.array([0, 2, 0]), np.array([1, 1, 1]),
        label="pairs-repeats"),
    row("getitem", lambda t, a, i: a[i, 1:], randn(3, 4), np.array([2, 2]), label="int-array-and-slice"),
    row("getitem", lambda t, a: a[[0, 0, 1]], randn(3, 2), label="list"),
    row("getitem", lambda t, a, m: a[m], randn(3, 4), mask(3, 4), label="bool-mask"),
    row("getitem", lambda t, a, m: a[m], randn(4, 3), mask(4), label="bool-rows"),
    row("getitem", lambda t, a, y: a[range(4), y], randn(4, 3), np.array([2, 0, 2, 1]), label="range-rows"),
    row("getitem", lambda t, a, y: a[range(3, -1, -1), y], randn(4, 3), np.array([1, 1, 0, 2]),
        label="range-reversed"),
    row("getitem", lambda t, a, y: a[:, range(-3, 0), y], randn(2, 3, 2), np.array([1, 0, 1]), label="range-negative"),
    row("getitem", lambda t, a, y: a[range(-1, 1), y], randn(1, 3), np.array([2, 2]), label="range-same-row-twice"),
    row("getitem", lambda t, a: a[range(0, 4, 2)], randn(4, 3), label="range-alone"),
    row("take_along_axis", lambda t, a: a.max(dim=1).values, distinct(3, 4), label="max-dim"),
    row("take_along_axis", lambda t, a: a.min(-1, keepdim=True)[0], distinct(2, 3, 4), label="min-keepdim"),
    row("concatenate", lambda t, a, b: t.cat([a, b]), randn(2, 3), randn(1, 3), label="dim0"),
    row("concatenate", lambda t, a, b, c: t.cat([a, b, c], dim=-1), randn(2, 1), randn(2, 3), randn(2, 2),
        label="negative-three"),
    row("concatenate", lambda t, a, b: t.cat([a, b, a], dim=1), randn(2, 2), randn(2, 1), label="repeated"),
    row("pad", lambda t, a: t.pad(a, (1, 2)), randn(2, 3), label="last"),
    row("pad", lambda t, a: t.pad(a, (0, 1, 2, 0), value=1.5), randn(2, 3, 2), label="two-axes-value"),
]


# Composites: functions built from primitives (no backward code of their own), checked the same way.
COMPOSITES = [
    row("mean", lambda t, a: a.mean(), randn(3, 4), label="all"),
    row("mean", lambda t, a: a.mean(dim=(0, -1), keepdim=True), randn(2, 3, 4), label="tuple-keepdim"),
    row("var", lambda t, a: a.var(), randn(3, 4), label="all"),
    row("var", lambda t, a: a.var(dim=1), randn(3, 4), label="dim"),
    row("var", lambda t, a: a.var(dim=0, unbiased=False, keepdim=True), randn(3, 4), label="biased"),
    row("var", lambda t, a: a.var(dim=-1, correction=0), randn(3, 4), label="correction"),
    row("std", lambda t, a: a.std(), randn(3, 4), label="all"),
    row("std", lambda t, a: a.std(dim=(0, 1)), randn(3, 4, 2), label="tuple"),
    row("std", lambda t, a: a.std(dim=1), np.array([[1.0, 1.0, 1.0], [1.0, 2.0, 4.0]]), label="zero-variance",
        fd=False),
    row("logsumexp", lambda t, a: a.logsumexp(dim=1), randn(3, 4), label="dim"),
    row("logsumexp", lambda t, a: t.logsumexp(a * 50, dim=-1, keepdim=True), randn(2, 5), label="large"),
    row("logsumexp", lambda t, a: a.logsumexp(dim=(0, 1)), randn(2, 3), label="tuple"),
    row("max-dim", lambda t, a: a.max(dim=0).values, distinct(3, 4), label="values"),
    row("max-dim", lambda t, a: a.max(1, keepdim=True)[0], distinct(3, 4), label="keepdim"),
    row("min-dim", lambda t, a: a.min(dim=-1).values, distinct(3, 4)),
    row("max-binary", lambda t, a, b: t.max(a, b), distinct(3, 4), distinct(3, 4)),
    row("stack", lambda t, a, b: t.stack([a, b]), randn(2, 3), randn(2, 3), label="dim0"),
    row("stack", lambda t, a, b: t.stack([a, b, a], dim=-1), randn(2, 3), randn(2, 3), label="last-repeated"),
    row("split", lambda t, a: t.cat([p * (i + 1) for i, p in enumerate(a.split(2))]), randn(5, 2), label="size"),
    row("split", lambda t, a: a.split([1, 3], dim=1)[1] * 2, randn(2, 4), label="sections"),
    row("chunk", lambda t, a: t.cat([p * (i + 1) for i, p in enumerate(a.chunk(3, dim=1))], dim=1), randn(2, 7)),
    row("pad", lambda t, a: t.pad(a, (1, 1, 1, 1)) * 2, randn(1, 2, 3), label="four"),
    row("masked_fill", lambda t, a, m: a.masked_fill(m, -1.0), randn(3, 4), mask(3, 4), label="same"),
    row("masked_fill", lambda t, a, m: a.masked_fill(m, 0.0), randn(3, 4), mask(4), label="broadcast"),
    row("flatten", lambda t, a: a.flatten(1), randn(2, 3, 2)),
    row("squeeze", lambda t, a: a.squeeze(1), randn(3, 1, 2)),
    row("unsqueeze", lambda t, a: a.unsqueeze(0) * a.unsqueeze(-1), randn(3)),
    row("expand_as", lambda t, a, b: a.expand_as(b) * b, randn(1, 3), randn(2, 3)),
    row("mT", lambda t, a: a.mT, randn(2, 3, 4)),
    row("t", lambda t, a: a.t(), randn(3, 4)),
    row("square", lambda t, a: a.square(), randn(4)),
    row("rsqrt", lambda t, a: a.rsqrt(), positive(4)),
    row("sum-function", lambda t, a: t.sum(a, dim=0), randn(2, 3)),
    row("softmax-composed", lambda t, a: a.exp() / a.exp().sum(dim=-1, keepdim=True), randn(3, 4)),
    row("mlp", lambda t, x, w1, b1, w2: t.log_softmax((x @ w1.T + b1).tanh() @ w2, dim=1),
        randn(4, 3), randn(5, 3), randn(5), randn(5, 2)),
    row("attention", lambda t, q, k, v: t.softmax(q @ k.transpose(-2, -1) / 2.0, dim=-1) @ v,
        randn(2, 3, 4), randn(2, 5, 4), randn(2, 5, 4)),
    row("layer-norm-by-hand", lambda t, x: (x - x.mean(-1, keepdim=True)) / (x.var(-1, unbiased=False, keepdim=True)
                                                                           + 1e-5).sqrt(), randn(3, 6)),
    row("reused", lambda t, a: a * a.sin() + a.exp() * a - a / (a * a + 1.0), randn(6)),
]


# lucidnet.nn's primitives and composites (nn.functional), appended last so the rows above keep their draws.
ROWS += [
    row("erf", lambda t, a: t.erf(a), randn(3, 4) * 2),
    row("erf", lambda t, a: t.erf(a), np.array([-6.5, -4.5, -3.0, -0.46875, -0.2, 0.0, 0.3, 0.46875, 1.0, 4.0, 4.5,
                                                7.0]), label="every-range"),
    row("gelu", lambda t, a: t.gelu(a), randn(3, 4) * 2, label="exact"),
    row("gelu", lambda t, a: t.gelu(a, approximate="tanh"), randn(2, 5) * 2, label="tanh"),
    row("leaky_relu", lambda t, a: t.leaky_relu(a, 0.2), away(3, 4)),
    row("elu", lambda t, a: t.elu(a, alpha=1.5), away(3, 4)),
    row("layer_norm", lambda t, x, w, b: t.layer_norm(x, (4,), w, b), randn(2, 3, 4), randn(4), randn(4),
        label="affine"),
    row("layer_norm", lambda t, x: t.layer_norm(x, (3, 4)), randn(2, 3, 4), label="two-axes-plain"),
    row("layer_norm", lambda t, x, b: t.layer_norm(x, (4,), None, b, eps=0.1), randn(3, 4), randn(4),
        label="bias-only-eps"),
    row("batch_norm", lambda t, x, w, b: t.batch_norm(x, None, None, w, b, training=True), randn(5, 3), randn(3),
        randn(3), label="2d"),
    row("batch_norm", lambda t, x, w, b: t.batch_norm(x, None, None, w, b, training=True, eps=0.01),
        randn(4, 3, 2), randn(3), randn(3), label="3d"),
    row("batch_norm", lambda t, x: t.batch_norm(x, None, None, training=True), randn(4, 2), label="plain"),
    row("embedding", lambda t, ids, w: t.embedding(ids, w), ints(5, 2, 3), randn(5, 4), label="repeats"),
    row("embedding", lambda t, ids, w: t.embedding(ids, w, padding_idx=0), np.array([[0, 2, 0], [1, 2, 2]]),
        randn(3, 4), fd=False, label="padding-row-gets-no-gradient-by-design"),
    row("binary_cross_entropy", lambda t, p, y: t.binary_cross_entropy(p, y), positive(3, 4) / 2.5,
        positive(3, 4) / 2.5, label="mean"),
    row("binary_cross_entropy", lambda t, p, y, w: t.binary_cross_entropy(p, y, w, reduction="none"),
        positive(2, 3) / 2.5, positive(2, 3) / 2.5, positive(3), grad=(0, 1), label="weight-none"),
    row("binary_cross_entropy_with_logits", lambda t, z, y: t.binary_cross_entropy_with_logits(z, y),
        randn(3, 4) * 3, positive(3, 4) / 2.5, label="mean"),
    row("binary_cross_entropy_with_logits", lambda t, z, y, w, p: t.binary_cross_entropy_with_logits(
        z, y, w, reduction="sum", pos_weight=p), randn(4, 3) * 3, positive(4, 3) / 2.5, positive(4, 1), positive(3),
        grad=(0, 1), label="weight-pos-weight-sum"),
]

COMPOSITES += [
    row("silu", lambda t, a: t.silu(a), randn(3, 4)),
    row("batch_norm-eval", lambda t, x, w, b: t.batch_norm(x, t.tensor([0.5, -1.0, 2.0], dtype=x.dtype),
                                                           t.tensor([2.0, 0.5, 1.0], dtype=x.dtype), w, b),
        randn(4, 3, 2), randn(3), randn(3)),
    row("mse_loss", lambda t, a, b: t.mse_loss(a, b), randn(3, 4), randn(3, 4)),
    row("mse_loss", lambda t, a, b: t.mse_loss(a, b, reduction="sum"), randn(5), randn(5), label="sum"),
    row("l1_loss", lambda t, a, b: t.l1_loss(a, b, reduction="none"), away(3, 4), randn(3, 4) * 0, label="none"),
    row("huber_loss", lambda t, a, b: t.huber_loss(a, b, delta=0.7), randn(4, 3), randn(4, 3)),
    row("nll_loss", lambda t, a, y: t.nll_loss(t.log_softmax(a, dim=1), y), randn(4, 5), ints(5, 4), label="ids"),
    row("nll_loss", lambda t, a, y, w: t.nll_loss(a, y, w, ignore_index=1), randn(6, 3),
        np.array([0, 1, 2, 1, 0, 2]), positive(3), grad=(0,), label="weight-ignore"),
    row("nll_loss", lambda t, a, y: t.nll_loss(a, y, reduction="none"), randn(2, 3, 2), ints(3, 2, 2),
        label="spatial-none"),
]


# Attention (issue 11): the fused primitive through F.scaled_dot_product_attention, and the triangle/mask helpers.
_FULLY_MASKED_ROW = mask(3, 5)
_FULLY_MASKED_ROW[1] = False                   # query 1 sees no key: zeros out, no gradient (as PyTorch)
ROWS += [
    row("attention", lambda t, q, k, v: t.scaled_dot_product_attention(q, k, v), randn(2, 3, 4), randn(2, 5, 4),
        randn(2, 5, 3), label="plain"),
    row("attention", lambda t, q, k, v: t.scaled_dot_product_attention(q, k, v, is_causal=True), randn(2, 2, 4, 3),
        randn(2, 2, 4, 3), randn(2, 2, 4, 3), label="causal"),
    row("attention", lambda t, q, k, v: t.scaled_dot_product_attention(q, k, v, is_causal=True, scale=0.7),
        randn(1, 2, 3, 4), randn(1, 2, 5, 4), randn(1, 2, 5, 2), label="causal-rectangular-scale"),
    row("attention", lambda t, q, k, v, m: t.scaled_dot_product_attention(q, k, v, attn_mask=m), randn(2, 3, 4),
        randn(2, 5, 4), randn(2, 5, 3), _FULLY_MASKED_ROW, label="bool-mask-a-fully-masked-row"),
    row("attention", lambda t, q, k, v, m: t.scaled_dot_product_attention(q, k, v, attn_mask=m), randn(2, 2, 3, 4),
        randn(2, 2, 5, 4), randn(2, 2, 5, 3), randn(2, 1, 3, 5), label="float-mask-gets-a-gradient"),
    row("attention", lambda t, q, k, v: t.scaled_dot_product_attention(q, k, v), randn(2, 1, 3, 4),
        randn(1, 3, 5, 4), randn(2, 3, 5, 2), label="broadcast-batch"),
    row("attention", lambda t, q, k, v: t.scaled_dot_product_attention(q, k, v, enable_gqa=True), randn(1, 4, 3, 2),
        randn(1, 2, 3, 2), randn(1, 2, 3, 2), label="grouped-query"),
    row("attention", lambda t, q, k, v: t.scaled_dot_product_attention(q, k, v, dropout_p=0.3, generator=5),
        randn(2, 3, 4), randn(2, 4, 4), randn(2, 4, 3), torch=False, label="dropout-seeded-lucidnet-only"),
]


def _packed(t, qkv, heads, **options):
    """lucidnet's packed_self_attention, or (for torch) the same by splitting the heads and calling SDPA."""
    if hasattr(t, "packed_self_attention"):
        return t.packed_self_attention(qkv, heads, **options)
    n, L, e3 = qkv.shape
    q, k, v = qkv.reshape(n, L, 3, heads, e3 // 3 // heads).permute(2, 0, 3, 1, 4)
    return t.scaled_dot_product_attention(q, k, v, **options).transpose(1, 2).reshape(n, L, e3 // 3)


ROWS += [
    row("self_attention", lambda t, x: _packed(t, x, 2), randn(2, 3, 12), label="plain"),
    row("self_attention", lambda t, x: _packed(t, x, 3, is_causal=True), randn(2, 4, 18), label="causal"),
    row("self_attention", lambda t, x, m: _packed(t, x, 2, attn_mask=m), randn(2, 3, 12), randn(2, 1, 1, 3),
        label="float-mask-gets-a-gradient"),
    row("self_attention", lambda t, x, m: _packed(t, x, 1, attn_mask=m, scale=0.5), randn(1, 4, 6), mask(4, 4),
        label="bool-mask-scale"),
]

COMPOSITES += [
    row("tril", lambda t, a: t.tril(a), randn(3, 4), label="function"),
    row("tril", lambda t, a: a.tril(-1), randn(2, 4, 3), label="below-batched"),
    row("triu", lambda t, a: a.triu(1), randn(4, 3)),
    row("triu", lambda t, a: t.triu(a, -2), randn(2, 3, 5), label="negative-diagonal"),
    row("masked_fill", lambda t, a, v: a.masked_fill(t.ones(3, 4, dtype=t.bool).triu(1), v), randn(3, 4),
        np.array(0.5), label="tensor-value-gets-a-gradient"),
    row("causal-softmax", lambda t, a: t.softmax(a.masked_fill(t.ones(4, 4).tril() == 0, float("-inf")), dim=-1),
        randn(2, 4, 4)),
]

# Recurrent layers: one primitive per layer and direction. Its PyTorch oracle is module-level (tests/nn/test_rnn.py
# copies weights into torch.nn.RNN/LSTM/GRU), since torch has no function of this signature.
ROWS += [
    row("rnn_sequence", lambda t, x, h, wi, wh, bi, bh: t.ops.rnn_sequence(x, h, None, wi, wh, bi, bh, None,
                                                                           mode="rnn_tanh"),
        randn(3, 2, 3), randn(2, 4), randn(4, 3), randn(4, 4) * 0.5, randn(4), randn(4), torch=False, label="tanh"),
    row("rnn_sequence", lambda t, x, h, wi, wh: t.ops.rnn_sequence(x, h, None, wi, wh, None, None, None,
                                                                   mode="rnn_relu", reverse=True),
        away(3, 2, 3), away(2, 4), away(4, 3), away(4, 4) * 0.5, torch=False, label="relu-reverse-no-bias"),
    row("rnn_sequence", lambda t, x, h, c, wi, wh, bi, bh: t.ops.rnn_sequence(x, h, c, wi, wh, bi, bh, None),
        randn(3, 2, 3), randn(2, 2), randn(2, 2), randn(8, 3), randn(8, 2), randn(8), randn(8), torch=False,
        label="lstm"),
    row("rnn_sequence", lambda t, x, h, c, wi, wh, bi, bh, wr: t.ops.rnn_sequence(x, h, c, wi, wh, bi, bh, wr,
                                                                                  reverse=True),
        randn(3, 2, 3), randn(2, 2), randn(2, 3), randn(12, 3), randn(12, 2), randn(12), randn(12), randn(2, 3),
        torch=False, label="lstm-projected-reverse"),
    row("rnn_sequence", lambda t, x, h, wi, wh, bi, bh: t.ops.rnn_sequence(x, h, None, wi, wh, bi, bh, None,
                                                                           mode="gru"),
        randn(3, 2, 3), randn(2, 2), randn(6, 3), randn(6, 2), randn(6), randn(6), torch=False, label="gru"),
    row("rnn_sequence", lambda t, x, h, wi, wh: t.ops.rnn_sequence(x, h, None, wi, wh, None, None, None, mode="gru",
                                                                   reverse=True),
        randn(4, 1, 2), randn(1, 3), randn(9, 2), randn(9, 3), torch=False, label="gru-reverse-no-bias"),
]


# Issue 12's math surface (rounding, trigonometry, logarithms, scans, norms, products, decompositions), appended
# last so the rows above keep their draws. Decompositions are checked through quantities that do not depend on
# the sign (gauge) LAPACK gives each singular or Q vector, so lucidnet and PyTorch must agree on them.
def _unit(*shape):
    """Values in [-0.75, 0.75]: inside the domain of asin, acos, atanh."""
    return positive(*shape) - 1.25


def _well_conditioned(*shape):
    """Random square matrices plus 3 I: comfortably invertible."""
    return randn(*shape) + 3 * np.eye(shape[-1])


def _assign(x, index, value):
    x[index] = value
    return x


def _diag(t, m):
    n = min(m.shape[-2:])
    return m[..., t.arange(n), t.arange(n)]


def _qr_gauge(t, a):
    q, r = t.linalg.qr(a)
    d = _diag(t, r).sign()                     # Q -> Q D, R -> D R with D = sign(diag R): the same for both
    return t.cat([(q * d.unsqueeze(-2)).flatten(), (r * d.unsqueeze(-1)).flatten()])


ROWS += [
    row("ceil", lambda t, a: a.ceil() * a, away(3, 4) * 3),
    row("floor", lambda t, a: t.floor(a) * a, away(3, 4) * 3),
    row("round", lambda t, a: a.round() * a + t.round(a, decimals=1), away(3, 4) * 3),
    row("trunc", lambda t, a: a.trunc() * a, away(3, 4) * 3),
    row("sign", lambda t, a: a.sign() * a, away(3, 4)),
    row("frac", lambda t, a: a.frac(), away(3, 4) * 3),
    row("remainder", lambda t, a, b: a % b, randn(3, 4) * 3, positive(4), label="broadcast"),
    row("remainder", lambda t, a, b: t.remainder(a, b), randn(5) * 3, -positive(5), label="negative-divisor"),
    row("fmod", lambda t, a, b: t.fmod(a, b), randn(3, 4) * 3, positive(3, 1)),
    row("tan", lambda t, a: a.tan(), _unit(3, 4)),
    row("asin", lambda t, a: a.asin(), _unit(3, 4)),
    row("acos", lambda t, a: t.acos(a), _unit(3, 4)),
    row("atan", lambda t, a: a.atan(), randn(3, 4) * 2),
    row("sinh", lambda t, a: a.sinh(), randn(3, 4)),
    row("cosh", lambda t, a: t.cosh(a), randn(3, 4)),
    row("asinh", lambda t, a: a.asinh(), randn(3, 4) * 2),
    row("acosh", lambda t, a: a.acosh(), positive(3, 4) + 1),
    row("atanh", lambda t, a: a.atanh(), _unit(3, 4)),
    row("atan2", lambda t, a, b: t.atan2(a, b), away(3, 4), away(4), label="broadcast"),
    row("log1p", lambda t, a: a.log1p(), positive(3, 4) - 0.4),
    row("expm1", lambda t, a: t.expm1(a), randn(3, 4)),
    row("log2", lambda t, a: a.log2(), positive(3, 4)),
    row("log10", lambda t, a: t.log10(a), positive(3, 4)),
    row("reciprocal", lambda t, a: a.reciprocal(), away(3, 4)),
    row("mean", lambda t, a: a.mean(dim=1), randn(3, 4), label="dim"),
    row("mean", lambda t, a: t.mean(a, dim=(0, 2), keepdim=True), randn(2, 3, 4), label="tuple-keepdim"),
    row("prod", lambda t, a: a.prod(), positive(2, 3), label="all"),
    row("prod", lambda t, a: a.prod(dim=1), randn(3, 4), label="dim"),
    row("prod", lambda t, a: t.prod(a, 0, keepdim=True), randn(3, 2, 2), label="keepdim"),
    row("prod", lambda t, a: a.prod(dim=-1), np.array([[1.5, 0.0, 2.0], [0.0, 3.0, 0.0], [1.0, 2.0, -1.0]]),
        label="zeros"),
    row("cumsum", lambda t, a: a.cumsum(dim=1), randn(3, 4)),
    row("cumsum", lambda t, a: t.cumsum(a, dim=-3), randn(3, 2, 2), label="negative"),
    row("cumprod", lambda t, a: a.cumprod(dim=1), randn(3, 4)),
    row("cumprod", lambda t, a: a.cumprod(0), np.array([[1.5, 0.0], [0.0, 2.0], [2.0, -1.0], [0.5, 3.0]]),
        label="zeros"),
    row("vector_norm", lambda t, a: t.linalg.vector_norm(a), randn(3, 4), label="2"),
    row("vector_norm", lambda t, a: t.linalg.vector_norm(a, ord=1, dim=1), away(3, 4), label="1-dim"),
    row("vector_norm", lambda t, a: t.linalg.vector_norm(a, ord=float("inf"), dim=0, keepdim=True), distinct(3, 4),
        label="inf"),
    row("vector_norm", lambda t, a: t.linalg.vector_norm(a, ord=-float("inf")), distinct(5), label="-inf"),
    row("vector_norm", lambda t, a: t.linalg.vector_norm(a, ord=3, dim=(0, 1)), away(2, 3, 2), label="3"),
    row("vector_norm", lambda t, a: t.linalg.vector_norm(a, ord=0.5), positive(4), label="half"),
    row("vector_norm", lambda t, a: t.linalg.vector_norm(a, dim=1), np.array([[0.0, 0.0], [3.0, 4.0]]),
        label="zero-row-gets-gradient-0", fd=False),
    row("vector_norm", lambda t, a: a.norm(dim=-1) + t.norm(a), randn(3, 4), label="torch-norm"),
    row("einsum", lambda t, a, b: t.einsum("ij,jk->ik", a, b), randn(3, 4), randn(4, 2), label="matmul"),
    row("einsum", lambda t, a, b: t.einsum("bij,bjk->bik", a, b), randn(2, 3, 4), randn(2, 4, 2), label="batched"),
    row("einsum", lambda t, a: t.einsum("ii->", a), randn(3, 3), label="trace"),
    row("einsum", lambda t, a: t.einsum("ii->i", a), randn(3, 3), label="diagonal"),
    row("einsum", lambda t, a: t.einsum("ij->j", a), randn(3, 4), label="sum"),
    row("einsum", lambda t, a, b: t.einsum("i,j", a, b), randn(3), randn(4), label="implicit-outer"),
    row("einsum", lambda t, a, b: t.einsum("...ij,...jk->...ik", a, b), randn(2, 1, 3, 4), randn(3, 4, 2),
        label="ellipsis-broadcast"),
    row("einsum", lambda t, a, b, c: t.einsum("ij,jk,kl->il", a, b, c), randn(2, 3), randn(3, 4), randn(4, 2),
        label="three"),
    row("einsum", lambda t, a, b: t.einsum("ijk,ik->j", a, b), randn(2, 3, 4), randn(2, 4), label="contract"),
    row("cross", lambda t, a, b: t.linalg.cross(a, b), randn(4, 3), randn(4, 3), label="linalg"),
    row("cross", lambda t, a, b: t.cross(a, b, dim=0), randn(3, 2), randn(3, 2), label="dim0"),
    row("cross", lambda t, a, b: t.linalg.cross(a, b), randn(1, 3), randn(2, 3), label="broadcast"),
    row("det", lambda t, a: t.linalg.det(a), randn(3, 3), label="square"),
    row("det", lambda t, a: t.det(a), randn(2, 3, 3), label="batched"),
    row("det", lambda t, a: t.linalg.det(a), np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.5, -1.0, 2.0]]),
        label="singular-cofactor-gradient-where-pytorch-gives-0", atol=1e-5, torch=False),
    row("inv", lambda t, a: t.linalg.inv(a), _well_conditioned(3, 3), label="square"),
    row("inv", lambda t, a: t.inverse(a), _well_conditioned(2, 3, 3), label="batched"),
    row("solve", lambda t, a, b: t.linalg.solve(a, b), _well_conditioned(3, 3), randn(3, 2), label="matrix"),
    row("solve", lambda t, a, b: t.linalg.solve(a, b), _well_conditioned(3, 3), randn(3), label="vector"),
    row("solve", lambda t, a, b: t.linalg.solve(a, b), _well_conditioned(2, 3, 3), randn(2, 3),
        label="batched-vectors"),
    row("solve", lambda t, a, b: t.linalg.solve(a, b), _well_conditioned(3, 3), randn(2, 3, 2),
        label="broadcast-A"),
    row("solve", lambda t, a, b: t.linalg.solve(a, b, left=False), _well_conditioned(3, 3), randn(2, 3),
        label="right"),
    row("svd", lambda t, a: t.linalg.svdvals(a), randn(4, 3), label="values"),
    row("svd", lambda t, a: (lambda u, s, vh: (u * s.sqrt().unsqueeze(-2)) @ vh)(*t.linalg.svd(a, full_matrices=False)),
        randn(3, 3), label="u-s-vh"),
    row("svd", lambda t, a: (lambda u, s, vh: u @ u.mT + s.sum())(*t.linalg.svd(a, full_matrices=False)),
        randn(4, 2), label="tall-projector"),
    row("svd", lambda t, a: (lambda u, s, vh: vh.mT @ vh * s.prod())(*t.linalg.svd(a, full_matrices=False)),
        randn(2, 4), label="wide-projector"),
    row("svd", lambda t, a: (lambda u, s, vh: (u[..., :3] * s.unsqueeze(-2)) @ vh)(*t.linalg.svd(a)), randn(2, 4, 3),
        label="full-matrices-batched"),
    row("qr", lambda t, a: _qr_gauge(t, a), randn(4, 3), label="tall"),
    row("qr", lambda t, a: _qr_gauge(t, a), randn(3, 3), label="square"),
    row("qr", lambda t, a: _qr_gauge(t, a), randn(2, 4), label="wide"),
    row("index_put", lambda t, a, b: _assign(a * 1, 1, b), randn(3, 4), randn(4), label="row"),
    row("index_put", lambda t, a, b: _assign(a * 1, (slice(None), t.tensor([0, 2])), b), randn(3, 4), randn(3, 1),
        label="columns-broadcast"),
    row("scatter_add", lambda t, a, i, b: a.scatter_add(0, i, b), randn(4, 3), ints(4, 5, 3), randn(5, 3),
        label="repeats"),
    row("scatter_add", lambda t, a, i, b: t.scatter_add(a, -1, i, b), randn(3, 5), ints(5, 2, 3), randn(2, 4),
        label="src-larger-than-index (PyTorch 2.13's backward fails here)",
        torch=False),
    row("scatter_add", lambda t, a, b: a.index_add(1, t.tensor([2, 0, 2]), b, alpha=0.5), randn(2, 4), randn(2, 3),
        label="index_add-repeats-alpha"),
    row("scatter_add", lambda t, a, b: (a * 1).index_add_(0, t.tensor([1, 1]), b), randn(3, 2), randn(2, 2),
        label="index_add_-in-place"),
]

# Writing at indices (lucidnet.scattering). Assignments use indices without repeats: where one repeats, which
# value wins is unspecified (in PyTorch too), and the losers still get gather's gradient.
COMPOSITES += [
    row("scatter", lambda t, a, i, b: a.scatter(0, i, b), randn(4, 3), np.array([[0, 3, 1], [2, 1, 3]]), randn(2, 3)),
    row("scatter", lambda t, a, i, b: t.scatter(a, -1, i, b), randn(3, 5), np.array([[4, 0, 2], [1, 3, 0]]),
        randn(3, 4), label="src-larger-than-index (PyTorch 2.13's backward fails here)",
        torch=False),
    row("scatter", lambda t, a, i: a.scatter(1, i, 2.5), randn(3, 4), np.array([[3], [0], [1]]), label="value"),
    row("scatter", lambda t, a, i, b: (a * 1).scatter_(0, i, b), randn(4, 3), np.array([[3, 0, 2]]), randn(1, 3),
        label="in-place"),
    row("scatter", lambda t, a, i, b: a.scatter(0, i, b, reduce="add"), randn(4, 3), ints(4, 5, 3), randn(5, 3),
        label="reduce-add (PyTorch has no backward for reduce)", torch=False),
    row("scatter_add", lambda t, a, i, b: (a * 1).scatter_add_(1, i, b), randn(2, 3), ints(3, 2, 4), randn(2, 4),
        label="in-place"),
    row("index_copy", lambda t, a, b: a.index_copy(1, t.tensor([3, 0]), b), randn(2, 4), randn(2, 2)),
    row("index_copy", lambda t, a, b: (a * 1).index_copy_(0, t.tensor([2, 1]), b), randn(3, 2, 2), randn(2, 2, 2),
        label="in-place"),
    row("index_fill", lambda t, a: a.index_fill(1, t.tensor([0, -1]), -1.5), randn(3, 4)),
    row("index_fill", lambda t, a, v: (a * 1).index_fill_(0, t.tensor(1), v), randn(3, 4), randn(),
        label="tensor-value-in-place"),
    row("masked_scatter", lambda t, a, m, b: a.masked_scatter(m, b), randn(3, 4), mask(3, 4), randn(13)),
    row("masked_scatter", lambda t, a, m, b: (a * 1).masked_scatter_(m, b), randn(3, 4), mask(4), randn(3, 4),
        label="broadcast-in-place"),
]

COMPOSITES += [
    row("sort", lambda t, a: a.sort(dim=1).values, distinct(3, 4), label="values"),
    row("sort", lambda t, a: t.sort(a, dim=0, descending=True)[0], distinct(3, 4), label="descending"),
    row("topk", lambda t, a: a.topk(2).values, distinct(3, 4)),
    row("topk", lambda t, a: t.topk(a, 2, dim=0, largest=False).values, distinct(3, 4), label="smallest"),
    row("kthvalue", lambda t, a: a.kthvalue(2, dim=1).values, distinct(3, 4)),
    row("median", lambda t, a: a.median(), distinct(3, 4), label="all"),
    row("median", lambda t, a: a.median(dim=1).values, distinct(3, 4), label="dim"),
    row("msort", lambda t, a: t.msort(a), distinct(3, 2)),
    row("outer", lambda t, a, b: t.outer(a, b), randn(3), randn(4)),
    row("dist", lambda t, a, b: t.dist(a, b) + t.dist(a, b, p=1), randn(3, 4), randn(4)),
    row("norm", lambda t, a: a.norm(p=1) + a.norm(p=float("inf")), away(3, 4)),
    row("linalg.norm", lambda t, a: t.linalg.norm(a) + t.linalg.norm(a, dim=1).sum(), randn(3, 4)),
    row("matrix_norm", lambda t, a: t.linalg.matrix_norm(a) + t.linalg.matrix_norm(a, ord="nuc"), randn(3, 4)),
    row("matrix_norm", lambda t, a: t.linalg.matrix_norm(a, ord=1) + t.linalg.matrix_norm(a, ord=float("inf"))
        + t.linalg.matrix_norm(a, ord=2), distinct(3, 4), label="1-inf-2"),
    row("slogdet", lambda t, a: t.linalg.slogdet(a).logabsdet, _well_conditioned(3, 3)),
    row("lerp", lambda t, a, b: t.lerp(a, b, 0.3), randn(3, 4), randn(4)),
    row("addcmul", lambda t, a, b, c: t.addcmul(a, b, c, value=0.5), randn(3, 4), randn(3, 4), randn(4)),
    row("addcdiv", lambda t, a, b, c: a.addcdiv(b, c, value=2), randn(3, 4), randn(3, 4), away(4)),
    row("exp2", lambda t, a: t.exp2(a), randn(3, 4)),
    row("float_power", lambda t, a: t.float_power(a, 2), randn(3)),
    row("tensordot", lambda t, a, b: t.tensordot(a, b, dims=([1, 2], [0, 1])), randn(2, 3, 4), randn(3, 4, 2)),
    row("inner", lambda t, a, b: t.inner(a, b), randn(2, 3), randn(4, 3)),
    row("mm-mv-dot", lambda t, a, b: t.mm(a, b).sum() + t.mv(a, b[:, 0]).sum() + t.dot(a[0], b[:, 1]),
        randn(3, 4), randn(4, 2)),
    row("bmm", lambda t, a, b: t.bmm(a, b), randn(2, 3, 4), randn(2, 4, 2)),
    row("diagonal", lambda t, a: a.diagonal() * 2 + t.diagonal(a, 1), randn(3, 4)),
    row("trace", lambda t, a: t.trace(a), randn(3, 3)),
    row("sin_", lambda t, a: (a * 2).sin_(), randn(3, 4)),
    row("clamp_", lambda t, a: (a * 1).clamp_(-0.5, 0.5) * a, away(3, 4) * 0.9),
    row("add_", lambda t, a, b: (a * 1).add_(b, alpha=2).mul_(a), randn(3, 4), randn(4)),
    row("unsqueeze_", lambda t, a: (a * 1).unsqueeze_(0) * a, randn(3)),
    row("in-place-after-use", lambda t, a: (lambda b: (lambda c: c + b.mul_(2))(b + 1))(a * 1), randn(3)),
    row("setitem", lambda t, a, b: _assign(t.zeros(3, 4, dtype=a.dtype), (slice(None), 0), b) * a, randn(3, 4),
        randn(3)),
    row("copy_", lambda t, a, b: (a * 1).copy_(b) * a, randn(3, 4), randn(4)),
]


# Convolution and pooling (issue 10), appended last so the rows above keep their draws. Max pooling uses distinct
# values (no ties inside a window); tests/nn/test_conv.py and test_pool.py sweep many more configurations.
ROWS += [
    row("conv2d", lambda t, x, w, b: t.conv2d(x, w, b, stride=2), randn(2, 3, 7, 7), randn(4, 3, 3, 3), randn(4)),
    row("conv2d", lambda t, x, w: t.conv2d(x, w, padding=1, dilation=2, groups=2), randn(1, 4, 5, 6),
        randn(2, 2, 2, 3), label="dilated-groups"),
    row("conv2d", lambda t, x, w, b: t.conv1d(x, w, b, padding="same"), randn(2, 2, 6), randn(3, 2, 3), randn(3),
        label="conv1d-same"),
    row("conv_transpose2d", lambda t, x, w, b: t.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1),
        randn(2, 3, 3, 4), randn(3, 2, 3, 3), randn(2)),
    row("conv_transpose2d", lambda t, x, w: t.conv_transpose2d(x, w, groups=2, dilation=2), randn(1, 4, 3, 3),
        randn(4, 1, 2, 2), label="groups-dilated"),
    row("max_pool2d", lambda t, x: t.max_pool2d(x, 2), distinct(2, 3, 4, 5)),
    row("max_pool2d", lambda t, x: t.max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True), distinct(1, 2, 6, 7),
        label="overlapping-ceil"),
    row("max_pool2d", lambda t, x: t.max_pool2d(x, (2, 3), stride=1, dilation=2), distinct(1, 2, 5, 6),
        label="dilated"),
    row("avg_pool2d", lambda t, x: t.avg_pool2d(x, 2), randn(2, 3, 4, 5)),
    row("avg_pool2d", lambda t, x: t.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
        randn(1, 2, 6, 7), label="ceil-exclude-pad"),
    row("adaptive_avg_pool2d", lambda t, x: t.adaptive_avg_pool2d(x, (3, 2)), randn(2, 3, 7, 5)),
    row("batch_norm", lambda t, x, w, b: t.batch_norm(x, None, None, w, b, training=True), randn(3, 2, 4, 3),
        randn(2), randn(2), label="4d"),
]

"""Tensor: an n-dimensional array that remembers how it was computed, so it can backpropagate.

A Tensor wraps a NumPy array (``.array``) and adds ``requires_grad``, ``grad`` and ``grad_fn``.
Every math method here is one line into ``ops`` (primitives, with backward code) or ``functional``
(composites of primitives); the chain rule itself runs in ``autograd.backward``.
"""
import numbers
import weakref

import numpy as np

from . import autograd, dtypes, ops


def _as_array(v):
    """The NumPy array behind a tensor, index or operand; other values as they are."""
    if isinstance(v, Tensor):
        return v.array
    if isinstance(v, tuple):
        return tuple(_as_array(i) for i in v)
    if isinstance(v, list) and any(isinstance(i, Tensor) for i in v):
        return [_as_array(i) for i in v]
    return v


def _promote(a, b):
    """PyTorch's type promotion where it differs from NumPy's, for a binary op between a and b.

    A float tensor meeting an integer or bool tensor keeps its float dtype (NumPy would widen float32 with
    int64 to float64); an integer or bool tensor meeting a Python float gets the default float dtype
    (float32, not float64); a NumPy float scalar counts as a Python float (never widens float32).
    """
    if isinstance(a, Tensor):
        if isinstance(b, Tensor):
            da, db = a.array.dtype, b.array.dtype
            if da is not db and (da.kind == "f") != (db.kind == "f"):
                if da.kind == "f":
                    b = b.to(da)
                else:
                    a = a.to(db)
            return a, b
        if isinstance(b, np.floating):
            b = float(b)
        if isinstance(b, float) and a.array.dtype.kind in "biu":
            a = a.to(dtypes.get_default_dtype())
        return a, b
    if isinstance(a, np.floating):
        a = float(a)
    if isinstance(a, float) and isinstance(b, Tensor) and b.array.dtype.kind in "biu":
        b = b.to(dtypes.get_default_dtype())
    return a, b


_OUT_OF_PLACE = {"+=": "+", "-=": "-", "*=": "*", "/=": "/", "add_": "+", "sub_": "-", "mul_": "*", "div_": "/"}


class Tensor:
    """An n-dimensional array with reverse-mode automatic differentiation.

    Create tensors with :func:`lucidnet.tensor`, :func:`lucidnet.zeros`, :func:`lucidnet.randn`, ...
    ``Tensor(data)`` also works (float32, like ``torch.Tensor``), and ``Tensor(2, 3)`` makes a 2x3
    float32 tensor of zeros.

    Example:
        >>> import lucidnet
        >>> x = lucidnet.tensor([1., 2., 3.], requires_grad=True)
        >>> y = (x * x).sum()
        >>> y.backward()
        >>> x.grad
        tensor([2., 4., 6.])
    """
    __slots__ = ("array", "grad", "grad_fn", "_requires_grad", "_version", "_post_accumulate_hooks", "__weakref__")
    __array_ufunc__ = None          # np_array * tensor defers to Tensor.__rmul__, keeping the graph

    def __init__(self, *data, dtype=None, requires_grad=False):
        if data and all(isinstance(d, (int, np.integer)) and not isinstance(d, bool) for d in data):
            arr = np.zeros(data, dtype=dtypes.to_dtype(dtype) or dtypes.get_default_dtype())   # Tensor(2, 3)
        elif len(data) == 1:
            d = data[0]
            if isinstance(d, Tensor):
                d = d.array
            dt = dtypes.to_dtype(dtype)
            if isinstance(d, np.ndarray):
                arr = d if dt is None or d.dtype == dt else d.astype(dt)
            else:
                arr = np.array(_as_array(d), dtype=dt or dtypes.get_default_dtype())
        elif not data:
            arr = np.zeros(0, dtype=dtypes.to_dtype(dtype) or dtypes.get_default_dtype())
        else:
            raise TypeError(f"Tensor(): expected data or integer sizes, got {data!r}.")
        self.array, self.grad, self.grad_fn, self._requires_grad, self._version = arr, None, None, False, [0, 0]
        if requires_grad:
            self.requires_grad = True

    @staticmethod
    def _wrap(arr):
        """A new tensor around an array, without copying or checks (for ops)."""
        t = object.__new__(Tensor)
        t.array = arr if type(arr) is np.ndarray else np.asarray(arr)
        t.grad = t.grad_fn = None
        t._requires_grad = False
        t._version = [0, 0]             # [version, edit clock]: see autograd.bump
        return t

    # --------------------------------------------------------------------------------------- autograd

    @property
    def requires_grad(self):
        """Whether operations on this tensor are recorded so gradients can flow back to it."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        if value and self.array.dtype.kind != "f":
            raise RuntimeError(f"requires_grad: only floating point tensors can require gradients, "
                               f"got dtype {self.array.dtype}.")
        if not value and self.grad_fn is not None:
            raise RuntimeError("requires_grad: can only be changed on leaf tensors; use detach() on a computed "
                               "tensor instead.")
        self._requires_grad = bool(value)

    def requires_grad_(self, requires_grad=True):
        """Set ``requires_grad`` in place and return self.

        Example:
            >>> import lucidnet
            >>> lucidnet.zeros(2).requires_grad_().requires_grad
            True
        """
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self):
        """True for tensors not computed by a recorded operation (their .grad is filled by backward)."""
        return self.grad_fn is None

    def backward(self, gradient=None, retain_graph=None, create_graph=False):
        """Compute the gradient of this tensor with respect to every leaf that requires grad.

        Gradients add into each leaf's ``.grad`` (call ``zero_grad`` between steps). A non-scalar
        tensor needs ``gradient``, the vector in the vector-Jacobian product.

        Example:
            >>> import lucidnet
            >>> x = lucidnet.tensor([1., 2.], requires_grad=True)
            >>> (x * 3).backward(lucidnet.tensor([1., 10.]))
            >>> x.grad
            tensor([ 3., 30.])
        """
        if create_graph:
            raise NotImplementedError("backward(): create_graph=True (gradients of gradients) is not supported.")
        autograd.backward(self, gradient, retain_graph=bool(retain_graph))

    def retain_grad(self):
        """Keep the gradient of this non-leaf tensor in ``.grad`` after backward.

        Example:
            >>> import lucidnet
            >>> x = lucidnet.tensor(2., requires_grad=True)
            >>> y = x * x; y.retain_grad(); (y * 3).backward(); y.grad
            tensor(3.)
        """
        if self.grad_fn is not None:
            self.grad_fn.retained = weakref.ref(self)

    def register_post_accumulate_grad_hook(self, hook):
        """Call ``hook(self)`` after each backward has accumulated this leaf's ``.grad``; returns a handle with
        ``remove()``. See :func:`lucidnet.autograd.register_post_accumulate_grad_hook`.

        Example:
            >>> import lucidnet
            >>> w = lucidnet.ones(2, requires_grad=True)
            >>> seen = []
            >>> handle = w.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.tolist()))
            >>> (2 * w).sum().backward(); seen
            [[2.0, 2.0]]
        """
        return autograd.register_post_accumulate_grad_hook(self, hook)

    @property
    def data(self):
        """This tensor's values as a tensor cut from the graph, sharing memory (PyTorch's ``.data``).

        Writing into it changes this tensor without being recorded; assigning ``x.data = y`` makes ``x``
        use ``y``'s values. The NumPy array itself is ``x.array`` (or ``x.numpy()``).

        Example:
            >>> import lucidnet
            >>> w = lucidnet.ones(2, requires_grad=True)
            >>> w.data -= 0.5
            >>> w
            tensor([0.5000, 0.5000], requires_grad=True)
        """
        t = Tensor._wrap(self.array)
        t._version = self._version
        return t

    @data.setter
    def data(self, value):
        arr = value.array if isinstance(value, Tensor) else np.asarray(value)
        if self._requires_grad and arr.dtype.kind != "f":
            raise RuntimeError(f"data: a tensor that requires grad needs floating point values, got dtype {arr.dtype}.")
        self.array = arr

    def detach(self):
        """A tensor sharing this one's data but cut from the graph (no grad_fn, requires_grad False).

        Example:
            >>> import lucidnet
            >>> lucidnet.ones(2, requires_grad=True).detach().requires_grad
            False
        """
        t = Tensor._wrap(self.array)
        t._version = self._version      # same memory, same version counter: in-place edits stay visible
        return t

    def detach_(self):
        """Cut this tensor from the graph in place."""
        self.grad_fn, self._requires_grad = None, False
        return self

    @property
    def _version_now(self):
        return self._version[0]

    def _check_inplace(self, what, other=None):
        """Refuse in-place edits that autograd would not see."""
        if not autograd.is_grad_enabled():
            return
        op = _OUT_OF_PLACE.get(what)
        instead = f"write x = x {op} y" if op else "build a new tensor (lucidnet.where, cat, stack)"
        if self._requires_grad:
            kind = "a leaf tensor that requires grad" if self.grad_fn is None else "a tensor that requires grad"
            raise RuntimeError(f"{what}: cannot modify {kind} in place while recording; wrap the update in "
                               f"`with lucidnet.no_grad():` or {instead}.")
        if isinstance(other, Tensor) and other._requires_grad:
            raise RuntimeError(f"{what}: the operand requires grad but an in-place op on a tensor that does not "
                               f"is not recorded; {instead} instead.")

    def _bump(self):
        autograd.bump(self._version)
        return self

    # --------------------------------------------------------------------------------------- properties

    @property
    def shape(self):
        """The size of each axis, a tuple."""
        return self.array.shape

    @property
    def ndim(self):
        """The number of axes."""
        return self.array.ndim

    @property
    def dtype(self):
        """The element type, a NumPy dtype under PyTorch's name (``lucidnet.float32``)."""
        return self.array.dtype

    @property
    def device(self):
        """Always 'cpu': lucidnet computes with NumPy."""
        return "cpu"

    @property
    def T(self):
        """The tensor with its axes reversed (a matrix transposed)."""
        return ops.transpose(self, axes=tuple(range(self.array.ndim))[::-1])

    @property
    def mT(self):
        """The last two axes swapped (a batch of matrices transposed)."""
        return self.transpose(-2, -1)

    def size(self, dim=None):
        """The shape, or the size of one axis.

        Example:
            >>> import lucidnet
            >>> lucidnet.zeros(2, 3).size(), lucidnet.zeros(2, 3).size(1)
            ((2, 3), 3)
        """
        return self.array.shape if dim is None else self.array.shape[dim]

    def dim(self):
        """The number of axes."""
        return self.array.ndim

    def numel(self):
        """The number of elements."""
        return self.array.size

    nelement = numel

    def is_floating_point(self):
        """True for float16/32/64 tensors."""
        return self.array.dtype.kind == "f"

    def element_size(self):
        """Bytes per element."""
        return self.array.itemsize

    @property
    def nbytes(self):
        """Bytes of data."""
        return self.array.nbytes

    # --------------------------------------------------------------------------------------- conversion

    def item(self):
        """The value of a one-element tensor as a Python number.

        Example:
            >>> import lucidnet
            >>> lucidnet.tensor([2.5]).item()
            2.5
        """
        if self.array.size != 1:
            raise ValueError(f"item(): expected a tensor with one element, got shape {self.shape}.")
        return self.array.item()

    def tolist(self):
        """The data as (nested) Python lists of numbers."""
        return self.array.tolist()

    def numpy(self, force=False):
        """The NumPy array behind this tensor (shared memory, no copy).

        Like PyTorch, refuses a tensor that requires grad: call ``detach()`` first (or pass force=True).
        """
        if self._requires_grad and not force:
            raise RuntimeError("numpy(): this tensor requires grad; call tensor.detach().numpy() instead.")
        return self.array

    def __array__(self, dtype=None, copy=None):
        return self.array if dtype is None else self.array.astype(dtype)

    def to(self, *args, dtype=None, **kwargs):
        """Convert to another dtype (differentiable); devices other than 'cpu' are refused.

        Example:
            >>> import lucidnet
            >>> lucidnet.tensor([1, 2]).to(lucidnet.float32)
            tensor([1., 2.])
        """
        for a in args:
            if isinstance(a, str) and a.split(":")[0] in ("cpu", "cuda", "mps"):
                if a.split(":")[0] != "cpu":
                    raise RuntimeError(f"to(): lucidnet runs on the CPU with NumPy, got device {a!r}.")
            elif isinstance(a, Tensor):
                dtype = a.dtype
            else:
                dtype = a
        if dtype is None:
            return self
        d = dtypes.to_dtype(dtype)
        if d == self.array.dtype:
            return self
        if self._requires_grad and d.kind == "f":
            return ops.astype(self, dtype=d)
        return Tensor._wrap(self.array.astype(d))

    type = to
    astype = to

    def float(self):
        """Convert to float32."""
        return self.to(dtypes.float32)

    def double(self):
        """Convert to float64."""
        return self.to(dtypes.float64)

    def half(self):
        """Convert to float16."""
        return self.to(dtypes.float16)

    def long(self):
        """Convert to int64."""
        return self.to(dtypes.int64)

    def int(self):
        """Convert to int32."""
        return self.to(dtypes.int32)

    def bool(self):
        """Convert to bool."""
        return self.to(dtypes.bool_)

    def cpu(self):
        """This tensor (lucidnet is CPU-only)."""
        return self

    def contiguous(self):
        """A C-contiguous tensor with the same values."""
        return self if self.array.flags.c_contiguous else ops.clone(self)

    def clone(self):
        """A copy that gradients flow through."""
        return ops.clone(self)

    # --------------------------------------------------------------------------------------- printing

    def __repr__(self):
        arr, suffixes = self.array, []
        if arr.size == 0 and arr.ndim != 1:
            suffixes.append(f"size={arr.shape}")
        shown = (dtypes.get_default_dtype(),) if arr.size == 0 else (dtypes.get_default_dtype(), dtypes.int64,
                                                                     dtypes.bool_)
        if arr.dtype not in shown:
            suffixes.append(f"dtype=lucidnet.{arr.dtype}")
        if self.grad_fn is not None:
            suffixes.append(f"grad_fn={self.grad_fn!r}")
        elif self._requires_grad:
            suffixes.append("requires_grad=True")
        text = "tensor(" + _format(arr)
        line = len(text) - text.rfind("\n") + 1             # PyTorch's count, off by one on purpose
        for suffix in suffixes:                             # a suffix that would pass 80 columns starts a line
            if line + len(suffix) + 2 > 80:
                text, line = text + ",\n" + " " * len("tensor(") + suffix, len("tensor(") + len(suffix)
            else:
                text, line = text + ", " + suffix, line + len(suffix) + 2
        return text + ")"

    __str__ = __repr__

    def __format__(self, spec):
        if self.array.ndim == 0 or self.array.size == 1:
            return format(self.array.item(), spec)
        return format(repr(self), spec)

    # --------------------------------------------------------------------------------------- containers

    def __len__(self):
        if self.array.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.array)

    def __iter__(self):
        if self.array.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(len(self.array)))

    def __bool__(self):
        if self.array.size != 1:
            raise RuntimeError(f"bool(): the truth value of a tensor with {self.array.size} elements is ambiguous; "
                               f"use .any() or .all().")
        return bool(self.array.item())

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self.array.dtype.kind not in "iu" or self.array.size != 1:
            raise TypeError(f"index: expected an integer tensor with a single element, got dtype {self.dtype} and "
                            f"shape {self.shape}.")
        return int(self.array.item())

    __hash__ = object.__hash__       # hashable by identity, as in PyTorch (== is elementwise)

    def __getitem__(self, index):
        return ops.getitem(self, index=_as_array(index))

    def __setitem__(self, index, value):
        self._check_inplace("x[...] =", value)
        self.array[_as_array(index)] = _as_array(value)
        self._bump()

    # --------------------------------------------------------------------------------------- arithmetic

    def __add__(self, other):
        return ops.add(*_promote(self, other))

    def __radd__(self, other):
        return ops.add(*_promote(other, self))

    def __sub__(self, other):
        return ops.sub(*_promote(self, other))

    def __rsub__(self, other):
        return ops.sub(*_promote(other, self))

    def __mul__(self, other):
        return ops.mul(*_promote(self, other))

    def __rmul__(self, other):
        return ops.mul(*_promote(other, self))

    def __truediv__(self, other):
        a, b = _promote(self, other)
        if a.array.dtype.kind in "biu" and np.result_type(_as_array(b)).kind in "biu":
            a, b = _promote(a.to(dtypes.get_default_dtype()), b)     # true division of integers gives floats
        return ops.div(a, b)

    def __rtruediv__(self, other):
        a, b = _promote(other, self)
        if b.array.dtype.kind in "biu" and np.result_type(_as_array(a)).kind in "biu":
            a, b = _promote(a, b.to(dtypes.get_default_dtype()))
        return ops.div(a, b)

    def __floordiv__(self, other):
        return Tensor._wrap(np.floor_divide(self.array, _as_array(other)))

    def __mod__(self, other):
        return Tensor._wrap(np.mod(self.array, _as_array(other)))

    def __neg__(self):
        return ops.neg(self)

    def __pos__(self):
        return self

    def __pow__(self, exponent):
        if isinstance(exponent, Tensor):
            return ops.power(self, exponent)
        return ops.pow(*_promote(self, exponent)[:1], exponent=exponent)

    def __rpow__(self, base):
        return ops.power(*_promote(base, self))

    def __matmul__(self, other):
        return ops.matmul(self, other)

    def __rmatmul__(self, other):
        return ops.matmul(other, self)

    def __abs__(self):
        return ops.abs(self)

    def __invert__(self):
        return Tensor._wrap(np.invert(self.array))

    def __and__(self, other):
        return Tensor._wrap(np.bitwise_and(self.array, _as_array(other)))

    def __or__(self, other):
        return Tensor._wrap(np.bitwise_or(self.array, _as_array(other)))

    def __xor__(self, other):
        return Tensor._wrap(np.bitwise_xor(self.array, _as_array(other)))

    # comparisons: bool tensors, no gradient
    def __eq__(self, other):
        return Tensor._wrap(np.equal(self.array, _as_array(other)))

    def __ne__(self, other):
        return Tensor._wrap(np.not_equal(self.array, _as_array(other)))

    def __lt__(self, other):
        return Tensor._wrap(np.less(self.array, _as_array(other)))

    def __le__(self, other):
        return Tensor._wrap(np.less_equal(self.array, _as_array(other)))

    def __gt__(self, other):
        return Tensor._wrap(np.greater(self.array, _as_array(other)))

    def __ge__(self, other):
        return Tensor._wrap(np.greater_equal(self.array, _as_array(other)))

    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__

    # --------------------------------------------------------------------------------------- in place
    # Only on tensors that need no gradient (or under no_grad): x += y, w -= lr * w.grad, x.zero_().

    def _inplace(self, what, ufunc, other):
        self._check_inplace(what, other)
        ufunc(self.array, _as_array(other), out=self.array)
        return self._bump()

    def __iadd__(self, other):
        return self._inplace("+=", np.add, other)

    def __isub__(self, other):
        return self._inplace("-=", np.subtract, other)

    def __imul__(self, other):
        return self._inplace("*=", np.multiply, other)

    def __itruediv__(self, other):
        return self._inplace("/=", np.divide, other)

    def add_(self, other, alpha=1):
        """In place: self += alpha * other."""
        return self._inplace("add_", np.add, other if alpha == 1 else _as_array(other) * alpha)

    def sub_(self, other, alpha=1):
        """In place: self -= alpha * other."""
        return self._inplace("sub_", np.subtract, other if alpha == 1 else _as_array(other) * alpha)

    def mul_(self, other):
        """In place: self *= other."""
        return self._inplace("mul_", np.multiply, other)

    def div_(self, other):
        """In place: self /= other."""
        return self._inplace("div_", np.divide, other)

    def zero_(self):
        """Fill with zeros in place.

        Example:
            >>> import lucidnet
            >>> lucidnet.ones(2).zero_()
            tensor([0., 0.])
        """
        self._check_inplace("zero_")
        self.array[...] = 0
        return self._bump()

    def fill_(self, value):
        """Fill with ``value`` in place."""
        self._check_inplace("fill_")
        self.array[...] = _as_array(value)
        return self._bump()

    def copy_(self, src):
        """Copy ``src``'s values into this tensor in place (broadcasting, converting dtype)."""
        self._check_inplace("copy_", src)
        self.array[...] = _as_array(src)
        return self._bump()

    def clamp_(self, min=None, max=None):
        """Limit to [min, max] in place."""
        self._check_inplace("clamp_")
        np.clip(self.array, _as_array(min), _as_array(max), out=self.array)
        return self._bump()

    def uniform_(self, a=0.0, b=1.0, generator=None):
        """Fill with samples from U(a, b) in place."""
        from .random import numpy_generator
        self._check_inplace("uniform_")
        self.array[...] = numpy_generator(generator).uniform(a, b, self.shape)
        return self._bump()

    def normal_(self, mean=0.0, std=1.0, generator=None):
        """Fill with samples from N(mean, std^2) in place."""
        from .random import numpy_generator
        self._check_inplace("normal_")
        self.array[...] = numpy_generator(generator).normal(mean, std, self.shape)
        return self._bump()

    # --------------------------------------------------------------------------------------- math methods

    def exp(self): return ops.exp(self)                                             # noqa: E704
    def log(self): return ops.log(self)                                             # noqa: E704
    def sqrt(self): return ops.sqrt(self)                                           # noqa: E704
    def rsqrt(self): return 1.0 / ops.sqrt(self)                                    # noqa: E704
    def abs(self): return ops.abs(self)                                             # noqa: E704
    def sin(self): return ops.sin(self)                                             # noqa: E704
    def cos(self): return ops.cos(self)                                             # noqa: E704
    def tanh(self): return ops.tanh(self)                                           # noqa: E704
    def sigmoid(self): return ops.sigmoid(self)                                     # noqa: E704
    def relu(self): return ops.relu(self)                                           # noqa: E704
    def neg(self): return ops.neg(self)                                             # noqa: E704
    def square(self): return ops.pow(self, exponent=2)                              # noqa: E704
    def pow(self, exponent): return F.pow(self, exponent)                           # noqa: E704
    def clamp(self, min=None, max=None): return F.clamp(self, min, max)             # noqa: E704
    def maximum(self, other): return F.maximum(self, other)                         # noqa: E704
    def minimum(self, other): return F.minimum(self, other)                         # noqa: E704
    def masked_fill(self, mask, value): return F.masked_fill(self, mask, value)     # noqa: E704
    def where(self, condition, other): return F.where(condition, self, other)       # noqa: E704
    def matmul(self, other): return ops.matmul(self, other)                         # noqa: E704
    def add(self, other): return self + other                                       # noqa: E704
    def sub(self, other): return self - other                                       # noqa: E704
    def mul(self, other): return self * other                                       # noqa: E704
    def div(self, other): return self / other                                       # noqa: E704
    clip = clamp
    mm = bmm = matmul

    def sum(self, *a, **k): return F.sum(self, *a, **k)                             # noqa: E704
    def mean(self, *a, **k): return F.mean(self, *a, **k)                           # noqa: E704
    def var(self, *a, **k): return F.var(self, *a, **k)                             # noqa: E704
    def std(self, *a, **k): return F.std(self, *a, **k)                             # noqa: E704
    def max(self, *a, **k): return F.max(self, *a, **k)                             # noqa: E704
    def min(self, *a, **k): return F.min(self, *a, **k)                             # noqa: E704
    def amax(self, *a, **k): return F.amax(self, *a, **k)                           # noqa: E704
    def amin(self, *a, **k): return F.amin(self, *a, **k)                           # noqa: E704
    def argmax(self, *a, **k): return F.argmax(self, *a, **k)                       # noqa: E704
    def argmin(self, *a, **k): return F.argmin(self, *a, **k)                       # noqa: E704
    def logsumexp(self, *a, **k): return F.logsumexp(self, *a, **k)                 # noqa: E704
    def softmax(self, *a, **k): return F.softmax(self, *a, **k)                     # noqa: E704
    def log_softmax(self, *a, **k): return F.log_softmax(self, *a, **k)             # noqa: E704
    def all(self, *a, **k): return Tensor._wrap(np.all(self.array, *a, **k))         # noqa: E704
    def any(self, *a, **k): return Tensor._wrap(np.any(self.array, *a, **k))         # noqa: E704

    def reshape(self, *shape): return F.reshape(self, *shape)                       # noqa: E704
    def flatten(self, start_dim=0, end_dim=-1): return F.flatten(self, start_dim, end_dim)  # noqa: E704
    def squeeze(self, *a, **k): return F.squeeze(self, *a, **k)                     # noqa: E704
    def unsqueeze(self, dim): return F.unsqueeze(self, dim)                         # noqa: E704
    def transpose(self, *axes): return F.transpose(self, *axes)                     # noqa: E704
    def permute(self, *dims): return F.permute(self, *dims)                         # noqa: E704
    def expand(self, *sizes): return F.expand(self, *sizes)                         # noqa: E704
    def expand_as(self, other): return F.expand(self, other.shape)                  # noqa: E704
    def reshape_as(self, other): return F.reshape(self, other.shape)                # noqa: E704
    def split(self, size, dim=0): return F.split(self, size, dim)                   # noqa: E704
    def chunk(self, chunks, dim=0): return F.chunk(self, chunks, dim)               # noqa: E704
    view, view_as = reshape, reshape_as

    def t(self):
        """Transpose a 2-D tensor (0-d and 1-D tensors are returned as they are), as in PyTorch."""
        return self if self.ndim < 2 else self.transpose(0, 1)


def _format(arr):
    """Print an array the way PyTorch prints a tensor (torch/_tensor_str.py): one width for every element,
    4 decimals, scientific when magnitudes differ widely, ``...`` past 1000 elements, 80 columns."""
    if arr.size == 0:
        return "[]"
    summarize = arr.size > 1000
    one, width = _formatter(_summarized(arr) if summarize else arr)
    return _nested(arr, one, width, len("tensor("), summarize)


def _summarized(arr, edge=3):
    """The elements a summarized print shows: the first and last ``edge`` along every axis."""
    if arr.ndim == 0 or arr.shape[0] <= 2 * edge and arr.ndim == 1:
        return arr
    if arr.ndim == 1:
        return np.concatenate([arr[:edge], arr[-edge:]])
    rows = list(arr[:edge]) + list(arr[-edge:]) if arr.shape[0] > 2 * edge else list(arr)
    return np.stack([_summarized(r, edge) for r in rows])


def _formatter(arr):
    """(format one value, width) chosen from the nonzero finite values, as PyTorch's _Formatter does."""
    if arr.dtype.kind != "f":
        width = max(len(str(v)) for v in arr.ravel().tolist())
        return (lambda v: str(v).rjust(width)), width
    flat = arr.ravel()
    vals = flat[np.isfinite(flat) & (flat != 0)].astype(np.float64)
    fmt, width = "{:.0f}.", 1                          # integral values print as "3."
    if vals.size:
        big, small = np.abs(vals).max(), np.abs(vals).min()
        if np.all(vals == np.ceil(vals)):
            fmt = "{:.4e}" if big / small > 1000 or big > 1e8 else "{:.0f}."
        else:
            fmt = "{:.4e}" if big / small > 1000 or big > 1e8 or small < 1e-4 else "{:.4f}"
        width = max(len(fmt.format(v)) for v in vals.tolist())

    def one(v):
        return (fmt.format(v) if np.isfinite(v) else f"{v:.0f}").rjust(width)     # nan, inf, -inf
    return one, width


def _nested(arr, one, width, indent, summarize, edge=3):
    """Nested brackets: vectors wrap at 80 columns, matrices put one row per line."""
    if arr.ndim == 0:
        return one(arr.item())
    cut = summarize and arr.shape[0] > 2 * edge
    if arr.ndim == 1:
        items = ([one(v) for v in arr[:edge].tolist()] + [" ..."] + [one(v) for v in arr[-edge:].tolist()]
                 if cut else [one(v) for v in arr.tolist()])
        per_line = max(1, (80 - indent) // (width + 2))
        lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    rows = list(arr[:edge]) + [None] + list(arr[-edge:]) if cut else list(arr)
    parts = ["..." if r is None else _nested(r, one, width, indent + 1, summarize, edge) for r in rows]
    return "[" + ("," + "\n" * (arr.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


from . import functional as F  # noqa: E402  (functional builds on Tensor)

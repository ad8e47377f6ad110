"""Tensor: an n-dimensional array that remembers how it was computed, so it can backpropagate.

A Tensor wraps a NumPy array (``.array``) and adds ``requires_grad``, ``grad`` and ``grad_fn``. This file
holds what makes a tensor (autograd state, shape and dtype, conversion, printing, indexing); its operators
(``+``, ``@``, ``==``, ...) are in tensor_operators.py, its math methods, each one line into ``ops`` (primitives) or ``functional`` (composites), and its in-place
variants are in tensor_methods.py. The chain rule itself runs in ``autograd``. Operators follow PyTorch's
type promotion (promotion.py) and refuse operands PyTorch refuses, with PyTorch's TypeError.
"""
import numpy as np

from . import autograd, dtypes, ops, printing
from .device import _CPU, check_device
from .size import Size
from .tensor_methods import TensorMethods
from .tensor_operators import TensorOperators


def _as_array(v):
    """The NumPy array behind a tensor, index or operand; other values as they are."""
    if isinstance(v, Tensor):
        return v.array
    if isinstance(v, tuple):
        return tuple([i.array if isinstance(i, Tensor) else _as_array(i) for i in v])
    if isinstance(v, list) and any(isinstance(i, Tensor) for i in v):
        return [_as_array(i) for i in v]
    return v


def _promote(a, b):
    """(a, b) converted to the dtype PyTorch's type promotion gives their op (see promotion.py); a TypeError for
    an operand that is not a tensor, array or number."""
    ab = operands(a, b)
    if ab is None:
        bad = b if as_operand(b) is None else a
        raise TypeError(f"expected tensors or numbers as operands, got {type(bad).__name__}.")
    return ab


_wrapped = dtypes._WRAPPED
_size = tuple.__new__


class Tensor(TensorOperators, TensorMethods):
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
    __slots__ = ("array", "grad", "grad_fn", "_requires_grad", "_version", "_post_accumulate_hooks", "_zeroed_at",
                 "_kept_zeros", "__weakref__")
    __array_ufunc__ = None          # np_array * tensor defers to Tensor.__rmul__, keeping the graph

    def __init__(self, *data, dtype=None, requires_grad=False, device=None):
        check_device(device, "Tensor()")
        if data and all(isinstance(d, (int, np.integer)) and not isinstance(d, bool) for d in data):
            if any(d < 0 for d in data):
                raise ValueError(f"Tensor(): expected non-negative sizes, got {data}.")
            arr = np.zeros(data, dtype=dtypes.to_dtype(dtype) or dtypes._default_float)   # Tensor(2, 3)
        elif len(data) == 1:
            d = data[0]
            if isinstance(d, Tensor):
                d = d.array
            dt = dtypes.to_dtype(dtype)
            if isinstance(d, np.ndarray):
                if d.dtype.kind not in "biuf":
                    dtypes.default_dtype_for(d)                    # the TypeError for object/str arrays
                arr = d if dt is None or d.dtype == dt else d.astype(dt)
            else:
                dtypes.default_dtype_for(_as_array(d))             # None, strings: a TypeError, not nan
                arr = np.array(_as_array(d), dtype=dt or dtypes._default_float)
        elif not data:
            arr = np.zeros(0, dtype=dtypes.to_dtype(dtype) or dtypes._default_float)
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

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Compute the gradient of this tensor with respect to every leaf that requires grad.

        Gradients add into each leaf's ``.grad`` (call ``zero_grad`` between steps). A non-scalar
        tensor needs ``gradient``, the vector in the vector-Jacobian product. With ``inputs``, only those
        tensors' ``.grad`` are filled.

        Example:
            >>> import lucidnet
            >>> x = lucidnet.tensor([1., 2.], requires_grad=True)
            >>> (x * 3).backward(lucidnet.tensor([1., 10.]))
            >>> x.grad
            tensor([ 3., 30.])
        """
        autograd.backward(self, gradient, retain_graph, create_graph, inputs)

    def retain_grad(self):
        """Keep the gradient of this non-leaf tensor in ``.grad`` after backward.

        Example:
            >>> import lucidnet
            >>> x = lucidnet.tensor(2., requires_grad=True)
            >>> y = x * x; y.retain_grad(); (y * 3).backward(); y.grad
            tensor(3.)
        """
        if not self._requires_grad:
            raise RuntimeError("retain_grad(): cannot retain the gradient of a tensor that does not require grad.")
        autograd.retain_grad(self)

    @property
    def retains_grad(self):
        """True for a non-leaf tensor whose gradient backward keeps (see :meth:`retain_grad`)."""
        return autograd.retains_grad(self)

    def register_hook(self, hook):
        """Call ``hook(grad)`` whenever backward computes this tensor's gradient; a hook may return a
        replacement. Returns a handle with ``remove()``.

        Example:
            >>> import lucidnet
            >>> x = lucidnet.tensor(1.0, requires_grad=True)
            >>> y = x * 3; _ = y.register_hook(lambda g: print("grad of y:", g))
            >>> (y * 2).backward()
            grad of y: tensor(2.)
        """
        return autograd.register_hook(self, hook)

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
        self._zeroed_at = None                  # new values (see engine._accumulate)

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

    def _bump(self):
        autograd.bump(self._version)
        return self

    # --------------------------------------------------------------------------------------- properties

    @property
    def shape(self):
        """The size of each axis, a :class:`lucidnet.Size` (a tuple)."""
        return _size(Size, self.array.shape)          # NumPy's shape is ints already: no checks

    @property
    def ndim(self):
        """The number of axes."""
        return self.array.ndim

    @property
    def dtype(self):
        """The element type (``lucidnet.float32``, ...), also usable as a NumPy dtype."""
        d = _wrapped.get(self.array.dtype)
        return d if d is not None else dtypes.wrap(self.array.dtype)

    @property
    def device(self):
        """Always ``device('cpu')``: lucidnet computes with NumPy."""
        return _CPU

    is_cuda, is_mps, is_meta, is_sparse, is_quantized, is_nested = False, False, False, False, False, False
    is_cpu = True

    def get_device(self):
        """-1, PyTorch's answer for a tensor on the CPU."""
        return -1

    @property
    def T(self):
        """The tensor with its axes reversed (a matrix transposed)."""
        return ops.transpose(self, axes=tuple(range(self.array.ndim))[::-1])

    @property
    def mT(self):
        """The last two axes swapped (a batch of matrices transposed)."""
        return self.transpose(-2, -1)

    H, mH = T, mT                        # conjugate transposes: real tensors only

    def size(self, dim=None):
        """The shape, or the size of one axis.

        Example:
            >>> import lucidnet
            >>> lucidnet.zeros(2, 3).size(), lucidnet.zeros(2, 3).size(1)
            (lucidnet.Size([2, 3]), 3)
        """
        return _size(Size, self.array.shape) if dim is None else self.array.shape[dim]

    def dim(self):
        """The number of axes."""
        return self.array.ndim

    ndimension = dim

    def numel(self):
        """The number of elements."""
        return self.array.size

    nelement = numel

    def is_floating_point(self):
        """True for float16/32/64 tensors."""
        return self.array.dtype.kind == "f"

    def is_complex(self):
        """False: lucidnet computes with real numbers."""
        return self.array.dtype.kind == "c"

    def element_size(self):
        """Bytes per element."""
        return self.array.itemsize

    @property
    def itemsize(self):
        """Bytes per element."""
        return self.array.itemsize

    @property
    def nbytes(self):
        """Bytes of data."""
        return self.array.nbytes

    def stride(self, dim=None):
        """The step, in elements, between neighbours along each axis (or along ``dim``)."""
        strides = tuple(s // self.array.itemsize for s in self.array.strides)
        return strides if dim is None else strides[dim]

    def is_contiguous(self, memory_format=None):
        """True when the elements lie in row-major order without gaps."""
        return self.array.flags.c_contiguous

    # --------------------------------------------------------------------------------------- printing

    def __repr__(self):
        return printing.tensor_repr(self)

    __str__ = __repr__

    def __format__(self, spec):
        return printing.tensor_format(self, spec)

    # --------------------------------------------------------------------------------------- containers

    def __len__(self):
        if self.array.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.array)

    def __iter__(self):
        if self.array.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(len(self.array)))

    def __contains__(self, element):
        if not isinstance(element, (Tensor, int, float, bool, np.number)):
            raise RuntimeError(f"Tensor.__contains__ only supports a Tensor or a number, got {type(element).__name__}.")
        return bool((self.array == _as_array(element)).any())

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
            raise TypeError(f"index: expected an integer tensor with a single element, got dtype {self.array.dtype} "
                            f"and "
                            f"shape {tuple(self.array.shape)}.")
        return int(self.array.item())

    __hash__ = object.__hash__       # hashable by identity, as in PyTorch (== is elementwise)

    def __getstate__(self):
        """What copy and pickle keep: every slot but the zeros a .grad keeps for its next zero_() (a cache)."""
        state = super().__getstate__()                # (__dict__ or None, {slot: value}) for a tensor
        if type(state) is tuple and "_kept_zeros" in state[1]:
            state = state[0], {k: v for k, v in state[1].items() if k != "_kept_zeros"}
        return state

    def __getitem__(self, index):
        return ops.getitem(self, index=_as_array(index))

    def __setitem__(self, index, value):
        self._setitem(index, value)


from .promotion import as_operand, operands  # noqa: E402  (promotion builds on Tensor)
from . import tensor_methods, tensor_operators  # noqa: E402  (they build on Tensor)

tensor_methods.wire()
tensor_operators.wire()

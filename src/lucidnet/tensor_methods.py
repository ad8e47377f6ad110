"""Tensor's methods that compute: conversion (``to``, ``float``, ``numpy``), math, reductions, sorting, products,
linear algebra and shapes, each one line into ``ops`` (primitives) or a function module (composites); and
``new_ones``/``new_zeros``/``new_full``/``new_tensor``. The in-place variants are in tensor_inplace.py.

Example:
    >>> import lucidnet
    >>> x = lucidnet.tensor([[3., 1.], [2., 4.]])
    >>> x.sort(dim=1).values, x.new_zeros(2).dtype
    (tensor([[1., 3.],
            [2., 4.]]), lucidnet.float32)
"""
import numpy as np

from . import dtypes, ops, tensor_inplace
from .device import check_device, is_device, to_args

F = P = LG = R = S = X = L = SM = IX = SC = AR = None   # the function modules; bound by wire() once they can import Tensor


def wire():
    """Bind the modules the methods call into. They import Tensor, so tensor.py calls this after defining it."""
    global F, P, LG, R, S, X, L, SM, IX, SC, AR
    from . import arranging as AR, functional as F, indexing as IX, linalg as L, logic as LG, pointwise as P, \
        products as X, reductions as R, sampling as SM, scattering as SC, sorting as S  # noqa: F811
    from . import promotion
    tensor_inplace.F, tensor_inplace.P, tensor_inplace.PR = F, P, promotion


class TensorMethods(tensor_inplace.TensorInPlace):
    """The methods of :class:`lucidnet.Tensor` that compute: conversion, math, reductions, shapes."""
    __slots__ = ()

    # --------------------------------------------------------------------------------------- conversion

    def item(self):
        """The value of a one-element tensor as a Python number.

        Example:
            >>> import lucidnet
            >>> lucidnet.tensor([2.5]).item()
            2.5
        """
        if self.array.size != 1:
            raise ValueError(f"item(): expected a tensor with one element, got shape {tuple(self.array.shape)}.")
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
        self._zeroed_at = None                  # writes through the array are not versioned: see engine._accumulate
        return self.array

    def __array__(self, dtype=None, copy=None):
        if dtype is not None:
            return self.array.astype(dtype)
        self._zeroed_at = None
        return self.array

    def to(self, *args, dtype=None, device=None, non_blocking=False, copy=False, memory_format=None):
        """This tensor converted to another dtype (differentiable) and/or device, as PyTorch's ``to``:
        ``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(other_tensor)``. Only the CPU computes.

        Example:
            >>> import lucidnet
            >>> lucidnet.tensor([1, 2]).to("cpu", lucidnet.float32)
            tensor([1., 2.])
        """
        dtype, device, non_blocking = to_args(args, dtype, device, non_blocking)
        check_device(device, "to()")
        if dtype is None:
            return self.clone() if copy else self
        d = dtypes.to_dtype(dtype)
        if d == self.array.dtype:
            return self.clone() if copy else self
        if self._requires_grad and d.kind == "f":
            return ops.astype(self, dtype=d)
        return type(self)._wrap(self.array.astype(d))

    astype = to

    def type(self, dtype=None, non_blocking=False):
        """With no argument, the type name PyTorch gives (``'torch.FloatTensor'``); else ``to(dtype)``, where
        dtype may also be a type name or class such as ``lucidnet.LongTensor``.

        Example:
            >>> import lucidnet
            >>> lucidnet.ones(2).type(), lucidnet.ones(2).type("torch.LongTensor")
            ('torch.FloatTensor', tensor([1, 1]))
        """
        from .tensortypes import type_name, from_type_name
        if dtype is None:
            return type_name(self.array.dtype)
        return self.to(from_type_name(dtype))

    def cpu(self, memory_format=None):
        """This tensor (lucidnet is CPU-only)."""
        return self

    def cuda(self, device=None, non_blocking=False, memory_format=None):
        """A clear error: lucidnet has no GPU."""
        check_device("cuda" if device is None else device if is_device(device) else f"cuda:{device}", "cuda()")

    def contiguous(self, memory_format=None):
        """A C-contiguous tensor with the same values."""
        return self if self.array.flags.c_contiguous else ops.clone(self)

    def clone(self, memory_format=None):
        """A copy that gradients flow through."""
        return ops.clone(self)

    # --------------------------------------------------------------------------------------- new tensors

    def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
        """A new tensor holding ``data``, with this tensor's dtype unless ``dtype`` says otherwise.

        Example:
            >>> import lucidnet
            >>> lucidnet.zeros(1, dtype=lucidnet.float64).new_tensor([1, 2])
            tensor([1., 2.], dtype=lucidnet.float64)
        """
        from .creation import tensor
        return tensor(data, dtype=dtype or self.array.dtype, device=device, requires_grad=requires_grad)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        """Zeros of ``size``, with this tensor's dtype unless ``dtype`` says otherwise.

        Example:
            >>> import lucidnet
            >>> lucidnet.tensor([1, 2]).new_zeros(2, 2)
            tensor([[0, 0],
                    [0, 0]])
        """
        from .creation import zeros
        return zeros(*size, dtype=dtype or self.array.dtype, device=device, requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        """Ones of ``size``, with this tensor's dtype unless ``dtype`` says otherwise.

        Example:
            >>> import lucidnet
            >>> lucidnet.zeros(1).new_ones(3)
            tensor([1., 1., 1.])
        """
        from .creation import ones
        return ones(*size, dtype=dtype or self.array.dtype, device=device, requires_grad=requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
        """A tensor of ``size`` to be overwritten (zeros), with this tensor's dtype."""
        return self.new_zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)

    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False):
        """``fill_value`` everywhere in a tensor of ``size``, with this tensor's dtype unless ``dtype`` says otherwise.

        Example:
            >>> import lucidnet
            >>> lucidnet.zeros(1).new_full((2,), 7)
            tensor([7., 7.])
        """
        from .creation import full
        return full(size, fill_value, dtype=dtype or self.array.dtype, device=device, requires_grad=requires_grad)

    # --------------------------------------------------------------------------------------- types

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

    def short(self):
        """Convert to int16."""
        return self.to(dtypes.int16)

    def char(self):
        """Convert to int8."""
        return self.to(dtypes.int8)

    def byte(self):
        """Convert to uint8."""
        return self.to(dtypes.uint8)

    def bool(self):
        """Convert to bool."""
        return self.to(dtypes.bool_)

    def type_as(self, other):
        """Convert to other's dtype."""
        return self.to(other.array.dtype)

    # --------------------------------------------------------------------------------------- math
    # Elementwise (each also has an in-place variant, name_, made below).

    def exp(self): return ops.exp(self)                                             # noqa: E704
    def log(self): return ops.log(self)                                             # noqa: E704
    def sqrt(self): return ops.sqrt(self)                                           # noqa: E704
    def rsqrt(self): return P.rsqrt(self)                                           # noqa: E704
    def abs(self): return ops.abs(self)                                             # noqa: E704
    def sin(self): return ops.sin(self)                                             # noqa: E704
    def cos(self): return ops.cos(self)                                             # noqa: E704
    def tanh(self): return ops.tanh(self)                                           # noqa: E704
    def sigmoid(self): return ops.sigmoid(self)                                     # noqa: E704
    def relu(self): return ops.relu(self)                                           # noqa: E704
    def neg(self): return -self                                                     # noqa: E704
    def square(self): return P.square(self)                                         # noqa: E704
    def pow(self, exponent): return F.pow(self, exponent)                           # noqa: E704
    def clamp(self, min=None, max=None): return F.clamp(self, min, max)             # noqa: E704
    def clamp_min(self, min): return F.clamp(self, min=min)                         # noqa: E704
    def clamp_max(self, max): return F.clamp(self, max=max)                         # noqa: E704
    def maximum(self, other): return F.maximum(self, other)                         # noqa: E704
    def minimum(self, other): return F.minimum(self, other)                         # noqa: E704
    def masked_fill(self, mask, value): return F.masked_fill(self, mask, value)     # noqa: E704
    def tril(self, diagonal=0): return F.tril(self, diagonal)                       # noqa: E704
    def triu(self, diagonal=0): return F.triu(self, diagonal)                       # noqa: E704
    def where(self, condition, other): return F.where(condition, self, other)       # noqa: E704
    def add(self, other, *, alpha=1): return P.add(self, other, alpha=alpha)        # noqa: E704
    def sub(self, other, *, alpha=1): return P.sub(self, other, alpha=alpha)        # noqa: E704
    def mul(self, other): return P.mul(self, other)                                 # noqa: E704
    def div(self, other, *, rounding_mode=None): return P.div(self, other, rounding_mode=rounding_mode)  # noqa: E704
    def floor_divide(self, other): return P.floor_divide(self, other)               # noqa: E704
    def remainder(self, other): return P.remainder(self, other)                     # noqa: E704
    def fmod(self, other): return P.fmod(self, other)                               # noqa: E704
    def atan2(self, other): return P.atan2(self, other)                             # noqa: E704
    def lerp(self, end, weight): return P.lerp(self, end, weight)                   # noqa: E704
    def addcmul(self, t1, t2, *, value=1): return P.addcmul(self, t1, t2, value=value)  # noqa: E704
    def addcdiv(self, t1, t2, *, value=1): return P.addcdiv(self, t1, t2, value=value)  # noqa: E704
    def ceil(self): return P.ceil(self)                                             # noqa: E704
    def floor(self): return P.floor(self)                                           # noqa: E704
    def round(self, *, decimals=0): return P.round(self, decimals=decimals)         # noqa: E704
    def trunc(self): return P.trunc(self)                                           # noqa: E704
    def frac(self): return P.frac(self)                                             # noqa: E704
    def sign(self): return P.sign(self)                                             # noqa: E704
    def tan(self): return P.tan(self)                                               # noqa: E704
    def asin(self): return P.asin(self)                                             # noqa: E704
    def acos(self): return P.acos(self)                                             # noqa: E704
    def atan(self): return P.atan(self)                                             # noqa: E704
    def sinh(self): return P.sinh(self)                                             # noqa: E704
    def cosh(self): return P.cosh(self)                                             # noqa: E704
    def asinh(self): return P.asinh(self)                                           # noqa: E704
    def acosh(self): return P.acosh(self)                                           # noqa: E704
    def atanh(self): return P.atanh(self)                                           # noqa: E704
    def log1p(self): return P.log1p(self)                                           # noqa: E704
    def expm1(self): return P.expm1(self)                                           # noqa: E704
    def log2(self): return P.log2(self)                                             # noqa: E704
    def log10(self): return P.log10(self)                                           # noqa: E704
    def reciprocal(self): return P.reciprocal(self)                                 # noqa: E704
    def erf(self): return P.erf(self)                                               # noqa: E704
    def logical_not(self): return LG.logical_not(self)                               # noqa: E704
    def bitwise_not(self): return LG.bitwise_not(self)                               # noqa: E704
    def logical_and(self, other): return LG.logical_and(self, other)                 # noqa: E704
    def logical_or(self, other): return LG.logical_or(self, other)                   # noqa: E704
    def logical_xor(self, other): return LG.logical_xor(self, other)                 # noqa: E704
    def bitwise_and(self, other): return LG.bitwise_and(self, other)                 # noqa: E704
    def bitwise_or(self, other): return LG.bitwise_or(self, other)                   # noqa: E704
    def bitwise_xor(self, other): return LG.bitwise_xor(self, other)                 # noqa: E704
    def isnan(self): return LG.isnan(self)                                           # noqa: E704
    def isinf(self): return LG.isinf(self)                                           # noqa: E704
    def isfinite(self): return LG.isfinite(self)                                     # noqa: E704
    def isclose(self, other, *a, **k): return LG.isclose(self, other, *a, **k)       # noqa: E704
    def equal(self, other): return F.equal(self, other)                             # noqa: E704
    def allclose(self, other, *a, **k): return F.allclose(self, other, *a, **k)     # noqa: E704
    clip, fix, sgn, negative, absolute = clamp, trunc, sign, neg, abs
    arcsin, arccos, arctan, arcsinh, arccosh, arctanh, arctan2 = asin, acos, atan, asinh, acosh, atanh, atan2
    subtract, multiply, divide, true_divide = sub, mul, div, div

    def eq(self, other): return F.eq(self, other)                                   # noqa: E704
    def ne(self, other): return F.ne(self, other)                                   # noqa: E704
    def lt(self, other): return F.lt(self, other)                                   # noqa: E704
    def le(self, other): return F.le(self, other)                                   # noqa: E704
    def gt(self, other): return F.gt(self, other)                                   # noqa: E704
    def ge(self, other): return F.ge(self, other)                                   # noqa: E704
    greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne

    # products
    def matmul(self, other): return X.matmul(self, other)                           # noqa: E704
    def mm(self, mat2): return X.mm(self, mat2)                                     # noqa: E704
    def bmm(self, mat2): return X.bmm(self, mat2)                                   # noqa: E704
    def mv(self, vec): return X.mv(self, vec)                                       # noqa: E704
    def dot(self, other): return X.dot(self, other)                                 # noqa: E704
    def outer(self, vec2): return X.outer(self, vec2)                               # noqa: E704
    def inner(self, other): return X.inner(self, other)                             # noqa: E704
    def cross(self, other, dim=None): return X.cross(self, other, dim)              # noqa: E704
    def diagonal(self, offset=0, dim1=0, dim2=1): return X.diagonal(self, offset, dim1, dim2)  # noqa: E704
    def diag(self, diagonal=0): return X.diag(self, diagonal)                       # noqa: E704
    def trace(self): return X.trace(self)                                           # noqa: E704
    ger = outer

    # reductions
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
    def prod(self, *a, **k): return R.prod(self, *a, **k)                           # noqa: E704
    def cumsum(self, *a, **k): return R.cumsum(self, *a, **k)                       # noqa: E704
    def cumprod(self, *a, **k): return R.cumprod(self, *a, **k)                     # noqa: E704
    def all(self, *a, **k): return R.all(self, *a, **k)                             # noqa: E704
    def any(self, *a, **k): return R.any(self, *a, **k)                             # noqa: E704
    def count_nonzero(self, *a, **k): return R.count_nonzero(self, *a, **k)         # noqa: E704
    def median(self, *a, **k): return R.median(self, *a, **k)                       # noqa: E704
    def norm(self, p="fro", dim=None, keepdim=False, dtype=None): return R.norm(self, p, dim, keepdim, dtype)  # noqa
    def dist(self, other, p=2): return R.dist(self, other, p)                       # noqa: E704

    # sorting
    def sort(self, dim=-1, descending=False, stable=False): return S.sort(self, dim, descending, stable)  # noqa
    def argsort(self, dim=-1, descending=False, stable=False): return S.argsort(self, dim, descending, stable)  # noqa
    def msort(self): return S.msort(self)                                           # noqa: E704
    def topk(self, k, dim=-1, largest=True, sorted=True): return S.topk(self, k, dim, largest, sorted)  # noqa
    def kthvalue(self, k, dim=-1, keepdim=False): return S.kthvalue(self, k, dim, keepdim)  # noqa: E704
    def unique(self, *a, **k): return S.unique(self, *a, **k)                       # noqa: E704
    def multinomial(self, *a, **k): return SM.multinomial(self, *a, **k)           # noqa: E704

    # linear algebra
    def inverse(self): return L.inv(self)                                           # noqa: E704
    def det(self): return L.det(self)                                               # noqa: E704
    def svd(self, some=True, compute_uv=True): return svd(self, some, compute_uv)   # noqa: E704

    # shapes
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
    swapaxes = swapdims = transpose

    # picking and rearranging
    def gather(self, dim, index): return IX.gather(self, dim, index)                # noqa: E704
    def index_select(self, dim, index): return IX.index_select(self, dim, index)    # noqa: E704
    def masked_select(self, mask): return IX.masked_select(self, mask)              # noqa: E704
    def scatter(self, dim, index, src=None, *, value=None, reduce=None):            # noqa: E704
        return SC.scatter(self, dim, index, src, value=value, reduce=reduce)
    def scatter_add(self, dim, index, src): return SC.scatter_add(self, dim, index, src)  # noqa: E704
    def index_add(self, dim, index, source, *, alpha=1):                            # noqa: E704
        return SC.index_add(self, dim, index, source, alpha=alpha)
    def index_copy(self, dim, index, source): return SC.index_copy(self, dim, index, source)  # noqa: E704
    def index_fill(self, dim, index, value): return SC.index_fill(self, dim, index, value)  # noqa: E704
    def masked_scatter(self, mask, source): return SC.masked_scatter(self, mask, source)  # noqa: E704
    def take(self, index): return AR.take(self, index)                              # noqa: E704
    def take_along_dim(self, indices, dim=None): return AR.take_along_dim(self, indices, dim)  # noqa: E704
    def repeat_interleave(self, repeats=None, dim=None, *, output_size=None):       # noqa: E704
        return AR.repeat_interleave(self, repeats, dim)
    def movedim(self, source, destination): return AR.movedim(self, source, destination)  # noqa: E704
    moveaxis = movedim
    def diff(self, n=1, dim=-1, prepend=None, append=None): return AR.diff(self, n, dim, prepend, append)  # noqa: E704
    def nan_to_num(self, nan=0.0, posinf=None, neginf=None): return AR.nan_to_num(self, nan, posinf, neginf)  # noqa: E704
    def nansum(self, dim=None, keepdim=False, *, dtype=None): return AR.nansum(self, dim, keepdim, dtype=dtype)  # noqa: E704
    def nanmean(self, dim=None, keepdim=False, *, dtype=None): return AR.nanmean(self, dim, keepdim, dtype=dtype)  # noqa: E704
    def aminmax(self, *, dim=None, keepdim=False): return AR.aminmax(self, dim=dim, keepdim=keepdim)  # noqa: E704
    def logit(self, eps=None): return AR.logit(self, eps)                           # noqa: E704
    def hypot(self, other): return AR.hypot(self, other)                            # noqa: E704
    def fmax(self, other): return AR.fmax(self, other)                              # noqa: E704
    def fmin(self, other): return AR.fmin(self, other)                              # noqa: E704
    def nonzero(self, *, as_tuple=False): return IX.nonzero(self, as_tuple=as_tuple)  # noqa: E704
    def flip(self, *dims): return IX.flip(self, _dims(dims))                        # noqa: E704
    def roll(self, shifts, dims=None): return IX.roll(self, shifts, dims)           # noqa: E704
    def repeat(self, *sizes): return IX.repeat(self, *sizes)                        # noqa: E704
    def tile(self, *dims): return IX.tile(self, _dims(dims))                        # noqa: E704
    def narrow(self, dim, start, length): return IX.narrow(self, dim, start, length)  # noqa: E704
    def unbind(self, dim=0): return IX.unbind(self, dim)                            # noqa: E704

    def t(self):
        """Transpose a 2-D tensor (0-d and 1-D tensors are returned as they are), as in PyTorch."""
        return self if self.ndim < 2 else self.transpose(0, 1)


def _dims(dims):
    """x.flip(0, 1) and x.flip((0, 1)) alike."""
    return tuple(dims[0]) if len(dims) == 1 and not isinstance(dims[0], int) else dims


def svd(x, some=True, compute_uv=True):
    """PyTorch's older ``torch.svd``: ``(U, S, V)`` (V, not Vh), reduced unless ``some=False``."""
    import collections
    u, s, vh = L.svd(x, full_matrices=not some)
    if not compute_uv:
        return collections.namedtuple("svd", ["U", "S", "V"])(u * 0, s, vh.mT * 0)
    return collections.namedtuple("svd", ["U", "S", "V"])(u, s, vh.mT)

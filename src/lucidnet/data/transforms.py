"""Image transforms in torchvision's names: :class:`Compose`, :class:`ToTensor`, :class:`Normalize`,
:class:`RandomCrop`, :class:`RandomHorizontalFlip`, :class:`RandomVerticalFlip`, :class:`Lambda`.

Each works two ways:

- **per sample**, as torchvision: ``t(image)`` takes one image, channels-first (C, H, W) or (H, W) (ToTensor:
  channels-last (H, W, C) or (H, W) pixels, as a NumPy array or a PIL image), e.g. in a Dataset's
  ``__getitem__``; a 4-D (N, C, H, W) array is taken as a batch (see below);
- **per batch**, in NumPy: ``t.batch(x)`` takes a batch along axis 0, (N, C, H, W) or (N, H, W), and draws one
  random choice per item at once: a random crop is one padding and one gather at per-item offsets, a random
  flip one mask. No Python loop over the images. ``fit(..., augment=Compose([...]))`` calls it on every
  training batch (never on validation or test data).

Random choices come from the transform's ``generator`` when it was given one, else from the generator
``batch`` is called with (``fit`` passes its own), else from the default generator (``lucidnet.manual_seed``).
A transform keeps the kind of its input: a Tensor gives a Tensor, a NumPy array an array (ToTensor always
gives a Tensor).

Example:
    >>> import numpy as np
    >>> import lucidnet
    >>> from lucidnet import transforms
    >>> _ = lucidnet.manual_seed(0)
    >>> augment = transforms.Compose([transforms.RandomCrop(28, padding=2), transforms.RandomHorizontalFlip()])
    >>> augment.batch(np.zeros((128, 1, 28, 28), np.float32)).shape
    (128, 1, 28, 28)
    >>> to_input = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])
    >>> to_input(np.full((28, 28), 255, np.uint8)).shape          # one uint8 (H, W) image -> (1, H, W) floats
    lucidnet.Size([1, 28, 28])
"""
import numbers

import numpy as np

from .. import dtypes
from ..random import Generator, numpy_generator
from ..tensor import Tensor

__all__ = ["Compose", "Lambda", "Normalize", "RandomCrop", "RandomHorizontalFlip", "RandomVerticalFlip",
           "ToTensor", "Transform"]


def _unwrap(x, where):
    """(array, wrap): the input's NumPy array, and how to give a result the input's kind."""
    if isinstance(x, Tensor):
        return x.array, Tensor._wrap
    if isinstance(x, np.ndarray):
        return x, lambda a: a
    try:
        a = np.asarray(x)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{where}: expected an image as a Tensor or an array, got {type(x).__name__} ({e}).") from None
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{where}: expected an image of numbers, got {type(x).__name__} of dtype {a.dtype}.")
    return a, lambda a: a


def _generator(where, generator):
    if generator is None or isinstance(generator, (Generator, np.random.Generator)):
        return generator
    if isinstance(generator, numbers.Integral) and not isinstance(generator, bool):
        return Generator().manual_seed(int(generator))
    raise TypeError(f"{where}: expected generator to be a lucidnet.Generator, a numpy Generator or an int seed, got "
                    f"{type(generator).__name__}.")


def _pair(where, name, value):
    """(h, w) from an int or a pair of positive ints (torchvision's size)."""
    v = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    v = v * 2 if len(v) == 1 else v
    if len(v) != 2 or any(isinstance(s, bool) or not isinstance(s, numbers.Integral) or s < 1 for s in v):
        raise ValueError(f"{where}: expected {name} to be a positive int or a pair (h, w) of them, got {value!r}.")
    return int(v[0]), int(v[1])


class Transform:
    """The base of the transforms: ``t(x)`` for one sample (a 4-D input is a batch), ``t.batch(x, generator)``
    for a batch along axis 0. Subclasses write ``_apply(array, rng, batched)``; those that draw set ``random``.

    Example:
        >>> import numpy as np
        >>> class Double(Transform):
        ...     def _apply(self, a, rng, batched):
        ...         return a * 2
        >>> Double()(np.ones(2)).tolist(), Double()
        ([2.0, 2.0], Double())
    """
    random = False
    generator = None

    def __call__(self, x):
        a, wrap = _unwrap(x, self._where())
        return wrap(self._apply(a, self._rng(None), a.ndim == 4))

    def batch(self, x, generator=None):
        """Apply to every item of a batch along axis 0, with one random draw per item; random choices come from
        this transform's generator if it has one, else from ``generator`` (None: the default generator)."""
        a, wrap = _unwrap(x, self._where())
        if a.ndim < 2:
            raise ValueError(f"{self._where()}: expected a batch of images (N, C, H, W) or (N, H, W), got shape "
                             f"{tuple(a.shape)}.")
        return wrap(self._apply(a, self._rng(generator), True))

    def generators(self):
        """The generators this transform was given (its own random state, which a checkpoint saves)."""
        return [self.generator] if self.generator is not None else []

    def _rng(self, generator):
        if not self.random:
            return None
        return numpy_generator(self.generator if self.generator is not None else generator)

    def _apply(self, a, rng, batched):
        raise NotImplementedError(f"{type(self).__name__}: subclasses of Transform must define _apply.")

    def _where(self):
        return type(self).__name__

    def _image(self, a, batched, least=2):
        """Check there is an image (H, W) in each item; returns the item's number of axes."""
        item = a.ndim - 1 if batched else a.ndim
        if item < least:
            shapes = "(N, C, H, W) or (N, H, W)" if batched else "(C, H, W) or (H, W)"
            raise ValueError(f"{self._where()}: expected {'a batch of images' if batched else 'an image'} {shapes}, "
                             f"got shape {tuple(a.shape)}.")
        return item

    def extra_repr(self):
        return ""

    def __repr__(self):
        return f"{type(self).__name__}({self.extra_repr()})"


class Compose(Transform):
    """Several transforms, one after the other (torchvision's ``transforms.Compose``).

    Args:
        transforms: the transforms (or any callables taking and returning an image or a batch), in order.

    Example:
        >>> import numpy as np
        >>> t = Compose([ToTensor(), Normalize((0.5,), (0.25,))])
        >>> t(np.array([[0, 255]], np.uint8)).tolist()
        [[[-2.0, 2.0]]]
        >>> t
        Compose(
            ToTensor()
            Normalize(mean=(0.5,), std=(0.25,))
        )
    """

    def __init__(self, transforms):
        self.transforms = list(transforms)
        for t in self.transforms:
            if not callable(t):
                raise TypeError(f"Compose(): expected transforms (callables), got {type(t).__name__}.")

    def __call__(self, x):
        for t in self.transforms:
            x = t(x)
        return x

    def batch(self, x, generator=None):
        """Each transform's :meth:`Transform.batch` in turn (a plain callable gets the whole batch)."""
        for t in self.transforms:
            x = t.batch(x, generator) if isinstance(t, Transform) else t(x)
        return x

    def generators(self):
        return [g for t in self.transforms if isinstance(t, Transform) for g in t.generators()]

    def __repr__(self):
        return "Compose(\n" + "".join(f"    {t!r}\n" for t in self.transforms) + ")"


class Lambda(Transform):
    """A function as a transform (torchvision's ``transforms.Lambda``); ``batch`` gives it the whole batch.

    Example:
        >>> import numpy as np
        >>> Lambda(lambda x: x + 1)(np.zeros(2)).tolist()
        [1.0, 1.0]
    """

    def __init__(self, lambd):
        if not callable(lambd):
            raise TypeError(f"Lambda(): expected a callable, got {type(lambd).__name__}.")
        self.lambd = lambd

    def __call__(self, x):
        return self.lambd(x)

    def batch(self, x, generator=None):
        return self.lambd(x)


class ToTensor(Transform):
    """Pixels (H, W, C) or (H, W) to a channels-first (C, H, W) Tensor; uint8 values are scaled to [0, 1] in
    the default float dtype, other dtypes are kept as they are (torchvision's ``ToTensor``).

    A batch: (N, H, W, C) or (N, H, W) to (N, C, H, W). A PIL image is read as its array.

    Example:
        >>> import numpy as np
        >>> x = ToTensor()(np.array([[[0, 255, 51]]], np.uint8))          # one pixel, 3 channels: (1, 1, 3)
        >>> x.shape, x.dtype, x.flatten().tolist()
        (lucidnet.Size([3, 1, 1]), lucidnet.float32, [0.0, 1.0, 0.20000000298023224])
    """

    def __call__(self, x):
        a = self._pixels(x)
        if a.ndim not in (2, 3, 4):
            raise ValueError(f"ToTensor(): expected an image (H, W, C) or (H, W), or a batch (N, H, W, C), got shape "
                             f"{tuple(a.shape)}.")
        return Tensor._wrap(self._apply(a, None, a.ndim == 4))

    def batch(self, x, generator=None):
        a = self._pixels(x)
        if a.ndim not in (3, 4):
            raise ValueError(f"ToTensor.batch(): expected a batch of images (N, H, W, C) or (N, H, W), got shape "
                             f"{tuple(a.shape)}.")
        return Tensor._wrap(self._apply(a, None, True))

    @staticmethod
    def _pixels(x):
        if isinstance(x, Tensor):
            raise TypeError("ToTensor(): expected an image as a NumPy array (H, W, C) or a PIL image, got a Tensor "
                            "(it is one already; leave ToTensor() out).")
        return _unwrap(x, "ToTensor()")[0]

    def _apply(self, a, rng, batched):
        if a.ndim == (3 if batched else 2):                 # no channel axis: one channel
            a = a[..., None]
        a = np.moveaxis(a, -1, -3)                          # (..., H, W, C) -> (..., C, H, W)
        if a.dtype == np.uint8:
            dt = np.dtype(dtypes.get_default_dtype())
            return np.ascontiguousarray(a, dtype=dt) / dt.type(255)
        return np.ascontiguousarray(a)


class Normalize(Transform):
    """``(x - mean[c]) / std[c]`` for each channel c of float images (C, H, W) (torchvision's ``Normalize``).

    Args:
        mean: a mean per channel (or one for all).
        std: a standard deviation per channel (or one for all), none zero.
        inplace: overwrite the input array. Default: False.

    Shape:
        (C, H, W) or (H, W) (one channel); a batch (N, C, H, W) or (N, H, W).

    Example:
        >>> import numpy as np
        >>> Normalize((0.5, 0.0), (0.5, 2.0))(np.ones((2, 1, 1), np.float32)).ravel().tolist()
        [1.0, 0.5]
    """

    def __init__(self, mean, std, inplace=False):
        where = "Normalize()"
        m, s = (np.atleast_1d(np.asarray(v, dtype=np.float64)) for v in (mean, std))
        if m.ndim != 1 or s.ndim != 1 or not np.isfinite(m).all() or not np.isfinite(s).all():
            raise ValueError(f"{where}: expected mean and std as finite numbers per channel, got mean={mean!r}, "
                             f"std={std!r}.")
        if (s == 0).any():
            raise ValueError(f"{where}: expected std without zeros (it divides), got std={std!r}.")
        if len(m) != len(s) and 1 not in (len(m), len(s)):
            raise ValueError(f"{where}: expected mean and std of the same length (one per channel), got {len(m)} "
                             f"and {len(s)}.")
        self.mean = tuple(float(v) for v in m)
        self.std = tuple(float(v) for v in s)
        self.inplace = bool(inplace)

    def _apply(self, a, rng, batched):
        item = self._image(a, batched)
        if a.dtype.kind != "f":
            raise TypeError(f"{self!r}: expected float images, got dtype {a.dtype}. Put ToTensor() first (it "
                            f"scales uint8 pixels to [0, 1]).")
        channels = a.shape[-3] if item >= 3 else 1
        n = max(len(self.mean), len(self.std))
        if n not in (1, channels):
            what = f"(C, H, W) with C = {n}" if item >= 3 else "(C, H, W), not (H, W)"
            raise ValueError(f"{self!r}: expected images {what}, got shape {tuple(a.shape)}"
                             f"{' (a batch)' if batched else ''}.")
        shape = (-1, 1, 1) if item >= 3 else (-1, 1)
        mean = np.asarray(self.mean, a.dtype).reshape(shape)
        std = np.asarray(self.std, a.dtype).reshape(shape)
        if self.inplace:
            a -= mean
            a /= std
            return a
        return (a - mean) / std

    def extra_repr(self):
        return f"mean={self.mean}, std={self.std}" + (", inplace=True" if self.inplace else "")


_PADDING_MODES = {"constant": "constant", "edge": "edge", "reflect": "reflect", "symmetric": "symmetric"}


class RandomCrop(Transform):
    """A crop of ``size`` at a random place, after optional padding (torchvision's ``RandomCrop``).

    Args:
        size: the crop's (h, w), or an int for a square.
        padding: pixels added around the image first: an int for every border, (left/right, top/bottom), or
            (left, top, right, bottom). Default: None.
        pad_if_needed: pad an image smaller than ``size`` up to it. Default: False.
        fill: the value of padded pixels with ``padding_mode="constant"``. Default: 0.
        padding_mode: "constant", "edge", "reflect" or "symmetric". Default: "constant".
        generator: where the offsets come from (see the module's docstring). Default: None.

    In a batch every item gets its own offsets: one padding and one gather (over ``sliding_window_view``)
    for the whole batch.

    Example:
        >>> import numpy as np
        >>> x = np.arange(16.0).reshape(1, 4, 4)
        >>> RandomCrop(4, padding=1, generator=0)(x).shape
        (1, 4, 4)
        >>> RandomCrop(2, generator=0).batch(np.stack([x, x])).shape
        (2, 1, 2, 2)
    """
    random = True

    def __init__(self, size, padding=None, pad_if_needed=False, fill=0, padding_mode="constant", *, generator=None):
        where = "RandomCrop()"
        self.size = _pair(where, "size", size)
        self.padding = self._padding(padding)
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"{where}: expected padding_mode 'constant', 'edge', 'reflect' or 'symmetric', got "
                             f"{padding_mode!r}.")
        if not isinstance(fill, numbers.Real):
            raise TypeError(f"{where}: expected fill to be a number, got {type(fill).__name__}.")
        self.pad_if_needed, self.fill, self.padding_mode = bool(pad_if_needed), fill, padding_mode
        self.generator = _generator(where, generator)

    @staticmethod
    def _padding(padding):
        """(left, top, right, bottom), or None."""
        if padding is None:
            return None
        p = (padding,) if isinstance(padding, numbers.Integral) else tuple(padding) \
            if isinstance(padding, (tuple, list)) else ()
        if len(p) not in (1, 2, 4) or any(isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 0
                                          for v in p):
            raise ValueError(f"RandomCrop(): expected padding to be a non-negative int, (left/right, top/bottom) or "
                             f"(left, top, right, bottom), got {padding!r}.")
        p = tuple(int(v) for v in p)
        return p * 4 if len(p) == 1 else (p[0], p[1], p[0], p[1]) if len(p) == 2 else p

    def _pad(self, a, left, top, right, bottom):
        if not (left or top or right or bottom):
            return a
        widths = [(0, 0)] * (a.ndim - 2) + [(top, bottom), (left, right)]
        if self.padding_mode == "constant":
            return np.pad(a, widths, mode="constant", constant_values=self.fill)
        return np.pad(a, widths, mode=_PADDING_MODES[self.padding_mode])

    def _apply(self, a, rng, batched):
        self._image(a, batched)
        if self.padding is not None:
            a = self._pad(a, *self.padding)
        th, tw = self.size
        h, w = a.shape[-2:]
        if self.pad_if_needed and (h < th or w < tw):   # torchvision pads both sides by the difference
            dh, dw = max(th - h, 0), max(tw - w, 0)
            a = self._pad(a, dw, dh, dw, dh)
            h, w = a.shape[-2:]
        if h < th or w < tw:
            pad = f" after padding {self.padding}" if self.padding is not None else ""
            raise ValueError(f"{self!r}: expected images of at least {th}x{tw}{pad}, got {h}x{w} (shape "
                             f"{tuple(a.shape)}). Pass pad_if_needed=True to pad them up to the crop.")
        if not batched:
            i, j = int(rng.integers(0, h - th + 1)), int(rng.integers(0, w - tw + 1))
            return a[..., i:i + th, j:j + tw]
        n = len(a)
        i, j = rng.integers(0, h - th + 1, size=n), rng.integers(0, w - tw + 1, size=n)
        if h == th and w == tw:
            return a
        windows = np.lib.stride_tricks.sliding_window_view(a, (th, tw), axis=(-2, -1))
        return windows[np.arange(n), ..., i, j, :, :]        # (N, ..., th, tw): one gather, per-item offsets

    def extra_repr(self):
        s = f"size={self.size}, padding={self.padding}"
        if self.pad_if_needed:
            s += ", pad_if_needed=True"
        if self.fill != 0:
            s += f", fill={self.fill}"
        if self.padding_mode != "constant":
            s += f", padding_mode={self.padding_mode!r}"
        return s


class _RandomFlip(Transform):
    random = True
    axis = -1

    def __init__(self, p=0.5, *, generator=None):
        where = f"{type(self).__name__}()"
        if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0 <= p <= 1:
            raise ValueError(f"{where}: expected a probability p in [0, 1], got {p!r}.")
        self.p = float(p)
        self.generator = _generator(where, generator)

    def _apply(self, a, rng, batched):
        self._image(a, batched)
        if not batched:
            return np.flip(a, self.axis).copy() if rng.random() < self.p else a
        flip = rng.random(len(a)) < self.p
        out = a.copy()
        out[flip] = np.flip(a[flip], self.axis)
        return out

    def extra_repr(self):
        return f"p={self.p}"


class RandomHorizontalFlip(_RandomFlip):
    """Mirror an image left to right with probability ``p`` (torchvision's ``RandomHorizontalFlip``); in a
    batch each item is flipped or not on its own draw.

    Args:
        p: the probability of a flip. Default: 0.5.
        generator: where the draws come from (see the module's docstring). Default: None.

    Example:
        >>> import numpy as np
        >>> RandomHorizontalFlip(p=1.0)(np.array([[1, 2, 3]])).tolist()
        [[3, 2, 1]]
    """
    axis = -1


class RandomVerticalFlip(_RandomFlip):
    """Mirror an image top to bottom with probability ``p`` (torchvision's ``RandomVerticalFlip``).

    Example:
        >>> import numpy as np
        >>> RandomVerticalFlip(p=1.0)(np.array([[1], [2]])).tolist()
        [[2], [1]]
    """
    axis = -2

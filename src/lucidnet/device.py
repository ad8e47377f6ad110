"""Devices, as CPU-only PyTorch has them: ``lucidnet.device``, the default device, and the check every
``device=`` argument goes through.

lucidnet computes with NumPy on the CPU. A ``device("cuda")`` object can be made (tutorials write
``device = torch.device("cuda" if torch.cuda.is_available() else "cpu")``), but putting a tensor or a
module on it is a clear error, as is making it the default.
"""
import numbers

__all__ = ["device", "get_default_device", "set_default_device"]

# PyTorch's device types, in its order (the error for an unknown one lists them).
_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga", "maia", "xla",
          "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone")


class device:
    """A device name, PyTorch's ``torch.device``: ``device("cpu")``, ``device("cuda:1")``, ``device("cuda", 1)``.

    Only the CPU computes. Used as a context manager, ``with device("cpu"):`` makes it the default device.

    Example:
        >>> import lucidnet
        >>> d = lucidnet.device("cpu")
        >>> d, str(d), d.type, d.index, lucidnet.ones(2).device == d
        (device(type='cpu'), 'cpu', 'cpu', None, True)
        >>> lucidnet.device("cuda", 1)
        device(type='cuda', index=1)
    """
    __slots__ = ("type", "index", "_previous")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        elif isinstance(type, numbers.Integral) and not isinstance(type, bool):
            raise RuntimeError(f"device({type}): a bare device index means an accelerator, and lucidnet has none "
                               f"(lucidnet.cuda.is_available() is False); use device('cpu').")
        elif not isinstance(type, str):
            raise TypeError(f"device(): expected a device string such as 'cpu', got {type!r}.")
        name, _, number = type.partition(":")
        if name not in _TYPES:
            raise RuntimeError(f"device(): expected one of {', '.join(_TYPES)} at the start of the device string, "
                               f"got {type!r}.")
        if number:
            if index is not None:
                raise RuntimeError(f"device(): got the index twice, in {type!r} and as index={index}.")
            if not number.isdigit():
                raise RuntimeError(f"device(): expected a device index after ':', got {type!r}.")
            index = int(number)
        if index is not None and (not isinstance(index, numbers.Integral) or isinstance(index, bool) or index < 0):
            raise RuntimeError(f"device(): expected a non-negative index, got {index!r}.")
        self.type, self.index = name, None if index is None else int(index)

    def __eq__(self, other):
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self):
        return f"device(type={self.type!r})" if self.index is None else \
            f"device(type={self.type!r}, index={self.index})"

    def __reduce__(self):
        return device, (self.type, self.index)

    def __enter__(self):
        self._previous = get_default_device()
        set_default_device(self)
        return self

    def __exit__(self, *exc):
        set_default_device(self._previous)
        return False


_CPU = device("cpu")
_default = [_CPU]


def check_device(dev, where):
    """Return ``dev`` as a device if lucidnet can compute there (the CPU); raise a clear error for any other.

    ``None`` means the default device. Used by every ``device=`` argument and by ``to()``.

    Example:
        >>> check_device("cpu", "zeros()")
        device(type='cpu')
        >>> check_device("cuda", "zeros()")
        Traceback (most recent call last):
        ...
        RuntimeError: zeros(): expected device 'cpu', got 'cuda'. lucidnet computes with NumPy on the CPU ...
    """
    if dev is None:
        return _default[0]
    if dev is _CPU:
        return dev
    d = dev if isinstance(dev, device) else device(dev)
    if d.type != "cpu":
        raise RuntimeError(f"{where}: expected device 'cpu', got {str(d)!r}. lucidnet computes with NumPy on the "
                           f"CPU (lucidnet.cuda.is_available() is False).")
    return d


def to_args(args, dtype=None, device=None, non_blocking=False):
    """(dtype, device, non_blocking) from the positional arguments of PyTorch's ``to``: a dtype, a device, both,
    or a tensor (its dtype), in any order.

    Example:
        >>> import lucidnet
        >>> to_args(("cpu", lucidnet.float64))
        (lucidnet.float64, 'cpu', False)
    """
    for a in args:
        if hasattr(a, "array"):
            dtype = a.array.dtype
        elif is_device(a):
            device = a
        elif isinstance(a, bool):
            non_blocking = a
        elif a is not None:
            dtype = a
    return dtype, device, non_blocking


def is_device(value):
    """True if ``value`` names a device (a device, or a string such as 'cpu' or 'cuda:0'), for ``to()``."""
    return isinstance(value, device) or (isinstance(value, str) and value.partition(":")[0] in _TYPES)


def set_default_device(device):
    """Set the device new tensors are made on; only the CPU (or None) is possible.

    Example:
        >>> set_default_device("cpu"); get_default_device()
        device(type='cpu')
    """
    _default[0] = check_device(device, "set_default_device()") if device is not None else _CPU


def get_default_device():
    """The device new tensors are made on: always the CPU.

    Example:
        >>> get_default_device()
        device(type='cpu')
    """
    return _default[0]

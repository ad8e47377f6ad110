"""``lucidnet.accelerator``: PyTorch's device-agnostic accelerator queries. lucidnet has none: the CPU computes.

Example:
    >>> import lucidnet as torch
    >>> torch.accelerator.current_accelerator() or torch.device("cpu")
    device(type='cpu')
"""

__all__ = ["current_accelerator", "current_device_index", "device_count", "is_available", "set_device_index",
           "synchronize"]


def is_available():
    """False: lucidnet computes with NumPy on the CPU."""
    return False


def device_count():
    """0 accelerators."""
    return 0


def current_accelerator(check_available=False):
    """None: there is no accelerator (PyTorch's answer on a CPU-only machine)."""
    return None


def _none(what):
    raise RuntimeError(f"lucidnet.accelerator.{what}: there is no accelerator; lucidnet computes with NumPy on the "
                       f"CPU.")


def current_device_index():
    """A clear error: there is no accelerator."""
    _none("current_device_index()")


def set_device_index(device):
    """A clear error: there is no accelerator."""
    _none("set_device_index()")


def synchronize(device=None):
    """A clear error: there is no accelerator."""
    _none("synchronize()")

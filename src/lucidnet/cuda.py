"""``lucidnet.cuda``: what CPU-only PyTorch's ``torch.cuda`` answers. There is no GPU: ``is_available()`` is False,
counts and memory are 0, seeding is accepted and does nothing, and questions about a current device are a clear error.

Example:
    >>> import lucidnet as torch
    >>> device = "cuda" if torch.cuda.is_available() else "cpu"
    >>> device, torch.cuda.device_count()
    ('cpu', 0)
"""

__all__ = ["current_device", "device_count", "empty_cache", "get_device_name", "get_device_properties",
           "is_available", "is_bf16_supported", "is_initialized", "manual_seed", "manual_seed_all",
           "max_memory_allocated", "max_memory_reserved", "memory_allocated", "memory_reserved", "seed", "seed_all",
           "set_device", "synchronize"]


def _none(what):
    raise RuntimeError(f"lucidnet.cuda.{what}: there is no CUDA device; lucidnet computes with NumPy on the CPU "
                       f"(lucidnet.cuda.is_available() is False).")


def is_available():
    """False: lucidnet has no GPU."""
    return False


def is_initialized():
    """False, as in CPU-only PyTorch."""
    return False


def is_bf16_supported(including_emulation=True):
    """False: there is no CUDA device."""
    return False


def device_count():
    """0: there is no CUDA device."""
    return 0


def manual_seed(seed):
    """Accepted and ignored, as in CPU-only PyTorch (no GPU generator); seed the CPU with lucidnet.manual_seed."""


def manual_seed_all(seed):
    """Accepted and ignored, as in CPU-only PyTorch."""


def seed():
    """Accepted and ignored, as in CPU-only PyTorch."""


def seed_all():
    """Accepted and ignored, as in CPU-only PyTorch."""


def empty_cache():
    """Nothing to free: accepted and ignored, as in CPU-only PyTorch."""


def memory_allocated(device=None):
    """0 bytes: nothing is on a GPU."""
    return 0


def max_memory_allocated(device=None):
    """0 bytes: nothing is on a GPU."""
    return 0


def memory_reserved(device=None):
    """0 bytes: nothing is on a GPU."""
    return 0


def max_memory_reserved(device=None):
    """0 bytes: nothing is on a GPU."""
    return 0


def current_device():
    """A clear error: there is no current CUDA device."""
    _none("current_device()")


def set_device(device):
    """A clear error: there is no CUDA device to select."""
    _none("set_device()")


def get_device_name(device=None):
    """A clear error: there is no CUDA device to name."""
    _none("get_device_name()")


def get_device_properties(device=None):
    """A clear error: there is no CUDA device."""
    _none("get_device_properties()")


def synchronize(device=None):
    """A clear error: there is no CUDA device to wait for."""
    _none("synchronize()")

"""``lucidnet.backends.mps``: Apple's Metal backend, which lucidnet does not have."""


def is_available():
    """False: lucidnet computes with NumPy on the CPU."""
    return False


def is_built():
    """False: lucidnet has no Metal backend."""
    return False

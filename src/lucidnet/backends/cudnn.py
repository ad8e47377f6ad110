"""``lucidnet.backends.cudnn``: cuDNN's switches. Settable, as scripts set them, and without effect (no GPU)."""

enabled = True          # PyTorch's defaults
benchmark = False
deterministic = False
allow_tf32 = True


def is_available():
    """False: there is no cuDNN."""
    return False


def version():
    """None: there is no cuDNN."""
    return None

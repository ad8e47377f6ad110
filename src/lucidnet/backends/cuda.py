"""``lucidnet.backends.cuda``: CUDA's switches. Settable, as scripts set them, and without effect (no GPU)."""
import types

matmul = types.SimpleNamespace(allow_tf32=False, allow_fp16_reduced_precision_reduction=True,
                               allow_bf16_reduced_precision_reduction=True)


def is_built():
    """False: lucidnet has no CUDA backend."""
    return False

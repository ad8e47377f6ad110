"""``lucidnet.random``: PyTorch's ``torch.random`` (seeding and saving the default generator's state).

Example:
    >>> import lucidnet
    >>> _ = lucidnet.random.manual_seed(0); a = lucidnet.rand(2)
    >>> _ = lucidnet.random.manual_seed(0); bool((lucidnet.rand(2) == a).all())
    True
"""
from .creation import get_rng_state, initial_seed, manual_seed, seed, set_rng_state  # noqa: F401

__all__ = ["get_rng_state", "initial_seed", "manual_seed", "seed", "set_rng_state"]

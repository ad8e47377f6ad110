"""Random state: the :class:`Generator` type, the default generator every random call falls back to, and the
helpers that read and restore any generator's state.

Randomness comes from NumPy's ``np.random.Generator`` (PCG64). ``lucidnet.manual_seed(n)`` reseeds the
default one. Functions that draw take ``generator=``: a :class:`Generator`, a NumPy generator, an int seed, or
None for the default; :func:`numpy_generator` turns any of those into the NumPy generator to draw from. A
generator's state is a JSON-able dict (:func:`get_state` / :func:`set_state`), so a checkpoint can save it
and a resumed run draws exactly what an uninterrupted one would.

Example:
    >>> g = Generator().manual_seed(0)
    >>> state = get_state(g); a = numpy_generator(g).random()
    >>> set_state(g, state); numpy_generator(g).random() == a
    True
"""
import numpy as np

from .device import check_device

__all__ = ["Generator", "default_generator", "get_rng_state", "get_state", "initial_seed", "manual_seed",
           "numpy_generator", "seed", "set_rng_state", "set_state"]


class Generator:
    """A seeded source of random numbers, PyTorch's ``torch.Generator`` over NumPy's PCG64.

    Its state can be saved and restored (``get_state``/``set_state``, plain JSON-able dicts), so a
    resumed training run draws the same batches as an uninterrupted one.

    Example:
        >>> import lucidnet
        >>> g = Generator().manual_seed(0)
        >>> a = lucidnet.randn(2, generator=g); b = lucidnet.randn(2, generator=Generator().manual_seed(0))
        >>> bool((a == b).all())
        True
    """

    def __init__(self, device="cpu"):
        self.device = check_device(device, "Generator()")
        self._seed = int(np.random.SeedSequence().entropy % (2**63))
        self.np = np.random.default_rng(self._seed)

    def manual_seed(self, seed):
        """Reseed and return self."""
        self._seed = int(seed)
        self.np = np.random.default_rng(self._seed)
        return self

    def seed(self):
        """Reseed from fresh entropy and return the new seed."""
        self.manual_seed(np.random.SeedSequence().entropy % (2**63))
        return self._seed

    def initial_seed(self):
        """The seed last set."""
        return self._seed

    def get_state(self):
        """The generator's full state, a JSON-able dict."""
        return self.np.bit_generator.state

    def set_state(self, state):
        """Restore a state from :meth:`get_state`."""
        self.np.bit_generator.state = state

    def __repr__(self):
        return f"Generator(seed={self._seed})"


default_generator = Generator().manual_seed(np.random.SeedSequence().entropy % (2**63))


def manual_seed(seed):
    """Seed the default generator, making every later random call reproducible. Returns it.

    Example:
        >>> import lucidnet
        >>> _ = manual_seed(0); a = lucidnet.rand(3)
        >>> _ = manual_seed(0); bool((a == lucidnet.rand(3)).all())
        True
    """
    return default_generator.manual_seed(seed)


def seed():
    """Seed the default generator from fresh entropy; returns the seed."""
    return default_generator.seed()


def initial_seed():
    """The seed the default generator was last given."""
    return default_generator.initial_seed()


def get_rng_state():
    """The default generator's state (PyTorch's ``torch.get_rng_state``; a JSON-able dict here).

    Example:
        >>> import lucidnet
        >>> state = get_rng_state(); a = lucidnet.rand(2); set_rng_state(state); bool((lucidnet.rand(2) == a).all())
        True
    """
    return default_generator.get_state()


def set_rng_state(new_state):
    """Restore the default generator's state from :func:`get_rng_state`."""
    default_generator.set_state(new_state)


def numpy_generator(generator=None):
    """The NumPy generator to draw from: the default one (None), a :class:`Generator`'s, a NumPy one as it is (a
    legacy ``RandomState`` drawing from its own stream), an object holding a NumPy generator in ``.np``, or a new
    one seeded with an int.

    Example:
        >>> bool(numpy_generator(3).integers(10) == numpy_generator(3).integers(10))
        True
    """
    if generator is None:
        return default_generator.np
    if isinstance(generator, Generator):
        return generator.np
    if isinstance(generator, np.random.Generator):
        return generator
    if isinstance(generator, (int, np.integer)) and not isinstance(generator, bool):
        return np.random.default_rng(int(generator))
    if isinstance(generator, np.random.RandomState):       # the same stream, with Generator's methods
        return np.random.Generator(generator._bit_generator)
    inner = getattr(generator, "np", None)
    if isinstance(inner, np.random.Generator):
        return inner
    raise TypeError(f"generator: expected a lucidnet.Generator, a numpy Generator or an int seed, "
                    f"got {type(generator).__name__}.")


def get_state(g, where="get_state()"):
    """The JSON-able state of a :class:`Generator`, a NumPy generator, or anything with ``state_dict()`` (a
    DataLoader: its shuffling generator's); anything else is a TypeError naming ``where``.

    Example:
        >>> sorted(get_state(Generator().manual_seed(1)))
        ['bit_generator', 'has_uint32', 'state', 'uinteger']
    """
    if isinstance(g, Generator):
        return g.get_state()
    if isinstance(g, np.random.Generator):
        return g.bit_generator.state
    if hasattr(g, "state_dict"):
        return g.state_dict()
    raise TypeError(f"{where}: expected generator to be a lucidnet.Generator, a numpy Generator or a DataLoader, "
                    f"got {type(g).__name__}.")


def set_state(g, state, where="set_state()"):
    """Restore :func:`get_state`'s output into ``g`` (the same kinds); a state that does not fit is a ValueError
    naming ``where``."""
    try:
        if isinstance(g, Generator):
            g.set_state(state)
        elif isinstance(g, np.random.Generator):
            g.bit_generator.state = state
        elif hasattr(g, "load_state_dict"):
            g.load_state_dict(state)
        else:
            raise TypeError(f"{where}: expected generator to be a lucidnet.Generator, a numpy Generator or a "
                            f"DataLoader, got {type(g).__name__}.")
    except (KeyError, ValueError) as e:
        raise ValueError(f"{where}: the saved generator state does not fit {type(g).__name__} ({e}).") from None

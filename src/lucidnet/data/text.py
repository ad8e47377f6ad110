"""Text for language models: a character tokenizer, windows of tokens to train on, UTF-8 files, and the
tiny Shakespeare corpus (Karpathy's char-rnn data set, 1,115,394 characters, as nanoGPT uses it).

nanoGPT's recipe, in lucidnet's parts::

    text = tiny_shakespeare()                       # or read_text("any_utf8_file.txt")
    tok = CharTokenizer.from_text(text)             # 65 characters
    train, val = TokenWindows.split(tok.encode(text), block_size=64)    # first 90% / last 10%
    x, y = train.sample(12)                         # (12, 64) inputs and the next token of each
"""
import hashlib
import os

import numpy as np

from ..random import numpy_generator
from ..tensor import Tensor
from ._files import read_bytes
from .dataset import Dataset
from .datasets import _download_file, cache_dir

__all__ = ["CharTokenizer", "TINY_SHAKESPEARE_SHA256", "TokenWindows", "read_text", "tiny_shakespeare"]

TINY_SHAKESPEARE_SHA256 = "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"
_TINY_SHAKESPEARE_URLS = ["https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt"]


def _shown(chars, limit=10):
    """Characters as the user would type them: repr() of each, the first ``limit`` of them."""
    chars = list(chars)
    text = ", ".join(repr(c) for c in chars[:limit])
    return text + (f" and {len(chars) - limit} more" if len(chars) > limit else "")


class CharTokenizer:
    """One token per character: ids are positions in a fixed string of distinct characters.

    ``from_text`` takes the sorted set of a text's characters, as nanoGPT's shakespeare_char does. The
    tokenizer is JSON (``get_config``), so it is saved inside a model file and rebuilt with it.

    Args:
        chars: the vocabulary, a string of distinct characters; id i is ``chars[i]``.

    Example:
        >>> tok = CharTokenizer.from_text("hello world")
        >>> tok.vocab_size, tok.encode("hold").tolist(), tok.decode([3, 4, 5])
        (8, [3, 5, 4, 1], 'hlo')
    """

    def __init__(self, chars):
        if not isinstance(chars, str):
            chars = "".join(chars)
        if not chars:
            raise ValueError("CharTokenizer: expected at least one character in the vocabulary, got none.")
        if len(set(chars)) != len(chars):
            repeated = sorted({c for c in chars if chars.count(c) > 1})
            raise ValueError(f"CharTokenizer: expected distinct characters, got {_shown(repeated)} more than once.")
        self.chars = chars
        points = np.frombuffer(chars.encode("utf-32-le"), dtype=np.uint32)
        self._ids = np.full(int(points.max()) + 1, -1, dtype=np.int64)       # code point -> id (-1: unknown)
        self._ids[points] = np.arange(len(chars))
        self._chars = np.array(list(chars))

    @classmethod
    def from_text(cls, text):
        """The tokenizer of every character in ``text``, in code-point order.

        Example:
            >>> CharTokenizer.from_text("banana").chars
            'abn'
        """
        if not isinstance(text, str):
            raise TypeError(f"CharTokenizer.from_text: expected a str, got {type(text).__name__}.")
        if not text:
            raise ValueError("CharTokenizer.from_text: expected a non-empty text, got ''.")
        return cls("".join(sorted(set(text))))

    @property
    def vocab_size(self):
        """How many ids there are."""
        return len(self.chars)

    def __len__(self):
        return len(self.chars)

    def encode(self, text):
        """The ids of ``text``'s characters, an int64 array; a character outside the vocabulary is an error
        that names it.

        Example:
            >>> CharTokenizer("ab").encode("abba")
            array([0, 1, 1, 0])
        """
        if not isinstance(text, str):
            raise TypeError(f"CharTokenizer.encode: expected a str, got {type(text).__name__}.")
        points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        ids = self._ids[np.minimum(points, len(self._ids) - 1)]
        bad = (ids < 0) | (points >= len(self._ids))
        if bad.any():
            unknown = sorted(set(text[i] for i in np.flatnonzero(bad)))
            raise ValueError(f"CharTokenizer.encode: expected characters of the vocabulary ({self.vocab_size} "
                             f"characters), got {_shown(unknown)} not in it.")
        return ids

    def decode(self, ids):
        """The text of a sequence of ids (a list, an array or a 1-d tensor).

        Example:
            >>> CharTokenizer("ab").decode([1, 0, 1])
            'bab'
        """
        arr = np.asarray(ids.array if isinstance(ids, Tensor) else ids)
        if arr.size == 0:
            return ""
        if arr.dtype.kind not in "iu":
            raise TypeError(f"CharTokenizer.decode: expected integer ids, got dtype {arr.dtype}.")
        if arr.ndim != 1:
            raise ValueError(f"CharTokenizer.decode: expected a 1-d sequence of ids, got shape {tuple(arr.shape)}; decode "
                             f"each row of a batch separately.")
        if arr.min() < 0 or arr.max() >= self.vocab_size:
            bad = arr.max() if arr.max() >= self.vocab_size else arr.min()
            raise ValueError(f"CharTokenizer.decode: expected ids in [0, {self.vocab_size}), got {bad}.")
        return "".join(self._chars[arr].tolist())

    def get_config(self):
        """JSON that rebuilds this tokenizer with :meth:`from_config`."""
        return {"type": "char", "chars": self.chars}

    @classmethod
    def from_config(cls, config):
        """Rebuild a tokenizer from :meth:`get_config`'s output.

        Example:
            >>> tok = CharTokenizer("xyz")
            >>> CharTokenizer.from_config(tok.get_config()).chars
            'xyz'
        """
        if not isinstance(config, dict) or config.get("type") != "char" or not isinstance(config.get("chars"), str):
            raise ValueError(f"CharTokenizer.from_config: expected {{'type': 'char', 'chars': '...'}}, got "
                             f"{config!r:.80}.")
        return cls(config["chars"])

    def __repr__(self):
        return f"CharTokenizer(vocab_size={self.vocab_size})"


class TokenWindows(Dataset):
    """Every window of ``block_size + 1`` consecutive tokens of a 1-d token sequence, as (input, target) =
    (window[:-1], window[1:]): the target of each position is the token after it.

    ``windows[i]`` is the pair starting at token i; ``windows[array_of_starts]`` a batch, gathered with one
    NumPy fancy index; :meth:`sample` draws a random batch as nanoGPT's ``get_batch`` does.

    Args:
        tokens: a 1-d sequence of integer ids (array, list or tensor).
        block_size: the length of each input, T.

    Example:
        >>> w = TokenWindows(np.arange(10), block_size=4)
        >>> len(w), w[2]
        (6, (array([2, 3, 4, 5]), array([3, 4, 5, 6])))
    """

    def __init__(self, tokens, block_size):
        arr = np.asarray(tokens.array if isinstance(tokens, Tensor) else tokens)
        if arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
            raise ValueError(f"TokenWindows: expected a 1-d sequence of integer token ids, got shape {tuple(arr.shape)} of "
                             f"dtype {arr.dtype}.")
        if isinstance(block_size, bool) or not isinstance(block_size, (int, np.integer)) or block_size < 1:
            raise ValueError(f"TokenWindows: expected block_size to be a positive integer, got {block_size!r}.")
        if arr.size <= block_size:
            raise ValueError(f"TokenWindows: expected more than block_size={block_size} tokens (one window of "
                             f"{block_size + 1}), got {arr.size}. Use a longer text or a smaller block_size.")
        self.tokens, self.block_size = arr.astype(np.int64, copy=False), int(block_size)
        self._offsets = np.arange(self.block_size + 1)

    @classmethod
    def split(cls, tokens, block_size, val_fraction=0.1):
        """(train, val): the first ``1 - val_fraction`` of the tokens and the rest, by position (nanoGPT's
        90/10 split), so no validation window overlaps a training one.

        Example:
            >>> train, val = TokenWindows.split(np.arange(100), block_size=8)
            >>> len(train.tokens), len(val.tokens)
            (90, 10)
        """
        arr = np.asarray(tokens.array if isinstance(tokens, Tensor) else tokens)
        if not 0.0 < val_fraction < 1.0:
            raise ValueError(f"TokenWindows.split: expected val_fraction in (0, 1), got {val_fraction}.")
        n = int(len(arr) * (1 - val_fraction))
        for name, part in (("training", arr[:n]), ("validation", arr[n:])):
            if len(part) <= block_size:
                raise ValueError(f"TokenWindows.split: expected more than block_size={block_size} tokens in the "
                                 f"{name} part ({val_fraction:g} of the text is for validation), got {len(part)} of "
                                 f"{len(arr)}. Use a longer text or a smaller block_size.")
        return cls(arr[:n], block_size), cls(arr[n:], block_size)

    def __len__(self):
        return len(self.tokens) - self.block_size

    def __getitem__(self, index):
        starts = np.asarray(index.array if isinstance(index, Tensor) else index)
        if starts.dtype.kind not in "iu":
            raise TypeError(f"TokenWindows: expected integer window starts, got dtype {starts.dtype}.")
        if starts.size and (starts.min() < -len(self) or starts.max() >= len(self)):
            raise IndexError(f"TokenWindows: expected window starts in [0, {len(self)}), got "
                             f"{starts.max() if starts.max() >= len(self) else starts.min()}.")
        windows = self.tokens[(starts % len(self))[..., None] + self._offsets]
        return windows[..., :-1], windows[..., 1:]

    def sample(self, batch_size, generator=None):
        """``batch_size`` windows starting at uniformly random positions (with replacement), as tensors
        (batch_size, block_size) of inputs and targets.

        Args:
            batch_size: how many windows.
            generator: a :class:`lucidnet.Generator`, a NumPy generator or an int seed. Default: lucidnet's.

        Example:
            >>> x, y = TokenWindows(np.arange(50), block_size=8).sample(4, generator=0)
            >>> x.shape, bool((y.array == x.array + 1).all())
            (lucidnet.Size([4, 8]), True)
        """
        starts = numpy_generator(generator).integers(0, len(self), int(batch_size))
        x, y = self[starts]
        return Tensor._wrap(x), Tensor._wrap(y)

    def batches(self, batch_size, steps, generator=None):
        """A loader of ``steps`` random batches per pass (``for x, y in loader``), each as :meth:`sample`; what
        ``Model.fit`` takes as an epoch of iterations. With an int seed as ``generator``, every pass draws the
        same batches (a fixed validation set); with a Generator or None (lucidnet's default, saved in
        checkpoints), each pass continues the stream.

        Example:
            >>> loader = TokenWindows(np.arange(50), block_size=8).batches(4, steps=3, generator=0)
            >>> len(loader), [tuple(x.shape) for x, _ in loader]
            (3, [(4, 8), (4, 8), (4, 8)])
        """
        return _RandomBatches(self, int(batch_size), int(steps), generator)

    def __repr__(self):
        return f"TokenWindows(tokens={len(self.tokens)}, block_size={self.block_size})"


class _RandomBatches:
    """What :meth:`TokenWindows.batches` returns."""

    def __init__(self, windows, batch_size, steps, generator):
        self.windows, self.batch_size, self.steps, self.generator = windows, batch_size, steps, generator

    def __len__(self):
        return self.steps

    def __iter__(self):
        g = self.generator
        rng = numpy_generator(g) if not isinstance(g, (int, np.integer)) or isinstance(g, bool) else \
            np.random.default_rng(int(g))
        for _ in range(self.steps):
            yield self.windows.sample(self.batch_size, rng)


def read_text(path):
    """The contents of a UTF-8 text file, as a str; an empty or non-UTF-8 file is a clear error.

    Example:
        >>> import os, tempfile
        >>> p = os.path.join(tempfile.mkdtemp(), "t.txt")
        >>> _ = open(p, "w", encoding="utf-8").write("to be")
        >>> read_text(p)
        'to be'
    """
    where = f"read_text({os.fspath(path)!r})"
    data = read_bytes(path, where, "a text file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(f"{where}: expected UTF-8 text, got byte 0x{data[e.start]:02x} at position {e.start} "
                         f"that is not UTF-8. Convert the file, e.g. iconv -f latin1 -t utf-8.") from None
    if text.startswith("\ufeff"):
        text = text[1:]                                     # a byte-order mark is not text
    if not text:
        raise ValueError(f"{where}: expected some text, got an empty file.")
    return text


def _sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def tiny_shakespeare(data_dir=None, download=True, progress=True):
    """The tiny Shakespeare corpus (1,115,394 characters of Shakespeare's plays, from Karpathy's char-rnn),
    as one str.

    Looks for ``tinyshakespeare/input.txt`` or ``input.txt`` in ``data_dir``, then in ``$LUCIDNET_DATA``,
    then ``tinyshakespeare/input.txt`` in the cache (:func:`cache_dir`); a file is used only if its SHA-256
    is :data:`TINY_SHAKESPEARE_SHA256`. Otherwise it downloads the file (verified the same way, written
    atomically) into ``data_dir/tinyshakespeare`` or the cache.

    Args:
        data_dir: a directory to look in first, and to download into. Default: None (the cache).
        download: download when no local copy is found. Default: True.
        progress: show a progress bar while downloading. Default: True.

    Returns:
        The text.

    Example:
        >>> text = tiny_shakespeare(download=False)          # a local copy, no network
        >>> len(text), text[:14]
        (1115394, 'First Citizen:')
    """
    where = "tiny_shakespeare()"
    candidates, rejected = [], []
    for d in (data_dir, os.environ.get("LUCIDNET_DATA") or None):
        if d is not None:
            d = os.path.expanduser(os.fspath(d))
            candidates += [os.path.join(d, "tinyshakespeare", "input.txt"), os.path.join(d, "input.txt")]
    candidates.append(os.path.join(cache_dir(), "tinyshakespeare", "input.txt"))
    for path in candidates:
        if os.path.isfile(path):
            if _sha256(path) == TINY_SHAKESPEARE_SHA256:
                return read_text(path)
            rejected.append(path)
    target = os.path.join(os.path.expanduser(os.fspath(data_dir)) if data_dir is not None else cache_dir(),
                          "tinyshakespeare")
    failure = "download=False"
    if download:
        failure = _download_file(_TINY_SHAKESPEARE_URLS, os.path.join(target, "input.txt"), TINY_SHAKESPEARE_SHA256,
                                 progress)
        if failure is None:
            return read_text(os.path.join(target, "input.txt"))
        failure = "the download failed: " + failure
    env = "" if os.environ.get("LUCIDNET_DATA") else " ($LUCIDNET_DATA is not set)"
    other = f" ({', '.join(rejected)} hold other text: SHA-256 differs)" if rejected else ""
    raise FileNotFoundError(f"{where}: not found in {', '.join(candidates)}{env}{other}, and {failure}. Fix: put "
                            f"input.txt in a directory and pass data_dir= or set $LUCIDNET_DATA, or "
                            f"{'retry with network access' if download else 'pass download=True'} (it goes to "
                            f"{target}).")

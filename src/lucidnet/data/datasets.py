"""MNIST and Fashion-MNIST: find a local copy, or download one (verified) into the cache.

:func:`fashion_mnist` and :func:`mnist` look for the four IDX files (``train-images-idx3-ubyte.gz``,
``train-labels-idx1-ubyte.gz``, ``t10k-images-idx3-ubyte.gz``, ``t10k-labels-idx1-ubyte.gz``; gzipped or
not) in these directories, in order, and use the first that has all four:

1. ``data_dir``, when given (and ``data_dir/<name>``);
2. ``$LUCIDNET_DATA`` (and ``$LUCIDNET_DATA/<name>``);
3. the user cache, ``$XDG_CACHE_HOME/lucidnet/<name>`` (``~/.cache/lucidnet/<name>`` by default);
4. the system dataset directory, ``/usr/share/datasets/<name>`` (Debian's ``dataset-fashion-mnist``
   package installs Fashion-MNIST there).

Otherwise they download the missing files from the official mirrors into ``data_dir/<name>`` (when
``data_dir`` is given) or the cache, with a progress bar. Every download is checked against the SHA-256 of
the published archive (or, should a mirror recompress it, of its decompressed content) before it is renamed
into place, so an interrupted or corrupt download never leaves a file that looks complete. ``<name>`` is
``fashion-mnist`` or ``mnist``.
"""
import dataclasses
import gzip
import hashlib
import http.client
import os
import urllib.error
import urllib.request
import zlib

import numpy as np

from ._files import atomic_write
from .idx import load_idx

__all__ = ["FASHION_MNIST_CLASSES", "MNIST_CLASSES", "cache_dir", "fashion_mnist", "mnist"]

FASHION_MNIST_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
                         "Bag", "Ankle boot")
"""Fashion-MNIST's class names, indexed by label."""
MNIST_CLASSES = tuple(str(d) for d in range(10))
"""MNIST's class names: the digits."""


@dataclasses.dataclass(frozen=True)
class _File:
    name: str             # on disk: name + ".gz" (as published) or name (decompressed)
    archive_sha256: str   # of the .gz file as the mirrors publish it
    sha256: str           # of the decompressed IDX file (the same whoever compressed it)
    shape: tuple


@dataclasses.dataclass
class _Spec:
    name: str             # directory name in the cache
    title: str
    mirrors: list
    files: list
    system_dirs: list
    apt_package: str = None


# Fashion-MNIST: archive SHA-256s as published by the mirror (their MD5s match the ones in the project's
# README); content SHA-256s computed from Debian's dataset-fashion-mnist copy, which recompresses the same data.
# MNIST: the widely published SHA-256s of the original archives and of their content.
_DATASETS = {
    "fashion-mnist": _Spec(
        name="fashion-mnist", title="Fashion-MNIST",
        mirrors=["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"],
        files=[
            _File("train-images-idx3-ubyte", "08dc20ab1689590a0bcd66e874647b6ee8464e2d501b5a3f1f78831db19a3fdc",
                  "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888", (60000, 28, 28)),
            _File("train-labels-idx1-ubyte", "b0197879cbda89f3dc7b894f9fd52b858e68ea4182b6947c9d8c2b67e5f18dcc",
                  "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9", (60000,)),
            _File("t10k-images-idx3-ubyte", "78dcbbfb5a27efaf1b6c1d616caca68560be8766c5bffcb2791df9273a534229",
                  "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b", (10000, 28, 28)),
            _File("t10k-labels-idx1-ubyte", "42bd18137a62d5998cdeae52bf3a0676ac6b706f5cf8439b47bb5b151ae3dccf",
                  "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34", (10000,)),
        ],
        system_dirs=["/usr/share/datasets/fashion-mnist"],
        apt_package="dataset-fashion-mnist"),
    "mnist": _Spec(
        name="mnist", title="MNIST",
        mirrors=["https://ossci-datasets.s3.amazonaws.com/mnist/",
                 "https://storage.googleapis.com/cvdf-datasets/mnist/"],
        files=[
            _File("train-images-idx3-ubyte", "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
                  "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db", (60000, 28, 28)),
            _File("train-labels-idx1-ubyte", "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
                  "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5", (60000,)),
            _File("t10k-images-idx3-ubyte", "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
                  "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7", (10000, 28, 28)),
            _File("t10k-labels-idx1-ubyte", "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
                  "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2", (10000,)),
        ],
        system_dirs=["/usr/share/datasets/mnist"]),
}

_urlopen = urllib.request.urlopen       # tests replace it; nothing else opens connections
_TIMEOUT = 30


def cache_dir():
    """Where downloaded datasets are kept: ``$XDG_CACHE_HOME/lucidnet``, by default ``~/.cache/lucidnet``.

    Example:
        >>> os.path.basename(cache_dir())
        'lucidnet'
    """
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "lucidnet")


def _candidates(spec, data_dir):
    """The directories to search, in order."""
    out = []
    for d in (data_dir, os.environ.get("LUCIDNET_DATA") or None):
        if d is not None:
            d = os.path.expanduser(os.fspath(d))
            out += [d, os.path.join(d, spec.name)]
    out.append(os.path.join(cache_dir(), spec.name))
    return out + list(spec.system_dirs)


def _find(directory, f):
    for name in (f.name + ".gz", f.name):
        p = os.path.join(directory, name)
        if os.path.isfile(p):
            return p
    return None


def _sha256_file(path, compressed=False):
    h = hashlib.sha256()
    with (gzip.open(path, "rb") if compressed else open(path, "rb")) as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _fetch(url, dest, f, progress):
    """Download ``url`` to ``dest`` atomically, verifying its SHA-256; raise OSError or ValueError on failure."""
    from tqdm import tqdm

    with _urlopen(url, timeout=_TIMEOUT) as response:
        length = response.headers.get("Content-Length") if getattr(response, "headers", None) else None
        total = int(length) if length and length.isdigit() else None
        h, got = hashlib.sha256(), 0
        with atomic_write(dest) as out, tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024,
                                             desc=os.path.basename(dest), disable=not progress,
                                             leave=False) as bar:
            for block in iter(lambda: response.read(1 << 16), b""):
                out.write(block)
                h.update(block)
                got += len(block)
                bar.update(len(block))
            if total is not None and got != total:
                raise ValueError(f"incomplete download: got {got} of {total} bytes")
            digest = h.hexdigest()
            if digest != f.archive_sha256:
                if f.sha256 is None:
                    raise ValueError(f"checksum mismatch: SHA-256 {digest}, expected {f.archive_sha256}")
                out.flush()
                try:
                    content = _sha256_file(out.name, compressed=True)
                except (OSError, EOFError, zlib.error) as e:
                    content = f"unreadable ({e})"
                if content != f.sha256:
                    raise ValueError(f"checksum mismatch: SHA-256 {digest}, expected {f.archive_sha256}")


def _reason(e):
    if isinstance(e, urllib.error.HTTPError):
        return f"HTTP {e.code} {e.reason}"
    if isinstance(e, urllib.error.URLError):
        return str(e.reason)
    return str(e) or type(e).__name__


def _download(spec, directory, progress):
    """Fetch each file missing from ``directory``; return None on success, else why it failed."""
    for f in spec.files:
        if _find(directory, f):
            continue
        failure = _download_file([mirror + f.name + ".gz" for mirror in spec.mirrors],
                                 os.path.join(directory, f.name + ".gz"), f.archive_sha256, progress, f.sha256)
        if failure is not None:
            return failure
    return None


def _download_file(urls, dest, sha256, progress, content_sha256=None):
    """Download ``dest`` from the first of ``urls`` that works, atomically, checked against ``sha256`` (or, for
    a gzip file, the SHA-256 of its content); return None on success, else why every URL failed."""
    directory = os.path.dirname(dest)
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError as e:
        return f"cannot create {directory}: {e.strerror or e}"
    f = _File(os.path.basename(dest), sha256, content_sha256, None)
    failures = []
    for url in urls:
        try:
            _fetch(url, dest, f, progress)
            return None
        except (OSError, ValueError, http.client.HTTPException) as e:   # URLError, HTTPError: OSErrors
            failures.append(f"{url}: {_reason(e).rstrip('.')}")
    return "; ".join(failures)


def _load(where, spec, data_dir, download, normalize, flatten, progress):
    tried = []
    for d in _candidates(spec, data_dir):
        paths = [_find(d, f) for f in spec.files]
        if all(paths):
            return _read(where, spec, paths, normalize, flatten)
        if d not in tried:
            tried.append(d)
    target = os.path.join(os.path.expanduser(os.fspath(data_dir)), spec.name) if data_dir is not None \
        else os.path.join(cache_dir(), spec.name)
    failure = _download(spec, target, progress) if download else None
    if download and failure is None:
        return _read(where, spec, [_find(target, f) for f in spec.files], normalize, flatten)
    env = "" if os.environ.get("LUCIDNET_DATA") else " ($LUCIDNET_DATA is not set)"
    apt = f"install Debian's copy (sudo apt-get install {spec.apt_package}), " if spec.apt_package else ""
    raise FileNotFoundError(
        f"{where}: {spec.title} not found in {', '.join(tried)}{env}, and "
        f"{'the download failed: ' + failure if download else 'download=False'}. "
        f"Fix: {apt}put the four *-ubyte.gz files in a directory and pass data_dir= or set $LUCIDNET_DATA, "
        f"or {'retry with network access' if download else 'pass download=True'} (files go to {target}).")


def _read(where, spec, paths, normalize, flatten):
    arrays = []
    for f, p in zip(spec.files, paths):
        a = load_idx(p)
        if a.shape != f.shape or a.dtype != np.uint8:
            raise ValueError(f"{where}: expected {p} to hold uint8 values of shape {tuple(f.shape)}, got {a.dtype} of "
                             f"shape {tuple(a.shape)}.")
        arrays.append(a)
    x_train, y_train, x_test, y_test = arrays
    for p, y in ((paths[1], y_train), (paths[3], y_test)):
        if y.max() > 9:
            raise ValueError(f"{where}: expected labels in 0..9 in {p}, got values up to {y.max()}.")
    if flatten:
        x_train, x_test = x_train.reshape(len(x_train), -1), x_test.reshape(len(x_test), -1)
    if normalize:
        x_train, x_test = (np.multiply(x, np.float32(1 / 255), dtype=np.float32) for x in (x_train, x_test))
    return (x_train, y_train.astype(np.int64)), (x_test, y_test.astype(np.int64))


def fashion_mnist(data_dir=None, download=True, *, normalize=False, flatten=False, progress=True):
    """Fashion-MNIST (Zalando, 2017): 28x28 grayscale images of clothes in 10 classes, 60,000 to train on and
    10,000 to test on. Class names: :data:`FASHION_MNIST_CLASSES`.

    Where it looks, and how it downloads, is in this module's docstring; the quickest offline source is
    Debian's package (``sudo apt-get install dataset-fashion-mnist``).

    Args:
        data_dir: a directory to look in first (files directly in it or in ``data_dir/fashion-mnist``); a
            download goes to ``data_dir/fashion-mnist``. Default: None (downloads go to the cache).
        download: download the files when no local copy is found. Default: True.
        normalize: return images as float32 in [0, 1] instead of uint8 in [0, 255]. Default: False.
        flatten: return images of shape (N, 784) instead of (N, 28, 28). Default: False.
        progress: show a progress bar while downloading. Default: True.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: NumPy arrays; images uint8 of shape (60000, 28, 28) and
        (10000, 28, 28), labels int64 of shape (60000,) and (10000,) with values 0..9.

    Raises:
        FileNotFoundError: no local copy and no download (one line naming the places searched, the
            download's error and the fixes). ValueError: a file found is corrupt or of the wrong shape.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = fashion_mnist(download=False)   # a local copy, no network
        >>> x_train.shape, x_train.dtype, y_test.shape, y_test.dtype
        ((60000, 28, 28), dtype('uint8'), (10000,), dtype('int64'))
        >>> FASHION_MNIST_CLASSES[y_train[0]]
        'Ankle boot'
    """
    return _load("fashion_mnist()", _DATASETS["fashion-mnist"], data_dir, download, normalize, flatten, progress)


def mnist(data_dir=None, download=True, *, normalize=False, flatten=False, progress=True):
    """MNIST (LeCun et al., 1998): 28x28 grayscale images of handwritten digits, 60,000 to train on and
    10,000 to test on.

    Same search order, download, arguments and results as :func:`fashion_mnist` (cache directory
    ``mnist``); there is no Debian package, but ``/usr/share/datasets/mnist`` is searched too. Use it as
    ``(x_train, y_train), (x_test, y_test) = mnist()``.

    Args:
        data_dir: a directory to look in first (files directly in it or in ``data_dir/mnist``).
        download: download the files when no local copy is found. Default: True.
        normalize: return images as float32 in [0, 1]. Default: False.
        flatten: return images of shape (N, 784). Default: False.
        progress: show a progress bar while downloading. Default: True.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 images (N, 28, 28) and int64 labels 0..9.

    Example:
        >>> MNIST_CLASSES[:3]
        ('0', '1', '2')
    """
    return _load("mnist()", _DATASETS["mnist"], data_dir, download, normalize, flatten, progress)

"""fashion_mnist() and mnist(): search order, verified atomic downloads (from local file:// mirrors or fake
openers: never the network), the offline error, damaged local copies, and the real Debian Fashion-MNIST."""
import dataclasses
import gzip
import hashlib
import http.client
import io
import os
import shutil
import urllib.error
import urllib.request

import numpy as np
import pytest

from lucidnet.data import cache_dir, datasets, fashion_mnist, load_idx, mnist, save_idx

NAMES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
DEBIAN = "/usr/share/datasets/fashion-mnist"


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def write_set(directory, marker=0, compress=True, n_train=6, n_test=4):
    """Four small IDX files; every pixel of every image is ``marker``, so a test can tell sets apart."""
    os.makedirs(directory, exist_ok=True)
    arrays = [np.full((n_train, 28, 28), marker, np.uint8), np.arange(n_train, dtype=np.uint8) % 10,
              np.full((n_test, 28, 28), marker, np.uint8), np.arange(n_test, dtype=np.uint8)[::-1] % 10]
    for name, a in zip(NAMES, arrays):
        save_idx(os.path.join(directory, name + (".gz" if compress else "")), a)
    return directory


@pytest.fixture
def mirror(tmp_path):
    """A directory of published archives, and the real spec swapped for one with small shapes and their
    checksums (the code under test is unchanged: only the table of files differs)."""
    src = write_set(str(tmp_path / "mirror"), marker=42)
    return src


@pytest.fixture
def small_spec(monkeypatch, isolated, mirror):
    files = []
    for name, shape in zip(NAMES, [(6, 28, 28), (6,), (4, 28, 28), (4,)]):
        archive = open(os.path.join(mirror, name + ".gz"), "rb").read()
        files.append(datasets._File(name, sha256(archive), sha256(gzip.decompress(archive)), shape))
    spec = dataclasses.replace(datasets._DATASETS["fashion-mnist"], files=files,
                               mirrors=[f"{(isolated / 'mirror').as_uri()}/"])
    monkeypatch.setitem(datasets._DATASETS, "fashion-mnist", spec)
    return spec


def use_file_urls(monkeypatch):
    monkeypatch.setattr(datasets, "_urlopen", urllib.request.urlopen)


def marker_of(result):
    (x_train, _), _ = result
    return int(x_train[0, 0, 0])


def leftovers(directory):
    return sorted(f for f in os.listdir(directory) if not f.endswith(".gz")) if os.path.isdir(directory) else []


# ------------------------------------------------------------------------------------------------ search order

def test_search_order(small_spec, isolated, monkeypatch):
    data_dir, env = isolated / "mine", isolated / "env"
    cache = os.path.join(cache_dir(), "fashion-mnist")
    system = small_spec.system_dirs[0]
    write_set(system, marker=4)
    assert marker_of(fashion_mnist(download=False)) == 4
    write_set(cache, marker=3)
    assert marker_of(fashion_mnist(download=False)) == 3
    write_set(str(env / "fashion-mnist"), marker=2)
    monkeypatch.setenv("LUCIDNET_DATA", str(env))
    assert marker_of(fashion_mnist(download=False)) == 2
    write_set(str(data_dir), marker=1)
    assert marker_of(fashion_mnist(data_dir, download=False)) == 1
    assert marker_of(fashion_mnist(download=False)) == 2          # data_dir only when given
    assert cache.startswith(str(isolated / "xdg-cache"))


def test_uncompressed_files_and_incomplete_directories(small_spec, isolated, monkeypatch):
    d = isolated / "raw"
    write_set(str(d), marker=9, compress=False)
    assert marker_of(fashion_mnist(str(d), download=False)) == 9
    partial = isolated / "partial"
    write_set(str(partial), marker=8)
    os.remove(partial / "t10k-labels-idx1-ubyte.gz")
    write_set(str(isolated / "home" / "fashion-mnist"), marker=7)
    monkeypatch.setenv("LUCIDNET_DATA", str(isolated / "home"))
    assert marker_of(fashion_mnist(str(partial), download=False)) == 7    # a directory counts only when complete


def test_results_types_and_options(small_spec, isolated):
    write_set(small_spec.system_dirs[0], marker=51)
    (x_train, y_train), (x_test, y_test) = fashion_mnist(download=False)
    assert x_train.shape == (6, 28, 28) and x_train.dtype == np.uint8
    assert y_train.dtype == y_test.dtype == np.int64 and y_train.tolist() == [0, 1, 2, 3, 4, 5]
    (x_train, _), (x_test, _) = fashion_mnist(download=False, normalize=True, flatten=True)
    assert x_train.shape == (6, 784) and x_test.shape == (4, 784) and x_train.dtype == np.float32
    assert abs(float(x_train.max()) - 51 / 255) < 1e-7


# ------------------------------------------------------------------------------------------------ downloads

def test_download_into_the_cache_then_offline(small_spec, isolated, monkeypatch):
    use_file_urls(monkeypatch)
    assert marker_of(fashion_mnist(progress=False)) == 42
    cache = os.path.join(cache_dir(), "fashion-mnist")
    assert sorted(os.listdir(cache)) == sorted(n + ".gz" for n in NAMES)          # no temporary files
    for f in small_spec.files:
        assert sha256(open(os.path.join(cache, f.name + ".gz"), "rb").read()) == f.archive_sha256
    monkeypatch.setattr(datasets, "_urlopen", lambda *a, **k: pytest.fail("downloaded again"))
    assert marker_of(fashion_mnist()) == 42


def test_download_with_data_dir_goes_there(small_spec, isolated, monkeypatch):
    use_file_urls(monkeypatch)
    target = isolated / "mine"
    assert marker_of(fashion_mnist(str(target), progress=False)) == 42
    assert sorted(os.listdir(target / "fashion-mnist")) == sorted(n + ".gz" for n in NAMES)
    assert not os.path.exists(os.path.join(cache_dir(), "fashion-mnist"))


def test_download_fetches_only_missing_files(small_spec, isolated, monkeypatch):
    cache = os.path.join(cache_dir(), "fashion-mnist")
    write_set(cache, marker=42)
    os.remove(os.path.join(cache, "t10k-images-idx3-ubyte.gz"))
    fetched = []

    def opener(url, timeout=None):
        fetched.append(url.rsplit("/", 1)[1])
        return urllib.request.urlopen(url, timeout=timeout)

    monkeypatch.setattr(datasets, "_urlopen", opener)
    assert marker_of(fashion_mnist(progress=False)) == 42
    assert fetched == ["t10k-images-idx3-ubyte.gz"]


def test_checksum_mismatch_leaves_nothing(small_spec, isolated, monkeypatch):
    use_file_urls(monkeypatch)
    bad = isolated / "mirror" / "train-labels-idx1-ubyte.gz"
    save_idx(bad, np.arange(6, dtype=np.uint8)[::-1].copy())             # same shape, other content
    got = sha256(bad.read_bytes())
    want = small_spec.files[1].archive_sha256
    with pytest.raises(FileNotFoundError, match=rf"train-labels-idx1-ubyte.gz: checksum mismatch: SHA-256 {got}, "
                                                rf"expected {want}"):
        fashion_mnist(progress=False)
    cache = os.path.join(cache_dir(), "fashion-mnist")
    assert "train-labels-idx1-ubyte.gz" not in os.listdir(cache) and leftovers(cache) == []


def test_recompressed_archive_is_accepted_by_its_content(small_spec, isolated, monkeypatch):
    use_file_urls(monkeypatch)
    p = isolated / "mirror" / "t10k-labels-idx1-ubyte.gz"
    p.write_bytes(gzip.compress(gzip.decompress(p.read_bytes()), compresslevel=1, mtime=12345))
    assert sha256(p.read_bytes()) != small_spec.files[3].archive_sha256
    assert marker_of(fashion_mnist(progress=False)) == 42


class FakeResponse(io.BytesIO):
    def __init__(self, data, length=None, fail_after=None):
        super().__init__(data)
        self.headers = {"Content-Length": str(len(data) if length is None else length)}
        self.fail_after = fail_after

    def read(self, n=-1):
        if self.fail_after is not None and self.tell() >= self.fail_after:
            raise ConnectionResetError(104, "Connection reset by peer")
        return super().read(n)


def test_short_download_is_rejected(small_spec, isolated, monkeypatch):
    archive = open(isolated / "mirror" / "train-images-idx3-ubyte.gz", "rb").read()
    monkeypatch.setattr(datasets, "_urlopen", lambda url, timeout=None: FakeResponse(archive[:10], len(archive)))
    with pytest.raises(FileNotFoundError, match=rf"incomplete download: got 10 of {len(archive)} bytes"):
        fashion_mnist(progress=False)
    assert os.listdir(os.path.join(cache_dir(), "fashion-mnist")) == []


def test_truncated_download_without_length_is_caught_by_the_checksum(small_spec, isolated, monkeypatch):
    archive = open(isolated / "mirror" / "train-images-idx3-ubyte.gz", "rb").read()
    assert len(archive) > 20

    def opener(url, timeout=None):
        response = FakeResponse(archive[:len(archive) // 2])
        response.headers = {}                                          # no Content-Length to compare with
        return response

    monkeypatch.setattr(datasets, "_urlopen", opener)
    with pytest.raises(FileNotFoundError, match=r"checksum mismatch: SHA-256 [0-9a-f]{64}, expected"):
        fashion_mnist(progress=False)
    assert os.listdir(os.path.join(cache_dir(), "fashion-mnist")) == []


def test_connection_lost_midway_leaves_nothing(small_spec, isolated, monkeypatch):
    archive = open(isolated / "mirror" / "train-images-idx3-ubyte.gz", "rb").read()
    monkeypatch.setattr(datasets, "_urlopen", lambda url, timeout=None: FakeResponse(archive, fail_after=1))
    with pytest.raises(FileNotFoundError, match=r"Connection reset by peer"):
        fashion_mnist(progress=False)
    assert os.listdir(os.path.join(cache_dir(), "fashion-mnist")) == []


def test_second_mirror_is_tried(small_spec, isolated, monkeypatch):
    use_file_urls(monkeypatch)
    empty = isolated / "empty-mirror"
    empty.mkdir()
    small_spec.mirrors.insert(0, f"{empty.as_uri()}/")
    assert marker_of(fashion_mnist(progress=False)) == 42


def test_server_closing_early_is_a_failed_download(small_spec, isolated, monkeypatch):
    def opener(url, timeout=None):
        raise http.client.IncompleteRead(b"abc", 10)

    monkeypatch.setattr(datasets, "_urlopen", opener)
    with pytest.raises(FileNotFoundError, match=r"train-images-idx3-ubyte.gz: IncompleteRead\(3 bytes read, 10 more "
                                                r"expected\)"):
        fashion_mnist(progress=False)


def test_http_error_is_reported_with_its_status(small_spec, isolated, monkeypatch):
    def opener(url, timeout=None):
        raise urllib.error.HTTPError(url, 404, "Not Found", {}, None)

    monkeypatch.setattr(datasets, "_urlopen", opener)
    with pytest.raises(FileNotFoundError, match=r"train-images-idx3-ubyte.gz: HTTP 404 Not Found"):
        fashion_mnist(progress=False)


# ------------------------------------------------------------------------------------------------ not found

def test_offline_error_lists_every_option(isolated):
    with pytest.raises(FileNotFoundError) as e:
        fashion_mnist(str(isolated / "mine"))
    msg = str(e.value)
    assert "\n" not in msg
    cache = os.path.join(cache_dir(), "fashion-mnist")
    system = datasets._DATASETS["fashion-mnist"].system_dirs[0]
    assert msg.startswith(f"fashion_mnist(): Fashion-MNIST not found in {isolated / 'mine'}, "
                          f"{isolated / 'mine' / 'fashion-mnist'}, {cache}, {system} ($LUCIDNET_DATA is not set), "
                          f"and the download failed: http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
                          f"train-images-idx3-ubyte.gz: network disabled in tests. ")
    assert "sudo apt-get install dataset-fashion-mnist" in msg
    assert "pass data_dir= or set $LUCIDNET_DATA" in msg
    assert f"(files go to {isolated / 'mine' / 'fashion-mnist'})" in msg


def test_download_false_error(isolated):
    with pytest.raises(FileNotFoundError, match=r"^fashion_mnist\(\): Fashion-MNIST not found in .* \(\$LUCIDNET_DATA "
                                                r"is not set\), and download=False\. Fix: install Debian's copy"):
        fashion_mnist(download=False)


def test_mnist_offline_tries_both_mirrors(isolated):
    with pytest.raises(FileNotFoundError) as e:
        mnist()
    msg = str(e.value)
    assert ("https://ossci-datasets.s3.amazonaws.com/mnist/train-images-idx3-ubyte.gz: network disabled in tests; "
            "https://storage.googleapis.com/cvdf-datasets/mnist/train-images-idx3-ubyte.gz: network disabled in "
            "tests.") in msg
    assert "apt-get" not in msg and msg.startswith("mnist(): MNIST not found in ")


# ------------------------------------------------------------------------------------------------ damaged copies

def test_corrupt_local_copy_is_an_error(small_spec, isolated):
    d = isolated / "mine"
    write_set(str(d))
    (d / "train-images-idx3-ubyte.gz").write_bytes(b"\x1f\x8b" + b"junk" * 10)
    with pytest.raises(ValueError, match=r"^load_idx\('.*train-images-idx3-ubyte.gz'\): "):
        fashion_mnist(str(d), download=False)


def test_wrong_shape_or_labels_is_an_error(small_spec, isolated):
    d = isolated / "mine"
    write_set(str(d))
    save_idx(d / "t10k-images-idx3-ubyte.gz", np.zeros((4, 28, 27), np.uint8))
    with pytest.raises(ValueError, match=r"^fashion_mnist\(\): expected .*t10k-images-idx3-ubyte.gz to hold uint8 "
                                         r"values of shape \(4, 28, 28\), got uint8 of shape \(4, 28, 27\)\.$"):
        fashion_mnist(str(d), download=False)
    write_set(str(d))
    save_idx(d / "train-labels-idx1-ubyte.gz", np.array([0, 1, 2, 3, 4, 12], np.uint8))
    with pytest.raises(ValueError, match=r"expected labels in 0..9 in .*train-labels-idx1-ubyte.gz, got values up to "
                                         r"12\.$"):
        fashion_mnist(str(d), download=False)


def test_cache_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_dir() == str(tmp_path / "lucidnet")
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == str(tmp_path / "home" / ".cache" / "lucidnet")


# ------------------------------------------------------------------------------------------------ the real data

def test_real_fashion_mnist():
    (x_train, y_train), (x_test, y_test) = fashion_mnist(download=False)
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert x_train.dtype == x_test.dtype == np.uint8 and x_train.max() == 255
    assert y_train.dtype == y_test.dtype == np.int64
    assert np.bincount(y_train).tolist() == [6000] * 10 and np.bincount(y_test).tolist() == [1000] * 10


def test_debian_copy_has_the_official_content():
    """The recorded content checksums are those of the official files (Debian recompressed the archives, so
    their own SHA-256 differs from the mirror's; the data inside is the same)."""
    for f in datasets._DATASETS["fashion-mnist"].files:
        with gzip.open(os.path.join(DEBIAN, f.name + ".gz"), "rb") as g:
            assert hashlib.sha256(g.read()).hexdigest() == f.sha256, f.name
    assert load_idx(os.path.join(DEBIAN, "train-labels-idx1-ubyte.gz")).shape == (60000,)


def test_debian_copy_is_found_as_the_system_directory(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("LUCIDNET_DATA", raising=False)
    shutil.rmtree(tmp_path, ignore_errors=True)
    (_, y_train), _ = fashion_mnist(download=False)
    assert len(y_train) == 60000

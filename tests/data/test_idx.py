"""IDX reader and writer: exact bytes, every dtype, gzip or raw told apart by content, every kind of damage,
atomic writes."""
import gzip
import os
import struct

import numpy as np
import pytest

import lucidnet
from lucidnet.data import load_idx, save_idx

DTYPES = [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64]
DEBIAN = "/usr/share/datasets/fashion-mnist"


def idx_bytes(code, shape, payload):
    return bytes([0, 0, code, len(shape)]) + struct.pack(f">{len(shape)}I", *shape) + payload


def write(path, data, compress=False):
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


def test_exact_bytes_big_endian(tmp_path):
    save_idx(tmp_path / "a", np.array([1, 2, 3], dtype=np.uint8))
    assert (tmp_path / "a").read_bytes() == b"\x00\x00\x08\x01\x00\x00\x00\x03\x01\x02\x03"
    save_idx(tmp_path / "b", np.array([[1, -2]], dtype=np.int16))
    assert (tmp_path / "b").read_bytes() == b"\x00\x00\x0b\x02\x00\x00\x00\x01\x00\x00\x00\x02\x00\x01\xff\xfe"
    save_idx(tmp_path / "c.gz", np.array([1.5], dtype=np.float64))
    assert gzip.decompress((tmp_path / "c.gz").read_bytes()) == idx_bytes(0x0E, (1,), struct.pack(">d", 1.5))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["x-idx", "x-idx.gz"])
@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 4), (0, 3)])
def test_round_trip(tmp_path, dtype, name, shape):
    rng = np.random.default_rng(0)
    a = (rng.standard_normal(shape) * 100).astype(dtype)
    save_idx(tmp_path / name, a)
    b = load_idx(tmp_path / name)
    assert b.dtype == np.dtype(dtype) and b.shape == shape and b.dtype.isnative
    np.testing.assert_array_equal(a, b)
    assert b.flags.writeable
    assert (gzip.decompress((tmp_path / name).read_bytes()) if name.endswith(".gz")
            else (tmp_path / name).read_bytes())[2] == {np.uint8: 8, np.int8: 9, np.int16: 11, np.int32: 12,
                                                         np.float32: 13, np.float64: 14}[dtype]


def test_gzip_or_raw_by_content_not_name(tmp_path):
    data = idx_bytes(0x08, (2, 2), bytes([1, 2, 3, 4]))
    raw_named_gz = write(tmp_path / "raw.gz", data)
    gz_named_raw = write(tmp_path / "gz-idx1-ubyte", data, compress=True)
    assert load_idx(raw_named_gz).tolist() == [[1, 2], [3, 4]]
    assert load_idx(gz_named_raw).tolist() == [[1, 2], [3, 4]]
    assert load_idx(str(raw_named_gz)).shape == (2, 2)


def test_save_accepts_tensors_and_other_byte_orders(tmp_path):
    save_idx(tmp_path / "t", lucidnet.tensor([[1.0, 2.0]]))
    assert load_idx(tmp_path / "t").tolist() == [[1.0, 2.0]]
    save_idx(tmp_path / "be", np.array([1, 256], dtype=">i4"))
    assert load_idx(tmp_path / "be").tolist() == [1, 256]


@pytest.mark.parametrize("compress", [False, True])
def test_truncated_payload(tmp_path, compress):
    p = write(tmp_path / "train-images-idx3-ubyte.gz", idx_bytes(0x08, (3, 2, 2), bytes(10)), compress)
    with pytest.raises(ValueError, match=rf"^load_idx\('{p}'\): file is truncated: header says 3x2x2 bytes, "
                                         rf"found 10\.$"):
        load_idx(p)


@pytest.mark.parametrize("compress", [False, True])
def test_truncated_wide_dtype_names_values_and_bytes(tmp_path, compress):
    p = write(tmp_path / "f", idx_bytes(0x0D, (2, 3), bytes(20)), compress)
    with pytest.raises(ValueError, match=r"file is truncated: header says 2x3 float32 values \(24 bytes\), found "
                                         r"20\.$"):
        load_idx(p)


def test_truncated_gzip_stream(tmp_path):
    full = gzip.compress(idx_bytes(0x08, (1000,), bytes(range(256)) * 3 + bytes(232)))
    p = write(tmp_path / "cut.gz", full[: len(full) // 2])
    with pytest.raises(ValueError, match=r"^load_idx\('.*cut.gz'\): file is truncated"):
        load_idx(p)
    p = write(tmp_path / "no-trailer.gz", full[:-4])             # all data, but the stream's end cut off
    with pytest.raises(ValueError, match=r"file is truncated: the gzip stream ends before its end marker"):
        load_idx(p)


def test_truncated_header(tmp_path):
    p = write(tmp_path / "h", bytes([0, 0, 8, 3]) + struct.pack(">I", 60000))
    with pytest.raises(ValueError, match=r"file is truncated: the header announces 3 dimensions but ends after 1\."):
        load_idx(p)
    p = write(tmp_path / "tiny", b"\x00\x00")
    with pytest.raises(ValueError, match=r"file is truncated: expected a 4-byte IDX magic number, got 2 bytes\."):
        load_idx(p)
    p = write(tmp_path / "empty", b"")
    with pytest.raises(ValueError, match=r"got 0 bytes"):
        load_idx(p)


@pytest.mark.parametrize("compress", [False, True])
def test_trailing_bytes(tmp_path, compress):
    p = write(tmp_path / "t", idx_bytes(0x08, (4,), bytes(7)), compress)
    with pytest.raises(ValueError, match=r"^load_idx\('.*'\): 3 trailing bytes after the 4 bytes the header says\.$"):
        load_idx(p)


def test_bad_magic(tmp_path):
    p = write(tmp_path / "m", b"\x01\x00\x08\x01" + bytes(8))
    with pytest.raises(ValueError, match=r"^load_idx\('.*'\): bad magic number 0x01000801: expected an IDX file, "
                                         r"which starts with two zero bytes, a type code and the number of "
                                         r"dimensions\.$"):
        load_idx(p)


def test_unknown_dtype_code(tmp_path):
    p = write(tmp_path / "d", idx_bytes(0x0A, (1,), bytes(1)))
    with pytest.raises(ValueError, match=r"unknown dtype code 0x0A in the magic number; expected one of 0x08 "
                                         r"\(ubyte\), 0x09 \(byte\), 0x0B \(short\), 0x0C \(int\), 0x0D \(float\), "
                                         r"0x0E \(double\)\.$"):
        load_idx(p)


def test_zero_dimensions(tmp_path):
    p = write(tmp_path / "z", b"\x00\x00\x08\x00\x07")
    with pytest.raises(ValueError, match=r"expected at least 1 dimension in the magic number, got 0\."):
        load_idx(p)


def test_not_gzip_although_named_gz(tmp_path):
    p = write(tmp_path / "train-labels-idx1-ubyte.gz", b"<html><body>Access denied</body></html>")
    with pytest.raises(ValueError, match=r"^load_idx\('.*train-labels-idx1-ubyte.gz'\): expected a gzip or IDX "
                                         r"file, got one starting with bytes 3c 68 74 6d \(named .gz but not gzip; "
                                         r"an error page saved by a failed download\?\)\.$"):
        load_idx(p)


def test_corrupt_gzip(tmp_path):
    data = bytearray(gzip.compress(idx_bytes(0x08, (4,), bytes([1, 2, 3, 4]))))
    data[-8] ^= 0xFF                                               # break the CRC
    p = write(tmp_path / "crc.gz", bytes(data))
    with pytest.raises(ValueError, match=r"^load_idx\('.*crc.gz'\): corrupt gzip data \(CRC check failed"):
        load_idx(p)


def test_absurd_header_is_an_error_not_a_memory_error(tmp_path):
    p = write(tmp_path / "huge.gz", idx_bytes(0x0E, (2**31, 2**31, 2**31), bytes(16)), compress=True)
    with pytest.raises(ValueError, match=r"header says 2147483648x2147483648x2147483648 float64 values"):
        load_idx(p)
    p = write(tmp_path / "huge", idx_bytes(0x08, (2**32 - 1, 2**32 - 1), bytes(16)))
    with pytest.raises(ValueError, match=r"file is truncated: header says 4294967295x4294967295 bytes, found 16\."):
        load_idx(p)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"^load_idx\('.*nope.gz'\): no such file\.$"):
        load_idx(tmp_path / "nope.gz")
    with pytest.raises(IsADirectoryError, match=r"expected a file, got a directory"):
        load_idx(tmp_path)


@pytest.mark.parametrize("array, error, message", [
    (np.zeros(3, np.int64), TypeError, r"^save_idx\('.*'\): expected an array of dtype uint8, int8, int16, int32, "
                                       r"float32 or float64 \(the IDX types\), got int64\. Convert it, e\.g\. "
                                       r"array\.astype\(np\.uint8\) for labels or array\.astype\(np\.int32\)\.$"),
    (np.zeros(3, bool), TypeError, r"got bool\. Convert it"),
    (np.zeros(3, np.float16), TypeError, r"got float16\. Convert it, e\.g\. array\.astype\(np\.float32\)\.$"),
    (np.uint8(3), ValueError, r"expected an array with 1 to 255 dimensions, got shape \(\)\."),
    (np.array(["a"]), TypeError, r"got <U1\.$"),
])
def test_save_bad_input(tmp_path, array, error, message):
    with pytest.raises(error, match=message):
        save_idx(tmp_path / "x.gz", array)
    assert os.listdir(tmp_path) == []                             # nothing written


@pytest.mark.parametrize("name", ["old", "old.gz"])
def test_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch, name):
    p = tmp_path / name
    save_idx(p, np.arange(5, dtype=np.uint8))
    before = p.read_bytes()

    def broken_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="No space left on device"):
        save_idx(p, np.arange(1000, dtype=np.float64))
    monkeypatch.undo()
    assert p.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == [name]
    save_idx(p, np.arange(3, dtype=np.int32))                        # and a later write succeeds
    assert load_idx(p).tolist() == [0, 1, 2]


def test_written_files_are_readable_by_others(tmp_path):
    save_idx(tmp_path / "perm", np.zeros(2, np.uint8))
    assert (tmp_path / "perm").stat().st_mode & 0o777 == 0o644


def test_reads_the_real_debian_fashion_mnist():
    x = load_idx(os.path.join(DEBIAN, "t10k-images-idx3-ubyte.gz"))
    y = load_idx(os.path.join(DEBIAN, "t10k-labels-idx1-ubyte.gz"))
    assert x.shape == (10000, 28, 28) and x.dtype == np.uint8 and x.max() == 255
    assert y.shape == (10000,) and np.bincount(y).tolist() == [1000] * 10

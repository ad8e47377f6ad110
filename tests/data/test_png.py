"""The PNG reader against PNGs from a tiny encoder written here (every filter type, every color type it reads,
several IDAT chunks) and from matplotlib; write_png round trips; to_grayscale; every broken or unsupported
file as its one-line error."""
import os
import re
import struct
import zlib

import numpy as np
import pytest

from lucidnet.data.png import SIGNATURE, read_png, to_grayscale, write_png

rng = np.random.default_rng(0)


# ------------------------------------------------------------------------------------ a tiny PNG encoder

def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


def _filter_row(kind, row, prior, bpp):
    """The PNG spec's filters, byte by byte: what an encoder stores for ``row`` given the row above."""
    out = bytearray()
    for i, x in enumerate(row):
        a = row[i - bpp] if i >= bpp else 0
        b = prior[i]
        c = prior[i - bpp] if i >= bpp else 0
        pred = [0, a, b, (a + b) // 2, _paeth(a, b, c)][kind]
        out.append((x - pred) % 256)
    return bytes(out)


def _chunk(kind, payload):
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def encode(pixels, color, filters, depth=8, interlace=0, palette=None, trns=None, idat_parts=1, extra=b""):
    """PNG bytes for a (H, W, bpp) uint8 array, row y filtered with filters[y % len(filters)]."""
    h, w, bpp = pixels.shape
    raw, prior = bytearray(), bytes(w * bpp)
    for y in range(h):
        row = pixels[y].tobytes()
        kind = filters[y % len(filters)]
        raw += bytes([kind]) + _filter_row(kind, row, prior, bpp)
        prior = row
    data = zlib.compress(bytes(raw))
    cut = [len(data) * i // idat_parts for i in range(idat_parts + 1)]
    out = SIGNATURE + _chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, color, 0, 0, interlace))
    out += _chunk(b"tEXt", b"Comment\x00written by the test") + extra
    if palette is not None:
        out += _chunk(b"PLTE", palette.tobytes())
    if trns is not None:
        out += _chunk(b"tRNS", trns.tobytes())
    for a, b in zip(cut, cut[1:]):
        out += _chunk(b"IDAT", data[a:b])
    return out + _chunk(b"IEND", b"")


def write(tmp_path, data, name="img.png"):
    path = tmp_path / name
    path.write_bytes(data)
    return os.fspath(path)


# ------------------------------------------------------------------------------------ reading

@pytest.mark.parametrize("filters", [[0], [1], [2], [3], [4], [0, 1, 2, 3, 4]])
@pytest.mark.parametrize("color, channels", [(0, 1), (4, 2), (2, 3), (6, 4)])
def test_every_filter_and_color_type(tmp_path, color, channels, filters):
    pixels = rng.integers(0, 256, (7, 5, channels), dtype=np.uint8)
    pixels[2] = 255                                       # wrap-around in the sums
    got = read_png(write(tmp_path, encode(pixels, color, filters, idat_parts=3)))
    expected = pixels[..., 0] if channels == 1 else pixels
    assert got.dtype == np.uint8
    np.testing.assert_array_equal(got, expected)


def test_a_28x28_image_with_smooth_content_and_mixed_filters(tmp_path):
    yy, xx = np.mgrid[:28, :28]
    pixels = ((np.sin(xx / 4) + np.cos(yy / 5)) * 60 + 128).astype(np.uint8)[..., None]
    got = read_png(write(tmp_path, encode(pixels, 0, [4, 3, 1, 2, 0])))
    np.testing.assert_array_equal(got, pixels[..., 0])


def test_palette_with_and_without_transparency(tmp_path):
    palette = rng.integers(0, 256, (6, 3), dtype=np.uint8)
    index = rng.integers(0, 6, (4, 9, 1), dtype=np.uint8)
    rgb = read_png(write(tmp_path, encode(index, 3, [0, 4], palette=palette)))
    np.testing.assert_array_equal(rgb, palette[index[..., 0]])
    trns = np.array([0, 128], dtype=np.uint8)                # entries past the table are opaque
    rgba = read_png(write(tmp_path, encode(index, 3, [1], palette=palette, trns=trns)))
    np.testing.assert_array_equal(rgba[..., :3], palette[index[..., 0]])
    np.testing.assert_array_equal(rgba[..., 3], np.array([0, 128, 255, 255, 255, 255])[index[..., 0]])


def test_pngs_written_by_matplotlib(tmp_path):
    import matplotlib
    from matplotlib.figure import Figure

    image = rng.integers(0, 256, (28, 28), dtype=np.uint8)
    path = os.fspath(tmp_path / "imsave.png")
    matplotlib.image.imsave(path, image, cmap="gray", vmin=0, vmax=255)
    got = read_png(path)
    assert got.shape == (28, 28, 4)
    assert np.abs(to_grayscale(got).astype(int) - image).max() <= 1
    np.testing.assert_array_equal(got, (matplotlib.image.imread(path) * 255).round().astype(np.uint8))

    fig = Figure(figsize=(2, 1.5), dpi=50)
    fig.add_subplot().plot([0, 1], [1, 0])
    path = os.fspath(tmp_path / "figure.png")
    fig.savefig(path)
    got = read_png(path)
    assert got.shape == (75, 100, 4)
    np.testing.assert_array_equal(got, (matplotlib.image.imread(path) * 255).round().astype(np.uint8))


# ------------------------------------------------------------------------------------ writing, grayscale

@pytest.mark.parametrize("shape", [(3, 4), (3, 4, 1), (3, 4, 2), (3, 4, 3), (3, 4, 4)])
def test_write_png_round_trip(tmp_path, shape):
    image = rng.integers(0, 256, shape, dtype=np.uint8)
    path = os.fspath(tmp_path / "w.png")
    write_png(path, image)
    np.testing.assert_array_equal(read_png(path), image[..., 0] if shape[-1:] == (1,) else image)


def test_write_png_reads_back_in_matplotlib(tmp_path):
    import matplotlib.image

    image = rng.integers(0, 256, (5, 6, 3), dtype=np.uint8)
    path = os.fspath(tmp_path / "w.png")
    write_png(path, image)
    np.testing.assert_array_equal((matplotlib.image.imread(path) * 255).round().astype(np.uint8), image)


def test_to_grayscale():
    rgb = np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255], [10, 10, 10]]], dtype=np.uint8)
    np.testing.assert_array_equal(to_grayscale(rgb), [[76, 150, 29, 10]])
    rgba = np.array([[[255, 255, 255, 255], [255, 255, 255, 0], [100, 100, 100, 128]]], dtype=np.uint8)
    np.testing.assert_array_equal(to_grayscale(rgba), [[255, 0, 50]])
    np.testing.assert_array_equal(to_grayscale(rgba, background=255), [[255, 255, 177]])
    gray = np.array([[1, 2]], dtype=np.uint8)
    assert to_grayscale(gray) is gray


# ------------------------------------------------------------------------------------ bad files

def _good():
    return encode(rng.integers(0, 256, (3, 3, 1), dtype=np.uint8), 0, [0])


def _flip_byte(data, pos):
    return data[:pos] + bytes([data[pos] ^ 0xFF]) + data[pos + 1:]


def _idat_with(payload):
    """A 3x3 grayscale PNG whose IDAT holds ``payload`` (already compressed)."""
    return (SIGNATURE + _chunk(b"IHDR", struct.pack(">IIBBBBB", 3, 3, 8, 0, 0, 0, 0)) + _chunk(b"IDAT", payload)
            + _chunk(b"IEND", b""))


BAD = [
    ("not a png", lambda: b"GIF89a\x01\x00\x01\x00", ValueError,
     r"read_png\('{p}'\): expected a PNG file \(starting with b'\\x89PNG\\r\\n\\x1a\\n'\), got one starting with "
     r"b'GIF89a\\x01\\x00'\."),
    ("truncated", lambda: _good()[:-20], ValueError,
     r"read_png\('{p}'\): the file is truncated: chunk 'IDAT' needs \d+ bytes, \d+ are left\."),
    ("no IEND", lambda: _good()[:-12], ValueError, r"read_png\('{p}'\): the file is truncated: it has no IEND chunk\."),
    ("bad crc", lambda: _flip_byte(_good(), 20), ValueError,
     r"read_png\('{p}'\): the file is corrupt: chunk 'IHDR' fails its CRC check\."),
    ("16-bit", lambda: encode(np.zeros((2, 2, 6), np.uint8), 2, [0], depth=16), ValueError,
     r"read_png\('{p}'\): expected an 8-bit grayscale, gray\+alpha, RGB, RGBA or palette PNG, got a 16-bit RGB "
     r"one\. Save it with 8 bits per sample\."),
    ("1-bit", lambda: encode(np.zeros((2, 1, 1), np.uint8), 0, [0], depth=1), ValueError,
     r"read_png\('{p}'\): expected an 8-bit grayscale, gray\+alpha, RGB, RGBA or palette PNG, got a 1-bit "
     r"grayscale one\. Save it with 8 bits per sample\."),
    ("interlaced", lambda: encode(np.zeros((2, 2, 1), np.uint8), 0, [0], interlace=1), ValueError,
     r"read_png\('{p}'\): expected a non-interlaced PNG, got an interlaced \(Adam7\) one\. Save it without "
     r"interlacing\."),
    ("bad filter", lambda: _idat_with(zlib.compress(b"\x00abc\x07abc\x00abc")), ValueError,
     r"read_png\('{p}'\): the file is corrupt: row 1 has filter type 7, expected 0 to 4\."),
    ("short data", lambda: _idat_with(zlib.compress(b"\x00abc\x00abc")), ValueError,
     r"read_png\('{p}'\): the file is corrupt: 3x3 grayscale needs 12 bytes of pixel data, got 8\."),
    ("not zlib", lambda: _idat_with(b"not zlib data"), ValueError,
     r"read_png\('{p}'\): the file is corrupt: its pixel data does not decompress \(.+\)\."),
    ("IHDR not first", lambda: SIGNATURE + _chunk(b"IEND", b""), ValueError,
     r"read_png\('{p}'\): the file is corrupt: its first chunk is 'IEND', expected 'IHDR'\."),
    ("palette index", lambda: encode(np.full((2, 2, 1), 5, np.uint8), 3, [0], palette=np.zeros((2, 3), np.uint8)),
     ValueError, r"read_png\('{p}'\): the file is corrupt: pixel value 5 is outside its palette of 2 colors\."),
    ("no palette", lambda: encode(np.zeros((2, 2, 1), np.uint8), 3, [0]), ValueError,
     r"read_png\('{p}'\): the file is corrupt: a palette image without a valid PLTE chunk\."),
]


@pytest.mark.parametrize("name, make, error, pattern", BAD, ids=[b[0] for b in BAD])
def test_bad_files(tmp_path, name, make, error, pattern):
    path = write(tmp_path, make())
    with pytest.raises(error, match="^" + pattern.replace("{p}", re.escape(path)) + "$"):
        read_png(path)


def test_missing_file_and_directory(tmp_path):
    missing = os.fspath(tmp_path / "nope.png")
    with pytest.raises(FileNotFoundError, match=re.escape(f"read_png({missing!r}): expected a PNG file, got a path "
                                                          f"that does not exist.")):
        read_png(missing)
    with pytest.raises(IsADirectoryError, match=re.escape("expected a PNG file, got a directory.")):
        read_png(tmp_path)


def test_write_png_bad_input(tmp_path):
    path = os.fspath(tmp_path / "x.png")
    with pytest.raises(TypeError, match=re.escape("write_png(): expected a uint8 image, got dtype float64. Convert "
                                                  "values in [0, 1] with (x * 255).round().astype(np.uint8).")):
        write_png(path, np.zeros((2, 2)))
    with pytest.raises(ValueError, match=re.escape("write_png(): expected an image of shape (H, W) or (H, W, C) with "
                                                   "C in 1..4, got (2, 2, 5).")):
        write_png(path, np.zeros((2, 2, 5), np.uint8))
    assert not os.path.exists(path)


def test_write_png_is_atomic(tmp_path, monkeypatch):
    import errno
    path = tmp_path / "img.png"
    write_png(path, np.zeros((2, 3), np.uint8))
    good = path.read_bytes()

    def full_disk(fd):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError, match=re.escape(f"No space left on device: '{path}'")):
        write_png(path, np.full((20, 30), 255, np.uint8))
    assert path.read_bytes() == good and os.listdir(tmp_path) == ["img.png"]      # the old image, no temp file

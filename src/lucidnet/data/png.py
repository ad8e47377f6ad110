"""PNG images in pure Python and NumPy (zlib does the compression): enough to read the images people draw or
save for ``lucidnet predict``, and to write them, without Pillow or matplotlib.

A PNG file is the 8-byte signature, then chunks (length, type, data, CRC-32): ``IHDR`` (size, bit depth,
color type), ``PLTE`` (a palette), ``IDAT`` (the zlib-compressed pixels), ``IEND``. Each row of pixels is
stored after a one-byte *filter* that predicts it from its neighbours (0 none, 1 left, 2 up, 3 average of
left and up, 4 Paeth); decoding adds the prediction back, modulo 256. :func:`read_png` reads 8-bit
grayscale, gray + alpha, RGB, RGBA and palette images, not interlaced (what matplotlib, Pillow, browsers and
image editors write by default); other kinds are refused with a message saying what to convert to.
"""
import os
import struct
import zlib

import numpy as np

from ._files import atomic_write, read_bytes

__all__ = ["encode_png", "read_png", "to_grayscale", "write_png"]

SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}           # color type -> samples per pixel
_KINDS = {0: "grayscale", 2: "RGB", 3: "palette", 4: "gray+alpha", 6: "RGBA"}


def _chunks(data, where):
    """(type, payload) of each chunk, checked against its CRC."""
    pos = len(SIGNATURE)
    while pos < len(data):
        if pos + 8 > len(data):
            raise ValueError(f"{where}: the file is truncated: a chunk header is cut off at byte {pos}.")
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        end = pos + 8 + length + 4
        if end > len(data):
            raise ValueError(f"{where}: the file is truncated: chunk {kind.decode('latin-1')!r} needs "
                             f"{length + 12} bytes, {len(data) - pos} are left.")
        payload = data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[end - 4:end])
        if zlib.crc32(kind + payload) != crc:
            raise ValueError(f"{where}: the file is corrupt: chunk {kind.decode('latin-1')!r} fails its CRC check.")
        yield kind, payload
        pos = end
        if kind == b"IEND":
            return
    raise ValueError(f"{where}: the file is truncated: it has no IEND chunk.")


def _paeth(a, b, c):
    """The Paeth predictor: whichever of left (a), up (b), upper-left (c) is closest to a + b - c."""
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def _unfilter(raw, height, stride, bpp, where):
    """Undo each row's filter. ``raw`` holds height rows of (filter byte + stride bytes)."""
    rows = np.frombuffer(raw, dtype=np.uint8).reshape(height, stride + 1)
    out = np.empty((height, stride), dtype=np.uint8)
    prev = np.zeros(stride, dtype=np.uint8)
    for y in range(height):
        kind, cur = rows[y, 0], rows[y, 1:]
        if kind == 0:                                   # None
            row = cur.copy()
        elif kind == 1:                                 # Sub: add the byte one pixel to the left (a running sum)
            row = np.cumsum(cur.reshape(-1, bpp), axis=0, dtype=np.uint8).reshape(-1)
        elif kind == 2:                                 # Up: add the byte above
            row = cur + prev
        elif kind in (3, 4):                            # Average, Paeth: each byte needs the one just decoded
            row, up = bytearray(cur.tobytes()), prev.tolist()
            for i in range(stride):
                a = row[i - bpp] if i >= bpp else 0            # left (decoded)
                b = up[i]                                      # up
                if kind == 3:
                    pred = (a + b) >> 1
                else:
                    pred = _paeth(a, b, up[i - bpp] if i >= bpp else 0)   # c: upper left
                row[i] = (row[i] + pred) & 0xFF
            row = np.frombuffer(bytes(row), dtype=np.uint8)
        else:
            raise ValueError(f"{where}: the file is corrupt: row {y} has filter type {kind}, expected 0 to 4.")
        out[y] = row
        prev = out[y]
    return out


def read_png(path):
    """Read a PNG image as a uint8 array.

    Args:
        path: the ``.png`` file.

    Returns:
        shape (H, W) for grayscale, (H, W, 2) gray + alpha, (H, W, 3) RGB (also for palette images without
        transparency), (H, W, 4) RGBA (palette images with a ``tRNS`` chunk).

    Raises:
        ValueError: not a PNG, truncated or corrupt, or a kind it does not read (16-bit or 1/2/4-bit samples,
            interlaced), each as one line saying so.

    Example:
        >>> import os, tempfile
        >>> import numpy as np
        >>> path = os.path.join(tempfile.mkdtemp(), "img.png")
        >>> write_png(path, np.array([[0, 128], [255, 7]], dtype=np.uint8))
        >>> read_png(path)
        array([[  0, 128],
               [255,   7]], dtype=uint8)
    """
    where = f"read_png({os.fspath(path)!r})"
    data = read_bytes(path, where, "a PNG file")
    if not data.startswith(SIGNATURE):
        raise ValueError(f"{where}: expected a PNG file (starting with {SIGNATURE!r}), got one starting with "
                         f"{data[:8]!r}.")
    header, palette, alpha, idat = None, None, None, []
    for kind, payload in _chunks(data, where):
        if header is None and kind != b"IHDR":
            raise ValueError(f"{where}: the file is corrupt: its first chunk is {kind.decode('latin-1')!r}, "
                             f"expected 'IHDR'.")
        if kind == b"IHDR":
            if len(payload) != 13:
                raise ValueError(f"{where}: the file is corrupt: IHDR has {len(payload)} bytes, expected 13.")
            header = struct.unpack(">IIBBBBB", payload)
        elif kind == b"PLTE":
            palette = np.frombuffer(payload, dtype=np.uint8).reshape(-1, 3) if len(payload) % 3 == 0 else None
        elif kind == b"tRNS":
            alpha = np.frombuffer(payload, dtype=np.uint8)
        elif kind == b"IDAT":
            idat.append(payload)
    width, height, depth, color, compression, filtering, interlace = header
    kind_name = _KINDS.get(color, f"color type {color}")
    if color not in _CHANNELS or depth != 8:
        raise ValueError(f"{where}: expected an 8-bit grayscale, gray+alpha, RGB, RGBA or palette PNG, got a "
                         f"{depth}-bit {kind_name} one. Save it with 8 bits per sample.")
    if interlace != 0:
        raise ValueError(f"{where}: expected a non-interlaced PNG, got an interlaced (Adam7) one. Save it without "
                         f"interlacing.")
    if compression != 0 or filtering != 0:
        raise ValueError(f"{where}: the file is corrupt: compression method {compression} and filter method "
                         f"{filtering}, expected 0 and 0.")
    if width == 0 or height == 0:
        raise ValueError(f"{where}: the file is corrupt: its size is {width}x{height}.")
    if not idat:
        raise ValueError(f"{where}: the file is corrupt: it has no IDAT (pixel data) chunk.")
    try:
        raw = zlib.decompress(b"".join(idat))
    except zlib.error as e:
        raise ValueError(f"{where}: the file is corrupt: its pixel data does not decompress ({e}).") from None
    bpp = _CHANNELS[color]
    stride = width * bpp
    if len(raw) != height * (stride + 1):
        raise ValueError(f"{where}: the file is corrupt: {width}x{height} {kind_name} needs "
                         f"{height * (stride + 1)} bytes of pixel data, got {len(raw)}.")
    pixels = _unfilter(raw, height, stride, bpp, where).reshape(height, width, bpp)
    if color == 3:
        if palette is None:
            raise ValueError(f"{where}: the file is corrupt: a palette image without a valid PLTE chunk.")
        index = pixels[..., 0]
        if index.max() >= len(palette):
            raise ValueError(f"{where}: the file is corrupt: pixel value {index.max()} is outside its palette of "
                             f"{len(palette)} colors.")
        if alpha is None:
            return palette[index]
        table = np.full(len(palette), 255, dtype=np.uint8)
        table[:min(len(alpha), len(palette))] = alpha[:len(palette)]
        return np.concatenate([palette[index], table[index][..., None]], axis=-1)
    return pixels[..., 0] if bpp == 1 else pixels


def encode_png(image):
    """A uint8 image as the bytes of a PNG file (no filtering, zlib level 6).

    Args:
        image: uint8 array (H, W) or (H, W, 1) grayscale, (H, W, 2) gray + alpha, (H, W, 3) RGB,
            (H, W, 4) RGBA.

    Example:
        >>> import numpy as np
        >>> encode_png(np.zeros((2, 3), dtype=np.uint8))[:8]
        b'\\x89PNG\\r\\n\\x1a\\n'
    """
    a = np.asarray(image)
    if a.dtype != np.uint8:
        raise TypeError(f"write_png(): expected a uint8 image, got dtype {a.dtype}. Convert values in [0, 1] with "
                        f"(x * 255).round().astype(np.uint8).")
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[..., 0]
    if not (a.ndim == 2 or (a.ndim == 3 and a.shape[2] in (2, 3, 4))) or 0 in a.shape:
        raise ValueError(f"write_png(): expected an image of shape (H, W) or (H, W, C) with C in 1..4, got "
                         f"{tuple(a.shape)}.")
    height, width = a.shape[:2]
    color = {2: 0, 3: {2: 4, 3: 2, 4: 6}.get(a.shape[-1])}[a.ndim]
    rows = np.ascontiguousarray(a).reshape(height, -1)
    raw = np.concatenate([np.zeros((height, 1), dtype=np.uint8), rows], axis=1).tobytes()

    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    return (SIGNATURE + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, color, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def write_png(path, image):
    """Write a uint8 image as a PNG file (no filtering, zlib level 6): see :func:`encode_png`.

    Args:
        path: the file to write.
        image: uint8 array (H, W) or (H, W, 1) grayscale, (H, W, 2) gray + alpha, (H, W, 3) RGB,
            (H, W, 4) RGBA.

    Example:
        >>> import os, tempfile
        >>> import numpy as np
        >>> path = os.path.join(tempfile.mkdtemp(), "rgb.png")
        >>> write_png(path, np.zeros((2, 3, 3), dtype=np.uint8))
        >>> read_png(path).shape
        (2, 3, 3)
    """
    data = encode_png(image)
    with atomic_write(path) as f:                 # a full disk or a kill leaves the old file whole
        f.write(data)


def to_grayscale(image, background=0):
    """One gray channel from a :func:`read_png` image: RGB by the ITU-R 601 luma (0.299 R + 0.587 G +
    0.114 B, as Pillow's "L" mode), transparency composited over ``background``.

    Args:
        image: uint8 array (H, W), (H, W, 2), (H, W, 3) or (H, W, 4).
        background: the gray level (0 black .. 255 white) seen through transparent pixels. Default: 0, the
            background of MNIST and Fashion-MNIST images.

    Returns:
        A uint8 array (H, W).

    Example:
        >>> import numpy as np
        >>> to_grayscale(np.array([[[255, 0, 0], [255, 255, 255]]], dtype=np.uint8))
        array([[ 76, 255]], dtype=uint8)
        >>> to_grayscale(np.array([[[200, 0], [200, 255]]], dtype=np.uint8))   # gray + alpha
        array([[  0, 200]], dtype=uint8)
    """
    a = np.asarray(image)
    if a.ndim == 2:
        return a
    if a.ndim != 3 or a.shape[2] not in (1, 2, 3, 4):
        raise ValueError(f"to_grayscale(): expected an image of shape (H, W) or (H, W, C) with C in 1..4, got "
                         f"{tuple(a.shape)}.")
    x = a.astype(np.float64)
    c = a.shape[2]
    gray = x[..., 0] if c in (1, 2) else x[..., :3] @ np.array([0.299, 0.587, 0.114])
    if c in (2, 4):
        alpha = x[..., -1] / 255.0
        gray = gray * alpha + float(background) * (1.0 - alpha)
    return np.clip(np.round(gray), 0, 255).astype(np.uint8)

"""lucidnet.transforms: known answers (a crop at a fixed offset is a slice of the padded image, two flips are
the identity, Normalize is its formula, ToTensor is torchvision's), the batch path against the per-sample one,
use in a Dataset/DataLoader, reproducibility, and the errors."""
import numpy as np
import pytest

import lucidnet
from lucidnet import transforms as T
from lucidnet.data import DataLoader, Dataset


def batch(n=6, c=2, h=5, w=7, seed=0):
    return np.random.default_rng(seed).standard_normal((n, c, h, w)).astype(np.float32)


class Fixed:
    """A generator stand-in whose integers() give known offsets: the row's, then the column's."""

    def __init__(self, *values):
        self.values = list(values)

    def integers(self, low, high, size=None):
        value = self.values.pop(0)
        assert low <= value < high
        return value if size is None else np.full(size, value)


def fixed(transform, *values):
    transform._rng = lambda generator: Fixed(*values)
    return transform


def test_the_module_is_reachable_as_lucidnet_transforms_and_lucidnet_data_transforms():
    import lucidnet.transforms as a
    from lucidnet.data import transforms as b
    assert a.RandomCrop is b.RandomCrop and lucidnet.transforms.Compose is b.Compose


@pytest.mark.parametrize("padding,offset", [(2, (0, 0)), (2, (3, 1)), (3, (6, 6)), ((1, 2), (4, 2))])
def test_padding_then_a_crop_at_a_fixed_offset_is_a_slice_of_the_padded_image(padding, offset):
    x = batch()
    lr, tb = (padding, padding) if isinstance(padding, int) else padding
    padded = np.pad(x, [(0, 0), (0, 0), (tb, tb), (lr, lr)])
    i, j = offset
    crop = fixed(T.RandomCrop((5, 7), padding=padding), i, j)
    np.testing.assert_array_equal(crop.batch(x), padded[:, :, i:i + 5, j:j + 7])
    np.testing.assert_array_equal(crop(x[0]), padded[0, :, i:i + 5, j:j + 7])


def test_each_item_of_a_batch_is_a_slice_of_its_padded_image_at_its_own_offsets():
    x = batch()
    padded = np.pad(x, [(0, 0), (0, 0), (2, 2), (1, 1)])
    out = T.RandomCrop((5, 7), padding=(1, 2)).batch(x, generator=np.random.default_rng(0))
    g = np.random.default_rng(0)                                   # the same draws: rows, then columns
    rows, cols = g.integers(0, 5, size=len(x)), g.integers(0, 3, size=len(x))
    for k in range(len(x)):
        np.testing.assert_array_equal(out[k], padded[k, :, rows[k]:rows[k] + 5, cols[k]:cols[k] + 7])


def test_the_crop_pads_with_fill_and_the_padding_modes_as_numpy_pad():
    x = np.arange(9.0).reshape(1, 3, 3)
    for mode in ("edge", "reflect", "symmetric"):
        t = fixed(T.RandomCrop(3, padding=(1, 2, 0, 1), padding_mode=mode), 0, 0)
        np.testing.assert_array_equal(t(x), np.pad(x, [(0, 0), (2, 1), (1, 0)], mode=mode)[:, :3, :3])
    t = T.RandomCrop(5, padding=1, fill=-1.0, generator=0)
    out = t(x)
    assert out.shape == (1, 5, 5) and out[0, 0, 0] == -1.0 and out[0, 2, 2] == 4.0


def test_pad_if_needed_pads_both_sides_by_the_difference_as_torchvision():
    x = np.arange(16.0).reshape(1, 4, 4)
    out = T.RandomCrop((6, 4), pad_if_needed=True, generator=0)(x)
    padded = np.pad(x, [(0, 0), (2, 2), (0, 0)])                       # 4 rows short of 6: 2 more on each side
    assert out.shape == (1, 6, 4)
    assert any(np.array_equal(out, padded[:, i:i + 6]) for i in range(3))


def test_every_item_of_a_batch_gets_its_own_offsets_and_flips():
    lucidnet.manual_seed(0)
    x = np.broadcast_to(np.arange(28 * 28, dtype=np.float32).reshape(1, 1, 28, 28), (256, 1, 28, 28))
    crops = T.RandomCrop(28, padding=2).batch(x)
    firsts = {(int(c[0, 2, 2])) for c in crops}
    assert len(firsts) > 10                          # many different offsets over the batch
    flips = T.RandomHorizontalFlip().batch(x)
    flipped = (flips[:, 0, 0, 0] == 27).sum()
    assert 80 < flipped < 176 and set(flips[:, 0, 0, 0].tolist()) == {0.0, 27.0}


def test_a_batch_of_three_axes_is_n_images_without_channels():
    x = batch(8, 1, 6, 6)[:, 0]                      # (N, H, W)
    out = T.Compose([T.RandomCrop(6, padding=1), T.RandomHorizontalFlip()]).batch(x, generator=0)
    assert out.shape == (8, 6, 6)
    single = T.RandomCrop(4, generator=0)(x)         # one (C, H, W) image: 8 channels, one crop
    assert single.shape == (8, 4, 4)


def test_flipping_twice_is_the_identity_and_p_one_is_a_mirror():
    x = batch()
    for flip, axis in ((T.RandomHorizontalFlip, -1), (T.RandomVerticalFlip, -2)):
        t = flip(p=1.0)
        np.testing.assert_array_equal(t(t(x[0])), x[0])
        np.testing.assert_array_equal(t.batch(t.batch(x)), x)
        np.testing.assert_array_equal(t.batch(x), np.flip(x, axis))
        np.testing.assert_array_equal(flip(p=0.0).batch(x), x)
    g = lucidnet.Generator().manual_seed(3)
    t = T.RandomHorizontalFlip()
    once = t.batch(x, generator=g)
    g.manual_seed(3)
    np.testing.assert_array_equal(t.batch(once, generator=g), x)       # the same draws undo it


def test_normalize_is_its_formula_per_channel():
    x = batch(4, 3, 5, 5)
    mean, std = (0.1, -0.2, 0.3), (0.5, 2.0, 0.25)
    expected = (x - np.array(mean, np.float32)[:, None, None]) / np.array(std, np.float32)[:, None, None]
    out = T.Normalize(mean, std).batch(x)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, expected, rtol=1e-6)
    np.testing.assert_allclose(T.Normalize(mean, std)(x[0]), expected[0], rtol=1e-6)
    np.testing.assert_allclose(T.Normalize(mean, std)(x), expected, rtol=1e-6)
    t = T.Normalize((0.5,), (0.5,))(lucidnet.tensor(x[0]))
    assert isinstance(t, lucidnet.Tensor) and np.allclose(t.array, (x[0] - 0.5) / 0.5)
    y = x.copy()
    assert T.Normalize(mean, std, inplace=True).batch(y) is y and np.allclose(y, expected, rtol=1e-6)
    np.testing.assert_allclose(T.Normalize(0.5, 2.0).batch(x[:, 0]), (x[:, 0] - 0.5) / 2, rtol=1e-6)


def test_to_tensor_is_torchvisions():
    img = np.random.default_rng(0).integers(0, 256, (5, 7, 3), dtype=np.uint8)      # (H, W, C)
    t = T.ToTensor()(img)
    assert isinstance(t, lucidnet.Tensor) and t.shape == (3, 5, 7) and t.dtype == lucidnet.float32
    np.testing.assert_array_equal(t.array, img.transpose(2, 0, 1).astype(np.float32) / np.float32(255))
    assert float(t.array.min()) >= 0 and float(t.array.max()) <= 1
    gray = T.ToTensor()(img[..., 0])
    assert gray.shape == (1, 5, 7)
    floats = T.ToTensor()(img.astype(np.float64))                 # not uint8: not scaled, dtype kept
    assert floats.dtype == lucidnet.float64 and float(floats.array.max()) > 1
    many = T.ToTensor().batch(np.stack([img, img]))
    assert many.shape == (2, 3, 5, 7) and np.array_equal(many.array[1], t.array)
    assert T.ToTensor().batch(img.transpose(2, 0, 1)).shape == (3, 1, 5, 7)     # (N, H, W) -> (N, 1, H, W)


def test_to_tensor_reads_a_pil_image():
    Image = pytest.importorskip("PIL.Image")
    img = np.random.default_rng(1).integers(0, 256, (4, 6, 3), dtype=np.uint8)
    t = T.ToTensor()(Image.fromarray(img))
    np.testing.assert_array_equal(t.array, img.transpose(2, 0, 1) / np.float32(255))


class Images(Dataset):
    """A torchvision-style dataset: uint8 (H, W) images, a transform per sample."""

    def __init__(self, transform):
        self.x = np.random.default_rng(0).integers(0, 256, (10, 8, 8), dtype=np.uint8)
        self.transform = transform

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.transform(self.x[i]), i % 3


def test_per_sample_in_a_dataset_and_a_dataloader():
    t = T.Compose([T.ToTensor(), T.RandomCrop(8, padding=1), T.RandomHorizontalFlip(), T.Normalize((0.5,), (0.5,))])
    lucidnet.manual_seed(0)
    xb, yb = next(iter(DataLoader(Images(t), batch_size=4, shuffle=True)))
    assert xb.shape == (4, 1, 8, 8) and xb.dtype == lucidnet.float32 and yb.shape == (4,)
    assert float(xb.array.min()) >= -1 and float(xb.array.max()) <= 1
    lucidnet.manual_seed(0)
    again, _ = next(iter(DataLoader(Images(t), batch_size=4, shuffle=True)))
    np.testing.assert_array_equal(xb.array, again.array)                # reproducible under manual_seed


def test_own_generators_make_it_reproducible_and_are_listed():
    x = batch()
    a = T.Compose([T.RandomCrop(5, padding=2, generator=7), T.RandomHorizontalFlip(generator=8)])
    b = T.Compose([T.RandomCrop(5, padding=2, generator=7), T.RandomHorizontalFlip(generator=8)])
    np.testing.assert_array_equal(a.batch(x), b.batch(x))
    assert len(a.generators()) == 2
    lucidnet.manual_seed(1)
    first = T.RandomCrop(5, padding=2).batch(x)
    lucidnet.manual_seed(1)
    np.testing.assert_array_equal(T.RandomCrop(5, padding=2).batch(x), first)


def test_reprs_name_the_arguments():
    assert repr(T.RandomCrop(28, padding=4)) == "RandomCrop(size=(28, 28), padding=(4, 4, 4, 4))"
    assert repr(T.RandomHorizontalFlip()) == "RandomHorizontalFlip(p=0.5)"
    assert repr(T.Normalize((0.5,), (0.25,))) == "Normalize(mean=(0.5,), std=(0.25,))"
    assert repr(T.Compose([T.ToTensor()])) == "Compose(\n    ToTensor()\n)"


@pytest.mark.parametrize("make,arg,message", [
    (lambda: T.RandomCrop(32), np.zeros((1, 28, 28)),
     r"^RandomCrop\(size=\(32, 32\), padding=None\): expected images of at least 32x32, got 28x28 \(shape "
     r"\(1, 28, 28\)\)\. Pass pad_if_needed=True to pad them up to the crop\.$"),
    (lambda: T.RandomCrop(2), np.zeros(5), r"^RandomCrop: expected an image \(C, H, W\) or \(H, W\), got shape \(5,\)\.$"),
    (lambda: T.Normalize((0.5, 0.5), (1, 1)), np.zeros((3, 4, 4), np.float32),
     r"^Normalize\(mean=\(0\.5, 0\.5\), std=\(1\.0, 1\.0\)\): expected images \(C, H, W\) with C = 2, got shape "
     r"\(3, 4, 4\)\.$"),
    (lambda: T.Normalize((0.5,), (1,)), np.zeros((1, 4, 4), np.uint8),
     r"^Normalize\(mean=\(0\.5,\), std=\(1\.0,\)\): expected float images, got dtype uint8\. Put ToTensor\(\) first"),
    (lambda: T.ToTensor(), lucidnet.zeros(2, 2), r"^ToTensor\(\): expected an image as a NumPy array .* got a Tensor"),
    (lambda: T.ToTensor(), np.zeros(3, np.uint8), r"^ToTensor\(\): expected an image \(H, W, C\) or \(H, W\)"),
])
def test_bad_input_is_named(make, arg, message):
    t = make()
    with pytest.raises((ValueError, TypeError), match=message):
        t(arg)


@pytest.mark.parametrize("make,message", [
    (lambda: T.RandomCrop(0), r"^RandomCrop\(\): expected size to be a positive int or a pair \(h, w\) of them, got 0\.$"),
    (lambda: T.RandomCrop(4, padding=-1), r"^RandomCrop\(\): expected padding to be a non-negative int"),
    (lambda: T.RandomCrop(4, padding_mode="wrap"), r"^RandomCrop\(\): expected padding_mode 'constant'"),
    (lambda: T.RandomHorizontalFlip(1.5), r"^RandomHorizontalFlip\(\): expected a probability p in \[0, 1\], got 1\.5\.$"),
    (lambda: T.Normalize((0.5,), (0.0,)), r"^Normalize\(\): expected std without zeros \(it divides\), got std=\(0\.0,\)\.$"),
    (lambda: T.Compose([3]), r"^Compose\(\): expected transforms \(callables\), got int\.$"),
    (lambda: T.RandomCrop(4, generator="x"), r"^RandomCrop\(\): expected generator to be a lucidnet\.Generator"),
])
def test_bad_arguments_are_named(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make()

"""DataLoader and default_collate: PyTorch semantics, reproducible shuffling, the array fast path, bad input."""
import collections

import numpy as np
import pytest
import torch

import lucidnet
from lucidnet.data import DataLoader, Dataset, Subset, TensorDataset, default_collate, random_split


def xy(n=10, features=3):
    X = np.arange(n * features, dtype=np.float32).reshape(n, features)
    return X, np.arange(n, dtype=np.int64)


def epoch_labels(loader):
    return [yb.tolist() for _, yb in loader]


class Pairs(Dataset):
    """A dataset with no fast path: samples come one at a time through __getitem__."""

    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return np.array([i, -i], dtype=np.float32), i


@pytest.mark.parametrize("n", [1, 9, 10, 11, 64])
@pytest.mark.parametrize("batch_size", [1, 3, 10, 100])
@pytest.mark.parametrize("drop_last", [False, True])
def test_len_and_batch_sizes_match_pytorch(n, batch_size, drop_last):
    X, y = xy(n)
    ours = DataLoader(TensorDataset(X, y), batch_size=batch_size, drop_last=drop_last)
    theirs = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.from_numpy(X), torch.from_numpy(y)),
                                         batch_size=batch_size, drop_last=drop_last)
    assert len(ours) == len(theirs)
    got = list(ours)
    want = list(theirs)
    assert len(got) == len(want) == len(ours)
    for (xb, yb), (xt, yt) in zip(got, want):
        assert isinstance(xb, lucidnet.Tensor) and isinstance(yb, lucidnet.Tensor)
        np.testing.assert_array_equal(xb.numpy(), xt.numpy())
        np.testing.assert_array_equal(yb.numpy(), yt.numpy())
        assert xb.dtype == lucidnet.float32 and yb.dtype == lucidnet.int64


def test_drop_last_drops_only_the_short_batch():
    X, y = xy(10)
    assert [len(b) for b in epoch_labels(DataLoader(TensorDataset(X, y), batch_size=4))] == [4, 4, 2]
    assert [len(b) for b in epoch_labels(DataLoader(TensorDataset(X, y), batch_size=4, drop_last=True))] == [4, 4]
    shuffled = DataLoader(TensorDataset(X, y), batch_size=4, shuffle=True, drop_last=True, generator=0)
    seen = sum(epoch_labels(shuffled), [])
    assert len(seen) == 8 and len(set(seen)) == 8


@pytest.mark.parametrize("dataset", ["tensor", "generic", "subset"])
def test_shuffle_every_sample_once_per_epoch_and_new_order_each_epoch(dataset):
    n = 103
    X, y = xy(n)
    ds = {"tensor": TensorDataset(X, y), "generic": Pairs(n),
          "subset": Subset(TensorDataset(np.zeros(n + 5), np.arange(n + 5)), np.arange(n))}[dataset]
    loader = DataLoader(ds, batch_size=10, shuffle=True, generator=7)
    epochs = [[int(v) for batch in epoch_labels(loader) for v in batch] for _ in range(3)]
    for e in epochs:
        assert sorted(e) == list(range(n))
    assert epochs[0] != epochs[1] != epochs[2]
    assert epochs[0] != list(range(n))


def test_shuffle_is_reproducible_for_every_kind_of_generator():
    X, y = xy(50)
    ds = TensorDataset(X, y)

    def run(gen):
        loader = DataLoader(ds, batch_size=8, shuffle=True, generator=gen)
        return [epoch_labels(loader) for _ in range(2)]

    assert run(3) == run(3)
    assert run(lucidnet.Generator().manual_seed(3)) == run(lucidnet.Generator().manual_seed(3))
    assert run(np.random.default_rng(3)) == run(np.random.default_rng(3))
    assert run(3) != run(4)
    lucidnet.manual_seed(11)                             # generator=None draws from the default generator
    a = run(None)
    lucidnet.manual_seed(11)
    assert run(None) == a


def test_state_dict_resumes_the_same_epochs():
    X, y = xy(40)
    loader = DataLoader(TensorDataset(X, y), batch_size=8, shuffle=True, generator=1)
    first = epoch_labels(loader)
    state = loader.state_dict()
    later = [epoch_labels(loader) for _ in range(2)]
    resumed = DataLoader(TensorDataset(X, y), batch_size=8, shuffle=True, generator=999)
    resumed.load_state_dict(state)
    assert [epoch_labels(resumed) for _ in range(2)] == later
    assert later[0] != first
    import json
    json.dumps(state)                                      # a plain JSON-able dict for checkpoints


def test_state_dict_of_default_generator():
    X, y = xy(20)
    loader = DataLoader(TensorDataset(X, y), batch_size=5, shuffle=True)
    state = loader.state_dict()
    a = epoch_labels(loader)
    lucidnet.manual_seed(123)
    loader.load_state_dict(state)
    assert epoch_labels(loader) == a


def test_load_state_dict_bad_input():
    loader = DataLoader(np.arange(4), shuffle=True, generator=0)
    with pytest.raises(ValueError, match=r"^DataLoader.load_state_dict\(\): expected a dict from state_dict\(\) "
                                         r"with key 'generator', got dict with keys \['rng'\]\.$"):
        loader.load_state_dict({"rng": 1})
    with pytest.raises(ValueError, match=r"expected the state of a PCG64 generator, got one it cannot load"):
        loader.load_state_dict({"generator": {"bit_generator": "MT19937"}})


def test_fast_path_is_one_gather_per_array_per_batch(monkeypatch):
    class Counting(np.ndarray):
        gathers = 0

        def __getitem__(self, index):
            type(self).gathers += 1
            return super().__getitem__(index)

    X, y = xy(100)
    Xc, yc = X.view(Counting), y.view(Counting)
    monkeypatch.setattr(TensorDataset, "__getitem__", lambda self, i: pytest.fail("per-sample access"))
    for shuffle in (False, True):
        Counting.gathers = 0
        loader = DataLoader(TensorDataset(Xc, yc), batch_size=16, shuffle=shuffle, generator=0)
        batches = list(loader)
        assert Counting.gathers == 2 * len(loader) == 2 * len(batches)
        assert all(type(xb.array) is np.ndarray for xb, _ in batches)
    train, _ = random_split(TensorDataset(Xc, yc), [0.8, 0.2], generator=0)
    Counting.gathers = 0
    assert len(list(DataLoader(train, batch_size=16, shuffle=True, generator=0))) == 5
    assert Counting.gathers == 2 * 5


@pytest.mark.parametrize("shuffle", [False, True])
def test_fast_path_and_general_path_give_the_same_batches(shuffle):
    X, y = xy(37)
    base = TensorDataset(X, y)
    for ds in (base, Subset(Subset(base, np.arange(36, -1, -1)), np.arange(0, 37, 2))):
        fast = DataLoader(ds, batch_size=5, shuffle=shuffle, generator=2)
        slow = DataLoader(ds, batch_size=5, shuffle=shuffle, generator=2, collate_fn=default_collate)
        for (xf, yf), (xs, ys) in zip(fast, slow, strict=True):
            np.testing.assert_array_equal(xf.numpy(), xs.numpy())
            np.testing.assert_array_equal(yf.numpy(), ys.numpy())
            assert xf.dtype == xs.dtype and yf.dtype == ys.dtype


@pytest.mark.parametrize("parts", [2, 3])
@pytest.mark.parametrize("kind", ["fast", "subset", "general", "batch_sampler", "drop_last"])
def test_shards_of_every_rank_together_are_the_loaders_batches_and_load_only_their_rows(kind, parts):
    X, y = xy(23)
    base = TensorDataset(X, y)
    args = dict(batch_size=5, shuffle=True, generator=4)
    if kind == "subset":
        base = Subset(base, np.arange(22, -1, -1))
    if kind == "general":
        base = Pairs(23)
    if kind == "batch_sampler":
        args = dict(batch_sampler=[[3, 1, 4, 15, 9], [2, 6], [5, 3, 5, 8, 9, 7, 9]])
    if kind == "drop_last":
        args["drop_last"] = True
    whole = [yb.tolist() for _, yb in DataLoader(base, **args)]
    shards = [[yb.tolist() for _, yb in DataLoader(base, **args).shard(r, parts)] for r in range(parts)]
    assert all(len(s) == len(whole) for s in shards)
    for i, batch in enumerate(whole):
        assert sum((s[i] for s in shards), []) == batch                            # in rank order
        assert [len(s[i]) for s in shards] == [len(a) for a in np.array_split(batch, parts)]


def test_a_shard_gathers_only_its_rows(monkeypatch):
    X, y = xy(40)
    rows = []

    class Counting(np.ndarray):
        def __getitem__(self, idx):
            if isinstance(idx, np.ndarray):
                rows.append(len(idx))
            return np.asarray(super().__getitem__(idx))
    loader = DataLoader(TensorDataset(X.view(Counting), y), batch_size=8, shuffle=True, generator=0)
    assert [len(yb) for _, yb in loader.shard(1, 2)] == [4] * 5
    assert rows == [4] * 5


def test_shard_bad_arguments():
    loader = DataLoader(np.arange(4), batch_size=2)
    with pytest.raises(ValueError, match=r"DataLoader.shard\(\): expected 0 <= rank < parts, got rank 2 of 2 parts"):
        loader.shard(2, 2)
    with pytest.raises(ValueError, match=r"DataLoader.shard\(\): expected parts to be a positive integer, got 0"):
        loader.shard(0, 0)


def test_batches_do_not_alias_the_dataset():
    X, y = xy(8)
    for shuffle in (False, True):
        for xb, _ in DataLoader(TensorDataset(X, y), batch_size=4, shuffle=shuffle, generator=0):
            xb.array[...] = -1
        assert X.min() >= 0


def test_arrays_and_tensors_as_datasets():
    X, _ = xy(7)
    batches = list(DataLoader(X, batch_size=3))
    assert [b.shape for b in batches] == [(3, 3), (3, 3), (1, 3)]
    assert isinstance(batches[0], lucidnet.Tensor)
    t = lucidnet.tensor(X)
    assert np.array_equal(np.concatenate([b.numpy() for b in DataLoader(t, batch_size=2)]), X)
    f64 = np.zeros((4, 2))
    assert next(iter(DataLoader(TensorDataset(f64), batch_size=2)))[0].dtype == lucidnet.float64


def test_generic_dataset_default_collate():
    loader = DataLoader(Pairs(5), batch_size=2)
    xb, yb = next(iter(loader))
    assert xb.tolist() == [[0.0, 0.0], [1.0, -1.0]] and xb.dtype == lucidnet.float32
    assert yb.tolist() == [0, 1] and yb.dtype == lucidnet.int64
    assert len(list(loader)) == 3


def test_default_collate_types_and_structure():
    Point = collections.namedtuple("Point", "x label")
    assert default_collate([1.5, 2]).dtype == lucidnet.float32           # floats -> default float dtype
    assert default_collate([1, 2]).dtype == lucidnet.int64
    assert default_collate([True, False]).dtype == lucidnet.bool
    assert default_collate([np.float64(1.0), np.float64(2.0)]).dtype == lucidnet.float64
    assert default_collate([np.zeros(2, np.uint8)] * 3).shape == (3, 2)
    assert default_collate([lucidnet.ones(2), lucidnet.zeros(2)]).tolist() == [[1, 1], [0, 0]]
    out = default_collate([{"x": np.zeros(2), "name": "a"}, {"x": np.ones(2), "name": "b"}])
    assert list(out) == ["x", "name"] and out["x"].shape == (2, 2) and out["name"] == ["a", "b"]
    p = default_collate([Point(np.zeros(3), 1), Point(np.ones(3), 2)])
    assert isinstance(p, Point) and p.x.shape == (2, 3) and p.label.tolist() == [1, 2]
    assert isinstance(default_collate([(1, 2.0), (3, 4.0)]), tuple)
    assert isinstance(default_collate([[1, 2.0], [3, 4.0]]), list)


def test_default_collate_bad_input():
    with pytest.raises(ValueError, match=r"^default_collate: expected samples of the same shape to stack, got "
                                         r"\(2,\) and \(3,\)\. Pass collate_fn="):
        default_collate([np.zeros(2), np.zeros(3)])
    with pytest.raises(TypeError, match=r"expected samples made of tensors, arrays, numbers, tuples, lists or "
                                        r"dicts, got object"):
        default_collate([object(), object()])
    with pytest.raises(ValueError, match=r"expected samples with the same number of fields, got sizes \[2, 3\]"):
        default_collate([(1, 2), (1, 2, 3)])
    with pytest.raises(TypeError, match=r"expected a non-empty list of samples, got list \(empty\)"):
        default_collate([])


def test_custom_collate_fn():
    loader = DataLoader(Pairs(4), batch_size=2, collate_fn=lambda samples: [s[1] for s in samples])
    assert list(loader) == [[0, 1], [2, 3]]


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, None])
def test_bad_batch_size(bad):
    with pytest.raises(ValueError, match=rf"^DataLoader\(\): expected batch_size to be a positive integer, got "
                                         rf"{bad!r}\.$"):
        DataLoader(np.zeros(3), batch_size=bad)


def test_bad_arguments():
    with pytest.raises(TypeError, match=r"expected a dataset with __len__ and __getitem__ \(a Dataset, an array or "
                                        r"a Tensor\), got int"):
        DataLoader(5)
    with pytest.raises(TypeError, match=r"expected generator to be a lucidnet.Generator, a numpy Generator or an "
                                        r"int seed, got str"):
        DataLoader(np.zeros(3), generator="seed")
    with pytest.raises(TypeError, match=r"expected collate_fn to be callable, got int"):
        DataLoader(np.zeros(3), collate_fn=3)
    with pytest.raises(ValueError, match=r"expected num_workers to be a non-negative integer, got -1"):
        DataLoader(np.zeros(3), num_workers=-1)


def test_pytorch_style_loop_and_repr():
    X, y = xy(12)
    loader = DataLoader(TensorDataset(X, y), batch_size=4, shuffle=True, num_workers=0, pin_memory=False,
                        generator=0)
    assert repr(loader) == ("DataLoader(TensorDataset((12, 3), (12,)), batch_size=4, shuffle=True, "
                            "drop_last=False)")
    total = 0.0
    for xb, yb in loader:
        total += float((xb.sum(1) * 0 + yb).sum())
    assert total == float(y.sum())

"""Dataset, TensorDataset, Subset, ConcatDataset, random_split: behaviour, PyTorch agreement, bad input."""
import numpy as np
import pytest
import torch

import lucidnet
from lucidnet.data import ConcatDataset, Dataset, Subset, TensorDataset, random_split


def test_tensor_dataset_rows_and_memory():
    X = np.arange(12, dtype=np.float32).reshape(6, 2)
    y = lucidnet.tensor([0, 1, 2, 0, 1, 2])
    ds = TensorDataset(X, y, [5, 4, 3, 2, 1, 0])
    assert len(ds) == 6
    xi, yi, zi = ds[2]
    assert isinstance(xi, lucidnet.Tensor) and xi.tolist() == [4.0, 5.0]
    assert yi.item() == 2 and zi.item() == 3 and yi.dtype == lucidnet.int64
    assert ds.arrays[0] is X                          # no copy, dtype kept
    assert ds.tensors[1] is y and ds.arrays[1] is y.array
    assert ds[-1][0].tolist() == [10.0, 11.0]
    assert repr(ds) == "TensorDataset((6, 2), (6,), (6,))"


def test_tensor_dataset_length_mismatch():
    with pytest.raises(ValueError, match=r"^TensorDataset\(\): expected tensors with the same number of samples "
                                         r"\(first dimension\), got shapes \(5, 2\), \(4,\)\.$"):
        TensorDataset(np.zeros((5, 2)), np.zeros(4))


def test_tensor_dataset_bad_input():
    with pytest.raises(ValueError, match=r"expected at least one tensor or array, got none"):
        TensorDataset()
    with pytest.raises(ValueError, match=r"expected arrays with a first \(sample\) dimension, got a scalar"):
        TensorDataset(np.float32(3))
    with pytest.raises(TypeError, match=r"TensorDataset\(\): expected tensors or arrays of numbers"):
        TensorDataset([{"a": 1}, {"b": 2}])


def test_dataset_base_and_concat():
    with pytest.raises(NotImplementedError, match="must define __getitem__"):
        Dataset()[0]
    a, b = TensorDataset(np.arange(3)), TensorDataset(np.arange(10, 14))
    ds = a + b
    assert isinstance(ds, ConcatDataset) and len(ds) == 7
    assert [int(ds[i][0]) for i in range(7)] == [0, 1, 2, 10, 11, 12, 13]
    assert int(ds[-1][0]) == 13
    with pytest.raises(IndexError, match=r"index 7 is out of range for 7 samples"):
        ds[7]
    with pytest.raises(ValueError, match="expected at least one dataset"):
        ConcatDataset([])


def test_subset():
    base = TensorDataset(np.arange(10) * 10)
    sub = Subset(base, [3, -1, 0])
    assert len(sub) == 3
    assert [int(sub[i][0]) for i in range(3)] == [30, 90, 0]
    assert sub.indices.tolist() == [3, 9, 0]
    nested = Subset(sub, [2, 0])
    assert [int(nested[i][0]) for i in range(2)] == [0, 30]
    assert len(Subset(base, [])) == 0


def test_subset_bad_indices():
    base = TensorDataset(np.arange(10))
    with pytest.raises(IndexError, match=r"^Subset\(\): expected indices in \[0, 10\) for a dataset of 10 samples, "
                                         r"got values from 0 to 10\.$"):
        Subset(base, [0, 10])
    with pytest.raises(TypeError, match=r"expected a 1-D sequence of integer indices, got float64"):
        Subset(base, [0.5, 1.0])


@pytest.mark.parametrize("n, fractions", [(10, [0.33, 0.33, 0.34]), (7, [0.5, 0.5]), (101, [0.8, 0.1, 0.1]),
                                          (3, [0.1, 0.9]), (1000, [0.25, 0.25, 0.25, 0.25])])
def test_random_split_fraction_lengths_match_pytorch(n, fractions):
    ours = [len(s) for s in random_split(TensorDataset(np.arange(n)), fractions, generator=0)]
    theirs = [len(s) for s in torch.utils.data.random_split(range(n), fractions,
                                                            generator=torch.Generator().manual_seed(0))]
    assert ours == theirs


def test_random_split_partitions_and_is_reproducible():
    ds = TensorDataset(np.arange(50))
    parts = random_split(ds, [20, 25, 5], generator=lucidnet.Generator().manual_seed(3))
    assert [len(p) for p in parts] == [20, 25, 5]
    together = np.concatenate([p.indices for p in parts])
    assert sorted(together.tolist()) == list(range(50))       # disjoint and complete
    again = random_split(ds, [20, 25, 5], generator=lucidnet.Generator().manual_seed(3))
    assert all((a.indices == b.indices).all() for a, b in zip(parts, again))
    other = random_split(ds, [20, 25, 5], generator=np.random.default_rng(4))
    assert not (other[0].indices == parts[0].indices).all()
    lucidnet.manual_seed(5)
    first = random_split(ds, [25, 25])[0].indices
    lucidnet.manual_seed(5)
    assert (random_split(ds, [25, 25])[0].indices == first).all()    # default generator


def test_random_split_bad_lengths():
    ds = TensorDataset(np.arange(100))
    with pytest.raises(ValueError, match=r"^random_split\(\): expected lengths that sum to the dataset's 100 "
                                         r"samples, got \[50, 40\] \(sum 90\)\.$"):
        random_split(ds, [50, 40])
    with pytest.raises(ValueError, match=r"expected sample counts that sum to 100 or fractions that sum to 1, "
                                         r"got \[0.5, 0.4\] \(sum 0.9\)"):
        random_split(ds, [0.5, 0.4])
    with pytest.raises(ValueError, match=r"expected non-negative lengths or fractions, got \[-10, 110\]"):
        random_split(ds, [-10, 110])
    with pytest.raises(ValueError, match=r"expected at least one length"):
        random_split(ds, [])

"""State dicts: keys (and buffers) equal PyTorch's for an equivalent model; torch's state dict loads as NumPy
arrays and back; load_state_dict's errors for missing, unexpected and mis-shaped keys."""
import re

import numpy as np
import pytest
import torch

import lucidnet
from lucidnet import nn


def mlp(m):
    return m.Sequential(m.Flatten(), m.Linear(12, 16), m.ReLU(), m.Linear(16, 16), m.BatchNorm1d(16), m.GELU(),
                        m.Dropout(0.1), m.LayerNorm(16), m.Linear(16, 4))


def test_keys_equal_torchs():
    ours, theirs = mlp(nn), mlp(torch.nn)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    for (k, v), (_, t) in zip(ours.state_dict().items(), theirs.state_dict().items()):
        assert v.shape == tuple(t.shape), k
        assert str(v.dtype).removeprefix("lucidnet.") == str(t.dtype).removeprefix("torch."), k
    assert ours.num_parameters() == sum(p.numel() for p in theirs.parameters())


def test_nested_modules_and_embedding_keys_equal_torchs():
    def model(m):
        return m.ModuleDict({"embed": m.Embedding(10, 4, padding_idx=0),
                             "blocks": m.ModuleList([m.Sequential(m.LayerNorm(4), m.Linear(4, 4)) for _ in range(2)]),
                             "loss": m.CrossEntropyLoss(weight=torch.ones(3) if m is torch.nn else [1.0, 1.0, 1.0])})
    assert list(model(nn).state_dict()) == list(model(torch.nn).state_dict())


def test_load_torchs_state_dict_as_numpy_and_back():
    torch.manual_seed(0)
    theirs = mlp(torch.nn)
    theirs.train()
    theirs(torch.randn(8, 3, 4))                      # running statistics that are not the initial ones
    theirs.eval()
    ours = mlp(nn)
    result = ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert int(ours[4].num_batches_tracked.item()) == 1
    ours.eval()
    x = np.random.default_rng(0).standard_normal((5, 3, 4)).astype(np.float32)
    np.testing.assert_allclose(ours(lucidnet.tensor(x)).array, theirs(torch.tensor(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-5)
    back = mlp(torch.nn)
    back.load_state_dict({k: torch.from_numpy(np.array(v.array)) for k, v in ours.state_dict().items()})
    back.eval()
    np.testing.assert_array_equal(back(torch.tensor(x)).detach().numpy(), theirs(torch.tensor(x)).detach().numpy())


def test_loading_copies_in_place():
    ours = nn.Linear(3, 2)
    w = ours.weight.array
    ours.load_state_dict({"weight": np.ones((2, 3)), "bias": lucidnet.zeros(2)})
    assert ours.weight.array is w and (w == 1).all()


def test_a_state_dict_that_does_not_fit_changes_nothing():
    model = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2))
    before = {k: v.array.copy() for k, v in model.state_dict().items()}
    bad = {"0.weight": np.ones((4, 3)), "0.bias": np.ones(4), "1.weight": np.ones((2, 5)), "1.bias": np.ones(2)}
    with pytest.raises(ValueError, match=re.escape("1.weight: expected shape (2, 4), got (2, 5)")):
        model.load_state_dict(bad)
    for k, v in model.state_dict().items():          # the first layer fitted, but must not have been loaded
        np.testing.assert_array_equal(v.array, before[k], err_msg=k)


def test_state_dict_shares_memory_and_is_detached():
    layer = nn.Linear(2, 2)
    sd = layer.state_dict()
    assert not sd["weight"].requires_grad
    assert np.shares_memory(sd["weight"].array, layer.weight.array)


PREFIX = "Sequential.load_state_dict(): the state dict does not fit this model: "


def test_missing_keys():
    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    state = dict(model.state_dict())
    del state["0.bias"], state["1.running_var"]
    with pytest.raises(ValueError, match=re.escape(PREFIX + "missing keys: 0.bias, 1.running_var.")):
        model.load_state_dict(state)
    result = model.load_state_dict(state, strict=False)
    assert result.missing_keys == ["0.bias", "1.running_var"] and result.unexpected_keys == []


def test_unexpected_keys():
    model = nn.Sequential(nn.Linear(2, 3))
    state = dict(model.state_dict(), **{"1.weight": np.zeros(3), "extra": np.zeros(1)})
    with pytest.raises(ValueError, match=re.escape(PREFIX + "unexpected keys: 1.weight, extra.")):
        model.load_state_dict(state)
    assert model.load_state_dict(state, strict=False).unexpected_keys == ["1.weight", "extra"]


def test_mis_shaped_keys_are_errors_even_when_not_strict():
    model = nn.Sequential(nn.Linear(2, 3), nn.LayerNorm(3))
    state = dict(model.state_dict())
    state["0.weight"] = np.zeros((2, 3))              # transposed, as a Keras kernel would be
    state["1.bias"] = np.zeros(4)
    msg = PREFIX + "0.weight: expected shape (3, 2), got (2, 3); 1.bias: expected shape (3,), got (4,)."
    with pytest.raises(ValueError, match=re.escape(msg)):
        model.load_state_dict(state)
    with pytest.raises(ValueError, match=re.escape(msg)):
        model.load_state_dict(state, strict=False)


def test_all_problems_in_one_message():
    model = nn.Sequential(nn.Linear(2, 3))
    msg = PREFIX + "0.weight: expected shape (3, 2), got (1,); missing keys: 0.bias; unexpected keys: x."
    with pytest.raises(ValueError, match=re.escape(msg)):
        model.load_state_dict({"0.weight": np.zeros(1), "x": np.zeros(1)})


def test_not_a_mapping():
    with pytest.raises(TypeError, match=re.escape("Linear.load_state_dict(): expected a mapping of names to tensors "
                                                  "or arrays, got list.")):
        nn.Linear(2, 2).load_state_dict([1, 2])


def test_loss_weights_are_buffers_like_torchs():
    ours = nn.BCEWithLogitsLoss(pos_weight=[2.0, 1.0])
    theirs = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor([2.0, 1.0]))
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["pos_weight"]
    assert list(nn.MSELoss().state_dict()) == list(torch.nn.MSELoss().state_dict()) == []


def test_to_double_keeps_the_step_counter_an_integer():
    bn = nn.BatchNorm1d(3).double()
    assert bn.weight.dtype == np.float64 and bn.running_mean.dtype == np.float64
    assert bn.num_batches_tracked.dtype == np.int64

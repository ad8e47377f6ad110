"""Recurrent layers against PyTorch with copied weights (values and gradients, float64 to 1e-10, over the option
combinations), their state-dict keys, init, repr, errors, dropout between layers, and learning a small task."""
import itertools
import json
import re

import numpy as np
import pytest
import torch

import lucidnet
from lucidnet import nn

F64 = dict(rtol=1e-10, atol=1e-12)


def _pair(ours, theirs):
    """Both layers in float64, ours' weights copied into theirs by state dict (same keys, same order)."""
    ours.double(), theirs.double()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    theirs.load_state_dict({k: torch.from_numpy(v.array.copy()) for k, v in ours.state_dict().items()})
    return ours, theirs


def _tensors(shape, rng):
    a = rng.standard_normal(shape)
    return lucidnet.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


def _flat(out):
    """(output, h_n) or (output, (h_n, c_n)) or h or (h, c) as a flat list of tensors."""
    if not isinstance(out, tuple):
        return [out]
    return [t for o in out for t in _flat(o)]


def _check_same(ours, theirs, our_args, their_args, rng):
    """Forward both, compare every output, backward a random linear combination, compare every gradient."""
    outs, touts = _flat(ours(*our_args)), _flat(theirs(*their_args))
    assert len(outs) == len(touts)
    loss, tloss = 0, 0
    for o, t in zip(outs, touts):
        assert o.shape == tuple(t.shape)
        np.testing.assert_allclose(o.array, t.detach().numpy(), **F64)
        w = rng.standard_normal(o.shape)
        loss, tloss = loss + (o * lucidnet.tensor(w)).sum(), tloss + (t * torch.tensor(w)).sum()
    loss.backward(), tloss.backward()
    for (name, p), (_, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.grad.array, tp.grad.numpy(), err_msg=name, **F64)
    for a, t in zip(_flat(tuple(our_args)), _flat(tuple(their_args))):
        np.testing.assert_allclose(a.grad.array, t.grad.numpy(), **F64)


OPTIONS = list(itertools.product([1, 2], [False, True], [False, True], [True, False]))   # layers, bidi, bf, bias


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("num_layers, bidirectional, batch_first, bias", OPTIONS)
def test_matches_torch(kind, num_layers, bidirectional, batch_first, bias):
    kw = dict(num_layers=num_layers, bidirectional=bidirectional, batch_first=batch_first, bias=bias)
    rng = np.random.default_rng(num_layers * 8 + bidirectional * 4 + batch_first * 2 + bias)
    ours, theirs = _pair(getattr(nn, kind)(4, 5, **kw), getattr(torch.nn, kind)(4, 5, **kw))
    k = num_layers * (2 if bidirectional else 1)
    for batched, given_state in [(True, False), (False, True)]:          # zero states by default; hx; unbatched
        x, xt = _tensors(((3, 6, 4) if batch_first else (6, 3, 4)) if batched else (6, 4), rng)
        args, targs = [x], [xt]
        if given_state:
            h, ht = _tensors((k, 3, 5) if batched else (k, 5), rng)
            if kind == "LSTM":
                c, ct = _tensors((k, 3, 5) if batched else (k, 5), rng)
                h, ht = (h, c), (ht, ct)
            args.append(h), targs.append(ht)
        ours.zero_grad(), theirs.zero_grad()
        _check_same(ours, theirs, args, targs, rng)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_lstm_projection_matches_torch(bidirectional):
    rng = np.random.default_rng(7)
    kw = dict(num_layers=2, bidirectional=bidirectional, proj_size=3)
    ours, theirs = _pair(nn.LSTM(4, 5, **kw), torch.nn.LSTM(4, 5, **kw))
    assert [tuple(p.shape) for p in ours.parameters()] == [tuple(p.shape) for p in theirs.parameters()]
    x, xt = _tensors((6, 2, 4), rng)
    h, ht = _tensors((len(ours.all_weights), 2, 3), rng)
    c, ct = _tensors((len(ours.all_weights), 2, 5), rng)
    _check_same(ours, theirs, [x, (h, c)], [xt, (ht, ct)], rng)


def test_relu_rnn_matches_torch():
    rng = np.random.default_rng(3)
    kw = dict(nonlinearity="relu", num_layers=2, bidirectional=True)
    ours, theirs = _pair(nn.RNN(4, 5, **kw), torch.nn.RNN(4, 5, **kw))
    x, xt = _tensors((5, 3, 4), rng)
    _check_same(ours, theirs, [x], [xt], rng)


@pytest.mark.parametrize("kind, kw", [("RNNCell", {}), ("RNNCell", dict(nonlinearity="relu", bias=False)),
                                      ("LSTMCell", {}), ("GRUCell", {}), ("GRUCell", dict(bias=False))])
def test_cells_match_torch(kind, kw):
    rng = np.random.default_rng(5)
    ours, theirs = _pair(getattr(nn, kind)(4, 5, **kw), getattr(torch.nn, kind)(4, 5, **kw))
    for batch in [(3,), ()]:
        x, xt = _tensors((*batch, 4), rng)
        h, ht = _tensors((*batch, 5), rng)
        if kind == "LSTMCell":
            c, ct = _tensors((*batch, 5), rng)
            h, ht = (h, c), (ht, ct)
        ours.zero_grad(), theirs.zero_grad()
        _check_same(ours, theirs, [x, h], [xt, ht], rng)
        np.testing.assert_allclose(_flat(ours(x))[0].array, _flat(theirs(xt))[0].detach().numpy(), **F64)


def test_float32_matches_torch():
    rng = np.random.default_rng(1)
    ours = nn.LSTM(4, 8, num_layers=2, batch_first=True)
    theirs = torch.nn.LSTM(4, 8, num_layers=2, batch_first=True)
    theirs.load_state_dict({k: torch.from_numpy(v.array.copy()) for k, v in ours.state_dict().items()})
    x = rng.standard_normal((3, 20, 4)).astype(np.float32)
    out, (h, c) = ours(lucidnet.tensor(x))
    assert out.dtype == np.float32 and h.dtype == np.float32
    np.testing.assert_allclose(out.array, theirs(torch.tensor(x))[0].detach().numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_state_dict_keys_and_torch_init(kind):
    ours = getattr(nn, kind)(3, 16, num_layers=2, bidirectional=True)
    theirs = getattr(torch.nn, kind)(3, 16, num_layers=2, bidirectional=True)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert "weight_hh_l1_reverse" in ours.state_dict()
    for (name, p), (_, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert p.shape == tuple(tp.shape), name
        assert np.abs(p.array).max() <= 0.25, name                       # U(-1/sqrt(16), 1/sqrt(16))
    values = np.concatenate([p.array.ravel() for p in ours.parameters()])
    assert 0.13 < values.std() < 0.16                                     # U(-1/4, 1/4): std 0.144
    theirs.load_state_dict({k: torch.from_numpy(v.array.copy()) for k, v in ours.state_dict().items()})
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})


@pytest.mark.parametrize("make", [
    lambda m: m.LSTM(3, 4, num_layers=2, bias=False, batch_first=True, dropout=0.5, bidirectional=True, proj_size=2),
    lambda m: m.GRU(3, 4), lambda m: m.RNN(3, 4, nonlinearity="relu"), lambda m: m.RNNCell(3, 4, bias=False,
                                                                                             nonlinearity="relu"),
    lambda m: m.LSTMCell(3, 4), lambda m: m.GRUCell(3, 4)])
def test_repr_as_torch_prints_it(make):
    assert repr(make(nn)) == repr(make(torch.nn))


@pytest.mark.parametrize("layer", [nn.LSTM(3, 4, num_layers=2, proj_size=2, bidirectional=True),
                                   nn.RNN(3, 4, nonlinearity="relu", batch_first=True), nn.GRUCell(3, 4, bias=False),
                                   nn.LSTMCell(3, 4), nn.RNNCell(3, 4, nonlinearity="relu")])
def test_config_round_trip(layer):
    twin = nn.module_from_config(json.loads(json.dumps(layer.to_config())))
    assert repr(twin) == repr(layer)
    twin.load_state_dict(layer.state_dict())
    x = lucidnet.randn(5, 2, 3) if isinstance(layer, nn.RNNBase) else lucidnet.randn(2, 3)
    np.testing.assert_array_equal(_flat(twin(x))[0].array, _flat(layer(x))[0].array)


def _graph_nodes(tensor):
    """Every node of the graph that made ``tensor`` (next_functions as (node, index) pairs or as nodes)."""
    seen, todo = [], [tensor.grad_fn]
    while todo:
        node = todo.pop()
        if node is None or any(node is s for s in seen):
            continue
        seen.append(node)
        todo.extend(n[0] if isinstance(n, tuple) else n for n in node.next_functions)
    return seen


def test_one_graph_node_per_layer_and_direction():
    """The whole time loop is one primitive: backward runs BPTT, not T * gates small nodes."""
    lstm = nn.LSTM(3, 4, num_layers=2, bidirectional=True)
    short, long = (sorted(type(n).__name__ for n in _graph_nodes(lstm(lucidnet.randn(t, 2, 3))[0])) for t in (2, 50))
    assert sum(name.startswith("RnnSequenceBackward") for name in long) == 4
    assert long == short                       # the slices and concatenations around them, whatever T is


def test_dropout_between_layers_only_while_training():
    lucidnet.manual_seed(0)
    lstm = nn.LSTM(3, 4, num_layers=2, dropout=0.5)
    x = lucidnet.randn(5, 2, 3)
    a, b = lstm(x)[0], lstm(x)[0]
    assert not np.allclose(a.array, b.array)
    lstm.eval()
    np.testing.assert_array_equal(lstm(x)[0].array, lstm(x)[0].array)
    with pytest.warns(UserWarning, match="num_layers=1"):
        nn.GRU(3, 4, dropout=0.2)


def test_lstm_learns_to_sum_a_sequence():
    lucidnet.manual_seed(0)
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (64, 8, 1)).astype(np.float32)
    y = x.sum(axis=(1, 2))[:, None] / 4
    lstm, head = nn.LSTM(1, 16, batch_first=True), nn.Linear(16, 1)
    opt = lucidnet.optim.Adam(list(lstm.parameters()) + list(head.parameters()), lr=0.02)
    losses = []
    for _ in range(60):
        _, (h, _) = lstm(lucidnet.tensor(x))
        loss = nn.functional.mse_loss(head(h[-1]), lucidnet.tensor(y))
        opt.zero_grad(), loss.backward(), opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.1 * losses[0]


@pytest.mark.parametrize("call, error, message", [
    (lambda: nn.LSTM(3, 4)(lucidnet.randn(5, 2, 6)), ValueError,
     "LSTM(3, 4): expected input of shape (L, N, 3) or (L, 3) with L >= 1, got (5, 2, 6)."),
    (lambda: nn.GRU(3, 4, batch_first=True)(lucidnet.randn(2, 5, 3, 1)), ValueError,
     "GRU(3, 4, batch_first=True): expected input of shape (N, L, 3) or (L, 3) with L >= 1, got (2, 5, 3, 1)."),
    (lambda: nn.RNN(3, 4)(lucidnet.randn(0, 2, 3)), ValueError,
     "RNN(3, 4): expected input of shape (L, N, 3) or (L, 3) with L >= 1, got (0, 2, 3)."),
    (lambda: nn.RNN(3, 4, num_layers=2)(lucidnet.randn(5, 2, 3), lucidnet.zeros(1, 2, 4)), ValueError,
     "RNN(3, 4, num_layers=2): expected h_0 of shape (2, 2, 4), got (1, 2, 4)."),
    (lambda: nn.LSTM(3, 4)(lucidnet.randn(5, 2, 3), lucidnet.zeros(1, 2, 4)), TypeError,
     "LSTM(3, 4): expected hx to be a tuple (h_0, c_0), got Tensor."),
    (lambda: nn.LSTM(3, 4, proj_size=2)(lucidnet.randn(5, 2, 3), (lucidnet.zeros(1, 2, 4), lucidnet.zeros(1, 2, 4))),
     ValueError, "LSTM(3, 4, proj_size=2): expected h_0 of shape (1, 2, 2), got (1, 2, 4)."),
    (lambda: nn.LSTM(3, 4)(lucidnet.randn(5, 2, 3, dtype=lucidnet.float64)), TypeError,
     "LSTM(3, 4): expected input of dtype float32 (the weights' dtype), got float64. Convert the input "
     "(x.to(float32)) or the layer (.to(dtype))."),
    (lambda: nn.GRUCell(3, 4)(lucidnet.randn(2, 5)), ValueError,
     "GRUCell(3, 4): expected input of shape (N, 3) or (3,), got (2, 5)."),
    (lambda: nn.LSTMCell(3, 4)(lucidnet.randn(2, 3), (lucidnet.zeros(2, 4), lucidnet.zeros(3, 4))), ValueError,
     "LSTMCell(3, 4): expected c_0 of shape (2, 4), got (3, 4)."),
    (lambda: nn.RNN(3, 4)(np.zeros((5, 2, 3))), TypeError, "RNN(3, 4): expected a lucidnet Tensor as input, got "
                                                          "ndarray."),
    (lambda: nn.RNNBase("GRU", 3, 4, proj_size=2), ValueError, "RNNBase: proj_size is only for LSTM, got proj_size=2."),
    (lambda: nn.LSTM(3, 4, proj_size=4), ValueError,
     "LSTM: expected proj_size smaller than hidden_size (4), got 4."),
    (lambda: nn.RNN(3, 4, nonlinearity="sigmoid"), ValueError,
     "RNN: expected nonlinearity 'tanh' or 'relu', got 'sigmoid'."),
    (lambda: nn.LSTM(3, 0), ValueError, "LSTM: expected hidden_size to be a positive integer, got 0."),
    (lambda: nn.GRU(3, 4, num_layers=2, dropout=1.5), ValueError,
     "GRU: expected dropout, the probability of zeroing an element, in [0, 1], got 1.5."),
])
def test_bad_input_names_the_layer_and_shapes(call, error, message):
    with pytest.raises(error, match="^" + re.escape(message) + "$"):
        call()

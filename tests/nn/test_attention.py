"""Attention and the Transformer's layers against PyTorch 2.13.0 with copied weights (values and gradients,
float64 to 1e-10), the causal mask, positional encodings, and the errors for bad masks and shapes."""
import re

import numpy as np
import pytest
import torch

import lucidnet
from lucidnet import nn
import lucidnet.nn.functional as F

from layer_testing import assert_close, run_layer_test, torch_pair

rng = np.random.default_rng(11)


def randomize(module, scale=0.5):
    with lucidnet.no_grad():
        for p in module.parameters():
            p.array[...] = rng.standard_normal(p.shape) * scale
    return module


def run_pair(ours, theirs, inputs, dtype, call=lambda m, *a: m(*a), pick=lambda out: out):
    """Call both modules on the same float inputs, backward the same vector; compare the outputs and the
    gradients of the inputs and of every parameter (by name)."""
    xs_l = [lucidnet.tensor(x.astype(dtype), requires_grad=True) for x in inputs]
    xs_t = [torch.tensor(x.astype(dtype), requires_grad=True) for x in inputs]
    yl, yt = pick(call(ours, *xs_l)), pick(call(theirs, *xs_t))
    assert_close(yl, yt, dtype, "output")
    v = np.random.default_rng(7).standard_normal(tuple(yt.shape)).astype(dtype)
    yl.backward(lucidnet.tensor(v))
    yt.backward(torch.tensor(v))
    for i, (a, b) in enumerate(zip(xs_l, xs_t)):
        if b.grad is not None:
            assert_close(a.grad, b.grad, dtype, f"gradient of input {i}")
    named_t = dict(theirs.named_parameters())
    assert list(dict(ours.named_parameters())) == list(named_t)
    for name, p in ours.named_parameters():
        assert_close(p.grad, named_t[name].grad, dtype, f"gradient of {name}")
    return yl, yt


DTYPES = [np.float64, np.float32]
ids = {"ids": lambda d: np.dtype(d).name}


# ------------------------------------------------------------------------------------------ MultiheadAttention

def _masks(n, L, S, heads, kind):
    """(key_padding_mask, attn_mask) as NumPy arrays for a mask case."""
    pad = rng.random((n, S)) < 0.3
    pad[:, 0] = False                                        # every query keeps at least one key
    if kind == "none":
        return None, None
    if kind == "bool":
        return pad, np.triu(np.ones((L, S), bool), 1)
    if kind == "float":
        return np.where(pad, -np.inf, 0.0), rng.standard_normal((L, S))
    if kind == "per-head":
        return None, rng.standard_normal((n * heads, L, S))
    raise ValueError(kind)


MHA_CASES = [                                                # (name, kwargs, batch_first, masks, need_weights, avg)
    ("self-batch-first", {}, True, "none", True, True),
    ("self-seq-first-bool-masks", {}, False, "bool", True, True),
    ("float-masks-per-head-weights", {}, True, "float", True, False),
    ("per-head-mask-fused", {}, True, "per-head", False, True),
    ("bool-masks-fused", {}, False, "bool", False, True),
    ("no-bias", {"bias": False}, True, "bool", True, True),
    ("kdim-vdim", {"kdim": 3, "vdim": 5}, True, "float", True, True),
    ("bias-kv-zero-attn", {"add_bias_kv": True, "add_zero_attn": True}, True, "bool", True, True),
]


@pytest.mark.parametrize("dtype", DTYPES, **ids)
@pytest.mark.parametrize("name, kwargs, batch_first, kind, need_weights, average", MHA_CASES,
                         ids=[c[0] for c in MHA_CASES])
def test_multihead_attention_matches_torch(name, kwargs, batch_first, kind, need_weights, average, dtype):
    E, H, n, L, S = 8, 2, 3, 4, 6
    ours = randomize(nn.MultiheadAttention(E, H, batch_first=batch_first, **kwargs))
    theirs = torch.nn.MultiheadAttention(E, H, batch_first=batch_first, **kwargs)
    ours, theirs = torch_pair(ours, theirs, dtype)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    kdim, vdim = kwargs.get("kdim", E), kwargs.get("vdim", E)
    self_attn = "kdim" not in kwargs and "bias_kv" not in name
    if self_attn:
        L = S
    shape = (lambda t, d: (n, t, d)) if batch_first else (lambda t, d: (t, n, d))
    kpm, am = _masks(n, L, S, H, kind)
    conv = {"lucidnet": lambda m: None if m is None else lucidnet.tensor(m if m.dtype == bool else m.astype(dtype)),
            "torch": lambda m: None if m is None else torch.tensor(m if m.dtype == bool else m.astype(dtype))}

    def call(module, *xs):
        lib = "torch" if isinstance(module, torch.nn.Module) else "lucidnet"
        q, k, v = (xs[0], xs[0], xs[0]) if self_attn else xs
        return module(q, k, v, key_padding_mask=conv[lib](kpm), attn_mask=conv[lib](am), need_weights=need_weights,
                      average_attn_weights=average)

    inputs = [rng.standard_normal(shape(L, E))] if self_attn else \
        [rng.standard_normal(shape(L, E)), rng.standard_normal(shape(S, kdim)), rng.standard_normal(shape(S, vdim))]
    run_pair(ours, theirs, inputs, dtype, call, pick=lambda out: out[0])
    if need_weights:
        with torch.no_grad(), lucidnet.no_grad():
            xs = [x.astype(dtype) for x in inputs]
            wl = call(ours, *[lucidnet.tensor(x) for x in xs])[1]
            wt = call(theirs, *[torch.tensor(x) for x in xs])[1]
        assert_close(wl, wt, dtype, "attention weights")
    else:
        assert call(ours, *[lucidnet.tensor(x.astype(dtype)) for x in inputs])[1] is None


def test_multihead_attention_unbatched_and_cross_attention_match_torch():
    ours, theirs = torch_pair(randomize(nn.MultiheadAttention(6, 3)), torch.nn.MultiheadAttention(6, 3), np.float64)
    q, kv = rng.standard_normal((4, 6)), rng.standard_normal((5, 6))
    pad = np.array([False, True, False, False, True])
    run_pair(ours, theirs, [q, kv], np.float64,
             lambda m, a, b: m(a, b, b, key_padding_mask=(torch.tensor(pad) if isinstance(m, torch.nn.Module)
                                                            else lucidnet.tensor(pad))),
             pick=lambda out: out[0])


def test_multihead_attention_fully_masked_query_as_torch():
    """A query that may attend to nothing: nan with need_weights=True, zeros with the fused path (PyTorch's)."""
    ours, theirs = torch_pair(randomize(nn.MultiheadAttention(4, 2, batch_first=True)),
                              torch.nn.MultiheadAttention(4, 2, batch_first=True), np.float64)
    x = rng.standard_normal((2, 3, 4))
    pad = np.array([[False, False, False], [True, True, True]])
    for need in (True, False):
        yl = ours(*[lucidnet.tensor(x)] * 3, key_padding_mask=lucidnet.tensor(pad), need_weights=need)[0]
        yt = theirs(*[torch.tensor(x)] * 3, key_padding_mask=torch.tensor(pad), need_weights=need)[0]
        np.testing.assert_allclose(yl.array, yt.detach().numpy(), rtol=1e-10, atol=1e-12)
        assert np.isnan(yl.array[1]).all() == need


def test_multihead_attention_dropout_only_while_training():
    mha = nn.MultiheadAttention(8, 2, dropout=0.5, batch_first=True)
    x = lucidnet.randn(2, 5, 8)
    lucidnet.manual_seed(0)
    a = mha(x, x, x)[0]
    assert not np.allclose(a.array, mha(x, x, x)[0].array)            # a new mask each call
    mha.eval()
    np.testing.assert_array_equal(mha(x, x, x)[0].array, mha(x, x, x)[0].array)


def test_multihead_attention_layer_contract():
    mha = nn.MultiheadAttention(8, 2, batch_first=True)
    assert mha.num_parameters() == 4 * 8 * 8 + 4 * 8
    assert repr(mha) == ("MultiheadAttention(embed_dim=8, num_heads=2, batch_first=True  # 288 parameters\n"
                         "  (out_proj): Linear(in_features=8, out_features=8, bias=True)  # 72\n)")
    twin = nn.module_from_config(mha.to_config())
    twin.load_state_dict(mha.state_dict())
    x = lucidnet.randn(2, 3, 8)
    np.testing.assert_array_equal(twin(x, x, x)[0].array, mha(x, x, x)[0].array)
    separate = nn.MultiheadAttention(8, 2, kdim=3, vdim=5)
    assert [k for k in separate.state_dict()] == ["q_proj_weight", "k_proj_weight", "v_proj_weight", "in_proj_bias",
                                                   "out_proj.weight", "out_proj.bias"]
    with raises(ValueError, "MultiheadAttention(embed_dim=8, num_heads=2, batch_first=True): expected query of shape "
                            "(N, L, E) or (L, E) with E = 8, got (3, 5, 6)."):
        mha(*[lucidnet.randn(3, 5, 6)] * 3)


# ------------------------------------------------------------------------------------------ bad input

def raises(kind, text):
    return pytest.raises(kind, match="^" + re.escape(text))


def test_multihead_attention_bad_input():
    with raises(ValueError, "MultiheadAttention: expected embed_dim divisible by num_heads, got embed_dim=10 "
                            "and num_heads=3."):
        nn.MultiheadAttention(10, 3)
    mha = nn.MultiheadAttention(8, 2, batch_first=True)
    x = lucidnet.randn(2, 5, 8)
    head = "MultiheadAttention(embed_dim=8, num_heads=2, batch_first=True): "
    with raises(ValueError, head + "expected attn_mask of shape (5, 5) or (4, 5, 5), got (5, 4)."):
        mha(x, x, x, attn_mask=lucidnet.ones(5, 4, dtype=lucidnet.bool))
    with raises(TypeError, head + "expected attn_mask to be bool (True: not allowed to attend) or float (added to "
                                  "the scores), got dtype int64."):
        mha(x, x, x, attn_mask=lucidnet.ones(5, 5, dtype=lucidnet.int64))
    with raises(ValueError, head + "expected key_padding_mask of shape (2, 5), got (5,)."):
        mha(x, x, x, key_padding_mask=lucidnet.zeros(5, dtype=lucidnet.bool))
    with raises(ValueError, head + "expected key and value of the same length"):
        mha(x, x, lucidnet.randn(2, 4, 8))
    with raises(ValueError, head + "is_causal=True is a hint that attn_mask is the causal mask"):
        mha(x, x, x, is_causal=True)
    with raises(TypeError, head + "expected key to be a Tensor, got ndarray."):
        mha(x, np.zeros((2, 5, 8)), x)


def test_scaled_dot_product_attention_bad_input():
    q = lucidnet.randn(2, 3, 4)
    with raises(ValueError, "scaled_dot_product_attention: expected an attn_mask broadcastable to the scores' shape "
                            "(2, 3, 3) (..., L, S), got (3, 4)."):
        F.scaled_dot_product_attention(q, q, q, attn_mask=lucidnet.ones(3, 4, dtype=lucidnet.bool))
    with raises(TypeError, "scaled_dot_product_attention: expected a bool or float attn_mask, got dtype int64."):
        F.scaled_dot_product_attention(q, q, q, attn_mask=lucidnet.ones(3, 3, dtype=lucidnet.int64))
    with raises(ValueError, "scaled_dot_product_attention: expected query (..., L, E), key (..., S, E) and value "
                            "(..., S, Ev), got (2, 3, 4), (2, 3, 5) and (2, 3, 4)."):
        F.scaled_dot_product_attention(q, lucidnet.randn(2, 3, 5), q)
    with raises(ValueError, "scaled_dot_product_attention: expected attn_mask=None with is_causal=True"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=lucidnet.ones(3, 3, dtype=lucidnet.bool), is_causal=True)
    with raises(ValueError, "scaled_dot_product_attention: expected dropout_p in [0, 1), got 1.0."):
        F.scaled_dot_product_attention(q, q, q, dropout_p=1.0)
    with raises(ValueError, "scaled_dot_product_attention: expected the query's 3 heads to be a multiple"):
        F.scaled_dot_product_attention(lucidnet.randn(1, 3, 2, 4), lucidnet.randn(1, 2, 2, 4),
                                       lucidnet.randn(1, 2, 2, 4), enable_gqa=True)


def test_masked_fill_and_triangles_bad_input():
    x = lucidnet.zeros(2, 3)
    with raises(TypeError, "masked_fill: expected a bool mask, got dtype float32."):
        x.masked_fill(lucidnet.ones(2, 3), 1.0)
    with raises(ValueError, "masked_fill: expected a mask broadcastable to (2, 3), got shape (2,)."):
        x.masked_fill(lucidnet.ones(2, dtype=lucidnet.bool), 1.0)
    with raises(ValueError, "masked_fill_: the result has shape (4, 2, 3), which does not fit in place into a tensor of shape (2, 3)."):
        x.masked_fill_(lucidnet.ones(4, 2, 3, dtype=lucidnet.bool), 1.0)
    with raises(ValueError, "tril: expected a tensor of at least 2 dimensions, got shape (3,)."):
        lucidnet.ones(3).tril()
    with raises(RuntimeError, "masked_fill_: cannot modify a leaf tensor that requires grad in place"):
        lucidnet.zeros(2, requires_grad=True).masked_fill_(lucidnet.tensor([True, False]), 1.0)


def test_in_place_mask_and_triangles_match_torch():
    a = rng.standard_normal((2, 3, 4))
    m = rng.random((3, 4)) < 0.5
    ours, theirs = lucidnet.tensor(a.copy()), torch.tensor(a.copy())
    ours.masked_fill_(lucidnet.tensor(m), -2.0).tril_(1).triu_(-1)
    theirs.masked_fill_(torch.tensor(m), -2.0).tril_(1).triu_(-1)
    np.testing.assert_array_equal(ours.array, theirs.numpy())
    assert ours._version_now == 3


# ------------------------------------------------------------------------------------------ the causal mask

def test_the_causal_mask_hides_the_future():
    """d out[t] / d x[s] is exactly zero for every s > t, through F.scaled_dot_product_attention(is_causal=True)."""
    T = 6
    x = lucidnet.tensor(rng.standard_normal((1, 2, T, 4)), requires_grad=True)
    out = F.scaled_dot_product_attention(x, x * 2, x * 3, is_causal=True)
    for t in range(T):
        x.grad = None
        out[:, :, t].sum().backward(retain_graph=True)
        assert np.all(x.grad.array[:, :, t + 1:] == 0), f"output {t} depends on a later input"
        assert np.all(np.abs(x.grad.array[:, :, :t + 1]).sum(axis=-1) > 0)


# ------------------------------------------------------------------------------------------ Transformer layers

LAYER_CASES = [
    ("post-norm-relu", dict(norm_first=False, activation="relu")),
    ("pre-norm-gelu", dict(norm_first=True, activation="gelu")),
    ("no-bias-callable", dict(bias=False, activation=lambda m: m.GELU(approximate="tanh"))),
]


def _layer_kwargs(kwargs, m):
    kw = dict(kwargs)
    if callable(kw.get("activation")):
        kw["activation"] = kw["activation"](m)
    return kw


@pytest.mark.parametrize("dtype", DTYPES, **ids)
@pytest.mark.parametrize("name, kwargs", LAYER_CASES, ids=[c[0] for c in LAYER_CASES])
def test_encoder_layer_matches_torch(name, kwargs, dtype):
    make = lambda m: m.TransformerEncoderLayer(8, 2, dim_feedforward=12, dropout=0.0, batch_first=True,  # noqa: E731
                                               **_layer_kwargs(kwargs, m))
    ours, theirs = torch_pair(randomize(make(nn)), make(torch.nn), dtype)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    pad = np.array([[False] * 5, [False, False, False, True, True]])
    causal = np.triu(np.ones((5, 5), bool), 1)

    def call(m, x):
        lib = torch if isinstance(m, torch.nn.Module) else lucidnet
        return m(x, src_mask=lib.tensor(causal), src_key_padding_mask=lib.tensor(pad))
    run_pair(ours, theirs, [rng.standard_normal((2, 5, 8))], dtype, call)


@pytest.mark.parametrize("dtype", DTYPES, **ids)
@pytest.mark.parametrize("name, kwargs", LAYER_CASES, ids=[c[0] for c in LAYER_CASES])
def test_decoder_layer_matches_torch(name, kwargs, dtype):
    make = lambda m: m.TransformerDecoderLayer(8, 4, dim_feedforward=16, dropout=0.0,  # noqa: E731
                                               **_layer_kwargs(kwargs, m))
    ours, theirs = torch_pair(randomize(make(nn)), make(torch.nn), dtype)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    T, S, n = 4, 6, 2
    mem_pad = np.zeros((n, S), bool)
    mem_pad[0, 4:] = True

    def call(m, tgt, memory):
        lib = torch if isinstance(m, torch.nn.Module) else lucidnet
        tgt_mask = lib.nn.Transformer.generate_square_subsequent_mask(T, dtype=tgt.dtype)
        return m(tgt, memory, tgt_mask=tgt_mask, memory_key_padding_mask=lib.tensor(mem_pad), tgt_is_causal=True)
    run_pair(ours, theirs, [rng.standard_normal((T, n, 8)), rng.standard_normal((S, n, 8))], dtype, call)


@pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")
def test_encoder_and_decoder_stacks_and_transformer_match_torch():
    def make(m):
        return m.Transformer(d_model=8, nhead=2, num_encoder_layers=2, num_decoder_layers=2, dim_feedforward=16,
                             dropout=0.0, batch_first=True, norm_first=True)
    ours, theirs = torch_pair(randomize(make(nn), 0.3), make(torch.nn), np.float64)
    assert list(ours.state_dict()) == list(theirs.state_dict())

    def call(m, src, tgt):
        lib = torch if isinstance(m, torch.nn.Module) else lucidnet
        return m(src, tgt, tgt_mask=lib.nn.Transformer.generate_square_subsequent_mask(3, dtype=lib.float64))
    run_pair(ours, theirs, [rng.standard_normal((2, 5, 8)), rng.standard_normal((2, 3, 8))], np.float64, call)


def test_transformer_layers_save_and_rebuild_from_config():
    layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, activation=nn.GELU(approximate="tanh"),
                                       batch_first=True, norm_first=True)
    encoder = nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(8))
    twin = nn.module_from_config(encoder.to_config())
    twin.load_state_dict(encoder.state_dict())
    encoder.eval(), twin.eval()
    x = lucidnet.randn(2, 3, 8)
    np.testing.assert_array_equal(encoder(x).array, twin(x).array)
    assert repr(twin) == repr(encoder)
    model = nn.Transformer(16, 4, 1, 1, 32, batch_first=True)
    assert repr(nn.module_from_config(model.to_config())) == repr(model)
    with raises(NotImplementedError, "TransformerEncoderLayer: cannot save a plain-function activation"):
        nn.TransformerEncoderLayer(8, 2, activation=lambda x: x.tanh()).to_config()


def test_encoder_copies_do_not_share_weights():
    encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16), 3)
    ids_ = {id(p) for p in encoder.parameters()}
    assert len(ids_) == 3 * len(list(encoder.layers[0].parameters()))


def test_transformer_layer_bad_input():
    with raises(ValueError, "TransformerEncoderLayer: expected activation 'relu', 'gelu' or a callable, got 'tanh'."):
        nn.TransformerEncoderLayer(8, 2, activation="tanh")
    with raises(ValueError, "MultiheadAttention: expected embed_dim divisible by num_heads, got embed_dim=8 and "
                            "num_heads=3."):
        nn.TransformerDecoderLayer(8, 3)
    with raises(ValueError, "Transformer: expected src and tgt with the same batch size, got (2, 5, 8) and (3, 4, 8)."):
        nn.Transformer(8, 2, 1, 1, 16, batch_first=True)(lucidnet.randn(2, 5, 8), lucidnet.randn(3, 4, 8))


# ------------------------------------------------------------------------------------------ positional encodings

def test_sinusoidal_table_is_the_papers_formula():
    table = nn.sinusoidal_table(50, 6, dtype=lucidnet.float64).array
    pos, i = np.arange(50)[:, None], np.arange(3)[None, :]
    angle = pos / 10000 ** (2 * i / 6)
    np.testing.assert_allclose(table[:, 0::2], np.sin(angle), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(table[:, 1::2], np.cos(angle), rtol=1e-12, atol=1e-12)
    assert nn.sinusoidal_table(4, 5).shape == (4, 5)                # an odd width keeps its last sine


def test_positional_encodings():
    x = lucidnet.randn(2, 5, 8)
    sin = nn.SinusoidalPositionalEncoding(8, max_len=16)
    np.testing.assert_allclose(sin(x).array - x.array, np.broadcast_to(sin.pe.array[:5], (2, 5, 8)), atol=1e-6)
    assert list(sin.state_dict()) == []                              # rebuilt, not saved
    seq_first = nn.SinusoidalPositionalEncoding(8, max_len=16, batch_first=False)
    np.testing.assert_allclose(seq_first(x.transpose(0, 1)).transpose(0, 1).array, sin(x).array, atol=1e-6)
    run_layer_test(nn.LearnedPositionalEncoding(16, 8), (2, 5, 8), (2, 5, 8), 128,
                   "LearnedPositionalEncoding(max_len=16, d_model=8, dropout=0.0, batch_first=True)",
                   bad_shape=(2, 17, 8), error="LearnedPositionalEncoding(max_len=16, d_model=8, dropout=0.0, "
                   "batch_first=True): expected at most max_len=16 positions, got 17 (input of shape (2, 17, 8)). "
                   "Build it with a larger max_len, or crop the sequence.")
    learned = nn.LearnedPositionalEncoding(16, 8)
    y = learned(lucidnet.zeros(3, 4, 8))
    y.sum().backward()
    np.testing.assert_array_equal(learned.weight.grad.array[:4], np.full((4, 8), 3.0))   # summed over the batch
    np.testing.assert_array_equal(learned.weight.grad.array[4:], 0)
    with raises(ValueError, "SinusoidalPositionalEncoding(d_model=8, max_len=16, dropout=0.0, batch_first=True): "
                            "expected input of shape (N, T, 8) or (T, 8), got (2, 5, 7)."):
        sin(lucidnet.randn(2, 5, 7))

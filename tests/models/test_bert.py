"""BertModel on tiny random configs against transformers' BertModel (the oracle, same weights): parameter names
and shapes, outputs and every layer's hidden states on padded batches, gradients of every parameter; config
validation, input errors, dropout, save/load."""
import os

import numpy as np
import pytest
import torch
import transformers

import lucidnet
from lucidnet.models import BertConfig, BertModel

TINY = dict(vocab_size=40, hidden_size=16, num_hidden_layers=2, num_attention_heads=4, intermediate_size=24,
            max_position_embeddings=12, type_vocab_size=2)


def twins(seed=0, **overrides):
    """Our BertModel and transformers' with the same (random) weights, both in eval mode."""
    lucidnet.manual_seed(seed)
    ours = BertModel(BertConfig(**{**TINY, **overrides})).eval()
    theirs = transformers.BertModel(transformers.BertConfig(**{**TINY, **overrides}), add_pooling_layer=True)
    theirs.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in ours.state_dict().items()},
                           strict=False)
    return ours, theirs.eval()


def batch(seed=0, n=3, length=9, vocab=40):
    """Token ids (n, length) padded with 0 after varying lengths, mask, and token types."""
    rng = np.random.default_rng(seed)
    lengths = [length] + list(rng.integers(2, length, n - 1))
    ids = np.zeros((n, length), dtype=np.int64)
    mask = np.zeros_like(ids)
    for i, n_tok in enumerate(lengths):
        ids[i, :n_tok] = rng.integers(1, vocab, n_tok)
        mask[i, :n_tok] = 1
    types = (np.arange(length) >= length // 2).astype(np.int64) * mask
    return ids, mask, types


def test_state_dict_keys_and_shapes_are_transformers():
    ours, theirs = twins()
    expected = {k: tuple(v.shape) for k, v in theirs.state_dict().items() if not k.endswith("position_ids")
                and not k.endswith("token_type_ids")}
    assert {k: tuple(v.shape) for k, v in ours.state_dict().items()} == expected
    assert ours.num_parameters() == sum(p.numel() for p in theirs.parameters())


@pytest.mark.parametrize("act", ["gelu", "gelu_new", "relu"])
def test_outputs_and_hidden_states_match_transformers_on_a_padded_batch(act):
    ours, theirs = twins(hidden_act=act)
    ids, mask, types = batch()
    out = ours(lucidnet.tensor(ids), attention_mask=lucidnet.tensor(mask), token_type_ids=lucidnet.tensor(types),
               output_hidden_states=True)
    with torch.no_grad():
        ref = theirs(torch.from_numpy(ids), attention_mask=torch.from_numpy(mask),
                     token_type_ids=torch.from_numpy(types), output_hidden_states=True)
    assert len(out.hidden_states) == len(ref.hidden_states) == 3
    for i, (a, b) in enumerate(zip(out.hidden_states, ref.hidden_states)):
        np.testing.assert_allclose(a.array, b.numpy(), rtol=1e-5, atol=1e-5, err_msg=f"hidden state {i}")
    np.testing.assert_allclose(out.last_hidden_state.array, ref.last_hidden_state.numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(out.pooler_output.array, ref.pooler_output.numpy(), rtol=1e-5, atol=1e-5)
    a, b = out                                                       # unpacks as a tuple, as transformers'
    assert a is out.last_hidden_state and b is out.pooler_output


def test_padding_does_not_change_a_sentence():
    ours, _ = twins()
    ids, mask, _ = batch()
    short = ids[1:2, :mask[1].sum()]
    alone = ours(short).last_hidden_state.array[0]
    padded = ours(ids, attention_mask=mask).last_hidden_state.array[1, :short.shape[1]]
    np.testing.assert_allclose(padded, alone, rtol=1e-5, atol=1e-6)


def test_gradients_of_every_parameter_match_transformers():
    ours, theirs = twins()
    ids, mask, types = batch(1)
    rng = np.random.default_rng(2)
    r_hidden = rng.standard_normal((*ids.shape, TINY["hidden_size"])).astype(np.float32)
    r_pooled = rng.standard_normal((ids.shape[0], TINY["hidden_size"])).astype(np.float32)
    out = ours(ids, attention_mask=mask, token_type_ids=types)
    ((out.last_hidden_state * r_hidden).sum() + (out.pooler_output * r_pooled).sum()).backward()
    ref = theirs(torch.from_numpy(ids), attention_mask=torch.from_numpy(mask), token_type_ids=torch.from_numpy(types))
    ((ref.last_hidden_state * torch.from_numpy(r_hidden)).sum() + (ref.pooler_output * torch.from_numpy(r_pooled))
     .sum()).backward()
    grads = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        assert p.grad is not None, name
        np.testing.assert_allclose(p.grad.array, grads[name].grad.numpy(), rtol=1e-4, atol=1e-5, err_msg=name)
    assert not ours.embeddings.word_embeddings.weight.grad.array[0].any()        # padding row: no gradient


def test_dropout_in_training_only():
    ours, _ = twins()
    ids, mask, _ = batch()
    ours.train()
    a, b = ours(ids, attention_mask=mask)[0].array, ours(ids, attention_mask=mask)[0].array
    assert not np.allclose(a, b)
    ours.eval()
    np.testing.assert_array_equal(ours(ids, attention_mask=mask)[0].array, ours(ids, attention_mask=mask)[0].array)


def test_fresh_weights_follow_initializer_range():
    lucidnet.manual_seed(0)
    model = BertModel(BertConfig(**TINY, initializer_range=0.05))
    w = model.encoder.layer[0].intermediate.dense.weight.array
    assert abs(w.std() - 0.05) < 0.01
    assert not model.encoder.layer[0].intermediate.dense.bias.array.any()
    assert not model.embeddings.word_embeddings.weight.array[0].any()              # pad_token_id 0
    np.testing.assert_array_equal(model.embeddings.LayerNorm.weight.array, 1)


def test_without_pooler():
    model = BertModel(BertConfig(**TINY), add_pooling_layer=False)
    assert model(np.array([[1, 2]])).pooler_output is None
    assert not any(k.startswith("pooler") for k in model.state_dict())


def test_save_and_load_by_architecture(tmp_path):
    ours, _ = twins()
    path = os.path.join(tmp_path, "bert.safetensors")
    lucidnet.save(ours, path)
    back = lucidnet.load(path).eval()
    ids, mask, _ = batch()
    np.testing.assert_array_equal(back(ids, attention_mask=mask)[0].array, ours(ids, attention_mask=mask)[0].array)
    assert back.config.to_dict() == ours.config.to_dict()


def test_repr_names_the_parts():
    text = repr(BertModel(BertConfig(**TINY)))
    assert text.startswith("BertModel(hidden_size=16, num_hidden_layers=2, num_attention_heads=4")
    assert "(query): Linear(in_features=16, out_features=16, bias=True)" in text
    assert "BertIntermediate(hidden_act='gelu'" in text


@pytest.mark.parametrize("change, message", [
    (dict(hidden_size=30), r"expected hidden_size to be a multiple of num_attention_heads, got hidden_size=30 and "
                           r"num_attention_heads=4\."),
    (dict(num_hidden_layers=0), r"expected num_hidden_layers to be a positive integer, got 0\."),
    (dict(vocab_size="40"), r"expected vocab_size to be a positive integer, got '40'\."),
    (dict(hidden_dropout_prob=1.5), r"expected hidden_dropout_prob in \[0, 1\], got 1\.5\."),
    (dict(layer_norm_eps=0), r"expected layer_norm_eps > 0, got 0\."),
    (dict(hidden_act="swiglu"), r"expected hidden_act to be one of .*gelu.*, got 'swiglu'\."),
    (dict(position_embedding_type="relative_key"), r"expected position_embedding_type 'absolute'"),
    (dict(pad_token_id=40), r"expected pad_token_id in \[0, 40\) or null, got 40\."),
])
def test_bad_config_is_one_clear_error(change, message):
    with pytest.raises(ValueError, match="^BertConfig: " + message):
        BertConfig(**{**TINY, **change})


def test_config_json_round_trip_keeps_unknown_keys(tmp_path):
    path = os.path.join(tmp_path, "config.json")
    BertConfig(**TINY, architectures=["BertModel"], transformers_version="4.8.2").to_json_file(path)
    back = BertConfig.from_json_file(path)
    assert back.hidden_size == 16 and back.extra["architectures"] == ["BertModel"]
    with open(path, "w") as f:
        f.write("{not json")
    with pytest.raises(ValueError, match=r"^BertConfig.from_json_file\('.*config.json'\): expected a JSON file, got "
                                         r"invalid JSON"):
        BertConfig.from_json_file(path)


@pytest.mark.parametrize("call, error, message", [
    (lambda m: m(np.array([[1.0, 2.0]])), TypeError, r"^BertModel: expected integer input_ids, got dtype float64\.$"),
    (lambda m: m(np.array([[1, 40]])), ValueError, r"^BertModel: expected input_ids in \[0, 40\), got a value of 40\.$"),
    (lambda m: m(np.array([1, 2])), ValueError, r"^BertModel: expected input_ids of shape \(batch, length\), got \(2,\)"),
    (lambda m: m(np.ones((1, 13), np.int64)), ValueError,
     r"^BertModel: expected sequences of at most 12 tokens \(max_position_embeddings\), got input_ids of shape "
     r"\(1, 13\)\. Truncate them\.$"),
    (lambda m: m(np.ones((2, 3), np.int64), attention_mask=np.ones((2, 4))), ValueError,
     r"^BertModel: expected attention_mask of input_ids' shape \(2, 3\), got \(2, 4\)\.$"),
    (lambda m: m(np.ones((2, 3), np.int64), token_type_ids=np.full((2, 3), 2)), ValueError,
     r"^BertModel: expected token_type_ids in \[0, 2\), got a value of 2\.$"),
])
def test_bad_input_is_one_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call(BertModel(BertConfig(**TINY)))


def test_self_attention_is_the_library_scaled_dot_product_attention(monkeypatch):
    # One home for attention: bert has no copy of its own (it had one before F.scaled_dot_product_attention).
    from lucidnet.models import bert
    from lucidnet.nn import functional as F
    calls = []
    real = F.scaled_dot_product_attention
    monkeypatch.setattr(F, "scaled_dot_product_attention", lambda *a, **k: calls.append(k) or real(*a, **k))
    ours, _ = twins()
    ids, mask, _ = batch()
    ours(ids, attention_mask=mask)
    assert not hasattr(bert, "attention") and len(calls) == TINY["num_hidden_layers"]
    assert calls[0]["dropout_p"] == 0.0                          # eval mode: no dropout

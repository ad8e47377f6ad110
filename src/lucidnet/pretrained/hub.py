"""Finding a model directory: a local path, or a Hugging Face Hub id downloaded with ``huggingface_hub``.

huggingface_hub is optional (the ``pretrained`` extra): a local directory needs nothing but the files.
"""
import os
import re

__all__ = ["resolve_model_dir"]

_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[A-Za-z0-9][\w.-]*)?$")
# What a sentence encoder or BERT directory needs; not the pickle/ONNX/OpenVINO copies a Hub repo also holds.
_PATTERNS = ["*.json", "*.safetensors", "*.txt", "*/*.json", "*/*.safetensors"]


def resolve_model_dir(path_or_id, where):
    """The local directory of a model: ``path_or_id`` itself when it is a directory, else a Hub id (e.g.
    ``sentence-transformers/all-MiniLM-L6-v2``) downloaded into huggingface_hub's cache (reused later).

    Raises ValueError for a path that is a file or does not exist and is not a Hub id, ImportError naming the
    extra when huggingface_hub is missing, and OSError when the download fails (no network, unknown id).

    Example:
        >>> import tempfile
        >>> d = tempfile.mkdtemp()
        >>> resolve_model_dir(d, "load") == d
        True
    """
    text = os.fspath(path_or_id) if isinstance(path_or_id, os.PathLike) else path_or_id
    if not isinstance(text, str):
        raise TypeError(f"{where}: expected a directory path or a Hugging Face Hub id, got {type(path_or_id).__name__}.")
    path = os.path.expanduser(text)
    if os.path.isdir(path):
        return path
    if os.path.exists(path):
        raise ValueError(f"{where}: expected a model directory (config.json, model.safetensors, ...), got a file.")
    if not _HUB_ID.match(text):
        raise ValueError(f"{where}: expected a model directory or a Hugging Face Hub id, got a path that does not "
                         f"exist.")
    try:
        import huggingface_hub
    except ImportError:
        raise ImportError(f"{where}: {text!r} is not a local directory, and downloading it from the Hugging Face Hub "
                          f"needs huggingface_hub: pip install 'lucidnet[pretrained]'. Or pass the path of a "
                          f"downloaded model directory.") from None
    try:
        return huggingface_hub.snapshot_download(text, allow_patterns=_PATTERNS)
    except Exception as e:               # offline, unknown repo, gated repo, ...: one line, whatever the cause
        reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise OSError(f"{where}: expected a local model directory or a Hugging Face Hub id to download, got {text!r}, "
                      f"which is not a directory here and could not be downloaded ({type(e).__name__}: {reason}). "
                      f"Without a network, download the model elsewhere and pass its directory.") from None

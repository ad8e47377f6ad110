"""Saving and loading: models, optimizers and the state of a training run, as safetensors + JSON.

Nothing here uses pickle, so loading a file can never run code: arrays go through safetensors, everything
else is JSON, and architectures are rebuilt only from registered layer classes (an unknown class is an
error).

On disk, a checkpoint is **one** ``.safetensors`` file, so a single ``os.replace`` commits it atomically
(a crash mid-save leaves the previous file untouched; there is no moment where half of a checkpoint is new):

- tensors: the model's state dict under PyTorch's keys (``"0.weight"``, ``"0.bias"``, ...), and, in a
  full checkpoint, the optimizer's arrays under ``"optimizer/state/<i>/<name>"`` (a ``/`` never appears in
  a state-dict key, so the two cannot collide);
- the safetensors header's metadata (a string-to-string map), each value JSON:

  ========================  ======================================================================
  ``format``                ``"pt"``: the tensors are a PyTorch-style state dict
  ``lucidnet``              ``{"format_version": 2, "kind": ..., "sha256": ...}``: a checksum of every
                            tensor and every other metadata entry (so a flipped bit anywhere, in the
                            weights or in the epoch, learning rates, RNG states, history, is detected:
                            safetensors only checks sizes). Version 1 files (checksum of the tensors
                            only) still load.
  ``lucidnet.model``        ``{"architecture": model.to_config(), "input_shape": [...], "input_dtype": ...,
                            "compile": {...}}`` (absent for weights saved by :func:`save_state_dict`)
  ``lucidnet.optimizer``    ``{"class": "Adam", "param_names": [...], "state_dict": {...}}`` with each
                            array replaced by a reference to its tensor
  ``lucidnet.training``     ``{"epoch": 3, "history": {...}, "generators": {...}, "callbacks": {...},
                            "extra": ...}``: what a resumed run needs to continue exactly
  ========================  ======================================================================

A file saved without an optimizer (:func:`save_weights`, :func:`save_state_dict`, or :func:`save` with
``include_optimizer=False``) holds exactly the model's state dict, so ``safetensors.torch.load_file`` gives
a state dict the equivalent PyTorch model loads with ``load_state_dict``; and a PyTorch state dict saved
with ``safetensors.torch.save_file`` loads into lucidnet with :func:`load_state_dict` / :func:`load_weights`.
Such files in float16 or bfloat16 load converted to float32 (NumPy has no bfloat16, and lucidnet computes in
float32); float8 and other dtypes are refused with an error naming the file, the tensor and its dtype.

Example:
    >>> import os, tempfile
    >>> import lucidnet
    >>> from lucidnet import nn
    >>> model = nn.Sequential(nn.Linear(2, 3))
    >>> path = os.path.join(tempfile.mkdtemp(), "model.safetensors")
    >>> save(model, path)
    >>> restored = load(path)
    >>> bool((restored[0].weight == model[0].weight).all())
    True
"""
from .checkpoint import Checkpoint, load, load_checkpoint, save
from .file import FORMAT_VERSION
from .weights import load_state_dict, load_weights, save_state_dict, save_weights

__all__ = ["Checkpoint", "load", "load_checkpoint", "load_state_dict", "load_weights", "save", "save_state_dict",
           "save_weights"]

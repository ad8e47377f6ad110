"""The safetensors reader: every dtype a checkpoint uses (float32/float16/bfloat16 widened to float32 exactly as
PyTorch widens them), shards, and corrupt files as one clear error."""
import json
import os

import numpy as np
import pytest
import safetensors.numpy
import safetensors.torch
import torch

from lucidnet.pretrained import read_safetensors
from lucidnet.pretrained.weights import read_checkpoint


def test_every_float_dtype_widens_as_torch_does(tmp_path):
    g = torch.Generator().manual_seed(0)
    tensors = {name: (torch.randn(3, 5, generator=g) * 100).to(dtype) for name, dtype in
               (("f32", torch.float32), ("f16", torch.float16), ("bf16", torch.bfloat16), ("f64", torch.float64))}
    tensors["ids"] = torch.arange(6).reshape(1, 6)
    tensors["scalar"] = torch.tensor(2.5, dtype=torch.bfloat16)
    path = os.path.join(tmp_path, "w.safetensors")
    safetensors.torch.save_file(tensors, path)
    got = read_safetensors(path)
    assert set(got) == set(tensors)
    for name, t in tensors.items():
        want = t.float().numpy() if t.is_floating_point() else t.numpy()
        assert got[name].dtype == want.dtype and got[name].shape == want.shape, name
        np.testing.assert_array_equal(got[name], want, err_msg=name)
    assert got["f32"].flags.writeable                   # a copy, not a view of the mapped file


def test_an_empty_tensor_and_an_empty_file(tmp_path):
    path = os.path.join(tmp_path, "e.safetensors")
    safetensors.numpy.save_file({"empty": np.zeros((0, 3), np.float32)}, path)
    assert read_safetensors(path)["empty"].shape == (0, 3)
    safetensors.numpy.save_file({}, path)
    assert read_safetensors(path) == {}


def _header(tensors, size):
    head = json.dumps(tensors).encode()
    return len(head).to_bytes(8, "little") + head + bytes(size)


@pytest.mark.parametrize("content, message", [
    (b"abc", r"of 3 bytes \(too short for a header\)"),
    ((10 ** 6).to_bytes(8, "little") + b"{}", r"whose header claims 1000000 bytes in a file of 10 \(truncated or not "
                                              r"safetensors\)"),
    ((4).to_bytes(8, "little") + b"{{{{", r"with an unreadable header"),
    (_header({"w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]}}, 8),
     r"whose tensor w \(shape \(2, 2\), F32\) does not fit in bytes \[0, 16\) of 8 \(truncated\?\)"),
    (_header({"w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 12]}}, 16),
     r"whose tensor w \(shape \(2, 2\), F32\) does not fit"),
    (_header({"w": {"dtype": "F32", "shape": [2]}}, 8), r"with a malformed header entry for 'w'"),
    (_header([1, 2], 0), r"whose header is not a JSON object"),
], ids=["too-short", "huge-header", "bad-json", "truncated-data", "size-mismatch", "malformed-entry", "not-object"])
def test_a_corrupt_file_is_one_clear_error(tmp_path, content, message):
    path = os.path.join(tmp_path, "w.safetensors")
    with open(path, "wb") as f:
        f.write(content)
    with pytest.raises(ValueError, match=r"^read_safetensors\('.*w.safetensors'\): expected a safetensors file, "
                                         r"got w.safetensors " + message):
        read_safetensors(path)


def test_an_unknown_dtype(tmp_path):
    path = os.path.join(tmp_path, "w.safetensors")
    with open(path, "wb") as f:
        f.write(_header({"w": {"dtype": "F8_E4M3", "shape": [2], "data_offsets": [0, 2]}}, 2))
    with pytest.raises(ValueError, match=r"expected tensors of dtype F64, F32, F16, BF16, .*, got w of dtype F8_E4M3 "
                                         r"in w.safetensors\.$"):
        read_safetensors(path)


def test_sharded_checkpoint(tmp_path):
    safetensors.numpy.save_file({"a": np.ones(2, np.float32)}, os.path.join(tmp_path, "model-00001-of-00002.safetensors"))
    safetensors.numpy.save_file({"b": np.zeros(3, np.float16)}, os.path.join(tmp_path, "model-00002-of-00002.safetensors"))
    with open(os.path.join(tmp_path, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {}, "weight_map": {"a": "model-00001-of-00002.safetensors",
                                                  "b": "model-00002-of-00002.safetensors"}}, f)
    got = read_checkpoint(str(tmp_path), "load")
    assert sorted(got) == ["a", "b"] and got["b"].dtype == np.float32
    os.remove(os.path.join(tmp_path, "model-00002-of-00002.safetensors"))
    with pytest.raises(ValueError, match=r"^load: expected the weight shard model-00002-of-00002.safetensors listed in "
                                         r"model.safetensors.index.json, got no such file\.$"):
        read_checkpoint(str(tmp_path), "load")


def test_pickle_weights_are_refused_with_a_hint(tmp_path):
    open(os.path.join(tmp_path, "pytorch_model.bin"), "wb").close()
    with pytest.raises(ValueError, match=r"^load: expected weights in model.safetensors, got a directory without them\. "
                                         r"It has pytorch_model.bin, which lucidnet does not read \(a pickle can run "
                                         r"code\); convert it to safetensors first"):
        read_checkpoint(str(tmp_path), "load")

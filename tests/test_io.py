"""Saving and loading: round trips (models, compiled models, state dicts, PyTorch-style checkpoint dicts), weights
to and from PyTorch through safetensors, resuming a run bitwise (after a clean stop, and after kill -9, also in
the middle of writing a checkpoint), atomic writes, and every broken file giving one clear error."""
import collections
import json
import os
import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import safetensors.numpy
import safetensors.torch
import torch

import lucidnet
from lucidnet import io, nn, optim
from lucidnet.data import DataLoader, TensorDataset, spiral
from lucidnet.train import callbacks as C

X, Y = spiral(40, 3, seed=0)


def weights(model):
    return {k: v.array.copy() for k, v in model.state_dict().items()}


def same(a, b):
    return list(a) == list(b) and all(np.array_equal(a[k], b[k]) for k in a)


def compiled_model(seed=0, dropout=0.2, build=False):
    lucidnet.manual_seed(seed)
    model = lucidnet.Sequential([nn.Dense(16, activation="relu"), nn.Dropout(dropout), nn.Dense(3)])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"], lr=0.01)
    if build:
        model.build((2,))
    return model


# ------------------------------------------------------------------------------------------------ round trips

def test_a_compiled_model_round_trips_with_its_optimizer(tmp_path):
    model = compiled_model()
    model.fit(X, Y, epochs=2, batch_size=32, verbose=0)
    path = tmp_path / "model.safetensors"
    model.save(path)
    loaded = lucidnet.load(path)
    assert type(loaded) is lucidnet.Sequential and repr(loaded) == repr(model)
    assert same(weights(loaded), weights(model))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert loaded.metrics_names == ["loss", "accuracy"]
    assert loaded.evaluate(X, Y, return_dict=True) == model.evaluate(X, Y, return_dict=True)
    loaded.fit(X, Y, epochs=3, batch_size=32, verbose=0)        # continues: the optimizer state came back
    state, saved = loaded.optimizer.state_dict(), io.load_checkpoint(path).optimizer_state
    assert state["state"][0]["step"] == saved["state"][0]["step"] + 4 == 12      # one more epoch of 4 batches
    assert [tuple(g["betas"]) for g in state["param_groups"]] == [(0.9, 0.999)]


def test_plain_modules_state_dicts_and_values_round_trip(tmp_path):
    path = tmp_path / "a.safetensors"
    torchlike = nn.Sequential(nn.Linear(2, 4), nn.BatchNorm1d(4), nn.Tanh(), nn.Linear(4, 2))
    lucidnet.save(torchlike, path)
    back = lucidnet.load(path)
    assert type(back) is nn.Sequential and same(weights(back), weights(torchlike))
    lucidnet.save(torchlike.state_dict(), path)                 # torch.save(model.state_dict(), PATH)
    sd = lucidnet.load(path)
    assert isinstance(sd, collections.OrderedDict) and list(sd) == list(torchlike.state_dict())
    assert sd["1.num_batches_tracked"].dtype == np.int64 and isinstance(sd["0.weight"], lucidnet.Tensor)
    fresh = nn.Sequential(nn.Linear(2, 4), nn.BatchNorm1d(4), nn.Tanh(), nn.Linear(4, 2))
    fresh.load_state_dict(lucidnet.load(path))
    assert same(weights(fresh), weights(torchlike))
    opt = optim.Adam(torchlike.parameters(), lr=0.01)
    torchlike(lucidnet.tensor(X[:8])).sum().backward()
    opt.step()
    checkpoint = {"epoch": 3, "model_state_dict": torchlike.state_dict(), "optimizer_state_dict": opt.state_dict(),
                  "loss": lucidnet.tensor(0.25), "betas": (0.9, 0.999), "note": None}
    lucidnet.save(checkpoint, path)                             # the PyTorch tutorial's checkpoint dict
    back = lucidnet.load(path)
    assert back["epoch"] == 3 and back["loss"].item() == 0.25 and back["betas"] == (0.9, 0.999)
    assert back["note"] is None and list(back["model_state_dict"]) == list(checkpoint["model_state_dict"])
    opt2 = optim.Adam(fresh.parameters(), lr=0.01)
    opt2.load_state_dict(back["optimizer_state_dict"])
    assert np.array_equal(opt2.state_dict()["state"][0]["exp_avg"], opt.state_dict()["state"][0]["exp_avg"])


def test_weights_go_to_pytorch_and_back(tmp_path):
    lucidnet.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))
    model.train()
    model(lucidnet.tensor(X))                                   # running statistics move away from 0 / 1
    path = str(tmp_path / "lucid.safetensors")
    io.save_state_dict(model.state_dict(), path)
    tmodel = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.BatchNorm1d(8), torch.nn.ReLU(),
                                 torch.nn.Linear(8, 3))
    tmodel.load_state_dict(safetensors.torch.load_file(path))  # strict: every key and shape fits
    tmodel.eval()
    model.eval()
    with torch.no_grad():
        expected = tmodel(torch.from_numpy(X)).numpy()
    np.testing.assert_allclose(model(lucidnet.tensor(X)).detach().numpy(), expected, rtol=1e-5, atol=1e-6)

    torch.manual_seed(1)
    tmodel = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.BatchNorm1d(8), torch.nn.ReLU(),
                                 torch.nn.Linear(8, 3))
    tmodel.train()
    tmodel(torch.from_numpy(X))
    tmodel.eval()
    tpath = str(tmp_path / "torch.safetensors")
    safetensors.torch.save_file(tmodel.state_dict(), tpath)
    back = lucidnet.Sequential([nn.Linear(2, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3)])
    back.load_weights(tpath)
    with torch.no_grad():
        np.testing.assert_allclose(back.predict(X), tmodel(torch.from_numpy(X)).numpy(), rtol=1e-5, atol=1e-6)
    assert sorted(io.load_state_dict(tpath)) == sorted(tmodel.state_dict())   # a foreign file: safetensors' order


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_half_precision_weights_of_other_tools_load_as_float32(tmp_path, dtype):
    torch.manual_seed(0)
    theirs = {k: v.to(dtype) for k, v in torch.nn.Linear(2, 3).state_dict().items()}
    path = tmp_path / "half.safetensors"
    safetensors.torch.save_file(theirs, str(path))
    loaded = io.load_state_dict(path)
    for k, v in theirs.items():
        assert loaded[k].dtype == lucidnet.float32 and np.array_equal(loaded[k].array, v.float().numpy())
    model = nn.Linear(2, 3)
    io.load_weights(model, path)
    assert np.array_equal(model.weight.array, theirs["weight"].float().numpy())
    ours = tmp_path / "ours.safetensors"                        # lucidnet's own files keep their dtypes
    io.save_state_dict({"w": np.ones(2, np.float16)}, ours)
    assert io.load_state_dict(ours)["w"].dtype == lucidnet.float16


def test_float8_and_other_dtypes_are_refused_naming_file_and_dtype(tmp_path):
    path = tmp_path / "f8.safetensors"
    safetensors.torch.save_file({"w": torch.ones(2, 2).to(torch.float8_e4m3fn), "b": torch.ones(2)}, str(path))
    for fn, call in (("load_state_dict", io.load_state_dict), ("load_weights", lambda p: io.load_weights(nn.Linear(2, 2), p)),
                     ("load", lucidnet.load)):
        with pytest.raises(ValueError, match=rf"^{fn}\('{re.escape(str(path))}'\): expected tensors of a dtype lucidnet "
                                             rf"reads \(float16, bfloat16, float32, float64, integers, bool\), got 'w' "
                                             rf"of dtype F8_E4M3\. Convert the file first"):
            call(path)


def test_a_lazy_model_loads_weights_saved_by_pytorch(tmp_path):
    tmodel = torch.nn.Sequential(torch.nn.Linear(2, 5), torch.nn.ReLU(), torch.nn.Linear(5, 3))
    path = str(tmp_path / "t.safetensors")
    safetensors.torch.save_file(tmodel.state_dict(), path)
    model = lucidnet.Sequential([nn.Dense(5), nn.ReLU(), nn.Dense(3)])          # not built: no parameters yet
    assert list(model.parameters()) == []
    model.load_weights(path)
    with torch.no_grad():
        np.testing.assert_allclose(model.predict(X), tmodel(torch.from_numpy(X)).numpy(), rtol=1e-5, atol=1e-6)


# ------------------------------------------------------------------------------------------------ resuming

def run_with_checkpoints(tmp_path, data, epochs=6):
    model = compiled_model()
    cbs = [C.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1, min_delta=0.05),
           C.EarlyStopping(monitor="val_loss", patience=50, restore_best_weights=True),
           C.ModelCheckpoint(str(tmp_path / "e{epoch}.safetensors")), C.CSVLogger(tmp_path / "log.csv")]
    h = model.fit(**data(), epochs=epochs, validation_data=(X[::5], Y[::5]), verbose=0, callbacks=cbs)
    return model, h, cbs


@pytest.mark.parametrize("kind", ["arrays", "loader", "arrays-steps", "loader-steps"])
def test_resuming_a_checkpoint_continues_the_run_bitwise(tmp_path, kind):
    # "-steps": steps_per_epoch=2 of the 4 batches a pass: the checkpoint of epoch 3 is in the middle of a pass,
    # whose order (drawn in epoch 3) and position the resumed run must take up.
    steps = {"steps_per_epoch": 2} if kind.endswith("steps") else {}

    def data(generator=4):
        if kind.startswith("arrays"):
            return {"x": X, "y": Y, "batch_size": 32, **steps}
        return {"x": DataLoader(TensorDataset(X, Y), batch_size=32, shuffle=True, generator=generator), **steps}
    model, h, _ = run_with_checkpoints(tmp_path, data)
    assert h.history["lr"][-1] < h.history["lr"][0]             # ReduceLROnPlateau acted: its state matters
    full_log = open(tmp_path / "log.csv").read()
    lines = full_log.splitlines(keepends=True)
    open(tmp_path / "log.csv", "w").write("".join(lines[:4] + lines[5:]))   # as a crash leaves it, plus damage
    lucidnet.manual_seed(1234)                                  # whatever the state, the checkpoint restores it
    resumed = lucidnet.load(tmp_path / "e3.safetensors")
    cbs = [C.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1, min_delta=0.05),
           C.EarlyStopping(monitor="val_loss", patience=50, restore_best_weights=True),
           C.ModelCheckpoint(str(tmp_path / "r{epoch}.safetensors")), C.CSVLogger(tmp_path / "log.csv")]
    h2 = resumed.fit(**data(generator=99), epochs=6, validation_data=(X[::5], Y[::5]), verbose=0, callbacks=cbs)
    assert h2.epoch == h.epoch and h2.history == h.history      # every loss, metric and lr, bitwise
    assert same(weights(resumed), weights(model))               # including EarlyStopping's restored best
    last, resumed_last = lucidnet.load(tmp_path / "e6.safetensors"), lucidnet.load(tmp_path / "r6.safetensors")
    assert same(weights(resumed_last), weights(last))
    assert open(tmp_path / "log.csv").read() == full_log        # the CSV log appended where it stopped


def test_save_after_fit_then_fit_more_equals_one_longer_fit(tmp_path):
    a = compiled_model()
    a.fit(X, Y, epochs=5, batch_size=16, verbose=0)
    b = compiled_model()
    b.fit(X, Y, epochs=2, batch_size=16, verbose=0)
    b.save(tmp_path / "b.safetensors")
    b = lucidnet.load(tmp_path / "b.safetensors")
    h = b.fit(X, Y, epochs=5, batch_size=16, verbose=0)
    assert h.epoch == [0, 1, 2, 3, 4] and same(weights(a), weights(b))
    c = lucidnet.load(tmp_path / "b.safetensors")               # an explicit initial_epoch starts over from there
    assert c.fit(X, Y, epochs=3, initial_epoch=0, batch_size=16, verbose=0).epoch == [0, 1, 2]


def test_a_pytorch_style_loop_resumes_bitwise(tmp_path):
    def make():
        lucidnet.manual_seed(0)
        model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 3))
        loader = DataLoader(TensorDataset(X, Y), batch_size=16, shuffle=True, generator=7)
        return model, optim.Adam(model.parameters(), lr=0.01), loader

    def train(model, opt, loader, epochs, start=0, save_at=None):
        losses = []
        for epoch in range(start, epochs):
            for xb, yb in loader:
                opt.zero_grad()
                loss = nn.functional.cross_entropy(model(xb), yb)
                loss.backward()
                opt.step()
                losses.append(loss.item())
            if epoch + 1 == save_at:
                io.save(model, tmp_path / "ckpt.safetensors", opt, epoch=epoch + 1, generator=loader,
                        extra={"losses": losses})
        return losses
    full = train(*make(), epochs=5, save_at=2)
    model, opt, loader = make()
    lucidnet.manual_seed(99)
    ckpt = io.load_checkpoint(tmp_path / "ckpt.safetensors", model, opt, generator=loader)
    rest = train(model, opt, loader, epochs=5, start=ckpt.epoch)
    assert ckpt.extra["losses"] + rest == full


RUN = textwrap.dedent("""
    import os, signal, sys
    import lucidnet
    from lucidnet import nn, io
    from lucidnet.data import spiral
    from lucidnet.train import callbacks as C

    mode, out = sys.argv[1], sys.argv[2]
    ckpt = os.path.join(out, "last.safetensors")
    X, y = spiral(40, 3, seed=0)

    class Kill(C.Callback):                         # kill -9 in the middle of epoch 4 (after 3 checkpoints)
        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch
            if mode == "kill-in-save" and epoch == 3:  # ... or in the middle of writing the 4th checkpoint
                replace = os.replace
                def dying_replace(src, dst):
                    if dst == ckpt:
                        os.kill(os.getpid(), signal.SIGKILL)
                    return replace(src, dst)
                os.replace = dying_replace
        def on_train_batch_end(self, batch, logs=None):
            if mode == "kill" and self.epoch == 3 and batch == 2:
                os.kill(os.getpid(), signal.SIGKILL)

    if mode == "resume":
        model = lucidnet.load(ckpt)
    else:
        lucidnet.manual_seed(0)
        model = lucidnet.Sequential([nn.Dense(16, activation="relu"), nn.Dropout(0.2), nn.Dense(3)])
        model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"], lr=0.01)
    model.fit(X, y, epochs=6, batch_size=16, verbose=0, callbacks=[C.ModelCheckpoint(ckpt), Kill()])
    io.save_weights(model, os.path.join(out, "final.safetensors"))
""")


def run_child(tmp_path, *args):
    script = tmp_path / "run.py"
    script.write_text(RUN)
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(lucidnet.__file__)))
    return subprocess.run([sys.executable, str(script), *args], env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("mode", ["kill", "kill-in-save"])
def test_kill_9_then_resume_gives_the_same_final_weights(tmp_path, mode):
    whole, broken = tmp_path / "whole", tmp_path / "broken"
    whole.mkdir()
    broken.mkdir()
    done = run_child(tmp_path, "run", str(whole))
    assert done.returncode == 0, done.stderr
    killed = run_child(tmp_path, mode, str(broken))
    assert killed.returncode == -9, killed.stderr
    assert not (broken / "final.safetensors").exists()
    assert io.load_checkpoint(broken / "last.safetensors", restore_rng=False).epoch == 3
    strays = [n for n in os.listdir(broken) if n.endswith(".part")]
    assert len(strays) == (mode == "kill-in-save")               # kill -9 mid-save leaves its temporary file...
    resumed = run_child(tmp_path, "resume", str(broken))
    assert resumed.returncode == 0, resumed.stderr
    assert sorted(os.listdir(broken)) == ["final.safetensors", "last.safetensors"]   # ... the next save removes it
    assert same({k: v.array for k, v in io.load_state_dict(whole / "final.safetensors").items()},
                {k: v.array for k, v in io.load_state_dict(broken / "final.safetensors").items()})


# -------------------------------------------------------------------------------------- models without configs

def test_a_model_without_a_config_saves_weights_and_resumes_into_a_given_model(tmp_path):
    class Net(lucidnet.Model):
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(2, 8)
            self.b = nn.Linear(8, 3)

        def forward(self, x):
            return self.b(self.a(x).relu())

    def make():
        lucidnet.manual_seed(0)
        net = Net()
        net.compile("adam", "cross_entropy", lr=0.01)
        return net
    full = make()
    h = full.fit(X, Y, epochs=4, batch_size=16, verbose=0)
    part = make()
    part.fit(X, Y, epochs=2, batch_size=16, verbose=0)
    part.save(tmp_path / "net.safetensors")
    with pytest.raises(ValueError, match=r"load\('.*net.safetensors'\): expected a file with a saved architecture, got "
                                         r"weights only \(the model has no get_config\(\)\); build the model and pass "
                                         r"it: load\(path, model=model\)\."):
        lucidnet.load(tmp_path / "net.safetensors")
    again = lucidnet.load(tmp_path / "net.safetensors", model=make())
    assert again.fit(X, Y, epochs=4, batch_size=16, verbose=0).history == h.history
    assert same(weights(again), weights(full))


def test_optimizer_state_follows_parameter_names_not_positions(tmp_path):
    lucidnet.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
    opt = optim.Adam(list(model.parameters())[::-1], lr=0.1)
    model(lucidnet.tensor(X)).sum().backward()
    opt.step()
    io.save(model, tmp_path / "c.safetensors", opt, epoch=1)
    opt2 = optim.Adam(model.parameters(), lr=0.1)              # the other order
    io.load_checkpoint(tmp_path / "c.safetensors", model, opt2)
    for p in model.parameters():
        np.testing.assert_array_equal(opt2.state[p]["exp_avg"], opt.state[p]["exp_avg"])


# ------------------------------------------------------------------------------------------------ safety

def test_writes_are_atomic(tmp_path, monkeypatch):
    path = tmp_path / "m.safetensors"
    model = compiled_model()
    model.save(path)
    before = path.read_bytes()
    model.fit(X, Y, epochs=1, verbose=0)

    def crash(src, dst):
        raise OSError("disk gone")
    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk gone"):
        model.save(path)
    monkeypatch.undo()
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["m.safetensors"]   # no temp file left


def broken_files(tmp_path):
    good = tmp_path / "good.safetensors"
    compiled_model(build=True).save(good)
    data = good.read_bytes()
    header = 8 + int.from_bytes(data[:8], "little")
    files = {}
    for name, content in {"truncated": data[:-10], "empty": b"", "garbage": b"not a checkpoint at all" * 4,
                          "short-header": data[:header - 5],
                          "flipped-data": data[:-3] + bytes([data[-3] ^ 1]) + data[-2:]}.items():
        files[name] = tmp_path / f"{name}.safetensors"
        files[name].write_bytes(content)
    return good, files


@pytest.mark.parametrize("name, message", [
    ("truncated", r"expected a safetensors file, got one that is truncated or corrupt \(.*\)\."),
    ("empty", r"expected a safetensors file, got one that is truncated or corrupt \(.*\)\."),
    ("garbage", r"expected a safetensors file, got one that is truncated or corrupt \(.*\)\."),
    ("short-header", r"expected a safetensors file, got one that is truncated or corrupt \(.*\)\."),
    ("flipped-data", r"the file is corrupt: its data does not match the checksum saved with it\."),
])
def test_broken_files_give_one_clear_line(tmp_path, name, message):
    _, files = broken_files(tmp_path)
    model = compiled_model(seed=1)
    before = weights(model)
    for fn, call in (("load", lambda p: lucidnet.load(p)), ("load_weights", lambda p: model.load_weights(p)),
                     ("load_state_dict", io.load_state_dict), ("load_checkpoint", io.load_checkpoint)):
        with pytest.raises(ValueError, match=rf"^{fn}\('{re.escape(str(files[name]))}'\): {message}$"):
            call(files[name])
    assert same(weights(model), before)


def test_the_checksum_covers_every_byte_of_the_header(tmp_path):
    """A flipped bit anywhere in the header (epoch, optimizer step, learning rates, RNG states, history, the
    architecture, the tensors' table) is a clear error naming the file, never a silent change of state."""
    model = compiled_model()
    model.fit(X, Y, epochs=2, verbose=0)
    good = tmp_path / "good.safetensors"
    model.save(good)
    data = good.read_bytes()
    header = int.from_bytes(data[:8], "little")
    bad = tmp_path / "bad.safetensors"
    for i in range(8, 8 + header):
        flipped = bytearray(data)
        flipped[i] ^= 1 << (i % 8)
        bad.write_bytes(bytes(flipped))
        with pytest.raises(ValueError, match=rf"^load_checkpoint\('{re.escape(str(bad))}'\): "):
            io.load_checkpoint(bad, restore_rng=False)


def test_files_of_format_version_1_still_load(tmp_path):
    model = compiled_model(build=True)
    tensors = {k: v.array for k, v in model.state_dict().items()}
    from lucidnet.io.file import digest
    meta = {"format": "pt", "lucidnet": json.dumps({"format_version": 1, "kind": "state_dict",
                                                    "sha256": digest(tensors), "order": list(tensors)})}
    path = tmp_path / "v1.safetensors"
    path.write_bytes(safetensors.numpy.save(tensors, metadata=meta))
    assert same({k: v.array for k, v in io.load_state_dict(path).items()}, tensors)
    tensors["0.bias"] = tensors["0.bias"] + 1                  # its tensors are still checked
    path.write_bytes(safetensors.numpy.save(tensors, metadata=meta))
    with pytest.raises(ValueError, match=r"the file is corrupt: its data does not match the checksum"):
        io.load_state_dict(path)


def test_missing_files_and_directories(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"^load\('.*nope.safetensors'\): expected a checkpoint file, got a "
                                                r"path that does not exist\.$"):
        lucidnet.load(tmp_path / "nope.safetensors")
    with pytest.raises(IsADirectoryError, match=r"load_weights\('.*'\): expected a .safetensors file, got a directory"):
        io.load_weights(nn.Linear(2, 2), tmp_path)


def test_a_file_of_another_architecture_changes_nothing(tmp_path):
    path = tmp_path / "m.safetensors"
    compiled_model(build=True).save(path)
    other = lucidnet.Sequential([nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 4)])
    before = weights(other)
    message = (r"^load_weights\('.*m.safetensors'\): expected weights for Sequential \(4 tensors\), got a file of "
               r"another architecture: 2.weight has shape \(3, 16\) in the file but \(4, 16\) in the model; 2.bias has "
               r"shape \(3,\) in the file but \(4,\) in the model\. Nothing was loaded\.$")
    with pytest.raises(ValueError, match=message):
        other.load_weights(path)
    with pytest.raises(ValueError, match=r"^load\('.*'\): expected weights for Sequential \(4 tensors\), got a file of "
                                         r"another architecture"):
        lucidnet.load(path, model=other)
    assert same(weights(other), before)                          # the first layer fits, and is not touched either
    renamed = nn.Sequential(collections.OrderedDict([("fc", nn.Linear(2, 16))]))
    with pytest.raises(ValueError, match=r"missing from the file: fc.weight, fc.bias; not in the model: 0.weight, "
                                         r"0.bias, 2.weight, 2.bias\. Nothing was loaded\.$"):
        io.load_weights(renamed, path)


def test_loading_never_builds_unknown_classes(tmp_path):
    path = tmp_path / "m.safetensors"
    compiled_model().save(path)
    with safetensors.safe_open(str(path), "np") as f:
        meta, tensors = f.metadata(), {k: f.get_tensor(k) for k in f.keys()}
    arch = json.loads(meta["lucidnet.model"])
    arch["architecture"]["config"]["layers"][0] = {"class": "os.system", "config": {"command": "echo pwned"}}
    meta["lucidnet.model"] = json.dumps(arch)
    evil = tmp_path / "evil.safetensors"
    safetensors.numpy.save_file(tensors, str(evil), metadata=meta)
    with pytest.raises(ValueError, match=r"the file is corrupt: its data does not match the checksum"):
        lucidnet.load(evil)                                     # the checksum covers the architecture ...
    info = json.loads(meta["lucidnet"])                         # ... but a checksum is no signature: forge it
    del info["sha256"]
    meta["lucidnet"] = json.dumps(info)
    info["sha256"] = io.file.digest(tensors, meta)
    meta["lucidnet"] = json.dumps(info)
    safetensors.numpy.save_file(tensors, str(evil), metadata=meta)
    with pytest.raises(ValueError, match=r"^load\('.*evil.safetensors'\): cannot rebuild the model from its saved "
                                         r"architecture: module_from_config: unknown layer class 'os.system'"):
        lucidnet.load(evil)


def test_save_refuses_what_it_cannot_store(tmp_path):
    with pytest.raises(TypeError, match=r"save\(\): expected a Module, a state dict, or dicts / lists of tensors and "
                                        r"values, got set\."):
        lucidnet.save({1, 2}, tmp_path / "x.safetensors")
    with pytest.raises(TypeError, match=r"save: expected arrays, numbers, strings, lists and dicts in the state, got "
                                        r"object at 'tree/a'\."):
        lucidnet.save({"a": object()}, tmp_path / "x.safetensors")
    with pytest.raises(TypeError, match=r"save_state_dict\(\): expected tensors or arrays as values, got int for "
                                        r"'w'\."):
        io.save_state_dict({"w": 3}, tmp_path / "x.safetensors")
    with pytest.raises(ValueError, match=r"Dense\(units=2, activation='<lambda>'.*cannot save a custom activation"):
        lucidnet.save(lucidnet.Sequential([nn.Dense(2, activation=lambda x: x, in_features=2)]),
                      tmp_path / "x.safetensors")
    assert not (tmp_path / "x.safetensors").exists()


def test_a_users_class_never_replaces_a_built_in_layer(tmp_path):
    class Linear(nn.Module):                                    # the user's own layer, with a built-in's name
        def __init__(self, n):
            super().__init__()
            self.n, self.w = n, nn.Parameter(lucidnet.ones(n))

        def forward(self, x):
            return x * self.w

        def get_config(self):
            return {"n": self.n}
    lucidnet.save(nn.Sequential(nn.Linear(2, 3)), tmp_path / "builtin.safetensors")
    assert type(lucidnet.load(tmp_path / "builtin.safetensors")[0]) is nn.Linear     # failed before: the user's
    lucidnet.save(nn.Sequential(Linear(2)), tmp_path / "own.safetensors")
    assert type(lucidnet.load(tmp_path / "own.safetensors")[0]) is Linear
    assert Linear(2).to_config()["class"] == f"{__name__}.{Linear.__qualname__}" and nn.MODULES["Linear"] is nn.Linear

    class Scale(nn.Module):                                     # saved by its bare name, as older files did
        def get_config(self):
            return {}
    assert type(nn.module_from_config({"class": "Scale", "config": {}})) is Scale
    with pytest.raises(ValueError, match=r"expected a config name of its own, got 'Linear', already the name of "
                                         r"lucidnet\.nn\.linear\.Linear\. Rename the class, or set config_name"):
        class Clash(nn.Module):
            config_name = "Linear"
    assert nn.MODULES["Linear"] is nn.Linear


def test_a_model_of_integer_inputs_is_rebuilt_with_integer_inputs(tmp_path):
    """A Keras-style model starting with an Embedding is rebuilt on load by a probe of its saved input dtype
    (before, the probe was float32, which an Embedding refuses)."""
    model = lucidnet.Sequential([nn.Embedding(10, 4), nn.Flatten(), nn.Linear(12, 2)])
    model.compile("adam", "sparse_categorical_crossentropy", from_logits=True)
    rng = np.random.default_rng(0)
    x, y = rng.integers(0, 10, (20, 3)), rng.integers(0, 2, 20)
    model.fit(x, y, epochs=1, verbose=0)
    lucidnet.save(model, tmp_path / "m.safetensors")
    np.testing.assert_array_equal(lucidnet.load(tmp_path / "m.safetensors").predict(x), model.predict(x))

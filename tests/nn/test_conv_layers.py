"""The convolutional layers: shapes, parameter counts, reprs, state_dict keys and initialization as PyTorch's;
outputs and gradients equal to PyTorch's with copied weights; unbatched input; the Keras spellings (Conv2D,
MaxPooling2D) in a Sequential that fits; the blitz tutorial's LeNet unchanged; and the errors for bad input."""
import json

import numpy as np
import pytest
import torch

import lucidnet
from lucidnet import nn
from lucidnet.cli import main
from lucidnet.train import Sequential

from helpers import raises
from layer_testing import compare_with_torch, run_layer_test, torch_pair

T = torch.nn
pytestmark = pytest.mark.filterwarnings("ignore:Using padding=.same. with even kernel")   # torch's, not ours

# (lucidnet layer, torch twin, input shape)
PAIRS = {
    "conv2d": (lambda: nn.Conv2d(3, 8, 3), lambda: T.Conv2d(3, 8, 3), (2, 3, 9, 8)),
    "conv2d-all-args": (lambda: nn.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2,
                                          bias=False),
                        lambda: T.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2,
                                         bias=False), (2, 4, 7, 7)),
    "conv2d-same": (lambda: nn.Conv2d(2, 3, 4, padding="same"), lambda: T.Conv2d(2, 3, 4, padding="same"),
                    (1, 2, 6, 5)),
    "conv2d-unbatched": (lambda: nn.Conv2d(3, 4, 3, padding=1), lambda: T.Conv2d(3, 4, 3, padding=1), (3, 5, 5)),
    "conv1d": (lambda: nn.Conv1d(3, 5, 3, stride=2, padding=1), lambda: T.Conv1d(3, 5, 3, stride=2, padding=1),
               (2, 3, 11)),
    "conv1d-unbatched": (lambda: nn.Conv1d(2, 4, 2, dilation=2), lambda: T.Conv1d(2, 4, 2, dilation=2), (2, 7)),
    "conv-transpose2d": (lambda: nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1, output_padding=1),
                         lambda: T.ConvTranspose2d(4, 2, 3, stride=2, padding=1, output_padding=1), (2, 4, 4, 5)),
    "conv-transpose2d-groups": (lambda: nn.ConvTranspose2d(4, 6, 2, groups=2, dilation=2),
                                lambda: T.ConvTranspose2d(4, 6, 2, groups=2, dilation=2), (1, 4, 3, 3)),
    "maxpool": (lambda: nn.MaxPool2d(2), lambda: T.MaxPool2d(2), (2, 3, 7, 6)),
    "maxpool-ceil": (lambda: nn.MaxPool2d(3, 2, 1, ceil_mode=True), lambda: T.MaxPool2d(3, 2, 1, ceil_mode=True),
                     (3, 6, 6)),
    "avgpool": (lambda: nn.AvgPool2d(3, 2, 1, count_include_pad=False),
                lambda: T.AvgPool2d(3, 2, 1, count_include_pad=False), (2, 3, 7, 6)),
    "adaptive": (lambda: nn.AdaptiveAvgPool2d((2, 3)), lambda: T.AdaptiveAvgPool2d((2, 3)), (2, 3, 7, 6)),
    "batchnorm2d": (lambda: nn.BatchNorm2d(3), lambda: T.BatchNorm2d(3), (4, 3, 5, 5)),
    "batchnorm2d-no-affine": (lambda: nn.BatchNorm2d(3, affine=False, momentum=None),
                              lambda: T.BatchNorm2d(3, affine=False, momentum=None), (2, 3, 4, 4)),
    "unflatten": (lambda: nn.Unflatten(1, (2, 3, 4)), lambda: T.Unflatten(1, (2, 3, 4)), (5, 24)),
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", sorted(PAIRS))
def test_layer_matches_torch(name, dtype):
    make, make_torch, shape = PAIRS[name]
    lucidnet.manual_seed(0)
    ours, theirs = torch_pair(make(), make_torch(), dtype)
    assert repr(ours).split("  #")[0] == repr(theirs)                     # PyTorch's repr
    assert list(ours.state_dict()) == list(theirs.state_dict())            # and state dict keys
    assert {k: tuple(v.shape) for k, v in ours.state_dict().items()} == \
        {k: tuple(v.shape) for k, v in theirs.state_dict().items()}
    x = np.random.default_rng(0).standard_normal(shape)
    compare_with_torch(ours, theirs, x, dtype)
    if name.startswith("batchnorm"):                                       # running stats and eval mode too
        for k, v in theirs.state_dict().items():
            np.testing.assert_allclose(ours.state_dict()[k].array, v.numpy(), rtol=1e-5, atol=1e-6)
        ours.eval(), theirs.eval()
        compare_with_torch(ours, theirs, x, dtype)


def test_max_pool_return_indices_layer():
    x = np.random.default_rng(1).standard_normal((2, 3, 6, 6))
    out, idx = nn.MaxPool2d(2, return_indices=True)(lucidnet.tensor(x))
    t_out, t_idx = T.MaxPool2d(2, return_indices=True)(torch.tensor(x))
    np.testing.assert_array_equal(idx.array, t_idx.numpy())
    np.testing.assert_allclose(out.array, t_out.numpy())


@pytest.mark.parametrize("ours, theirs", [
    (lambda: nn.Conv2d(3, 16, 5), lambda: T.Conv2d(3, 16, 5)),
    (lambda: nn.Conv2d(8, 8, 3, groups=4), lambda: T.Conv2d(8, 8, 3, groups=4)),
    (lambda: nn.Conv1d(4, 6, 7), lambda: T.Conv1d(4, 6, 7)),
    (lambda: nn.ConvTranspose2d(6, 4, 3), lambda: T.ConvTranspose2d(6, 4, 3)),
])
def test_default_initialization_has_pytorchs_bounds(ours, theirs):
    """kaiming_uniform_(a=sqrt(5)): U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weight and bias alike."""
    a, b = ours(), theirs()
    fan_in = b.weight.shape[1] * int(np.prod(b.weight.shape[2:]))
    bound = 1 / np.sqrt(fan_in)
    for name in ("weight", "bias"):
        w = getattr(a, name).array
        assert w.shape == tuple(getattr(b, name).shape) and w.dtype == np.float32
        assert np.abs(w).max() <= bound and (name == "bias" or np.abs(w).max() > 0.8 * bound)
    assert a.num_parameters() == sum(p.numel() for p in b.parameters())


@pytest.mark.parametrize("layer, shape, out_shape, params, text", [
    (nn.Conv2d(1, 6, 5), (2, 1, 32, 32), (2, 6, 28, 28), 156, "Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))"),
    (nn.Conv2d(3, 6, 3, padding="same", bias=False), (3, 8, 8), (6, 8, 8), 162,
     "Conv2d(3, 6, kernel_size=(3, 3), stride=(1, 1), padding=same, bias=False)"),
    (nn.Conv1d(4, 8, 3), (2, 4, 10), (2, 8, 8), 104, "Conv1d(4, 8, kernel_size=(3,), stride=(1,))"),
    (nn.ConvTranspose2d(8, 4, 2, stride=2), (1, 8, 7, 7), (1, 4, 14, 14), 132,
     "ConvTranspose2d(8, 4, kernel_size=(2, 2), stride=(2, 2))"),
    (nn.MaxPool2d(2), (2, 3, 8, 8), (2, 3, 4, 4), 0,
     "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"),
    (nn.AvgPool2d((2, 3), stride=1), (1, 2, 5, 5), (1, 2, 4, 3), 0,
     "AvgPool2d(kernel_size=(2, 3), stride=1, padding=0)"),
    (nn.AdaptiveAvgPool2d(1), (4, 3, 5, 5), (4, 3, 1, 1), 0, "AdaptiveAvgPool2d(output_size=1)"),
    (nn.BatchNorm2d(3), (4, 3, 2, 2), (4, 3, 2, 2), 6,
     "BatchNorm2d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)"),
    (nn.Dropout2d(0.2), (2, 3, 4, 4), (2, 3, 4, 4), 0, "Dropout2d(p=0.2, inplace=False)"),
    (nn.Unflatten(1, (1, 4, 4)), (3, 16), (3, 1, 4, 4), 0, "Unflatten(dim=1, unflattened_size=(1, 4, 4))"),
    (nn.Conv2D(4, 3, strides=2, padding="same", activation="relu"), (2, 7, 7, 3), (2, 4, 4, 4), 112,
     "Conv2D(filters=4, kernel_size=(3, 3), strides=(2, 2), padding='same', activation='relu', in_channels=3)"),
    (nn.MaxPooling2D(2, padding="same"), (2, 5, 5, 3), (2, 3, 3, 3), 0, "MaxPooling2D(pool_size=(2, 2), padding='same')"),
])
def test_layer_contract(layer, shape, out_shape, params, text):
    run_layer_test(layer, shape, out_shape, params, text)


def test_dropout2d_zeroes_whole_channels_and_is_identity_in_eval():
    lucidnet.manual_seed(0)
    layer = nn.Dropout2d(0.5)
    y = layer(lucidnet.ones(4, 32, 3, 3)).array
    per_channel = y.reshape(4, 32, 9)
    assert (per_channel.min(-1) == per_channel.max(-1)).all() and set(np.unique(y)) == {0.0, 2.0}
    x = lucidnet.ones(2, 3, 2, 2)
    assert layer.eval()(x) is x


# ------------------------------------------------------------------------------------------------ Keras spellings

def test_conv2d_keras_matches_conv2d_on_permuted_input():
    lucidnet.manual_seed(0)
    keras = nn.Conv2D(5, 3, strides=1, padding="same", activation="relu")
    x = lucidnet.randn(2, 6, 7, 3, dtype=lucidnet.float32)
    y = keras(x)
    torch_layer = T.Conv2d(3, 5, 3, padding=1)
    torch_layer.load_state_dict({k: torch.from_numpy(v.array.copy()) for k, v in keras.state_dict().items()})
    ref = torch.relu(torch_layer(torch.from_numpy(x.array).permute(0, 3, 1, 2))).permute(0, 2, 3, 1)
    np.testing.assert_allclose(y.array, ref.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_keras_same_padding_with_strides_matches_tensorflow_sizes():
    """Keras 'same': ceil(size / stride) outputs, the extra padding at the bottom/right."""
    layer = nn.Conv2D(1, 3, strides=2, padding="same", use_bias=False, kernel_initializer="ones")
    y = layer(lucidnet.ones(1, 6, 6, 1))
    assert y.shape == (1, 3, 3, 1)
    np.testing.assert_array_equal(y.array[0, :, :, 0], [[9, 9, 6], [9, 9, 6], [6, 6, 4]])
    assert nn.MaxPooling2D(3, strides=2, padding="same")(lucidnet.ones(1, 6, 5, 2)).shape == (1, 3, 3, 2)


def test_keras_cnn_trains_in_sequential_and_round_trips():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((128, 8, 8, 1)).astype(np.float32)
    y = (x[:, :4].sum((1, 2, 3)) > x[:, 4:].sum((1, 2, 3))).astype(np.int64)
    lucidnet.manual_seed(0)
    model = Sequential([nn.Conv2D(8, 3, padding="same", activation="relu"), nn.MaxPooling2D(), nn.Flatten(),
                        nn.Dense(2)])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"], lr=0.01)
    history = model.fit(x, y, epochs=10, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < 0.6 * history.history["loss"][0]
    twin = nn.module_from_config(json.loads(json.dumps(model.to_config())))
    twin.load_state_dict(model.state_dict())
    np.testing.assert_array_equal(twin(lucidnet.tensor(x[:4])).array, model(lucidnet.tensor(x[:4])).array)


def test_channels_first_cnn_trains_in_sequential():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((64, 1, 8, 8)).astype(np.float32)
    y = (x[:, :, :4].sum((1, 2, 3)) > x[:, :, 4:].sum((1, 2, 3))).astype(np.int64)
    lucidnet.manual_seed(0)
    model = Sequential([nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Flatten(), nn.Linear(64, 2)])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", lr=0.01)
    history = model.fit(x, y, epochs=10, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.6 * history.history["loss"][0]


# ------------------------------------------------------------------------------------------------ LeNet (the blitz)

LENET = '''
import {lib} as torch
import {lib}.nn as nn
import {lib}.nn.functional as F


class Net(nn.Module):

    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x
'''


def _lenet(lib):
    namespace = {}
    exec(LENET.format(lib=lib), namespace)
    return namespace["Net"]()


def test_blitz_lenet_matches_torch_with_copied_weights():
    ours, theirs = _lenet("lucidnet"), _lenet("torch")
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert ours.num_parameters() == sum(p.numel() for p in theirs.parameters()) == 61706
    ours.to(np.float64), theirs.double()
    theirs.load_state_dict({k: torch.from_numpy(v.array.copy()) for k, v in ours.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((3, 1, 32, 32))
    compare_with_torch(ours, theirs, x, np.float64)


def test_blitz_lenet_through_lucidnet_run(tmp_path, capsys):
    script = tmp_path / "lenet.py"
    script.write_text(LENET.format(lib="torch") + '''
net = Net()
out = net(torch.randn(1, 1, 32, 32))
net.zero_grad()
out.backward(torch.randn(1, 10))
print(tuple(out.shape), tuple(net.conv1.bias.grad.shape))
''')
    assert main(["run", str(script)]) == 0
    assert capsys.readouterr().out == "(1, 10) (6,)\n"


# ------------------------------------------------------------------------------------------------ bad input

@pytest.mark.parametrize("layer, shape, message", [
    (nn.Conv2d(3, 16, 3), (8, 32, 32, 3),
     "Conv2d(3, 16, kernel_size=(3, 3), stride=(1, 1)): expected input of shape (N, 3, H, W) or (3, H, W), got "
     "(8, 32, 32, 3). Inputs are channels-first: the input looks channels-last; permute it with "
     "x.permute(0, 3, 1, 2), or use Conv2D/MaxPooling2D (Keras's layers, channels-last)."),
    (nn.Conv2d(3, 16, 3), (8, 1, 32, 32),
     "Conv2d(3, 16, kernel_size=(3, 3), stride=(1, 1)): expected input of shape (N, 3, H, W) or (3, H, W), got "
     "(8, 1, 32, 32)."),
    (nn.Conv2d(3, 16, 3), (8, 3 * 32 * 32),
     "Conv2d(3, 16, kernel_size=(3, 3), stride=(1, 1)): expected input of shape (N, 3, H, W) or (3, H, W), got "
     "(8, 3072)."),
    (nn.Conv2d(1, 4, 5, padding=1), (2, 1, 2, 2),
     "Conv2d(1, 4, kernel_size=(5, 5), stride=(1, 1), padding=(1, 1)): kernel size (5, 5) is larger than the "
     "padded input (4, 4) (input (2, 1, 2, 2), padding 1, 1). Use a smaller kernel or more padding."),
    (nn.Conv1d(2, 4, 5), (1, 2, 3),
     "Conv1d(2, 4, kernel_size=(5,), stride=(1,)): kernel size 5 is larger than the padded input 3 (input "
     "(1, 2, 3)). Use a smaller kernel or more padding."),
    (nn.MaxPool2d(2), (4, 16),
     "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False): expected input of shape "
     "(N, C, H, W) or (C, H, W), got (4, 16). Did you flatten too early?"),
    (nn.MaxPool2d(4), (1, 1, 3, 3),
     "MaxPool2d(kernel_size=4, stride=4, padding=0, dilation=1, ceil_mode=False): kernel size (4, 4) is larger "
     "than the padded input (3, 3) (input (1, 1, 3, 3))."),
    (nn.BatchNorm2d(3), (2, 5, 5, 3),
     "BatchNorm2d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True): expected input of shape "
     "(N, 3, H, W) or (3, H, W), got (2, 5, 5, 3). Channels come first: permute channels-last images with "
     "x.permute(0, 3, 1, 2)."),
    (nn.Conv2D(4, 3, in_channels=3), (2, 3, 8, 8),
     "Conv2D(filters=4, kernel_size=(3, 3), in_channels=3): expected input of shape (N, H, W, 3), got "
     "(2, 3, 8, 8). The input looks channels-first: pass data_format='channels_first', or use Conv2d."),
    (nn.Unflatten(1, (2, 5)), (3, 12),
     "Unflatten(dim=1, unflattened_size=(2, 5)): expected axis 1 of size 10, the product of (2, 5), got input of "
     "shape (3, 12)."),
])
def test_bad_input_names_the_layer_and_shapes(layer, shape, message):
    with raises(ValueError, message):
        layer(lucidnet.zeros(*shape))


@pytest.mark.parametrize("make, message", [
    (lambda: nn.Conv2d(3, 8, 3, stride=0), "Conv2d: expected stride to be an int or a pair of positive integers, "
                                           "got 0."),
    (lambda: nn.Conv2d(3, 8, 3, dilation=(1, 0)), "Conv2d: expected dilation to be an int or a pair of positive "
                                                  "integers, got (1, 0)."),
    (lambda: nn.Conv2d(3, 8, 3, groups=2), "Conv2d: expected groups to divide the channels, got groups=2 for "
                                           "in_channels=3 and out_channels=8."),
    (lambda: nn.Conv2d(3, 8, 3, stride=2, padding="same"),
     "Conv2d: padding='same' needs stride 1, got stride=(2, 2) (PyTorch refuses it too). Pad explicitly, e.g. "
     "padding=(1, 1)."),
    (lambda: nn.Conv1d(3, 8, 3, stride=2, padding="same"),
     "Conv1d: padding='same' needs stride 1, got stride=(1, 2) (PyTorch refuses it too). Pad explicitly, e.g. "
     "padding=(0, 1)."),
    (lambda: nn.Conv2d(3, 8, 0), "Conv2d: expected kernel_size to be an int or a pair of positive integers, got 0."),
    (lambda: nn.Conv2d(3, 8, 3, padding_mode="reflect"),
     "Conv2d: expected padding_mode 'zeros' (the only one lucidnet has), got 'reflect'."),
    (lambda: nn.MaxPool2d(2, padding=2),
     "MaxPool2d: expected padding at most half the kernel size, got padding=2 for kernel_size=2."),
    (lambda: nn.Conv2D(8, 3, padding="full"), "Conv2D: expected padding 'valid' or 'same', got 'full'."),
    (lambda: nn.Conv2D(8, 3, strides=-1), "Conv2D: expected strides to be an int or a pair of positive integers, "
                                          "got -1."),
])
def test_bad_arguments(make, message):
    with raises(ValueError, message):
        make()

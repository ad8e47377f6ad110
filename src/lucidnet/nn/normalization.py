"""Normalization layers: BatchNorm1d and BatchNorm2d (per channel, over the batch) and LayerNorm (per sample, over
features)."""
import numpy as np

from ..creation import empty, ones, zeros
from ..tensor import Tensor
from . import functional as F
from . import init
from ._checks import check_int, fail, parameter_dtype, shape_of
from .module import Module, Parameter

__all__ = ["BatchNorm1d", "BatchNorm2d", "LayerNorm"]


class BatchNorm1d(Module):
    """Batch normalization (Ioffe & Szegedy 2015): standardize each channel with the batch's mean and
    variance while training, and with running averages of them in eval mode; then scale and shift.

    The running averages are buffers (``running_mean``, ``running_var``, ``num_batches_tracked``), saved in
    the state dict under PyTorch's names. As in PyTorch, normalizing uses the biased batch variance and the
    running average the unbiased one.

    Args:
        num_features: C, the number of channels (axis 1 of the input).
        eps: added to the variance before the square root. Default: 1e-5.
        momentum: weight of the new batch in the running averages; None for a cumulative average over all
            batches seen. Default: 0.1.
        affine: learn a per-channel scale ``weight`` (ones) and shift ``bias`` (zeros). Default: True.
        bias: with affine, learn the shift too (keyword only, as PyTorch). Default: True.
        track_running_stats: keep running averages for eval mode; without them eval mode uses the batch's
            statistics too. Default: True.

    Shape:
        input (N, C) or (N, C, L) -> output, same shape

    Example:
        >>> import lucidnet
        >>> bn = BatchNorm1d(3)
        >>> y = bn(lucidnet.randn(16, 3) * 5 + 2)
        >>> [round(v, 4) for v in y.mean(0).tolist()], bn.num_batches_tracked
        ([0.0, 0.0, 0.0], tensor(1))
    """

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True, device=None,
                 dtype=None, *, bias=True):
        super().__init__()
        name = type(self).__name__
        d = parameter_dtype(name, device, dtype)
        self.num_features = check_int(name, "num_features", num_features)
        if momentum is not None and not 0.0 <= momentum <= 1.0:
            raise ValueError(f"{name}: expected momentum in [0, 1] or None, got {momentum}.")
        if not eps > 0:
            raise ValueError(f"{name}: expected eps > 0, got {eps}.")
        self.eps, self.momentum = float(eps), momentum if momentum is None else float(momentum)
        self.affine, self.track_running_stats = bool(affine), bool(track_running_stats)
        c = self.num_features
        self.register_parameter("weight", Parameter(empty(c, dtype=d)) if affine else None)
        self.register_parameter("bias", Parameter(empty(c, dtype=d)) if affine and bias else None)
        if track_running_stats:
            self.register_buffer("running_mean", zeros(c, dtype=d))
            self.register_buffer("running_var", ones(c, dtype=d))
            self.register_buffer("num_batches_tracked", Tensor._wrap(np.array(0, dtype=np.int64)))
        else:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(name, None)
        self.reset_parameters()

    def reset_running_stats(self):
        """Forget the running averages: mean 0, variance 1, no batches seen."""
        if self.track_running_stats:
            init.zeros_(self.running_mean)
            init.ones_(self.running_var)
            init.zeros_(self.num_batches_tracked)

    def reset_parameters(self):
        """Reset the running averages, the scale to ones and the shift to zeros."""
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def _check_input(self, x):
        shape = shape_of(self, x)
        c = self.num_features
        if len(shape) not in (2, 3) or shape[1] != c:
            hint = ""
            if len(shape) == 3 and shape[2] == c:
                hint = f" Channels come first: for (N, L, {c}) inputs, use x.transpose(1, 2)."
            elif len(shape) == 4:
                hint = " 4-d inputs (N, C, H, W) need a BatchNorm2d."
            fail(self, f"(N, {c}) or (N, {c}, L)", x, hint)
        return x

    def forward(self, x):
        x = self._check_input(x)
        update = self.training and self.track_running_stats
        if update:
            seen = int(self.num_batches_tracked.array) + 1
            factor = 1.0 / seen if self.momentum is None else self.momentum
        else:
            factor = 0.0
        # Training normalizes with the batch's statistics; so does eval mode without running averages.
        use_batch = self.training or self.running_mean is None
        out = F.batch_norm(x, self.running_mean if not self.training or update else None,
                           self.running_var if not self.training or update else None,
                           self.weight, self.bias, use_batch, factor, self.eps)
        if update:
            self.num_batches_tracked.array[...] = seen
            self.num_batches_tracked._bump()
        return out

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")   # as PyTorch 2.13

    def get_config(self):
        return {"num_features": self.num_features, "eps": self.eps, "momentum": self.momentum,
                "affine": self.affine, "track_running_stats": self.track_running_stats,
                "bias": self.bias is not None or not self.affine}


class BatchNorm2d(BatchNorm1d):
    """Batch normalization of images: each channel standardized over the batch and all its pixels (N, H, W),
    with running averages for eval mode; then scaled and shifted: PyTorch's ``nn.BatchNorm2d``. Arguments,
    buffers and state dict keys (``weight``, ``bias``, ``running_mean``, ``running_var``,
    ``num_batches_tracked``) as :class:`BatchNorm1d`.

    Args:
        num_features: C, the number of channels (axis 1).
        eps, momentum, affine, track_running_stats: as :class:`BatchNorm1d`.

    Shape:
        input (N, C, H, W) or (C, H, W) -> output, same shape

    Example:
        >>> import lucidnet
        >>> bn = BatchNorm2d(3)
        >>> y = bn(lucidnet.randn(8, 3, 5, 5) * 4 + 1)
        >>> [round(v, 4) for v in y.mean((0, 2, 3)).tolist()], list(bn.state_dict())
        ([0.0, 0.0, 0.0], ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked'])
    """

    def _check_input(self, x):
        shape = shape_of(self, x)
        c = self.num_features
        if len(shape) not in (3, 4) or shape[-3] != c:
            hint = ""
            if len(shape) in (3, 4) and shape[-1] == c:
                hint = " Channels come first: permute channels-last images with x.permute(0, 3, 1, 2)."
            elif len(shape) in (2, 3):
                hint = " (N, C) and (N, C, L) inputs need a BatchNorm1d."
            fail(self, f"(N, {c}, H, W) or ({c}, H, W)", x, hint)
        return x if len(shape) == 4 else x.unsqueeze(0)

    def forward(self, x):
        out = super().forward(x)
        return out if len(shape_of(self, x)) == 4 else out.squeeze(0)


class LayerNorm(Module):
    """Layer normalization (Ba et al. 2016): standardize each sample over its last axes
    (``normalized_shape``), then scale and shift elementwise. Same in training and eval; one fused op.

    Args:
        normalized_shape: the trailing shape to normalize over, an int or a tuple.
        eps: added to the variance before the square root. Default: 1e-5.
        elementwise_affine: learn ``weight`` (ones) and ``bias`` (zeros) of shape normalized_shape.
            Default: True.
        bias: learn the shift too (with elementwise_affine). Default: True.

    Shape:
        input (*, *normalized_shape) -> output, same shape

    Example:
        >>> import lucidnet
        >>> ln = LayerNorm(4)
        >>> y = ln(lucidnet.tensor([[1.0, 2.0, 3.0, 4.0]]))
        >>> round(y.mean().item(), 6), ln
        (0.0, LayerNorm((4,), eps=1e-05, elementwise_affine=True))
    """

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, device=None, dtype=None):
        super().__init__()
        d = parameter_dtype("LayerNorm", device, dtype)
        dims = (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) else tuple(normalized_shape)
        self.normalized_shape = tuple(check_int("LayerNorm", "normalized_shape", n) for n in dims)
        if not eps > 0:
            raise ValueError(f"LayerNorm: expected eps > 0, got {eps}.")
        self.eps, self.elementwise_affine = float(eps), bool(elementwise_affine)
        shape = self.normalized_shape
        self.register_parameter("weight", Parameter(ones(*shape, dtype=d)) if elementwise_affine else None)
        self.register_parameter("bias", Parameter(zeros(*shape, dtype=d)) if elementwise_affine and bias else None)

    def reset_parameters(self):
        """Scale to ones, shift to zeros."""
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, x):
        shape, k = shape_of(self, x), len(self.normalized_shape)
        if tuple(shape[len(shape) - k:]) != self.normalized_shape or len(shape) < k:
            fail(self, f"(*, {', '.join(map(str, self.normalized_shape))})", x)
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"

    def get_config(self):
        return {"normalized_shape": list(self.normalized_shape), "eps": self.eps,
                "elementwise_affine": self.elementwise_affine,
                "bias": self.bias is not None if self.elementwise_affine else True}

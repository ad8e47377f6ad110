"""Loss layers: MSELoss, L1Loss, HuberLoss, CrossEntropyLoss, NLLLoss, BCELoss, BCEWithLogitsLoss.

Each holds its settings and calls its nn.functional form, ``loss_fn(input, target)``; ``reduction`` is
'mean' (the default), 'sum' or 'none' (one loss per element or sample). Class weights are buffers, as in
PyTorch, so they appear in the state dict.
"""
import numpy as np

from ..tensor import Tensor
from ..validation import check_reduction
from . import functional as F
from .module import Module

__all__ = ["BCELoss", "BCEWithLogitsLoss", "CosineEmbeddingLoss", "CrossEntropyLoss", "HuberLoss", "KLDivLoss",
           "L1Loss", "MSELoss", "MarginRankingLoss", "NLLLoss", "SmoothL1Loss", "SoftMarginLoss", "TripletMarginLoss"]


class _Loss(Module):
    def __init__(self, reduction="mean"):
        super().__init__()
        self.reduction = check_reduction(type(self).__name__, reduction)

    def _buffer(self, name, value):
        """Keep an optional weight tensor as a buffer (None stays out of the state dict)."""
        if value is not None and not isinstance(value, Tensor):
            value = Tensor(np.asarray(value, dtype=np.float32))
        self.register_buffer(name, value)

    @staticmethod
    def _listed(t):
        return None if t is None else t.array.tolist()

    def get_config(self):
        return {"reduction": self.reduction}


class MSELoss(_Loss):
    """Mean squared error, mean((input - target)^2): the loss of regression.

    Input and target must have the same shape (PyTorch warns and broadcasts; lucidnet refuses, since
    (N, 1) against (N,) silently compares every prediction with every target).

    Args:
        reduction: 'mean', 'sum' or 'none'. Default: 'mean'.

    Shape:
        input (*), target (*) same shape -> scalar, or (*) with reduction='none'

    Example:
        >>> import lucidnet
        >>> MSELoss()(lucidnet.tensor([1.0, 2.0]), lucidnet.tensor([1.0, 4.0]))
        tensor(2.)
    """

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Mean absolute error, mean(|input - target|): regression that is robust to outliers.

    Args:
        reduction: 'mean', 'sum' or 'none'. Default: 'mean'.

    Shape:
        input (*), target (*) same shape -> scalar, or (*) with reduction='none'

    Example:
        >>> import lucidnet
        >>> L1Loss()(lucidnet.tensor([1.0, 2.0]), lucidnet.tensor([0.0, 4.0]))
        tensor(1.5000)
    """

    def forward(self, input, target):
        return F.l1_loss(input, target, reduction=self.reduction)


class HuberLoss(_Loss):
    """Huber loss: squared error for |input - target| < delta, linear beyond (0.5 d^2 or delta (|d| - delta/2)).

    Args:
        reduction: 'mean', 'sum' or 'none'. Default: 'mean'.
        delta: where the loss turns from quadratic to linear, > 0. Default: 1.0.

    Shape:
        input (*), target (*) same shape -> scalar, or (*) with reduction='none'

    Example:
        >>> import lucidnet
        >>> HuberLoss(delta=1.0)(lucidnet.tensor([0.5, 3.0]), lucidnet.tensor([0.0, 0.0]))
        tensor(1.3125)
    """

    def __init__(self, reduction="mean", delta=1.0):
        super().__init__(reduction)
        if not delta > 0:
            raise ValueError(f"HuberLoss: expected delta > 0, got {delta}.")
        self.delta = float(delta)

    def forward(self, input, target):
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)

    def get_config(self):
        return {"reduction": self.reduction, "delta": self.delta}


class CrossEntropyLoss(_Loss):
    """Softmax cross-entropy of logits (raw scores, no softmax before it) against class ids or class
    probabilities: the loss of classification, one fused and numerically stable op.

    Args:
        weight: per-class weights (C,), for unbalanced classes; the mean then divides by the targets' weights.
        ignore_index: a class id whose samples are left out (class-id targets only). Default: -100.
        reduction: 'mean', 'sum' or 'none'. Default: 'mean'.
        label_smoothing: in [0, 1]: mix the targets with the uniform distribution. Default: 0.0.

    Shape:
        input (N, C) or (N, C, d1, ...); target (N,) / (N, d1, ...) integer class ids in [0, C), or
        probabilities shaped like input -> scalar, or (N, ...) with reduction='none'

    Example:
        >>> import lucidnet
        >>> logits = lucidnet.tensor([[2.0, 0.0], [0.0, 2.0]])
        >>> CrossEntropyLoss()(logits, lucidnet.tensor([0, 1]))
        tensor(0.1269)
    """

    def __init__(self, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
        super().__init__(reduction)
        if not 0.0 <= label_smoothing <= 1.0:
            raise ValueError(f"CrossEntropyLoss: expected label_smoothing in [0, 1], got {label_smoothing}.")
        self._buffer("weight", weight)
        self.ignore_index, self.label_smoothing = int(ignore_index), float(label_smoothing)

    def forward(self, input, target):
        return F.cross_entropy(input, target, self.weight, self.ignore_index, self.reduction, self.label_smoothing)

    def get_config(self):
        return {"weight": self._listed(self.weight), "ignore_index": self.ignore_index, "reduction": self.reduction,
                "label_smoothing": self.label_smoothing}


class NLLLoss(_Loss):
    """Negative log-likelihood of class ids given log-probabilities (the output of LogSoftmax);
    ``NLLLoss()(log_softmax(z, 1), y)`` equals ``CrossEntropyLoss()(z, y)``.

    Args:
        weight: per-class weights (C,); the mean then divides by the targets' weights.
        ignore_index: a class id whose samples are left out. Default: -100.
        reduction: 'mean', 'sum' or 'none'. Default: 'mean'.

    Shape:
        input (N, C) or (N, C, d1, ...); target (N,) / (N, d1, ...) integer class ids in [0, C)
        -> scalar, or (N, ...) with reduction='none'

    Example:
        >>> import lucidnet
        >>> NLLLoss()(lucidnet.tensor([[-0.1, -2.0], [-3.0, -0.5]]), lucidnet.tensor([0, 1]))
        tensor(0.3000)
    """

    def __init__(self, weight=None, ignore_index=-100, reduction="mean"):
        super().__init__(reduction)
        self._buffer("weight", weight)
        self.ignore_index = int(ignore_index)

    def forward(self, input, target):
        return F.nll_loss(input, target, self.weight, ignore_index=self.ignore_index, reduction=self.reduction)

    def get_config(self):
        return {"weight": self._listed(self.weight), "ignore_index": self.ignore_index, "reduction": self.reduction}


class BCELoss(_Loss):
    """Binary cross-entropy between probabilities in [0, 1] (after a Sigmoid) and targets in [0, 1]; each
    log is clamped to >= -100 as PyTorch. On raw scores prefer BCEWithLogitsLoss, which is stable.

    Args:
        weight: rescales each element's loss; broadcast to the input's shape.
        reduction: 'mean', 'sum' or 'none'. Default: 'mean'.

    Shape:
        input (*), target (*) same shape -> scalar, or (*) with reduction='none'

    Example:
        >>> import lucidnet
        >>> BCELoss()(lucidnet.tensor([0.8, 0.1]), lucidnet.tensor([1.0, 0.0]))
        tensor(0.1643)
    """

    def __init__(self, weight=None, reduction="mean"):
        super().__init__(reduction)
        self._buffer("weight", weight)

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, self.weight, reduction=self.reduction)

    def get_config(self):
        return {"weight": self._listed(self.weight), "reduction": self.reduction}


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy on logits: a sigmoid and BCELoss in one numerically stable op (log-sigmoid via
    softplus), the loss for binary and multi-label classification.

    Args:
        weight: rescales each element's loss; broadcast to the input's shape.
        reduction: 'mean', 'sum' or 'none'. Default: 'mean'.
        pos_weight: weight of the positive term per class (broadcast along the last axis); > 1 raises recall.

    Shape:
        input (*), target (*) same shape -> scalar, or (*) with reduction='none'

    Example:
        >>> import lucidnet
        >>> BCEWithLogitsLoss()(lucidnet.tensor([2.0, -1.0]), lucidnet.tensor([1.0, 0.0]))
        tensor(0.2201)
    """

    def __init__(self, weight=None, reduction="mean", pos_weight=None):
        super().__init__(reduction)
        self._buffer("weight", weight)
        self._buffer("pos_weight", pos_weight)

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, self.weight, reduction=self.reduction,
                                                  pos_weight=self.pos_weight)

    def get_config(self):
        return {"weight": self._listed(self.weight), "reduction": self.reduction,
                "pos_weight": self._listed(self.pos_weight)}


class _FunctionLoss(_Loss):
    """A loss layer over an nn.functional loss with fixed options (besides ``reduction``)."""
    function = None

    def __init__(self, reduction="mean", **options):
        super().__init__(reduction)
        self.options = options

    def forward(self, *inputs):
        return type(self).function(*inputs, reduction=self.reduction, **self.options)

    def get_config(self):
        return {"reduction": self.reduction, **self.options}


class SmoothL1Loss(_FunctionLoss):
    """0.5 d^2 / beta where |d| < beta, else |d| - beta / 2: Huber's loss divided by beta."""
    function = staticmethod(F.smooth_l1_loss)

    def __init__(self, size_average=None, reduce=None, reduction="mean", beta=1.0):
        super().__init__(reduction, beta=beta)


class KLDivLoss(_FunctionLoss):
    """KL(target || exp(input)) for log-probabilities ``input`` (use reduction='batchmean' for the true KL)."""
    function = staticmethod(F.kl_div)

    def __init__(self, size_average=None, reduce=None, reduction="mean", log_target=False):
        _Loss.__init__(self, "mean" if reduction == "batchmean" else reduction)
        self.reduction, self.options = reduction, {"log_target": log_target}


class MarginRankingLoss(_FunctionLoss):
    """max(0, -target * (x1 - x2) + margin)."""
    function = staticmethod(F.margin_ranking_loss)

    def __init__(self, margin=0.0, size_average=None, reduce=None, reduction="mean"):
        super().__init__(reduction, margin=margin)


class CosineEmbeddingLoss(_FunctionLoss):
    """1 - cos(x1, x2) for target 1, max(0, cos(x1, x2) - margin) for target -1."""
    function = staticmethod(F.cosine_embedding_loss)

    def __init__(self, margin=0.0, size_average=None, reduce=None, reduction="mean"):
        super().__init__(reduction, margin=margin)


class TripletMarginLoss(_FunctionLoss):
    """max(d(anchor, positive) - d(anchor, negative) + margin, 0)."""
    function = staticmethod(F.triplet_margin_loss)

    def __init__(self, margin=1.0, p=2.0, eps=1e-6, swap=False, size_average=None, reduce=None, reduction="mean"):
        super().__init__(reduction, margin=margin, p=p, eps=eps, swap=swap)


class SoftMarginLoss(_FunctionLoss):
    """log(1 + e^(-target * input)) for targets -1 and 1."""
    function = staticmethod(F.soft_margin_loss)

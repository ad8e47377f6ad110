"""The rest of PyTorch's distance and loss functions (``torch.nn.functional``): normalize, cosine_similarity,
pairwise_distance, smooth_l1_loss, kl_div, margin_ranking_loss, cosine_embedding_loss, triplet_margin_loss,
soft_margin_loss. Compositions of primitives (no backward code), with PyTorch's arguments and defaults.

Example:
    >>> import lucidnet
    >>> a, b = lucidnet.tensor([[1., 0.]]), lucidnet.tensor([[1., 1.]])
    >>> cosine_similarity(a, b), pairwise_distance(a, b)
    (tensor([0.7071]), tensor([1.0000]))
"""
import numpy as np

from .. import ops
from ..functional import _float, mean
from ..validation import check_reduction

__all__ = ["cosine_embedding_loss", "cosine_similarity", "kl_div", "margin_ranking_loss", "normalize",
           "pairwise_distance", "smooth_l1_loss", "soft_margin_loss", "triplet_margin_loss"]


def _reduce(loss, reduction, where):
    check_reduction(where, reduction)
    if reduction == "mean":
        return mean(loss)
    return loss.sum() if reduction == "sum" else loss


def _norm(x, p, dim, keepdim=False):
    if p == 2:
        return (x * x).sum(dim, keepdim=keepdim).sqrt()
    if p == float("inf"):
        return x.abs().amax(dim, keepdim=keepdim)
    return x.abs().pow(p).sum(dim, keepdim=keepdim).pow(1.0 / p)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """input divided by its p-norm along ``dim`` (at least ``eps``): unit vectors.

    Example:
        >>> import lucidnet
        >>> normalize(lucidnet.tensor([[3., 4.]]))
        tensor([[0.6000, 0.8000]])
    """
    x = _float(input)
    return x / _norm(x, p, dim, keepdim=True).clamp(min=eps)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """The cosine of the angle between x1 and x2 along ``dim`` (broadcasting): x1 . x2 / (|x1| |x2|), each
    norm at least ``eps``, as PyTorch.

    Example:
        >>> import lucidnet
        >>> cosine_similarity(lucidnet.tensor([[1., 0.]]), lucidnet.tensor([[1., 1.]]))
        tensor([0.7071])
    """
    a, b = _float(x1), _float(x2)
    na = _norm(a, 2, dim, keepdim=True).clamp(min=eps)
    nb = _norm(b, 2, dim, keepdim=True).clamp(min=eps)
    return ((a / na) * (b / nb)).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """The p-norm of x1 - x2 + eps along the last dim (broadcasting).

    Example:
        >>> import lucidnet
        >>> pairwise_distance(lucidnet.tensor([[0., 0.]]), lucidnet.tensor([[3., 4.]]))
        tensor([5.0000])
    """
    return _norm(_float(x1) - _float(x2) + eps, p, -1, keepdim=keepdim)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """0.5 d^2 / beta where |d| < beta, else |d| - beta / 2 (d = input - target); beta = 0 is the L1 loss.

    Example:
        >>> import lucidnet
        >>> smooth_l1_loss(lucidnet.tensor([0.5, 3.]), lucidnet.tensor([0., 0.]), reduction='none')
        tensor([0.1250, 2.5000])
    """
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: expected beta >= 0, got {beta}.")
    d = _float(input) - target
    ad = d.abs()
    loss = ad if beta == 0 else ops.where(ad.array < beta, 0.5 * d * d / beta, ad - 0.5 * beta)
    return _reduce(loss, reduction, "smooth_l1_loss")


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """The KL divergence of ``target`` from the distribution whose log-probabilities are ``input``:
    target * (log target - input) pointwise (0 where target is 0). ``reduction='batchmean'`` divides the sum
    by the batch size (the true KL; 'mean' divides by every element, as PyTorch).

    Example:
        >>> import lucidnet
        >>> kl_div(lucidnet.tensor([[0.5, 0.5]]).log(), lucidnet.tensor([[0.25, 0.75]]), reduction='batchmean')
        tensor(0.1308)
    """
    x = _float(input)
    if log_target:
        loss = target.exp() * (target - x)
    else:
        t = target.array
        safe = ops.where(t > 0, target, np.ones((), t.dtype))             # log 0 is never taken
        loss = ops.where(t > 0, target * (safe.log() - x), np.zeros((), x.array.dtype))
    if reduction == "batchmean":
        return loss.sum() / (x.shape[0] if x.ndim else 1)
    return _reduce(loss, reduction, "kl_div")


def margin_ranking_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None, reduction="mean"):
    """max(0, -target * (input1 - input2) + margin): input1 should rank above input2 where target is 1.

    Example:
        >>> import lucidnet
        >>> margin_ranking_loss(lucidnet.tensor([1., 0.]), lucidnet.tensor([0., 1.]), lucidnet.tensor([1., 1.]))
        tensor(0.5000)
    """
    return _reduce((-target * (input1 - input2) + margin).clamp(min=0), reduction, "margin_ranking_loss")


def cosine_embedding_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None, reduction="mean"):
    """1 - cos(x1, x2) where target is 1, max(0, cos(x1, x2) - margin) where it is -1 (cos along dim 1).

    Example:
        >>> import lucidnet
        >>> cosine_embedding_loss(lucidnet.tensor([[1., 0.]]), lucidnet.tensor([[0., 1.]]), lucidnet.tensor([1.]))
        tensor(1.)
    """
    cos = cosine_similarity(input1, input2, dim=-1, eps=1e-12)
    t = target.array if hasattr(target, "array") else np.asarray(target)
    loss = ops.where(t == 1, 1 - cos, (cos - margin).clamp(min=0))
    return _reduce(loss, reduction, "cosine_embedding_loss")


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-6, swap=False, size_average=None,
                        reduce=None, reduction="mean"):
    """max(d(a, p) - d(a, n) + margin, 0) with d the pairwise p-norm distance (``swap``: the smaller of
    d(a, n) and d(p, n)).

    Example:
        >>> import lucidnet
        >>> triplet_margin_loss(lucidnet.tensor([[0., 0.]]), lucidnet.tensor([[0., 1.]]), lucidnet.tensor([[3., 4.]]))
        tensor(0.)
    """
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = d_neg.minimum(pairwise_distance(positive, negative, p, eps))
    return _reduce((d_pos - d_neg + margin).clamp(min=0), reduction, "triplet_margin_loss")


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """log(1 + e^(-target * input)): the logistic loss for targets of -1 and 1.

    Example:
        >>> import lucidnet
        >>> soft_margin_loss(lucidnet.tensor([0., 2.]), lucidnet.tensor([1., -1.]))
        tensor(1.4100)
    """
    z = -target * _float(input)
    return _reduce((-z.abs()).exp().log1p() + z.clamp(min=0), reduction, "soft_margin_loss")

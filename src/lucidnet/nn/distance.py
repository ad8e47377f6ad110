"""Distance layers: CosineSimilarity and PairwiseDistance, around their nn.functional forms (PyTorch's
``nn/modules/distance.py``)."""
from . import functional as F
from .activation import FunctionLayer

__all__ = ["CosineSimilarity", "PairwiseDistance"]


class CosineSimilarity(FunctionLayer):
    """The cosine of the angle between two inputs along ``dim``.

    Example:
        >>> import lucidnet
        >>> CosineSimilarity()(lucidnet.tensor([[1., 0.]]), lucidnet.tensor([[2., 0.]]))
        tensor([1.])
    """
    function = staticmethod(F.cosine_similarity)

    def __init__(self, dim=1, eps=1e-8):
        super().__init__(dim=dim, eps=eps)


class PairwiseDistance(FunctionLayer):
    """The p-norm of x1 - x2 + eps along the last dim."""
    function = staticmethod(F.pairwise_distance)

    def __init__(self, p=2.0, eps=1e-6, keepdim=False):
        super().__init__(p=p, eps=eps, keepdim=keepdim)

"""Sparse-gradient primitives: embedding lookup (a gather whose backward is a scatter-add)."""
import numpy as np

from ..autograd import primitive


@primitive
def embedding(indices, weight, padding_idx=None):
    """weight[indices]: one row of ``weight`` per index. The gradient of a row is the sum of the gradients of
    every position that looked it up; the row ``padding_idx`` gets none (as in PyTorch)."""
    flat = indices.ravel()
    vocab, dim = weight.shape

    def backward(g, needs):
        # Scatter-add g's rows into their vocabulary rows. Sorting the indices and summing runs of equal ones
        # with np.add.reduceat gives the same result as np.add.at(gw, flat, g) 2-3.5x faster.
        order = np.argsort(flat, kind="stable")
        ids = flat[order]
        starts = np.flatnonzero(np.concatenate(([True], ids[1:] != ids[:-1]))) if ids.size else ids
        gw = np.zeros((vocab, dim), dtype=g.dtype)
        if ids.size:
            gw[ids[starts]] = np.add.reduceat(g.reshape(-1, dim)[order], starts, axis=0)
        if padding_idx is not None:
            gw[padding_idx] = 0
        return None, gw
    return weight[indices], backward

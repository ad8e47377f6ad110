"""Matrix products: matmul (batched, broadcasting) and the fused linear layer x @ W.T + b."""
import numpy as np

from .._sums import sum_rows
from ..autograd import primitive, unbroadcast
from ..dtypes import DTypeError


def _check_matmul(a, b):
    if a.dtype != b.dtype:                     # as PyTorch: no silent promotion inside a matrix product
        raise DTypeError(f"matmul: expected both operands in one dtype, got {a.dtype} and {b.dtype}.")
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"matmul: expected tensors with at least 1 dimension, got shapes {tuple(a.shape)} and {tuple(b.shape)}.")
    k_a, k_b = a.shape[-1], b.shape[0] if b.ndim == 1 else b.shape[-2]
    if k_a != k_b:
        raise ValueError(f"matmul: cannot multiply {tuple(a.shape)} by {tuple(b.shape)}: inner dimensions {k_a} and {k_b} differ.")
    if a.ndim <= 2 and b.ndim <= 2:            # matrices and vectors: no batch axes to check
        return
    try:
        np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise ValueError(f"matmul: cannot multiply {tuple(a.shape)} by {tuple(b.shape)}: batch dimensions {a.shape[:-2]} and "
                         f"{b.shape[:-2]} do not broadcast.") from None


@primitive(name="MmBackward0")
def matmul(a, b):
    """a @ b over the last two axes, batched over the leading ones (NumPy's rules for 1-D operands)."""
    if a.dtype is not b.dtype:
        _check_matmul(a, b)                    # (NumPy would promote; PyTorch refuses)
    try:
        out = np.matmul(a, b)
    except ValueError:
        out = None
    if out is None:                            # shapes that do not multiply: say which, in PyTorch's terms
        _check_matmul(a, b)
        out = np.matmul(a, b)                  # (a reason the check does not know: NumPy's own error)

    def backward(g, needs):
        if a.ndim == 2 and b.ndim == 2:        # plain matrices, the common case
            return (g @ b.T if needs[0] else None,      # dL/da = g @ b^T
                    a.T @ g if needs[1] else None)      # dL/db = a^T @ g
        # Treat 1-D operands as a row (a) or a column (b) matrix, as the forward did.
        a2 = a.reshape(1, -1) if a.ndim == 1 else a
        b2 = b.reshape(-1, 1) if b.ndim == 1 else b
        g2 = g
        if b.ndim == 1:
            g2 = np.expand_dims(g2, -1)
        if a.ndim == 1:
            g2 = np.expand_dims(g2, -2)
        ga = gb = None
        if needs[0]:                           # dL/da = g @ b^T
            ga = unbroadcast(g2 @ np.swapaxes(b2, -1, -2), a2.shape).reshape(a.shape)
        if needs[1]:                           # dL/db = a^T @ g
            if b2.ndim == 2 and a2.ndim > 2:   # shared weight: one GEMM over all batch rows
                gb = a2.reshape(-1, a2.shape[-1]).T @ g2.reshape(-1, g2.shape[-1])
            else:
                gb = unbroadcast(np.swapaxes(a2, -1, -2) @ g2, b2.shape)
            gb = gb.reshape(b.shape)
        return ga, gb
    return out, backward


@primitive(name="AddmmBackward0")
def linear(x, weight, bias=None):
    """x @ weight.T + bias over the last axis of x (one GEMM, the hot path of every MLP)."""
    if x.ndim == 0 or x.shape[-1] != weight.shape[1]:
        raise ValueError(f"linear: expected input of shape (*, {weight.shape[1]}), got {tuple(x.shape)}.")
    if x.dtype != weight.dtype:                # as PyTorch: a float32 layer refuses float64 input
        raise DTypeError(f"linear: expected input of dtype {weight.dtype} (the weight's), got {x.dtype}. Convert the "
                         f"input with x.to(weight.dtype).")
    x2 = x if x.ndim == 2 else x.reshape(-1, x.shape[-1])       # fold batch axes into rows: a single GEMM
    out = x2 @ weight.T
    if bias is not None:
        out += bias

    def backward(g, needs):
        g2 = g if g.ndim == 2 else g.reshape(-1, g.shape[-1])
        gx = gw = gb = None
        if needs[0]:
            gx = g2 @ weight if x.ndim == 2 else (g2 @ weight).reshape(x.shape)
        if needs[1]:
            gw = g2.T @ x2
        if bias is not None and needs[2]:
            gb = sum_rows(g2)
        return gx, gw, gb
    return (out if x.ndim == 2 else out.reshape(*x.shape[:-1], weight.shape[0])), backward


def _parse_einsum(equation, shapes):
    """Operand subscripts (ellipses spelled out as letters) and the output's, for np.einsum and its backward."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    ins = lhs.split(",")
    if len(ins) != len(shapes):
        raise ValueError(f"einsum: the equation {equation!r} has {len(ins)} operands, got {len(shapes)} tensors.")
    used = set(eq) - set(".,->")
    spare = iter(c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" if c not in used)
    n_ell = max([len(s) - (len(sub) - 3) for sub, s in zip(ins, shapes) if "..." in sub] or [0])
    ell = "".join(next(spare) for _ in range(n_ell))
    out = []
    for sub, shape in zip(ins, shapes):
        if "..." in sub:
            k = len(shape) - (len(sub) - 3)
            sub = sub.replace("...", ell[n_ell - k:] if k else "")
        if len(sub) != len(shape):
            raise ValueError(f"einsum: subscripts {sub!r} name {len(sub)} dimensions of an operand of shape "
                             f"{tuple(shape)}.")
        out.append(sub)
    if arrow:
        res = rhs.replace("...", ell)
    else:                                      # implicit output: the ellipsis, then letters used once, sorted
        counts = {c: "".join(out).count(c) for c in set("".join(out))}
        res = ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    return out, res


@primitive
def einsum(*xs, equation):
    """Einstein summation over the operands (np.einsum's subscripts, ellipsis and broadcasting included)."""
    subs, res = _parse_einsum(equation, [x.shape for x in xs])
    sizes = {}
    for sub, x in zip(subs, xs):
        for c, n in zip(sub, x.shape):
            sizes[c] = max(sizes.get(c, 1), n)
    full = [np.broadcast_to(x, [sizes[c] for c in sub]) for sub, x in zip(subs, xs)]   # size-1 dims broadcast
    out = np.einsum(f"{','.join(subs)}->{res}", *full)

    def backward(g, needs):
        grads = []
        for i, (sub, x) in enumerate(zip(subs, xs)):
            if not needs[i]:
                grads.append(None)
                continue
            letters = "".join(dict.fromkeys(sub))                  # unique, in order
            others = [(s, f) for j, (s, f) in enumerate(zip(subs, full)) if j != i]
            have = set(res).union(*[set(s) for s, _ in others])
            reach = "".join(c for c in letters if c in have)
            gu = np.einsum(",".join([res] + [s for s, _ in others]) + "->" + reach, g, *[f for _, f in others])
            for c in letters:                                     # letters summed within this operand only
                if c not in have:
                    gu = np.expand_dims(gu, letters.index(c))
            gu = np.broadcast_to(gu, [sizes[c] for c in letters])
            if len(letters) == len(sub):                          # no repeated letter (no diagonal)
                gx = np.transpose(gu, [letters.index(c) for c in sub]) if letters != sub else gu
            else:                                                 # 'ii': the gradient lives on the diagonal
                gx = np.zeros([sizes[c] for c in sub], dtype=g.dtype)
                np.einsum(f"{sub}->{letters}", gx)[...] = gu
            grads.append(unbroadcast(np.ascontiguousarray(gx), x.shape))
        return tuple(grads)
    return out, backward


@primitive(name="LinalgCrossBackward0")
def cross(a, b, axis=-1):
    """The cross product of 3-vectors along ``axis``, broadcasting."""
    sa, sb = np.shape(a), np.shape(b)

    def backward(g, needs):                    # d(a x b) = da x b + a x db: ga = b x g, gb = g x a
        return (unbroadcast(np.cross(b, g, axis=axis), sa) if needs[0] else None,
                unbroadcast(np.cross(g, a, axis=axis), sb) if needs[1] else None)
    return np.cross(a, b, axis=axis), backward

"""Matrix decomposition primitives: inverse, determinant, linear solve, SVD and QR, batched over leading axes.

Their backward formulas are the textbook matrix-calculus results (Giles, "An extended collection of matrix
derivative results", 2008; for SVD and QR, the forms PyTorch uses: Townsend, "Differentiating the singular
value decomposition", 2016; Liao et al., "Differentiable programming tensor networks", 2019). Each was
checked against finite differences and against PyTorch (tests/optable.py).
"""
import numpy as np

from ..autograd import primitive, unbroadcast


def _mT(a):
    return np.swapaxes(a, -1, -2)


def _square(a, where):
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ValueError(f"{where}: expected square matrices (*, n, n), got shape {tuple(a.shape)}.")


@primitive(name="LinalgInvExBackward0")
def inv(a):
    """The inverse of each square matrix."""
    _square(a, "inv")
    try:
        out = np.linalg.inv(a)
    except np.linalg.LinAlgError:
        raise ValueError("inv: expected invertible matrices, got a singular one.") from None
    return out, lambda g: (-_mT(out) @ g @ _mT(out),)          # d A^-1 = -A^-1 dA A^-1


@primitive(name="LinalgDetBackward0")
def det(a):
    """The determinant of each square matrix."""
    _square(a, "det")
    out = np.linalg.det(a)

    def backward(g):
        # d det / dA = the cofactor matrix = det(A) A^-T, written with the SVD A = U diag(s) Vh so that it needs
        # no inverse (it stays right for singular A): det(U) det(Vh) U diag(prod_{j != i} s_j) Vh.
        u, s, vh = np.linalg.svd(a)
        ones = np.ones(s.shape[:-1] + (1,), dtype=s.dtype)
        before = np.cumprod(np.concatenate([ones, s[..., :-1]], axis=-1), axis=-1)
        after = np.flip(np.cumprod(np.concatenate([ones, np.flip(s, -1)[..., :-1]], axis=-1), axis=-1), -1)
        sign = np.linalg.det(u) * np.linalg.det(vh)
        cof = (u * (before * after)[..., None, :]) @ vh * sign[..., None, None]
        return (np.asarray(g)[..., None, None] * cof,)
    return np.asarray(out), backward


def _vector_rhs(a, b):
    """PyTorch's rule: b is a (batch of) vector(s) if it is 1-D or has exactly a's batch shape and n."""
    return b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])


@primitive(name="LinalgSolveExBackward0")
def solve(a, b):
    """X with A X = B for square A (B a matrix (*, n, k) or a vector (*, n)), batched and broadcasting."""
    _square(a, "solve")
    vector = _vector_rhs(a, b)
    b2 = b[..., None] if vector else b
    if b2.shape[-2] != a.shape[-1]:
        raise ValueError(f"solve: expected B with {a.shape[-1]} rows for A of shape {tuple(a.shape)}, got shape {tuple(b.shape)}.")
    try:
        x = np.linalg.solve(a, b2)
    except np.linalg.LinAlgError:
        raise ValueError("solve: expected invertible matrices A, got a singular one.") from None

    def backward(g, needs):
        g2 = g[..., None] if vector else g
        gb = np.linalg.solve(_mT(a), g2)                  # A^T gB = gX
        ga = -gb @ _mT(x) if needs[0] else None           # gA = -gB X^T
        return (None if ga is None else unbroadcast(ga, a.shape),
                unbroadcast(gb[..., 0] if vector else gb, b.shape) if needs[1] else None)
    return (x[..., 0] if vector else x), backward


@primitive(name="LinalgSvdBackward0")
def svd(a, full_matrices=True):
    """A = U diag(S) Vh for each matrix: U (*, m, m or k), S (*, k), Vh (*, n or k, n), k = min(m, n)."""
    if a.ndim < 2:
        raise ValueError(f"svd: expected matrices (*, m, n), got shape {tuple(a.shape)}.")
    u, s, vh = np.linalg.svd(a, full_matrices=full_matrices)
    m, n = a.shape[-2:]
    k = min(m, n)

    def backward(grads):
        gu, gs, gvh = grads
        uk, vhk = u[..., :k], vh[..., :k, :]              # the extra columns of full_matrices carry no gradient
        gu = None if gu is None else gu[..., :k]
        gvh = None if gvh is None else gvh[..., :k, :]
        if gu is None and gvh is None:                    # gA = U diag(gS) Vh
            return ((uk * gs[..., None, :]) @ vhk,)
        s2 = s * s
        e = s2[..., None, :] - s2[..., :, None]           # E_ij = s_j^2 - s_i^2, 1 on the diagonal
        idx = np.arange(k)
        e[..., idx, idx] = 1
        inner = 0
        if gu is not None:
            uhgu = _mT(uk) @ gu
            inner = (uhgu - _mT(uhgu)) / e * s[..., None, :]
        if gvh is not None:
            vhgv = vhk @ _mT(gvh)
            inner = inner + s[..., :, None] * ((vhgv - _mT(vhgv)) / e)
        if gs is not None:
            inner = inner + gs[..., None, :] * np.eye(k, dtype=s.dtype)
        if m > k and gu is not None:                      # gA = [U inner + (I - U U^T) gU S^-1] Vh
            gus = gu / s[..., None, :]
            ga = (uk @ inner + gus - uk @ (_mT(uk) @ gus)) @ vhk
        elif n > k and gvh is not None:                   # gA = U [inner Vh + S^-1 gVh (I - V Vh)]
            sgv = gvh / s[..., :, None]
            ga = uk @ (inner @ vhk + sgv - (sgv @ _mT(vhk)) @ vhk)
        else:
            ga = uk @ inner @ vhk
        return (ga,)
    return (u, s, vh), backward


def _copyltu(m):
    """The symmetric matrix whose lower triangle (diagonal included) is m's."""
    low = np.tril(m, -1)
    return low + _mT(low) + np.eye(m.shape[-1], dtype=m.dtype) * np.diagonal(m, axis1=-2, axis2=-1)[..., None, :]


def _qr_square_backward(q, r, gq, gr):
    """gA for A = QR with Q (m, n) orthonormal columns and R (n, n) upper triangular, m >= n:
    gA = (gQ + Q copyltu(M)) R^-T with M = R gR^T - gQ^T Q."""
    m_ = (r @ _mT(gr) if gr is not None else 0) - (_mT(gq) @ q if gq is not None else 0)
    b = q @ _copyltu(np.asarray(m_) + np.zeros_like(r))
    if gq is not None:
        b = b + gq
    return _mT(np.linalg.solve(r, _mT(b)))                # B R^-T, as a solve with R


@primitive(name="LinalgQrBackward0")
def qr(a, mode="reduced"):
    """A = QR for each matrix: Q with orthonormal columns, R upper triangular (mode 'reduced' or 'complete')."""
    if a.ndim < 2:
        raise ValueError(f"qr: expected matrices (*, m, n), got shape {tuple(a.shape)}.")
    if mode not in ("reduced", "complete"):
        raise ValueError(f"qr: expected mode 'reduced' or 'complete', got {mode!r}.")
    q, r = np.linalg.qr(a, mode=mode)
    m, n = a.shape[-2:]

    def backward(grads):
        gq, gr = grads
        if mode == "complete" and m > n:
            raise RuntimeError("qr: the QR decomposition is not differentiable with mode='complete' when there "
                               "are more rows than columns (as in PyTorch); use mode='reduced'.")
        if m >= n:
            return (_qr_square_backward(q, r, gq, gr),)
        # m < n: A = [X | Y], R = [U | V], X = Q U (square) and Y = Q V.
        u, gu = r[..., :, :m], None if gr is None else gr[..., :, :m]
        gv = None if gr is None else gr[..., :, m:]
        y = a[..., :, m:]
        gq2 = gq if gv is None else (y @ _mT(gv) if gq is None else gq + y @ _mT(gv))   # through V = Q^T Y
        gx = _qr_square_backward(q, u, gq2, gu)
        gy = q @ gv if gv is not None else np.zeros_like(y)
        return (np.concatenate([gx, gy], axis=-1),)
    return (q, r), backward

"""Recurrent primitive: one layer of an RNN, LSTM or GRU over a whole sequence, in one direction, as one op.

The forward pass makes every input projection with one GEMM (all T steps at once), then loops over time with
one GEMM per step for the hidden path. Its backward is backpropagation through time: the same loop run
backwards, one GEMM per step, and the weight gradients summed over all steps with one GEMM each at the end.
One graph node per layer and direction, instead of T * (gates) small ones: the recorded graph of an LSTM
over 50 steps is 1 node, not ~750.

Gate order and equations are PyTorch's, so weights copy across:
  RNN:  h' = act(W_ih x + b_ih + W_hh h + b_hh), act = tanh or relu
  LSTM: i, f, g, o = sigma, sigma, tanh, sigma (W_ih x + b_ih + W_hh h + b_hh); c' = f c + i g;
        h' = o tanh(c'), then h' = W_hr h' when projected (proj_size > 0)
  GRU:  r, z = sigma(W_i{r,z} x + b_i{r,z} + W_h{r,z} h + b_h{r,z});
        n = tanh(W_in x + b_in + r (W_hn h + b_hn)); h' = (1 - z) n + z h
"""
import numpy as np

from ..autograd import primitive

GATES = {"rnn_tanh": 1, "rnn_relu": 1, "lstm": 4, "gru": 3}


def _sigmoid(x):
    """1 / (1 + e^-x), written with tanh: no overflow for large |x|."""
    out = np.tanh(x * 0.5)
    out *= 0.5
    out += 0.5
    return out


@primitive
def rnn_sequence(x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, mode="lstm", reverse=False):
    """Run one recurrent layer over x (T, N, in), time-major, from state h0 (N, out) (and c0 (N, hidden) for
    LSTM), backwards in time when ``reverse``. Returns the state after every step, (T, N, out); for LSTM the
    cell state follows on the last axis, (T, N, out + hidden). ``w_hr`` is LSTM's projection (or None)."""
    steps, n, features = x.shape
    size = w_ih.shape[0] // GATES[mode]        # hidden size
    out_size = h0.shape[1]                     # proj_size for a projected LSTM, else the hidden size
    x2 = x.reshape(steps * n, features)
    xw = x2 @ np.ascontiguousarray(w_ih.T)     # every step's input projection: one GEMM
    if b_ih is not None:
        xw += b_ih
    if b_hh is not None and mode != "gru":     # GRU keeps b_hh inside its reset gate
        xw += b_hh
    xw = xw.reshape(steps, n, w_ih.shape[0])
    w_hh_t = np.ascontiguousarray(w_hh.T)      # a contiguous (H, gates): the per-step GEMM runs 2x faster
    order = range(steps - 1, -1, -1) if reverse else range(steps)
    lstm, gru = mode == "lstm", mode == "gru"
    dtype = xw.dtype
    states = np.empty((steps, n, out_size + size if lstm else size), dtype=dtype)
    acts = np.empty_like(xw) if lstm or gru else None      # gate activations, for backward
    extra = np.empty((steps, n, size), dtype=dtype) if lstm or gru else None   # LSTM tanh(c), GRU W_hn h + b_hn
    full = np.empty((steps, n, size), dtype=dtype) if w_hr is not None else None   # LSTM h before projection
    pre = np.empty((n, w_hh.shape[0]), dtype=dtype)
    if lstm:
        # sigma(v) = (1 + tanh(v / 2)) / 2: all four gates with one tanh, scaled per column (g is a plain tanh)
        half = np.full(4 * size, 0.5, dtype=dtype)
        half[2 * size:3 * size] = 1
        shift = np.where(half == 0.5, 0.5, 0).astype(dtype)
        w_hr_t = None if w_hr is None else np.ascontiguousarray(w_hr.T)
    h, c = h0, c0
    for t in order:
        np.matmul(h, w_hh_t, out=pre)          # the hidden path: one GEMM per step
        if mode == "rnn_tanh" or mode == "rnn_relu":
            pre += xw[t]
            h = states[t] = np.tanh(pre) if mode == "rnn_tanh" else np.maximum(pre, 0)
        elif lstm:
            pre += xw[t]
            pre *= half
            a = np.tanh(pre, out=acts[t])
            a *= half
            a += shift                         # i, f, o = sigma; g = tanh
            c = a[:, size:2 * size] * c
            c += a[:, :size] * a[:, 2 * size:3 * size]
            tc = np.tanh(c, out=extra[t])
            if w_hr is None:
                h = np.multiply(a[:, 3 * size:], tc, out=states[t, :, :size])
            else:
                hf = np.multiply(a[:, 3 * size:], tc, out=full[t])
                h = np.matmul(hf, w_hr_t, out=states[t, :, :out_size])
            states[t, :, out_size:] = c
        else:                                  # GRU
            if b_hh is not None:
                pre += b_hh
            a = acts[t]
            a[:, :2 * size] = _sigmoid(xw[t, :, :2 * size] + pre[:, :2 * size])   # reset r and update z
            hn = extra[t] = pre[:, 2 * size:]
            a[:, 2 * size:] = np.tanh(xw[t, :, 2 * size:] + a[:, :size] * hn)      # candidate n
            z, cand = a[:, size:2 * size], a[:, 2 * size:]
            h = states[t] = cand + z * (h - cand)                                  # (1 - z) n + z h

    def backward(g, needs):
        d_x = np.empty_like(xw)                # gradient of each step's gate pre-activations, input side
        d_h = np.empty_like(xw) if gru else d_x    # ... hidden side (GRU's n gate differs: r scales it)
        d_proj = np.empty((steps, n, out_size), dtype=dtype) if w_hr is not None else None
        dh = np.zeros_like(h0)
        dc = np.zeros_like(c0) if lstm else None
        hs = states[..., :out_size] if lstm else states
        if lstm:
            # The local derivatives of every step at once, into d_x: each gate's pre-activation per unit of
            # d loss / d c (i, f, g) or of d loss / d h (o). The loop below only scales them.
            a4, d4 = acts.reshape(steps, n, 4, size), d_x.reshape(steps, n, 4, size)
            i, f, cand, o = a4[:, :, 0], a4[:, :, 1], a4[:, :, 2], a4[:, :, 3]
            tc, c_all = extra, states[..., out_size:]
            c_prev = np.concatenate([c_all[1:], c0[None]]) if reverse else np.concatenate([c0[None], c_all[:-1]])
            d4[:, :, 0] = cand * i * (1 - i)
            d4[:, :, 1] = c_prev * f * (1 - f)
            d4[:, :, 2] = i * (1 - cand * cand)
            d4[:, :, 3] = tc * o * (1 - o)
            dc_dh = o * (1 - tc * tc)          # d c / d h through h = o tanh(c)
        for t in reversed(order):
            first = t == order[0]
            dh += g[t, :, :out_size] if lstm else g[t]
            if mode == "rnn_tanh":
                np.multiply(dh, 1 - hs[t] ** 2, out=d_x[t])
            elif mode == "rnn_relu":
                np.multiply(dh, hs[t] > 0, out=d_x[t])            # subgradient 0 at 0, as PyTorch
            elif lstm:
                if w_hr is not None:
                    d_proj[t] = dh
                    dh = dh @ w_hr
                dc += g[t, :, out_size:]
                dc += dh * dc_dh[t]
                d4[t, :, :3] *= dc[:, None]
                d4[t, :, 3] *= dh
                dc *= f[t]
            else:
                a = acts[t]
                r, z, cand = a[:, :size], a[:, size:2 * size], a[:, 2 * size:]
                h_prev = h0 if first else hs[t + (1 if reverse else -1)]
                dx, dhh = d_x[t], d_h[t]
                dx[:, 2 * size:] = dh * (1 - z) * (1 - cand * cand)
                dx[:, size:2 * size] = dh * (h_prev - cand) * z * (1 - z)
                dx[:, :size] = dx[:, 2 * size:] * extra[t] * r * (1 - r)
                dhh[:, :2 * size] = dx[:, :2 * size]
                np.multiply(dx[:, 2 * size:], r, out=dhh[:, 2 * size:])
                dh = dh * z
                dh += dhh @ w_hh
                continue
            dh = d_x[t] @ w_hh
        gates = d_x.shape[2]
        dx2, dh2 = d_x.reshape(-1, gates), d_h.reshape(-1, gates)
        g_x = (dx2 @ w_ih).reshape(x.shape) if needs[0] else None
        g_w_ih = dx2.T @ x2 if needs[3] else None
        g_w_hh = g_b_hh = None
        if needs[4]:                           # sum over steps of d_h[t].T @ (state before t): one GEMM
            before = np.concatenate([hs[1:], h0[None]]) if reverse else np.concatenate([h0[None], hs[:-1]])
            g_w_hh = dh2.T @ before.reshape(-1, out_size)
        g_b_ih = dx2.sum(0) if b_ih is not None and needs[5] else None
        if b_hh is not None and needs[6]:
            g_b_hh = g_b_ih if not gru and g_b_ih is not None else dh2.sum(0)
        g_w_hr = None
        if w_hr is not None and needs[7]:
            g_w_hr = d_proj.reshape(-1, out_size).T @ full.reshape(-1, size)
        return g_x, dh, dc, g_w_ih, g_w_hh, g_b_ih, g_b_hh, g_w_hr
    return states, backward

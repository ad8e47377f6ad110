"""``lucidnet.utils.tensorboard.SummaryWriter``: PyTorch's writer of TensorBoard event files.

Events are written with the ``tensorboard`` package's own event-file writer and protocol buffers (the
``tensorboard`` extra: ``pip install 'lucidnet[tensorboard]'``, imported when a writer is made), so
``tensorboard --logdir runs`` and TensorBoard's readers load what is written here: scalars, histograms,
images, matplotlib figures, text, and the graph of a model's layers.
"""
import datetime
import os
import socket
import struct
import time

import numpy as np

from ..data.png import encode_png
from ..tensor import Tensor

__all__ = ["SummaryWriter"]

INSTALL_HINT = "pip install 'lucidnet[tensorboard]'"


def _tensorboard(where):
    try:
        from tensorboard.compat.proto import event_pb2, summary_pb2
        from tensorboard.summary.writer.event_file_writer import EventFileWriter
    except ImportError:
        raise ImportError(f"{where}: expected the tensorboard package to write event files, got none installed. "
                          f"Install it with: {INSTALL_HINT}") from None
    return EventFileWriter, event_pb2, summary_pb2


def _array(value):
    if isinstance(value, Tensor):
        return value.detach().array
    return np.asarray(value)


def _scalar(where, value):
    a = _array(value)
    if a.size != 1:
        raise ValueError(f"{where}: expected a single number, got an array of shape {tuple(a.shape)}.")
    if a.dtype.kind not in "fiub":
        raise ValueError(f"{where}: expected a single number, got dtype {a.dtype}.")
    return float(a.reshape(()))


def _tf_bucket_limits():
    """TensorFlow's default histogram buckets: +-1e-12 * 1.1**k up to 1e20, and 0 (as PyTorch's 'tensorflow')."""
    pos = [1e-12]
    while pos[-1] < 1e20:
        pos.append(pos[-1] * 1.1)
    return np.array([-v for v in reversed(pos)] + [0.0] + pos + [np.finfo(np.float64).max])


_TF_LIMITS = None


def _histogram_proto(summary_pb2, where, values, bins, max_bins):
    v = _array(values).astype(np.float64).ravel()
    v = v[np.isfinite(v)]
    if v.size == 0:
        raise ValueError(f"{where}: expected at least one finite value to make a histogram, got none.")
    if isinstance(bins, str) and bins == "tensorflow":
        global _TF_LIMITS
        if _TF_LIMITS is None:
            _TF_LIMITS = _tf_bucket_limits()
        counts = np.bincount(np.searchsorted(_TF_LIMITS, v, side="left"), minlength=len(_TF_LIMITS))
        limits = _TF_LIMITS
        nonzero = np.flatnonzero(counts)
        first, last = max(nonzero[0] - 1, 0), min(nonzero[-1] + 1, len(counts) - 1)   # one empty bucket each side
        counts, limits = counts[first:last + 1], limits[first:last + 1]
    else:
        counts, edges = np.histogram(v, bins=bins)
        limits = edges[1:]
    if max_bins is not None and len(counts) > max_bins:           # merge neighbours, as PyTorch does
        factor = -(-len(counts) // max_bins)
        pad = (-len(counts)) % factor
        counts = np.concatenate([counts, np.zeros(pad, counts.dtype)]).reshape(-1, factor).sum(axis=1)
        limits = np.concatenate([limits, np.repeat(limits[-1], pad)]).reshape(-1, factor)[:, -1]
    return summary_pb2.HistogramProto(min=float(v.min()), max=float(v.max()), num=int(v.size), sum=float(v.sum()),
                                      sum_squares=float(np.dot(v, v)), bucket_limit=limits.tolist(),
                                      bucket=counts.astype(np.float64).tolist())


def _to_hwc_uint8(where, img, dataformats):
    a = _array(img)
    fmt = dataformats.upper()
    if a.ndim != len(fmt) or sorted(fmt) not in (sorted("CHW"), sorted("HW"), sorted("HWC")):
        raise ValueError(f"{where}: expected an image in the layout dataformats={dataformats!r} ({len(fmt)} axes), "
                         f"got shape {tuple(a.shape)}.")
    if "C" not in fmt:
        a, fmt = a[..., None], fmt + "C"
    a = np.transpose(a, [fmt.index(c) for c in "HWC"])
    if a.shape[2] not in (1, 3, 4):
        raise ValueError(f"{where}: expected 1, 3 or 4 channels, got {a.shape[2]} (shape {tuple(a.shape)} as HWC).")
    if a.dtype != np.uint8:
        a = (np.clip(a.astype(np.float64), 0, 1) * 255).round().astype(np.uint8)     # floats are in [0, 1]
    return a


class SummaryWriter:
    """Write TensorBoard event files, with PyTorch's ``torch.utils.tensorboard.SummaryWriter`` API.

    Args:
        log_dir: the directory for the event file. Default: ``runs/<date>_<time>_<host><comment>``.
        comment: appended to the default log_dir.
        purge_step: accepted for PyTorch code (TensorBoard discards events past it after a crash).
        max_queue: events kept in memory before a write. Default: 10.
        flush_secs: how often pending events are written, in seconds. Default: 120.
        filename_suffix: appended to the event file's name.

    Example:
        >>> import os, tempfile
        >>> from lucidnet.utils.tensorboard import SummaryWriter
        >>> logdir = tempfile.mkdtemp()
        >>> with SummaryWriter(logdir) as writer:
        ...     for step in range(3):
        ...         writer.add_scalar("loss", 1.0 / (step + 1), step)
        >>> any(name.startswith("events.out.tfevents.") for name in os.listdir(logdir))
        True
    """

    def __init__(self, log_dir=None, comment="", purge_step=None, max_queue=10, flush_secs=120, filename_suffix=""):
        EventFileWriter, self._event_pb2, self._summary_pb2 = _tensorboard("SummaryWriter")
        if log_dir is None:
            stamp = datetime.datetime.now().strftime("%b%d_%H-%M-%S")
            log_dir = os.path.join("runs", f"{stamp}_{socket.gethostname()}{comment}")
        self.log_dir = os.fspath(log_dir)
        self._writer = EventFileWriter(self.log_dir, max_queue, flush_secs, filename_suffix)
        self._max_queue, self._flush_secs, self._suffix = max_queue, flush_secs, filename_suffix
        self._children = {}                  # add_scalars' writers, one per sub-tag
        self._closed = False
        if purge_step is not None:
            self._add_event(self._event_pb2.Event(step=int(purge_step), session_log=self._event_pb2.SessionLog(
                status=self._event_pb2.SessionLog.START)), None)

    # ------------------------------------------------------------------------------------------ plumbing

    def get_logdir(self):
        """The directory the event file is written to."""
        return self.log_dir

    def _add_event(self, event, walltime):
        if self._closed:
            raise RuntimeError("SummaryWriter: expected an open writer, got one that was closed; make a new "
                               "SummaryWriter to write more.")
        event.wall_time = time.time() if walltime is None else float(walltime)
        self._writer.add_event(event)

    def _add_summary(self, value, global_step, walltime):
        event = self._event_pb2.Event(summary=self._summary_pb2.Summary(value=[value]))
        if global_step is not None:
            event.step = int(global_step)
        self._add_event(event, walltime)

    # ------------------------------------------------------------------------------------------ summaries

    def add_scalar(self, tag, scalar_value, global_step=None, walltime=None, new_style=False,
                   double_precision=False):
        """Record one number (a loss, an accuracy, a learning rate) at a step.

        Args:
            tag: the series' name; "/" groups series in TensorBoard ("loss/train").
            scalar_value: a number, or a single-element tensor or array.
            global_step: the step (an epoch or batch number).
            walltime: seconds since the epoch. Default: now.
        """
        value = _scalar(f"SummaryWriter.add_scalar({tag!r})", scalar_value)
        self._add_summary(self._summary_pb2.Summary.Value(tag=tag, simple_value=value), global_step, walltime)

    def add_scalars(self, main_tag, tag_scalar_dict, global_step=None, walltime=None):
        """Record several numbers as series of one chart: each goes to its own run, ``<log_dir>/<main_tag>_<tag>``
        (as PyTorch's), under the tag ``main_tag``."""
        for tag, value in tag_scalar_dict.items():
            path = os.path.join(self.log_dir, f"{main_tag}_{tag}".replace("/", "_"))
            child = self._children.get(path)
            if child is None:
                child = self._children[path] = SummaryWriter(path, max_queue=self._max_queue,
                                                             flush_secs=self._flush_secs, filename_suffix=self._suffix)
            child.add_scalar(main_tag, value, global_step, walltime)

    def add_histogram(self, tag, values, global_step=None, bins="tensorflow", walltime=None, max_bins=None):
        """Record the distribution of an array (weights, activations, gradients).

        Args:
            tag: the series' name.
            values: a tensor or array (non-finite values are left out).
            global_step: the step.
            bins: "tensorflow" (TensorFlow's exponential buckets, PyTorch's default), a number of equal bins, or
                any of NumPy's bin rules ("auto", "fd", ...).
            walltime: seconds since the epoch. Default: now.
            max_bins: merge neighbouring buckets down to at most this many.
        """
        histo = _histogram_proto(self._summary_pb2, f"SummaryWriter.add_histogram({tag!r})", values, bins, max_bins)
        self._add_summary(self._summary_pb2.Summary.Value(tag=tag, histo=histo), global_step, walltime)

    def _add_png(self, tag, png, global_step, walltime):
        width, height = struct.unpack(">II", png[16:24])         # from the IHDR chunk
        channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(png[25], 3)
        image = self._summary_pb2.Summary.Image(height=height, width=width, colorspace=channels,
                                                encoded_image_string=png)
        self._add_summary(self._summary_pb2.Summary.Value(tag=tag, image=image), global_step, walltime)

    def add_image(self, tag, img_tensor, global_step=None, walltime=None, dataformats="CHW"):
        """Record an image: floats in [0, 1] or uint8, in the layout ``dataformats`` ("CHW", "HWC" or "HW")."""
        img = _to_hwc_uint8(f"SummaryWriter.add_image({tag!r})", img_tensor, dataformats)
        self._add_png(tag, encode_png(img), global_step, walltime)

    def add_images(self, tag, img_tensor, global_step=None, walltime=None, dataformats="NCHW"):
        """Record a batch of images as one grid image (as PyTorch's): layout ``dataformats`` ("NCHW", "NHWC")."""
        where = f"SummaryWriter.add_images({tag!r})"
        a = _array(img_tensor)
        fmt = dataformats.upper()
        if a.ndim != 4 or sorted(fmt) != sorted("NCHW"):
            raise ValueError(f"{where}: expected a batch of images in the layout {dataformats!r}, got shape {tuple(a.shape)}.")
        a = np.transpose(a, [fmt.index(c) for c in "NHWC"])
        tiles = [_to_hwc_uint8(where, im, "HWC") for im in a]
        n, (h, w, c) = len(tiles), tiles[0].shape
        cols = min(8, n)
        rows = -(-n // cols)
        grid = np.zeros((rows * (h + 2), cols * (w + 2), c), np.uint8)
        for i, tile in enumerate(tiles):
            r, col = divmod(i, cols)
            grid[r * (h + 2) + 1:r * (h + 2) + 1 + h, col * (w + 2) + 1:col * (w + 2) + 1 + w] = tile
        self._add_png(tag, encode_png(grid), global_step, walltime)

    def add_figure(self, tag, figure, global_step=None, close=True, walltime=None):
        """Record a matplotlib figure (e.g. one of :mod:`lucidnet.plots`, made without a path) as an image."""
        import io
        buf = io.BytesIO()
        figure.savefig(buf, format="png", dpi=figure.dpi)
        if close and hasattr(figure, "clear"):
            figure.clear()
        self._add_png(tag, buf.getvalue(), global_step, walltime)

    def add_text(self, tag, text_string, global_step=None, walltime=None):
        """Record text (Markdown), shown in TensorBoard's Text tab."""
        from tensorboard.compat.proto import tensor_pb2, tensor_shape_pb2, types_pb2
        meta = self._summary_pb2.SummaryMetadata(
            plugin_data=self._summary_pb2.SummaryMetadata.PluginData(plugin_name="text"))
        tensor = tensor_pb2.TensorProto(dtype=types_pb2.DT_STRING, string_val=[str(text_string).encode()],
                                        tensor_shape=tensor_shape_pb2.TensorShapeProto(
                                            dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=1)]))
        self._add_summary(self._summary_pb2.Summary.Value(tag=tag + "/text_summary", metadata=meta, tensor=tensor),
                          global_step, walltime)

    def add_graph(self, model, input_to_model=None, verbose=False, use_strict_trace=True):
        """Record the graph of a model's layers (TensorBoard's Graphs tab): one forward pass of
        ``input_to_model`` (a tensor, an array, or a tuple of them), one node per layer call, named by the
        layer's path in the model, with its output shape.
        """
        from tensorboard.compat.proto import attr_value_pb2, graph_pb2, node_def_pb2, tensor_shape_pb2, versions_pb2
        from ..viz.trace import trace_layers
        if input_to_model is None:
            raise ValueError("SummaryWriter.add_graph(): expected input_to_model, an example input to trace the "
                             "model with, got None.")
        inputs = input_to_model if isinstance(input_to_model, (tuple, list)) else (input_to_model,)
        calls, _ = trace_layers(model, *inputs)

        def shapes(*ss):
            return attr_value_pb2.AttrValue(list=attr_value_pb2.AttrValue.ListValue(shape=[
                tensor_shape_pb2.TensorShapeProto(dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=int(d)) for d in s])
                for s in ss]))

        def node_name(name):
            return name.replace(".", "/").replace("#", "_")

        nodes = [node_def_pb2.NodeDef(name="input", op="Input",
                                      attr={"_output_shapes": shapes(*[np.shape(_array(x)) for x in inputs])})]
        for call in calls:
            outs = call.output_shape if isinstance(call.output_shape, list) else [call.output_shape]
            attrs = {"_output_shapes": shapes(*outs),
                     "attr": attr_value_pb2.AttrValue(s=repr(call.module).split("\n")[0].encode())}
            nodes.append(node_def_pb2.NodeDef(name=node_name(call.name), op=type(call.module).__name__,
                                              input=[node_name(i) for i in call.inputs], attr=attrs))
            if verbose:
                print(f"{call.name}: {type(call.module).__name__} {call.input_shapes} -> {call.output_shape}")
        graph = graph_pb2.GraphDef(node=nodes, versions=versions_pb2.VersionDef(producer=22))
        self._add_event(self._event_pb2.Event(graph_def=graph.SerializeToString()), None)

    # ------------------------------------------------------------------------------------------ lifetime

    def flush(self):
        """Write pending events to disk now."""
        self._writer.flush()
        for child in self._children.values():
            child.flush()

    def close(self):
        """Write pending events and close the file (again: nothing)."""
        if self._closed:
            return
        self._writer.close()
        for child in self._children.values():
            child.close()
        self._closed = True

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __repr__(self):
        return f"SummaryWriter(log_dir={self.log_dir!r})"


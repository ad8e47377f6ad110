"""``Model.summary()``'s table: the layers with their output shapes and parameter counts, and the totals, as
Keras prints them (buffers such as BatchNorm's running statistics count as non-trainable parameters)."""

__all__ = ["summary_lines"]

_WIDTH = 68


def summary_lines(model, rows):
    """The summary's lines for ``model``, given ``rows``: (name, module, output shape) of every module, as one
    forward pass recorded them (leaves are listed, each once)."""
    lines = [f'Model: "{type(model).__name__}"', "_" * _WIDTH,
             f" {'Layer (type)':<30}{'Output Shape':<22}{'Param #':>15}", "=" * _WIDTH]
    seen = set()
    for name, module, shape in rows:
        if any(True for _ in module.children()) or id(module) in seen:
            continue                          # leaves only, each once (a shared layer is listed once)
        seen.add(id(module))
        count = _weights_count(module, recurse=False)
        lines.append(f" {name + ' (' + type(module).__name__ + ')':<30}{_shape_text(shape):<22}{count:>15,}")
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = _weights_count(model, recurse=True)
    fixed = total - trainable
    lines += ["=" * _WIDTH, f"Total params: {total:,} ({_bytes(model, None)})",
              f"Trainable params: {trainable:,} ({_bytes(model, True)})",
              f"Non-trainable params: {fixed:,} ({_bytes(model, False)})", "_" * _WIDTH]
    return lines


def _weights_count(module, recurse):
    """Parameters plus floating buffers (BatchNorm's running statistics count as non-trainable, as in Keras)."""
    n = sum(p.numel() for p in module.parameters(recurse=recurse))
    n += sum(b.numel() for b in module.buffers(recurse=recurse) if b is not None and b.dtype.kind == "f")
    return n


def _bytes(model, trainable):
    total = 0
    for p in model.parameters():
        if trainable is None or p.requires_grad == trainable:
            total += p.array.nbytes
    if trainable is not True:
        total += sum(b.array.nbytes for b in model.buffers() if b is not None and b.dtype.kind == "f")
    for unit in ("B", "KB", "MB", "GB"):
        if total < 1024 or unit == "GB":
            return f"{total:.2f} {unit}"
        total /= 1024


def _shape_text(shape):
    if isinstance(shape, list):
        return ", ".join(_shape_text(s) for s in shape)
    return "(" + ", ".join(["None"] + [str(s) for s in shape[1:]]) + ("," if len(shape) == 1 else "") + ")"

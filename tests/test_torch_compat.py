"""PyTorch compatibility for basic autograd: one tutorial-style script, run once with ``import torch`` and
once with ``import lucidnet as torch``, must print the same text.

One difference is by design: the module in dtype names (``torch.float64`` is ``lucidnet.float64``), unless
``set_printoptions(namespace="torch")`` asks for PyTorch's spelling. Everything else, numbers, layout and
grad_fn names included, must match exactly.
"""
import contextlib
import io
import re

SCRIPT = '''
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
w = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]], dtype=torch.float32, requires_grad=True)
b = torch.zeros(2, requires_grad=True)
print(x)
print(w)
print(x.dtype == torch.float32, w.dtype == torch.float32, x.requires_grad, x.is_leaf, x.grad is None)

# forward, printing results and their grad_fn
y = w @ x + b
print(y)
print(tuple(y.shape), y.ndim, y.size(0), y.is_leaf, y.requires_grad)
target = torch.tensor([1.0, -1.0])
loss = ((y - target) ** 2).sum() / 2
print(loss)
print(f"loss = {loss:.4f}", f"{loss.item():.6f}", round(loss.item(), 4))

# backward with no gradient argument (scalar), then .grad
loss.backward()
print(w.grad)
print(x.grad)
print(b.grad)

# backward with a gradient vector: a vector-Jacobian product, added into x.grad
z = x * 2 + x ** 2
print(z)
z.backward(torch.tensor([1.0, 0.1, 0.01]))
print(x.grad)
x.grad.zero_()
print(x.grad)

# a gradient-descent step
lr = 0.1
with torch.no_grad():
    w -= lr * w.grad
    b -= lr * b.grad
print(w)
print(b)
print(w.requires_grad, w.is_leaf, w.grad_fn is None)
w.grad.zero_()
b.grad.zero_()
print(w.grad)

# results computed under no_grad, detach, requires_grad_(False)
with torch.no_grad():
    h = w @ x
print(h, h.requires_grad)
d = w.detach()
print(d.requires_grad, d)
w.requires_grad_(False)
print(w.requires_grad, (w * 2).requires_grad, w)

# a few more ops and numbers
a = torch.arange(6, dtype=torch.float32).reshape(2, 3)
print(a)
print(a * 2 - 1)
print(a / 4)
print(-a)
print(a.sum(), a.mean(), a.mean(dim=0), a.max(), a.T)
print(a.max(dim=1).values, a.max(dim=1).indices, a.argmax())
print(a.var(), a.std(dim=1))
print(torch.ones(2, 2, dtype=torch.float64))
print(torch.tensor([1, 2, 3]) * 2, torch.tensor([1, 2, 3]) / 2)
print(torch.tensor(3.14159), torch.tensor([1e-6, 1.0]), torch.tensor([123456.0, 0.5]))
print(f"{torch.tensor(2.0) / 3:.6f}")
t = torch.tensor(0.5, requires_grad=True)
s = (t * t).sigmoid()
s.backward()
print(s, t.grad)
print(torch.exp(torch.tensor([0.0, 1.0])), torch.log(torch.tensor([1.0, 10.0])))
print(torch.softmax(torch.tensor([1.0, 2.0, 3.0]), dim=0))
print(torch.tensor([[1.0, -2.0], [3.0, 4.5]]).relu(), torch.tensor([True, False]), torch.zeros(0))

# the classic training loop
X = torch.tensor([1.0, 2.0, 3.0, 4.0])
Y = torch.tensor([2.0, 4.0, 6.0, 8.0])
w = torch.tensor(0.0, dtype=torch.float32, requires_grad=True)
for epoch in range(60):
    loss = ((w * X - Y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= 0.01 * w.grad
    w.grad.zero_()
    if epoch % 10 == 0:
        print(f"epoch {epoch + 1}: w = {w.item():.3f}, loss = {loss.item():.8f}")
print(f"Prediction after training: f(5) = {(w * 5).item():.3f}")
print(w)
'''


def run(import_line):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(import_line + "\n" + SCRIPT, "<compat script>", "exec"), {})
    return out.getvalue()


def test_the_same_script_prints_the_same_with_torch_and_lucidnet():
    theirs, ours = run("import torch"), run("import lucidnet as torch")
    assert ours.replace("dtype=lucidnet.", "dtype=torch.").splitlines() == theirs.splitlines()
    assert "Prediction after training: f(5) = " in ours


def test_with_the_torch_namespace_the_text_is_identical():
    import lucidnet
    with lucidnet.printoptions(namespace="torch"):
        ours = run("import lucidnet as torch")
    assert ours == run("import torch")
    assert lucidnet.float64.__repr__() == "lucidnet.float64"          # restored after the block


def test_grad_fn_names_are_pytorchs():
    theirs, ours = run("import torch"), run("import lucidnet as torch")
    names = re.findall(r"grad_fn=<(\w+)>", ours)
    assert names == re.findall(r"grad_fn=<(\w+)>", theirs) == ["AddBackward0", "DivBackward0", "AddBackward0",
                                                                "SigmoidBackward0"]

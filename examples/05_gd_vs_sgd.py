"""Gradient descent vs stochastic gradient descent: 25 iterations with lr = 0.05, and the comparison plot."""
import ember as torch
from _common import parse_args, pyplot, save

args = parse_args(__doc__)
torch.manual_seed(0)
n = 200
X = torch.randn(n, 1)
y = 3 * X + 0.5 + 0.3 * torch.randn(n, 1)


def loss_fn(w, b, xb, yb):
    return ((xb * w + b - yb) ** 2).mean()


def run(batch_size, iterations=25, lr=0.05):
    w = torch.tensor(0.0, requires_grad=True)
    b = torch.tensor(0.0, requires_grad=True)
    path, losses = [(0.0, 0.0)], []
    g = torch.Generator().manual_seed(1)
    for _ in range(iterations):
        idx = torch.randint(0, n, (batch_size,), generator=g) if batch_size < n else torch.arange(n)
        loss = loss_fn(w, b, X[idx], y[idx])
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
        path.append((w.item(), b.item()))
        losses.append(loss_fn(w, b, X, y).item())
    return path, losses


gd_path, gd_loss = run(batch_size=n)
sgd_path, sgd_loss = run(batch_size=1)
print(f"full-batch GD: final loss {gd_loss[-1]:.4f} at w={gd_path[-1][0]:.3f} b={gd_path[-1][1]:.3f}")
print(f"SGD (batch 1): final loss {sgd_loss[-1]:.4f} at w={sgd_path[-1][0]:.3f} b={sgd_path[-1][1]:.3f}")
plt = pyplot()
if plt is not None:
    fig, ax = plt.subplots(1, 2, figsize=(10, 4))
    ax[0].plot([p[0] for p in gd_path], [p[1] for p in gd_path], "o-", label="GD")
    ax[0].plot([p[0] for p in sgd_path], [p[1] for p in sgd_path], "x-", label="SGD")
    ax[0].set(xlabel="w", ylabel="b", title="Parameter paths (25 iterations, lr=0.05)")
    ax[0].legend()
    ax[1].plot(gd_loss, label="GD")
    ax[1].plot(sgd_loss, label="SGD")
    ax[1].set(xlabel="iteration", ylabel="full-data MSE", title="Loss")
    ax[1].legend()
    fig.tight_layout()
    save(fig, args.out, "gd_vs_sgd.png")

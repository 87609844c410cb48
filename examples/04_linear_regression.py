"""Linear regression with torch.nn.Linear, MSE loss and SGD on synthetic data y = 2x - 1 + noise."""
import ember as torch
from _common import parse_args, pyplot, save

args = parse_args(__doc__)
torch.manual_seed(123)
X = torch.rand(100, 1) * 10
y = 2 * X - 1 + torch.randn(100, 1)

model = torch.nn.Linear(1, 1)
loss_fn = torch.nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
for epoch in range(50 if args.quick else 500):
    optimizer.zero_grad()
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
print(f"weight {model.weight.item():.3f}, bias {model.bias.item():.3f}, loss {loss.item():.3f}")

plt = pyplot()
if plt is not None:
    fig, ax = plt.subplots()
    ax.scatter(X.numpy(), y.numpy(), s=10)
    xs = torch.linspace(0, 10, 50).view(-1, 1)
    with torch.no_grad():
        ax.plot(xs.numpy(), model(xs).numpy(), color="red")
    ax.set(title="Linear regression", xlabel="x", ylabel="y")
    save(fig, args.out, "linear_regression.png")

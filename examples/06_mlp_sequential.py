"""A multi-layer perceptron with torch.nn.Sequential, trained on the embedded digits data set."""
import ember as torch
from ember.datasets import digits
from ember.utils.data import DataLoader
from _common import parse_args, pyplot, save

args = parse_args(__doc__)
torch.manual_seed(0)
data = digits()
train, test = data.train_test_split(0.2, seed=0)
model = torch.nn.Sequential(
    torch.nn.Flatten(),
    torch.nn.Linear(64, 64),
    torch.nn.ReLU(),
    torch.nn.Linear(64, 32),
    torch.nn.ReLU(),
    torch.nn.Linear(32, 10),
)
print(model)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = torch.nn.CrossEntropyLoss()
loader = DataLoader(train, batch_size=64, shuffle=True)
epoch_losses = []
for epoch in range(2 if args.quick else 15):
    total = 0.0
    for x, y in loader:
        loss = loss_fn(model(x / 16), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(y)
    epoch_losses.append(total / len(train))
    print(f"epoch {epoch + 1}: loss {epoch_losses[-1]:.4f}")
x_test, y_test = test.tensors
with torch.no_grad():
    acc = (model(x_test / 16).argmax(1) == y_test).float().mean().item()
print(f"test accuracy {acc:.3f}")
plt = pyplot()
if plt is not None:
    fig, ax = plt.subplots()
    ax.plot(range(1, len(epoch_losses) + 1), epoch_losses, marker="o")
    ax.set(xlabel="epoch", ylabel="loss", title="MLP on digits")
    save(fig, args.out, "mlp_loss.png")

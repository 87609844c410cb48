"""A small CNN on the embedded 8x8 digits (beyond the course)."""
import ember as torch
from ember import nn
from ember.datasets import digits, train_test_split
from ember.utils.data import DataLoader
from _common import parse_args, pyplot, save

args = parse_args(__doc__)
data = digits()
train, test = train_test_split(data.X.view(-1, 1, 8, 8) / 16, data.y, 0.2, seed=0)
torch.manual_seed(0)
model = nn.Sequential(
    nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(128, 10))
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
loss_fn = nn.CrossEntropyLoss()
loader = DataLoader(train, batch_size=32, shuffle=True)
for epoch in range(1 if args.quick else 8):
    for x, y in loader:
        loss = loss_fn(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(f"epoch {epoch + 1}: last batch loss {loss.item():.4f}")
x, y = test.tensors
model.eval()
with torch.no_grad():
    pred = model(x).argmax(1)
print(f"test accuracy {(pred == y).float().mean().item():.3f}")
plt = pyplot()
if plt is not None:
    fig, axes = plt.subplots(2, 8, figsize=(8, 2.4))
    for i, ax in enumerate(axes.flat):
        ax.imshow(x[i, 0].numpy(), cmap="gray_r")
        ax.set_title(str(pred[i].item()), color="green" if pred[i] == y[i] else "red")
        ax.axis("off")
    save(fig, args.out, "digits_cnn_predictions.png")

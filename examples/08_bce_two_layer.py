"""A two-layer network trained with binary cross-entropy for 200 epochs (the article's hands-on example).

Shows the output probability distributions before and after training and the loss curve.
"""
import ember as torch
from ember import nn
from _common import parse_args, pyplot, save

args = parse_args(__doc__)
torch.manual_seed(42)
n = 500
# two overlapping Gaussian blobs in 5 dimensions
X = torch.cat([torch.randn(n // 2, 5) + 1.0, torch.randn(n // 2, 5) - 1.0])
y = torch.cat([torch.ones(n // 2, 1), torch.zeros(n // 2, 1)])


class Network(nn.Module):
    def __init__(self, n_in, n_hidden):
        super().__init__()
        self.hidden = nn.Linear(n_in, n_hidden)
        self.relu = nn.ReLU()
        self.output = nn.Linear(n_hidden, 1)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x):
        return self.sigmoid(self.output(self.relu(self.hidden(x))))


model = Network(5, 8)
print(model)
criterion = nn.BCELoss()
with torch.no_grad():
    before = model(X).view(-1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
losses = []
for epoch in range(20 if args.quick else 200):
    optimizer.zero_grad()             # reset the gradients
    output = model(X)                 # forward pass
    loss = criterion(output, y)       # loss tensor
    loss.backward()                   # gradients of the loss
    optimizer.step()                  # one step of the optimizer
    losses.append(loss.item())
with torch.no_grad():
    after = model(X).view(-1)
print(f"loss: {losses[0]:.4f} -> {losses[-1]:.4f}")
plt = pyplot()
if plt is not None:
    fig, ax = plt.subplots(1, 3, figsize=(12, 3.5))
    ax[0].plot(losses)
    ax[0].set(xlabel="epoch", ylabel="BCE", title="loss")
    for a, p, t in ((ax[1], before, "before training"), (ax[2], after, "after training")):
        a.hist(p[y.view(-1) == 1].numpy(), bins=30, alpha=0.6, label="class 1")
        a.hist(p[y.view(-1) == 0].numpy(), bins=30, alpha=0.6, label="class 0")
        a.set(title=f"output probabilities {t}", xlim=(0, 1))
        a.legend()
    fig.tight_layout()
    save(fig, args.out, "bce_two_layer.png")

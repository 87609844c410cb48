"""A logistic regression classifier (the course exercise): define the model, train it, check accuracy.

Data: the embedded breast-cancer data set (30 features, malignant = 1), standardised.
"""
import ember as torch
import ember.nn.functional as F
from ember.datasets import breast_cancer
from ember.utils.data import DataLoader
from _common import parse_args, pyplot, save

args = parse_args(__doc__)


class LogisticRegression(torch.nn.Module):
    def __init__(self, num_features):
        super().__init__()
        self.linear = torch.nn.Linear(num_features, 1)

    def forward(self, x):
        return torch.sigmoid(self.linear(x))


data = breast_cancer()
train, test = data.train_test_split(0.2, seed=1)
x_train, y_train = train.tensors
mu, sd = x_train.mean(0), x_train.std(0)
train = torch.utils.data.TensorDataset((x_train - mu) / sd, y_train.float())
x_test, y_test = test.tensors
x_test = (x_test - mu) / sd

torch.manual_seed(1)
model = LogisticRegression(num_features=30)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
train_loader = DataLoader(train, batch_size=32, shuffle=True)
num_epochs = 3 if args.quick else 20
losses = []
for epoch in range(num_epochs):
    for x, y in train_loader:
        probas = model(x)                                   # forward pass
        loss = F.binary_cross_entropy(probas, y.view(probas.shape))
        optimizer.zero_grad()                               # backward pass
        loss.backward()
        optimizer.step()                                    # update model parameters
        losses.append(loss.item())
    print(f"epoch {epoch + 1:2d}  loss {loss.item():.4f}")

with torch.no_grad():
    pred = (model(x_test).view(-1) > 0.5).long()
acc = (pred == y_test).float().mean().item()
print(f"test accuracy: {acc:.3f}")
plt = pyplot()
if plt is not None:
    fig, ax = plt.subplots()
    ax.plot(losses)
    ax.set(xlabel="iteration", ylabel="BCE loss", title="Logistic regression")
    save(fig, args.out, "logistic_regression_loss.png")

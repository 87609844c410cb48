"""The course's end-to-end exercise on Iris.

1. load the data; 2. a network 4 -> 2 hidden (ReLU) -> 3 logits (softmax for probabilities);
3. train with a few steps of gradient descent on CrossEntropyLoss; 4. check the performance;
5. plot the 2-D "latent" space after the first layer.
"""
import ember as torch
from ember import nn
from ember.datasets import iris
from _common import parse_args, pyplot, save

args = parse_args(__doc__)
data = iris()
train, test = data.train_test_split(0.2, seed=0)
x_train, y_train = train.tensors
x_test, y_test = test.tensors
mean, std = x_train.mean(0), x_train.std(0)
x_train, x_test = (x_train - mean) / std, (x_test - mean) / std


class IrisNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer1 = nn.Linear(4, 2)
        self.relu = nn.ReLU()
        self.layer2 = nn.Linear(2, 3)

    def forward(self, x):
        return self.layer2(self.relu(self.layer1(x)))


torch.manual_seed(0)
model = IrisNet()
print(model)
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
for step in range(100 if args.quick else 500):
    optimizer.zero_grad()
    loss = loss_fn(model(x_train), y_train)
    loss.backward()
    optimizer.step()
    if step % 100 == 0:
        print(f"step {step:4d}  loss {loss.item():.4f}")

with torch.no_grad():
    probs = torch.softmax(model(x_test), dim=1)
acc = (probs.argmax(1) == y_test).float().mean().item()
print(f"test accuracy: {acc:.3f}")

plt = pyplot()
if plt is not None:
    with torch.no_grad():
        latent = model.relu(model.layer1(x_train)).numpy()
    fig, ax = plt.subplots()
    for c, name in enumerate(data.class_names):
        m = (y_train == c).numpy()
        ax.scatter(latent[m, 0], latent[m, 1], label=name, s=15)
    ax.set(xlabel="hidden 1", ylabel="hidden 2", title="Iris: latent space after layer 1")
    ax.legend()
    save(fig, args.out, "iris_latent_space.png")

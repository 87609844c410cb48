"""Drawing a computation graph (like torchviz's make_dot) for the two-parameter model."""
import os
import shutil

import ember as torch
from ember.viz import make_dot
from _common import parse_args

args = parse_args(__doc__)
x, y = torch.tensor(1.0), torch.tensor(2.0)
theta1 = torch.tensor(3.0, requires_grad=True)
theta2 = torch.tensor(4.0, requires_grad=True)
y_pred = x * theta1 * theta2
loss = (y_pred - y) ** 2
dot = make_dot(loss, params={"theta1": theta1, "theta2": theta2, "loss": loss})
path = os.path.join(args.out, "computation_graph.dot")
with open(path, "w") as f:
    f.write(dot.source)
print(f"saved {path}")
if shutil.which("dot"):
    print("saved", dot.render(os.path.join(args.out, "computation_graph"), format="png", cleanup=True))
else:
    print("(install graphviz's 'dot' program to render the graph as an image)")
print(dot.source)

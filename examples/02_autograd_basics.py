"""Autograd: x**2, a two-parameter model, f = 3x^2 + 2y, the logistic-regression chain rule, vector backward."""
import ember as torch
import ember.nn.functional as F
from ember.autograd import grad
from _common import parse_args, pyplot, save

args = parse_args(__doc__)

x = torch.tensor(3.0, requires_grad=True)
y = x ** 2
y.backward()
print(x.grad)                     # tensor(6.)

# two-parameter model: y_pred = x * theta1 * theta2, loss = (y_pred - y)^2
x, y = torch.tensor(1.0), torch.tensor(2.0)
theta1 = torch.tensor(3.0, requires_grad=True)
theta2 = torch.tensor(4.0, requires_grad=True)
loss = (x * theta1 * theta2 - y) ** 2
loss.backward()
print(theta1.grad)                # tensor(80.)
print(theta2.grad)                # tensor(60.)

# f(x, y) = 3x^2 + 2y: partial derivatives
x = torch.tensor(2.0, requires_grad=True)
y = torch.tensor(5.0, requires_grad=True)
f = 3 * x ** 2 + 2 * y
f.backward()
print(x.grad, y.grad)             # tensor(12.) tensor(2.)

# logistic regression: the chain rule by autograd.grad (retain_graph) and by .backward()
y = torch.tensor([1.0])
x1 = torch.tensor([1.1])
w_1 = torch.tensor([2.2], requires_grad=True)
b = torch.tensor([0.0], requires_grad=True)
z = x1 * w_1 + b
a = torch.sigmoid(z)
l = F.binary_cross_entropy(a, y)
grad_L_w1 = grad(l, w_1, retain_graph=True)
print(grad_L_w1)
grad_L_b = grad(l, b, retain_graph=True)
print(grad_L_b)
l.backward()
print(w_1.grad, b.grad)

# vector backward: the derivative of x^2 at many points, and its plot
xs = torch.linspace(-10, 10, 10 if args.quick else 100, requires_grad=True)
ys = xs ** 2
ys.sum().backward()
plt = pyplot()
if plt is not None:
    fig, ax = plt.subplots()
    ax.plot(xs.detach().numpy(), ys.detach().numpy(), label="function")
    ax.plot(xs.detach().numpy(), xs.grad.numpy(), label="derivative")
    ax.legend()
    save(fig, args.out, "function_and_derivative.png")

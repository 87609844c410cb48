"""A custom autograd.Function and higher-order gradients, for `ember run` tests."""
import torch


class Cube(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 3 * x ** 2 * g


x = torch.tensor([1.0, 2.0, -0.5], requires_grad=True)
y = Cube.apply(x).sum()
y.backward()
print(x.grad)
z = torch.tensor(1.5, requires_grad=True)
(g,) = torch.autograd.grad(z ** 4, z, create_graph=True)
(h,) = torch.autograd.grad(g, z)
print(g, h)

"""Tensors: creation, NumPy/pandas conversion, views, indexing, vector and matrix maths."""
import numpy as np
import pandas as pd

import ember as torch
from _common import parse_args

args = parse_args(__doc__)

# creating tensors; a matrix is a rank-2 tensor
a = torch.tensor([[1., 2., 3.],
                  [2., 3., 4.]])
print(a.shape)                      # torch.Size([2, 3])

# to and from NumPy (from_numpy shares memory)
np_array = np.array([1, 2, 3, 4])
tensor = torch.from_numpy(np_array)
tensor = torch.tensor(np_array)
new_np_array = tensor.numpy()
print(type(np_array))               # <class 'numpy.ndarray'>
print(type(tensor))                 # <class 'ember.Tensor'> (PyTorch prints torch.Tensor)
print(type(new_np_array))           # <class 'numpy.ndarray'>

# from a pandas Series, and back to a Python list
series = pd.Series([0.1, 2.0, 0.3, 10.1])
print(torch.tensor(series.values), torch.tensor(series.values).tolist())

# element access, dtypes, size and views
v = torch.tensor([0, 1, 2, 3, 4])
print(v[0], v[-1], v[1:3])
f = torch.FloatTensor([0, 1, 2, 3, 4]) if hasattr(torch, "FloatTensor") else torch.tensor([0., 1, 2, 3, 4])
print(f.dtype, f.type(), f.size(), f.ndimension())
w = torch.arange(6)
print(w.view(2, 3), w.view(-1, 2))

# vector maths
u, z = torch.tensor([1., 2.]), torch.tensor([3., 4.])
print(u + z, 2 * u, 3 * u + 2 * z, u * z, torch.dot(u, z), u + 1)

# matrices: slicing, products, transpose, inverse, determinant
m = torch.tensor([[11, 12, 13], [21, 22, 23], [31, 32, 33]])
print(m[1:3, 1], m[0, 0:2])
A = torch.tensor([[0., 1., 1.], [1., 0., 1.]])
B = torch.tensor([[1., 1.], [1., 1.], [-1., 1.]])
print(torch.mm(A, B), A @ B, A.t())
S = torch.tensor([[2., 1.], [1., 3.]])
print(torch.linalg.inv(S), torch.linalg.det(S))

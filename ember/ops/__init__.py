"""Every differentiable op, one module per family; importing this package attaches Tensor methods."""
from . import blas, creation, indexing, pointwise, random_ops, reduction, shape  # noqa: F401
from . import complex_ops, finite_diff, gamma, legacy_methods, linalg_ops, sorting, splitting, structure  # noqa: F401
from . import lu, view_scatter  # noqa: F401

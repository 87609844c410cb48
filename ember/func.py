"""``torch.func``: ``functional_call``, ``vmap``, ``grad``, ``grad_and_value``, ``vjp``, ``jacrev``, ``jacfwd``,
``hessian``, on Ember's eager autograd.

``vmap`` runs the function once per slice of the mapped dimension and stacks the results: the numbers are those of
PyTorch's batched rules (which compute the same per-slice math), and gradients flow through the stack. It is a
loop, so it is as fast as the loop would be. Random operations inside ``vmap`` follow PyTorch's ``randomness``
modes: ``"error"`` (the default) raises PyTorch's error, ``"same"`` gives every slice the same random numbers (the
generator advances once, as PyTorch's); ``"different"`` draws per slice in PyTorch but in one batched call, whose
numbers a loop cannot reproduce, so Ember raises NotImplementedError for it rather than differ.

``grad`` and friends compose (``grad(grad(f))``): an input that already requires grad is differentiated through a
view, so the outer transform still sees it.

>>> import ember
>>> from ember.func import grad, vmap
>>> vmap(grad(lambda x: (x ** 3).sum()))(ember.tensor([[1., 2.], [3., 4.]]))
tensor([[ 3., 12.],
        [27., 48.]])
"""
from __future__ import annotations

import contextlib

from ._tensor import Tensor

__all__ = ["functional_call", "grad", "grad_and_value", "hessian", "jacfwd", "jacrev", "vjp", "vmap"]


# ----------------------------------------------------------------------------- functional_call
def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *, tie_weights: bool = True,
                    strict: bool = False):
    """Call ``module`` with some of its parameters and buffers replaced by the given tensors (by qualified name,
    e.g. ``"0.weight"``); the module's own tensors are restored afterwards.

    >>> import ember
    >>> lin = ember.nn.Linear(1, 1)
    >>> ember.func.functional_call(lin, {"weight": ember.tensor([[2.]]), "bias": ember.tensor([1.])},
    ...                            (ember.tensor([[3.]]),))
    tensor([[7.]])
    """
    dicts = parameter_and_buffer_dicts
    if isinstance(dicts, dict):
        merged = dict(dicts)
    elif isinstance(dicts, (tuple, list)) and all(isinstance(d, dict) for d in dicts):
        merged = {}
        for d in dicts:
            dup = set(merged) & set(d)
            if dup:
                raise ValueError(f"{sorted(dup)} appeared in multiple dictionaries; behavior of functional call is "
                                 f"ambiguous")
            merged.update(d)
    else:
        raise ValueError(f"Expected parameter_and_buffer_dicts to be a dict, or a list/tuple of dicts, but got "
                         f"{type(dicts)}")
    named = dict(module.named_parameters(remove_duplicate=False))
    named.update(module.named_buffers(remove_duplicate=False))
    if strict:
        missing = sorted(set(named) - set(merged))
        unexpected = sorted(set(merged) - set(named))
        if missing or unexpected:
            parts = []
            if unexpected:
                parts.append("Unexpected key(s): " + ", ".join(f"'{k}'" for k in unexpected) + ".")
            if missing:
                parts.append("Missing key(s): " + ", ".join(f"'{k}'" for k in missing) + ".")
            raise RuntimeError("Error(s) in reparametrizing for " + type(module).__name__ + ":\n\t"
                               + "\n\t".join(parts))
    if tie_weights:  # a tensor shared under several names takes the value given for any of them
        by_id: dict = {}
        for name, t in named.items():
            by_id.setdefault(id(t), []).append(name)
        for names in by_id.values():
            given = [n for n in names if n in merged]
            for n in names:
                if given and n not in merged:
                    merged[n] = merged[given[0]]
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _swapped(module, merged):
        return module(*args, **(kwargs or {}))


@contextlib.contextmanager
def _swapped(module, tensors: dict):
    saved = []
    try:
        for name, value in tensors.items():
            owner, _, attr = name.rpartition(".")
            mod = module.get_submodule(owner) if owner else module
            table = mod._parameters if attr in mod._parameters else mod._buffers if attr in mod._buffers else None
            if table is None:
                saved.append((mod, attr, None, mod.__dict__.get(attr, _MISSING)))
                object.__setattr__(mod, attr, value)
            else:
                saved.append((mod, attr, table, table[attr]))
                table[attr] = value
        yield
    finally:
        for mod, attr, table, old in reversed(saved):
            if table is not None:
                table[attr] = old
            elif old is _MISSING:
                mod.__dict__.pop(attr, None)
            else:
                object.__setattr__(mod, attr, old)


_MISSING = object()


# ----------------------------------------------------------------------------- vmap
def _flatten(tree, dims, where: str, fn_name: str):
    """Pairs (leaf, dim) of ``tree`` with ``dims`` broadcast over it (an int/None for a whole subtree)."""
    if isinstance(tree, (tuple, list)):
        if isinstance(dims, (tuple, list)):
            if len(dims) != len(tree):
                raise ValueError(f"vmap({fn_name}, in_dims={dims}, ...)(<inputs>): in_dims is not compatible with "
                                 f"the structure of `inputs`.")
            return [p for t, d in zip(tree, dims) for p in _flatten(t, d, where, fn_name)]
        return [p for t in tree for p in _flatten(t, dims, where, fn_name)]
    if isinstance(tree, dict):
        if isinstance(dims, dict):
            return [p for k in tree for p in _flatten(tree[k], dims.get(k), where, fn_name)]
        return [p for k in tree for p in _flatten(tree[k], dims, where, fn_name)]
    if isinstance(dims, (tuple, list, dict)):
        raise ValueError(f"vmap({fn_name}, in_dims={dims}, ...)(<inputs>): in_dims is not compatible with the "
                         f"structure of `inputs`.")
    return [(tree, dims)]


def _rebuild(tree, leaves):
    if isinstance(tree, (tuple, list)):
        return type(tree)(_rebuild(t, leaves) for t in tree)
    if isinstance(tree, dict):
        return {k: _rebuild(v, leaves) for k, v in tree.items()}
    return next(leaves)


def vmap(func, in_dims=0, out_dims=0, randomness: str = "error", *, chunk_size=None):
    """``func`` mapped over a dimension of its inputs (``in_dims``: an int, None, or a structure matching the
    arguments), the results stacked along ``out_dims``.

    >>> import ember
    >>> ember.vmap(ember.dot)(ember.ones(3, 2), ember.tensor([[1., 2.], [3., 4.], [5., 6.]]))
    tensor([ 3.,  7., 11.])
    """
    from . import _random  # noqa: PLC0415
    from .ops.shape import stack  # noqa: PLC0415

    if randomness not in ("error", "same", "different"):
        raise RuntimeError(f"Only allowed values for randomness are 'error', 'different', or 'same'. Got "
                           f"{randomness}")
    name = getattr(func, "__name__", repr(func))

    def wrapped(*args, **kwargs):
        dims = in_dims if isinstance(in_dims, (tuple, list)) else (in_dims,) * len(args)
        if isinstance(in_dims, (tuple, list)) and len(in_dims) != len(args):
            raise ValueError(f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): in_dims is not compatible with the "
                             f"structure of `inputs`.")
        pairs = _flatten(list(args), list(dims), "in_dims", name)
        size = None
        sizes = []
        for leaf, d in pairs:
            if d is None:
                continue
            if not isinstance(d, int):
                raise ValueError(f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): expected in_dims to be int or a "
                                 f"(potentially nested) tuple matching the structure of inputs, got: {type(d)}.")
            if not isinstance(leaf, Tensor):
                raise ValueError(f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for an input but "
                                 f"the input is of type {type(leaf)}. We cannot vmap over non-Tensor arguments, "
                                 f"please use None as the respective in_dim")
            nd = leaf.dim()
            if not -nd <= d < nd:
                raise ValueError(f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for some input, "
                                 f"but that input is a Tensor of dimensionality {nd} so expected in_dim to satisfy "
                                 f"-{nd} <= in_dim < {nd}.")
            sizes.append(leaf.shape[d])
        if not sizes:
            raise ValueError(f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): at least one input must be a Tensor "
                             f"mapped over a dimension (in_dims not None)")
        if len(set(sizes)) > 1:
            raise ValueError(f"vmap: Expected all tensors to have the same size in the mapped dimension, got sizes "
                             f"{sizes} for the mapped dimension")
        size = sizes[0]
        gen = _random.default_generator
        start = gen.get_state()
        results = []
        for i in range(size):
            if randomness == "same":
                gen.set_state(start)
            before = gen.get_state() if randomness != "same" else None
            leaves = iter([leaf.select(d, i) if d is not None else leaf for leaf, d in pairs])
            sliced = _rebuild(list(args), leaves)
            out = func(*sliced, **kwargs)
            if randomness != "same" and not _same_state(before, gen.get_state()):
                if randomness == "error":
                    raise RuntimeError("vmap: called random operation while in randomness error mode. Please "
                                       "either use the 'same' or 'different' randomness flags on vmap or perform "
                                       "the randomness operation out of vmap")
                raise NotImplementedError("vmap(randomness='different'): PyTorch draws the whole batch's random "
                                          "numbers in one call, which a per-slice loop cannot reproduce; use "
                                          "randomness='same' or draw outside vmap")
            results.append(out)
        first = results[0]
        outs_flat = [_flatten(r, out_dims, "out_dims", name) for r in results]
        stacked = []
        for j, (leaf, d) in enumerate(outs_flat[0]):
            if d is None:
                stacked.append(leaf)
                continue
            if not isinstance(leaf, Tensor):
                raise ValueError(f"vmap({name}, ...): `{name}` must only return Tensors, got type {type(leaf)}. Did "
                                 f"you mean to set out_dims= to None for output?")
            nd = leaf.dim() + 1
            if not -nd <= d < nd:
                raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}], but got "
                                 f"{d})")
            stacked.append(stack([o[j][0] for o in outs_flat], d))
        return _rebuild(first, iter(stacked))

    return wrapped


def _same_state(a, b) -> bool:
    return bool((a == b).all())


# ----------------------------------------------------------------------------- grad and friends
def _outer(args) -> bool:
    """Whether an enclosing transform (or the caller's autograd) differentiates through these arguments: then the
    results keep their graph (``create_graph``), else they are plain tensors, as PyTorch's."""
    from .autograd.grad_mode import is_grad_enabled  # noqa: PLC0415

    return is_grad_enabled() and any(isinstance(a, Tensor) and a.requires_grad for a in args)


def _diff_inputs(args, argnums):
    """``args`` with the ``argnums`` ones made differentiable (a view of an input that already requires grad, so
    an enclosing transform still differentiates through it)."""
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    args = list(args)
    for k in nums:
        a = args[k]
        if not isinstance(a, Tensor):
            raise RuntimeError(f"grad_and_value(f)(*args): Expected argnums to refer to Tensors, but argument {k} "
                               f"is a {type(a).__name__}")
        args[k] = a.view_as(a) if a.requires_grad else a.detach().requires_grad_(True)
    return args, nums


def grad_and_value(func, argnums=0, has_aux: bool = False):
    """``func``'s gradient with respect to ``args[argnums]`` (a scalar output), and its value.

    >>> import ember
    >>> ember.func.grad_and_value(lambda x: (x ** 2).sum())(ember.tensor([1., 2.]))
    (tensor([2., 4.]), tensor(5.))
    """
    from .autograd import grad as _grad  # noqa: PLC0415
    from .autograd.grad_mode import enable_grad  # noqa: PLC0415

    def wrapped(*args, **kwargs):
        outer = _outer(args)
        with enable_grad():
            ins, nums = _diff_inputs(args, argnums)
            res = func(*ins, **kwargs)
            aux = None
            if has_aux:
                if not (isinstance(res, tuple) and len(res) == 2):
                    raise RuntimeError("grad_and_value(f)(*args): output of function f should be a tuple: (output, "
                                       "aux) if has_aux is True")
                res, aux = res
            if not isinstance(res, Tensor):
                raise RuntimeError(f"grad_and_value(f)(*args): Expected f(*args) to return a Tensor, got "
                                   f"{type(res)}")
            if res.dim() != 0:
                raise RuntimeError(f"grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, got "
                                   f"tensor with {res.dim()} dims. Maybe you wanted to use the vjp or jacrev APIs "
                                   f"instead?")
            gs = _grad(res, [ins[k] for k in nums], create_graph=outer, allow_unused=True)
        gs = tuple(g if g is not None else ins[k].new_zeros(ins[k].shape) for g, k in zip(gs, nums))
        if not outer:
            gs = tuple(g.detach() for g in gs)
            res = res.detach()
            aux = _detached(aux)
        g = gs[0] if isinstance(argnums, int) else gs
        return (g, (res, aux)) if has_aux else (g, res)

    return wrapped


def _detached(tree):
    if isinstance(tree, Tensor):
        return tree.detach()
    if isinstance(tree, (tuple, list)):
        return type(tree)(_detached(t) for t in tree)
    if isinstance(tree, dict):
        return {k: _detached(v) for k, v in tree.items()}
    return tree


def grad(func, argnums=0, has_aux: bool = False):
    """``func``'s gradient with respect to ``args[argnums]`` (``func`` returns a scalar); composes with itself
    and with ``vmap``.

    >>> import ember
    >>> ember.func.grad(ember.func.grad(lambda x: x ** 3))(ember.tensor(2.))
    tensor(12.)
    """
    gv = grad_and_value(func, argnums, has_aux)

    def wrapped(*args, **kwargs):
        g, rest = gv(*args, **kwargs)
        return (g, rest[1]) if has_aux else g

    return wrapped


def vjp(func, *primals, has_aux: bool = False):
    """``(func(*primals), vjp_fn)``: ``vjp_fn(v)`` gives the vector-Jacobian products for each primal.

    >>> import ember
    >>> out, fn = ember.func.vjp(lambda x: x ** 2, ember.tensor([1., 3.]))
    >>> fn(ember.ones(2))
    (tensor([2., 6.]),)
    """
    from .autograd import grad as _grad  # noqa: PLC0415
    from .autograd.grad_mode import enable_grad  # noqa: PLC0415

    outer = _outer(primals)
    with enable_grad():
        ins, _ = _diff_inputs(primals, tuple(range(len(primals))))
        res = func(*ins)
        aux = None
        if has_aux:
            res, aux = res

    def vjp_fn(*cotangents):
        v = cotangents[0] if len(cotangents) == 1 else cotangents
        outs = res if isinstance(res, (tuple, list)) else (res,)
        vs = v if isinstance(v, (tuple, list)) else (v,)
        with enable_grad():
            gs = _grad(list(outs), ins, list(vs), create_graph=outer, retain_graph=True, allow_unused=True)
        return tuple((g if g is not None else i.new_zeros(i.shape)) if outer or g is None else g.detach()
                     for g, i in zip(gs, ins))

    shown = res if outer else (tuple(r.detach() for r in res) if isinstance(res, (tuple, list)) else res.detach())
    return (shown, vjp_fn, aux) if has_aux else (shown, vjp_fn)


def jacrev(func, argnums=0, *, has_aux: bool = False, chunk_size=None):
    """The Jacobian of ``func`` with respect to ``args[argnums]`` (reverse mode: one vector-Jacobian product
    per output element).

    >>> import ember
    >>> ember.func.jacrev(lambda x: x ** 2)(ember.tensor([1., 2.]))
    tensor([[2., 0.],
            [0., 4.]])
    """
    from .autograd.functional import jacobian  # noqa: PLC0415

    if has_aux:
        raise NotImplementedError("jacrev(has_aux=True) is not implemented in Ember")

    def wrapped(*args):
        nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)

        def partial(*xs):
            full = list(args)
            for k, x in zip(nums, xs):
                full[k] = x
            return func(*full)
        picked = tuple(args[k] for k in nums)
        return jacobian(partial, picked[0] if isinstance(argnums, int) else picked, create_graph=_outer(args))

    return wrapped


def jacfwd(func, argnums=0, has_aux: bool = False, *, randomness: str = "error"):
    """The Jacobian of ``func`` (the same matrix as ``jacrev``; Ember computes both in reverse mode).

    >>> import ember
    >>> ember.func.jacfwd(lambda x: x.sin())(ember.tensor([0.]))
    tensor([[1.]])
    """
    return jacrev(func, argnums, has_aux=has_aux)


def hessian(func, argnums=0):
    """The Hessian of scalar ``func`` with respect to ``args[argnums]``.

    >>> import ember
    >>> ember.func.hessian(lambda x: (x ** 3).sum())(ember.tensor([1., 2.]))
    tensor([[ 6.,  0.],
            [ 0., 12.]])
    """
    return jacrev(jacrev(func, argnums), argnums)

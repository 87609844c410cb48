"""Shape ops (ember/ops/shape.py) against torch: values, views, dtypes, gradients, gradcheck."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from _reference import (ALL, BOOL, F32, F64, FLOATS, I64, INTS, OpInfo, check_op, gc_params, gradcheck_op, params,
                        same_error)

import ember


def _sh(name, fn, samples, dtypes=FLOATS, gradgrad=True, **kw):
    return OpInfo(name, fn, samples, dtypes=dtypes, gradgrad=gradgrad, **kw)


A = FLOATS + INTS + (BOOL,)
SHAPE = [
    _sh("view", lambda m, x: x.view(3, 2), [((2, 3),), ((6,),)], dtypes=A, layouts=("step",)),
    _sh("view_infer", lambda m, x: x.view(-1, 2), [((2, 3),), ((3, 2, 2),)], layouts=("step",)),
    _sh("view_tuple", lambda m, x: x.view((2, -1)), [((2, 3),)]),
    _sh("view_0d", lambda m, x: x.view(1, 1), [((),)]),
    _sh("view_to_0d", lambda m, x: x.view(()), [((1,),)]),
    _sh("view_empty", lambda m, x: x.view(0, 3), [((0,),)]),
    _sh("view_as", lambda m, x, y: x.view_as(y), [((2, 3), (3, 2)), ((6,), (1, 6))], layouts=("step",)),
    _sh("reshape", lambda m, x: m.reshape(x, (3, 2)), [((2, 3),), ((6,),)], dtypes=A),
    _sh("reshape_method", lambda m, x: x.reshape(2, -1), [((2, 3),), ((4, 3),)]),
    _sh("reshape_noncontig", lambda m, x: x.t().reshape(-1), [((2, 3),)]),
    _sh("reshape_as", lambda m, x, y: x.reshape_as(y), [((2, 3), (6,))]),
    _sh("flatten", lambda m, x: m.flatten(x), [((),), ((2, 3),), ((2, 3, 4),)], dtypes=A),
    _sh("flatten_range", lambda m, x: x.flatten(1, -1), [((2, 3, 4),), ((2, 3, 4, 1),)]),
    _sh("flatten_same", lambda m, x: x.flatten(1, 1), [((2, 3, 4),)]),
    _sh("unflatten", lambda m, x: x.unflatten(1, (2, 2)), [((3, 4),), ((3, 4, 2),)]),
    _sh("unflatten_infer", lambda m, x: m.unflatten(x, -1, (2, -1)), [((3, 4),)]),
    _sh("squeeze", lambda m, x: x.squeeze(), [((1, 3, 1),), ((2, 3),), ((),)], dtypes=A),
    _sh("squeeze_dim", lambda m, x: m.squeeze(x, 0), [((1, 3),), ((2, 3),)]),
    _sh("squeeze_neg", lambda m, x: x.squeeze(-1), [((2, 1),), ((),)]),
    _sh("squeeze_tuple", lambda m, x: x.squeeze((0, 2)), [((1, 3, 1),)]),
    _sh("unsqueeze", lambda m, x: m.unsqueeze(x, 0), [((),), ((3,),), ((2, 3),)], dtypes=A),
    _sh("unsqueeze_neg", lambda m, x: x.unsqueeze(-1), [((),), ((2, 3),)]),
    _sh("unsqueeze_mid", lambda m, x: x.unsqueeze(1), [((2, 3),)]),
    _sh("permute", lambda m, x: m.permute(x, (2, 0, 1)), [((2, 3, 4),)], dtypes=A),
    _sh("permute_varargs", lambda m, x: x.permute(1, 0), [((2, 3),)]),
    _sh("permute_neg", lambda m, x: x.permute(-1, 0, 1), [((2, 3, 4),)]),
    _sh("transpose", lambda m, x: m.transpose(x, 0, 1), [((2, 3),), ((2, 3, 4),)], dtypes=A),
    _sh("transpose_neg", lambda m, x: x.transpose(-1, -3), [((2, 3, 4),)]),
    _sh("swapaxes", lambda m, x: x.swapaxes(0, 1), [((2, 3),)]),
    _sh("t", lambda m, x: x.t(), [((),), ((3,),), ((2, 3),)]),
    _sh("t_fn", lambda m, x: m.t(x), [((2, 3),)]),
    _sh("T", lambda m, x: x.T, [((2, 3),), ((3, 4, 2),)]),
    _sh("mT", lambda m, x: x.mT, [((2, 3),), ((4, 2, 3),)]),
    _sh("adjoint", lambda m, x: x.adjoint(), [((2, 3),)], grad_fn=False),
    _sh("movedim", lambda m, x: m.movedim(x, 0, -1), [((2, 3, 4),)]),
    _sh("movedim_multi", lambda m, x: x.movedim((0, 1), (2, 0)), [((2, 3, 4),)]),
    _sh("moveaxis", lambda m, x: m.moveaxis(x, 1, 0), [((2, 3),)]),
    _sh("expand", lambda m, x: x.expand(2, 3), [((1, 3),), ((3,),), ((),)], dtypes=A),
    _sh("expand_keep", lambda m, x: x.expand(4, -1, 3), [((2, 1),)]),
    _sh("expand_tuple", lambda m, x: x.expand((2, 2, 3)), [((1, 3),)]),
    _sh("expand_as", lambda m, x, y: x.expand_as(y), [((3, 1), (3, 4))]),
    _sh("broadcast_to", lambda m, x: m.broadcast_to(x, (2, 2, 3)), [((3,),), ((2, 1, 3),)]),
    _sh("broadcast_tensors", lambda m, x, y: m.broadcast_tensors(x, y), [((3, 1), (1, 4)), ((), (2,))],
        grad_fn=False),
    _sh("cat", lambda m, x, y: m.cat([x, y]), [((2, 3), (1, 3)), ((2,), (3,)), ((0, 3), (2, 3))], dtypes=A),
    _sh("cat_dim1", lambda m, x, y: m.cat((x, y), dim=1), [((2, 3), (2, 1))]),
    _sh("cat_neg", lambda m, x, y, z: m.cat([x, y, z], -1), [((2, 1), (2, 2), (2, 0))]),
    _sh("cat_legacy_empty", lambda m, x, y: m.cat([x, y]), [((0,), (2, 3))]),
    _sh("cat_one", lambda m, x: m.cat([x]), [((2, 3),)]),
    _sh("concat", lambda m, x, y: m.concat([x, y], 0), [((2, 3), (1, 3))]),
    _sh("concatenate", lambda m, x, y: m.concatenate([x, y], 1), [((2, 3), (2, 1))]),
    _sh("stack", lambda m, x, y: m.stack([x, y]), [((2, 3), (2, 3)), ((), ())], dtypes=A),
    _sh("stack_dim", lambda m, x, y: m.stack((x, y), dim=-1), [((2, 3), (2, 3))]),
    _sh("hstack", lambda m, x, y: m.hstack([x, y]), [((2, 3), (2, 1)), ((2,), (3,)), ((), ())]),
    _sh("vstack", lambda m, x, y: m.vstack([x, y]), [((2, 3), (1, 3)), ((3,), (3,))]),
    _sh("split", lambda m, x: m.split(x, 2), [((5, 2),), ((4,),)], dtypes=A),
    _sh("split_sizes", lambda m, x: x.split([1, 3], dim=1), [((2, 4),)]),
    _sh("split_dim", lambda m, x: x.split(2, -1), [((2, 5),)]),
    _sh("chunk", lambda m, x: m.chunk(x, 3), [((7, 2),), ((6,),), ((2,),)], grad_fn=False),
    _sh("chunk_dim", lambda m, x: x.chunk(2, dim=1), [((2, 5),)], grad_fn=False),
    _sh("tensor_split", lambda m, x: m.tensor_split(x, 3), [((7,),), ((2, 3),)]),
    _sh("tensor_split_idx", lambda m, x: x.tensor_split([1, 4], dim=1), [((2, 6),)]),
    _sh("unbind", lambda m, x: m.unbind(x), [((3, 2),), ((2,),)], dtypes=A),
    _sh("unbind_dim", lambda m, x: x.unbind(1), [((2, 3),)]),
    _sh("iterate", lambda m, x: tuple(x), [((3, 2),)], grad_fn=False),
    _sh("narrow", lambda m, x: m.narrow(x, 0, 1, 2), [((4, 3),), ((3,),)], grad_fn=False),
    _sh("narrow_neg", lambda m, x: x.narrow(-1, -2, 2), [((2, 4),)], grad_fn=False),
    _sh("select", lambda m, x: m.select(x, 1, 2), [((2, 3),), ((2, 3, 4),)]),
    _sh("select_neg", lambda m, x: x.select(0, -1), [((3,),), ((2, 3),)]),
    _sh("flip", lambda m, x: m.flip(x, [0]), [((3,),), ((2, 3),)], dtypes=A),
    _sh("flip_multi", lambda m, x: x.flip((0, -1)), [((2, 3, 4),)]),
    _sh("flip_int_dim", lambda m, x: x.flip(1), [((2, 3),)], grad_fn=False),
    _sh("fliplr", lambda m, x: m.fliplr(x), [((2, 3),)], grad_fn=False),
    _sh("flipud", lambda m, x: m.flipud(x), [((2, 3),)], grad_fn=False),
    _sh("roll", lambda m, x: m.roll(x, 1, 0), [((4,),), ((3, 2),)], dtypes=A),
    _sh("roll_multi", lambda m, x: x.roll((1, -2), (0, 1)), [((3, 4),)]),
    _sh("roll_flat", lambda m, x: x.roll(2), [((2, 3),)]),
    _sh("clone", lambda m, x: m.clone(x), [((),), ((2, 3),), ((0,),)], dtypes=A),
    _sh("contiguous", lambda m, x: x.t().contiguous(), [((2, 3),)]),
    _sh("contiguous_noop", lambda m, x: x.contiguous() * 1, [((2, 3),)]),
    _sh("to_float64", lambda m, x: x.to(m.float64), [((2, 3),)], dtypes=FLOATS + INTS + (BOOL,)),
    _sh("to_float32", lambda m, x: x.to(dtype=m.float32), [((2, 3),)], dtypes=ALL, gradcheck=False),
    _sh("to_int", lambda m, x: x.to(m.int32), [((2, 3),)], dtypes=ALL, domain=(-5.0, 5.0)),
    _sh("to_bool", lambda m, x: x.to(m.bool), [((2, 3),)], dtypes=ALL, domain=(-1.0, 1.0)),
    _sh("to_same", lambda m, x: x.to(x.dtype) * 1, [((2, 3),)]),
    _sh("to_copy", lambda m, x: x.to(x.dtype, copy=True), [((2, 3),)]),
    _sh("to_other", lambda m, x, y: x.to(y), [((2,), (2,))], grad_fn=False),
    _sh("to_device", lambda m, x: x.to("cpu") * 2, [((2,),)]),
    _sh("double", lambda m, x: x.double(), [((2, 3),)], dtypes=ALL),
    _sh("float", lambda m, x: x.float(), [((2, 3),)], dtypes=ALL, gradcheck=False),
    _sh("half_roundtrip", lambda m, x: x.half().float(), [((2, 3),)], atol=1e-3, rtol=1e-3, gradcheck=False),
    _sh("long", lambda m, x: x.long(), [((2, 3),)], dtypes=ALL, domain=(-5.0, 5.0)),
    _sh("int", lambda m, x: x.int(), [((2, 3),)], dtypes=ALL, domain=(-5.0, 5.0)),
    _sh("bool", lambda m, x: x.bool(), [((2, 3),)], dtypes=ALL, domain=(-1.0, 1.0)),
    _sh("byte", lambda m, x: x.byte(), [((2, 3),)], dtypes=INTS + (BOOL,), domain=(0.0, 5.0)),
    _sh("type_dtype", lambda m, x: x.type(m.float64), [((2, 3),)], dtypes=ALL),
    _sh("type_str", lambda m, x: x.type("torch.DoubleTensor"), [((2, 3),)], dtypes=ALL),
    _sh("type_as", lambda m, x, y: x.type_as(y), [((2,), (2,))], dtypes=ALL, grad_fn=False),
    _sh("cpu", lambda m, x: x.cpu() * 2, [((2,),)]),
    _sh("chain", lambda m, x: x.reshape(2, 6).t().reshape(3, 4).permute(1, 0)[1:, ::2].flatten().unsqueeze(0)
        .expand(2, -1).flip(1), [((2, 3, 2),)], grad_fn=False),
]

TABLE = SHAPE


@pytest.mark.filterwarnings("ignore:The use of `x.T`")
@pytest.mark.parametrize("op,dtype", params(TABLE))
def test_op(op, dtype):
    check_op(op, dtype)


@pytest.mark.parametrize("op", gc_params(SHAPE))
def test_gradcheck(op):
    gradcheck_op(op)


def test_view_shares_memory_and_version():
    for m in (torch, ember):
        x = m.zeros(2, 3)
        v = x.view(6)
        v[1] = 5.0
        assert x[0, 1].item() == 5.0
        assert x._version == v._version == 1
        t = x.t()
        t[0, 1] = 7.0
        assert x[1, 0].item() == 7.0 and x._version == 2
        e = x.unsqueeze(0).expand(4, 2, 3)
        assert e.shape == (4, 2, 3) and e.stride()[0] == 0


def test_view_contiguity_error():
    for m in (torch, ember):
        with pytest.raises(RuntimeError, match="view size is not compatible with input tensor's size and stride"):
            m.zeros(2, 3).t().view(6)
        with pytest.raises(RuntimeError, match=r"shape '\[4, 2\]' is invalid for input of size 6"):
            m.zeros(2, 3).view(4, 2)
        with pytest.raises(RuntimeError, match="only one dimension can be inferred"):
            m.zeros(2, 3).view(-1, -1)
        assert m.zeros(2, 3).t().reshape(6).shape == (6,)


@pytest.mark.parametrize("numel", [0, 1, 6, 12])
def test_every_small_shape_request_like_torch(numel):
    """view/reshape of every shape of up to 3 sizes from -3..12: the same result shape, or the same error."""
    import itertools

    def outcome(m, fn, shape):
        try:
            return tuple(getattr(m.zeros(numel), fn)(shape).shape)
        except RuntimeError as e:
            return str(e)

    for n in range(4):
        for shape in itertools.product((-3, -2, -1, 0, 1, 2, 3, 4, 6, 12), repeat=n):
            for fn in ("view", "reshape"):
                assert outcome(ember, fn, shape) == outcome(torch, fn, shape), (fn, shape)


def test_reshape_view_or_copy():
    """reshape returns a view when strides allow it, a copy otherwise (same as torch)."""
    for m in (torch, ember):
        x = m.arange(6.0).view(2, 3)
        r = x.reshape(3, 2)
        r[0, 0] = 100.0
        assert x[0, 0].item() == 100.0
        c = x.t().reshape(6)
        c[0] = -1.0
        assert x[0, 0].item() == 100.0


@pytest.mark.parametrize("fn", [
    lambda m: m.zeros(2, 3).permute(0, 1, 2),
    lambda m: m.zeros(2, 3).permute(0, 0),
    lambda m: m.zeros(2, 3).expand(3, 3),
    lambda m: m.zeros(2, 3).expand(3),
    lambda m: m.cat([m.zeros(2, 3), m.zeros(2, 2)]),
    lambda m: m.cat([m.zeros(2, 3), m.zeros(3)]),
    lambda m: m.cat([]),
    lambda m: m.stack([m.zeros(2), m.zeros(3)]),
    lambda m: m.zeros(2, 3).t().view(6),
    lambda m: m.zeros(2, 3).narrow(1, 2, 2),
    lambda m: m.zeros(2, 3, 4).t(),
    lambda m: m.zeros(2, 3).split([1, 2]),
    lambda m: m.zeros(2, 3).chunk(0),
    lambda m: m.zeros(2, 3).unflatten(1, (2, 2)),
    lambda m: m.zeros(2, 3).flatten(1, 0),
    lambda m: m.zeros(3).mT,
    lambda m: m.cat([m.zeros(()), m.zeros(())]),
])
def test_shape_errors(fn):
    """torch's exception type, and the same first line of its message."""
    with pytest.raises(Exception) as t_err:
        fn(torch)
    with pytest.raises(Exception) as e_err:
        fn(ember)
    assert type(e_err.value) is type(t_err.value), (e_err.value, t_err.value)
    assert str(e_err.value).split("\n")[0] == str(t_err.value).split("\n")[0]


@pytest.mark.parametrize("fn", [
    lambda m: m.zeros(2, 3).select(1, 3),
    lambda m: m.zeros(2, 3).transpose(0, 2),
    lambda m: m.zeros(2, 3).unsqueeze(3),
    lambda m: m.zeros(2, 3).squeeze(2),
    lambda m: m.zeros(2, 3).flip(2),
    lambda m: m.zeros(2, 3).movedim(0, 2),
])
def test_dim_errors(fn):
    """Out-of-range dims raise IndexError with torch's message."""
    same_error(fn, IndexError)


def test_cat_type_promotion_and_grad_dtypes():
    res = {}
    for m in (torch, ember):
        a = m.ones(2, dtype=m.float32, requires_grad=True)
        b = m.ones(2, dtype=m.float64, requires_grad=True)
        c = m.cat([a, b, m.tensor([1, 2])])
        assert c.dtype == m.float64
        (c * m.arange(6.0, dtype=m.float64)).sum().backward()
        res[m] = (a.grad.dtype, b.grad.dtype, a.grad.tolist(), b.grad.tolist())
    assert str(res[ember][0]) == str(res[torch][0]) and str(res[ember][1]) == str(res[torch][1])
    assert res[ember][2:] == res[torch][2:]


def test_to_dtype_gradient_dtype():
    for m in (torch, ember):
        x = m.ones(3, requires_grad=True)
        (x.double() * 2).sum().backward()
        assert x.grad.dtype == m.float32 and x.grad.tolist() == [2.0, 2.0, 2.0]


def test_to_returns_self_when_nothing_changes():
    for m in (torch, ember):
        x = m.ones(3)
        assert x.to(m.float32) is x and x.to("cpu") is x and x.contiguous() is x
        assert x.to(m.float32, copy=True) is not x


def test_to_int_from_requires_grad():
    for m in (torch, ember):
        x = m.ones(3, requires_grad=True)
        y = x.long()
        assert not y.requires_grad and y.grad_fn is None


@pytest.mark.parametrize("dtype", [F32, F64, I64])
def test_type_strings(dtype):
    t = torch.zeros(2, dtype=getattr(torch, dtype))
    e = ember.zeros(2, dtype=getattr(ember, dtype))
    assert e.type() == t.type()
    assert e.type("torch.IntTensor").dtype is ember.int32


def test_split_sizes_and_views():
    for m in (torch, ember):
        x = m.arange(10.0)
        parts = x.split(3)
        assert [p.shape[0] for p in parts] == [3, 3, 3, 1]
        parts[0][0] = 42.0
        assert x[0].item() == 42.0
        assert [p.shape[0] for p in x.chunk(4)] == [3, 3, 3, 1]
        assert [p.shape[0] for p in m.arange(6).chunk(4)] == [2, 2, 2]
        assert [p.shape[0] for p in x.tensor_split(4)] == [3, 3, 2, 2]


@pytest.mark.parametrize("shape", [(), (3,), (2, 3, 4)])
def test_T_on_non_matrices_warns(shape):
    x = ember.zeros(shape, requires_grad=True)
    with pytest.warns(UserWarning, match="deprecated"):  # torch warns once per process, ember every time
        y = x.T
    t = torch.zeros(shape, requires_grad=True).T
    assert tuple(y.shape) == tuple(t.shape) and y.grad_fn.name() == type(t.grad_fn).__name__


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bool", "uint8"])
def test_stack_on_a_new_first_axis_like_torch(dtype):
    # the np.array fast path (equal arrays, no graph) and the general path give torch's result
    rng = np.random.default_rng(0)
    for shape in ((), (3,), (2, 0), (2, 3)):
        rows = [(rng.standard_normal(shape) * 3).astype(dtype) for _ in range(5)]
        e = ember.stack([ember.tensor(r) for r in rows])
        t = torch.stack([torch.tensor(r) for r in rows])
        assert tuple(e.shape) == tuple(t.shape) and str(e.dtype) == str(t.dtype)
        np.testing.assert_array_equal(e.numpy(), t.numpy())
        assert e.is_contiguous()
    mixed = [ember.tensor([1, 2]), ember.tensor([1.5, 2.5])]
    assert str(ember.stack(mixed).dtype) == str(torch.stack([torch.tensor([1, 2]), torch.tensor([1.5, 2.5])]).dtype)
    for m in (torch, ember):
        with pytest.raises(RuntimeError, match="stack expects each tensor to be equal size"):
            m.stack([m.zeros(2), m.zeros(3)])
    x = ember.ones(2, requires_grad=True)
    s = ember.stack([x, x * 2])
    assert type(s.grad_fn).__name__ == "StackBackward0"
    s.sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


@pytest.mark.parametrize("shape,dim,size,step", [((7,), 0, 3, 2), ((7,), -1, 7, 1), ((6,), 0, 0, 1), ((3, 5), 1, 2, 1),
                                                 ((3, 5), 0, 2, 2), ((2, 3, 4), 2, 3, 3), ((2, 3, 4), -2, 1, 1),
                                                 ((), 0, 1, 1)])
def test_unfold_like_torch(shape, dim, size, step):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape)
    w = None
    res = {}
    for m in (torch, ember):
        # the input as given and as a non-contiguous tensor with the same values
        for name, view in (("plain", lambda t: t), ("strided", lambda t: t.mT.contiguous().mT if t.ndim > 1 else t)):
            t = m.tensor(x, requires_grad=True)
            u = view(t).unfold(dim, size, step)
            assert type(u.grad_fn).__name__ == "UnfoldBackward0"
            if w is None:
                w = rng.standard_normal(tuple(u.shape))
            (u * m.tensor(w)).sum().backward()
            res[m, name] = (u.detach().numpy(), t.grad.numpy())
    for name in ("plain", "strided"):
        for a, b in zip(res[ember, name], res[torch, name]):
            assert a.shape == b.shape
            np.testing.assert_allclose(a, b)


def test_unfold_is_a_view_and_errors_like_torch():
    for m in (torch, ember):
        z = m.zeros(3, 4)
        z.unfold(1, 2, 2)[0, 1, 1] = 7
        assert z[0].tolist() == [0.0, 0.0, 0.0, 7.0]
    for args, exc, msg in [((0, 8, 1), RuntimeError, "maximum size for tensor at dimension 0 is 7 but size is 8"),
                           ((0, 3, 0), RuntimeError, "step is 0 but must be > 0"),
                           ((0, -1, 1), RuntimeError, "size is -1 but must be >= 0"),
                           ((1, 2, 1), IndexError, "Dimension out of range")]:
        for m in (torch, ember):
            with pytest.raises(exc, match=msg):
                m.arange(7.0).unfold(*args)


def test_unfold_double_backward():
    x = np.random.default_rng(1).standard_normal((2, 6))
    res = []
    for m in (torch, ember):
        t = m.tensor(x, requires_grad=True)
        u = t.unfold(1, 3, 2)
        (g,) = m.autograd.grad((u ** 2).sum(), t, create_graph=True)
        (g * g).sum().backward()
        res.append(t.grad.numpy())
    np.testing.assert_allclose(res[1], res[0])


ROLL = {
    "two dims": lambda m: m.arange(6).reshape(2, 3).roll((1, -1), (0, 1)),
    "flattened": lambda m: m.arange(6).reshape(2, 3).roll(2),
    "empty dims": lambda m: m.arange(6).reshape(2, 3).roll(1, ()),
    "negative dim": lambda m: m.arange(6).reshape(2, 3).roll(1, -1),
    "0-d": lambda m: m.tensor(1.0).roll(1),
}
ROLL_ERRORS = {
    "shifts and dims differ": lambda m: m.ones(2, 3).roll((1, 2), (0,)),
    "several shifts, no dims": lambda m: m.ones(2, 3).roll((1, 2)),
    "no shifts": lambda m: m.ones(2, 3).roll((), (0,)),
    "dim out of range": lambda m: m.ones(2, 3).roll(1, 5),
    "0-d with a dim": lambda m: m.tensor(1.0).roll(1, 0),
}


@pytest.mark.parametrize("name", list(ROLL))
def test_roll_matches_torch(name):
    assert ROLL[name](ember).tolist() == ROLL[name](torch).tolist()


@pytest.mark.parametrize("name", list(ROLL_ERRORS))
def test_roll_errors_match_torch(name):
    """Mismatched shifts and dims rolled silently (NumPy broadcasts them) before."""
    same_error(ROLL_ERRORS[name], Exception)


def test_narrow_copy_is_a_copy():
    for m in (torch, ember):
        x = m.arange(6).reshape(2, 3)
        y = m.narrow_copy(x, 1, 1, 2)
        z = x.narrow_copy(0, 1, 1)
        y[0, 0] = 100
        assert y.tolist() == [[100, 2], [4, 5]] and z.tolist() == [[3, 4, 5]] and x[0, 1].item() == 1

"""DistributedDataParallel: one model replica per rank, gradients averaged in buckets during backward."""
from __future__ import annotations

import weakref
from contextlib import contextmanager

import numpy as np

from ..._device import array_module
from ..._tensor import Tensor, _wrap
from ...autograd import engine
from ...autograd.grad_mode import state
from ...autograd.graph import Node
from ...distributed._backend import ReduceOp
from ..modules.module import Module

_MB = 1024 * 1024
_FIRST_BUCKET_BYTES = 1 * _MB  # a small first bucket starts communication early in backward, as PyTorch
_BROADCAST_BUCKET_BYTES = 250 * _MB


def _tensors_in(obj, out: list) -> list:
    """Every Tensor inside a (nested) forward output."""
    if isinstance(obj, Tensor):
        out.append(obj)
    elif isinstance(obj, (list, tuple)):
        for o in obj:
            _tensors_in(o, out)
    elif isinstance(obj, dict):
        for o in obj.values():
            _tensors_in(o, out)
    return out


def _reachable_leaves(outputs) -> set:
    """Ids of the leaf tensors that the autograd graph of ``outputs`` reaches."""
    leaves = set()
    stack = []
    seen = set()
    for t in outputs:
        if t.grad_fn is not None:
            stack.append(t.grad_fn)
        elif t._rg:
            leaves.add(id(t))
    while stack:
        n = stack.pop()
        for e in n.next_edges:
            if e is None:
                continue
            t = e[0]
            if isinstance(t, Node):
                if id(t) not in seen:
                    seen.add(id(t))
                    stack.append(t)
            else:
                leaves.add(id(t))
    return leaves


class _Bucket:
    """Gradients of a few parameters (one dtype and device) reduced with one all_reduce."""

    __slots__ = ("flat", "params", "pending", "slices", "work")

    def __init__(self, params: list, slices: list, flat):
        self.params = params  # indices into the DDP's parameter list
        self.slices = slices  # (start, stop) of each parameter's gradient in ``flat``
        self.flat = flat
        self.pending = 0
        self.work = None


class DistributedDataParallel(Module):
    """Data parallel training: wraps ``module`` on each rank and averages gradients over the ranks.

    At construction the parameters and buffers of rank 0 are copied to every rank (after checking
    that every rank has the same parameter shapes). During ``backward`` each parameter's gradient,
    once accumulated, marks its bucket ready; a ready bucket is all-reduced asynchronously (in
    reverse parameter order, ~``bucket_cap_mb`` per bucket) while backward goes on, and the end of
    backward waits for all buckets and writes the averaged gradients back into ``.grad``.
    ``no_sync()`` accumulates locally; ``find_unused_parameters=True`` lets some parameters get no
    gradient; ``broadcast_buffers`` (default True) copies rank 0's buffers before every forward.

    >>> import ember, ember.distributed as dist
    >>> from ember.nn.parallel import DistributedDataParallel as DDP
    >>> dist.init_process_group("gloo")  # doctest: +SKIP
    >>> model = DDP(ember.nn.Linear(4, 2))  # doctest: +SKIP
    >>> model(ember.randn(8, 4)).sum().backward()  # doctest: +SKIP
    """

    def __init__(self, module: Module, device_ids=None, output_device=None, dim: int = 0, broadcast_buffers=None,
                 init_sync: bool = True, process_group=None, bucket_cap_mb=None, find_unused_parameters: bool = False,
                 check_reduction: bool = False, gradient_as_bucket_view: bool = False, static_graph: bool = False):
        super().__init__()
        from ... import distributed as dist  # noqa: PLC0415

        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel expects an ember.nn.Module, got {type(module).__name__}")
        named = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
        if not named:
            raise RuntimeError("DistributedDataParallel is not needed when a module doesn't have any parameter that "
                               "requires a gradient.")
        devices = {p.device for _, p in named}
        if device_ids is not None and all(d.type == "cpu" for d in devices):
            raise ValueError(
                "DistributedDataParallel device_ids and output_device arguments only work with single-device/"
                f"multiple-device GPU modules or CPU modules, but got device_ids {device_ids}, output_device "
                f"{output_device}, and module parameters {devices}.")
        pg = process_group if process_group is not None else dist.distributed_c10d._default()
        self.module = module
        self.process_group = pg
        self.device_ids = device_ids
        self.output_device = output_device
        self.dim = dim
        self.broadcast_buffers = True if broadcast_buffers is None else bool(broadcast_buffers)
        self.find_unused_parameters = find_unused_parameters
        self.gradient_as_bucket_view = gradient_as_bucket_view
        self.static_graph = static_graph
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True
        cap = 25 if bucket_cap_mb is None else bucket_cap_mb
        self.bucket_bytes_cap = int(cap * _MB)
        self._param_names = [n for n, _ in named]
        self._params = [p for _, p in named]
        self._world = pg.size()
        self._verify_param_shapes()
        if init_sync and self._world > 1:
            self._broadcast(list(module.parameters()) + list(module.buffers()))
        self._module_buffers = list(module.buffers())
        self._build_buckets()
        self._expect_hooks = False
        self._in_backward = False
        self._unused = []
        self._grad_hooks = []
        ref = weakref.ref(self)
        for i, p in enumerate(self._params):
            self._grad_hooks.append(p.register_post_accumulate_grad_hook(self._hook_for(ref, i)))

    # ----- construction ----------------------------------------------------------------
    def _verify_param_shapes(self) -> None:
        from ... import distributed as dist  # noqa: PLC0415

        mine = [(n, tuple(p.shape), str(p.dtype)) for n, p in zip(self._param_names, self._params)]
        tables = [None] * self._world
        dist.all_gather_object(tables, mine, group=self.process_group)
        me = self.process_group.rank()
        ref = tables[0]
        for r, table in enumerate(tables):
            if len(table) != len(ref):
                raise RuntimeError(f"DDP expects same model across all ranks, but Rank {r} has {len(table)} params, "
                                   f"while rank 0 has inconsistent {len(ref)} params.")
            for (name, shape, dt), (name0, shape0, dt0) in zip(table, ref):
                if shape != shape0 or dt != dt0:
                    raise RuntimeError(
                        f"DDP expects same model across all ranks, but parameter '{name}' has shape {list(shape)} "
                        f"and dtype {dt} on rank {r}, while parameter '{name0}' has shape {list(shape0)} and dtype "
                        f"{dt0} on rank 0 (this is rank {me}). Build the same model on every rank.")

    def _broadcast(self, tensors: list) -> None:
        """Copy rank 0's values of ``tensors`` to every rank, a few large messages per dtype."""
        impl = self.process_group._impl
        root_here = self.process_group.rank() == 0
        groups: dict = {}
        for t in tensors:
            groups.setdefault((t.device, t._data.dtype), []).append(t)
        chunks = []
        for group in groups.values():
            chunk, size = [], 0
            for t in group:
                if chunk and size + t._data.nbytes > _BROADCAST_BUCKET_BYTES:
                    chunks.append(chunk)
                    chunk, size = [], 0
                chunk.append(t)
                size += t._data.nbytes
            chunks.append(chunk)
        for chunk in chunks:
            xp = array_module(chunk[0]._data)
            flat = xp.concatenate([c._data.reshape(-1) for c in chunk])
            impl.broadcast(flat, 0).wait()
            if not root_here:
                o = 0
                for c in chunk:
                    n = c._data.size
                    c._data[...] = flat[o:o + n].reshape(c._data.shape)
                    c._bump()
                    o += n

    def _build_buckets(self) -> None:
        """Buckets in reverse parameter order (the order backward produces gradients), one dtype each."""
        buckets = []
        current: dict = {}  # (device, dtype) -> [indices, bytes]
        limit = min(_FIRST_BUCKET_BYTES, self.bucket_bytes_cap)
        for i in reversed(range(len(self._params))):
            p = self._params[i]
            key = (p.device, p._data.dtype)
            cur = current.get(key)
            nbytes = p._data.nbytes
            if cur is not None and cur[0] and cur[1] + nbytes > limit:
                buckets.append(cur[0])
                cur = None
                limit = self.bucket_bytes_cap
            if cur is None:
                cur = current[key] = [[], 0]
            cur[0].append(i)
            cur[1] += nbytes
        buckets += [cur[0] for cur in current.values() if cur[0]]
        self._buckets = []
        self._bucket_of = [0] * len(self._params)
        for b, idx in enumerate(buckets):
            p0 = self._params[idx[0]]
            slices = []
            o = 0
            for i in idx:
                n = self._params[i]._data.size
                slices.append((o, o + n))
                self._bucket_of[i] = b
                o += n
            flat = array_module(p0._data).zeros(o, dtype=p0._data.dtype)
            self._buckets.append(_Bucket(idx, slices, flat))

    # ----- forward ---------------------------------------------------------------------
    def forward(self, *inputs, **kwargs):
        if self.require_forward_param_sync and self.broadcast_buffers and self._module_buffers and self._world > 1:
            self._broadcast(self._module_buffers)
        sync = state.enabled and self.require_backward_grad_sync and self._world > 1
        if sync:
            self._prepare_for_backward()
        else:
            self._expect_hooks = False
        out = self.module(*inputs, **kwargs)
        if sync and self.find_unused_parameters:
            used = _reachable_leaves(_tensors_in(out, []))
            self._unused = [i for i, p in enumerate(self._params) if id(p) not in used]
        return out

    def _prepare_for_backward(self) -> None:
        for b in self._buckets:
            b.pending = len(b.params)
            b.work = None
        self._ready = [False] * len(self._params)
        self._next_bucket = 0
        self._unused = []
        self._expect_hooks = True
        self._in_backward = False

    @contextmanager
    def no_sync(self):
        """Accumulate gradients locally (no communication) for the forward and backward passes inside."""
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old

    # ----- backward: buckets ---------------------------------------------------------------
    @staticmethod
    def _hook_for(ref, i: int):
        def hook(_param):
            ddp = ref()
            if ddp is not None and ddp._expect_hooks:
                ddp._grad_ready(i)

        return hook

    def _grad_ready(self, i: int) -> None:
        if not self._in_backward:
            self._in_backward = True
            engine.queue_callback(self._finalize)
            for j in self._unused:
                self._mark_ready(j)
        self._mark_ready(i)

    def _mark_ready(self, i: int) -> None:
        if self._ready[i]:
            raise RuntimeError(
                f"Expected to mark a variable ready only once. Parameter '{self._param_names[i]}' got its gradient "
                "twice in one backward pass: use it in the forward of this DDP module only, and call backward once "
                "per forward (or use no_sync() for gradient accumulation).")
        self._ready[i] = True
        b = self._buckets[self._bucket_of[i]]
        b.pending -= 1
        if b.pending == 0:
            self._launch_ready()
        else:
            for done in self._buckets[:self._next_bucket]:  # let MPI make progress on the buckets in flight
                done.work.is_completed()

    def _launch_ready(self) -> None:
        buckets = self._buckets
        while self._next_bucket < len(buckets) and buckets[self._next_bucket].pending == 0:
            self._launch(buckets[self._next_bucket])
            self._next_bucket += 1

    def _launch(self, b: _Bucket) -> None:
        flat = b.flat
        for i, (lo, hi) in zip(b.params, b.slices):
            g = self._params[i]._grad
            if g is None:
                flat[lo:hi] = 0
            elif g._data.base is not flat:
                flat[lo:hi] = g._data.reshape(-1)
        if flat.dtype.kind in "fc" or flat.dtype.name == "bfloat16":
            flat /= self._world
        b.work = self.process_group._impl.all_reduce(flat, ReduceOp.SUM)

    def _finalize(self) -> None:
        """End of backward: launch what is left, wait for every bucket, write the averaged gradients."""
        self._in_backward = False
        self._expect_hooks = False
        missing = [i for i, r in enumerate(self._ready) if not r]
        if missing:
            if not self.find_unused_parameters:
                for b in self._buckets[:self._next_bucket]:  # leave no communication in flight
                    b.work.wait()
                names = ", ".join(self._param_names[i] for i in missing)
                raise RuntimeError(
                    "Expected to have finished reduction in the prior iteration before starting a new one. This "
                    "error indicates that your module has parameters that were not used in producing loss. You can "
                    "enable unused parameter detection by passing the keyword argument `find_unused_parameters=True` "
                    "to `ember.nn.parallel.DistributedDataParallel`, and by making sure all `forward` function "
                    "outputs participate in calculating loss. Parameters which did not receive grad for rank "
                    f"{self.process_group.rank()}: {names}")
            for i in missing:
                self._mark_ready(i)
        used = None
        if self.find_unused_parameters:
            used = np.array([p._grad is not None for p in self._params], dtype=np.uint8)
            used_work = self.process_group._impl.all_reduce(used, ReduceOp.MAX)
        for b in self._buckets:
            b.work.wait()
        if used is not None:
            used_work.wait()
        for b in self._buckets:
            self._write_back(b, used)

    def _write_back(self, b: _Bucket, used) -> None:
        flat = b.flat
        for i, (lo, hi) in zip(b.params, b.slices):
            p = self._params[i]
            if used is not None and not used[i]:
                continue  # no rank produced a gradient: leave .grad as it is
            avg = flat[lo:hi].reshape(p._data.shape)
            g = p._grad
            if self.gradient_as_bucket_view and (g is None or g._data.base is not flat):
                p._grad = _wrap(avg)
            elif g is None:
                p._grad = _wrap(avg.copy())
            elif g._data.base is flat:
                g._bump()
            elif g._data.flags.writeable and g._data.shape == avg.shape:
                g._data[...] = avg
                g._bump()
            else:
                p._grad = _wrap(avg.copy())

    # ----- misc -------------------------------------------------------------------------------------
    def will_sync_module_buffers(self) -> bool:
        """Whether the buffers of rank 0 are broadcast before each forward."""
        return self.require_forward_param_sync and self.broadcast_buffers and len(self._module_buffers) > 0

    def _remove_autograd_hooks(self) -> None:
        for h in self._grad_hooks:
            h.remove()
        self._grad_hooks = []

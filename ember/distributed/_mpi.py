"""The MPI backend (mpi4py): non-blocking MPI collectives, polled so that every wait has a timeout."""
from __future__ import annotations

import importlib.util
import sys

import numpy as np

from ._backend import Backend, CommBackend, ReduceOp
from ._work import Work

R = ReduceOp.RedOpType
_MPI = None


def is_available() -> bool:
    """Whether mpi4py can be imported (MPI itself is initialised only by ``init_process_group``)."""
    return "mpi4py.MPI" in sys.modules or importlib.util.find_spec("mpi4py") is not None


def mpi():
    """The ``mpi4py.MPI`` module, initialising MPI on first use."""
    global _MPI
    if _MPI is None:
        if "mpi4py.MPI" not in sys.modules:
            import mpi4py  # noqa: PLC0415 - optional dependency, imported on demand

            mpi4py.rc.thread_level = "funneled"  # one thread talks to MPI: cheaper than MPI_THREAD_MULTIPLE
        from mpi4py import MPI  # noqa: PLC0415

        _MPI = MPI
    return _MPI


def _is_numpy(a) -> bool:
    return type(a) is np.ndarray


def _host(buf):
    """``buf`` as a NumPy array (device arrays are copied to the host) and a function copying it back."""
    if _is_numpy(buf):
        return buf, None
    host = buf.get()  # a CuPy array: MPI here is not CUDA-aware, so stage through the host
    return host, lambda: buf.set(host)


def _bytes(a):
    """A flat uint8 view of a C-contiguous array (works for every dtype, bfloat16 included)."""
    return a.reshape(-1).view(np.uint8)


_LOW_FLOATS = ("float16", "bfloat16")


_INT_NAMES = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
              "uint16": "UInt16", "uint32": "UInt32", "uint64": "UInt64"}


def _plan(dtype: np.dtype, op: R):
    """(working dtype, MPI op name) for reducing arrays of ``dtype`` with ``op``; raises where unsupported."""
    name = dtype.name
    kind = dtype.kind
    if op is R.PREMUL_SUM:
        raise RuntimeError("ReduceOp.PREMUL_SUM is only supported by the NCCL backend; use ReduceOp.SUM or AVG")
    if op is R.AVG and kind in "biu":
        raise RuntimeError(f"result type Float can't be cast to the desired output type {_INT_NAMES.get(name, name)} "
                           "(ReduceOp.AVG needs a floating point tensor; use SUM, or convert the tensor first)")
    if kind == "b":
        # bools reduce as 0/1 bytes: SUM and MAX are a logical or, PRODUCT and MIN a logical and
        return np.dtype(np.uint8), {R.SUM: "BOR", R.MAX: "BOR", R.BOR: "BOR", R.PRODUCT: "BAND", R.MIN: "BAND",
                                    R.BAND: "BAND", R.BXOR: "BXOR"}[op]
    bitwise = op in (R.BAND, R.BOR, R.BXOR)
    if kind == "c":
        if op in (R.MIN, R.MAX) or bitwise:
            raise ValueError(f"all_reduce does not support {op} on complex tensors")
        return dtype, {R.SUM: "SUM", R.AVG: "SUM", R.PRODUCT: "PROD"}[op]
    if kind == "f" or name in _LOW_FLOATS:
        if bitwise:
            raise RuntimeError(f"{op} is only supported on integer and bool tensors, got a {name} tensor")
        work = np.dtype(np.float32) if name in _LOW_FLOATS or dtype.itemsize < 4 else dtype
        return work, {R.SUM: "SUM", R.AVG: "SUM", R.PRODUCT: "PROD", R.MIN: "MIN", R.MAX: "MAX"}[op]
    if kind in "iu":
        return dtype, {R.SUM: "SUM", R.PRODUCT: "PROD", R.MIN: "MIN", R.MAX: "MAX", R.BAND: "BAND", R.BOR: "BOR",
                       R.BXOR: "BXOR"}[op]
    raise RuntimeError(f"reductions are not supported on tensors of dtype {name}")


class MPIBackend(CommBackend):
    """A process group over an MPI communicator (``comm``, a ``mpi4py.MPI.Comm``)."""

    name = Backend.MPI

    def __init__(self, comm, timeout: float | None):
        super().__init__(comm.Get_rank(), comm.Get_size(), timeout)
        self.comm = comm

    @classmethod
    def create_world(cls, timeout: float | None) -> MPIBackend:
        """The world group: a duplicate of ``MPI.COMM_WORLD`` so user MPI traffic never mixes with ours."""
        return cls(mpi().COMM_WORLD.Dup(), timeout)

    # ----- helpers ---------------------------------------------------------------
    def _work(self, req, finish=None, what: str = "collective", keep=None, status=None) -> Work:
        if isinstance(req, list):
            testall = _MPI.Request.Testall
            return Work(lambda: testall(req), finish, self.timeout, what=what, keep=keep)
        test = req.Test if status is None else (lambda: req.Test(status))
        return Work(test, finish, self.timeout, what=what, keep=keep)

    def _reducible(self, buf, op: R):
        """(working flat array, MPI op, finish) for reducing ``buf`` in place."""
        work_dtype, mop = _plan(buf.dtype, op)
        host, back = _host(buf)
        flat = host.reshape(-1)
        staged = work_dtype != flat.dtype and flat.dtype.kind != "b"
        w = flat.astype(work_dtype) if staged else (flat.view(np.uint8) if flat.dtype.kind == "b" else flat)
        avg = op is R.AVG
        n = self._size

        def finish():
            if avg:
                np.divide(w, n, out=w)
            if staged:
                flat[...] = w.astype(flat.dtype)
            if back is not None:
                back()

        return w, getattr(_MPI, mop), finish

    # ----- collectives -------------------------------------------------------------
    def barrier(self) -> Work:
        return self._work(self.comm.Ibarrier(), what="barrier")

    def all_reduce(self, buf, op: R) -> Work:
        w, mop, finish = self._reducible(buf, op)
        return self._work(self.comm.Iallreduce(_MPI.IN_PLACE, w, mop), finish, "all_reduce", keep=w)

    def reduce(self, buf, op: R, root: int) -> Work:
        w, mop, finish = self._reducible(buf, op)
        if self._rank == root:
            return self._work(self.comm.Ireduce(_MPI.IN_PLACE, w, mop, root), finish, "reduce", keep=w)
        return self._work(self.comm.Ireduce(w, None, mop, root), None, "reduce", keep=w)

    def broadcast(self, buf, root: int) -> Work:
        host, back = _host(buf)
        b = _bytes(host)
        return self._work(self.comm.Ibcast(b, root), back, "broadcast", keep=b)

    def all_gather(self, send, recv) -> Work:
        s, _ = _host(send)
        r, back = _host(recv)
        sb, rb = _bytes(s), _bytes(r)
        return self._work(self.comm.Iallgather(sb, rb), back, "all_gather", keep=(sb, rb))

    def gather(self, send, recv, root: int) -> Work:
        s, _ = _host(send)
        sb = _bytes(s)
        if self._rank != root:
            return self._work(self.comm.Igather(sb, None, root), None, "gather", keep=sb)
        r, back = _host(recv)
        rb = _bytes(r)
        return self._work(self.comm.Igather(sb, rb, root), back, "gather", keep=(sb, rb))

    def scatter(self, send, recv, root: int) -> Work:
        r, back = _host(recv)
        rb = _bytes(r)
        sb = _bytes(_host(send)[0]) if self._rank == root else None
        return self._work(self.comm.Iscatter(sb, rb, root), back, "scatter", keep=(sb, rb))

    def reduce_scatter(self, send, recv, op: R) -> Work:
        w_recv, mop, finish = self._reducible(recv, op)
        s, _ = _host(send)
        flat = s.reshape(-1)
        w_send = flat.astype(w_recv.dtype) if w_recv.dtype != flat.dtype else flat
        if flat.dtype.kind == "b":
            w_send = flat.view(np.uint8)
        req = self.comm.Ireduce_scatter_block(w_send, w_recv, mop)
        return self._work(req, finish, "reduce_scatter", keep=(w_send, w_recv))

    def all_to_all(self, send, recv, send_counts, recv_counts) -> Work:
        s, _ = _host(send)
        r, back = _host(recv)
        isz = s.dtype.itemsize
        sc = [int(c) * isz for c in send_counts]
        rc = [int(c) * isz for c in recv_counts]
        sd = np.concatenate(([0], np.cumsum(sc)[:-1])).astype(int).tolist()
        rd = np.concatenate(([0], np.cumsum(rc)[:-1])).astype(int).tolist()
        sb, rb = _bytes(s), _bytes(r)
        req = self.comm.Ialltoallv([sb, (sc, sd)], [rb, (rc, rd)])
        return self._work(req, back, "all_to_all", keep=(sb, rb))

    def send(self, buf, dst: int, tag: int) -> Work:
        b = _bytes(_host(buf)[0])
        return self._work(self.comm.Isend(b, dst, tag), None, "send", keep=b)

    def recv(self, buf, src: int | None, tag: int) -> Work:
        host, back = _host(buf)
        b = _bytes(host)
        status = _MPI.Status()
        source = _MPI.ANY_SOURCE if src is None else src
        req = self.comm.Irecv(b, source, tag)

        def finish():
            if back is not None:
                back()
            return status.Get_source()

        return self._work(req, finish, "recv", keep=b, status=status)

    # ----- groups and lifetime -----------------------------------------------------
    def split(self, ranks: list):
        member = self._rank in ranks
        color = 0 if member else _MPI.UNDEFINED
        key = ranks.index(self._rank) if member else 0
        comm = self.comm.Split(color, key)
        if not member:
            return None
        return MPIBackend(comm, self.timeout)

    def abort(self, code: int = 1) -> None:
        _MPI.COMM_WORLD.Abort(code)

    def destroy(self) -> None:
        comm, self.comm = self.comm, None
        if comm is not None and comm != _MPI.COMM_NULL and not _MPI.Is_finalized():
            comm.Free()

"""The communication backend interface (MPI now, NCCL over CuPy later), backend names and ReduceOp."""
from __future__ import annotations

from abc import ABC, abstractmethod
from enum import Enum
from typing import ClassVar


class ReduceOp:
    """Reduction operations for ``all_reduce``, ``reduce`` and ``reduce_scatter``.

    >>> import ember.distributed as dist
    >>> dist.ReduceOp.SUM
    <RedOpType.SUM: 0>
    """

    class RedOpType(Enum):
        SUM = 0
        AVG = 1
        PRODUCT = 2
        MIN = 3
        MAX = 4
        BAND = 5
        BOR = 6
        BXOR = 7
        PREMUL_SUM = 8

    SUM = RedOpType.SUM
    AVG = RedOpType.AVG
    PRODUCT = RedOpType.PRODUCT
    MIN = RedOpType.MIN
    MAX = RedOpType.MAX
    BAND = RedOpType.BAND
    BOR = RedOpType.BOR
    BXOR = RedOpType.BXOR
    PREMUL_SUM = RedOpType.PREMUL_SUM


def _as_op(op) -> ReduceOp.RedOpType:
    if isinstance(op, ReduceOp.RedOpType):
        return op
    raise TypeError(f"op must be a member of ember.distributed.ReduceOp (SUM, AVG, PRODUCT, MIN, MAX, BAND, BOR, "
                    f"BXOR), got {op!r}")


class Backend(str):
    """A backend name, lower-cased: ``Backend("GLOO") == "gloo"``; ``Backend.register_backend`` adds one.

    >>> import ember.distributed as dist
    >>> dist.Backend("MPI")
    'mpi'
    """

    UNDEFINED = "undefined"
    GLOO = "gloo"
    NCCL = "nccl"
    UCC = "ucc"
    MPI = "mpi"
    XCCL = "xccl"

    backend_list: ClassVar[list] = [UNDEFINED, GLOO, NCCL, UCC, MPI, XCCL]

    def __new__(cls, name: str):
        if not isinstance(name, str):
            msg = f"Backend constructor parameter must be string-ish, but got: {type(name).__name__}"
            raise ValueError(msg)  # noqa: TRY004 - PyTorch raises ValueError here
        return str.__new__(cls, name.lower())

    @classmethod
    def register_backend(cls, name: str, func, extended_api: bool = False, devices=None) -> None:
        """Register ``func(timeout_seconds) -> CommBackend`` that creates the world group of backend ``name``."""
        key = str(name).lower()
        _FACTORIES[key] = func
        if key not in cls.backend_list:
            cls.backend_list.append(key)
        setattr(cls, key.upper(), key)


# backend name -> factory(timeout_seconds) creating the world communicator (filled by __init__)
_FACTORIES: dict = {}


class CommBackend(ABC):
    """What a process-group backend implements. Every method starts the communication and returns a Work.

    Buffers are C-contiguous arrays of the backend's array module; the caller copies results into
    non-contiguous tensors. ``op`` is a ``ReduceOp.RedOpType``; ranks are ranks within this group.
    Unsupported op/dtype pairs raise when the operation starts (ValueError or RuntimeError, as
    PyTorch). A backend may stage arrays (device to host, float16 to float32) as it needs. Each
    returns a ``Work`` whose ``wait()`` honours ``self.timeout`` (seconds, None for no limit).
    """

    name = Backend.UNDEFINED

    def __init__(self, rank: int, size: int, timeout: float | None):
        self._rank = rank
        self._size = size
        self.timeout = timeout

    def rank(self) -> int:
        return self._rank

    def size(self) -> int:
        return self._size

    @abstractmethod
    def barrier(self):
        """Block (asynchronously) until every rank has arrived."""

    @abstractmethod
    def all_reduce(self, buf, op):
        """Reduce ``buf`` over all ranks, in place."""

    @abstractmethod
    def broadcast(self, buf, root: int):
        """Copy ``buf`` of ``root`` into ``buf`` on every rank."""

    @abstractmethod
    def reduce(self, buf, op, root: int):
        """Reduce ``buf`` over all ranks into ``buf`` on ``root`` (other ranks' buffers are left as they are)."""

    @abstractmethod
    def all_gather(self, send, recv):
        """``recv`` holds ``size`` blocks, one per rank, each of ``send``'s size."""

    @abstractmethod
    def gather(self, send, recv, root: int):
        """Like all_gather, only ``root`` receives (``recv`` is None elsewhere)."""

    @abstractmethod
    def scatter(self, send, recv, root: int):
        """``send`` (on ``root`` only) holds ``size`` blocks; rank i receives block i."""

    @abstractmethod
    def reduce_scatter(self, send, recv, op):
        """``send`` holds ``size`` blocks; rank i receives the reduction of everyone's block i."""

    @abstractmethod
    def all_to_all(self, send, recv, send_counts, recv_counts):
        """Rank i sends block j of ``send`` to rank j (element counts per peer)."""

    @abstractmethod
    def send(self, buf, dst: int, tag: int):
        """Send ``buf`` to rank ``dst`` with ``tag``."""

    @abstractmethod
    def recv(self, buf, src: int | None, tag: int):
        """``src`` None receives from any rank; the Work's ``source_rank()`` says which."""

    @abstractmethod
    def split(self, ranks: list):
        """A backend for the sub-group ``ranks`` (collective over this group); None on non-members."""

    @abstractmethod
    def abort(self, code: int = 1) -> None:
        """Stop every process of the job (used when a rank fails)."""

    def destroy(self) -> None:
        """Free the backend's resources."""

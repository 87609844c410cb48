"""Process groups: init_process_group, ranks, sub-groups, backends, and stopping all ranks on an error."""
from __future__ import annotations

import os
import sys
import time
import warnings
from datetime import timedelta

from . import _mpi
from ._backend import _FACTORIES, Backend, CommBackend
from ._work import _seconds

default_pg_timeout = timedelta(minutes=30)
NOT_INIT_MSG = "Default process group has not been initialized, please make sure to call init_process_group."


class ProcessGroup:
    """A set of ranks that communicate together (``group.WORLD`` or one made by ``new_group``).

    >>> import ember.distributed as dist
    >>> dist.ProcessGroup  # made by init_process_group and new_group
    <class 'ember.distributed.distributed_c10d.ProcessGroup'>
    """

    def __init__(self, impl: CommBackend, ranks: list, backend: str, timeout: float | None, name: str = ""):
        self._impl = impl
        self._ranks = list(ranks)
        self._backend = Backend(backend)
        self._timeout = timeout
        self._name = name

    def rank(self) -> int:
        """This process's rank within the group."""
        return self._impl.rank()

    def size(self) -> int:
        """The number of ranks in the group."""
        return self._impl.size()

    def name(self) -> str:
        """The backend's name."""
        return str(self._backend)

    @property
    def group_name(self) -> str:
        return self._name

    def _group_rank(self, global_rank: int) -> int:
        try:
            return self._ranks.index(global_rank)
        except ValueError:
            raise ValueError(f"Global rank {global_rank} is not part of group {self}") from None

    def __repr__(self) -> str:
        return f"<ember.distributed.ProcessGroup {self._name} backend={self._backend} ranks={self._ranks}>"


class _World:
    """The process-wide state: the default group and every group made since."""

    def __init__(self):
        self.default_pg: ProcessGroup | None = None
        self.groups: list = []
        self.prev_excepthook = None
        self.group_count = 0


_world = _World()


class _WorldMeta(type):
    @property
    def WORLD(cls):  # noqa: N802 - PyTorch's name
        return _world.default_pg


class GroupMember(metaclass=_WorldMeta):
    """``GroupMember.WORLD`` is the default group (None before init); ``NON_GROUP_MEMBER`` marks other ranks.

    >>> import ember.distributed as dist
    >>> dist.GroupMember.NON_GROUP_MEMBER
    -100
    """

    NON_GROUP_MEMBER = -100


class group(metaclass=_WorldMeta):  # noqa: N801 - PyTorch's name
    """``group.WORLD``: the default process group."""


# ----- availability --------------------------------------------------------------------------
def is_available() -> bool:
    """Whether the distributed package is available (always True; backends may not be).

    >>> import ember.distributed as dist
    >>> dist.is_available()
    True
    """
    return True


def is_mpi_available() -> bool:
    """Whether the MPI backend can be used (mpi4py installed)."""
    return _mpi.is_available()


def is_gloo_available() -> bool:
    """Whether "gloo" can be used: Ember runs it on the MPI backend."""
    return _mpi.is_available()


def is_nccl_available() -> bool:
    """Whether an NCCL backend is registered."""
    return "nccl" in _FACTORIES


def is_initialized() -> bool:
    """Whether the default process group has been initialised.

    >>> import ember.distributed as dist
    >>> dist.is_initialized()
    False
    """
    return _world.default_pg is not None


def is_torchelastic_launched() -> bool:
    """Whether this process was started by ``ember launch`` (which sets the torchrun variables)."""
    return os.environ.get("EMBER_LAUNCHED") == "1"


def _mpi_world(timeout):
    if not _mpi.is_available():
        raise RuntimeError("Distributed package doesn't have MPI built in: pip install mpi4py mpich")
    return _mpi.MPIBackend.create_world(timeout)


_FACTORIES.setdefault("mpi", _mpi_world)
_FACTORIES.setdefault("gloo", _mpi_world)


# ----- the default group ---------------------------------------------------------------------
def _default() -> ProcessGroup:
    pg = _world.default_pg
    if pg is None:
        raise ValueError(NOT_INIT_MSG)
    return pg


def _get_default_group() -> ProcessGroup:
    return _default()


def _pick_backend(backend) -> Backend:
    if backend is None:
        return Backend(Backend.MPI)
    name = Backend(backend)
    if ":" in name:  # "cpu:gloo,cuda:nccl": the CPU entry decides here
        parts = dict(p.split(":", 1) for p in name.split(",") if ":" in p)
        name = Backend(parts.get("cpu", next(iter(parts.values()))))
    if name not in _FACTORIES:
        if name == Backend.NCCL:
            raise RuntimeError("Distributed package doesn't have NCCL built in")
        raise ValueError(f"Invalid backend: '{name}'; available: {sorted(_FACTORIES)} ('gloo' runs on MPI)")
    return name


def _env_int(name: str) -> int | None:
    v = os.environ.get(name)
    try:
        return int(v) if v not in (None, "") else None
    except ValueError:
        return None


def init_process_group(backend: str | None = None, init_method: str | None = None, timeout: timedelta | None = None,
                       world_size: int = -1, rank: int = -1, store=None, group_name: str = "", pg_options=None,
                       device_id=None) -> None:
    """Join the default process group. MPI tells each process its rank and the world size.

    Start the processes with ``ember launch -n N script.py`` (or ``mpiexec -n N python script.py``).
    ``backend`` is "mpi" (default) or "gloo" (an alias running on MPI). ``init_method`` and ``store``
    are accepted for compatibility; MPI does the rendezvous. ``world_size``/``rank`` (and the
    ``WORLD_SIZE``/``RANK`` variables) are checked against MPI's. After init, an uncaught exception in
    any rank aborts every rank, so a failure never leaves the others waiting.

    >>> import ember.distributed as dist
    >>> dist.init_process_group("gloo")  # doctest: +SKIP
    """
    if _world.default_pg is not None:
        raise ValueError("trying to initialize the default process group twice!")
    name = _pick_backend(backend)
    t = _seconds(timeout if timeout is not None else default_pg_timeout)
    impl = _FACTORIES[name](t)
    size, me = impl.size(), impl.rank()
    env_size, env_rank = _env_int("WORLD_SIZE"), _env_int("RANK")
    for what, given, actual in (("world_size", world_size, size), ("WORLD_SIZE", env_size, size),
                                ("rank", rank, me), ("RANK", env_rank, me)):
        if given is not None and given != -1 and given != actual:
            impl.destroy()
            n = world_size if world_size not in (None, -1) else (env_size or size)
            raise ValueError(
                f"init_process_group: {what}={given}, but MPI started this process as rank {me} of {size}. Ember's "
                f"ranks come from MPI: start the job with `ember launch -n {n} script.py` (or `mpiexec -n {n} "
                "python script.py`), and leave world_size and rank out or make them match.")
    _world.group_count += 1
    pg = ProcessGroup(impl, list(range(size)), name, t, group_name or "0")
    _world.default_pg = pg
    _world.groups = [pg]
    _install_excepthook()


def _install_excepthook() -> None:
    if _world.prev_excepthook is not None:
        return
    prev = sys.excepthook
    _world.prev_excepthook = prev

    def abort_all_ranks(tp, value, tb):
        prev(tp, value, tb)
        pg = _world.default_pg
        if pg is not None and pg.size() > 1:
            try:
                sys.stdout.flush()
                sys.stderr.write(f"ember.distributed: rank {pg.rank()} failed; aborting all {pg.size()} ranks\n")
                sys.stderr.flush()
                # mpiexec forwards each rank's output through a pipe and kills every process on Abort; a short
                # pause lets it deliver this rank's traceback in full before the job is torn down
                time.sleep(0.5)
            finally:
                pg._impl.abort(1)

    sys.excepthook = abort_all_ranks


def destroy_process_group(group: ProcessGroup | None = None) -> None:
    """Free a group, or (no argument) every group and the default one; ``init_process_group`` may follow."""
    if group is None or group is _world.default_pg:
        if _world.default_pg is None:
            raise AssertionError("Process group cannot be None")
        for pg in reversed(_world.groups):
            pg._impl.destroy()
        _world.groups = []
        _world.default_pg = None
        if _world.prev_excepthook is not None:
            sys.excepthook = _world.prev_excepthook
            _world.prev_excepthook = None
        return
    if group == GroupMember.NON_GROUP_MEMBER:
        return
    if group not in _world.groups:
        raise ValueError("Invalid process group specified")
    group._impl.destroy()
    _world.groups.remove(group)


# ----- ranks and groups ----------------------------------------------------------------------------
def _not_member(group) -> bool:
    return group is not None and not isinstance(group, ProcessGroup) and group == GroupMember.NON_GROUP_MEMBER


def _resolve(group) -> ProcessGroup | None:
    """The group to use (default for None); None when this rank is not a member."""
    if group is None:
        return _default()
    if isinstance(group, ProcessGroup):
        return group
    if _not_member(group):
        _default()
        return None
    raise TypeError(f"group must be a ProcessGroup made by ember.distributed.new_group, got {type(group).__name__}")


def get_rank(group: ProcessGroup | None = None) -> int:
    """This process's rank in ``group`` (default: the world); -1 if it is not a member."""
    pg = _resolve(group)
    return -1 if pg is None else pg.rank()


def get_world_size(group: ProcessGroup | None = None) -> int:
    """The number of ranks in ``group`` (default: the world); -1 if this rank is not a member."""
    pg = _resolve(group)
    return -1 if pg is None else pg.size()


def get_backend(group: ProcessGroup | None = None) -> Backend:
    """The backend name of ``group``: "mpi" or "gloo"."""
    pg = _resolve(group)
    if pg is None:
        raise ValueError("Invalid process group specified")
    return pg._backend


def get_process_group_ranks(group: ProcessGroup | None) -> list:
    """The global ranks of the members of ``group``."""
    pg = _resolve(group)
    if pg is None:
        raise ValueError("Invalid process group specified")
    return list(pg._ranks)


def get_global_rank(group: ProcessGroup, group_rank: int) -> int:
    """The global rank of the member with rank ``group_rank`` in ``group``."""
    pg = _resolve(group)
    if pg is None or not 0 <= group_rank < len(pg._ranks):
        raise ValueError(f"Group rank {group_rank} is not part of group {group}")
    return pg._ranks[group_rank]


def get_group_rank(group: ProcessGroup, global_rank: int) -> int:
    """The rank within ``group`` of the process with global rank ``global_rank``."""
    pg = _resolve(group)
    if pg is None:
        raise ValueError("Invalid process group specified")
    return pg._group_rank(global_rank)


def new_group(ranks=None, timeout=None, backend=None, pg_options=None, use_local_synchronization: bool = False,
              group_desc=None, device_id=None, sort_ranks: bool = True):
    """A group of the given global ``ranks``. Every rank of the world must call it (in the same order).

    Non-members get ``GroupMember.NON_GROUP_MEMBER``.
    """
    world = _default()
    n = world.size()
    ranks = list(range(n)) if ranks is None else [int(r) for r in ranks]
    if sort_ranks:
        ranks = sorted(ranks)
    if len(ranks) > n:
        raise ValueError("the new group's world size should be less or equal to the world size set by "
                         "init_process_group")
    if any(not 0 <= r < n for r in ranks):
        raise ValueError("The new group's rank should be within the world_size set by init_process_group")
    if len(set(ranks)) != len(ranks):
        raise ValueError(f"new_group: ranks must be unique, got {ranks}")
    if backend is not None and Backend(backend) not in _FACTORIES:
        _pick_backend(backend)
    impl = world._impl.split(ranks)
    _world.group_count += 1
    name = str(_world.group_count - 1)
    if impl is None:
        return GroupMember.NON_GROUP_MEMBER
    t = world._timeout if timeout is None else _seconds(timeout)
    impl.timeout = t
    pg = ProcessGroup(impl, ranks, backend or world._backend, t, name)
    _world.groups.append(pg)
    return pg


def _warn_not_in_group(op_name: str) -> None:
    rank = _default().rank()
    warnings.warn(f"Running {op_name} on global rank {rank} which does not belong to the given group.",
                  stacklevel=3)

"""``ember.distributed``: process groups and collectives over MPI, with PyTorch's ``torch.distributed`` API.

Start N processes with ``ember launch -n N script.py``; in the script call ``init_process_group()``.

>>> import ember.distributed as dist
>>> dist.is_available()
True
"""
from ._backend import Backend, CommBackend, ReduceOp
from ._collectives import (P2POp, all_gather, all_gather_into_tensor, all_gather_single, all_reduce, all_to_all,
                           all_to_all_single, barrier, batch_isend_irecv, broadcast, gather, irecv, isend, recv, reduce,
                           reduce_scatter, reduce_scatter_single, reduce_scatter_tensor, scatter, send)
from ._objects import all_gather_object, broadcast_object_list, gather_object, scatter_object_list
from ._work import DistBackendError, DistError, DistNetworkError, DistStoreError, Work
from .distributed_c10d import (GroupMember, ProcessGroup, default_pg_timeout, destroy_process_group, get_backend,
                               get_global_rank, get_group_rank, get_process_group_ranks, get_rank, get_world_size,
                               group, init_process_group, is_available, is_gloo_available, is_initialized,
                               is_mpi_available, is_nccl_available, is_torchelastic_launched, new_group)

__all__ = [
    "Backend", "CommBackend", "DistBackendError", "DistError", "DistNetworkError", "DistStoreError", "GroupMember",
    "P2POp", "ProcessGroup", "ReduceOp", "Work", "all_gather", "all_gather_into_tensor", "all_gather_object",
    "all_gather_single", "all_reduce", "all_to_all", "all_to_all_single", "barrier", "batch_isend_irecv", "broadcast",
    "broadcast_object_list", "default_pg_timeout", "destroy_process_group", "gather", "gather_object", "get_backend",
    "get_global_rank", "get_group_rank", "get_process_group_ranks", "get_rank", "get_world_size", "group",
    "init_process_group", "irecv", "is_available", "is_gloo_available", "is_initialized", "is_mpi_available",
    "is_nccl_available", "is_torchelastic_launched", "isend", "new_group", "recv", "reduce", "reduce_scatter",
    "reduce_scatter_single", "reduce_scatter_tensor", "scatter", "scatter_object_list", "send",
]

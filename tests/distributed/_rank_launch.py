"""A rank script for the launcher tests: ``_rank_launch.py OUTDIR MODE [args]``.

MODE "ok" records the rank variables and argv; "raise" makes the last rank raise after
``init_process_group`` while the others wait in a barrier; "raise_early" raises before init;
"exit" makes the last rank call ``sys.exit(3)``.
"""
from __future__ import annotations

import json
import os
import sys
import time


def main() -> None:
    outdir, mode = sys.argv[1], sys.argv[2]
    last = os.environ.get("RANK") == str(int(os.environ.get("WORLD_SIZE", "1")) - 1)
    if mode == "raise_early" and last:
        raise ValueError("this rank fails before init_process_group")
    if mode == "exit" and last:
        sys.exit(3)
    import ember.distributed as dist

    dist.init_process_group("gloo")
    r = dist.get_rank()
    if mode == "raise" and r == dist.get_world_size() - 1:
        time.sleep(0.2)
        raise ValueError("this rank fails")
    dist.barrier()
    info = {k: os.environ.get(k) for k in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "EMBER_LAUNCHED",
                                           "OMP_NUM_THREADS")}
    info.update(rank=r, world=dist.get_world_size(), argv=sys.argv, name=__name__,
                torchelastic=dist.is_torchelastic_launched())
    with open(os.path.join(outdir, f"rank{r}.json"), "w") as f:
        json.dump(info, f)
    dist.destroy_process_group()


if __name__ == "__main__":
    main()

"""Getting a Dask client: a ``LocalCluster`` of N worker processes, or an existing cluster's scheduler.

``--workers N`` starts N single-threaded worker processes on this machine (each under a nanny, which
restarts a worker that dies); ``--scheduler tcp://HOST:8786`` connects to a cluster started with
``dask scheduler`` and ``dask worker tcp://HOST:8786`` (docs/scale.md). Either way the caller gets a
:class:`Cluster` to use as a context manager; closing it stops the processes it started (never those
of an existing cluster).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from ..errors import ScaleError

log = logging.getLogger(__name__)

#: seconds to wait for an existing cluster to have at least one worker
WAIT_FOR_WORKERS = 60.0
#: seconds to wait for the scheduler to answer
CONNECT_TIMEOUT = 15.0


@dataclass
class Cluster:
    """A Dask client and, when we started it, the local cluster behind it."""

    client: Any                 # distributed.Client
    local: Any | None = None    # distributed.LocalCluster we own, else None
    address: str = ""

    @property
    def workers(self) -> int:
        """Worker processes connected now."""
        return len(self.client.scheduler_info(n_workers=-1).get("workers", {}))

    @property
    def threads(self) -> int:
        """Worker threads connected now (tasks that can run at once)."""
        return int(sum(self.client.nthreads().values()))

    def worker_pids(self) -> dict[str, int]:
        """Worker address -> its process id."""
        import os

        return dict(self.client.run(os.getpid))

    def close(self) -> None:
        """Close the client and stop the local cluster we started (idempotent)."""
        client, local = self.client, self.local
        self.local = None
        if client is None:
            return
        self.client = None
        try:
            client.close()
        finally:
            if local is not None:
                local.close()

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def quiet_dask_logs() -> None:
    """Dask's own INFO lines (scheduler started, worker registered...) are not Parley's output: they
    are shown from WARNING up with -vv, from ERROR up otherwise."""
    level = logging.WARNING if logging.getLogger().getEffectiveLevel() <= logging.DEBUG else logging.ERROR
    for name in ("distributed", "dask"):
        logging.getLogger(name).setLevel(level)


def start_cluster(workers: int | None = None, scheduler: str | None = None, *,
                  wait: float = WAIT_FOR_WORKERS, connect_timeout: float = CONNECT_TIMEOUT) -> Cluster:
    """A :class:`Cluster`: ``workers`` local processes (one thread each), or the cluster whose
    scheduler is at ``scheduler`` (E801 unreachable, E802 no worker within ``wait`` seconds)."""
    from distributed import Client, LocalCluster

    if workers is not None and scheduler is not None:
        raise ScaleError("E807", detail="--workers and --scheduler exclude each other: --workers N starts a "
                                        "cluster on this machine, --scheduler joins an existing one.")
    quiet_dask_logs()
    if scheduler is None:
        n = max(1, int(workers or 1))
        # the scheduler's HTTP server on a free loopback port: never 8787 taken from someone else
        local = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                             dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR)
        try:
            client = Client(local, set_as_default=False)
        except BaseException:
            local.close()
            raise
        log.info("started a local Dask cluster of %d worker processes at %s", n, local.scheduler_address)
        return Cluster(client, local, local.scheduler_address)
    address = scheduler if "://" in scheduler else f"tcp://{scheduler}"
    try:
        client = Client(address, timeout=connect_timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ScaleError("E801", address=address, detail=f"{type(exc).__name__}: {exc}") from None
    try:
        client.wait_for_workers(1, timeout=wait)
    except (TimeoutError, OSError):
        client.close()
        raise ScaleError("E802", address=address, seconds=f"{wait:g}") from None
    except BaseException:
        client.close()
        raise
    log.info("connected to the Dask scheduler at %s", address)
    return Cluster(client, None, address)


__all__ = ["CONNECT_TIMEOUT", "Cluster", "WAIT_FOR_WORKERS", "start_cluster"]

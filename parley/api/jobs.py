"""Background extraction jobs of ``parley serve``: one at a time, in a thread, with progress.

A job runs :func:`run_extraction` (the one place the API starts an extraction run): the run is
recorded in the ``runs`` table as any other, positions are saved article by article, and the kept
ledger is brought up to date as the run goes. Jobs live in the server's memory until it restarts;
``GET /api/v1/runs`` also lists the stored runs.
"""
from __future__ import annotations

import logging
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..errors import ApiError, ParleyError
from ..model import utcnow

if TYPE_CHECKING:
    from ..store.runner import RunReport
    from ..store.sql import SqlStore

log = logging.getLogger(__name__)

__all__ = ["Job", "Jobs", "run_extraction"]

KEEP = 50        # finished jobs remembered


@dataclass
class Job:
    id: str
    extractor: str | None
    limit: int | None = None
    force: bool = False
    kind: str = "extract"
    status: str = "queued"        # queued | running | finished | failed | interrupted
    done: int = 0
    total: int = 0
    positions: int = 0
    failed: int = 0
    run_id: int | None = None
    message: str = ""
    started_at: datetime | None = field(default_factory=utcnow)
    finished_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("id", "kind", "status", "extractor", "done", "total", "positions",
                                              "failed", "run_id", "message", "started_at", "finished_at")}


def run_extraction(store: SqlStore, extractor: str | None, *, limit: int | None = None, force: bool = False,
                   on_progress: Any = None) -> RunReport:
    """Extract what is pending with the named extractor (the ``extractor`` setting when None).
    The API's one call into the run machinery (:func:`parley.pipeline.extract`)."""
    from .. import pipeline
    from ..store.runner import RunReport

    report = pipeline.extract(store, extractor, limit=limit, force=force, on_progress=on_progress)
    assert isinstance(report, RunReport)       # a local run (no workers, no scheduler)
    return report


class Jobs:
    """The extraction jobs of one server."""

    def __init__(self, store: SqlStore) -> None:
        self._store = store
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    def get(self, job_id: str) -> Job:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise ApiError("E710", 404, item=job_id)
        return job

    def all(self) -> list[Job]:
        with self._lock:
            return list(reversed(self._jobs.values()))

    def running(self) -> Job | None:
        with self._lock:
            return next((j for j in self._jobs.values() if j.status in ("queued", "running")), None)

    def start(self, extractor: str | None, limit: int | None = None, force: bool = False) -> Job:
        """Start an extraction job (E711 while another runs)."""
        with self._lock:
            busy = next((j for j in self._jobs.values() if j.status in ("queued", "running")), None)
            if busy is not None:
                raise ApiError("E711", 409, item=busy.id)
            job = Job(secrets.token_hex(6), extractor, limit, force)
            self._jobs[job.id] = job
            while len(self._jobs) > KEEP:
                self._jobs.pop(next(iter(self._jobs)))
        th = threading.Thread(target=self._run, args=(job,), name=f"parley-job-{job.id}", daemon=True)
        self._threads.append(th)
        th.start()
        return job

    def _run(self, job: Job) -> None:
        job.status = "running"

        def progress(rep: RunReport, total: int) -> None:
            job.total, job.done = total, rep.articles + len(rep.failures)
            job.positions, job.failed, job.run_id = rep.positions, len(rep.failures), rep.run_id
            job.extractor = f"{rep.extractor} {rep.version}"

        try:
            rep = run_extraction(self._store, job.extractor, limit=job.limit, force=job.force, on_progress=progress)
            progress(rep, max(job.total, rep.articles + len(rep.failures)))
            job.status = rep.status
            job.message = rep.summary()
        except ParleyError as exc:
            job.status, job.message = "failed", f"[{exc.code}] {exc.message}"
        except BaseException as exc:        # a job never takes the server down; the log has the traceback
            log.exception("extraction job %s failed", job.id)
            job.status, job.message = "failed", f"{type(exc).__name__}: {exc}"
        finally:
            job.finished_at = utcnow()

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the running jobs (tests; shutting down)."""
        for th in list(self._threads):
            th.join(timeout)

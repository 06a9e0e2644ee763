"""Run one function over many series: in this process, in worker processes, or on Dask.

The results are the same to the byte whichever way: each series' work depends only on its own
arguments (its seed comes from the user's seed and its name, see `models.forecast`), never on
the worker that runs it or on the order in which series finish. Results come back in the order
of the input.

- `jobs=1`: a plain loop.
- `jobs>1`: a `ProcessPoolExecutor` of that many fresh ("spawn") processes. Not "fork": forking
  a process whose polars thread pool is running can deadlock the child. Each worker pays about a
  second of imports once, so a few series stay in this process (MIN_SERIES_PER_WORKER).
- `scheduler="tcp://host:8786"`: an existing `dask.distributed` cluster (`pip install
  carecast[dask]`); the function and its arguments are pickled to the workers, which need
  carecast installed in the same version.

`progress(done, total)` is called after every finished series, from this process.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from models.errors import ModelError, UsageError

R = TypeVar("R")
Progress = Callable[[int, int], None]
MIN_SERIES_PER_WORKER = 4  # below this a worker's start-up costs more than it saves
DASK_CONNECT_TIMEOUT = 10.0  # seconds; a scheduler (or its workers) not there by then: an error


def default_jobs() -> int:
    """All cores this process may use."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not on Linux
        return max(os.cpu_count() or 1, 1)


def map_series(
    func: Callable[..., R],
    items: Sequence[tuple[Any, ...]],
    *,
    jobs: int = 1,
    scheduler: str | None = None,
    progress: Progress | None = None,
) -> list[R]:
    """`[func(*item) for item in items]`, in the input order, run as the module docstring says."""
    if jobs < 1:
        raise UsageError(f"must be 1 or more, not {jobs}", where="--jobs")
    total = len(items)
    if scheduler is not None:
        return _on_dask(func, items, scheduler, progress)
    workers = min(jobs, total // MIN_SERIES_PER_WORKER)
    if workers < 2:
        results = []
        for done, item in enumerate(items, start=1):
            results.append(func(*item))
            if progress is not None:
                progress(done, total)
        return results
    context = multiprocessing.get_context("spawn")
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = {pool.submit(func, *item): index for index, item in enumerate(items)}
            try:
                return _collect(futures, total, progress)
            except BaseException:  # an error or an interrupt: stop now, not after every fit
                pool.shutdown(wait=False, cancel_futures=True)
                for worker in multiprocessing.active_children():
                    worker.terminate()
                raise
    except BrokenProcessPool:
        raise ModelError(
            "a worker process stopped in the middle of a fit",
            where="--jobs",
            hint="it may have run out of memory: try fewer --jobs",
        ) from None


def _collect(futures: dict[Future[R], int], total: int, progress: Progress | None) -> list[R]:
    found: dict[int, R] = {}
    for done, future in enumerate(as_completed(futures), start=1):
        found[futures[future]] = future.result()  # a worker's exception is raised here
        if progress is not None:
            progress(done, total)
    return [found[index] for index in range(total)]


_ADDRESS = re.compile(r"(?:(?:tcp|tls)://)?(?:[A-Za-z0-9_.\-]+|\[[0-9A-Fa-f:]+\]):\d{1,5}")


def _connect(client_type: Any, scheduler: str) -> Any:
    """A Client of the scheduler at `scheduler`, or a UsageError. The connection is made in a
    daemon thread with a deadline: something at that address that is not a Dask scheduler
    (a web server, say) can make the handshake wait for ever, or fail in odd ways."""
    result: list[Any] = []

    def connect() -> None:
        try:
            result.append(client_type(scheduler, timeout=DASK_CONNECT_TIMEOUT,
                                      set_as_default=False))  # fmt: skip
        except BaseException as error:  # noqa: BLE001 - reported below as one line
            result.append(error)

    thread = threading.Thread(target=connect, daemon=True, name="carecast-dask-connect")
    thread.start()
    thread.join(2 * DASK_CONNECT_TIMEOUT)
    outcome = result[0] if result else TimeoutError("no answer")
    if isinstance(outcome, BaseException):
        # a half-made Client complains again when it is collected: not the user's business
        sys.unraisablehook = lambda _: None
        raise UsageError(
            f"cannot reach the Dask scheduler at {scheduler} ({type(outcome).__name__})",
            where="--dask-scheduler",
            hint="check the address (tcp://host:8786); start one with `dask scheduler`",
        )
    return outcome


def _on_dask(
    func: Callable[..., R],
    items: Sequence[tuple[Any, ...]],
    scheduler: str,
    progress: Progress | None,
) -> list[R]:
    try:
        from distributed import Client
    except ImportError:
        raise UsageError(
            "--dask-scheduler needs Dask's distributed package",
            where="--dask-scheduler",
            hint="pip install 'carecast[dask]'",
        ) from None
    if not _ADDRESS.fullmatch(scheduler):
        raise UsageError(
            f"'{scheduler}' is not a Dask scheduler address",
            where="--dask-scheduler",
            hint="write tcp://HOST:PORT, e.g. tcp://127.0.0.1:8786",
        )
    client = _connect(Client, scheduler)
    try:
        try:  # a scheduler without workers would take the tasks and wait for ever
            client.wait_for_workers(1, timeout=DASK_CONNECT_TIMEOUT)
        except TimeoutError:
            raise UsageError(
                f"the Dask scheduler at {scheduler} has no workers",
                where="--dask-scheduler",
                hint=f"start some: dask worker {scheduler} --nthreads 1",
            ) from None
        # pure=False: every call is its own task, even for two series with equal histories
        futures = client.map(func, *zip(*items, strict=True), pure=False)
        results: list[R] = []
        for done, future in enumerate(futures, start=1):  # in input order: simple, same bytes
            results.append(future.result())
            if progress is not None:
                progress(done, len(items))
        return results
    finally:
        client.close()

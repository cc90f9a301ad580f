"""Fixed blocks of runs on every core, or on an executor (a concurrent.futures Executor or a
dask distributed Client).

A Monte Carlo is cut into blocks whose boundaries and random streams depend only on the seed
and the block size, never on the number of workers, and the blocks' results are joined in block
order: any number of workers, and any executor, gives the same result.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any

from shiftsim._checks import invalid

__all__ = ["check_executor", "check_workers", "default_workers", "map_blocks", "progress_bar"]


def default_workers() -> int:
    """The cores this process may use (``os.process_cpu_count()`` where Python has it)."""
    count = getattr(os, "process_cpu_count", os.cpu_count)()
    return max(int(count or 1), 1)


def check_workers(owner: str, workers: object) -> int:
    """``workers`` as a positive count (None: every core)."""
    if workers is None:
        return default_workers()
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise invalid(owner, "workers", workers, "must be a positive integer or None")
    return workers


def _process_context() -> Any:
    """fork while this process runs one thread (fast: nothing to import again), else
    forkserver where the platform has it (forking a process that runs threads is unsafe),
    else the platform's default."""
    import multiprocessing
    import threading

    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context()


def _is_dask_client(executor: object) -> bool:
    return hasattr(executor, "submit") and hasattr(executor, "gather")


def check_executor(owner: str, executor: object) -> Any:
    """``executor`` if it is None, a concurrent.futures Executor or a dask Client."""
    if executor is None or isinstance(executor, Executor) or _is_dask_client(executor):
        return executor
    raise invalid(
        owner,
        "executor",
        type(executor).__name__,
        "must be a concurrent.futures.Executor, a dask distributed Client, or None",
    )


def map_blocks(
    fn: Callable[[Any], Any],
    tasks: Sequence[Any],
    *,
    workers: int,
    executor: Any = None,
    processes: bool = False,
    progress: Callable[[Iterable[Any]], Iterable[Any]] | None = None,
) -> list[Any]:
    """``[fn(task) for task in tasks]``, computed on ``executor`` if given, else on ``workers``
    threads (``processes=False``: for work that releases the GIL) or processes; ``progress``
    wraps the results as they arrive (in order)."""
    tasks = list(tasks)
    show = progress or (lambda items: items)
    if executor is not None:
        if isinstance(executor, Executor):
            return list(show(executor.map(fn, tasks)))
        futures = [executor.submit(fn, task, pure=False) for task in tasks]
        return list(show(iter(executor.gather(futures))))
    workers = min(workers, len(tasks))
    if workers <= 1:
        return list(show(fn(task) for task in tasks))
    pool: Executor = (
        ProcessPoolExecutor(workers, mp_context=_process_context())
        if processes
        else ThreadPoolExecutor(workers)
    )
    with pool:
        return list(show(pool.map(fn, tasks)))


def progress_bar(
    items: Iterable[Any], enabled: bool, desc: str, total: int | None = None
) -> Iterable[Any]:
    """``items`` with a tqdm progress bar when ``enabled`` (tqdm is imported only then)."""
    if not enabled:
        return items
    from tqdm.auto import tqdm  # only when a bar is drawn

    return tqdm(items, desc=desc, total=total)

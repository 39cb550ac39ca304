"""Spread independent work over worker processes, for big registries only.

Workers are forked, so they inherit the parent's state (a loaded registry, imported modules)
instead of receiving it pickled; only the items and the results cross the process boundary.
Where ``fork`` does not exist, or the work is small, everything runs in this process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

THRESHOLD = 64  # below this many items, starting workers costs more than it saves

_TASK: tuple[Callable[[Any, Any], Any], Any] | None = None


def default_workers() -> int:
    """One worker per CPU, at most eight."""
    return min(os.cpu_count() or 1, 8)


def map_items(
    function: Callable[[Any, Item], Result],
    state: Any,
    items: Sequence[Item],
    workers: int = 0,
    threshold: int = THRESHOLD,
) -> list[Result]:
    """``[function(state, item) for item in items]``, in order, maybe in worker processes."""
    global _TASK
    workers = workers or default_workers()
    forkable = "fork" in multiprocessing.get_all_start_methods()
    if workers < 2 or len(items) < threshold or not forkable or _TASK is not None:
        return [function(state, item) for item in items]
    _TASK = (function, state)
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            chunk = max(1, len(items) // (workers * 8))
            return list(pool.map(_call, items, chunksize=chunk))
    finally:
        _TASK = None


def stream_items(
    function: Callable[[Any, Item], Result],
    state: Any,
    items: Sequence[Item],
    workers: int = 0,
    threshold: int = THRESHOLD,
    batch: int = 256,
) -> Iterator[Result]:
    """:func:`map_items`, ``batch`` items at a time, each result handed over as soon as its
    batch is done: at most one batch of results is held (for outputs made channel by channel)."""
    for start in range(0, len(items), batch):
        chunk = items[start : start + batch]
        # the threshold is the whole run's: a last small batch still goes to the workers
        small = len(items) < threshold
        yield from map_items(function, state, chunk, workers, len(chunk) + 1 if small else 1)


def _call(item: Any) -> Any:
    assert _TASK is not None, "worker started without a task"
    function, state = _TASK
    return function(state, item)

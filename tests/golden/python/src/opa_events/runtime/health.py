"""The ``system.health`` heartbeat: uptime, memory and CPU every 30 s, and a status you set."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import resource
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel

from opa_events._codec import codec
from opa_events.runtime.common import rfc3339
from opa_events.runtime.redis_pub import AsyncPublisher, Publisher

LOG = logging.getLogger(__name__)
CHANNEL = "system.health"
INTERVAL = 30.0
Status = Literal["healthy", "degraded", "unhealthy"]
STATUSES: tuple[Status, ...] = ("healthy", "degraded", "unhealthy")


@dataclass(frozen=True, slots=True)
class ProcessStats:
    """This process's uptime, resident memory and CPU use since the previous sample."""

    uptime_seconds: int
    memory_mb: float
    cpu_percent: float


class _Sampler:
    """CPU percent needs two samples: this keeps the previous one."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self._wall = self.started
        self._cpu = time.process_time()

    def sample(self) -> ProcessStats:
        wall, cpu = time.monotonic(), time.process_time()
        elapsed = wall - self._wall
        # process time counts every thread, so a busy multi-threaded service can exceed 100 (as top)
        percent = 100.0 * (cpu - self._cpu) / elapsed if elapsed > 0 else 0.0
        self._wall, self._cpu = wall, cpu
        return ProcessStats(int(wall - self.started), round(_memory_mb(), 1), round(percent, 1))


def _memory_mb() -> float:
    """Resident memory now (``/proc``), else the peak (``getrusage``) where there is no ``/proc``."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


class _Heart:
    """What both reporters share: the service, its status and the message it sends."""

    def __init__(self, service: str, interval: float, status: Status, channel: str) -> None:
        if interval <= 0:
            raise ValueError("interval must be positive")
        self.service = service
        self.interval = interval
        self.channel = channel
        self._status: Status = self._checked(status)
        self._sampler = _Sampler()
        self._codec = codec(channel)
        self.message()  # fail now, not in 30 s, when the service name breaks the contract
        self._sampler = _Sampler()  # so the first beat's CPU figure covers a whole interval
        #: Heartbeats sent, and the last one's subscriber count.
        self.beats = 0
        self.last_receivers = 0

    @property
    def status(self) -> Status:
        """The status the next heartbeat reports."""
        return self._status

    @staticmethod
    def _checked(status: str) -> Status:
        for known in STATUSES:
            if status == known:
                return known
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")

    def message(self) -> BaseModel:
        """The heartbeat now, checked against the channel's contract."""
        stats = self._sampler.sample()
        payload = {
            "service": self.service,
            "timestamp": rfc3339(datetime.now(UTC)),
            "status": self._status,
            "details": {
                "uptime_seconds": stats.uptime_seconds,
                "memory_mb": stats.memory_mb,
                "cpu_percent": stats.cpu_percent,
            },
        }
        return self._codec.decode(json.dumps(payload), "json")


class HealthReporter(_Heart):
    """Publishes ``system.health`` every ``interval`` seconds from a daemon thread.

    ``set_status`` changes the reported status and sends a heartbeat at once. A failed publish is
    logged (and counted by the publisher) and the heartbeat goes on.
    """

    def __init__(
        self,
        publisher: Publisher,
        service: str,
        *,
        interval: float = INTERVAL,
        status: Status = "healthy",
        channel: str = CHANNEL,
    ) -> None:
        super().__init__(service, interval, status, channel)
        self.publisher = publisher
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def beat(self) -> int:
        """Publish one heartbeat now; the number of subscribers that received it."""
        receivers = self.publisher.publish(self.message())
        self.beats += 1
        self.last_receivers = receivers
        return receivers

    def set_status(self, status: Status) -> None:
        """Report ``status`` from now on, with a heartbeat at once when it changed."""
        checked = self._checked(status)
        changed, self._status = checked != self._status, checked
        if changed and self._thread is not None:
            self._wake.set()

    def start(self) -> HealthReporter:
        """Start the heartbeat thread (the first beat is immediate)."""
        if self._thread is None:
            self._stopped.clear()
            self._thread = threading.Thread(target=self._loop, name="health", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop the heartbeat thread."""
        thread, self._thread = self._thread, None
        self._stopped.set()
        self._wake.set()
        if thread is not None:
            thread.join()

    def __enter__(self) -> HealthReporter:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _loop(self) -> None:
        while not self._stopped.is_set():
            try:
                self.beat()
            except Exception:  # the heartbeat must outlive a Redis outage
                LOG.warning("health heartbeat not published", exc_info=True)
            self._wake.wait(self.interval)
            self._wake.clear()


class AsyncHealthReporter(_Heart):
    """The asyncio twin of :class:`HealthReporter`: ``start()`` runs it as a task."""

    def __init__(
        self,
        publisher: AsyncPublisher,
        service: str,
        *,
        interval: float = INTERVAL,
        status: Status = "healthy",
        channel: str = CHANNEL,
    ) -> None:
        super().__init__(service, interval, status, channel)
        self.publisher = publisher
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def beat(self) -> int:
        """Publish one heartbeat now; the number of subscribers that received it."""
        receivers = await self.publisher.publish(self.message())
        self.beats += 1
        self.last_receivers = receivers
        return receivers

    def set_status(self, status: Status) -> None:
        """Report ``status`` from now on, with a heartbeat at once when it changed."""
        checked = self._checked(status)
        changed, self._status = checked != self._status, checked
        if changed:
            self._wake.set()

    def start(self) -> AsyncHealthReporter:
        """Start the heartbeat task in the running loop (the first beat is immediate)."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._loop(), name="health")
        return self

    async def stop(self) -> None:
        """Stop the heartbeat task."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def __aenter__(self) -> AsyncHealthReporter:
        return self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _loop(self) -> None:
        while True:
            try:
                await self.beat()
            except Exception:  # the heartbeat must outlive a Redis outage
                LOG.warning("health heartbeat not published", exc_info=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval)
            self._wake.clear()

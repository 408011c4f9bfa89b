"""Admission control: each worker process serves at most so many requests at once, lets a
bounded number more wait a bounded time for a turn, and answers the rest at once with 503
and Retry-After.

Why: an asyncio worker that accepts everything serves everything slower, until every request
times out and goodput collapses. Bounded, the worker keeps answering the requests it admitted
at its normal speed and tells the others within microseconds to come back, so goodput holds
under a flood and the answers stay honest (503, never a reset or a 500).

Always admitted: the health and readiness endpoints and /metrics (a balancer must still see
the instance, an operator must still see why), and open event streams, which hold a
connection for a long time and have bounds of their own (NOTESTACK_EVENTS_MAX_STREAMS_*).
Waiting costs no CPU (a future parked on the event loop); the queue is first in, first out.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from notestack.core import metrics
from notestack.core.errors import ServiceUnavailable, app_error_response
from notestack.core.settings import Settings

ALWAYS_ADMITTED = frozenset({"/healthz", "/readyz", "/metrics"})
BUSY_MESSAGE = "The server is busy; try again in a moment"
RETRY_AFTER_SECONDS = 1


@dataclass(frozen=True, slots=True)
class AdmissionLimits:
    max_in_flight: int
    max_queued: int
    max_wait_seconds: float

    @classmethod
    def from_settings(cls, settings: Settings) -> AdmissionLimits:
        return cls(
            settings.max_requests_in_flight,
            settings.admission_queue,
            settings.admission_wait_seconds,
        )


def busy() -> ServiceUnavailable:
    """The answer to a request the server has no room for now (also used for a full pool)."""
    return ServiceUnavailable(BUSY_MESSAGE, retry_after=RETRY_AFTER_SECONDS)


class Admission:
    """The slots of one worker process: ``acquire`` returns None once admitted (the caller
    must ``release``), else why not ("queue_full", "queue_timeout")."""

    def __init__(self, limits: AdmissionLimits) -> None:
        self.limits = limits
        self.in_flight = 0
        self._waiting: deque[asyncio.Future[None]] = deque()

    @property
    def queued(self) -> int:
        return len(self._waiting)

    async def acquire(self) -> str | None:
        if self.in_flight < self.limits.max_in_flight and not self._waiting:
            self.in_flight += 1
            metrics.IN_FLIGHT.inc()
            return None
        if len(self._waiting) >= self.limits.max_queued:
            return "queue_full"
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(turn)
        metrics.QUEUED.inc()
        try:
            async with asyncio.timeout(self.limits.max_wait_seconds):
                await turn
        except TimeoutError:
            if turn.done() and not turn.cancelled():
                return None  # handed a slot just as the wait ran out: it is ours
            return "queue_timeout"
        except BaseException:  # the client went away while waiting
            if turn.done() and not turn.cancelled():
                self.release()  # a slot was handed over: pass it on
            raise
        finally:
            if not turn.done():
                turn.cancel()
            try:
                self._waiting.remove(turn)
            except ValueError:
                pass  # release() took it off the queue
            else:
                metrics.QUEUED.dec()
        return None

    def release(self) -> None:
        """Hand the slot to the longest waiter still waiting, else free it."""
        while self._waiting:
            turn = self._waiting.popleft()
            metrics.QUEUED.dec()
            if not turn.done():
                turn.set_result(None)
                return
        self.in_flight -= 1
        metrics.IN_FLIGHT.dec()


class AdmissionControl:
    """ASGI middleware around everything that does work (inside the request context, so a
    refused request still has a request id, an access log line and a metric)."""

    def __init__(
        self, app: ASGIApp, limits: AdmissionLimits, exempt_prefixes: tuple[str, ...] = ()
    ) -> None:
        self.app = app
        self.admission = Admission(limits)
        self.exempt_prefixes = exempt_prefixes

    def _always_admitted(self, path: str) -> bool:
        return path in ALWAYS_ADMITTED or path.startswith(self.exempt_prefixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._always_admitted(scope["path"]):
            await self.app(scope, receive, send)
            return
        refused = await self.admission.acquire()
        if refused is not None:
            metrics.OVERLOAD.labels("shed", refused).inc()
            await app_error_response(busy())(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self.admission.release()

"""A small circuit breaker: after repeated failures, stop trying for a while."""

from __future__ import annotations

import time


class CircuitBreaker:
    """Closed: calls go through. Open (after ``threshold`` consecutive failures): calls are
    skipped for ``reset_seconds``. Then one trial call is let through (half-open); its success
    closes the circuit, its failure opens it again."""

    def __init__(self, threshold: int = 3, reset_seconds: float = 2.0) -> None:
        self.threshold = threshold
        self.reset_seconds = reset_seconds
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_in_flight = False

    @property
    def is_open(self) -> bool:
        return self._opened_at is not None

    def allow(self) -> bool:
        if self._opened_at is None:
            return True
        if self._trial_in_flight or time.monotonic() - self._opened_at < self.reset_seconds:
            return False
        self._trial_in_flight = True
        return True

    def record_success(self) -> bool:
        """Returns True when this success closed an open circuit (a recovery)."""
        recovered = self._opened_at is not None
        self._failures = 0
        self._opened_at = None
        self._trial_in_flight = False
        return recovered

    def record_failure(self) -> None:
        self._failures += 1
        self._trial_in_flight = False
        if self._opened_at is not None or self._failures >= self.threshold:
            self._opened_at = time.monotonic()

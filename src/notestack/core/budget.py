"""Fair share: each account may make ``NOTESTACK_USER_REQUEST_BUDGET`` requests per fixed
window, counted across every instance, so one client looping on the API gets 429 while
everyone else is served as usual.

Every authenticated request is counted once, where its token is first read:
- the read shortcut (notes/read_shortcut.py) counts in the same Redis round trip as its
  cache look-up, so the hottest request pays nothing extra;
- otherwise ``auth.dependencies.get_claims`` counts (one small Redis script).
A request keeps its count in its ASGI scope, so a shortcut that falls through to the routers
is not counted twice. Without Redis (the embedded default, or while Redis does not answer)
each worker process counts on its own: a looser bound, never a lock-out of everyone.
"""

from __future__ import annotations

import math
import time
import uuid
from dataclasses import dataclass

from starlette.types import Scope

from notestack.core import metrics
from notestack.core.cache import BudgetCounter, Cache, budget_key
from notestack.core.errors import TooManyRequests
from notestack.core.settings import Settings

OVER_BUDGET = "Too many requests from this account; slow down and try again shortly"
# In-process counts kept before old windows are swept out.
_LOCAL_SWEEP_AT = 10_000


@dataclass(frozen=True, slots=True)
class Count:
    user_id: uuid.UUID
    spent: int
    retry_after: int


# Where a request keeps its count once made (see the module docstring).
SCOPE_KEY = "notestack.budget_count"


class UserBudget:
    def __init__(self, limit: int, window_seconds: int, cache: Cache | None) -> None:
        self.limit = limit
        self.window = window_seconds
        self.cache = cache
        self._local: dict[uuid.UUID, tuple[int, int]] = {}

    @classmethod
    def from_settings(cls, settings: Settings, cache: Cache | None) -> UserBudget:
        limit, window = settings.user_budget
        return cls(limit, window, cache)

    def counter(self, user_id: uuid.UUID) -> BudgetCounter:
        """The Redis counter of ``user_id``'s current window."""
        window = int(time.time() // self.window)
        return BudgetCounter(budget_key(user_id, window), self.window + 1)

    def record(self, scope: Scope, user_id: uuid.UUID, spent: int) -> TooManyRequests | None:
        """Remember the request's count; the 429 to answer when it is over the budget."""
        left = self.window - time.time() % self.window
        count = Count(user_id, spent, max(1, math.ceil(left)))
        scope[SCOPE_KEY] = count
        return self._verdict(count)

    async def charge(self, scope: Scope, user_id: uuid.UUID) -> None:
        """Count the request (unless it already was); raise 429 when over the budget."""
        count = scope.get(SCOPE_KEY)
        if isinstance(count, Count) and count.user_id == user_id:
            refusal = self._verdict(count)
        else:
            spent = await self.cache.spend(self.counter(user_id)) if self.cache else None
            refusal = self.record(
                scope, user_id, spent if spent is not None else self._local_spend(user_id)
            )
        if refusal is not None:
            raise refusal

    def _verdict(self, count: Count) -> TooManyRequests | None:
        if count.spent <= self.limit:
            return None
        metrics.OVERLOAD.labels("throttled", "user_budget").inc()
        return TooManyRequests(OVER_BUDGET, retry_after=count.retry_after)

    def _local_spend(self, user_id: uuid.UUID) -> int:
        window = int(time.time() // self.window)
        seen_window, spent = self._local.get(user_id, (window, 0))
        spent = spent + 1 if seen_window == window else 1
        if len(self._local) >= _LOCAL_SWEEP_AT:
            self._local = {k: v for k, v in self._local.items() if v[0] == window}
        self._local[user_id] = (window, spent)
        return spent

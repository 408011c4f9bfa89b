"""How notes are ordered: sort keys kept beside the values they come from, board positions.

Every sort is a keyset over an index: a page after a cursor is a range scan, never OFFSET.
Keys that need computing are computed here, once, when a note is written (never by the
database, so SQLite and PostgreSQL order the same way):
- ``status_rank`` and ``priority_rank``: Pending < InProgress < Done, Low < Medium < High;
- ``title_key``: the title compared without case or accents ("Éclair" beside "eclair");
- ``position``: a fractional-indexing key (the same algorithm as the web client's npm
  ``fractional-indexing``), compared byte by byte, so moving a card writes only that card.
"""

from __future__ import annotations

import enum
import re

from fractional_indexing import FIError, generate_key_between, validate_order_key

from notestack.core.text import fold
from notestack.notes.models import POSITION_MAX, NotePriority, NoteStatus

STATUS_RANK = {status.value: rank for rank, status in enumerate(NoteStatus)}
PRIORITY_RANK = {priority.value: rank for rank, priority in enumerate(NotePriority)}
POSITION_PATTERN = r"^[0-9A-Za-z]{2,64}$"


class Sort(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    PRIORITY = "priority"
    STATUS = "status"
    TITLE = "title"
    POSITION = "position"


class Order(enum.StrEnum):
    ASC = "asc"
    DESC = "desc"


# Without ?order=, each sort starts where people expect: newest, most urgent, A to Z, the
# board's own order.
DEFAULT_ORDER = {
    Sort.CREATED: Order.DESC,
    Sort.UPDATED: Order.DESC,
    Sort.PRIORITY: Order.DESC,
    Sort.STATUS: Order.ASC,
    Sort.TITLE: Order.ASC,
    Sort.POSITION: Order.ASC,
}


_SPACES = re.compile(r"\s+")


def title_key(title: str) -> str:
    return _SPACES.sub(" ", fold(title)).strip()


def sort_keys(*, title: str, status: str, priority: str) -> dict[str, object]:
    """The stored sort keys of a note with these values."""
    return {
        "title_key": title_key(title),
        "status_rank": STATUS_RANK[status],
        "priority_rank": PRIORITY_RANK[priority],
    }


def position_before(first: str | None) -> str:
    """A position ahead of ``first`` (the top of a column), or the first one of all."""
    return str(generate_key_between(None, first if _valid(first) else None))


def valid_position(key: str) -> bool:
    return _valid(key)


def _valid(key: str | None) -> bool:
    if key is None or len(key) > POSITION_MAX:
        return False
    try:
        validate_order_key(key)
    except (FIError, IndexError, ValueError):  # the library's own checks, and what they miss
        return False
    return True

"""A list request's parameters: parsed, validated and turned into a cache key in one place.

The router and the read shortcut (``read_shortcut.py``) both call ``parse_list_query`` and
``list_cache_key``: the shortcut can only answer a request the router would have accepted,
and only as the router would (with the router's ``answer_list``). Whatever this module
refuses, the shortcut passes on to the router, whose answer is then the only one.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from starlette.datastructures import QueryParams

from notestack.core.openapi import query_parameters
from notestack.core.text import StoredText
from notestack.notes.models import NotePriority, NoteStatus
from notestack.notes.ordering import DEFAULT_ORDER, Order, Sort
from notestack.notes.repository import ListFilter, Ordering

PAGE_SIZE_MAX = 100
SEARCH_MAX = 200
CURSOR_MAX = 512
CURSOR_PATTERN = r"^([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)?$"  # empty: the first page


def _ascii_whole_number(value: Any) -> Any:
    """Digits 0-9 only, at most three of them: '٣', '²', '3_0', ' 3' and 5,000 digits are
    all refused (as a validation error, never a crash)."""
    if isinstance(value, str) and not (value.isascii() and value.isdigit() and len(value) <= 3):
        raise ValueError(f"must be a whole number from 1 to {PAGE_SIZE_MAX}")
    return value


PageSize = Annotated[int, Field(ge=1, le=PAGE_SIZE_MAX)]


class PageQuery(BaseModel):
    """A paged list's ``limit`` and ``cursor`` (the trash's whole query). Unknown names are
    ignored; a repeated name counts with its last value (as for every query of the API)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    limit: Annotated[
        PageSize | None,
        BeforeValidator(_ascii_whole_number),
        Field(description="Page size, 1-100 (none: up to 1,000 notes)"),
    ] = None
    cursor: Annotated[
        str | None,
        Field(
            max_length=CURSOR_MAX,
            description="nextCursor of the previous page, unchanged (signed by the server: "
            "any other value is a 400)",
            json_schema_extra={"pattern": CURSOR_PATTERN},
        ),
    ] = None


class FilterQuery(BaseModel):
    """The list's filters (also all of ``GET /api/v1/note/counts``)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    status: Annotated[NoteStatus | None, Field(description="Only notes with this status")] = None
    priority: Annotated[NotePriority | None, Field(description="Only notes with this priority")] = (
        None
    )
    q: Annotated[
        StoredText | None,
        Field(
            max_length=SEARCH_MAX,
            description="Words to find: every word must begin a word of the title or the "
            "description, in any order, whatever the case or accents; results come best "
            "match first (unless `sort` is given), each with its `highlights`",
        ),
    ] = None

    def filters(self) -> ListFilter:
        return ListFilter(
            status=self.status.value if self.status else None,
            priority=self.priority.value if self.priority else None,
            search=(self.q or "").strip() or None,
        )


class CountsQuery(FilterQuery):
    """``GET /api/v1/note/counts``: the list's filters."""


class ListQuery(PageQuery, FilterQuery):
    """``GET /api/v1/note`` query parameters."""

    sort: Annotated[
        Sort | None,
        Field(description="created (default), updated, priority, status, title, position"),
    ] = None
    order: Annotated[
        Order | None,
        Field(description="asc or desc (default: newest, most urgent, A-Z, board order)"),
    ] = None

    def ordering(self) -> Ordering:
        """Relevance for a search without a sort; otherwise the sort, newest first."""
        if self.sort is None and self.filters().words():
            return Ordering(None, self.order or Order.DESC)
        sort = self.sort or Sort.CREATED
        return Ordering(sort, self.order or DEFAULT_ORDER[sort])


LIST_QUERY_PARAMETERS = query_parameters(ListQuery)
COUNTS_QUERY_PARAMETERS = query_parameters(CountsQuery)
PAGE_QUERY_PARAMETERS = query_parameters(PageQuery)
Q = TypeVar("Q", bound=BaseModel)


def parse_query(model: type[Q], params: Mapping[str, str]) -> Q:
    """Validate a request's query parameters (unknown names ignored, a repeated name by its
    last value); RequestValidationError, a 422, when invalid."""
    fields = {name: params[name] for name in model.model_fields if name in params}
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**error, "loc": ("query", *error["loc"])} for error in exc.errors()]
        ) from None


def parse_list_query(params: Mapping[str, str]) -> ListQuery:
    return parse_query(ListQuery, params)


@functools.lru_cache(maxsize=256)
def parse_query_string(query_string: bytes) -> ListQuery:
    """``parse_list_query`` of a raw query string, remembered (a ``ListQuery`` is frozen): a
    client asks the same few lists over and over, and validating one was a fifteenth of a
    cache hit's CPU. A refused string raises every time (errors are not remembered)."""
    return parse_list_query(QueryParams(query_string))


def cache_key(*parts: object) -> str:
    raw = "\x1f".join("" if part is None else str(part) for part in parts)
    return hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()


@functools.lru_cache(maxsize=256)
def list_cache_key(query: ListQuery) -> str:
    """One cache entry per distinct list query of a user (after validation: ``limit=05`` and
    ``limit=5`` share one). Remembered, like ``parse_query_string``."""
    filters = query.filters()
    return cache_key(
        filters.status,
        filters.priority,
        filters.search,
        query.cursor or "",
        query.limit,
        query.ordering().name,
    )


def counts_cache_key(query: CountsQuery) -> str:
    filters = query.filters()
    return cache_key(filters.status, filters.priority, filters.search)


def trash_cache_key(query: PageQuery) -> str:
    return cache_key(query.cursor or "", query.limit)

"""List pagination: seed 002's numbered pages with an exact count for everyone, and an opt-in keyset cursor.

Every list answers {"count", "next", "previous", "results"} with ?page= and ?page_size=, the page and its count in
one query. The count is what the view's `list_count(queryset)` gives (an operator's lists add up the counts the
database keeps, common/counts.py), or else the rows counted. A page number costs an OFFSET, which grows with the
depth of the page; a client that walks deep into an operator's million rows sends ?cursor= (blank for the first
page) and follows the links: each page is then found through the primary key at the same cost however deep.
"""

from functools import partial
from typing import Any, cast

from django.core.paginator import EmptyPage, Page, Paginator
from django.db.models import QuerySet
from django.db.models.lookups import GreaterThan
from django.utils.functional import cached_property
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request

from payments_api.common.counts import ListCount, RowCount

MAX_PAGE_SIZE = 100
PAGE_SIZE_PARAM = "page_size"
# A cursor position is a primary key, and an OFFSET a bigint: neither can be larger.
MAX_POSITION = MAX_OFFSET = 2**63 - 1


def positive_digits(raw: str) -> str | None:
    """The digits of a whole number from 1 written in ASCII digits, without leading zeros; None for anything else.

    Kept as text: int() refuses numbers of thousands of digits, and Python's int() reads other scripts' digits ("１").
    """
    digits = raw.lstrip("0")
    return digits if raw.isascii() and raw.isdigit() and digits else None


def list_count_of(queryset, view) -> ListCount:
    """The view's count of the list (`list_count`, given the filtered queryset), or else its rows counted."""
    list_count = getattr(view, "list_count", None)
    return (list_count(queryset) if list_count else None) or RowCount(queryset)


class StrictPageSizeMixin:
    page_size: int | None
    page_size_query_param: str | None = PAGE_SIZE_PARAM
    max_page_size: int | None = MAX_PAGE_SIZE

    def get_page_size(self, request: Request) -> int | None:
        """A page_size that is not a whole number from 1 up is refused (DRF would silently ignore it); capped at 100."""
        raw = request.query_params.get(PAGE_SIZE_PARAM)
        if not raw:
            return self.page_size  # absent or blank: the default, as a blank page is the first
        digits = positive_digits(raw)
        if digits is None:
            message = f"A whole number from 1 (more than {MAX_PAGE_SIZE} counts as {MAX_PAGE_SIZE})."
            raise ValidationError({PAGE_SIZE_PARAM: [message]})
        return MAX_PAGE_SIZE if len(digits) > 3 else min(int(digits), MAX_PAGE_SIZE)


class CountingPaginator(Paginator):
    """Fetches a page and the count of the whole list in one query.

    The count is a scalar subquery of the page's own statement, computed once (an InitPlan), not COUNT(*) OVER (),
    which would make the database join every row of the list instead of the page's. Past the first page, the same
    count guards the scan: a page past the end reads no row, and an OFFSET beyond any table is not sent at all.
    """

    def __init__(self, object_list, per_page, *, list_count: ListCount):
        super().__init__(object_list, per_page)
        self.list_count = list_count

    @cached_property
    def count(self) -> int:
        return self.list_count.value()

    def page(self, number: Any) -> Page:
        number = int(number)
        if number < 1:
            raise EmptyPage("That page number is less than 1")
        bottom = (number - 1) * self.per_page
        if bottom + self.per_page > MAX_OFFSET:
            raise EmptyPage("That page contains no results")
        queryset = cast(QuerySet, self.object_list).annotate(list_count=self.list_count)
        if bottom:
            queryset = queryset.filter(GreaterThan(self.list_count, bottom))  # evaluated once, before any row is read
        rows = list(queryset[bottom : bottom + self.per_page])
        if rows:
            self.__dict__["count"] = rows[0].list_count
        elif number == 1:
            self.__dict__["count"] = 0
        else:
            raise EmptyPage("That page contains no results")
        return Page(rows, number, self)


class PageNumberPagination(StrictPageSizeMixin, pagination.PageNumberPagination):
    """{"count", "next", "previous", "results"}, with ?page= and ?page_size=."""

    def get_page_number(self, request, paginator):
        """A whole number from 1, or "last"; anything else is a 400 before any count. A page past the last is a 404."""
        raw = request.query_params.get(self.page_query_param)
        if not raw:
            return 1  # absent or blank: the first page
        if raw in self.last_page_strings:
            return paginator.num_pages
        digits = positive_digits(raw)
        if digits is None:
            raise ValidationError({self.page_query_param: ['A whole number from 1, or "last".']})
        if len(digits) > len(str(MAX_OFFSET)):
            raise NotFound(self.invalid_page_message.format(page_number=raw, message="That page contains no results"))
        return int(digits)


class QuerySetPagination(PageNumberPagination):
    """Numbered pages of a queryset, each page and its count in one query (CountingPaginator)."""

    def paginate_queryset(self, queryset, request, view=None):
        self.django_paginator_class = cast(
            type[Paginator], partial(CountingPaginator, list_count=list_count_of(queryset, view))
        )
        return super().paginate_queryset(queryset, request, view)


class SequencePagination(PageNumberPagination):
    """The page shape and query parameters of PageNumberPagination over a sequence computed in memory (a quote's
    dates), for suppliers and operators alike: there is no table to page by cursor."""

    django_paginator_class = Paginator


class CursorPagination(StrictPageSizeMixin, pagination.CursorPagination):
    """The same shape, with ?cursor= (blank for the first page, then taken from next/previous) instead of ?page=.

    The order is the list's own (its selector's: newest first for operators, id order for a supplier), by id.
    """

    def paginate_queryset(self, queryset, request, view=None):
        self.ordering = "-id" if tuple(queryset.query.order_by) == ("-id",) else "id"
        self.list_count = list_count_of(queryset, view)
        rows: list[Any] = super().paginate_queryset(queryset.annotate(list_count=self.list_count), request, view) or []
        self.count = rows[0].list_count if rows else self.list_count.value()
        return rows

    def decode_cursor(self, request):
        cursor = super().decode_cursor(request)
        # DRF checks the offset but not the position, which would reach the query as it came.
        if cursor is not None and cursor.position is not None:
            digits = positive_digits(str(cursor.position))  # the text of the ?cursor=, whatever the stubs say
            if digits is None or len(digits) > len(str(MAX_POSITION)) or int(digits) > MAX_POSITION:
                raise NotFound(self.invalid_cursor_message)
        return cursor

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data = {"count": self.count, **response.data}
        return response


class ListPagination(pagination.BasePagination):
    """Numbered pages unless the request sends ?cursor= (see the module's docstring)."""

    cursor_query_param = "cursor"
    pages: "QuerySetPagination | CursorPagination"

    def paginate_queryset(self, queryset, request, view=None):
        if self.cursor_query_param in request.query_params:
            if request.query_params.get("page"):
                raise ValidationError({"page": ["Send either page or cursor, not both."]})
            self.pages = CursorPagination()
        else:
            self.pages = QuerySetPagination()
        return self.pages.paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        return self.pages.get_paginated_response(data)

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["count", "next", "previous", "results"],
            "properties": {
                "count": {"type": "integer", "minimum": 0, "description": "The number of rows of the whole list."},
                "next": {**link, "example": "http://api.example.org/api/payments/?page=2"},
                "previous": link,
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "page",
                "required": False,
                "in": "query",
                "description": 'The page number, from 1 (or "last"); a page past the end is a 404.',
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": "cursor",
                "required": False,
                "in": "query",
                "description": (
                    "Page by cursor instead of by number: blank for the first page, then as given in the next and "
                    "previous links. Every page costs the same however deep."
                ),
                "schema": {"type": "string"},
            },
            {
                "name": "page_size",
                "required": False,
                "in": "query",
                "description": f"Rows per page, 10 by default, at most {MAX_PAGE_SIZE}.",
                "schema": {"type": "integer", "minimum": 1},
            },
        ]

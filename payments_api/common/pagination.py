"""List pagination: page numbers with an exact count, or cursors for callers whose lists span a whole table.

A list narrowed to one owner's rows is cheap to count. A list of every row of a table is not: a COUNT(*) on each
page grows with the table (a third of a second at a million payments), so such callers page by an opaque cursor
over the primary key instead, at the same cost on any page. Which callers those are is for the app that knows the
callers to say (users.pagination); see docs/adr/0004-pagination.md.
"""

from typing import Any, cast

from django.core.paginator import EmptyPage, Page, Paginator
from django.db.models import IntegerField, QuerySet, Subquery
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request

MAX_PAGE_SIZE = 100
PAGE_SIZE_PARAM = "page_size"
# A cursor position is a primary key: a positive bigint.
MAX_POSITION = 2**63 - 1


def positive_digits(raw: str) -> str | None:
    """The digits of a whole number from 1 written in ASCII digits, without leading zeros; None for anything else.

    Kept as text: int() refuses numbers of thousands of digits, and Python's int() reads other scripts' digits ("１").
    """
    digits = raw.lstrip("0")
    return digits if raw.isascii() and raw.isdigit() and digits else None


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


class RowCount(Subquery):
    """The number of rows of a queryset, as a scalar subquery: PostgreSQL computes it once for the whole statement."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS counted)"
    output_field = IntegerField()

    def __init__(self, queryset, **extra):
        super().__init__(queryset.order_by().values("pk"), **extra)


class CountingPaginator(Paginator):
    """Fetches a page and the count of the whole list in one query.

    The count is a subquery of the page's own statement (an index-only scan of the supplier's index, run once), not
    COUNT(*) OVER (), which would make the database join every row of the list instead of the page's. Only a page
    with no rows leaves the count unknown: the first is an empty list, any later one is counted to tell a 404.
    """

    def page(self, number: Any) -> Page:
        number = int(number)
        if number < 1:
            raise EmptyPage("That page number is less than 1")
        bottom = (number - 1) * self.per_page
        queryset = cast(QuerySet, self.object_list)
        rows = list(queryset.annotate(list_count=RowCount(queryset))[bottom : bottom + self.per_page])
        if rows:
            self.__dict__["count"] = rows[0].list_count  # Paginator.count is a cached_property
        elif number == 1:
            self.__dict__["count"] = 0
        else:
            self.validate_number(number)  # counts, and raises EmptyPage past the last page
        return Page(rows, number, self)


class PageNumberPagination(StrictPageSizeMixin, pagination.PageNumberPagination):
    """{"count", "next", "previous", "results"}, with ?page= and ?page_size=; one query per page (CountingPaginator)."""

    django_paginator_class: type[Paginator] = CountingPaginator

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
        if len(digits) > 18:
            raise NotFound(self.invalid_page_message)  # past any page a table can have
        return int(digits)


class SequencePagination(PageNumberPagination):
    """The page shape and query parameters of PageNumberPagination over a sequence computed in memory (a quote's
    dates), for suppliers and operators alike: there is no table to page by cursor."""

    django_paginator_class = Paginator


class CursorPagination(StrictPageSizeMixin, pagination.CursorPagination):
    """{"next", "previous", "results"}, with ?cursor= (taken from next/previous) and ?page_size=; newest first.

    Newest first because recent rows are where an operator works (what is pending, what is still available), and
    because those rows are found at the top of the primary key without scanning the older history.
    """

    ordering = "-id"

    def decode_cursor(self, request):
        cursor = super().decode_cursor(request)
        # DRF checks the offset but not the position, which would reach the query as it came.
        if cursor is not None and cursor.position is not None:
            digits = positive_digits(str(cursor.position))  # the text of the ?cursor=, whatever the stubs say
            if digits is None or len(digits) > len(str(MAX_POSITION)) or int(digits) > MAX_POSITION:
                raise NotFound(self.invalid_cursor_message)
        return cursor


class ListPagination(pagination.BasePagination):
    """Page numbers, or cursors for the requests `pages_by_cursor` picks (see the module's docstring)."""

    cursor_page_refused = "This list is paged by cursor: follow the next link."
    # What the schema says to each kind of caller.
    response_description = "Numbered pages come with `count` and page links; cursor pages with cursor links only."
    count_description = "Numbered pages only: the number of rows."
    page_description = "The page number, for lists paged by number."
    cursor_description = "For lists paged by cursor: the position, as given in the next and previous links."

    def pages_by_cursor(self, request) -> bool:
        """Whether this request's lists span the whole table; a subclass says who that is."""
        return False

    pages: "PageNumberPagination | CursorPagination"

    def paginate_queryset(self, queryset, request, view=None):
        if self.pages_by_cursor(request):
            if request.query_params.get("page"):
                raise ValidationError({"page": [self.cursor_page_refused]})
            self.pages = CursorPagination()
        else:
            self.pages = PageNumberPagination()
        return self.pages.paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        return self.pages.get_paginated_response(data)

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "description": self.response_description,
            "required": ["next", "previous", "results"],
            "properties": {
                "count": {"type": "integer", "minimum": 0, "description": self.count_description},
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
                "description": self.page_description,
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": "cursor",
                "required": False,
                "in": "query",
                "description": self.cursor_description,
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

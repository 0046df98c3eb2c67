"""CSV exports: every list answers CSV when asked, with the JSON's columns and values, streamed in constant memory.

The rows are read through a server-side cursor (QuerySet.iterator) and written a chunk at a time, so a list of a
million rows costs the memory of one chunk. The same streaming response serves the API's lists and the admin's.
"""

import csv
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, cast

from django.http import StreamingHttpResponse
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import BaseRenderer

from payments_api.common.pagination import positive_digits

if TYPE_CHECKING:
    # Mixed into list viewsets only: the type checker reads it as one.
    from rest_framework.mixins import ListModelMixin
    from rest_framework.viewsets import GenericViewSet

    class _ListViewSet(ListModelMixin, GenericViewSet[Any]):
        pass

else:
    _ListViewSet = object

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
# Rows fetched from the cursor and written per chunk of the response: large enough to keep the round trips and
# writes few, small enough that memory does not grow with the list.
CHUNK_ROWS = 2000
# A cell starting with one of these is a formula to a spreadsheet ("=HYPERLINK(...)"): it is written with a leading
# apostrophe, which spreadsheets show as text (OWASP's advice on CSV injection). Only free text can start so.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """A JSON value as a CSV cell: null is empty, true/false stay as JSON writes them, text is defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_PREFIXES) else value
    if isinstance(value, list):  # a webhook endpoint's events: one cell, the values space separated
        return " ".join(csv_cell(item) for item in value)
    return str(value)


class _Lines:
    """A file-like object that hands back what csv.writer writes to it instead of keeping it."""

    def write(self, line: str) -> str:
        return line


def csv_lines(*, header: Sequence[str], rows: Iterable[Sequence], chunk_rows: int = CHUNK_ROWS) -> Iterator[bytes]:
    """The header and `rows` as CSV (RFC 4180: CRLF line ends, quoted when needed), in chunks of `chunk_rows`."""
    writer = csv.writer(_Lines())
    chunk = [writer.writerow(header)]
    for row in rows:
        chunk.append(writer.writerow([csv_cell(value) for value in row]))
        if len(chunk) >= chunk_rows:
            yield "".join(chunk).encode()
            chunk = []
    if chunk:
        yield "".join(chunk).encode()


def csv_response(*, header: Sequence[str], rows: Iterable[Sequence], filename: str) -> StreamingHttpResponse:
    """A streamed CSV download of `rows` under `header`; `rows` is consumed as the response is sent."""
    response = StreamingHttpResponse(csv_lines(header=header, rows=rows), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def serialized_rows(*, queryset, serializer, fields: Sequence[str]) -> Iterator[list]:
    """Each row of `queryset` as `serializer` renders it to JSON, read through a server-side cursor."""
    for instance in queryset.iterator(chunk_size=CHUNK_ROWS):
        representation = serializer.to_representation(instance)
        yield [representation[name] for name in fields]


def column_rows(*, queryset, serializer, fields: Sequence[str]) -> Iterator[list] | None:
    """The rows `serialized_rows` gives, read as plain column values rather than model instances (several times
    faster), or None if `serializer` cannot be read so.

    Each field reads the column its source names, through its own to_representation, so money and dates come out
    as in the JSON. A SerializerMethodField is computed by the serializer's `csv_<name>(row)` from the columns it
    lists in `csv_columns`; a serializer with a method field and no such method is read through model instances.
    """
    columns = list(getattr(serializer, "csv_columns", ()))
    converters = []
    for name in fields:
        field = serializer.fields[name]
        if isinstance(field, serializers.SerializerMethodField):
            method = getattr(serializer, f"csv_{name}", None)
            if method is None:
                return None
            converters.append(method)
        else:
            column = "__".join(field.source_attrs)
            columns.append(column)
            converters.append(_column_converter(column, field))
    return _column_rows(queryset.values(*dict.fromkeys(columns)), converters)


def _column_rows(rows, converters) -> Iterator[list]:
    for row in rows.iterator(chunk_size=CHUNK_ROWS):
        yield [convert(row) for convert in converters]


def _column_converter(column: str, field):
    to_representation = field.to_representation

    def convert(row):
        value = row[column]
        return None if value is None else to_representation(value)

    return convert


def paging_parameters_check(query_params) -> None:
    """A CSV holds every row and ignores paging, but a malformed ?page= or ?page_size= is the 400 the JSON gives."""
    errors = {}
    for name in ("page", "page_size"):
        raw = query_params.get(name)
        if raw and positive_digits(raw) is None and not (name == "page" and raw == "last"):
            errors[name] = ["A whole number from 1."]
    if errors:
        raise ValidationError(errors)


class CSVRenderer(BaseRenderer):
    """Offered on list actions only (CSVListMixin), which stream their rows without rendering a response's data.

    `render` is what serves anything else negotiated as CSV: a list of JSON objects becomes rows under their keys.
    """

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        rows = data if isinstance(data, list) else [data]
        header = list(rows[0]) if rows and isinstance(rows[0], dict) else []
        return b"".join(csv_lines(header=header, rows=([row.get(name) for name in header] for row in rows)))


class CSVListMixin(_ListViewSet):
    """A list viewset's list answers CSV too (`Accept: text/csv` or `?format=csv`): every row of the filtered, scoped
    list (not one page), with the columns and values of the JSON list's results, streamed."""

    csv_filename: str = "export.csv"

    def get_renderers(self):
        renderers = super().get_renderers()
        # No action: a method the path does not take, answered 405 after negotiation (not a 404 for ?format=csv).
        if getattr(self, "action", None) in ("list", None):
            renderers.append(CSVRenderer())
        return renderers

    def list(self, request, *args, **kwargs):
        if getattr(request.accepted_renderer, "format", None) != CSVRenderer.format:
            return super().list(request, *args, **kwargs)
        paging_parameters_check(request.query_params)
        queryset = self.filter_queryset(self.get_queryset())
        serializer = cast(serializers.Serializer, self.get_serializer())  # unbound: it renders one instance at a time
        fields = [name for name, field in serializer.fields.items() if not field.write_only]
        rows = column_rows(queryset=queryset, serializer=serializer, fields=fields)
        if rows is None:
            rows = serialized_rows(queryset=queryset, serializer=serializer, fields=fields)
        return csv_response(header=fields, rows=rows, filename=self.csv_filename)

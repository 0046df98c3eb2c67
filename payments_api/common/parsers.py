import json
from decimal import Decimal

from django.conf import settings
from rest_framework import exceptions, parsers, status
from rest_framework.parsers import get_encoding  # type: ignore[attr-defined]  # DRF's, not in its stubs
from rest_framework.utils.json import strict_constant

# No request of this API nests deeper than two levels; a deep document only costs stack and CPU to walk.
MAX_JSON_NESTING = 32


class PayloadTooLarge(exceptions.APIException):
    """The request body is over REQUEST_BODY_MAX_BYTES (an HTTP-level refusal, not a business rule)."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


class LimitedJSONParser(parsers.JSONParser):
    """JSON, reading at most REQUEST_BODY_MAX_BYTES from the stream whatever Content-Length said.

    Numbers with a fraction or an exponent are read as Decimal, never through a binary float, so a field sees the
    digits the client sent (0.1000000000000000000001 has too many decimal places; it is not 0.1).

    Documents nested deeper than MAX_JSON_NESTING are a parse error: json.loads recurses once per level and
    would otherwise raise RecursionError (a 500) on a couple of kilobytes of brackets.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.REQUEST_BODY_MAX_BYTES
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise PayloadTooLarge()
        encoding = get_encoding(parser_context or {})
        parse_constant = strict_constant if self.strict else None
        try:
            document = json.loads(raw.decode(encoding), parse_float=Decimal, parse_constant=parse_constant)
        except RecursionError:
            raise exceptions.ParseError(f"JSON parse error - nested deeper than {MAX_JSON_NESTING} levels.")
        except ValueError as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}")
        if nesting_exceeds(document, MAX_JSON_NESTING):
            raise exceptions.ParseError(f"JSON parse error - nested deeper than {MAX_JSON_NESTING} levels.")
        return document


def nesting_exceeds(document, limit: int) -> bool:
    """Whether arrays and objects in `document` nest deeper than `limit`, walked without recursion."""
    pending = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, (dict, list)):
            if depth > limit:
                return True
            pending.extend((child, depth + 1) for child in (value.values() if isinstance(value, dict) else value))
    return False


class CSVParser(parsers.BaseParser):
    """A CSV body (`text/csv`), handed to the view as the bytes sent, at most CSV_BODY_MAX_BYTES of them; the view's
    reader decodes it (its errors name the line)."""

    media_type = "text/csv"

    # The stubs expect a mapping: this parser's data is the body's bytes, which its one view reads as such.
    def parse(self, stream, media_type=None, parser_context=None) -> bytes:  # type: ignore[override]
        limit = settings.CSV_BODY_MAX_BYTES
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise PayloadTooLarge(f"The CSV file is larger than {limit} bytes.")
        return raw

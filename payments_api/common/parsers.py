import io

from django.conf import settings
from rest_framework import exceptions, parsers, status


class PayloadTooLarge(exceptions.APIException):
    """The request body is over REQUEST_BODY_MAX_BYTES (an HTTP-level refusal, not a business rule)."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


class LimitedJSONParser(parsers.JSONParser):
    """JSON, reading at most REQUEST_BODY_MAX_BYTES from the stream whatever Content-Length said."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.REQUEST_BODY_MAX_BYTES
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise PayloadTooLarge()
        return super().parse(io.BytesIO(raw), media_type, parser_context)

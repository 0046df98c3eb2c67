"""Idempotency-Key for the POST actions that create something (see docs/api.md, "Retries and Idempotency-Key")."""

import functools
import json

from django.db import transaction
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response

from payments_api.idempotency.models import MAX_KEY_LENGTH
from payments_api.idempotency.services import (
    KEY_PATTERN,
    idempotency_fingerprint,
    idempotency_key_claim,
    idempotency_key_complete,
)

IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
# Response headers that are part of the result and replayed with it.
STORED_HEADERS = ("Location",)

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_KEY_HEADER,
    {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": KEY_PATTERN},
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "A key of your choice (a UUID, say) that makes retrying this request safe. The first response is stored "
        "for at least 24 hours; a retry with the same key and the same body gets it again, with "
        f"`{REPLAYED_HEADER}: true`, and creates nothing. The same key with another body is a 409 problem."
    ),
)


def idempotent(create):
    """Wrap a viewset's `create(self, request)` so that an Idempotency-Key makes it run at most once per user."""

    @functools.wraps(create)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get(IDEMPOTENCY_KEY_HEADER)
        if key is None:
            return create(view, request, *args, **kwargs)

        fingerprint = idempotency_fingerprint(method=request.method, path=request.get_full_path(), body=request.data)
        with transaction.atomic():
            record = idempotency_key_claim(user=request.user, key=key, fingerprint=fingerprint)
            if record.response_status is not None:
                return _replay(record)
            try:
                response = create(view, request, *args, **kwargs)
            except Exception as exc:
                # A refusal (4xx) is the first response too and is stored; anything else re-raises and rolls back.
                response = view.handle_exception(exc)
            if response.status_code >= 500:
                transaction.set_rollback(True)
                return response
            headers = {name: response[name] for name in STORED_HEADERS if response.has_header(name)}
            if response.content_type:
                headers["Content-Type"] = response.content_type
            idempotency_key_complete(
                record=record,
                response_status=response.status_code,
                response_body=response.data,
                response_headers=headers,
            )
        return response

    return wrapper


def _replay(record) -> Response:
    headers = {name: value for name, value in record.response_headers.items() if name != "Content-Type"}
    headers[REPLAYED_HEADER] = "true"
    return Response(
        json.loads(record.response_body),
        status=record.response_status,
        headers=headers,
        content_type=record.response_headers.get("Content-Type"),
    )

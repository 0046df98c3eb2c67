"""Domain errors and their rendering as RFC 9457 problem details."""

from http import HTTPStatus
from typing import Any

from django.http import JsonResponse
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler

from payments_api.common.request_context import current_request_id

PROBLEM_CONTENT_TYPE = "application/problem+json"


class DomainError(Exception):
    """A business rule refused an operation. Subclasses set a stable `code` and the HTTP status it maps to."""

    code: str = "domain-error"
    title: str = "The operation is not allowed."
    http_status: int = status.HTTP_400_BAD_REQUEST
    # Members added to the problem beside the standard ones (RFC 9457's extension members).
    extensions: dict[str, Any] = {}

    def __init__(self, detail: str | None = None):
        self.detail = detail or self.title
        super().__init__(self.detail)


class ValidationFailed(DomainError):
    code = "validation-error"
    title = "The request is not valid."
    http_status = status.HTTP_400_BAD_REQUEST

    def __init__(self, detail: str | None = None, *, field: str | None = None, field_code: str | None = None):
        super().__init__(detail)
        self.field = field
        self.field_code = field_code or self.code  # the code of the field's error, "required" say


class Conflict(DomainError):
    code = "conflict"
    title = "The request conflicts with the current state of the resource."
    http_status = status.HTTP_409_CONFLICT


class Forbidden(DomainError):
    code = "forbidden"
    title = "You are not allowed to perform this action."
    http_status = status.HTTP_403_FORBIDDEN


def problem(*, status_code: int, title: str, detail: str, code: str, errors: list | None = None) -> dict:
    body = {
        "type": f"/problems/{code}",
        "title": title,
        "status": status_code,
        "detail": detail,
        "code": code,
    }
    if errors:
        body["errors"] = errors
    # The id the response's X-Request-ID header carries: a client quoting it finds every log line of the request.
    if request_id := current_request_id():
        body["request_id"] = request_id
    return body


def _flatten(detail, prefix: str = "") -> list[dict]:
    """Turn DRF's nested error structure into a flat list of {field, detail, code}."""
    if isinstance(detail, dict):
        return [e for key, value in detail.items() for e in _flatten(value, f"{prefix}.{key}" if prefix else str(key))]
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return [e for item in detail for e in _flatten(item, prefix)]
        return [
            e
            for index, item in enumerate(detail)
            for e in _flatten(item, f"{prefix}.{index}" if prefix else str(index))
        ]
    return [{"field": prefix or None, "detail": str(detail), "code": getattr(detail, "code", "invalid")}]


def _http_title(status_code: int) -> str:
    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return "Error"


def _render_as_json(context) -> None:
    """A problem is JSON whatever the view renders otherwise (the schema view's YAML, say)."""
    request = context.get("request")
    if request is not None:
        request.accepted_renderer, request.accepted_media_type = JSONRenderer(), PROBLEM_CONTENT_TYPE


def _with_token_reasons(detail: str, data) -> str:
    """simplejwt lists, per token class it tried, why the token was refused ("Token is expired"): not fields of the
    request, so they go into the detail rather than the field errors."""
    messages = data.get("messages") if isinstance(data, dict) else None
    reasons = [str(m["message"]) for m in messages or () if isinstance(m, dict) and "message" in m]
    return f"{detail}: {'; '.join(dict.fromkeys(reasons))}" if reasons else detail


def domain_problem(exc: DomainError) -> dict:
    """The problem document of a domain error, as the API answers it (a batch shows one per refused item)."""
    errors = None
    if isinstance(exc, ValidationFailed) and exc.field:
        errors = [{"field": exc.field, "detail": exc.detail, "code": exc.field_code}]
    body = problem(status_code=exc.http_status, title=exc.title, detail=exc.detail, code=exc.code, errors=errors)
    body.update(exc.extensions)
    return body


def problem_exception_handler(exc, context):
    _render_as_json(context)
    if isinstance(exc, DomainError):
        return Response(domain_problem(exc), status=exc.http_status, content_type=PROBLEM_CONTENT_TYPE)

    response = exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: Django's handler500 answers it

    if isinstance(exc, exceptions.ValidationError):
        body = problem(
            status_code=response.status_code,
            title="The request is not valid.",
            detail="One or more fields are invalid.",
            code="validation-error",
            errors=_flatten(response.data),
        )
    else:
        # {"detail": ...}, or simplejwt's {"detail": ..., "code": ..., "messages": [...]}
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        # simplejwt names the precise reason (user_inactive, password_changed ...) beside the detail
        code = (response.data.get("code") if isinstance(response.data, dict) else None) or getattr(detail, "code", None)
        code = str(code or "error")
        body = problem(
            status_code=response.status_code,
            title=_http_title(response.status_code),
            detail=_with_token_reasons(str(detail), response.data),
            code=code.replace("_", "-"),
        )
    response.data = body
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


def django_problem(status_code: int, code: str, detail: str) -> JsonResponse:
    body = problem(status_code=status_code, title=_http_title(status_code), detail=detail, code=code)
    return JsonResponse(body, status=status_code, content_type=PROBLEM_CONTENT_TYPE)


def bad_request(request, exception=None):
    return django_problem(400, "bad-request", "The request could not be understood.")


def permission_denied(request, exception=None):
    return django_problem(403, "permission-denied", "You do not have permission to access this resource.")


def page_not_found(request, exception=None):
    return django_problem(404, "not-found", "The requested resource was not found.")


def server_error(request):
    return django_problem(500, "server-error", "An unexpected error occurred.")

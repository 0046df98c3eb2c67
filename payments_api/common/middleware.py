"""Request-wide guards that must hold before any view, parser or form reads the request, and what every request
leaves behind: its id, its metrics and its log line."""

import json
import logging
import time

from django.conf import settings
from django.db import connection
from django.middleware.locale import LocaleMiddleware
from django.urls import is_valid_path
from django.utils import translation
from django.utils.functional import SimpleLazyObject, empty

from payments_api.common.exceptions import django_problem
from payments_api.common.metrics import DB_QUERIES, HTTP_REQUEST_DURATION
from payments_api.common.request_context import (
    REQUEST_ID_HEADER,
    request_id_bind,
    request_id_from_header,
    request_route,
)

BODY_METHODS = {"POST", "PUT", "PATCH"}


class TrailingSlashMiddleware:
    """Serve a path sent without its trailing slash as the slashed path it stands for, with no redirect.

    Django's APPEND_SLASH answers such a request with a 301 to the slashed URL, which most HTTP clients follow with a
    GET: a POST to /api/anticipations would silently become a list read. Here the slash is added before the URL is
    resolved, where the path as sent matches nothing and the slashed one matches a route, so views see (and build
    their links from) the canonical path. The admin keeps its own redirects: its catch-all route matches any path.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if not path.endswith("/"):
            urlconf = getattr(request, "urlconf", None)
            if not is_valid_path(path, urlconf) and is_valid_path(f"{path}/", urlconf):
                request.path_info, request.path = f"{path}/", f"{request.path}/"
        return self.get_response(request)


class RequestBodyLimitMiddleware:
    """Refuse a body larger than REQUEST_BODY_MAX_BYTES with a 413 problem, on its declared Content-Length.

    A body sent chunked (Transfer-Encoding, no Content-Length) is a 411 problem: WSGI gives Django no length for it,
    and Django then reads it as empty.

    Django checks DATA_UPLOAD_MAX_MEMORY_SIZE only when request.body or request.POST is read; DRF's parsers
    read the stream directly, so the declared length is checked here and the bytes read in LimitedJSONParser.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in BODY_METHODS and "HTTP_TRANSFER_ENCODING" in request.META:
            if not request.META.get("CONTENT_LENGTH"):
                # Django reads a body without Content-Length as empty: the request would be judged on nothing.
                return django_problem(411, "length-required", "Send the request body with a Content-Length header.")
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return django_problem(400, "bad-request", "The Content-Length header is not a number.")
        limit = settings.REQUEST_BODY_MAX_BYTES_BY_PATH.get(request.path_info, settings.REQUEST_BODY_MAX_BYTES)
        if length > limit:
            return payload_too_large(limit)
        return self.get_response(request)


def payload_too_large(limit: int | None = None):
    limit = settings.REQUEST_BODY_MAX_BYTES if limit is None else limit
    return django_problem(413, "payload-too-large", f"The request body is larger than {limit} bytes.")


class ApiNoStoreMiddleware:
    """API responses carry a user's financial data: no browser or proxy may keep a copy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/api/"):
            response.setdefault("Cache-Control", "no-store")
        return response


request_logger = logging.getLogger("payments_api.requests")

# Any other method is counted as "other": a label's values must not be whatever a client sends.
HTTP_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


class QueryCounter:
    """A database execute wrapper that counts the queries run through it."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class RequestObservationMiddleware:
    """Outermost: gives the request its id (X-Request-ID on the response, in every log line and problem body),
    times it, counts its database queries, and writes its metrics and its one log line."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from_header(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id
        # Unbound when the response is closed (common/signals.py), not on the way out of here: Django logs a
        # 4xx after the last middleware has returned, and that line belongs to the request too.
        request_id_bind(request_id)
        queries = QueryCounter()
        started = time.perf_counter()
        with connection.execute_wrapper(queries):
            response = self.get_response(request)
        duration = time.perf_counter() - started
        response[REQUEST_ID_HEADER] = request_id
        self.record(request, response, duration=duration, queries=queries.count)
        return response

    def record(self, request, response, *, duration: float, queries: int) -> None:
        route = request_route(request)
        method = request.method if request.method in HTTP_METHODS else "other"
        HTTP_REQUEST_DURATION.labels(route=route, method=method, status=str(response.status_code)).observe(duration)
        DB_QUERIES.labels(route=route).inc(queries)
        request_logger.info(
            "%s %s %s %.1fms %s queries",
            request.method,
            json.dumps(request.path)[1:-1],  # a decoded %0A cannot start a fake line of the text format
            response.status_code,
            duration * 1000,
            queries,
            extra={
                "user_id": request_user_id(request),
                "method": request.method,
                "path": request.path,
                "route": route,
                "status": response.status_code,
                "duration_ms": round(duration * 1000, 2),
                "db_queries": queries,
            },
        )


def request_user_id(request) -> int | None:
    """The authenticated user's id, without loading a user that nothing in the request asked for."""
    user = request.__dict__.get("user")
    if user is None or (isinstance(user, SimpleLazyObject) and user._wrapped is empty):
        return None
    return user.pk if user.is_authenticated else None


class PageLocaleMiddleware(LocaleMiddleware):
    """Pages (the admin) follow the browser's language among LANGUAGES; the API always answers in LANGUAGE_CODE, so
    its problem documents read the same to every client."""

    def process_request(self, request):
        if request.path_info.startswith("/api/"):
            translation.activate(settings.LANGUAGE_CODE)  # not whatever a page left on this thread
            request.LANGUAGE_CODE = translation.get_language()
            return
        super().process_request(request)

    def process_response(self, request, response):
        if request.path_info.startswith("/api/"):
            return response
        return super().process_response(request, response)

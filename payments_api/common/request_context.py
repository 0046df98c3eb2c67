"""The request id: taken from X-Request-ID when well formed, else a new UUID; carried by every log line written while
the request is served, by its problem bodies and by its Sentry events. Celery tasks carry their task id instead."""

import logging
import re
import uuid
from contextvars import ContextVar
from typing import TYPE_CHECKING

from celery import current_task
from django.urls import Resolver404, resolve

if TYPE_CHECKING:
    from sentry_sdk.types import Event, Hint

REQUEST_ID_HEADER = "X-Request-ID"
# Ids as tracing systems and load balancers write them (UUIDs, "Root=1-5e1b-..."): nothing that could break a log
# line or a header, and short enough to be worth keeping.
WELL_FORMED_REQUEST_ID = re.compile(r"[A-Za-z0-9._:+/=-]{1,128}")

# The route label of a request that matched no URL pattern: raw paths never become labels.
UNMATCHED_ROUTE = "<unmatched>"

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def request_id_from_header(value: str | None) -> str:
    """The client's id when it is well formed; any other value is replaced by a new one, never trusted."""
    if value and WELL_FORMED_REQUEST_ID.fullmatch(value):
        return value
    return str(uuid.uuid4())


def current_request_id() -> str | None:
    """The id of the request being served by this thread (or task), None outside a request."""
    return _request_id.get()


def request_id_bind(request_id: str | None) -> None:
    """Make `request_id` the current one (None: no request is being served)."""
    _request_id.set(request_id)


def current_task_id() -> str | None:
    task = current_task
    request = getattr(task, "request", None) if task else None
    return getattr(request, "id", None)


class RequestIdLogFilter(logging.Filter):
    """Gives every record `request_id` and `task_id` (None when there is none), for the formatters to write."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = current_request_id()
        if getattr(record, "task_id", None) is None:
            record.task_id = current_task_id()
        return True


def sentry_event_tag(event: "Event", hint: "Hint") -> "Event":
    """Sentry's before_send: the event names the request (or task) it happened in, as the response and logs do."""
    tags = event.setdefault("tags", {})
    if request_id := current_request_id():
        tags["request_id"] = request_id
    if task_id := current_task_id():
        tags["task_id"] = task_id
    return event


def request_route(request) -> str:
    """The URL pattern the request matched ("/api/payments/<int:pk>/"), never its raw path."""
    match = getattr(request, "resolver_match", None)
    if match is None:  # refused before routing (a 413, say), or no route at all
        try:
            match = resolve(request.path_info, getattr(request, "urlconf", None))
        except Resolver404:
            return UNMATCHED_ROUTE
    return "/" + readable_route(match.route)


def readable_route(route: str) -> str:
    """A route as people write it: the routers' regular expressions lose their anchors and name their groups
    (`payments/(?P<pk>[^/.]+)/$` reads `payments/<pk>/`)."""
    readable, depth, index = [], 0, 0
    while index < len(route):
        char = route[index]
        if char == "\\":
            if depth == 0:
                readable.append(route[index + 1 : index + 2])
            index += 2
            continue
        if char == "(":
            if depth == 0:
                name = re.match(r"\(\?P<(\w+)>", route[index:])
                readable.append(f"<{name.group(1)}>" if name else "<>")
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0 and char not in "^$":
            readable.append(char)
        index += 1
    return "".join(readable)

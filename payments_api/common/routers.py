"""API routes that answer with or without their trailing slash.

Without the slash, Django's APPEND_SLASH answers a 301 to the slashed URL, which most HTTP clients follow with a GET:
a POST to /api/anticipations silently became a list read. Each route is therefore matched by a `/?` pattern. Django's
reverse() cannot produce an optional character, though (it would give the Location of a created object without its
slash), so a slashed twin of each route follows it under the same name: reverse() takes the last pattern of a name.
The twin is never matched, and the schema lists the path once (drf-spectacular keeps one endpoint per path).
"""

from django.core.exceptions import ImproperlyConfigured
from django.urls import path, re_path
from rest_framework.routers import SimpleRouter


def optional_slash_path(route: str, view, *, name: str) -> list:
    """`route` ("token/refresh/") with or without its trailing slash, reversed with it."""
    if not route.endswith("/"):
        raise ImproperlyConfigured(f"Route {route!r} should end with a slash.")
    return [re_path(rf"^{route[:-1]}/?$", view, name=name), path(route, view, name=name)]


class OptionalSlashRouter(SimpleRouter):
    """A SimpleRouter whose routes answer with or without the trailing slash, reversed with it.

    (DRF's SimpleRouter(trailing_slash="/?") takes the argument as a boolean and keeps the slash mandatory.)
    """

    def get_urls(self):
        slashed = super().get_urls()
        optional = []
        for url in slashed:
            regex = url.pattern.regex.pattern
            if not regex.endswith("/$"):
                raise ImproperlyConfigured(f"Route {regex!r} should end with a slash.")
            optional.append(re_path(f"{regex[:-2]}/?$", url.callback, name=url.name))
        return optional + slashed

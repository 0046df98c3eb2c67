"""What every portal page shares: the language it speaks, who may see it, and the supplier named in its header."""

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation.trans_real import parse_accept_lang_header

from payments_api.users.models import Supplier
from payments_api.users.permissions import is_operator

# The portal speaks Portuguese unless its visitor chose English (the language switch) or the browser asks for it.
PORTAL_LANGUAGE = "pt-br"
# Operators and administrators have the admin.
ADMIN_URL = "/admin/"

# One line per portal action, beside the request's own line (common/middleware.py): who did what to which row.
logger = logging.getLogger("payments_api.portal")

View = Callable[..., HttpResponseBase]


def portal_language(request: HttpRequest) -> str:
    """The language chosen on the portal's switch (its cookie), else the browser's first among LANGUAGES, else
    Portuguese (LANGUAGE_CODE, English, is the API's)."""
    wanted = [request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")]
    wanted += [code for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", ""))]
    for code in wanted:
        if code and code != "*":
            try:
                return translation.get_supported_language_variant(code)
            except LookupError:
                continue
    return PORTAL_LANGUAGE


def _speak(request: HttpRequest) -> None:
    language = portal_language(request)
    translation.activate(language)
    request.LANGUAGE_CODE = language


def portal_action(request: HttpRequest, action: str, **fields: Any) -> None:
    """Log a portal action as a JSON line with the user, the action and what it acted on."""
    user = getattr(request, "user", None)
    user_id = user.pk if user is not None and user.is_authenticated else None
    logger.info("portal %s", action, extra={"user_id": user_id, "portal_action": action, **fields})


def public_page(view: View) -> View:
    """A page anyone may open (signing in): in the portal's language."""

    @wraps(view)
    def page(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        _speak(request)
        return view(request, *args, **kwargs)

    return page


def supplier_page(view: View) -> View:
    """A page of a signed-in supplier, called with `supplier=`: anyone else signs in first, operators go to the admin.

    A row the supplier may not see is a 404 page (the selectors never return it); nothing is cached by the browser
    or a proxy, so the back button after signing out shows nothing of the account.
    """

    @wraps(view)
    def page(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        _speak(request)
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("portal:sign-in"))
        supplier = user.supplier_or_none
        response: HttpResponseBase
        if supplier is None:
            if is_operator(user) or user.is_staff:
                return redirect(ADMIN_URL)
            response = render(request, "portal/not_a_supplier.html", status=403)
        else:
            try:
                response = view(request, *args, supplier=supplier, **kwargs)
            except Http404:
                response = render_page(request, "portal/not_found.html", supplier=supplier, status=404)
        add_never_cache_headers(response)
        return response

    return page


def render_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    supplier: Supplier | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(request, template, {"supplier": supplier, **(context or {})}, status=status)


def wants_part(request: HttpRequest) -> bool:
    """Whether htmx asked for the part of the page it swaps (not a whole page, as when it restores its history)."""
    htmx = getattr(request, "htmx", None)  # django_htmx.middleware.HtmxMiddleware
    return htmx is not None and bool(htmx) and not htmx.history_restore_request

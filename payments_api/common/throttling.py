"""Request rates, counted per fixed window in the cache.

The rates are read from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] each time a throttle is built: DRF's throttles copy
them once, at import, and reading them per request lets settings (and tests) change them.

DRF's SimpleRateThrottle keeps a list of request times, read from the cache, appended to and written back whole:
concurrent requests overwrite each other's entries and more than the rate gets through. Here each window has one
counter, created by cache.add and raised by cache.incr, each a single atomic operation in Redis and in the
per-process memory cache. Windows are `duration` seconds aligned on the epoch, so up to twice the rate can get through
around a window's end (docs/security.md).
"""

import hashlib
import math
from typing import cast

from django.contrib.auth import get_user_model
from rest_framework import throttling
from rest_framework.settings import api_settings

from payments_api.common.metrics import THROTTLED_REQUESTS


class FixedWindowRateThrottle(throttling.SimpleRateThrottle):
    """At most `num_requests` per window of `duration` seconds; wait() is the time until the window ends."""

    # Set by SimpleRateThrottle.__init__ from the rate, whenever there is one.
    num_requests: int
    duration: int

    def get_rate(self) -> str | None:
        rates = cast(dict[str, str | None], api_settings.DEFAULT_THROTTLE_RATES)
        return rates.get(self.scope) if self.scope else None

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_ends_at = (window + 1) * self.duration
        if self.count(f"{self.key}_{window}") <= self.num_requests:
            return True
        THROTTLED_REQUESTS.labels(scope=self.scope).inc()
        return False

    def count(self, key: str) -> int:
        """Count one more request in the window's counter and return the total (refused requests count too)."""
        # Raised first, as most requests find their window's counter; the first one creates it. The counter outlives
        # its window by less than a window; the next window counts under its own key.
        try:
            return self.cache.incr(key)
        except ValueError:  # no counter yet (or evicted)
            if self.cache.add(key, 1, timeout=self.duration):
                return 1
            return self.cache.incr(key)  # another request created it meanwhile

    def wait(self):
        return self.window_ends_at - self.now


class AnonRateThrottle(FixedWindowRateThrottle, throttling.AnonRateThrottle):
    """Unauthenticated requests, per client address."""


class UserRateThrottle(FixedWindowRateThrottle, throttling.UserRateThrottle):
    """Authenticated requests, per user."""


class LoginIPRateThrottle(FixedWindowRateThrottle):
    """Token requests per client address, whatever the e-mail: one address trying many accounts."""

    scope = "login_ip"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginEmailRateThrottle(FixedWindowRateThrottle):
    """Token requests per account, whatever the client address: many addresses guessing one password.

    The account is the user that logging in with the e-mail would authenticate as, found with the lookup the
    authentication backend uses (get_by_natural_key): every spelling that logs into an account shares its budget,
    whatever the case or the database's idea of it.
    """

    scope = "login_email"

    def get_cache_key(self, request, view):
        email = self.login_email(request)
        if not email:
            return None  # nothing to count against; the per-address rate still applies
        return self.cache_format % {"scope": self.scope, "ident": login_account_ident(email)}

    def login_email(self, request) -> str | None:
        """The e-mail as authentication will see it: POST /api/token/'s serializer strips surrounding whitespace."""
        email = request.data.get("email") if isinstance(request.data, dict) else None
        return email.strip() if isinstance(email, str) else None


class AdminLoginEmailRateThrottle(LoginEmailRateThrottle):
    """The same count for the admin's login form, whose username is the e-mail."""

    def login_email(self, request) -> str | None:
        from django.contrib.admin.forms import AdminAuthenticationForm  # needs the apps loaded

        # The form's own field: it strips and NFKC-normalises the username before authenticating.
        return AdminAuthenticationForm(request).fields["username"].to_python(request.POST.get("username"))


def login_wait(request) -> int | None:
    """Count a login form's POST (the admin's) against the limits of POST /api/token/ (same limits, same counters);
    the whole seconds to wait when it is over one of them, else None."""
    if request.method != "POST":
        return None
    throttles = [LoginIPRateThrottle(), AdminLoginEmailRateThrottle()]
    waits = [throttle.wait() for throttle in throttles if not throttle.allow_request(request, None)]
    return math.ceil(max(waits)) if waits else None


def login_account_ident(email: str) -> str:
    """The user's primary key, or for an e-mail of no account a hash of it upper-cased (short, free of its text)."""
    user_model = get_user_model()
    if _comparable_in_sql(email):
        try:
            return f"user-{user_model._default_manager.get_by_natural_key(email).pk}"
        except (user_model.DoesNotExist, user_model.MultipleObjectsReturned):
            pass
    return hashlib.sha256(email.upper().encode("utf-8", "surrogatepass")).hexdigest()


def _comparable_in_sql(text: str) -> bool:
    """No NUL and no lone surrogate: the database cannot compare them, and the login serializer refuses them."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text

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

from rest_framework import throttling
from rest_framework.settings import api_settings


class FixedWindowRateThrottle(throttling.SimpleRateThrottle):
    """At most `num_requests` per window of `duration` seconds; wait() is the time until the window ends."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_ends_at = (window + 1) * self.duration
        return self.count(f"{self.key}_{window}") <= self.num_requests

    def count(self, key: str) -> int:
        """Count one more request in the window's counter and return the total (refused requests count too)."""
        # The counter outlives its window by less than a window; the next window counts under its own key.
        if self.cache.add(key, 1, timeout=self.duration):
            return 1
        try:
            return self.cache.incr(key)
        except ValueError:  # evicted between add and incr: this request starts the count again
            self.cache.add(key, 1, timeout=self.duration)
            return 1

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
    """Token requests per e-mail address, whatever the client address: many addresses guessing one password."""

    scope = "login_email"

    def get_cache_key(self, request, view):
        email = request.data.get("email") if isinstance(request.data, dict) else None
        if not isinstance(email, str) or not email.strip():
            return None  # nothing to count against; the per-address rate still applies
        # Hashed: the key stays short and free of the client's characters; lower-cased as logins are.
        ident = hashlib.sha256(email.strip().lower().encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": ident}

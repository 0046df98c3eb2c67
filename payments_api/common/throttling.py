"""Request rates, read from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] each time a throttle is built.

DRF's throttles copy the rates once, at import; reading them per request lets settings (and tests) change them.
"""

import hashlib

from rest_framework import throttling
from rest_framework.settings import api_settings


class SettingsRateMixin:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonRateThrottle(SettingsRateMixin, throttling.AnonRateThrottle):
    """Unauthenticated requests, per client address."""


class UserRateThrottle(SettingsRateMixin, throttling.UserRateThrottle):
    """Authenticated requests, per user."""


class LoginIPRateThrottle(SettingsRateMixin, throttling.SimpleRateThrottle):
    """Token requests per client address, whatever the e-mail: one address trying many accounts."""

    scope = "login_ip"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginEmailRateThrottle(SettingsRateMixin, throttling.SimpleRateThrottle):
    """Token requests per e-mail address, whatever the client address: many addresses guessing one password."""

    scope = "login_email"

    def get_cache_key(self, request, view):
        email = request.data.get("email") if isinstance(request.data, dict) else None
        if not isinstance(email, str) or not email.strip():
            return None  # nothing to count against; the per-address rate still applies
        # Hashed: the key stays short and free of the client's characters; lower-cased as logins are.
        ident = hashlib.sha256(email.strip().lower().encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": ident}

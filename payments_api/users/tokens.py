"""The JWTs the API issues: simplejwt's, with an issue time to the microsecond and, on refresh tokens, their chain.

A refresh chain is the line of refresh tokens that descends from one login through rotation. Each of its tokens
carries the chain's id (the first token's jti) and the login's time, so that the chain ends JWT_REFRESH_DAYS after the
login however often it is refreshed, and so that reusing a rotated token can revoke the whole chain
(users/services.py).
"""

import datetime
from typing import Any

from rest_framework_simplejwt import tokens
from rest_framework_simplejwt.settings import api_settings

CHAIN_CLAIM = "chain"
LOGIN_TIME_CLAIM = "auth_time"  # OpenID Connect's name for the time the user authenticated


class PreciseIssueTimeMixin:
    """"iat" to the microsecond (RFC 7519 allows a non-integer NumericDate): a token issued after a deactivation in
    the same second is told apart from one issued before it (User.revoked)."""

    payload: dict[str, Any]
    current_time: datetime.datetime

    def set_iat(self, claim: str = "iat", at_time: datetime.datetime | None = None) -> None:
        self.payload[claim] = (at_time or self.current_time).timestamp()


class AccessToken(PreciseIssueTimeMixin, tokens.AccessToken):
    pass


class RefreshToken(PreciseIssueTimeMixin, tokens.RefreshToken):  # type: ignore[misc]  # simplejwt's own bases
    access_token_class = AccessToken
    # The chain is the refresh tokens' business; access tokens do not carry it.
    no_copy_claims = (*tokens.RefreshToken.no_copy_claims, CHAIN_CLAIM, LOGIN_TIME_CLAIM)  # type: ignore[assignment]

    @property
    def chain(self) -> str:
        """The chain's id; a token issued before chains existed starts its own."""
        return self.payload.get(CHAIN_CLAIM) or self.payload[api_settings.JTI_CLAIM]

    @property
    def login_time(self) -> datetime.datetime:
        """When the chain's login happened; a token issued before chains existed counts from its own issue."""
        seconds = self.payload.get(LOGIN_TIME_CLAIM) or self.payload["iat"]
        return datetime.datetime.fromtimestamp(float(seconds), tz=datetime.timezone.utc)

    @property
    def expires_at(self) -> datetime.datetime:
        return datetime.datetime.fromtimestamp(self.payload["exp"], tz=datetime.timezone.utc)

    @property
    def access_token(self) -> tokens.AccessToken:
        access = super().access_token
        # An access token never outlives its refresh token's chain.
        access["exp"] = min(access["exp"], self.payload["exp"])
        return access

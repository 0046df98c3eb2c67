from django.db import transaction
from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt import serializers as jwt_serializers
from rest_framework_simplejwt.exceptions import AuthenticationFailed, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import Token, UntypedToken
from rest_framework_simplejwt.utils import get_md5_hash_password

from payments_api.users.authentication import TOKEN_REVOKED
from payments_api.users.models import User

NO_ACTIVE_ACCOUNT = _("No active account found for the given token.")


def token_user(*, token: Token) -> User:
    """The token's user, with the same checks as authenticating: it exists, is active and kept its password."""
    user_id = token.payload.get(api_settings.USER_ID_CLAIM)
    user = User.objects.filter(**{api_settings.USER_ID_FIELD: user_id}).first() if user_id else None
    if user is None or not api_settings.USER_AUTHENTICATION_RULE(user):
        raise AuthenticationFailed(str(NO_ACTIVE_ACCOUNT), "no_active_account")
    if api_settings.CHECK_REVOKE_TOKEN and token.payload.get(api_settings.REVOKE_TOKEN_CLAIM) != get_md5_hash_password(
        user.password
    ):
        raise AuthenticationFailed(str(_("The user's password has been changed.")), "password_changed")
    if user.revoked(issued_at=token.payload.get("iat")):
        raise AuthenticationFailed(str(TOKEN_REVOKED), "token_revoked")
    return user


def refresh_token_spend(*, refresh) -> None:
    """Blacklist `refresh`, refusing it if it was already spent: of two concurrent uses, exactly one succeeds."""
    with transaction.atomic():
        refresh.outstand()  # a token issued before blacklisting was enabled has no row yet
        outstanding = OutstandingToken.objects.select_for_update().get(jti=refresh.payload[api_settings.JTI_CLAIM])
        _blacklisted, created = BlacklistedToken.objects.get_or_create(token=outstanding)
    if not created:
        raise TokenError(_("Token is blacklisted"))


class TokenObtainPairSerializer(jwt_serializers.TokenObtainPairSerializer):
    """The password is checked as typed: simplejwt's field strips surrounding whitespace, which Django's password
    forms keep, so a password with spaces at either end could never log in and its trimmed twin would."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"] = jwt_serializers.PasswordField(trim_whitespace=False)


class TokenRefreshSerializer(jwt_serializers.TokenRefreshSerializer):
    """Refreshing checks the user like authenticating does and rotates the refresh token, which works once."""

    def validate(self, attrs):
        refresh = self.token_class(attrs["refresh"])
        user = token_user(token=refresh)
        refresh_token_spend(refresh=refresh)
        rotated = self.token_class.for_user(user)
        return {"access": str(rotated.access_token), "refresh": str(rotated)}


class TokenVerifySerializer(jwt_serializers.TokenVerifySerializer):
    """A token is valid if signed, unexpired, not blacklisted, and its user could still authenticate."""

    def validate(self, attrs):
        token = UntypedToken(attrs["token"])
        if BlacklistedToken.objects.filter(token__jti=token.get(api_settings.JTI_CLAIM)).exists():
            raise TokenError(_("Token is blacklisted"))
        token_user(token=token)
        return {}


class TokenBlacklistSerializer(jwt_serializers.TokenBlacklistSerializer):
    """Logging out spends the refresh token like a refresh does: of a logout and a refresh racing, exactly one wins."""

    def validate(self, attrs):
        refresh_token_spend(refresh=self.token_class(attrs["refresh"]))
        return {}

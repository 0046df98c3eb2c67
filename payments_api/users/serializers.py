from rest_framework_simplejwt import serializers as jwt_serializers
from rest_framework_simplejwt.tokens import UntypedToken

from payments_api.users.services import (
    refresh_token_check,
    refresh_token_issue,
    refresh_token_revoke,
    refresh_token_rotate,
    token_user,
)
from payments_api.users.tokens import RefreshToken


class TokenObtainPairSerializer(jwt_serializers.TokenObtainPairSerializer):
    """The password is checked as typed: simplejwt's field strips surrounding whitespace, which Django's password
    forms keep, so a password with spaces at either end could never log in and its trimmed twin would."""

    token_class = RefreshToken

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"] = jwt_serializers.PasswordField(trim_whitespace=False)

    @classmethod
    def get_token(cls, user):
        return refresh_token_issue(user=user)


class TokenRefreshSerializer(jwt_serializers.TokenRefreshSerializer):
    """Refreshing checks the user like authenticating does and rotates the refresh token, which works once."""

    token_class = RefreshToken

    def validate(self, attrs):
        rotated = refresh_token_rotate(refresh=self.token_class(attrs["refresh"]))
        return {"access": str(rotated.access_token), "refresh": str(rotated)}


class TokenVerifySerializer(jwt_serializers.TokenVerifySerializer):
    """A token is valid if signed, unexpired, the active one of its chain (refresh tokens), and its user could still
    authenticate."""

    def validate(self, attrs):
        token = UntypedToken(attrs["token"])
        refresh_token_check(token=token)
        token_user(token=token)
        return {}


class TokenBlacklistSerializer(jwt_serializers.TokenBlacklistSerializer):
    """Logging out spends the refresh token like a refresh does: of a logout and a refresh racing, exactly one wins."""

    token_class = RefreshToken

    def validate(self, attrs):
        refresh_token_revoke(refresh=self.token_class(attrs["refresh"]))
        return {}

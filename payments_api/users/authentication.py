from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.utils import get_md5_hash_password

from payments_api.users.selectors import user_for_authentication

TOKEN_REVOKED = _("The token was issued before the account was deactivated.")


class UserJWTAuthentication(JWTAuthentication):
    """simplejwt's authentication with the same checks, the user and its supplier loaded together (and cached)."""

    def get_user(self, validated_token):
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError as exc:
            raise InvalidToken(str(_("Token contained no recognizable user identification"))) from exc
        try:
            user = user_for_authentication(user_id=user_id)
        except (ValueError, TypeError) as exc:
            raise AuthenticationFailed(str(_("User not found")), code="user_not_found") from exc
        if user is None:
            raise AuthenticationFailed(str(_("User not found")), code="user_not_found")
        if not user.is_active:
            raise AuthenticationFailed(str(_("User is inactive")), code="user_inactive")
        if api_settings.CHECK_REVOKE_TOKEN and validated_token.get(
            api_settings.REVOKE_TOKEN_CLAIM
        ) != get_md5_hash_password(user.password):
            raise AuthenticationFailed(str(_("The user's password has been changed.")), code="password_changed")
        if user.revoked(issued_at=validated_token.get("iat")):
            raise AuthenticationFailed(str(TOKEN_REVOKED), code="token_revoked")
        return user

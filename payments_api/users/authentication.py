from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.settings import api_settings

# The module, not its names: DRF's settings import this class while users.services may still be loading (it imports
# common.exceptions, which imports DRF's views).
from payments_api.users import services


class UserJWTAuthentication(JWTAuthentication):
    """simplejwt's authentication with the token endpoints' checks (users/services.py token_user), the user and its
    supplier loaded together (and cached)."""

    def get_user(self, validated_token):
        if api_settings.USER_ID_CLAIM not in validated_token.payload:
            raise InvalidToken(str(_("Token contained no recognizable user identification")))
        return services.token_user(token=validated_token, authenticating=True)

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework_simplejwt import views as jwt_views

from payments_api.common.throttling import LoginEmailRateThrottle, LoginIPRateThrottle
from payments_api.users.serializers import TokenBlacklistSerializer


class TokenObtainView(jwt_views.TokenObtainPairView):
    # Password guessing is slowed per client address and per targeted e-mail, whichever runs out first.
    throttle_classes = [LoginIPRateThrottle, LoginEmailRateThrottle]


class TokenLogoutView(jwt_views.TokenBlacklistView):
    serializer_class = TokenBlacklistSerializer

    @extend_schema(summary="Log out: blacklist a refresh token", responses={204: None})
    def post(self, request, *args, **kwargs):
        super().post(request, *args, **kwargs)
        return Response(status=status.HTTP_204_NO_CONTENT)

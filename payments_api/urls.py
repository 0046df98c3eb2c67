from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework_simplejwt.views import TokenRefreshView, TokenVerifyView

from payments_api.common.docs import SwaggerView
from payments_api.common.health import HealthView
from payments_api.common.metrics_view import metrics_view
from payments_api.users.apis import TokenLogoutView, TokenObtainView

api_patterns: list[URLPattern | URLResolver] = [
    # Each path also answers without its trailing slash (common/middleware.py TrailingSlashMiddleware).
    path("token/", TokenObtainView.as_view(), name="token_obtain_pair"),
    # simplejwt's own views; their serializers are the project's, named in SIMPLE_JWT.
    path("token/refresh/", TokenRefreshView.as_view(), name="token_refresh"),
    path("token/verify/", TokenVerifyView.as_view(), name="token_verify"),
    path("token/logout/", TokenLogoutView.as_view(), name="token_logout"),
    path("schema/", SpectacularAPIView.as_view(http_method_names=["get", "head"]), name="schema"),
    path("docs/", SwaggerView.as_view(url_name="schema"), name="docs"),
    path("", include("payments_api.payments.urls")),
    path("", include("payments_api.programme.urls")),
    path("", include("payments_api.requestlogs.urls")),
    path("", include("payments_api.webhooks.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("health/", HealthView.as_view(), name="health"),
    # Prometheus asks for /metrics, without a slash; not public (METRICS_ALLOWED_IPS, METRICS_TOKEN).
    path("metrics", metrics_view, name="metrics"),
    path("api/", include(api_patterns)),
    # The suppliers' pages: the same services and selectors as the API, in pt-BR and English.
    path("portal/", include("payments_api.portal.urls")),
]

handler400 = "payments_api.common.exceptions.bad_request"
handler403 = "payments_api.common.exceptions.permission_denied"
handler404 = "payments_api.common.exceptions.page_not_found"
handler500 = "payments_api.common.exceptions.server_error"

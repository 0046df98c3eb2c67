"""The interactive API docs (Swagger UI) at /api/docs/."""

from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerView


class SwaggerView(SpectacularSwaggerView):
    """drf-spectacular's Swagger UI page, GET only and under the same opener policy as every other response.

    drf-spectacular relaxes Cross-Origin-Opener-Policy to unsafe-none for OAuth2 pop-ups, which bearer tokens
    typed into the page do not need. OPTIONS would render its metadata through the page's HTML renderer, which has no
    template for it (a 500), so it is refused like any other method.
    """

    http_method_names = ["get", "head"]

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["Cross-Origin-Opener-Policy"] = "same-origin"
        return response

"""The service's URLs plus one view that fails, to see what a server error leaves behind (tests only)."""

import logging

from django.urls import path

from payments_api.urls import handler500, urlpatterns as service_urlpatterns  # noqa: F401  (handler500 is used)

logger = logging.getLogger("payments_api.tests")


def failing_view(request):
    logger.warning("About to fail")
    raise RuntimeError("a fault of the service")


urlpatterns = [path("failing/", failing_view), *service_urlpatterns]

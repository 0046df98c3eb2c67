"""GET /metrics, for Prometheus: not public (METRICS_ALLOWED_IPS, METRICS_TOKEN)."""

from django.http import HttpRequest, HttpResponse

from payments_api.common.exceptions import django_problem
from payments_api.common.metrics import METRICS_CONTENT_TYPE, metrics_access_refusal, metrics_exposition


def metrics_view(request: HttpRequest) -> HttpResponse:
    """GET /metrics: the Prometheus text format, for allowed addresses or the METRICS_TOKEN bearer token."""
    if request.method not in ("GET", "HEAD"):
        response = django_problem(405, "method-not-allowed", f'Method "{request.method}" not allowed.')
        response["Allow"] = "GET, HEAD"
        return response
    refusal = metrics_access_refusal(
        remote_addr=request.META.get("REMOTE_ADDR", ""),
        authorization=request.headers.get("Authorization", ""),
        forwarded="HTTP_X_FORWARDED_FOR" in request.META,
    )
    if refusal == 401:
        response = django_problem(401, "not-authenticated", "The metrics token is not valid.")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    if refusal == 403:
        return django_problem(
            403,
            "permission-denied",
            "Metrics are served to the addresses in METRICS_ALLOWED_IPS or with METRICS_TOKEN.",
        )
    return HttpResponse(metrics_exposition(), content_type=METRICS_CONTENT_TYPE)

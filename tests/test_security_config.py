"""Request body limits, CORS closed by default, security headers and Django's deployment checklist."""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.test import APIClient

from payments_api.common.parsers import LimitedJSONParser, PayloadTooLarge
from payments_api.common.tests.problems import assert_problem
from payments_api.payments.models import Anticipation, AnticipationStatus, Payment
from payments_api.payments.tests.factories import AnticipationFactory, PaymentFactory

DUE_DATE = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()  # a payment that would be created


def test_a_body_over_the_limit_is_refused_on_its_content_length(supplier_client, settings):
    settings.REQUEST_BODY_MAX_BYTES = 1024
    body = json.dumps({"due_date": DUE_DATE, "value": "1.00", "padding": "x" * 2000})

    response = supplier_client.post("/api/payments/", data=body, content_type="application/json")

    assert_problem(response, 413, "payload-too-large")
    assert not Payment.objects.exists()


def test_the_default_limit_is_64_kib(supplier_client, settings):
    assert settings.REQUEST_BODY_MAX_BYTES == 64 * 1024
    too_big = json.dumps({"due_date": DUE_DATE, "value": "1.00", "padding": "x" * (64 * 1024)})
    assert_problem(supplier_client.post("/api/payments/", data=too_big, content_type="application/json"), 413)
    # The token endpoint, read before any authentication, is covered too.
    assert_problem(APIClient().post("/api/token/", data=too_big, content_type="application/json"), 413)


def test_a_body_within_the_limit_is_accepted(supplier_client, settings):
    settings.REQUEST_BODY_MAX_BYTES = 1024
    response = supplier_client.post("/api/payments/", {"due_date": DUE_DATE, "value": "1.00"}, format="json")
    assert response.status_code == 201


def chunked(client, method: str, url: str, body: dict):
    """The body sent with Transfer-Encoding: chunked: WSGI passes it on with no CONTENT_LENGTH."""
    return getattr(client, method)(
        url, data=json.dumps(body), content_type="application/json", HTTP_TRANSFER_ENCODING="chunked", CONTENT_LENGTH=""
    )


@pytest.mark.parametrize("method", ["post", "put", "patch"])
def test_a_chunked_body_without_content_length_is_length_required(supplier_client, method):
    response = chunked(supplier_client, method, "/api/payments/", {"due_date": DUE_DATE, "value": "1.00"})

    assert_problem(response, 411, "length-required")
    assert not Payment.objects.exists()


def test_a_chunked_anticipation_request_or_decision_changes_nothing(supplier_client, operator_client, supplier):
    payment = PaymentFactory(supplier=supplier)
    pending = AnticipationFactory(payment__supplier=supplier)
    body = {"payment": payment.pk, "new_due_date": payment.due_date.isoformat()}

    assert_problem(chunked(supplier_client, "post", "/api/anticipations/", body), 411, "length-required")
    assert_problem(
        chunked(operator_client, "patch", f"/api/anticipations/{pending.pk}/", {"status": "A"}), 411, "length-required"
    )
    assert_problem(chunked(APIClient(), "post", "/api/token/", {"email": "a@example.com", "password": "x"}), 411)
    assert Anticipation.objects.get().status == AnticipationStatus.PENDING_CONFIRMATION
    assert Anticipation.objects.get().pk == pending.pk


def test_a_get_with_transfer_encoding_is_answered(supplier_client):
    response = supplier_client.get("/api/payments/", HTTP_TRANSFER_ENCODING="chunked")
    assert response.status_code == 200


def test_a_non_numeric_content_length_is_a_bad_request(db, settings):
    request = RequestFactory().post("/api/token/", data="{}", content_type="application/json")
    request.META["CONTENT_LENGTH"] = "lots"
    from payments_api.common.middleware import RequestBodyLimitMiddleware

    response = RequestBodyLimitMiddleware(lambda r: None)(request)
    assert response.status_code == 400
    assert json.loads(response.content)["code"] == "bad-request"


def test_the_parser_reads_no_more_than_the_limit_whatever_the_declared_length(settings):
    # A stream longer than Content-Length said (a server that passes a chunked body through, say).
    settings.REQUEST_BODY_MAX_BYTES = 16
    stream = io.BytesIO(b'{"value": "' + b"9" * 1000 + b'"}')
    with pytest.raises(PayloadTooLarge):
        LimitedJSONParser().parse(stream, "application/json", {})
    assert LimitedJSONParser().parse(io.BytesIO(b'{"a": 1}'), "application/json", {}) == {"a": 1}


def test_page_size_is_capped_at_100(operator_client, supplier):
    PaymentFactory.create_batch(105, supplier=supplier)
    body = operator_client.get("/api/payments/?page_size=100000").json()
    assert len(body["results"]) == 100
    assert body["next"] is not None


def test_cors_is_closed_by_default(supplier_client, settings):
    assert settings.CORS_ALLOWED_ORIGINS == []
    response = supplier_client.get("/api/payments/", HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in response
    preflight = APIClient().options(
        "/api/payments/", HTTP_ORIGIN="https://evil.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
    )
    assert "Access-Control-Allow-Origin" not in preflight


def test_cors_allows_only_the_configured_origins(supplier_client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
    allowed = APIClient().options(
        "/api/payments/",
        HTTP_ORIGIN="https://app.example.com",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type, idempotency-key",
    )
    assert allowed["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert "idempotency-key" in allowed["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in allowed
    other = supplier_client.get("/api/payments/", HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in other


def test_security_headers_are_set_on_api_responses(supplier_client):
    response = supplier_client.get("/api/payments/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Cache-Control"] == "no-store"


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@pytest.mark.parametrize(
    "status, extra",
    [
        (413, {"CONTENT_LENGTH": str(10**6)}),
        (400, {"CONTENT_LENGTH": "lots"}),
        (411, {"CONTENT_LENGTH": "", "HTTP_TRANSFER_ENCODING": "chunked"}),
    ],
    ids=["too-large", "bad-length", "chunked"],
)
def test_the_body_limits_refusals_carry_the_security_and_cors_headers(supplier_client, settings, status, extra):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
    body = json.dumps({"due_date": DUE_DATE, "value": "1.00"})

    response = supplier_client.post(
        "/api/payments/", data=body, content_type="application/json", HTTP_ORIGIN="https://app.example.com", **extra
    )

    assert_problem(response, status)
    assert {name: response.get(name) for name in SECURITY_HEADERS} == SECURITY_HEADERS
    assert response["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert not Payment.objects.exists()


def test_errors_do_not_leak_internals(supplier_client):
    response = supplier_client.get("/api/payments/999999/")
    assert response.json()["detail"] == "No Payment matches the given query."  # no SQL, no trace
    assert "Server" not in response or "Django" not in response["Server"]


def test_production_defaults_preload_hsts(settings):
    import importlib
    import os

    from payments_api import settings as project_settings

    saved = {name: os.environ.get(name) for name in ("DEBUG", "SECURE_HSTS_PRELOAD", "SECURE_HSTS_SECONDS")}
    try:
        os.environ["DEBUG"] = "False"
        os.environ.pop("SECURE_HSTS_PRELOAD", None)
        os.environ.pop("SECURE_HSTS_SECONDS", None)
        production = importlib.reload(project_settings)
        assert production.SECURE_HSTS_PRELOAD is True
        assert production.SECURE_HSTS_SECONDS == 31536000
        assert production.CORS_ALLOWED_ORIGINS == []
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        importlib.reload(project_settings)


def test_deployment_checklist_is_clean_with_production_settings(settings, monkeypatch):
    # The test settings let the browser tests' event loop share the ORM (DJANGO_ALLOW_ASYNC_UNSAFE); production
    # never does, and the checklist says so.
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)
    settings.DEBUG = False
    settings.SECRET_KEY = "k" * 20 + "Q9!zX#v2$Lp7&mN4^rT8*wY1(bC6)dF3_gH5+jK0"
    settings.ALLOWED_HOSTS = ["payments.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_PRELOAD = True
    call_command("check", "--deploy", "--fail-level", "WARNING", stdout=io.StringIO(), stderr=io.StringIO())

"""The unauthenticated endpoints: /health/, the OpenAPI schema and its Swagger UI."""

import re

import pytest
from rest_framework.test import APIClient


@pytest.fixture
def no_broker(settings):
    """Health then checks the database alone, whatever broker the environment configures."""
    settings.CELERY_BROKER_URL = ""


@pytest.mark.parametrize("authorization", [None, "Bearer stale-or-garbage"], ids=["no-token", "bad-token"])
def test_health_reports_the_database_ok_without_authentication(db, no_broker, authorization):
    client = APIClient(HTTP_AUTHORIZATION=authorization) if authorization else APIClient()

    response = client.get("/health/")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


def test_health_is_never_throttled_and_spends_no_anonymous_budget(db, no_broker, settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "2/min", "user": "2/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    client = APIClient(REMOTE_ADDR="192.0.2.60")

    assert [client.get("/health/").status_code for _ in range(10)] == [200] * 10
    assert client.post("/api/token/verify/", {"token": "x"}, format="json").status_code == 401  # not 429


def test_schema_is_served_without_authentication(db, anonymous_client):
    response = anonymous_client.get("/api/schema/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    schema = response.content.decode()
    assert schema.startswith("openapi: 3")
    for path in ["/api/payments/", "/api/payments/{id}/", "/api/anticipations/{id}/", "/api/logs/", "/api/token/"]:
        assert f"  {path}:" in schema


def test_the_schema_lists_each_path_once_with_its_trailing_slash(db, anonymous_client):
    # The API also answers without the trailing slash (common/routers.py); the schema documents one form.
    paths = list(anonymous_client.get("/api/schema/?format=json").json()["paths"])

    assert sorted(paths) == [
        "/api/anticipations/",
        "/api/anticipations/{id}/",
        "/api/logs/",
        "/api/logs/{id}/",
        "/api/payments/",
        "/api/payments/{id}/",
        "/api/token/",
        "/api/token/logout/",
        "/api/token/refresh/",
        "/api/token/verify/",
        "/health/",
    ]


def test_docs_are_served_without_authentication(db, anonymous_client):
    response = anonymous_client.get("/api/docs/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"swagger-ui" in response.content
    assert b"/api/schema/" in response.content


def test_the_docs_load_swagger_ui_from_this_service_only(db, anonymous_client):
    page = anonymous_client.get("/api/docs/").content.decode()

    references = re.findall(r'(?:src|href)="([^"]*)"', page)
    assert any(reference.endswith("swagger-ui-bundle.js") for reference in references)
    for reference in references:
        assert reference.startswith("/") and not reference.startswith("//"), reference
    assert not re.search(r"(?i)https?://|cdn\.", page)
    for reference in references:
        assert anonymous_client.get(reference).status_code == 200, reference

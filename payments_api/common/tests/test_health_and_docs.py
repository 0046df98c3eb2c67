"""The unauthenticated endpoints: /health/, the OpenAPI schema and its Swagger UI."""

import re
import socket
import threading

import pytest
from django.conf import settings as project_settings
from django.db import connection
from rest_framework.test import APIClient

from payments_api.common import health
from payments_api.common.tests.problems import assert_problem


@pytest.fixture(autouse=True)
def _no_cached_broker_check(monkeypatch):
    monkeypatch.setattr(health, "_broker_check", {"ok": False, "checked_at": None})


@pytest.fixture
def no_broker(settings):
    """Health then checks the database alone, whatever broker the environment configures."""
    settings.CELERY_BROKER_URL = ""


@pytest.fixture
def broker_down(settings, monkeypatch):
    """The broker's address answers connections by closing them; counts how often it was asked."""
    from payments_api.celery import app

    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    connections = []
    stop = threading.Event()

    def refuse():
        while not stop.is_set():
            try:
                accepted, _ = listener.accept()
            except TimeoutError:
                continue
            connections.append(accepted)
            accepted.close()

    thread = threading.Thread(target=refuse, daemon=True)
    thread.start()
    url = f"amqp://guest:guest@127.0.0.1:{listener.getsockname()[1]}//"
    settings.CELERY_BROKER_URL = url
    monkeypatch.setenv("CELERY_BROKER_URL", url)  # Celery reads this variable before its own configuration
    monkeypatch.setattr(app.conf, "broker_url", url)
    yield connections
    stop.set()
    thread.join()
    listener.close()


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


@pytest.mark.skipif(not project_settings.CELERY_BROKER_URL, reason="needs a broker (set CELERY_BROKER_URL)")
def test_health_checks_the_configured_broker(db):
    response = APIClient().get("/health/")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


def test_health_is_degraded_but_200_when_only_the_broker_is_down(db, broker_down):
    """Requests still succeed then (their e-mails wait in the outbox): a load balancer must keep the instance."""
    response = APIClient().get("/health/")

    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "checks": {"database": "ok", "broker": "unavailable"}}


def test_the_broker_is_asked_once_every_few_seconds_not_on_every_probe(db, broker_down, monkeypatch):
    client = APIClient()

    answers = [client.get("/health/").json()["checks"]["broker"] for _ in range(5)]

    assert answers == ["unavailable"] * 5
    assert len(broker_down) == 1
    checked_at = health._broker_check["checked_at"]
    monkeypatch.setitem(health._broker_check, "checked_at", checked_at - health.BROKER_CHECK_SECONDS)
    assert client.get("/health/").json()["checks"]["broker"] == "unavailable"
    assert len(broker_down) == 2


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_health_is_503_when_the_database_is_down(no_broker):
    """This instance cannot serve anything then; the load balancer takes it out."""
    reachable = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT="1")  # where no database listens
    try:
        response = APIClient().get("/health/")
    finally:
        connection.close()
        connection.settings_dict.update(reachable)

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "checks": {"database": "unavailable"}}


def test_schema_is_served_without_authentication(db, anonymous_client):
    response = anonymous_client.get("/api/schema/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    schema = response.content.decode()
    assert schema.startswith("openapi: 3")
    for path in ["/api/payments/", "/api/payments/{id}/", "/api/anticipations/{id}/", "/api/logs/", "/api/token/"]:
        assert f"  {path}:" in schema


def test_the_schema_lists_each_path_once_with_its_trailing_slash(db, anonymous_client):
    # The API also answers without the trailing slash (common/middleware.py); the schema documents one form.
    paths = list(anonymous_client.get("/api/schema/?format=json").json()["paths"])

    assert sorted(paths) == [
        "/api/anticipations/",
        "/api/anticipations/batch/",
        "/api/anticipations/{id}/",
        "/api/calendar/",
        "/api/logs/",
        "/api/logs/{id}/",
        "/api/payments/",
        "/api/payments/import/",
        "/api/payments/{id}/",
        "/api/payments/{id}/quote/",
        "/api/programme/",
        "/api/token/",
        "/api/token/logout/",
        "/api/token/refresh/",
        "/api/token/verify/",
        "/api/webhooks/endpoints/",
        "/api/webhooks/endpoints/{id}/",
        "/api/webhooks/endpoints/{id}/rotate-secret/",
        "/health/",
    ]


def test_docs_are_served_without_authentication(db, anonymous_client):
    response = anonymous_client.get("/api/docs/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"swagger-ui" in response.content
    assert b"/api/schema/" in response.content
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.parametrize("path", ["/api/docs/", "/api/schema/"])
@pytest.mark.parametrize("method", ["OPTIONS", "POST", "PUT", "PATCH", "DELETE"])
def test_the_docs_refuse_other_methods_with_a_problem(db, anonymous_client, path, method):
    response = anonymous_client.generic(method, path)

    assert_problem(response, 405, "method-not-allowed")
    assert set(response["Allow"].split(", ")) == {"GET", "HEAD"}


def test_the_docs_load_swagger_ui_from_this_service_only(db, anonymous_client):
    page = anonymous_client.get("/api/docs/").content.decode()

    references = re.findall(r'(?:src|href)="([^"]*)"', page)
    assert any(reference.endswith("swagger-ui-bundle.js") for reference in references)
    for reference in references:
        assert reference.startswith("/") and not reference.startswith("//"), reference
    assert not re.search(r"(?i)https?://|cdn\.", page)
    for reference in references:
        assert anonymous_client.get(reference).status_code == 200, reference

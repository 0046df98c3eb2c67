"""GET /metrics: who may read it, and the counters that requests, refusals and failed logins move.

(The anticipation and outbox metrics are tested with their apps; two gunicorn workers in
payments_api/common/tests/test_metrics_gunicorn.py.)
"""

import pytest
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from payments_api.common import health
from payments_api.common.metrics import HEALTH_STATUSES
from payments_api.common.tests.metrics import parse_samples, scrape, value
from payments_api.common.tests.problems import assert_problem
from payments_api.payments.tests.factories import PaymentFactory, days

DURATION_COUNT = "payments_api_http_request_duration_seconds_count"


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "10.1.2.3"])
def test_metrics_are_served_to_the_allowed_addresses(db, settings, address):
    settings.METRICS_ALLOWED_IPS = ["127.0.0.1", "::1", "10.0.0.0/8"]

    response = Client().get("/metrics", REMOTE_ADDR=address)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    assert "payments_api_http_request_duration_seconds" in response.content.decode()


@pytest.mark.parametrize("address", ["203.0.113.7", "10.1.2.3", "::ffff:198.51.100.1", "not-an-address"])
def test_metrics_are_refused_to_other_addresses(db, address):
    response = Client().get("/metrics", REMOTE_ADDR=address)

    assert_problem(response, 403, "permission-denied")
    assert "payments_api_" not in response.content.decode()


def test_a_request_through_a_proxy_is_refused_even_from_an_allowed_address(db):
    """A proxy on the same host would otherwise pass the internet's requests on from 127.0.0.1."""
    response = Client().get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="127.0.0.1")

    assert_problem(response, 403, "permission-denied")


def test_the_metrics_token_is_accepted_from_any_address(db, settings):
    settings.METRICS_TOKEN = "s3cret-metrics-token"

    response = Client().get(
        "/metrics", REMOTE_ADDR="203.0.113.7", HTTP_AUTHORIZATION="Bearer s3cret-metrics-token"
    )

    assert response.status_code == 200
    assert "payments_api_http_request_duration_seconds" in response.content.decode()


@pytest.mark.parametrize("configured", ["s3cret-metrics-token", ""])
@pytest.mark.parametrize("sent", ["Bearer wrong", "Bearer s3cret-metrics-token-and-more", "Bearer s3cret"])
def test_a_wrong_token_is_refused_even_from_an_allowed_address(db, settings, configured, sent):
    settings.METRICS_TOKEN = configured

    response = Client().get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_AUTHORIZATION=sent)

    assert_problem(response, 401, "not-authenticated")
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'


def test_metrics_take_no_other_method(db):
    response = Client().post("/metrics", REMOTE_ADDR="127.0.0.1")

    assert_problem(response, 405, "method-not-allowed")
    assert response["Allow"] == "GET, HEAD"


def test_requests_are_counted_by_url_pattern_method_and_status(supplier, supplier_client):
    payments = [PaymentFactory(supplier=supplier, due_date=days(30)) for _ in range(2)]
    before = scrape()

    for payment in payments:
        assert supplier_client.get(f"/api/payments/{payment.pk}/").status_code == 200
    assert supplier_client.get("/api/payments/999999999/").status_code == 404
    assert APIClient().get("/no/such/page/").status_code == 404
    after = scrape()

    def moved(**labels):
        return value(after, DURATION_COUNT, **labels) - value(before, DURATION_COUNT, **labels)

    assert moved(route="/api/payments/<pk>/", method="GET", status="200") == 2
    assert moved(route="/api/payments/<pk>/", method="GET", status="404") == 1
    assert moved(route="<unmatched>", method="GET", status="404") == 1
    labels = {dict(key[1]).get("route") for key in after if key[0] == DURATION_COUNT}
    assert not any(str(payment.pk) in route for payment in payments for route in labels)  # never a raw path


def test_a_method_no_client_should_send_is_counted_as_other(db):
    before = scrape()

    Client().generic("FROBNICATE", "/health/")
    after = scrape()

    assert value(after, DURATION_COUNT, route="/health/", method="other", status="405") == (
        value(before, DURATION_COUNT, route="/health/", method="other", status="405") + 1
    )
    assert not any(dict(key[1]).get("method") == "FROBNICATE" for key in after)


def test_database_queries_are_counted_by_url_pattern(supplier, supplier_client):
    payment = PaymentFactory(supplier=supplier, due_date=days(30))
    supplier_client.get(f"/api/payments/{payment.pk}/")  # the user is cached from here on
    before = value(scrape(), "payments_api_db_queries_total", route="/api/payments/<pk>/")

    statements = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):  # the request's queries (the test client's signals reset the debug log)
        supplier_client.get(f"/api/payments/{payment.pk}/")

    after = value(scrape(), "payments_api_db_queries_total", route="/api/payments/<pk>/")
    assert len(statements) == 1, statements
    assert after - before == 1


def test_throttled_requests_are_counted_by_rate(settings, supplier_client):
    rest = dict(settings.REST_FRAMEWORK)
    rest["DEFAULT_THROTTLE_RATES"] = {**rest["DEFAULT_THROTTLE_RATES"], "user": "2/min"}
    settings.REST_FRAMEWORK = rest
    before = value(scrape(), "payments_api_throttled_requests_total", scope="user")

    statuses = [supplier_client.get("/api/payments/").status_code for _ in range(5)]

    assert statuses == [200, 200, 429, 429, 429]
    assert value(scrape(), "payments_api_throttled_requests_total", scope="user") == before + 3


def test_failed_logins_are_counted_for_the_api_and_the_admin(supplier):
    def failures() -> tuple[float, float]:
        samples = scrape()
        return (
            value(samples, "payments_api_login_failures_total", route="/api/token/"),
            value(samples, "payments_api_login_failures_total", route="/admin/login/"),
        )

    before = failures()
    APIClient().post("/api/token/", {"email": supplier.user.email, "password": "wrong"}, format="json")
    APIClient().post("/api/token/", {"email": "nobody@example.com", "password": "wrong"}, format="json")
    Client().post("/admin/login/", {"username": supplier.user.email, "password": "wrong"})
    ok = APIClient().post("/api/token/", {"email": supplier.user.email, "password": "secret-password"}, format="json")
    after = failures()

    assert ok.status_code == 200  # a successful login is not a failure
    assert (after[0] - before[0], after[1] - before[1]) == (2, 1)


def test_the_exposition_parses_as_prometheus_text(db):
    response = Client().get("/metrics", REMOTE_ADDR="127.0.0.1")

    samples = parse_samples(response.content.decode())

    assert ("payments_api_outbox_notifications_oldest_pending_seconds", ()) in samples


@pytest.fixture
def fresh_broker_check(monkeypatch):
    monkeypatch.setattr(health, "_broker_check", {"ok": False, "checked_at": None})


def test_the_health_gauges_say_what_health_says(db, settings, fresh_broker_check):
    settings.CELERY_BROKER_URL = ""  # the database alone is checked

    samples = scrape()

    assert Client().get("/health/").json()["status"] == "ok"
    assert [value(samples, "payments_api_health_status", status=status) for status in HEALTH_STATUSES] == [1, 0, 0]
    assert value(samples, "payments_api_health_check_ok", check="database") == 1


def test_the_health_gauges_show_a_degraded_service_when_the_broker_is_down(
    db, settings, monkeypatch, fresh_broker_check
):
    from payments_api.celery import app

    url = "amqp://guest:guest@127.0.0.1:1//"  # where no broker listens
    settings.CELERY_BROKER_URL = url
    monkeypatch.setenv("CELERY_BROKER_URL", url)  # Celery reads this variable before its own configuration
    monkeypatch.setattr(app.conf, "broker_url", url)

    samples = scrape()

    assert value(samples, "payments_api_health_status", status="degraded") == 1
    assert value(samples, "payments_api_health_status", status="ok") == 0
    assert value(samples, "payments_api_health_check_ok", check="database") == 1
    assert value(samples, "payments_api_health_check_ok", check="broker") == 0


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_with_the_database_down_the_scrape_still_serves_the_counters_and_says_what_is_missing(settings):
    settings.CELERY_BROKER_URL = ""
    Client().get("/health/")  # counted before the outage
    reachable = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT="1")  # where no database listens
    try:
        samples = scrape()
    finally:
        connection.close()
        connection.settings_dict.update(reachable)

    assert value(samples, DURATION_COUNT, route="/health/", method="GET", status="200") >= 1
    assert value(samples, "payments_api_health_status", status="unavailable") == 1
    assert value(samples, "payments_api_health_check_ok", check="database") == 0
    failed = "payments_api_scrape_collector_failed"
    assert value(samples, failed, collector="payments_api.notifications.metrics.notifications_backlog_metrics") == 1
    assert value(samples, failed, collector="payments_api.common.metrics.health_metrics") == 0
    assert ("payments_api_outbox_notifications_oldest_pending_seconds", ()) not in samples  # missing, not a made-up 0

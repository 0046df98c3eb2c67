"""The request id: on every response, in problem bodies, in every log line of the request and in Sentry events;
Celery tasks log their task id."""

import json
import logging
import uuid

import pytest
import sentry_sdk
from celery.signals import task_prerun
from django.test import Client
from rest_framework.test import APIClient
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.transport import Transport

from payments_api.common.logs import JsonFormatter, TextFormatter
from payments_api.common.request_context import RequestIdLogFilter, sentry_event_tag
from payments_api.common.tests.celery_worker import wait_for
from payments_api.common.tests.problems import assert_problem
from payments_api.idempotency.tasks import purge_idempotency_keys


@pytest.fixture
def log_records(caplog):
    """The records logged meanwhile, through the request-id filter that LOGGING puts on the console handler."""
    caplog.handler.addFilter(RequestIdLogFilter())
    caplog.set_level(logging.INFO)
    return caplog


def is_uuid(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text
    except ValueError:
        return False


@pytest.mark.parametrize("sent", ["3f1c2b9e-8a47-4f0e-9b1d-2c6e5a7d8f90", "Root=1-5e1b4151-5ac6c58f", "req.42:a_b+c/d"])
def test_a_well_formed_request_id_is_echoed(db, sent):
    response = Client().get("/health/", HTTP_X_REQUEST_ID=sent)

    assert response["X-Request-ID"] == sent


def test_a_request_without_an_id_gets_a_new_uuid(db):
    first, second = Client().get("/health/"), Client().get("/health/")

    assert is_uuid(first["X-Request-ID"]) and is_uuid(second["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]


@pytest.mark.parametrize(
    "sent",
    ["", "has space", "line\nbreak", "quote\"d", "x" * 129, "caf\u00e9", "<script>", "a;b", "{}"],
)
def test_a_malformed_request_id_is_replaced_not_trusted(db, sent, log_records):
    response = Client().get("/health/", HTTP_X_REQUEST_ID=sent)

    assert is_uuid(response["X-Request-ID"])
    assert response["X-Request-ID"] != sent
    assert {record.request_id for record in log_records.records} == {response["X-Request-ID"]}


@pytest.mark.parametrize(
    "make_request",
    [
        lambda: APIClient().get("/api/payments/"),  # 401
        lambda: APIClient().get("/no/such/page/"),  # 404 from Django's handler
        lambda: APIClient().post("/api/token/", "{", content_type="application/json"),  # 400 parse error
        lambda: APIClient().post("/api/token/", "x" * 10, content_type="application/json", CONTENT_LENGTH="999999"),
    ],
    ids=["not-authenticated", "not-found", "parse-error", "payload-too-large"],
)
def test_problem_bodies_carry_the_request_id_of_their_response(db, make_request):
    response = make_request()

    body = response.json()
    assert response.status_code >= 400
    assert body["request_id"] == response["X-Request-ID"]
    assert is_uuid(body["request_id"])


def test_every_log_line_of_a_failed_request_carries_its_id(supplier, log_records):
    response = APIClient().post(
        "/api/token/",
        {"email": supplier.user.email, "password": "wrong"},
        format="json",
        HTTP_X_REQUEST_ID="client-report-1234",
    )

    assert_problem(response, 401, "no-active-account")
    assert response.json()["request_id"] == "client-report-1234"
    loggers = {record.name for record in log_records.records}
    assert {"django.request", "payments_api.requests"} <= loggers  # the refusal's warning and the request line
    assert {record.request_id for record in log_records.records} == {"client-report-1234"}


def test_the_request_line_in_json_has_what_an_operator_searches_by(supplier, supplier_client, log_records):
    response = supplier_client.get("/api/payments/?status=A", HTTP_X_REQUEST_ID="find-me-42")

    [record] = [record for record in log_records.records if record.name == "payments_api.requests"]
    line = json.loads(JsonFormatter().format(record))
    assert response.status_code == 200
    assert line["request_id"] == "find-me-42"
    assert line["user_id"] == supplier.user.pk
    assert line["method"] == "GET"
    assert line["path"] == "/api/payments/"  # the query string, which may carry anything, stays out
    assert line["route"] == "/api/payments/"
    assert line["status"] == 200
    assert line["duration_ms"] > 0
    assert line["db_queries"] >= 1
    assert line["level"] == "INFO" and line["logger"] == "payments_api.requests"
    assert line["time"].endswith("+00:00")
    assert "find-me-42" in TextFormatter().format(record)  # the human-readable format names it too


def test_log_lines_outside_any_request_carry_no_request_id(log_records):
    logging.getLogger("payments_api.tests").warning("between requests")

    [record] = log_records.records
    assert record.request_id is None
    assert "request_id" not in json.loads(JsonFormatter().format(record))


class CapturedEvents(Transport):
    """Sentry's transport, kept in memory instead of sent over the network to sentry.io."""

    events: list = []

    def capture_envelope(self, envelope):
        if event := envelope.get_event():
            self.events.append(event)


@pytest.fixture
def sentry_events():
    CapturedEvents.events = []
    sentry_sdk.init(
        dsn="https://public@sentry.invalid/1",
        transport=CapturedEvents,
        integrations=[DjangoIntegration()],
        before_send=sentry_event_tag,  # as settings.py passes it
        default_integrations=False,
    )
    yield CapturedEvents.events
    sentry_sdk.get_client().close()
    sentry_sdk.init(dsn=None)


def test_a_server_error_names_its_request_in_the_problem_the_logs_and_the_sentry_event(
    db, settings, sentry_events, log_records
):
    settings.ROOT_URLCONF = "tests.failing_urls"
    client = Client(raise_request_exception=False)

    response = client.get("/failing/", HTTP_X_REQUEST_ID="support-ticket-77")

    assert_problem(response, 500, "server-error")
    assert response.json()["request_id"] == "support-ticket-77"
    assert wait_for(lambda: sentry_events, timeout=5)
    [event] = sentry_events
    assert event["tags"]["request_id"] == "support-ticket-77"
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    lines = {(record.name, record.levelname): record.request_id for record in log_records.records}
    assert lines == {
        ("payments_api.tests", "WARNING"): "support-ticket-77",  # the view's own line
        ("django.request", "ERROR"): "support-ticket-77",  # the traceback
        ("payments_api.requests", "INFO"): "support-ticket-77",  # the request line
    }


def test_celery_tasks_log_their_task_id(worker_queue, log_records):
    started = []

    def on_prerun(task_id=None, **kwargs):
        started.append(task_id)

    task_prerun.connect(on_prerun, weak=False)
    try:
        result = purge_idempotency_keys.delay()
        assert wait_for(lambda: any(r.name == "celery.app.trace" for r in log_records.records))
    finally:
        task_prerun.disconnect(on_prerun)

    [line] = [record for record in log_records.records if record.name == "celery.app.trace"]
    assert started == [result.id]
    assert json.loads(JsonFormatter().format(line))["task_id"] == result.id
    assert line.request_id is None

"""Schema-driven fuzzing: schemathesis generates requests from the project's own OpenAPI schema.

Every operation is called as a supplier and as an operator (and the token endpoints anonymously) with valid
and invalid data, up to MAX_EXAMPLES each: no response may be a server error, every response must match the
schema, invalid input must be refused with a 4xx, and a supplier must never receive another supplier's
payments, anticipations or logs.
"""

import csv
import datetime
import io
import os
from decimal import Decimal
from pathlib import Path

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework_simplejwt.tokens import AccessToken

from payments_api.payments.models import Anticipation, AnticipationStatus, Payment
from payments_api.payments.tests.factories import AnticipationFactory, PaymentFactory
from payments_api.requestlogs.models import RequestLog, RequestLogAction
from payments_api.users.tests.factories import OperatorFactory, SupplierFactory
from payments_api.wsgi import application

# Per operation and role; FUZZ_MAX_EXAMPLES=200 for a deeper run.
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "15"))
VICTIM_VALUE = Decimal("424242.42")  # only the other supplier's payments have this value

CONFIG = schemathesis.Config.from_path(Path(__file__).resolve().parents[1] / "schemathesis.toml")
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application, config=CONFIG)
api = schema.exclude(path="/health/")  # answers 503 when the database is down, whatever the request

FUZZ_SETTINGS = hypothesis_settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def test_invalid_input_may_be_refused_by_gunicorn_or_the_body_limit():
    """Against a live gunicorn, an over-long URL or header is answered 414 or 431 before Django runs."""
    rejection = CONFIG.projects.get_default().checks.negative_data_rejection

    assert {"413", "414", "431"} <= set(rejection.expected_statuses)
    assert {"400", "401", "403", "404", "405", "409", "415", "422", "429"} <= set(rejection.expected_statuses)


@pytest.fixture
def keep_test_connection():
    """Requests go through the WSGI handler, which closes the connection after each one; the test's transaction
    must survive, as Django's test client arranges for its own requests."""
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def fuzz_world(db, settings, keep_test_connection):
    rest = dict(settings.REST_FRAMEWORK)
    rest["DEFAULT_THROTTLE_RATES"] = {scope: "100000/min" for scope in rest["DEFAULT_THROTTLE_RATES"]}
    settings.REST_FRAMEWORK = rest

    today = timezone.localdate()
    victim, caller = SupplierFactory(), SupplierFactory()
    for supplier, value in ((victim, VICTIM_VALUE), (caller, Decimal("100.00"))):
        PaymentFactory(supplier=supplier, value=value)
        PaymentFactory(supplier=supplier, value=value, due_date=today - datetime.timedelta(days=1))
        for status in AnticipationStatus.values:
            anticipation = AnticipationFactory(payment__supplier=supplier, payment__value=value, status=status)
            RequestLog.objects.create(anticipation=anticipation, user=supplier.user, action=RequestLogAction.REQUESTED)
    operator = OperatorFactory()
    return {
        "caller": caller,
        "victim": victim,
        "supplier_token": str(AccessToken.for_user(caller.user)),
        "operator_token": str(AccessToken.for_user(operator)),
    }


def _objects(response) -> list[dict]:
    if response.headers.get("content-type", [""])[0].startswith("text/csv"):
        return list(csv.DictReader(io.StringIO(response.text)))  # a list as CSV: its cells are strings
    body = response.json()
    if isinstance(body, dict) and isinstance(body.get("results"), list):
        return [item for item in body["results"] if isinstance(item, dict)]
    return [body] if isinstance(body, dict) and "id" in body else []


def assert_only_own_data(response, case, supplier) -> None:
    """Whatever a supplier receives belongs to that supplier."""
    if not 200 <= response.status_code < 300 or not response.content:
        return
    assert str(VICTIM_VALUE) not in response.text
    for item in _objects(response):
        if case.path.startswith("/api/payments/"):
            assert int(item["supplier"]) == supplier.pk, item
        elif case.path.startswith("/api/anticipations/"):
            assert Payment.objects.get(pk=item["payment"]).supplier_id == supplier.pk, item
        elif case.path.startswith("/api/logs/"):
            assert Anticipation.objects.get(pk=item["anticipation"]).payment.supplier_id == supplier.pk, item


def call_and_check(case, token: str | None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = case.call(headers=headers)
    assert response.status_code < 500, (case.method, case.path, response.status_code, response.text)
    # The checks enabled in schemathesis.toml: schema conformance of status, content type, headers and body,
    # and invalid input rejected with a 4xx.
    case.validate_response(response, headers=headers)
    return response


@api.parametrize()
@FUZZ_SETTINGS
def test_api_as_a_supplier(case, fuzz_world):
    token = None if case.path.startswith("/api/token/") else fuzz_world["supplier_token"]
    response = call_and_check(case, token)
    assert_only_own_data(response, case, fuzz_world["caller"])


@api.parametrize()
@FUZZ_SETTINGS
def test_api_as_an_operator(case, fuzz_world):
    token = None if case.path.startswith("/api/token/") else fuzz_world["operator_token"]
    call_and_check(case, token)

"""The benchmark's Django side: its baselines serve the same rows as the API, its counter counts, and none of it is
reachable with the production settings."""

import datetime
import importlib
import json
import os
import subprocess
import sys
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import timezone

from payments_api.bench.middleware import QUERY_COUNT_REQUEST_HEADER, QUERY_COUNT_RESPONSE_HEADER
from payments_api.bench.plans import explain, statements
from payments_api.bench.run import anticipation_request_endpoint, auto_approval_on, available_payments
from payments_api.payments.models import AnticipationStatus, Payment, PaymentStatus
from payments_api.payments.services import anticipation_request
from payments_api.payments.tests.factories import AnticipationFactory, PaymentFactory
from payments_api.programme.selectors import programme_current
from payments_api.requestlogs.models import RequestLog, RequestLogAction


@pytest.fixture
def bench_urls(settings):
    settings.ROOT_URLCONF = "payments_api.bench.urls"
    settings.MIDDLEWARE = ["payments_api.bench.middleware.QueryCountMiddleware", *settings.MIDDLEWARE]


@pytest.fixture
def rows(supplier, other_supplier, operator):
    for owner in (supplier, other_supplier):
        PaymentFactory.create_batch(6, supplier=owner)
        PaymentFactory.create_batch(3, supplier=owner, due_date=timezone.localdate() - datetime.timedelta(days=1))
        for status in AnticipationStatus.values * 2:
            anticipation = AnticipationFactory(payment__supplier=owner, status=status)
            RequestLog.objects.create(anticipation=anticipation, user=owner.user, action=RequestLogAction.REQUESTED)


def ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


@pytest.mark.parametrize("query", ["", "&status=A", "&status=U", "&status=PC", "&status=AN", "&status=D"])
def test_the_baseline_serves_a_suppliers_rows_as_the_api_does(bench_urls, rows, supplier, supplier_client, query):
    api = supplier_client.get(f"/api/payments/?{query}")
    baseline = Client().get(f"/bench/payments/?supplier={supplier.pk}{query}")

    assert ids(baseline) == ids(api) != []


@pytest.mark.parametrize("path", ["/api/payments/", "/api/logs/"])
def test_the_baseline_serves_an_operators_rows_as_the_api_does(bench_urls, rows, operator_client, path):
    baseline = Client().get(path.replace("/api/", "/bench/"))

    assert ids(baseline) == ids(operator_client.get(path)) != []


def test_the_baseline_detail_is_the_apis_payment(bench_urls, rows, supplier, supplier_client):
    payment = supplier.payments.first()

    assert Client().get(f"/bench/payments/{payment.pk}/").json()["id"] == payment.pk


def test_the_query_counter_answers_only_when_asked(bench_urls, rows, supplier_client):
    counted = supplier_client.get("/api/payments/", headers={QUERY_COUNT_REQUEST_HEADER: "1"})
    plain = supplier_client.get("/api/payments/")

    assert counted[QUERY_COUNT_RESPONSE_HEADER] == "2"  # the user (not cached yet), the page with its count
    assert not plain.has_header(QUERY_COUNT_RESPONSE_HEADER)


@pytest.mark.parametrize(
    "path", ["/bench/payments/", "/bench/payments/1/", "/bench/logs/", "/bare/payments/", "/bare/logs/"]
)
def test_the_bench_urls_do_not_exist_in_production(path):
    with pytest.raises(Resolver404):
        resolve(path)


def test_production_settings_carry_no_bench_middleware(settings):
    assert not any("bench" in middleware for middleware in settings.MIDDLEWARE)


# --- the bare ceiling: a process of its own, one SQL statement per page ----------------------------------------------


@pytest.fixture
def bare_urls(settings):
    settings.ROOT_URLCONF = "payments_api.bench.tests.urls"


def bare_rows(payments: list[dict]) -> list[tuple]:
    """What the bare ceiling answers of each payment, as the API says it: id, due date, value, anticipation, state."""
    today = timezone.localdate()
    return [
        (
            row["id"],
            row["due_date"],
            row["value"],
            row["anticipation_id"],
            PaymentStatus.of(
                due_date=datetime.date.fromisoformat(row["due_date"]),
                anticipation_status=row["anticipation_status"],
                today=today,
            ),
        )
        for row in payments
    ]


def api_rows(payments: list[dict]) -> list[tuple]:
    return [(row["id"], row["due_date"], row["value"], row["anticipation"], row["status"]) for row in payments]


@pytest.mark.postgresql  # the bare ceiling speaks PostgreSQL, as the bench does
@pytest.mark.parametrize("query", ["", "&status=A", "&status=U", "&status=PC", "&status=AN", "&status=D"])
def test_the_bare_ceiling_serves_a_suppliers_page_as_the_api_does(bare_urls, rows, supplier, supplier_client, query):
    api = supplier_client.get(f"/api/payments/?{query}")
    bare = Client().get(f"/bare/payments/?supplier={supplier.pk}{query}")

    assert bare_rows(bare.json()["results"]) == api_rows(api.json()["results"]) != []


@pytest.mark.postgresql  # the bare ceiling speaks PostgreSQL, as the bench does
@pytest.mark.parametrize("query", ["", "?status=A", "?status=U", "?status=PC", "?status=AN", "?status=D"])
def test_the_bare_ceiling_serves_an_operators_page_as_the_api_does(bare_urls, rows, operator_client, query):
    api = operator_client.get(f"/api/payments/{query}")
    bare = Client().get(f"/bare/payments/{query}")

    assert bare_rows(bare.json()["results"]) == api_rows(api.json()["results"]) != []


@pytest.mark.postgresql  # the bare ceiling speaks PostgreSQL, as the bench does
def test_the_bare_ceiling_serves_a_payment_and_the_logs_as_the_api_does(
    bare_urls, rows, supplier, supplier_client, operator_client
):
    payment = supplier.payments.filter(anticipation__isnull=False).first()

    bare = Client().get(f"/bare/payments/{payment.pk}/").json()
    assert bare_rows([bare]) == api_rows([supplier_client.get(f"/api/payments/{payment.pk}/").json()])
    assert Client().get("/bare/payments/0/").status_code == 404
    for bare, api in (
        (f"/bare/logs/?supplier={supplier.pk}", supplier_client.get("/api/logs/")),
        ("/bare/logs/", operator_client.get("/api/logs/")),
    ):
        logs = Client().get(bare).json()["results"]
        assert [(log["id"], log["anticipation_id"], log["action"]) for log in logs] == [
            (log["id"], log["anticipation"], log["action"]) for log in api.json()["results"]
        ] != []


def test_the_bare_ceiling_is_a_process_with_no_middleware_no_app_and_persistent_connections(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/payments_api_bench_10000")
    monkeypatch.delitem(sys.modules, "payments_api.bench.bare_settings", raising=False)
    bare_settings = importlib.import_module("payments_api.bench.bare_settings")

    assert bare_settings.MIDDLEWARE == [] and bare_settings.INSTALLED_APPS == []
    assert bare_settings.DATABASES["default"]["CONN_MAX_AGE"] is None
    assert bare_settings.ROOT_URLCONF == "payments_api.bench.bare_urls"


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_bare_process_answers_a_page_in_one_statement(rows, supplier, supplier_client):
    """The bare WSGI application in a process of its own, as gunicorn serves it, on the (committed) test data."""
    database = connection.settings_dict
    url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT'] or 5432}/{database['NAME']}"
    script = (
        "import sys\n"
        "from payments_api.bench.bare_wsgi import application\n"
        "from django.db import connection\n"
        "from django.test import RequestFactory\n"
        "from django.test.utils import CaptureQueriesContext\n"
        "with CaptureQueriesContext(connection) as queries:\n"
        "    response = application.get_response(RequestFactory().get(sys.argv[1]))\n"
        "print(len(queries), response.status_code, response.content.decode())\n"
    )
    environment = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "payments_api.bench.bare_settings"}

    served = subprocess.run(
        [sys.executable, "-c", script, f"/bare/payments/?supplier={supplier.pk}&status=PC"],
        capture_output=True, text=True, env=environment, timeout=60, check=True,
    )

    queries, status, body = served.stdout.split(" ", 2)
    assert (queries, status) == ("1", "200")
    api = supplier_client.get("/api/payments/?status=PC")
    assert [row["id"] for row in json.loads(body)["results"]] == [row["id"] for row in api.json()["results"]] != []


def test_the_report_shows_both_ratios_and_checks_the_targets_on_the_bare_one():
    from argparse import Namespace

    from payments_api.bench.run import Result, report

    def result(scale, endpoint, rps, p99, baseline=None, bare=None, is_list=True):
        return Result(scale, endpoint, rps, p99 / 2, p99, p99, 1, 0, 0, baseline, bare, is_list)

    results = [
        result(10_000, "supplier: list payments", 300, 30, baseline=600, bare=1500),
        result(1_000_000, "supplier: list payments", 800, 35, baseline=1000, bare=1500),
        result(1_000_000, "supplier: list payments ?status=A", 500, 35, baseline=700, bare=1200),
        result(10_000, "operator: list logs", 900, 10),
        result(1_000_000, "operator: list logs", 800, 25),
        result(10_000, "token obtain", 50, 100, is_list=False),
        result(1_000_000, "token obtain", 45, 400, is_list=False),
    ]
    args = Namespace(wrk_threads=2, connections=8, rounds=3, duration=2, workers=None, threads=None)

    text = report(results, args)

    assert "| supplier: list payments | 800 | 17.5 | 35.0 | 35.0 | 1 | 1000 | 80% | 1500 | 53% |  |" in text
    assert "- PASS: supplier: list payments at 1,000,000: 53% of the bare ceiling's req/s (at least 50%)" in text
    assert "- FAIL: supplier: list payments ?status=A at 1,000,000: 42% of the bare ceiling's req/s" in text
    assert "- PASS: token obtain at 1,000,000: 45 req/s, p99 400 ms (at least 40, below 500 ms)" in text
    assert "of the baseline's req/s" not in text  # the target moved to the bare ceiling
    assert "- PASS: supplier list p99 1,000,000 / 10,000: 1.17x (at most 2x)" in text
    # Every list against its own p99 at the small scale; token obtain is not a list.
    assert "- FAIL: every list's p99 1,000,000 / 10,000: at most 2.50x, operator: list logs (at most 2x)" in text


@pytest.mark.django_db
def test_auto_approval_is_on_for_the_measurement_and_the_terms_come_back_after(supplier, programme_terms):
    programme_terms(monthly_budget=Decimal("5.00"))
    before = programme_current().terms()
    payment = PaymentFactory(supplier=supplier, due_date=timezone.localdate() + datetime.timedelta(days=16))

    with auto_approval_on():
        anticipation = anticipation_request(
            payment=payment, new_due_date=timezone.localdate(), requested_by=supplier.user
        )

    assert anticipation.status == AnticipationStatus.APPROVED
    assert programme_current().terms() == before


def test_the_write_pool_holds_the_payments_that_can_be_anticipated_each_asked_for_by_its_supplier(rows):
    available = available_payments()
    endpoint = anticipation_request_endpoint(available, "request")

    open_payments = Payment.objects.filter(anticipation__isnull=True, due_date__gt=timezone.localdate())
    assert sorted(pk for pk, _ in available) == sorted(open_payments.values_list("pk", flat=True)) != []
    for (pk, _), (method, path, token, body) in zip(available, endpoint.requests, strict=True):
        assert (method, path, json.loads(body)["payment"]) == ("POST", "/api/anticipations/", pk)
        # The token is the payment's supplier's: it sees the payment, where another supplier's would get a 404.
        response = Client().get(f"/api/payments/{pk}/", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200


@pytest.mark.postgresql
def test_the_plans_time_the_statement_the_api_sent_for_a_page(rows, supplier):
    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import AccessToken

    sent = statements(APIClient(), ("GET", "/api/payments/?status=A", str(AccessToken.for_user(supplier.user)), ""))

    assert len(sent) == 1 and f'"supplier_id" = {supplier.pk}' in sent[0]
    timed = explain(sent[0])
    assert timed.execution_ms >= 0 and timed.planning_ms >= 0
    assert timed.plan.startswith("Limit") and "Execution Time" in timed.plan

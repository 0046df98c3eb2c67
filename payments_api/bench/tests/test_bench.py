"""The benchmark's Django side: its baselines serve the same rows as the API, its counter counts, and none of it is
reachable with the production settings."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import timezone

from payments_api.bench.middleware import QUERY_COUNT_REQUEST_HEADER, QUERY_COUNT_RESPONSE_HEADER
from payments_api.bench.run import auto_approval_on
from payments_api.payments.models import AnticipationStatus
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


@pytest.mark.parametrize("path", ["/bench/payments/", "/bench/payments/1/", "/bench/logs/"])
def test_the_bench_urls_do_not_exist_in_production(path):
    with pytest.raises(Resolver404):
        resolve(path)


def test_production_settings_carry_no_bench_middleware(settings):
    assert not any("bench" in middleware for middleware in settings.MIDDLEWARE)


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

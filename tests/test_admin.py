"""Operators work in the admin without Django model permissions; others on staff see only what they were granted."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext

from payments_api.common.admin import EstimatedCountPaginator
from payments_api.payments.models import Payment
from payments_api.payments.tests.factories import AnticipationFactory, PaymentFactory
from payments_api.requestlogs.models import RequestLog, RequestLogAction
from payments_api.users.tests.factories import OperatorFactory, UserFactory

pytestmark = pytest.mark.django_db

NO_PERMISSION = b"have permission to view or edit anything"

# What an operator may do on each of the project's models: the admin's rules, not Django's permission table.
OPERATOR_PERMISSIONS = {
    ("users", "user"): {"add": True, "change": True, "delete": True, "view": True},
    ("users", "supplier"): {"add": True, "change": True, "delete": True, "view": True},
    ("users", "accountchange"): {"add": False, "change": False, "delete": False, "view": True},
    ("payments", "payment"): {"add": True, "change": False, "delete": False, "view": True},
    ("payments", "anticipation"): {"add": False, "change": False, "delete": False, "view": True},
    ("payments", "payablesimport"): {"add": True, "change": False, "delete": False, "view": True},
    ("requestlogs", "requestlog"): {"add": False, "change": False, "delete": False, "view": True},
    ("notifications", "notification"): {"add": False, "change": False, "delete": False, "view": True},
    ("webhooks", "webhookendpoint"): {"add": True, "change": True, "delete": True, "view": True},
    ("webhooks", "webhookdelivery"): {"add": False, "change": False, "delete": False, "view": True},
    ("programme", "programme"): {"add": False, "change": False, "delete": False, "view": True},
    ("programme", "programmeversion"): {"add": False, "change": False, "delete": False, "view": True},
    ("programme", "calendaroverride"): {"add": True, "change": True, "delete": True, "view": True},
}


def listed_models(response) -> dict[tuple[str, str], dict[str, bool]]:
    return {
        (app["app_label"], model["object_name"].lower()): model["perms"]
        for app in response.context["app_list"]
        for model in app["models"]
    }


def test_an_operator_without_model_permissions_sees_and_may_do_what_each_admin_allows(client):
    operator = OperatorFactory(is_staff=True)
    assert not operator.get_all_permissions()
    client.force_login(operator)

    response = client.get("/admin/")

    assert response.status_code == 200
    assert NO_PERMISSION not in response.content
    assert listed_models(response) == OPERATOR_PERMISSIONS


@pytest.mark.parametrize("url", [f"/admin/{app}/{model}/" for app, model in OPERATOR_PERMISSIONS] + ["/admin/users/"])
def test_an_operators_changelists_and_app_pages_load(client, url):
    client.force_login(OperatorFactory(is_staff=True))

    assert client.get(url).status_code == 200


# The one-row programme is a page, not a list.
EXPORTED = [(app, model) for app, model in OPERATOR_PERMISSIONS if (app, model) != ("programme", "programme")]


@pytest.mark.parametrize("app, model", EXPORTED)
def test_every_list_an_operator_sees_offers_its_export_to_csv(client, app, model):
    client.force_login(OperatorFactory(is_staff=True))

    page = client.get(f"/admin/{app}/{model}/")
    export = client.get(f"/admin/{app}/{model}/export-csv/")

    assert b'href="export-csv/' in page.content
    assert export.status_code == 200
    assert export["Content-Type"] == "text/csv; charset=utf-8"
    assert b"".join(export.streaming_content).count(b"\r\n") >= 1  # the header, at least


def test_staff_that_is_not_an_operator_gets_nothing_without_model_permissions(client):
    client.force_login(UserFactory(is_staff=True))

    response = client.get("/admin/")

    assert response.status_code == 200
    assert listed_models(response) == {}
    assert NO_PERMISSION in response.content
    for app, model in OPERATOR_PERMISSIONS:
        assert client.get(f"/admin/{app}/{model}/").status_code == 403


def test_an_inactive_operator_gets_nothing(rf):
    request = rf.get("/admin/")
    request.user = OperatorFactory(is_staff=True, is_active=False)
    model_admin = admin.site._registry[Payment]

    assert not model_admin.has_module_permission(request)
    assert not model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)


# --- large tables ---------------------------------------------------------------------------------------------------


@pytest.mark.postgresql
def test_an_unfiltered_large_table_is_counted_from_the_planners_statistics(monkeypatch):
    PaymentFactory.create_batch(30)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE payments_payment")
    monkeypatch.setattr(EstimatedCountPaginator, "estimate_above", 10)

    with CaptureQueriesContext(connection) as queries:
        estimated = EstimatedCountPaginator(Payment.objects.order_by("id"), 10).count
    filtered = EstimatedCountPaginator(Payment.objects.filter(id__gt=0).order_by("id"), 10).count

    assert estimated == filtered == 30
    assert not [query["sql"] for query in queries if "COUNT(" in query["sql"].upper()]


def test_a_small_table_is_counted_exactly():
    PaymentFactory.create_batch(3)

    assert EstimatedCountPaginator(Payment.objects.order_by("id"), 10).count == 3


@pytest.mark.parametrize(
    "url", ["/admin/payments/payment/", "/admin/payments/anticipation/", "/admin/requestlogs/requestlog/"]
)
def test_changelist_queries_do_not_grow_with_the_rows(client, url):
    def add_rows(count):
        for _ in range(count):
            anticipation = AnticipationFactory()
            user = anticipation.payment.supplier.user
            RequestLog.objects.create(anticipation=anticipation, user=user, action=RequestLogAction.REQUESTED)

    client.force_login(OperatorFactory(is_staff=True))
    add_rows(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add_rows(20)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200

    assert len(many) == len(few)

"""OWASP API Security Top 10 (2023), one section per item; docs/security.md maps each item to these tests."""

import re
import smtplib

import pytest
from django.urls import get_resolver
from django.utils import timezone

from payments_api.common.tests.problems import assert_problem
from payments_api.payments.models import Anticipation, AnticipationStatus, Payment, PaymentStatus
from payments_api.payments.tests.factories import AnticipationFactory, PaymentFactory, days
from payments_api.requestlogs.models import RequestLog, RequestLogAction
from payments_api.users.tests.factories import UserFactory


@pytest.fixture
def victim(other_supplier):
    """Another supplier's payment in every state, with anticipations and logs."""
    available = PaymentFactory(supplier=other_supplier, due_date=days(30))
    PaymentFactory(supplier=other_supplier, due_date=days(-1))
    pending = AnticipationFactory(payment__supplier=other_supplier)
    for status in (AnticipationStatus.APPROVED, AnticipationStatus.DENIED):
        AnticipationFactory(payment__supplier=other_supplier, status=status)
    log = RequestLog.objects.create(anticipation=pending, user=other_supplier.user, action=RequestLogAction.REQUESTED)
    return {"available": available, "pending": pending, "log": log}


# API1 Broken Object Level Authorization


@pytest.mark.parametrize("kind", ["payments", "anticipations", "logs"])
def test_api1_another_suppliers_object_is_not_found_by_id(supplier_client, victim, kind):
    pk = {"payments": victim["available"].pk, "anticipations": victim["pending"].pk, "logs": victim["log"].pk}[kind]
    assert_problem(supplier_client.get(f"/api/{kind}/{pk}/"), 404, "not-found")


@pytest.mark.parametrize("status", [""] + PaymentStatus.values)
def test_api1_no_list_or_filter_shows_another_suppliers_rows(supplier_client, supplier, victim, status):
    PaymentFactory(supplier=supplier)
    for url in (f"/api/payments/?status={status}&page_size=100", "/api/anticipations/", "/api/logs/"):
        assert supplier_client.get(url).json()["count"] <= 1
    for item in supplier_client.get(f"/api/payments/?status={status}&page_size=100").json()["results"]:
        assert item["supplier"] == supplier.pk


def test_api1_ids_of_another_supplier_in_a_body_are_refused(supplier_client, supplier, other_supplier, victim):
    request = supplier_client.post(
        "/api/anticipations/", {"payment": victim["available"].pk, "new_due_date": days(10)}, format="json"
    )
    assert_problem(request, 400, "validation-error", fields={"payment"})
    payment = supplier_client.post(
        "/api/payments/", {"supplier": other_supplier.pk, "due_date": days(30), "value": "10.00"}, format="json"
    )
    assert_problem(payment, 400, "validation-error", fields={"supplier"})
    assert not Anticipation.objects.filter(payment=victim["available"]).exists()
    assert not Payment.objects.filter(supplier=supplier).exists()


def test_api1_a_supplier_cannot_decide_another_suppliers_anticipation(supplier_client, victim):
    response = supplier_client.patch(f"/api/anticipations/{victim['pending'].pk}/", {"status": "A"}, format="json")
    assert response.status_code in (403, 404)
    assert Anticipation.objects.get(pk=victim["pending"].pk).status == AnticipationStatus.PENDING_CONFIRMATION


# API3 Broken Object Property Level Authorization (mass assignment and excessive exposure)


def test_api3_read_only_properties_of_a_new_payment_are_ignored(supplier_client, supplier, other_supplier):
    response = supplier_client.post(
        "/api/payments/",
        {"due_date": days(30), "value": "10.00", "id": 999, "status": "AN", "creation_date": "2000-01-01"},
        format="json",
    )
    assert response.status_code == 201
    payment = Payment.objects.get()
    assert (payment.pk != 999, payment.supplier_id, payment.creation_date) == (True, supplier.pk, timezone.localdate())
    assert response.json()["status"] == PaymentStatus.AVAILABLE


def test_api3_a_supplier_cannot_set_new_value_or_status_of_its_anticipation(supplier_client, supplier):
    payment = PaymentFactory(supplier=supplier, due_date=days(30))
    response = supplier_client.post(
        "/api/anticipations/",
        {"payment": payment.pk, "new_due_date": days(14), "new_value": "999.99", "status": "A", "id": 777},
        format="json",
    )
    assert response.status_code == 201
    anticipation = Anticipation.objects.get()
    assert (str(anticipation.new_value), anticipation.status) == ("984.00", AnticipationStatus.PENDING_CONFIRMATION)


def test_api3_a_decision_changes_only_the_status(operator_client, supplier):
    pending = AnticipationFactory(payment__supplier=supplier)
    before = Anticipation.objects.values("new_value", "new_due_date", "payment_id").get(pk=pending.pk)
    response = operator_client.patch(
        f"/api/anticipations/{pending.pk}/",
        {"status": "A", "new_value": "1.00", "new_due_date": days(1).isoformat(), "payment": 1},
        format="json",
    )
    assert response.status_code == 200
    assert Anticipation.objects.values("new_value", "new_due_date", "payment_id").get(pk=pending.pk) == before


def test_api3_is_operator_cannot_be_granted_through_the_api(supplier_client, supplier, anonymous_client):
    from tests.test_throttling import PASSWORD

    token = anonymous_client.post(
        "/api/token/", {"email": supplier.user.email, "password": PASSWORD, "is_operator": True}, format="json"
    )
    assert token.status_code == 200
    supplier.user.refresh_from_db()
    assert supplier.user.is_operator is False
    schema = anonymous_client.get("/api/schema/?format=json").json()
    writable = {
        name
        for component, body in schema["components"]["schemas"].items()
        if component.endswith("Request")
        for name in body.get("properties", {})
    }
    assert writable.isdisjoint({"is_operator", "is_staff", "is_superuser", "new_value", "id", "creation_date"})


def test_api3_responses_expose_only_the_declared_fields(supplier_client, supplier):
    pending = AnticipationFactory(payment__supplier=supplier)
    RequestLog.objects.create(anticipation=pending, user=supplier.user, action=RequestLogAction.REQUESTED)
    payment = supplier_client.get(f"/api/payments/{pending.payment_id}/").json()
    assert payment.keys() == {
        "id", "supplier", "creation_date", "due_date", "value", "external_id", "status", "anticipation"
    }
    log = supplier_client.get("/api/logs/").json()["results"][0]
    # The user's id, never the e-mail.
    assert log.keys() == {"id", "anticipation", "created_at", "user", "action", "automatic"}


# API5 Broken Function Level Authorization


def test_api5_a_supplier_cannot_call_operator_actions(supplier_client, supplier):
    own = AnticipationFactory(payment__supplier=supplier)
    assert_problem(supplier_client.patch(f"/api/anticipations/{own.pk}/", {"status": "A"}, format="json"), 403)
    assert Anticipation.objects.get(pk=own.pk).status == AnticipationStatus.PENDING_CONFIRMATION


@pytest.mark.parametrize("flags", [{"is_staff": True}, {"is_staff": True, "is_superuser": True}, {}])
def test_api5_staff_or_superusers_without_is_operator_are_forbidden(client_for, supplier, flags):
    pending = AnticipationFactory(payment__supplier=supplier)
    client = client_for(UserFactory(**flags))
    assert_problem(client.get("/api/payments/"), 403)
    assert_problem(client.patch(f"/api/anticipations/{pending.pk}/", {"status": "A"}, format="json"), 403)


@pytest.mark.parametrize("method", ["put", "delete"])
@pytest.mark.parametrize("kind", ["payments", "anticipations", "logs"])
def test_api5_undeclared_methods_are_not_allowed(operator_client, supplier, kind, method):
    pending = AnticipationFactory(payment__supplier=supplier)
    pk = {"payments": pending.payment_id, "anticipations": pending.pk, "logs": 1}[kind]
    RequestLog.objects.create(anticipation=pending, user=supplier.user, action=RequestLogAction.REQUESTED)
    response = getattr(operator_client, method)(f"/api/{kind}/{pk}/", {}, format="json")
    assert response.status_code in (404, 405)
    assert Payment.objects.count() == Anticipation.objects.count() == 1


# API6 Unrestricted Access to Sensitive Business Flows


def test_api6_a_payment_is_anticipated_once_however_often_it_is_asked(supplier_client, supplier):
    payment = PaymentFactory(supplier=supplier, due_date=days(30))
    statuses = [
        supplier_client.post(
            "/api/anticipations/", {"payment": payment.pk, "new_due_date": days(offset)}, format="json"
        ).status_code
        for offset in (10, 11, 12)
    ]
    assert statuses == [201, 409, 409]
    assert Anticipation.objects.count() == RequestLog.objects.count() == 1


# API7 Server Side Request Forgery


# The one URL a client gives is a webhook endpoint's, set by operators only and checked at registration and at
# every send (webhooks/tests/test_transport.py has the rest).
WEBHOOK_URL_FIELDS = {("WebhookEndpointCreateRequest", "url"), ("PatchedWebhookEndpointUpdateRequest", "url")}


def test_api7_the_only_request_fields_taking_a_url_are_a_webhook_endpoints(anonymous_client):
    schema = anonymous_client.get("/api/schema/?format=json").json()
    url_fields = {
        (name, field)
        for name, component in schema["components"]["schemas"].items()
        for field, definition in component.get("properties", {}).items()
        if definition.get("format") == "uri" and name.endswith("Request")
    }
    assert url_fields == WEBHOOK_URL_FIELDS


def test_api7_a_webhook_url_reaching_the_cloud_metadata_service_is_refused_whatever_the_settings(
    operator_client, supplier_client, settings
):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True
    body = {"url": "http://169.254.169.254/latest/meta-data/", "events": ["payment.created"]}
    assert_problem(operator_client.post("/api/webhooks/endpoints/", body, format="json"), 400, "unsafe-webhook-url")
    assert_problem(supplier_client.post("/api/webhooks/endpoints/", body, format="json"), 403)


# API9 Improper Inventory Management


def _api_routes() -> set[str]:
    """Every route under /api/, written as the schema writes paths ("{id}" for the object id, "/?" as "/")."""
    (api,) = [p for p in get_resolver().url_patterns if str(p.pattern) == "api/"]
    routes = set()
    for sub in api.url_patterns:
        included = hasattr(sub, "url_patterns")
        for leaf in sub.url_patterns if included else [sub]:
            route = (str(sub.pattern) if included else "") + str(leaf.pattern)
            route = re.sub(r"\(\?P<pk>[^)]*\)", "{id}", route).strip("^$")
            routes.add("/api/" + route)
    return {route for route in routes if not route.startswith(("/api/schema", "/api/docs"))}


def test_api9_every_api_route_is_in_the_schema(anonymous_client):
    documented = set(anonymous_client.get("/api/schema/?format=json").json()["paths"])
    assert _api_routes() == documented - {"/health/"}


def test_api9_debug_is_off_unless_asked_for(settings):
    assert settings.DEBUG is False


# API10 Unsafe Consumption of APIs


def test_api10_a_failing_mail_server_neither_fails_nor_undoes_the_request(
    supplier_client, supplier, monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("the mail server went away")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    payment = PaymentFactory(supplier=supplier, due_date=days(30))
    with django_capture_on_commit_callbacks(execute=True):
        response = supplier_client.post(
            "/api/anticipations/", {"payment": payment.pk, "new_due_date": days(10)}, format="json"
        )
    assert response.status_code == 201
    assert Anticipation.objects.count() == RequestLog.objects.count() == 1

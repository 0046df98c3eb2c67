"""/api/webhooks/endpoints/: operators register, list, change, disable, delete endpoints and rotate their secrets;
the secret is shown only when created or rotated; suppliers are refused; bad input is a problem that changes nothing."""

import csv
import io

import pytest
from standardwebhooks.webhooks import Webhook

from payments_api.common.tests.problems import assert_problem
from payments_api.webhooks.models import WebhookDelivery, WebhookEndpoint
from payments_api.webhooks.services import webhook_event_record
from payments_api.webhooks.tests.factories import WebhookEndpointFactory

pytestmark = pytest.mark.django_db

URL = "/api/webhooks/endpoints/"


def detail_url(pk) -> str:
    return f"{URL}{pk}/"


def register(client, receiver, **extra):
    body = {"url": receiver.url, "events": ["anticipation.requested", "anticipation.approved"], **extra}
    return client.post(URL, body, format="json")


def test_an_operator_registers_an_endpoint_and_sees_its_secret_once(operator_client, receiver):
    response = register(operator_client, receiver, description="ERP payment run")

    assert response.status_code == 201, response.content
    body = response.json()
    endpoint = WebhookEndpoint.objects.get()
    assert body["id"] == endpoint.pk
    assert body["url"] == receiver.url
    assert body["events"] == ["anticipation.approved", "anticipation.requested"]
    assert body["description"] == "ERP payment run"
    assert body["enabled"] is True
    assert body["secret"] == endpoint.secret and body["secret"].startswith("whsec_")
    Webhook(body["secret"])  # a secret the Standard Webhooks library accepts
    assert response["Location"] == f"http://testserver{detail_url(endpoint.pk)}"

    listed = operator_client.get(URL).json()
    shown = operator_client.get(detail_url(endpoint.pk)).json()
    assert [item["id"] for item in listed["results"]] == [endpoint.pk]
    for item in (listed["results"][0], shown):
        assert "secret" not in item
        assert endpoint.secret not in str(item)
    assert shown["url"] == receiver.url


@pytest.mark.parametrize(
    "body, field",
    [
        ({"url": "not a url", "events": ["payment.created"]}, "url"),
        ({"url": "https://erp.example.com/hooks", "events": []}, "events"),
        ({"url": "https://erp.example.com/hooks", "events": ["payment.paid"]}, "events.0"),
        ({"url": "https://erp.example.com/hooks"}, "events"),
        ({"url": "https://erp.example.com/hooks", "events": "payment.created"}, "events"),
        (
            {"url": "https://erp.example.com/hooks", "events": ["payment.created"], "description": "x" * 501},
            "description",
        ),
    ],
)
def test_invalid_input_is_a_problem_and_registers_nothing(operator_client, body, field):
    assert_problem(operator_client.post(URL, body, format="json"), 400, "validation-error", fields={field})
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    "url, private, reason",
    [
        ("http://169.254.169.254/latest/meta-data/", True, "metadata"),
        ("https://169.254.169.254/latest/meta-data/", False, "metadata"),
        ("https://127.0.0.1:8443/hooks", False, "loopback"),
        ("https://10.0.0.7/hooks", False, "private"),
        ("http://93.184.215.14/hooks", False, "https://"),
        ("https://no-such-host.invalid/hooks", False, "does not resolve"),
    ],
)
def test_an_unsafe_url_is_refused_at_registration(operator_client, settings, url, private, reason):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = private

    response = operator_client.post(URL, {"url": url, "events": ["payment.created"]}, format="json")

    body = assert_problem(response, 400, "unsafe-webhook-url", fields={"url"})
    assert reason in body["detail"]
    assert not WebhookEndpoint.objects.exists()


def test_suppliers_are_refused_and_anonymous_callers_must_authenticate(
    supplier_client, anonymous_client, receiver
):
    endpoint = WebhookEndpointFactory()
    for client, status in ((supplier_client, 403), (anonymous_client, 401)):
        assert_problem(register(client, receiver), status)
        assert_problem(client.get(URL), status)
        assert_problem(client.get(detail_url(endpoint.pk)), status)
        assert_problem(client.patch(detail_url(endpoint.pk), {"enabled": False}, format="json"), status)
        assert_problem(client.delete(detail_url(endpoint.pk)), status)
        assert_problem(client.post(f"{detail_url(endpoint.pk)}rotate-secret/"), status)
    assert list(WebhookEndpoint.objects.all()) == [endpoint]
    endpoint.refresh_from_db()
    assert endpoint.enabled


def test_patch_changes_the_events_url_and_description_and_disables_and_enables(operator_client, receiver):
    endpoint = WebhookEndpointFactory(events=["payment.created"])

    response = operator_client.patch(
        detail_url(endpoint.pk),
        {"events": ["anticipation.denied"], "url": receiver.url, "description": "new"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["events"] == ["anticipation.denied"]
    assert "secret" not in response.json()

    disabled = operator_client.patch(detail_url(endpoint.pk), {"enabled": False}, format="json").json()
    assert disabled["enabled"] is False and disabled["disabled_at"] is not None
    assert webhook_event_record(event_type="anticipation.denied", data={}) == []

    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(disabled_reason="It answered 410 Gone.")
    enabled = operator_client.patch(detail_url(endpoint.pk), {"enabled": True}, format="json").json()
    assert (enabled["enabled"], enabled["disabled_at"], enabled["disabled_reason"]) == (True, None, "")
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.description) == (receiver.url, "new")


def test_patch_refuses_an_unsafe_url_and_changes_nothing(operator_client, settings):
    endpoint = WebhookEndpointFactory()
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True

    response = operator_client.patch(
        detail_url(endpoint.pk), {"url": "http://169.254.169.254/", "enabled": False}, format="json"
    )

    assert_problem(response, 400, "unsafe-webhook-url", fields={"url"})
    stored = WebhookEndpoint.objects.get()
    assert (stored.url, stored.enabled) == (endpoint.url, True)


def test_rotate_secret_shows_the_new_secret_once_and_keeps_the_old_one_signing_for_a_while(operator_client):
    endpoint = WebhookEndpointFactory()

    response = operator_client.post(f"{detail_url(endpoint.pk)}rotate-secret/")

    assert response.status_code == 200, response.content
    body = response.json()
    stored = WebhookEndpoint.objects.get()
    assert body["secret"] == stored.secret != endpoint.secret
    assert stored.previous_secret == endpoint.secret
    assert body["previous_secret_expires_at"] is not None
    assert "secret" not in operator_client.get(detail_url(endpoint.pk)).json()


def test_delete_removes_the_endpoint_and_its_deliveries(operator_client):
    endpoint = WebhookEndpointFactory()
    kept = WebhookEndpointFactory()
    webhook_event_record(event_type="payment.created", data={"id": 1})

    response = operator_client.delete(detail_url(endpoint.pk))

    assert response.status_code == 204
    assert list(WebhookEndpoint.objects.all()) == [kept]
    assert [delivery.endpoint for delivery in WebhookDelivery.objects.all()] == [kept]
    assert_problem(operator_client.get(detail_url(endpoint.pk)), 404)


def test_an_unknown_endpoint_is_a_404_problem(operator_client):
    assert_problem(operator_client.get(detail_url(999999)), 404)
    assert_problem(operator_client.patch(detail_url(999999), {"enabled": False}, format="json"), 404)
    assert_problem(operator_client.post(f"{detail_url(999999)}rotate-secret/"), 404)


def test_the_list_answers_csv_with_the_json_s_columns_and_values(operator_client):
    first = WebhookEndpointFactory(events=["payment.created", "anticipation.requested"], description="=ERP")
    WebhookEndpointFactory(enabled=False)

    listed = operator_client.get("/api/webhooks/endpoints/").json()["results"]
    exported = operator_client.get("/api/webhooks/endpoints/?format=csv")

    assert exported["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode())))
    assert rows[0] == list(listed[0])
    assert len(rows) == 1 + len(listed)
    by_id = {row[0]: dict(zip(rows[0], row)) for row in rows[1:]}
    mine = by_id[str(first.pk)]
    assert mine["events"] == "payment.created anticipation.requested"
    assert mine["description"] == "'=ERP"  # defused for a spreadsheet
    assert "secret" not in rows[0]

"""Deliveries to a real receiver on loopback: written with the action, sent after commit, signed as Standard Webhooks
says, retried on the schedule with the same webhook-id, and the endpoint disabled when it is gone or keeps failing."""

import datetime
import json
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from payments_api.payments.models import Decision
from payments_api.payments.services import anticipation_decide, anticipation_request, payment_create
from payments_api.payments.tests.factories import PaymentFactory, days
from payments_api.webhooks import services as webhook_services
from payments_api.webhooks.models import WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint
from payments_api.webhooks.services import (
    retry_after_seconds,
    webhook_deliveries_relay,
    webhook_deliveries_replay,
    webhook_delivery_deliver,
    webhook_endpoint_create,
    webhook_endpoint_replay_failed,
    webhook_endpoint_rotate_secret,
    webhook_endpoint_update,
    webhook_event_record,
    webhook_retry_delay,
)
from payments_api.webhooks.tests.factories import WebhookEndpointFactory
from payments_api.webhooks.tests.receiver import Reply

pytestmark = pytest.mark.django_db

ANTICIPATION_EVENTS = ["anticipation.requested", "anticipation.approved", "anticipation.denied"]


@pytest.fixture
def endpoint(receiver):
    return webhook_endpoint_create(url=receiver.url, events=ANTICIPATION_EVENTS, description="ERP")


def verified(endpoint: WebhookEndpoint, received) -> dict:
    return Webhook(endpoint.secret).verify(received.body, received.headers)


def make_due(delivery: WebhookDelivery) -> None:
    """Time passes: the delivery's next attempt is due now."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())


def test_a_request_and_an_approval_reach_the_receiver_signed_once_each_with_the_api_json(
    endpoint, receiver, supplier, operator, operator_client, django_capture_on_commit_callbacks
):
    payment = PaymentFactory(supplier=supplier, due_date=days(16))
    with django_capture_on_commit_callbacks(execute=True):
        anticipation = anticipation_request(payment=payment, new_due_date=days(0), requested_by=supplier.user)
    with django_capture_on_commit_callbacks(execute=True):
        anticipation_decide(anticipation=anticipation, decision=Decision.APPROVED, decided_by=operator)

    received = receiver.wait_for(2)
    assert len(received) == 2
    events = [verified(endpoint, message) for message in received]
    assert [event["type"] for event in events] == ["anticipation.requested", "anticipation.approved"]
    api = operator_client.get(f"/api/anticipations/{anticipation.pk}/").json()
    assert events[1]["data"] == {**api, "supplier": supplier.pk}
    assert events[0]["data"] == {**api, "status": "PC", "supplier": supplier.pk}
    for event, message in zip(events, received):
        assert set(event) == {"type", "timestamp", "data"}
        assert event["timestamp"].endswith("Z")
        assert message.headers["content-type"] == "application/json"
        assert message.headers["webhook-id"].startswith("msg_")
        sent_at = datetime.datetime.fromtimestamp(int(message.headers["webhook-timestamp"]), datetime.timezone.utc)
        assert abs(timezone.now() - sent_at) < datetime.timedelta(seconds=30)
    assert len({message.headers["webhook-id"] for message in received}) == 2
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {WebhookDeliveryStatus.DELIVERED}
    assert [d.response_status for d in WebhookDelivery.objects.all()] == [204, 204]


def test_a_signature_made_with_another_secret_does_not_verify(endpoint, receiver):
    webhook_delivery_deliver(delivery_id=record().pk)
    [message] = receiver.wait_for(1)

    other = webhook_endpoint_create(url=receiver.url, events=["payment.created"])
    with pytest.raises(WebhookVerificationError):
        Webhook(other.secret).verify(message.body, message.headers)


def test_payment_created_sends_the_payment_as_the_api_shows_it(
    receiver, supplier, operator_client, django_capture_on_commit_callbacks
):
    endpoint = webhook_endpoint_create(url=receiver.url, events=["payment.created"])

    with django_capture_on_commit_callbacks(execute=True):
        payment = payment_create(
            created_by=supplier.user, supplier=supplier, due_date=days(30), value=Decimal("1500.00")
        )

    [message] = receiver.wait_for(1)
    event = verified(endpoint, message)
    assert event["type"] == "payment.created"
    assert event["data"] == operator_client.get(f"/api/payments/{payment.pk}/").json()


def test_only_enabled_endpoints_subscribed_to_the_event_get_a_delivery(receiver, supplier, operator):
    subscribed = webhook_endpoint_create(url=receiver.url, events=["anticipation.approved"])
    webhook_endpoint_create(url=receiver.url, events=["payment.created"])
    disabled = webhook_endpoint_create(url=receiver.url, events=["anticipation.approved"])
    webhook_endpoint_update(endpoint=disabled, enabled=False)
    payment = PaymentFactory(supplier=supplier, due_date=days(16))

    anticipation = anticipation_request(payment=payment, new_due_date=days(1), requested_by=supplier.user)
    anticipation_decide(anticipation=anticipation, decision=Decision.DENIED, decided_by=operator)
    assert not WebhookDelivery.objects.exists()
    second = anticipation_request(
        payment=PaymentFactory(supplier=supplier, due_date=days(16)), new_due_date=days(1), requested_by=supplier.user
    )
    anticipation_decide(anticipation=second, decision=Decision.APPROVED, decided_by=operator)

    assert [(d.endpoint, d.event_type) for d in WebhookDelivery.objects.all()] == [
        (subscribed, "anticipation.approved")
    ]


def test_the_deliveries_are_written_in_the_actions_transaction_and_vanish_with_its_rollback(
    endpoint, receiver, supplier, django_capture_on_commit_callbacks
):
    payment = PaymentFactory(supplier=supplier, due_date=days(16))
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                anticipation_request(payment=payment, new_due_date=days(1), requested_by=supplier.user)
                assert WebhookDelivery.objects.get().status == WebhookDeliveryStatus.PENDING
                raise RuntimeError("the surrounding work failed")

    assert not WebhookDelivery.objects.exists()
    assert receiver.received == []


def record() -> WebhookDelivery:
    """An event owed to the one endpoint; the test sends it (no commit runs the on-commit publish here)."""
    [delivery] = webhook_event_record(event_type="anticipation.requested", data={"id": 1, "payment": 2})
    return delivery


def test_a_receiver_answering_500_then_204_gets_the_retry_with_the_same_webhook_id(endpoint, receiver):
    receiver.answer(Reply(status=500, body=b"database is down"))
    delivery = record()

    assert 5 <= webhook_delivery_deliver(delivery_id=delivery.pk) <= 5.5
    [first] = receiver.wait_for(1)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDeliveryStatus.PENDING
    assert (delivery.attempts, delivery.response_status, delivery.response_body) == (1, 500, "database is down")
    wait = (delivery.next_attempt_at - delivery.last_attempt_at).total_seconds()
    assert 5 <= wait <= 5.5 + 1  # the schedule's first step, plus at most a tenth of jitter
    assert webhook_delivery_deliver(delivery_id=delivery.pk) is None  # not due yet: nothing sent
    assert len(receiver.received) == 1

    make_due(delivery)
    assert webhook_delivery_deliver(delivery_id=delivery.pk) is None

    first, second = receiver.wait_for(2)
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == delivery.message_id
    assert first.body == second.body
    assert verified(endpoint, second)["type"] == "anticipation.requested"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == (WebhookDeliveryStatus.DELIVERED, 2, 204)
    assert delivery.delivered_at is not None


@pytest.mark.parametrize(
    "reply",
    [
        Reply(status=302, headers={"Location": "/elsewhere"}),
        Reply(status=429, headers={"Retry-After": "120"}),
        Reply(status=503),
        Reply(status=400),
    ],
    ids=["redirect", "too-many-requests", "unavailable", "bad-request"],
)
def test_a_non_2xx_answer_is_retried_and_a_redirect_is_not_followed(endpoint, receiver, reply):
    receiver.answer(reply)
    delivery = record()

    retry_in = webhook_delivery_deliver(delivery_id=delivery.pk)

    assert [message.path for message in receiver.received] == ["/hooks"]
    delivery.refresh_from_db()
    assert delivery.status == WebhookDeliveryStatus.PENDING
    assert delivery.response_status == reply.status
    assert retry_in >= (120 if reply.status == 429 else 5)


def test_retry_after_is_honoured_as_seconds_or_a_date():
    now = timezone.now()
    assert retry_after_seconds("120", now=now) == 120
    in_an_hour = (now + datetime.timedelta(hours=1)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert 3590 <= retry_after_seconds(in_an_hour, now=now) <= 3600
    assert retry_after_seconds("soon", now=now) is None
    assert retry_after_seconds(None, now=now) is None


def test_the_retry_schedule_spans_over_three_days_with_jitter(settings):
    schedule = settings.WEBHOOK_RETRY_SCHEDULE
    assert schedule[:5] == [5, 300, 1800, 7200, 18000] and set(schedule[5:]) == {36000}
    waits = [webhook_retry_delay(attempts=attempt) for attempt in range(1, len(schedule) + 1)]
    for wait, step in zip(waits, schedule):
        assert step <= wait <= step * 1.1
    assert sum(schedule) > 3 * 24 * 3600
    assert webhook_retry_delay(attempts=len(schedule) + 1) is None
    assert webhook_retry_delay(attempts=1, retry_after=10**9) <= max(schedule) * 1.1  # a Retry-After is capped


def test_a_timeout_or_a_refused_connection_is_retried(endpoint, receiver, settings):
    settings.WEBHOOK_TIMEOUT = 0.5
    receiver.answer(Reply(delay=2))
    delivery = record()

    assert webhook_delivery_deliver(delivery_id=delivery.pk) >= 5
    delivery.refresh_from_db()
    assert delivery.status == WebhookDeliveryStatus.PENDING and "TimeoutError" in delivery.last_error

    receiver.server.shutdown()
    receiver.server.server_close()
    make_due(delivery)
    assert webhook_delivery_deliver(delivery_id=delivery.pk) >= 300
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and "ConnectionRefusedError" in delivery.last_error


def test_only_the_first_64_kb_of_an_answer_are_read(endpoint, receiver, settings):
    receiver.answer(Reply(status=200, body=b"x" * (1024 * 1024)))
    delivery = record()

    assert webhook_delivery_deliver(delivery_id=delivery.pk) is None

    delivery.refresh_from_db()
    assert delivery.status == WebhookDeliveryStatus.DELIVERED
    assert delivery.response_body == "x" * settings.WEBHOOK_RESPONSE_EXCERPT_BYTES


def test_410_gone_disables_the_endpoint_and_tells_the_operators(
    endpoint, receiver, operator, mailoutbox, django_capture_on_commit_callbacks
):
    receiver.answer(410)
    delivery = record()

    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_delivery_deliver(delivery_id=delivery.pk) is None

    delivery.refresh_from_db()
    endpoint.refresh_from_db()
    assert (delivery.status, delivery.response_status) == (WebhookDeliveryStatus.FAILED, 410)
    assert not endpoint.enabled and endpoint.needs_attention
    assert "410" in endpoint.disabled_reason
    assert [message.to for message in mailoutbox] == [[operator.email]]
    assert f"#{endpoint.pk}" in mailoutbox[0].subject
    # Nothing more is written for it, or sent.
    assert webhook_event_record(event_type="anticipation.requested", data={}) == []
    assert len(receiver.received) == 1


def test_a_delivery_pending_for_a_disabled_endpoint_fails_without_being_sent(endpoint, receiver):
    delivery = record()
    webhook_endpoint_update(endpoint=endpoint, enabled=False)

    assert webhook_delivery_deliver(delivery_id=delivery.pk) is None

    delivery.refresh_from_db()
    assert delivery.status == WebhookDeliveryStatus.FAILED and "disabled" in delivery.last_error
    assert receiver.received == []


def test_an_endpoint_failing_for_three_days_is_disabled_and_the_operators_told(
    endpoint, receiver, operator, mailoutbox, django_capture_on_commit_callbacks
):
    receiver.answer(500, 500)
    delivery = record()
    webhook_delivery_deliver(delivery_id=delivery.pk)
    endpoint.refresh_from_db()
    assert endpoint.enabled and endpoint.failing_since is not None
    assert mailoutbox == []

    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=timezone.now() - datetime.timedelta(hours=72))
    make_due(delivery)
    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_delivery_deliver(delivery_id=delivery.pk) is None  # no further retry

    endpoint.refresh_from_db()
    assert not endpoint.enabled and endpoint.needs_attention
    assert "72 hours" in endpoint.disabled_reason
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [operator.email]


def test_a_success_clears_the_failing_mark(endpoint, receiver):
    receiver.answer(500)
    delivery = record()
    webhook_delivery_deliver(delivery_id=delivery.pk)
    make_due(delivery)
    webhook_delivery_deliver(delivery_id=delivery.pk)

    endpoint.refresh_from_db()
    assert endpoint.failing_since is None


def test_a_delivery_fails_for_good_when_the_schedule_is_spent_and_a_replay_resends_it_with_the_same_id(
    endpoint, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_RETRY_SCHEDULE = [5, 5]
    receiver.answer(500, 500, 500)
    delivery = record()
    for _ in range(3):
        make_due(delivery)
        webhook_delivery_deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (WebhookDeliveryStatus.FAILED, 3)

    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_endpoint_replay_failed(endpoint=endpoint) == 1

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (WebhookDeliveryStatus.DELIVERED, 4)
    ids = {message.headers["webhook-id"] for message in receiver.wait_for(4)}
    assert ids == {delivery.message_id}
    assert webhook_deliveries_replay(deliveries=[delivery]) == 0  # delivered: left alone


def test_a_rotation_sends_two_signatures_each_valid_with_its_secret(endpoint, receiver):
    old_secret = endpoint.secret
    endpoint = webhook_endpoint_rotate_secret(endpoint=endpoint)
    assert endpoint.secret != old_secret and endpoint.previous_secret == old_secret

    webhook_delivery_deliver(delivery_id=record().pk)

    [message] = receiver.wait_for(1)
    signatures = message.headers["webhook-signature"].split(" ")
    assert len(signatures) == 2 and all(signature.startswith("v1,") for signature in signatures)
    for secret, signature in zip([endpoint.secret, old_secret], signatures):
        headers = {**message.headers, "webhook-signature": signature}
        assert Webhook(secret).verify(message.body, headers)["type"] == "anticipation.requested"


def test_after_the_rotation_period_only_the_new_secret_signs(endpoint, receiver):
    old_secret = endpoint.secret
    webhook_endpoint_rotate_secret(endpoint=endpoint)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        previous_secret_expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )

    webhook_delivery_deliver(delivery_id=record().pk)

    [message] = receiver.wait_for(1)
    assert len(message.headers["webhook-signature"].split(" ")) == 1
    with pytest.raises(WebhookVerificationError):
        Webhook(old_secret).verify(message.body, message.headers)


def test_the_relay_sends_what_was_never_published(endpoint, receiver, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):  # the process died before publishing
        delivery = record()
    assert webhook_deliveries_relay(older_than=datetime.timedelta(seconds=30)) == 0  # not overdue yet

    a_minute_ago = timezone.now() - datetime.timedelta(minutes=1)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=a_minute_ago)
    assert webhook_deliveries_relay(older_than=datetime.timedelta(seconds=30)) == 1

    [message] = receiver.wait_for(1)
    assert json.loads(message.body)["data"] == {"id": 1, "payment": 2}
    assert WebhookDelivery.objects.get().status == WebhookDeliveryStatus.DELIVERED


def test_many_events_are_owed_in_a_few_queries_and_the_first_published_at_commit(
    monkeypatch, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(webhook_services, "WEBHOOK_PUBLISH_AT_COMMIT_MAX", 3)
    subscribed = WebhookEndpointFactory(events=["payment.created"])
    WebhookEndpointFactory(events=["anticipation.requested"])
    data = [{"id": n} for n in range(5)]

    with django_capture_on_commit_callbacks() as callbacks, django_assert_max_num_queries(2):
        written = webhook_services.webhook_events_record(event_type="payment.created", data=iter(data))

    assert written == 5
    deliveries = WebhookDelivery.objects.order_by("pk")
    assert {delivery.endpoint_id for delivery in deliveries} == {subscribed.pk}
    assert [json.loads(delivery.body)["data"] for delivery in deliveries] == data
    assert len(callbacks) == 3  # the rest are the relay's


def test_events_nobody_subscribed_to_are_not_even_rendered():
    WebhookEndpointFactory(events=["anticipation.requested"])

    def rendered():
        raise AssertionError("rendered for nobody")
        yield {}

    assert webhook_services.webhook_events_record(event_type="payment.created", data=rendered()) == 0
    assert not WebhookDelivery.objects.exists()

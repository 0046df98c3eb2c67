"""Signed webhooks (the Standard Webhooks specification) to the buyer's endpoints, through an outbox.

The action that causes an event writes one delivery row per subscribed endpoint in its own transaction
(webhook_event_record); the send task is published after commit, and the relay re-queues what a broker outage or a
dead worker left behind, and what waits for a later retry. A delivery is claimed and leased in one short
transaction, sent outside any, and its outcome recorded in another (common/outbox.py, as for the e-mails).
"""

import base64
import datetime
import email.utils
import json
import logging
import random
import secrets
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from payments_api.common.outbox import outbox_claim, outbox_publish, outbox_relay
from payments_api.users.selectors import operator_emails
from payments_api.webhooks import transport
from payments_api.webhooks.errors import UnsafeWebhookUrl
from payments_api.webhooks.metrics import webhook_delivery_attempt_count
from payments_api.webhooks.models import WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint

logger = logging.getLogger(__name__)

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
USER_AGENT = "payments_api-webhooks/1"


def webhook_secret_new() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def webhook_url_check(*, url: str) -> None:
    """Refuse a URL that may not receive webhooks (scheme, credentials, or an address its host resolves to)."""
    try:
        transport.target_check(url)
    except transport.UnsafeTarget as exc:
        raise UnsafeWebhookUrl(str(exc), field="url") from exc


def webhook_endpoint_create(*, url: str, events: Iterable[str], description: str = "") -> WebhookEndpoint:
    """Register `url` for `events`; the returned endpoint carries its new secret (shown to the caller once)."""
    webhook_url_check(url=url)
    return WebhookEndpoint.objects.create(
        url=url, events=sorted(set(events)), description=description, secret=webhook_secret_new()
    )


@transaction.atomic
def webhook_endpoint_update(
    *,
    endpoint: WebhookEndpoint,
    url: str | None = None,
    events: Iterable[str] | None = None,
    description: str | None = None,
    enabled: bool | None = None,
) -> WebhookEndpoint:
    """Change what is given. Enabling clears what the service recorded when it disabled the endpoint."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if url is not None and url != endpoint.url:
        webhook_url_check(url=url)
        endpoint.url = url
    if events is not None:
        endpoint.events = sorted(set(events))
    if description is not None:
        endpoint.description = description
    if enabled is True and not endpoint.enabled:
        endpoint.enabled = True
        endpoint.disabled_at = None
        endpoint.disabled_reason = ""
        endpoint.failing_since = None
    elif enabled is False and endpoint.enabled:
        endpoint.enabled = False
        endpoint.disabled_at = timezone.now()
    endpoint.save()
    return endpoint


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    """Delete the endpoint and its deliveries; a send in flight finds nothing to record."""
    endpoint.delete()


@transaction.atomic
def webhook_endpoint_rotate_secret(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """A new secret; the current one keeps signing too for WEBHOOK_SECRET_ROTATION_HOURS, so receivers can switch."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = timezone.now() + datetime.timedelta(
        hours=settings.WEBHOOK_SECRET_ROTATION_HOURS
    )
    endpoint.secret = webhook_secret_new()
    endpoint.save(update_fields=["previous_secret", "previous_secret_expires_at", "secret", "updated_at"])
    return endpoint


def utc_iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.timezone.utc).isoformat().replace("+00:00", "Z")


def webhook_event_record(*, event_type: str, data: dict[str, Any]) -> list[WebhookDelivery]:
    """Owe `event_type` with `data` (the JSON the API answers for the object) to every enabled endpoint subscribed.

    Written in the caller's transaction: the deliveries exist exactly when the action does. Each is queued once the
    transaction commits.
    """
    deliveries = _deliveries_write(event_type=event_type, data=[data])
    for delivery in deliveries:
        transaction.on_commit(partial(webhook_delivery_enqueue, delivery_id=delivery.pk))
    return deliveries


# Deliveries of one action published after its commit; beyond, the relay queues them (a payables import may owe a
# hundred thousand, which the request must not publish one by one).
WEBHOOK_PUBLISH_AT_COMMIT_MAX = 500


def webhook_events_record(*, event_type: str, data: Iterable[dict[str, Any]]) -> int:
    """Owe `event_type` once per item of `data` to every enabled endpoint subscribed, as webhook_event_record owes
    one, in a few queries whatever the number; returns the number of deliveries written. `data` is read only when
    an endpoint is subscribed (a generator saves rendering what nobody receives).

    The first WEBHOOK_PUBLISH_AT_COMMIT_MAX are queued once the transaction commits, the rest by the relay.
    """
    deliveries = _deliveries_write(event_type=event_type, data=data)
    for delivery in deliveries[:WEBHOOK_PUBLISH_AT_COMMIT_MAX]:
        transaction.on_commit(partial(webhook_delivery_enqueue, delivery_id=delivery.pk))
    return len(deliveries)


def _deliveries_write(*, event_type: str, data: Iterable[dict[str, Any]]) -> list[WebhookDelivery]:
    """One delivery of `event_type` per item of `data` and enabled endpoint subscribed, all with one timestamp;
    `data` is read only when an endpoint is subscribed."""
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(enabled=True).only("pk", "events")
        if event_type in endpoint.events
    ]
    if not endpoints:
        return []
    now = timezone.now()
    timestamp = utc_iso(now)
    bodies = [
        json.dumps(
            {"type": event_type, "timestamp": timestamp, "data": item}, cls=DjangoJSONEncoder, separators=(",", ":")
        )
        for item in data
    ]
    return WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(endpoint=endpoint, event_type=event_type, body=body, created_at=now, next_attempt_at=now)
            for body in bodies
            for endpoint in endpoints
        ],
        batch_size=2000,
    )


def webhook_delivery_enqueue(*, delivery_id: int) -> bool:
    """Publish the send task; a broker failure leaves the row pending for the relay (see common/outbox.py)."""
    from payments_api.webhooks.tasks import send_webhook

    return outbox_publish(task=send_webhook, row_id=delivery_id, pause=settings.NOTIFICATION_PUBLISH_PAUSE)


def webhook_signing_secrets(*, endpoint: WebhookEndpoint, now: datetime.datetime) -> list[str]:
    """The endpoint's secret, and during a rotation the previous one too."""
    signing = [endpoint.secret]
    if endpoint.previous_secret and endpoint.previous_secret_expires_at and endpoint.previous_secret_expires_at > now:
        signing.append(endpoint.previous_secret)
    return signing


def webhook_headers(*, delivery: WebhookDelivery, endpoint: WebhookEndpoint) -> dict[str, str]:
    """The Standard Webhooks headers for sending `delivery` now: one signature per signing secret."""
    now = datetime.datetime.now(datetime.timezone.utc)
    signatures = [
        Webhook(secret).sign(msg_id=delivery.message_id, timestamp=now, data=delivery.body)
        for secret in webhook_signing_secrets(endpoint=endpoint, now=now)
    ]
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": " ".join(signatures),
    }


def webhook_lease() -> datetime.timedelta:
    """How long a claimed delivery is left to the worker sending it: longer than the send task may run."""
    return datetime.timedelta(seconds=settings.WEBHOOK_SEND_TIME_LIMIT + 60)


def webhook_retry_delay(*, attempts: int, retry_after: float | None = None) -> float | None:
    """Seconds before attempt `attempts` + 1 after `attempts` failed ones, or None when the schedule is spent.

    WEBHOOK_RETRY_SCHEDULE's step plus up to a tenth more at random, so endpoints that failed together are not
    retried together; a receiver's Retry-After (429, 503) is honoured up to the schedule's longest step.
    """
    schedule = settings.WEBHOOK_RETRY_SCHEDULE
    if attempts > len(schedule):
        return None
    delay = float(schedule[attempts - 1])
    if retry_after is not None:
        delay = max(delay, min(retry_after, float(max(schedule))))
    return delay + random.uniform(0, delay / 10)  # spreads retries; no security use


def retry_after_seconds(value: str | None, *, now: datetime.datetime) -> float | None:
    """Retry-After as seconds: a number of seconds or an HTTP date; None when absent or not understood."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return max(0.0, (moment - now).total_seconds())


def _excerpt(body: bytes) -> str:
    return body[: settings.WEBHOOK_RESPONSE_EXCERPT_BYTES].decode("utf-8", errors="replace")


def webhook_delivery_deliver(*, delivery_id: int) -> float | None:
    """Send a pending, due delivery; returns the seconds until its retry is due, or None when there is none.

    As for the e-mails, the attempt is counted and the row leased before the receiver is contacted; the receiver may
    still get a delivery twice (a worker dying after it answered), which is why it de-duplicates on webhook-id.
    """
    delivery = outbox_claim(
        queryset=WebhookDelivery.objects.select_related("endpoint"), pk=delivery_id, lease=webhook_lease()
    )
    if delivery is None:
        return None
    endpoint = delivery.endpoint
    if not endpoint.enabled:
        _delivery_fail(delivery=delivery, error="The endpoint is disabled.", answer=None)
        return None
    try:
        target = transport.target_check(endpoint.url)
    except transport.UnsafeTarget as exc:
        logger.warning("Webhook delivery %s refused: %s", delivery.pk, exc)
        _delivery_fail(delivery=delivery, error=f"Refused: {exc}", answer=None)
        _endpoint_failed(endpoint=endpoint, gone=False)
        return None
    body = delivery.body.encode()
    try:
        answer = transport.post(target=target, body=body, headers=webhook_headers(delivery=delivery, endpoint=endpoint))
    except Exception as exc:  # a connection error, a timeout, a broken answer, or the task's soft time limit
        logger.warning("Webhook delivery %s: attempt %s failed: %s", delivery.pk, delivery.attempts, exc)
        return _delivery_retry_or_fail(delivery=delivery, error=f"{type(exc).__name__}: {exc}", answer=None)
    if 200 <= answer.status < 300:
        _delivery_succeed(delivery=delivery, answer=answer)
        return None
    if answer.status == 410:
        _delivery_fail(delivery=delivery, error="The endpoint answered 410 Gone.", answer=answer)
        _endpoint_failed(endpoint=endpoint, gone=True)
        return None
    return _delivery_retry_or_fail(delivery=delivery, error=f"The endpoint answered {answer.status}.", answer=answer)


def _answer_fields(answer: transport.Answer | None) -> dict[str, Any]:
    if answer is None:
        return {"response_status": None, "response_body": ""}
    return {"response_status": answer.status, "response_body": _excerpt(answer.body)}


def _delivery_succeed(*, delivery: WebhookDelivery, answer: transport.Answer) -> None:
    now = timezone.now()
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDeliveryStatus.DELIVERED,
            delivered_at=now,
            last_attempt_at=now,
            last_error="",
            **_answer_fields(answer),
        )
        webhook_delivery_attempt_count(outcome="delivered")
        WebhookEndpoint.objects.filter(pk=delivery.endpoint_id, failing_since__isnull=False).update(failing_since=None)


def _delivery_fail(*, delivery: WebhookDelivery, error: str, answer: transport.Answer | None) -> None:
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDeliveryStatus.FAILED,
        last_attempt_at=timezone.now(),
        last_error=error[:2000],
        **_answer_fields(answer),
    )
    webhook_delivery_attempt_count(outcome="failed")


def _delivery_retry_or_fail(
    *, delivery: WebhookDelivery, error: str, answer: transport.Answer | None
) -> float | None:
    now = timezone.now()
    retry_after = retry_after_seconds(answer.headers.get("retry-after") if answer else None, now=now)
    attempts = delivery.attempts - delivery.attempts_before_replay
    retry_in = webhook_retry_delay(attempts=attempts, retry_after=retry_after)
    with transaction.atomic():
        if retry_in is None:
            logger.error("Webhook delivery %s failed for good: %s", delivery.pk, error)
            _delivery_fail(delivery=delivery, error=error, answer=answer)
        else:
            WebhookDelivery.objects.filter(pk=delivery.pk).update(
                last_attempt_at=now,
                last_error=error[:2000],
                next_attempt_at=now + datetime.timedelta(seconds=retry_in),
                **_answer_fields(answer),
            )
            webhook_delivery_attempt_count(outcome="retry")
        disabled = _endpoint_failed(endpoint=delivery.endpoint, gone=False)
    return None if disabled else retry_in


def _endpoint_failed(*, endpoint: WebhookEndpoint, gone: bool) -> bool:
    """Note a failed delivery to `endpoint`; disable it when it is gone or has failed for WEBHOOK_DISABLE_AFTER_HOURS.

    Returns whether this call disabled it (operators are then told, once).
    """
    now = timezone.now()
    endpoints = WebhookEndpoint.objects.filter(pk=endpoint.pk)
    endpoints.filter(failing_since__isnull=True).update(failing_since=now)
    if gone:
        reason = "It answered 410 Gone."
        disabling = endpoints.filter(enabled=True)
    else:
        hours = settings.WEBHOOK_DISABLE_AFTER_HOURS
        reason = f"Its deliveries failed for {hours} hours."
        disabling = endpoints.filter(enabled=True, failing_since__lte=now - datetime.timedelta(hours=hours))
    if not disabling.update(enabled=False, disabled_at=now, disabled_reason=reason):
        return False
    logger.error("Webhook endpoint %s (%s) disabled: %s", endpoint.pk, endpoint.url, reason)
    transaction.on_commit(lambda: _operators_tell(endpoint_id=endpoint.pk, url=endpoint.url, reason=reason))
    return True


def _operators_tell(*, endpoint_id: int, url: str, reason: str) -> None:
    """E-mail the operators that an endpoint was disabled; the admin shows it flagged whatever happens to the mail."""
    recipients = operator_emails()
    if not recipients:
        return
    try:
        send_mail(
            subject=f"Webhook endpoint #{endpoint_id} disabled",
            message=(
                f"The webhook endpoint #{endpoint_id} ({url}) was disabled. {reason}\n\n"
                "Its failed deliveries are kept: once the receiver is fixed, enable the endpoint and replay them "
                "from the admin."
            ),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=recipients,
        )
    except Exception:
        logger.exception("Telling the operators that webhook endpoint %s was disabled failed", endpoint_id)


def webhook_deliveries_relay(
    *, older_than: datetime.timedelta | None = None, batch_size: int = 500, budget: float | None = None
) -> int:
    """Queue every pending delivery due for WEBHOOK_RELAY_AFTER seconds: lost publishes, dead tasks, and the retries
    too far ahead for a task's countdown. Returns how many were queued."""
    return outbox_relay(
        model=WebhookDelivery,
        publish=lambda delivery_id: webhook_delivery_enqueue(delivery_id=delivery_id),
        older_than=datetime.timedelta(seconds=settings.WEBHOOK_RELAY_AFTER) if older_than is None else older_than,
        batch_size=batch_size,
        budget=settings.WEBHOOK_RELAY_BUDGET if budget is None else budget,
    )


def webhook_deliveries_replay(*, deliveries: Iterable[WebhookDelivery]) -> int:
    """Send failed deliveries again with the same webhook-id and body, the retry schedule starting over.

    Returns how many were queued (deliveries not failed are left alone).
    """
    ids = [delivery.pk for delivery in deliveries]
    with transaction.atomic():
        replayed = list(
            WebhookDelivery.objects.select_for_update()
            .filter(pk__in=ids, status=WebhookDeliveryStatus.FAILED)
            .values_list("pk", flat=True)
        )
        for delivery in WebhookDelivery.objects.filter(pk__in=replayed):
            delivery.status = WebhookDeliveryStatus.PENDING
            delivery.attempts_before_replay = delivery.attempts
            delivery.next_attempt_at = timezone.now()
            delivery.save(update_fields=["status", "attempts_before_replay", "next_attempt_at"])
        for delivery_id in replayed:
            transaction.on_commit(partial(webhook_delivery_enqueue, delivery_id=delivery_id))
    return len(replayed)


def webhook_endpoint_replay_failed(*, endpoint: WebhookEndpoint) -> int:
    """Replay every failed delivery of `endpoint`."""
    return webhook_deliveries_replay(
        deliveries=WebhookDelivery.objects.filter(endpoint=endpoint, status=WebhookDeliveryStatus.FAILED).only("pk")
    )

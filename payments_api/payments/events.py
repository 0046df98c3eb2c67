"""The webhook events of payments and anticipations: what each one's `data` is, recorded with the action that causes
it (see payments_api.webhooks), and documented in the OpenAPI schema as webhooks."""

import datetime
from collections.abc import Iterable

from drf_spectacular.utils import OpenApiResponse, OpenApiWebhook, extend_schema, inline_serializer
from rest_framework import serializers

from payments_api.payments.models import Anticipation, Payment
from payments_api.payments.serializers import AnticipationSerializer, PaymentSerializer
from payments_api.webhooks.models import WebhookEventType
from payments_api.webhooks.services import webhook_event_record, webhook_events_record


class AnticipationEventSerializer(AnticipationSerializer):
    """The anticipation as the API answers it, with the supplier of its payment."""

    supplier = serializers.IntegerField(source="payment.supplier_id", read_only=True)


def anticipation_event_record(*, anticipation: Anticipation, event_type: WebhookEventType) -> None:
    """Owe the anticipation's event to the endpoints subscribed, in the caller's transaction."""
    webhook_event_record(event_type=event_type, data=AnticipationEventSerializer(anticipation).data)


def payment_event_record(*, payment: Payment, today: datetime.date) -> None:
    """Owe payment.created to the endpoints subscribed, in the caller's transaction; its state as on `today`."""
    data = PaymentSerializer(payment, context={"today": today, "for_operators": True}).data
    webhook_event_record(event_type=WebhookEventType.PAYMENT_CREATED, data=data)


def payments_created_record(*, payments: Iterable[Payment], today: datetime.date) -> None:
    """Owe payment.created for each of `payments`, just created (none has an anticipation), in a few queries;
    `payments` is read only if an endpoint is subscribed."""
    serializer = PaymentSerializer(context={"today": today, "for_operators": True})

    def rendered():
        for payment in payments:
            payment.anticipation_status = None  # new: without it, the state would be looked up payment by payment
            yield serializer.to_representation(payment)

    webhook_events_record(event_type=WebhookEventType.PAYMENT_CREATED, data=rendered())


SIGNATURE_NOTE = (
    "Signed as the Standard Webhooks specification says: the webhook-id, webhook-timestamp (Unix seconds, UTC) and "
    "webhook-signature headers (`v1,<base64 HMAC-SHA256>` of `{id}.{timestamp}.{body}` with the endpoint's secret; "
    "two, space separated, during a secret rotation). The webhook-id stays the same on every retry and replay: "
    "de-duplicate on it. Answer 2xx within 10 seconds; anything else is retried for about three days, and 410 Gone "
    "disables the endpoint."
)


def _event_webhook(event_type: WebhookEventType, data_serializer, summary: str) -> OpenApiWebhook:
    envelope = inline_serializer(
        name=f"{''.join(part.title() for part in event_type.replace('.', '_').split('_'))}Event",
        fields={
            "type": serializers.ChoiceField(choices=[(event_type.value, event_type.label)]),
            "timestamp": serializers.DateTimeField(help_text="When the event happened, in UTC."),
            "data": data_serializer,
        },
    )
    return OpenApiWebhook(
        name=event_type.value,
        decorator=extend_schema(
            summary=summary,
            description=SIGNATURE_NOTE,
            request=envelope,
            responses={
                200: OpenApiResponse(description="Received (any 2xx)."),
                410: OpenApiResponse(description="Gone: the endpoint is disabled and sent nothing more."),
            },
        ),
    )


ANTICIPATION_REQUESTED_WEBHOOK = _event_webhook(
    WebhookEventType.ANTICIPATION_REQUESTED, AnticipationEventSerializer(), "A supplier asked to be paid early"
)
ANTICIPATION_APPROVED_WEBHOOK = _event_webhook(
    WebhookEventType.ANTICIPATION_APPROVED, AnticipationEventSerializer(), "An operator approved an anticipation"
)
ANTICIPATION_DENIED_WEBHOOK = _event_webhook(
    WebhookEventType.ANTICIPATION_DENIED, AnticipationEventSerializer(), "An operator denied an anticipation"
)
PAYMENT_CREATED_WEBHOOK = _event_webhook(
    WebhookEventType.PAYMENT_CREATED, PaymentSerializer(context={"for_operators": True}), "A payment was created"
)

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WebhookEventType(models.TextChoices):
    """The events an endpoint may subscribe to; `data` is the JSON the API answers for the object named."""

    ANTICIPATION_REQUESTED = "anticipation.requested", _("An anticipation was requested")
    ANTICIPATION_APPROVED = "anticipation.approved", _("An anticipation was approved")
    ANTICIPATION_DENIED = "anticipation.denied", _("An anticipation was denied")
    PAYMENT_CREATED = "payment.created", _("A payment was created")


class WebhookEndpoint(models.Model):
    """A URL of the buyer's systems that receives the events it subscribed to, signed with its secret."""

    url = models.URLField(_("URL"), max_length=2000)
    description = models.CharField(_("description"), max_length=500, blank=True)
    events = models.JSONField(_("events"), default=list, help_text=_("The event types sent to this endpoint."))
    # The Standard Webhooks signing secret ("whsec_" and base64); shown once, when created or rotated.
    secret = models.CharField(_("secret"), max_length=100)
    # During a rotation the previous secret signs too, until previous_secret_expires_at.
    previous_secret = models.CharField(_("previous secret"), max_length=100, blank=True)
    previous_secret_expires_at = models.DateTimeField(_("previous secret expires at"), null=True, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    # Why the service disabled it (410 Gone, days of failures); blank when enabled or disabled by an operator.
    disabled_reason = models.CharField(_("disabled reason"), max_length=200, blank=True)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)
    # When its deliveries started failing without a success since; None while they succeed.
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(url__startswith="https://") | Q(url__startswith="http://"), name="webhookendpoint_url_http"
            ),
            models.CheckConstraint(condition=Q(secret__startswith="whsec_"), name="webhookendpoint_secret_whsec"),
            models.CheckConstraint(
                condition=Q(previous_secret="", previous_secret_expires_at__isnull=True)
                | (Q(previous_secret__startswith="whsec_") & Q(previous_secret_expires_at__isnull=False)),
                name="webhookendpoint_previous_secret_expires",
            ),
            models.CheckConstraint(
                condition=Q(enabled=True, disabled_at__isnull=True, disabled_reason="") | Q(enabled=False),
                name="webhookendpoint_enabled_not_disabled",
            ),
        ]

    def __str__(self):
        return f"{self.url} (#{self.pk})"

    @property
    def needs_attention(self) -> bool:
        """Disabled by the service itself: operators are to look at it."""
        return not self.enabled and bool(self.disabled_reason)


class WebhookDeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


def new_message_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


class WebhookDelivery(models.Model):
    """The outbox: one event owed to one endpoint, written in the action's transaction, sent until it is received.

    `message_id` is the webhook-id header: the same on every attempt and replay, so receivers de-duplicate on it.
    `body` is the exact JSON sent; the signature covers it with the timestamp of each attempt.
    """

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("endpoint")
    )
    message_id = models.CharField(_("message id"), max_length=40, unique=True, default=new_message_id)
    event_type = models.CharField(_("event type"), max_length=50, choices=WebhookEventType.choices)
    body = models.TextField(_("body"))
    status = models.CharField(
        _("status"),
        max_length=9, choices=WebhookDeliveryStatus.choices, default=WebhookDeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # Attempts made before the last replay from the admin: each replay starts the retry schedule again.
    attempts_before_replay = models.PositiveIntegerField(_("attempts before replay"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    response_body = models.TextField(
        _("response body"), blank=True, help_text=_("The start of the receiver's last answer.")
    )
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status=WebhookDeliveryStatus.PENDING),
                name="webhookdelivery_pending_idx",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=WebhookDeliveryStatus.values), name="webhookdelivery_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(attempts_before_replay__lte=F("attempts")), name="webhookdelivery_replay_after_attempts"
            ),
            models.CheckConstraint(
                condition=Q(status=WebhookDeliveryStatus.DELIVERED, delivered_at__isnull=False)
                | (~Q(status=WebhookDeliveryStatus.DELIVERED) & Q(delivered_at__isnull=True)),
                name="webhookdelivery_delivered_at_iff_delivered",
            ),
        ]

    def __str__(self):
        return f"{self.event_type} {self.message_id} to endpoint #{self.endpoint_id} ({self.status})"

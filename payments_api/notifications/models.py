from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from payments_api.users.models import Language


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class NotificationTemplate(models.TextChoices):
    """What the e-mail is about, which names the templates it is written with."""

    ANTICIPATION = "anticipation", _("An anticipation's request or decision")
    ANTICIPATION_BATCH = "anticipation_batch", _("The anticipations of a batch request")


class Notification(models.Model):
    """The outbox: the e-mail owed to a supplier for one request-log action, written in the action's transaction.

    The caller says whom to write to, in which language and what the e-mail says (`context`); the outbox never reads
    the rows the action touched.
    """

    # By name: a leaf app imports no other leaf (see .importlinter).
    request_log = models.OneToOneField(
        "requestlogs.RequestLog", on_delete=models.PROTECT, related_name="notification", verbose_name=_("request log")
    )
    recipient = models.EmailField(_("recipient"))
    language = models.CharField(_("language"), max_length=5, choices=Language.choices)
    # The templates' context, as JSON: amounts and dates are stored as text and formatted in `language` when sent.
    context = models.JSONField(_("context"), default=dict, encoder=DjangoJSONEncoder)
    # A batch's e-mail hangs on the request log of its first anticipation and lists them all in `context`.
    template = models.CharField(
        _("template"),
        max_length=20, choices=NotificationTemplate.choices, default=NotificationTemplate.ANTICIPATION
    )
    status = models.CharField(
        _("status"), max_length=7, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # Attempts made before the last re-send from the admin: each re-send allows NOTIFICATION_MAX_ATTEMPTS more.
    attempts_before_resend = models.PositiveIntegerField(_("attempts before resend"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # When a pending notification is next due to be sent; the relay re-queues those left behind.
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail")
        verbose_name_plural = _("e-mails")
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status=NotificationStatus.PENDING),
                name="notification_pending_due_idx",
            ),
            # The failed rows, counted at every metrics scrape, without reading the sent ones.
            models.Index(
                fields=["created_at"],
                condition=Q(status=NotificationStatus.FAILED),
                name="notification_failed_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=NotificationStatus.values), name="notification_status_valid"),
            models.CheckConstraint(condition=Q(language__in=Language.values), name="notification_language_valid"),
            models.CheckConstraint(
                condition=Q(template__in=NotificationTemplate.values), name="notification_template_valid"
            ),
            models.CheckConstraint(
                condition=Q(attempts_before_resend__lte=F("attempts")), name="notification_resend_after_attempts"
            ),
            models.CheckConstraint(
                condition=Q(status=NotificationStatus.SENT, sent_at__isnull=False)
                | (~Q(status=NotificationStatus.SENT) & Q(sent_at__isnull=True)),
                name="notification_sent_at_iff_sent",
            ),
        ]

    def __str__(self):
        return f"Notification #{self.pk} to {self.recipient} ({self.status})"

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestLogAction(models.TextChoices):
    REQUESTED = "R", _("Requested")
    APPROVED = "A", _("Approved")
    DENIED = "D", _("Denied")
    # The first of two approvals an anticipation at or above the programme's dual_approval_min_value needs.
    FIRST_APPROVAL = "F", _("First approval")


class AppendOnlyError(Exception):
    pass


class RequestLog(models.Model):
    """The audit trail of anticipations: one row per action, never updated or deleted."""

    # Only SELECT and INSERT for the application's database role (grant_app_role); triggers refuse the rest.
    append_only = True

    # By name: the log is written by the payments app, which it never imports (see .importlinter).
    anticipation = models.ForeignKey(
        "payments.Anticipation", on_delete=models.PROTECT, related_name="logs", verbose_name=_("anticipation")
    )
    # Null only for an approval by the programme itself (auto-approval): the log shows it as "automatic".
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="request_logs",
        verbose_name=_("user"),
    )
    action = models.CharField(_("action"), max_length=1, choices=RequestLogAction.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("request log")
        verbose_name_plural = _("request logs")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=RequestLogAction.values), name="requestlog_action_valid"
            ),
            # An anticipation is requested once and decided at most once.
            models.UniqueConstraint(
                fields=["anticipation"],
                condition=models.Q(action=RequestLogAction.REQUESTED),
                name="requestlog_one_request",
            ),
            models.UniqueConstraint(
                fields=["anticipation"],
                condition=models.Q(action__in=[RequestLogAction.APPROVED, RequestLogAction.DENIED]),
                name="requestlog_one_decision",
            ),
            models.UniqueConstraint(
                fields=["anticipation"],
                condition=models.Q(action=RequestLogAction.FIRST_APPROVAL),
                name="requestlog_one_first_approval",
            ),
            # Only the programme approves without a user; every other action is someone's.
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | models.Q(action=RequestLogAction.APPROVED),
                name="requestlog_user_unless_automatic",
            ),
        ]

    def __str__(self):
        by = self.user.email if self.user is not None else "the programme"
        return f"{self.get_action_display()} anticipation #{self.anticipation_id} by {by}"

    @property
    def automatic(self) -> bool:
        """Approved by the programme (auto-approval), not by an operator."""
        return self.user_id is None

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("Request logs are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Request logs are never deleted.")


class RequestLogCount(models.Model):
    """How many request logs record `action`: written by a PostgreSQL trigger only (migration 0004), in the transaction
    of every insert, one row per statement and action; request_log_counts_compact adds the rows up."""

    action = models.CharField(max_length=1, choices=RequestLogAction.choices)
    logs = models.BigIntegerField()

    def __str__(self):
        return f"{self.logs:+} {self.get_action_display().lower()} logs"

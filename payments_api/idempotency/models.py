from django.conf import settings
from django.db import models

MAX_KEY_LENGTH = 255


class IdempotencyKey(models.Model):
    """The first response to a POST sent with an Idempotency-Key, replayed to the retries of that request."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=MAX_KEY_LENGTH)
    # SHA-256 of method, path and canonical JSON body: a retry must be the same request, not just the same key.
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(db_index=True)
    # Empty until the first request's response is stored, in the same transaction as its effect.
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    # The JSON as sent, text so that a replay keeps the member order (jsonb would not).
    response_body = models.TextField(blank=True, default="")
    response_headers = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")]

    def __str__(self):
        return f"Idempotency-Key {self.key!r} of user {self.user_id}"

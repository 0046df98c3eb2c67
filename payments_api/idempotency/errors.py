from django.utils.translation import gettext_lazy as _

from payments_api.common.exceptions import Conflict, ValidationFailed


class InvalidIdempotencyKey(ValidationFailed):
    code = "invalid-idempotency-key"
    title = _("The Idempotency-Key header is not valid.")


class IdempotencyKeyReused(Conflict):
    code = "idempotency-key-reused"
    title = _("This Idempotency-Key was already used for a different request.")


class IdempotencyKeyInProgress(Conflict):
    code = "idempotency-key-in-progress"
    title = _("A request with this Idempotency-Key is still being processed.")

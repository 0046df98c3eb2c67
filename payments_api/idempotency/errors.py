from payments_api.common.exceptions import Conflict, ValidationFailed


class InvalidIdempotencyKey(ValidationFailed):
    code = "invalid-idempotency-key"
    title = "The Idempotency-Key header is not valid."


class IdempotencyKeyReused(Conflict):
    code = "idempotency-key-reused"
    title = "This Idempotency-Key was already used for a different request."


class IdempotencyKeyInProgress(Conflict):
    code = "idempotency-key-in-progress"
    title = "A request with this Idempotency-Key is still being processed."

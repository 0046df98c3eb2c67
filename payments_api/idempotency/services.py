import datetime
import hashlib
import json
import re
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone

from payments_api.idempotency.errors import IdempotencyKeyInProgress, IdempotencyKeyReused, InvalidIdempotencyKey
from payments_api.idempotency.models import MAX_KEY_LENGTH, IdempotencyKey
from payments_api.users.models import User

# Visible ASCII without spaces or quotes: UUIDs, ULIDs and most client-generated keys fit.
KEY_PATTERN = rf"^[A-Za-z0-9_.:-]{{1,{MAX_KEY_LENGTH}}}$"
_KEY = re.compile(KEY_PATTERN)


def idempotency_key_validate(*, key: str) -> None:
    if not _KEY.fullmatch(key):
        raise InvalidIdempotencyKey(
            f"The Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters among A-Z, a-z, 0-9, '_', '.', ':', '-'.",
            field="Idempotency-Key",
        )


def idempotency_fingerprint(*, method: str, path: str, body: Any) -> str:
    """A hash of the request that ignores JSON formatting and member order."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder)
    return hashlib.sha256(f"{method.upper()}\n{path}\n{canonical}".encode()).hexdigest()


def idempotency_key_claim(*, user: User, key: str, fingerprint: str) -> IdempotencyKey:
    """Claim `key` for this request, or return the stored response of the request that claimed it.

    Call it inside the transaction that performs the request's effect. The key row is inserted first, so a
    concurrent request with the same key blocks on the unique constraint until this transaction ends: then it
    finds the stored response (a replay), or, if this one rolled back, claims the key itself.
    """
    idempotency_key_validate(key=key)
    now = timezone.now()
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(user=user, key=key, fingerprint=fingerprint, created_at=now)
    except IntegrityError:
        pass

    record = IdempotencyKey.objects.select_for_update().get(user=user, key=key)
    if record.created_at <= now - settings.IDEMPOTENCY_KEY_TTL:
        # Expired but not yet purged: the key is free again.
        record.fingerprint, record.created_at = fingerprint, now
        record.response_status, record.response_body, record.response_headers = None, "", {}
        record.save()
        return record
    if record.fingerprint != fingerprint:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was used for a request with another method, path or body; use a new key."
        )
    if record.response_status is None:
        raise IdempotencyKeyInProgress()
    return record


def idempotency_key_complete(
    *, record: IdempotencyKey, response_status: int, response_body: Any, response_headers: dict[str, str]
) -> IdempotencyKey:
    record.response_status = response_status
    record.response_body = json.dumps(response_body, cls=DjangoJSONEncoder)
    record.response_headers = response_headers
    record.save(update_fields=["response_status", "response_body", "response_headers"])
    return record


def idempotency_keys_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the keys older than IDEMPOTENCY_KEY_TTL; returns how many."""
    cutoff = (now or timezone.now()) - settings.IDEMPOTENCY_KEY_TTL
    deleted, _ = IdempotencyKey.objects.filter(created_at__lte=cutoff).delete()
    return deleted

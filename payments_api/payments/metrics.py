"""What the anticipation services count, once their transaction commits (a rolled-back action counts nothing)."""

from decimal import Decimal

from django.db import transaction
from prometheus_client import Counter

from payments_api.common.metrics import NAMESPACE

ANTICIPATIONS = Counter(
    "anticipations",
    "Anticipations requested, approved and denied, by event.",
    ["event"],
    namespace=NAMESPACE,
)
ANTICIPATED_VALUE = Counter(
    "anticipated_value_brl",
    "The new values (what the company pays early) of the anticipations requested, approved and denied, in BRL.",
    ["event"],
    namespace=NAMESPACE,
)


def anticipation_event_count(*, event: str, new_value: Decimal) -> None:
    """Count one anticipation `event` (requested, approved, denied) of `new_value` when the transaction commits."""

    def count() -> None:
        ANTICIPATIONS.labels(event=event).inc()
        ANTICIPATED_VALUE.labels(event=event).inc(float(new_value))

    transaction.on_commit(count)

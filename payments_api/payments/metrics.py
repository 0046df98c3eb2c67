"""What the anticipation services count, once their transaction commits (a rolled-back action counts nothing)."""

from decimal import Decimal

from django.db import transaction
from prometheus_client import Counter

from payments_api.common.metrics import NAMESPACE

ANTICIPATIONS = Counter(
    "anticipations",
    "Anticipations requested, approved (by operators or automatically), denied and first-approved (the first of two "
    "approvals), by event.",
    ["event"],
    namespace=NAMESPACE,
)
ANTICIPATED_VALUE = Counter(
    "anticipated_value_brl",
    "The new values (what the company pays early) of the anticipations requested, approved and denied, in BRL.",
    ["event"],
    namespace=NAMESPACE,
)
# Also counted as "approved" above: the share of approvals nobody had to make.
AUTOMATIC_APPROVALS = Counter(
    "automatic_approvals",
    "Anticipations approved by the programme as they were requested (auto-approval).",
    namespace=NAMESPACE,
)
AUTOMATIC_APPROVED_VALUE = Counter(
    "automatic_approved_value_brl",
    "The new values of the anticipations approved by the programme as they were requested, in BRL.",
    namespace=NAMESPACE,
)


def anticipation_event_count(*, event: str, new_value: Decimal) -> None:
    """Count one anticipation `event` (requested, approved, denied, first_approved) of `new_value` when the
    transaction commits."""

    def count() -> None:
        ANTICIPATIONS.labels(event=event).inc()
        ANTICIPATED_VALUE.labels(event=event).inc(float(new_value))

    transaction.on_commit(count)


def automatic_approval_count(*, new_value: Decimal) -> None:
    """Count an auto-approval of `new_value` when the transaction commits (its "approved" event is counted apart)."""

    def count() -> None:
        AUTOMATIC_APPROVALS.inc()
        AUTOMATIC_APPROVED_VALUE.inc(float(new_value))

    transaction.on_commit(count)

"""Batch requests: many anticipations asked for at once, each under the rules of a single request, one e-mail each
supplier."""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from payments_api.common.exceptions import DomainError, ValidationFailed
from payments_api.notifications.models import NotificationTemplate
from payments_api.notifications.services import notification_create
from payments_api.payments.models import MAX_BATCH_ITEMS, Anticipation, Payment
from payments_api.payments.services import anticipation_request
from payments_api.requestlogs.models import RequestLog, RequestLogAction
from payments_api.users.models import User

__all__ = ["MAX_BATCH_ITEMS", "AnticipationBatch", "BatchItem", "BatchItemResult", "anticipation_batch_request"]


@dataclass(frozen=True)
class BatchItem:
    """One anticipation asked for in a batch: `payment` to be paid on `new_due_date`."""

    payment: Payment
    new_due_date: datetime.date


@dataclass(frozen=True)
class BatchItemResult:
    """What became of the item at `index` (from 0, in the order given): its anticipation, or the refusal."""

    index: int
    anticipation: Anticipation | None = None
    error: DomainError | None = None

    @property
    def succeeded(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class AnticipationBatch:
    """The outcome of a batch, item by item in the order given.

    `written` is False when an all-or-none batch had a failing item: then nothing was kept, and the anticipations of
    the items that passed were priced and rolled back (their ids were never committed).
    """

    all_or_none: bool
    results: tuple[BatchItemResult, ...]

    @property
    def succeeded(self) -> int:
        return sum(result.succeeded for result in self.results)

    @property
    def failed(self) -> int:
        return len(self.results) - self.succeeded

    @property
    def written(self) -> bool:
        return not (self.all_or_none and self.failed)

    @property
    def anticipations(self) -> list[Anticipation]:
        """The anticipations created, in item order (none when the batch was not written)."""
        if not self.written:
            return []
        return [result.anticipation for result in self.results if result.anticipation is not None]


def anticipation_batch_check(*, items: Sequence[BatchItem]) -> None:
    """1 to MAX_BATCH_ITEMS items, each payment at most once: otherwise the whole batch is refused (400)."""
    if not 1 <= len(items) <= MAX_BATCH_ITEMS:
        raise ValidationFailed(
            f"A batch holds 1 to {MAX_BATCH_ITEMS} items; this one has {len(items)}.",
            field="items",
            field_code="min_length" if not items else "max_length",
        )
    seen: dict[int, int] = {}
    for index, item in enumerate(items):
        if (first := seen.setdefault(item.payment.pk, index)) != index:
            raise ValidationFailed(
                f"Payment {item.payment.pk} is asked for twice, by items {first} and {index}; a batch names each "
                "payment once.",
                field=f"items.{index}.payment",
                field_code="unique",
            )


@transaction.atomic
def anticipation_batch_request(
    *, items: Sequence[BatchItem | tuple[Payment, datetime.date]], all_or_none: bool, requested_by: User
) -> AnticipationBatch:
    """`requested_by` (a supplier's user, or an operator on suppliers' behalf) asks for every item at once.

    `items` are BatchItems or (payment, new_due_date) pairs, 1 to MAX_BATCH_ITEMS of them, each payment once
    (anticipation_batch_check). Each item is tried by anticipation_request, the single request's service, in a
    savepoint of its own: a refused item leaves nothing behind and the others go on. With `all_or_none`, a single
    refusal rolls the whole batch back (`written` is False); every item is still tried, so the result names every
    refusal. A written batch e-mails each supplier once, listing the anticipations it created.

    The payments are locked together in id order first, so that two batches sharing payments wait for each other
    instead of deadlocking; a single request for one of them waits for the batch, then finds it taken.
    """
    batch_items = [item if isinstance(item, BatchItem) else BatchItem(*item) for item in items]
    anticipation_batch_check(items=batch_items)
    list(
        Payment.objects.select_for_update()
        .filter(pk__in=[item.payment.pk for item in batch_items])
        .order_by("pk")
        .values_list("pk", flat=True)
    )

    with transaction.atomic():
        results = []
        for index, item in enumerate(batch_items):
            try:
                anticipation = anticipation_request(
                    payment=item.payment, new_due_date=item.new_due_date, requested_by=requested_by, notify=False
                )
            except DomainError as error:
                results.append(BatchItemResult(index=index, error=error))
            else:
                results.append(BatchItemResult(index=index, anticipation=anticipation))
        batch = AnticipationBatch(all_or_none=all_or_none, results=tuple(results))
        if not batch.written:
            # Leaves this block's savepoint, and with it every item's writes and on-commit tasks.
            transaction.set_rollback(True)
            return batch

    _suppliers_notify(anticipations=batch.anticipations)
    return batch


def _suppliers_notify(*, anticipations: Iterable[Anticipation]) -> None:
    """One e-mail to each supplier, listing its anticipations of the batch; it hangs on the first one's request log.

    Each anticipation comes with its payment, supplier and user (anticipation_request loads them)."""
    by_supplier: dict[int, list[Anticipation]] = {}
    for anticipation in anticipations:
        by_supplier.setdefault(anticipation.payment.supplier_id, []).append(anticipation)
    for group in by_supplier.values():
        supplier = group[0].payment.supplier
        request_log = RequestLog.objects.get(anticipation=group[0], action=RequestLogAction.REQUESTED)
        notification_create(
            request_log=request_log,
            recipient=supplier.user.email,
            language=supplier.language,
            template=NotificationTemplate.ANTICIPATION_BATCH,
            context={
                "corporate_name": supplier.corporate_name,
                "anticipations": [
                    {
                        "payment_id": anticipation.payment_id,
                        "external_id": anticipation.payment.external_id,
                        "value": anticipation.payment.value,
                        "due_date": anticipation.payment.due_date,
                        "new_value": anticipation.new_value,
                        "new_due_date": anticipation.new_due_date,
                    }
                    for anticipation in group
                ],
                "total_value": sum((anticipation.payment.value for anticipation in group), Decimal("0")),
                "total_new_value": sum((anticipation.new_value for anticipation in group), Decimal("0")),
            },
        )

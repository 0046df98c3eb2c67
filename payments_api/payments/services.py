import datetime
import re
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from payments_api.notifications.services import notification_create
from payments_api.payments.errors import (
    AnticipationAlreadyDecided,
    AnticipationAlreadyExists,
    AnticipationExpired,
    ExternalIdTaken,
    InvalidPayment,
    OperatorRequired,
    OwnAnticipationDecision,
)
from payments_api.payments.events import anticipation_event_record, payment_event_record
from payments_api.payments.models import (
    EXTERNAL_ID_MAX_LENGTH,
    MAX_PAYMENT_VALUE,
    Anticipation,
    AnticipationStatus,
    Decision,
    Payment,
)
from payments_api.payments.pricing import CENT, anticipation_price_check
from payments_api.programme.selectors import business_calendar, programme_current
from payments_api.requestlogs.models import RequestLog, RequestLogAction
from payments_api.requestlogs.services import request_log_create
from payments_api.users.models import Supplier, User
from payments_api.webhooks.models import WebhookEventType

# Far enough for any real invoice; dates near year 9999 break date arithmetic (the admin's date hierarchy, for one).
MAX_DUE_YEARS_AHEAD = 10
# Printable, no control characters, no spaces at either end (spaces inside are kept: some ERPs number "NF 123").
_EDGE, _INNER = r"[^\x00-\x20\x7f]", r"[^\x00-\x1f\x7f]"
EXTERNAL_ID_PATTERN = re.compile(rf"{_EDGE}({_INNER}{{0,{EXTERNAL_ID_MAX_LENGTH - 2}}}{_EDGE})?")


def payment_validate(
    *, due_date: datetime.date, value: Decimal, external_id: str | None = None, today: datetime.date | None = None
) -> None:
    today = today or timezone.localdate()
    if external_id is not None and not EXTERNAL_ID_PATTERN.fullmatch(external_id):
        raise InvalidPayment(
            f"The external id must be 1 to {EXTERNAL_ID_MAX_LENGTH} printable characters, without spaces around.",
            field="external_id",
        )
    if due_date < today:
        raise InvalidPayment("The due date cannot be in the past.", field="due_date")
    latest = years_after(today, MAX_DUE_YEARS_AHEAD)
    if due_date > latest:
        raise InvalidPayment(
            f"The due date cannot be more than {MAX_DUE_YEARS_AHEAD} years ahead (after {latest}).", field="due_date"
        )
    payment_value_validate(value=value)


def payment_value_validate(*, value: Decimal) -> None:
    """The value alone, so a form can say what is wrong with it whatever its other fields hold."""
    if not Decimal("0") < value <= MAX_PAYMENT_VALUE or value != value.quantize(CENT):
        raise InvalidPayment(f"The value must be between 0.01 and {MAX_PAYMENT_VALUE}, in cents.", field="value")


def years_after(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` later; 29 February becomes the 28th in a year without it."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def payment_create(
    *,
    supplier: Supplier,
    due_date: datetime.date,
    value: Decimal,
    external_id: str | None = None,
    today: datetime.date | None = None,
) -> Payment:
    """A payment created on `today` (by default the day it is called), the day its due date is judged against.

    "Today" is read once, so the check and the creation date agree across midnight.
    """
    today = today or timezone.localdate()
    payment_validate(due_date=due_date, value=value, external_id=external_id, today=today)
    try:
        with transaction.atomic():
            # Exact in cents (validated above): quantizing writes it as money, 1E+3 as 1000.00, and never rounds.
            payment = Payment.objects.create(
                supplier=supplier,
                creation_date=today,
                due_date=due_date,
                value=value.quantize(CENT),
                external_id=external_id,
            )
    except IntegrityError as exc:
        if external_id is not None and Payment.objects.filter(supplier=supplier, external_id=external_id).exists():
            raise ExternalIdTaken(f"Supplier {supplier.pk} already has a payment with external id {external_id!r}.")
        raise exc
    payment_event_record(payment=payment, today=today)
    return payment


@transaction.atomic
def anticipation_request(*, payment: Payment, new_due_date: datetime.date, requested_by: User) -> Anticipation:
    """A supplier (or an operator on its behalf) asks for `payment` to be paid on `new_due_date`, at the price a
    quote gives (pricing.anticipation_price_check) under the programme's terms in force now."""
    today = timezone.localdate()
    # The row lock serialises concurrent requests for one payment; the unique constraint is the backstop. The
    # supplier and its user come along for the e-mail.
    payment = (
        Payment.objects.select_for_update(of=("self",))
        .select_related("supplier__user")
        .annotate(has_anticipation=Exists(Anticipation.objects.filter(payment=OuterRef("pk"))))
        .get(pk=payment.pk)
    )
    programme = programme_current()
    price = anticipation_price_check(
        payment=payment,
        anticipated=payment.has_anticipation,
        new_due_date=new_due_date,
        requested_by=requested_by,
        programme=programme,
        calendar=business_calendar(programme=programme),
        today=today,
    )

    try:
        with transaction.atomic():
            anticipation = Anticipation.objects.create(
                payment=payment,
                creation_date=today,
                update_date=today,
                new_due_date=new_due_date,
                new_value=price.new_value,
                monthly_rate=price.monthly_rate,
                programme_version_id=price.programme_version,
            )
    except IntegrityError as exc:
        raise AnticipationAlreadyExists(f"Payment {payment.pk} already has an anticipation.") from exc

    request_log = request_log_create(anticipation=anticipation, user=requested_by, action=RequestLogAction.REQUESTED)
    _supplier_notify(anticipation=anticipation, request_log=request_log)
    anticipation_event_record(anticipation=anticipation, event_type=WebhookEventType.ANTICIPATION_REQUESTED)
    return anticipation


@transaction.atomic
def anticipation_decide(*, anticipation: Anticipation, decision: Decision, decided_by: User) -> Anticipation:
    """An operator approves or denies a pending anticipation; of concurrent decisions exactly one wins."""
    if not decided_by.is_operator:
        raise OperatorRequired()
    decision = Decision(decision)
    today = timezone.localdate()

    anticipation = (
        Anticipation.objects.select_for_update(of=("self",))
        .select_related("payment__supplier__user")
        .get(pk=anticipation.pk)
    )
    if anticipation.payment.supplier.user_id == decided_by.pk:
        raise OwnAnticipationDecision()
    if anticipation.status != AnticipationStatus.PENDING_CONFIRMATION:
        raise AnticipationAlreadyDecided(
            f"Anticipation {anticipation.pk} was already {anticipation.get_status_display().lower()}."
        )
    if decision == Decision.APPROVED and anticipation.new_due_date < today:
        raise AnticipationExpired(f"The new due date {anticipation.new_due_date} has passed.")

    anticipation.status = decision.value
    anticipation.update_date = today
    anticipation.save(update_fields=["status", "update_date"])

    action = RequestLogAction.APPROVED if decision == Decision.APPROVED else RequestLogAction.DENIED
    try:
        with transaction.atomic():
            request_log = request_log_create(anticipation=anticipation, user=decided_by, action=action)
    except IntegrityError as exc:  # the one-decision constraint backs up the row lock
        raise AnticipationAlreadyDecided(f"Anticipation {anticipation.pk} was already decided.") from exc
    _supplier_notify(anticipation=anticipation, request_log=request_log)
    anticipation_event_record(
        anticipation=anticipation,
        event_type=(
            WebhookEventType.ANTICIPATION_APPROVED
            if decision == Decision.APPROVED
            else WebhookEventType.ANTICIPATION_DENIED
        ),
    )
    return anticipation


def _supplier_notify(*, anticipation: Anticipation, request_log: RequestLog) -> None:
    """The e-mail to the supplier about `request_log`'s action, written in the same transaction."""
    payment = anticipation.payment
    supplier = payment.supplier
    notification_create(
        request_log=request_log,
        recipient=supplier.user.email,
        language=supplier.language,
        context={
            "corporate_name": supplier.corporate_name,
            "action": request_log.action,
            "payment_id": payment.pk,
            "value": payment.value,
            "due_date": payment.due_date,
            "new_value": anticipation.new_value,
            "new_due_date": anticipation.new_due_date,
        },
    )

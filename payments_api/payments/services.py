import datetime
import re
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from payments_api.common.counts import counts_compact
from payments_api.common.exceptions import ValidationFailed
from payments_api.notifications.services import notification_create
from payments_api.payments.errors import (
    AnticipationAlreadyDecided,
    AnticipationAlreadyExists,
    AnticipationExpired,
    ExternalIdTaken,
    InvalidPayment,
    NotPaymentOwner,
    OperatorRequired,
    OwnAnticipationDecision,
)
from payments_api.payments.events import anticipation_event_record, payment_event_record
from payments_api.payments.metrics import anticipation_event_count
from payments_api.payments.models import (
    EXTERNAL_ID_MAX_LENGTH,
    MAX_PAYMENT_VALUE,
    Anticipation,
    AnticipationStatus,
    Decision,
    Payment,
    PaymentCount,
)
from payments_api.payments.pricing import CENT, anticipation_price_check
from payments_api.programme.selectors import business_calendar, programme_current
from payments_api.requestlogs.models import RequestLog, RequestLogAction
from payments_api.requestlogs.selectors import anticipation_requested_by
from payments_api.requestlogs.services import request_log_create
from payments_api.users.models import Supplier, User
from payments_api.users.selectors import supplier_controlled_by
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


def payment_supplier(*, created_by: User, supplier: Supplier | None) -> Supplier:
    """Whose payment `created_by` creates: an operator names the supplier; a supplier's user creates its own."""
    if created_by.is_operator:
        if supplier is None:
            raise ValidationFailed("This field is required.", field="supplier", field_code="required")
        return supplier
    own = created_by.supplier_or_none
    if own is None or (supplier is not None and supplier.pk != own.pk):
        raise NotPaymentOwner()
    return own


@transaction.atomic
def payment_create(
    *,
    created_by: User,
    supplier: Supplier | None = None,
    due_date: datetime.date,
    value: Decimal,
    external_id: str | None = None,
    today: datetime.date | None = None,
) -> Payment:
    """A payment created by `created_by` on `today` (by default the day it is called), the day its due date is judged
    against; whose it is, payment_supplier decides.

    "Today" is read once, so the check and the creation date agree across midnight.
    """
    supplier = payment_supplier(created_by=created_by, supplier=supplier)
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
                created_by=created_by,
            )
    except IntegrityError as exc:
        if external_id is not None and Payment.objects.filter(supplier=supplier, external_id=external_id).exists():
            raise ExternalIdTaken(f"Supplier {supplier.pk} already has a payment with external id {external_id!r}.")
        raise exc
    payment_event_record(payment=payment, today=today)
    return payment


@transaction.atomic
def anticipation_request(
    *, payment: Payment, new_due_date: datetime.date, requested_by: User, notify: bool = True
) -> Anticipation:
    """A supplier (or an operator on its behalf) asks for `payment` to be paid on `new_due_date`, at the price a
    quote gives (pricing.anticipation_price_check) under the programme's terms in force now.

    `notify=False` leaves the supplier's e-mail to the caller: a batch sends one for all its anticipations
    (batches.py). The anticipation comes with its payment, the payment's supplier and the supplier's user.
    """
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
    if notify:
        _supplier_notify(anticipation=anticipation, request_log=request_log)
    anticipation_event_count(event="requested", new_value=anticipation.new_value)
    anticipation_event_record(anticipation=anticipation, event_type=WebhookEventType.ANTICIPATION_REQUESTED)
    return anticipation


def anticipation_decider_check(*, anticipation: Anticipation, decided_by: User) -> None:
    """Four eyes: an operator does not decide what it filed (a request on a supplier's behalf) or what it controls
    (its own supplier account, or one whose account or supplier it created, re-passworded, re-addressed or linked).
    `anticipation` comes with its payment's supplier and user."""
    supplier = anticipation.payment.supplier
    if supplier.user_id == decided_by.pk:
        raise OwnAnticipationDecision()
    if anticipation_requested_by(anticipation_id=anticipation.pk) == decided_by.pk:
        raise OwnAnticipationDecision("An operator cannot decide an anticipation it requested; another operator must.")
    if supplier_controlled_by(supplier=supplier, user=decided_by):
        raise OwnAnticipationDecision(
            "An operator cannot decide an anticipation of a supplier whose account or supplier it created, set the "
            "password or e-mail of, or linked; another operator must."
        )


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
    anticipation_decider_check(anticipation=anticipation, decided_by=decided_by)
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
    event = "approved" if decision == Decision.APPROVED else "denied"
    anticipation_event_count(event=event, new_value=anticipation.new_value)
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


def payment_counts_compact() -> int:
    """Add PaymentCount's rows up into one per due date and anticipation status (beat runs it every minute)."""
    return counts_compact(model=PaymentCount, keys=("due_date", "anticipation_status"), column="payments")

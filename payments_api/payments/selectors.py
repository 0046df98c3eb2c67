import datetime

from django.db.models import F, QuerySet
from django.utils import timezone

from payments_api.common.counts import CountSum, counts_maintained
from payments_api.payments.models import Anticipation, AnticipationStatus, Payment, PaymentCount, PaymentStatus
from payments_api.users.models import User
from payments_api.users.selectors import list_order, scope_to_user


def payments_visible_to(
    *, user: User, status: str | None = None, external_id: str | None = None, today: datetime.date | None = None
) -> QuerySet[Payment]:
    """The payments `user` may see, in state `status` on `today` and with `external_id` if given, in the user's list
    order.

    Each carries `anticipation_status` (None without an anticipation), from which Payment.status_on derives its
    state in Python (far cheaper per request than building and compiling a CASE over the five conditions), and
    `anticipation_id`.
    """
    today = today or timezone.localdate()
    payments = scope_to_user(Payment.objects.all(), user=user, supplier_field="supplier_id")
    if status:
        payments = payments.filter(PaymentStatus.conditions(today=today)[PaymentStatus(status)])
    if external_id:
        payments = payments.filter(external_id=external_id)
    return payments.annotate(
        anticipation_status=F("anticipation__status"), anticipation_id=F("anticipation__id")
    ).order_by(list_order(user=user))


def payments_count(
    *,
    user: User,
    today: datetime.date,
    status: str | None = None,
    supplier: int | None = None,
    external_id: str | None = None,
    due_date_after: datetime.date | None = None,
    due_date_before: datetime.date | None = None,
) -> CountSum | None:
    """The exact count of an operator's list of payments so filtered, added up from PaymentCount.

    None where the rows themselves are counted: a supplier's own list, one supplier's (as many as it owns), or one
    invoice number's (found through its index).
    """
    if not user.is_operator or supplier is not None or external_id or not counts_maintained():
        return None
    counts = PaymentCount.objects.all()
    if status:
        counts = counts.filter(PaymentStatus.count_conditions(today=today)[PaymentStatus(status)])
    if due_date_after:
        counts = counts.filter(due_date__gte=due_date_after)
    if due_date_before:
        counts = counts.filter(due_date__lte=due_date_before)
    return CountSum(counts, "payments")


def anticipations_visible_to(*, user: User) -> QuerySet[Anticipation]:
    anticipations = scope_to_user(Anticipation.objects.all(), user=user, supplier_field="payment__supplier_id")
    return anticipations.order_by(list_order(user=user))


def anticipations_count(*, user: User, status: str | None = None) -> CountSum | None:
    """The exact count of an operator's list of anticipations (in `status`), from PaymentCount; None for a
    supplier, whose rows are counted."""
    if not user.is_operator or not counts_maintained():
        return None
    counts = PaymentCount.objects.filter(anticipation_status__in=[status] if status else AnticipationStatus.values)
    return CountSum(counts, "payments")

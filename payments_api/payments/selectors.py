import datetime

from django.db.models import Case, CharField, QuerySet, Value, When
from django.utils import timezone

from payments_api.payments.models import Anticipation, Payment, PaymentStatus
from payments_api.users.models import User
from payments_api.users.selectors import scope_to_user


def payment_status_expression(*, today: datetime.date) -> Case:
    """The payment's state as an SQL expression, built from the same conditions the filter uses."""
    whens = [When(condition, then=Value(status)) for status, condition in PaymentStatus.conditions(today=today).items()]
    return Case(*whens, output_field=CharField())


def payments_visible_to(*, user: User, status: str | None = None) -> QuerySet[Payment]:
    today = timezone.localdate()
    payments = scope_to_user(Payment.objects.all(), user=user, supplier_field="supplier_id")
    if status:
        payments = payments.filter(PaymentStatus.conditions(today=today)[PaymentStatus(status)])
    return payments.annotate(status=payment_status_expression(today=today)).order_by("id")


def anticipations_visible_to(*, user: User) -> QuerySet[Anticipation]:
    return scope_to_user(Anticipation.objects.all(), user=user, supplier_field="payment__supplier_id").order_by("id")

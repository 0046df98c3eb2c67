from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from payments_api.payments.models import Anticipation
from payments_api.requestlogs.models import RequestLog, RequestLogAction
from payments_api.users.models import User

SUBJECTS = {
    RequestLogAction.REQUESTED: "Anticipation requested for payment #{payment_id}",
    RequestLogAction.APPROVED: "Anticipation approved for payment #{payment_id}",
    RequestLogAction.DENIED: "Anticipation denied for payment #{payment_id}",
}


def request_log_create(*, anticipation: Anticipation, user: User, action: RequestLogAction) -> RequestLog:
    return RequestLog.objects.create(anticipation=anticipation, user=user, action=action)


def request_log_notify(*, request_log: RequestLog) -> None:
    """E-mail the supplier what happened to its payment: the payment, the new value and the new date."""
    anticipation = request_log.anticipation
    payment = anticipation.payment
    supplier = payment.supplier
    context = {
        "action": request_log.get_action_display().lower(),
        "supplier": supplier,
        "payment": payment,
        "anticipation": anticipation,
    }
    send_mail(
        subject=SUBJECTS[request_log.action].format(payment_id=payment.pk),
        message=render_to_string("requestlogs/anticipation_email.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[supplier.user.email],
    )

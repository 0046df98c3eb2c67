"""The services' refusals as a supplier reads them on a page, in the page's language.

The rule and its code come from the service (payments/errors.py); only the wording is the portal's. A code with no
wording here is shown by the refusal's own title.
"""

import datetime

from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy as _

from payments_api.common.exceptions import DomainError

REFUSALS = {
    "payment-not-available": _("This payment can no longer be paid early."),
    "anticipation-exists": _("This payment already has a request for early payment."),
    "invalid-new-due-date": _("This date is not allowed for this payment."),
    "not-a-business-day": _("This date is not a business day."),
    "not-payment-owner": _("This payment is not yours."),
}


def refusal_message(exc: DomainError) -> str:
    """What the supplier reads for `exc`: its wording here, and the nearest business days where the date was not one."""
    message = str(REFUSALS.get(exc.code, exc.title))
    around = [exc.extensions.get(name) for name in ("previous_business_day", "next_business_day")]
    days = [date_format(datetime.date.fromisoformat(day)) for day in around if day]
    if days:
        message += " " + gettext("Nearest business days: %(days)s.") % {"days": ", ".join(days)}
    return message

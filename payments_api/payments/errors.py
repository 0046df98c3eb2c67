import datetime
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from payments_api.common.exceptions import Conflict, DomainError, Forbidden, ValidationFailed


class PaymentNotAvailable(Conflict):
    code = "payment-not-available"
    title = _("The payment is not available for anticipation.")


class AnticipationAlreadyExists(Conflict):
    code = "anticipation-exists"
    title = _("This payment already has an anticipation.")


class AnticipationAlreadyDecided(Conflict):
    code = "anticipation-already-decided"
    title = _("This anticipation has already been decided.")


class AnticipationExpired(Conflict):
    code = "anticipation-expired"
    title = _("The anticipation's new due date has passed; it can no longer be approved.")


class InvalidNewDueDate(ValidationFailed):
    code = "invalid-new-due-date"
    title = _("The new due date is not valid for this payment.")


class NotABusinessDay(ValidationFailed):
    """The programme pays on business days only; the problem names the nearest allowed business days around."""

    code = "not-a-business-day"
    title = _("The new due date is not a business day.")

    def __init__(
        self,
        detail: str | None = None,
        *,
        field: str | None = None,
        previous_business_day: datetime.date | None,
        next_business_day: datetime.date | None,
    ):
        super().__init__(detail, field=field)
        self.extensions = {
            "previous_business_day": previous_business_day and previous_business_day.isoformat(),
            "next_business_day": next_business_day and next_business_day.isoformat(),
        }


class InvalidPayment(ValidationFailed):
    code = "invalid-payment"
    title = _("The payment is not valid.")


class OperatorRequired(Forbidden):
    code = "operator-required"
    title = _("Only operators may decide anticipations.")


class OwnAnticipationDecision(Forbidden):
    code = "own-anticipation"
    title = _("An operator cannot decide an anticipation it filed or of a supplier it controls.")


class NotPaymentOwner(Forbidden):
    code = "not-payment-owner"
    title = _("Suppliers may only act on their own payments.")


class ExternalIdTaken(Conflict):
    code = "external-id-exists"
    title = _("The supplier already has a payment with this external id.")


class BudgetExceeded(Conflict):
    """Approving would take the month's approvals past the programme's monthly budget; the problem says what is left."""

    code = "budget-exceeded"
    title = _("Approving this anticipation would exceed the month's funding budget.")

    def __init__(self, detail: str | None = None, *, month: datetime.date, budget: Decimal, remaining: Decimal):
        super().__init__(detail)
        self.extensions = {"month": month.strftime("%Y-%m"), "budget": str(budget), "remaining": str(remaining)}


class AlreadyApprovedByYou(Conflict):
    code = "already-approved-by-you"
    title = _("You already approved this anticipation; it needs the approval of another operator.")


class BatchFailed(Conflict):
    """An all-or-none batch with a failing item: nothing was written; the problem lists every item's result."""

    code = "batch-failed"
    title = _("An item of the all-or-none batch failed, so none of it was written.")

    def __init__(self, detail: str | None = None, *, outcome: dict):
        super().__init__(detail)
        self.extensions = outcome  # succeeded, failed and results, as a batch that was written answers them


class ImportInvalid(ValidationFailed):
    """A payables file with errors: nothing was written; `errors` names each row (its line, the header being 1)."""

    code = "import-invalid"
    title = _("The payables file has errors; nothing was imported.")

    def __init__(self, detail: str | None = None, *, errors: list[dict]):
        super().__init__(detail)
        self.extensions = {"errors": errors}


class ImportTooLarge(DomainError):
    code = "payload-too-large"
    title = _("The payables file is too large.")
    http_status = 413

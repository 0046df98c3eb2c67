import datetime

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from payments_api.payments.models import EXTERNAL_ID_MAX_LENGTH, AnticipationStatus, PaymentStatus
from payments_api.users.models import Language

# A list's filter that keeps every row: "Todos" in Portuguese, for payments and requests alike.
EVERY = pgettext_lazy("every payment or request", "All")


class SignInForm(AuthenticationForm):
    """Django's login form with the e-mail as the username; its POST counts against the API's login limits
    (common/throttling.py login_wait reads the same `username` field)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The e-mail or the password is not right."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("E-mail")
        self.fields["username"].widget = forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True})
        self.fields["password"].label = _("Password")


class PaymentFilterForm(forms.Form):
    """The list's filters: the state of a payment today, and the buyer's invoice number."""

    status = forms.ChoiceField(choices=[("", EVERY), *PaymentStatus.choices], required=False, label=_("Status"))
    external_id = forms.CharField(
        required=False, strip=True, max_length=EXTERNAL_ID_MAX_LENGTH, label=_("Invoice number")
    )


class AnticipationStatusForm(forms.Form):
    status = forms.ChoiceField(choices=[("", EVERY), *AnticipationStatus.choices], required=False)


class NewDueDateForm(forms.Form):
    new_due_date = forms.DateField(label=_("New due date"), input_formats=["%Y-%m-%d"])


class SupplierLanguageForm(forms.Form):
    language = forms.ChoiceField(
        choices=Language.choices, widget=forms.RadioSelect, label=_("Language of the e-mails we send you")
    )


class MonthForm(forms.Form):
    """?month=YYYY-MM: the statement's month, the picker's month."""

    month = forms.DateField(input_formats=["%Y-%m"], required=False)

    def month_or(self, default: datetime.date) -> datetime.date:
        return (self.cleaned_data.get("month") if self.is_valid() else None) or default

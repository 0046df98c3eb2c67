from django.utils.translation import gettext_lazy as _

from payments_api.common.exceptions import Forbidden, ValidationFailed


class InvalidProgrammeTerms(ValidationFailed):
    code = "invalid-programme-terms"
    title = _("The programme's terms are not valid.")


class SuperuserRequired(Forbidden):
    code = "superuser-required"
    title = _("Only superusers may change the programme's terms.")


class OperatorRequired(Forbidden):
    code = "operator-required"
    title = _("Only operators may change the calendar.")

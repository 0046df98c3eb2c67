from payments_api.common.exceptions import Forbidden, ValidationFailed


class InvalidProgrammeTerms(ValidationFailed):
    code = "invalid-programme-terms"
    title = "The programme's terms are not valid."


class SuperuserRequired(Forbidden):
    code = "superuser-required"
    title = "Only superusers may change the programme's terms."


class OperatorRequired(Forbidden):
    code = "operator-required"
    title = "Only operators may change the calendar."

import re
from decimal import Decimal

from rest_framework import ISO_8601, serializers

from payments_api.common.models import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS

# ASCII only: Python's \d and Decimal() also take full-width and other scripts' digits ("１０", "१०"). Matched with
# fullmatch, since "$" also matches before a trailing newline.
_DIGITS = re.compile(r"[0-9]+")
_PLAIN_DECIMAL = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class StrictPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A primary key given as a whole number (or a string of digits): 1.5, true or "1e3" are refused, not coerced."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not (isinstance(data, int) or (isinstance(data, str) and _DIGITS.fullmatch(data))):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


class StrictDecimalField(serializers.DecimalField):
    """An amount as a JSON number or a plain decimal string ("-12.50"), with its exact digits.

    The JSON parser reads numbers as Decimal, so precision is checked on what the client wrote; strings that
    Decimal() would also read ("1_000", "1e3", " 1", other scripts' digits) are refused rather than reinterpreted.
    """

    def to_internal_value(self, data):
        if isinstance(data, str):
            if not _PLAIN_DECIMAL.fullmatch(data):
                self.fail("invalid")
        elif isinstance(data, bool) or not isinstance(data, (int, Decimal)):
            self.fail("invalid")  # a binary float has already lost the digits the client sent
        return super().to_internal_value(data)


class StrictMoneyField(StrictDecimalField):
    """An amount of money with the digits of common.models.MoneyField, read as StrictDecimalField reads it."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, **kwargs)


class StrictDateField(serializers.DateField):
    """A date written exactly as YYYY-MM-DD in ASCII digits, as the error message says; no other ISO 8601 form."""

    def __init__(self, **kwargs):
        super().__init__(input_formats=[ISO_8601], **kwargs)

    def to_internal_value(self, value):
        if not (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
            self.fail("invalid", format="YYYY-MM-DD")
        return super().to_internal_value(value)

import re

from rest_framework import serializers

_DIGITS = re.compile(r"^[0-9]+$")


class StrictPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A primary key given as a whole number (or a string of digits): 1.5, true or "1e3" are refused, not coerced."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not (isinstance(data, int) or (isinstance(data, str) and _DIGITS.match(data))):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)

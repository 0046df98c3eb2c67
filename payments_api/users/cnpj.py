"""CNPJ, the Brazilian company registration number, in its numeric and alphanumeric (July 2026) forms.

Each of the first twelve characters is worth its ASCII code minus 48 (digits 0-9, letters A=17 ... Z=42);
the two check digits are computed with the modulus-11 weights of the numeric form, which they keep.
"""

import re

from django.core.exceptions import ValidationError

_FORMATTING = re.compile(r"[\s./-]")
_SHAPE = re.compile(r"^[0-9A-Z]{12}[0-9]{2}$")
_WEIGHTS = (6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)


def normalize_cnpj(value: str) -> str:
    """Strip the usual punctuation (12.ABC.345/01DE-35) and upper-case the letters."""
    return _FORMATTING.sub("", value or "").upper()


def check_digit(base: str) -> str:
    total = sum((ord(char) - 48) * weight for char, weight in zip(base, _WEIGHTS[-len(base) :]))
    remainder = total % 11
    return "0" if remainder < 2 else str(11 - remainder)


def is_valid_cnpj(value: str) -> bool:
    if not _SHAPE.match(value) or len(set(value)) == 1:
        return False
    first = check_digit(value[:12])
    second = check_digit(value[:12] + first)
    return value[12:] == first + second


def validate_cnpj(value: str) -> None:
    if not is_valid_cnpj(normalize_cnpj(value)):
        raise ValidationError("Enter a valid CNPJ (14 characters with valid check digits).", code="invalid_cnpj")


def format_cnpj(value: str) -> str:
    """The 14 characters as printed: 12.ABC.345/01DE-35 (anything else is returned as it is)."""
    if len(value) != 14:
        return value
    return f"{value[:2]}.{value[2:5]}.{value[5:8]}/{value[8:12]}-{value[12:]}"

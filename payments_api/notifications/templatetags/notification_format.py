"""Filters that write an e-mail's amounts and dates in the active language's format.

A notification's context is stored as JSON, so its amounts and dates arrive as text ("12345.67", "2027-03-15").
"""

import datetime
from decimal import Decimal, InvalidOperation

from django import template
from django.utils import formats

register = template.Library()


@register.filter
def money(value: object) -> str:
    """12345.67 as "R$ 12.345,67" in Portuguese, "R$ 12,345.67" in English."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return "R$ " + formats.number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)


@register.filter
def short_date(value: object) -> str:
    """2027-03-15 as "15/03/2027" in Portuguese, "03/15/2027" in English."""
    try:
        day = value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return formats.date_format(day, "SHORT_DATE_FORMAT")

"""Query-string filters for the lists, with django-filter: strict about what they accept, and shown in the schema.

A value a known filter cannot take is a 400 problem (django-filter's backend raises a ValidationError, which the
exception handler renders); unknown parameters are ignored, as DRF does.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django_filters import filters
from django_filters.fields import ChoiceField
from django_filters.rest_framework import DjangoFilterBackend, FilterSet
from django_filters.utils import translate_validation
from drf_spectacular.utils import extend_schema_field

# Ids are positive bigints: anything larger could never match, and would overflow the query's parameter.
MAX_ID = 2**63 - 1
# Matched with fullmatch: "$" also matches before a trailing newline, and \d takes other scripts' digits.
_DIGITS = re.compile(r"[0-9]+")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class CodeChoiceField(ChoiceField):
    """A status or action code in any case, with spaces around: "pc", " PC " and "PC" are one choice."""

    def to_python(self, value):
        return super().to_python(value).strip(" ").upper()


class CodeFilter(filters.ChoiceFilter):
    field_class = CodeChoiceField


class IdField(forms.IntegerField):
    """A whole number from 1 written in ASCII digits: int() would also take " 5", "5.0" and full-width digits."""

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)

    def to_python(self, value):
        if value not in self.empty_values and not (isinstance(value, str) and _DIGITS.fullmatch(value)):
            raise ValidationError("A whole number from 1.", code="invalid")
        return super().to_python(value)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(filters.Filter):
    field_class = IdField


class IsoDateField(forms.DateField):
    """A date written exactly as YYYY-MM-DD in ASCII digits, as dates are everywhere else in the API."""

    input_formats = ["%Y-%m-%d"]

    def to_python(self, value):
        if value not in self.empty_values and not (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
            raise ValidationError("A date as YYYY-MM-DD.", code="invalid")
        return super().to_python(value)


@extend_schema_field({"type": "string", "format": "date"})
class IsoDateFilter(filters.DateFilter):
    field_class = IsoDateField


class ListFilterBackend(DjangoFilterBackend):
    """django-filter's backend, for lists only, which also hands the view to its filter set and keeps the validated
    values on the view (`list_filters`): a list's count is chosen from them."""

    def get_filterset_kwargs(self, request, queryset, view):
        return {**super().get_filterset_kwargs(request, queryset, view), "view": view}

    def filter_queryset(self, request, queryset, view):
        if getattr(view, "action", "list") != "list":
            return queryset  # a detail is found by its id alone
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and not set(filterset_class.base_filters) & set(request.query_params):
            # No filter asked for (most lists): nothing to validate or apply, and building the filter set's form
            # (a deep copy of its filters, then a form) would cost the request about a tenth of its time.
            view.list_filters = {}
            return queryset
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        filters = filterset.form.cleaned_data.items()
        view.list_filters = {name: value for name, value in filters if value not in (None, "")}
        return filterset.qs


class ListFilterSet(FilterSet):
    def __init__(self, *args, view=None, **kwargs):
        self.view = view
        super().__init__(*args, **kwargs)

"""The admin speaks the operator's language down to the names of the fields: every model an operator sees there, and
each of its fields, has a name in the pt-BR catalog (the column headers, the filters and the forms are made of them)."""

import pytest
from django.contrib import admin
from django.utils import translation

MODELS = [model for model in admin.site._registry if model.__module__.startswith("payments_api.")]


def field_names(model) -> list[tuple[str, str]]:
    return [
        (field.name, str(field.verbose_name))
        for field in model._meta.get_fields()
        if getattr(field, "concrete", False) and field.name != "id"
    ]


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_every_field_of_a_model_in_the_admin_has_a_portuguese_name(model):
    english = dict(field_names(model))
    with translation.override("pt-br"):
        portuguese = dict(field_names(model))

    untranslated = {
        name: label
        for name, label in english.items()
        # Words that are the same in both languages, or Django's own (translated by Django's catalog).
        if portuguese[name] == label and label not in {"URL", "CNPJ", "endpoint", "e-mail", "id"}
    }
    assert untranslated == {}

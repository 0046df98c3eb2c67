"""The admin speaks the operator's language down to the names of the fields, their help and their choices: every model
an operator sees there, each of its fields, its help text and each choice of a field is in the pt-BR catalog (the
column headers, the filters, the cells and the forms are made of them)."""

import pytest
from django.utils import translation

from payments_api.common.tests.admin_models import ADMIN_MODELS


def field_names(model) -> list[tuple[str, str]]:
    return [
        (field.name, str(field.verbose_name))
        for field in model._meta.get_fields()
        if getattr(field, "concrete", False) and field.name != "id"
    ]


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda model: model.__name__)
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


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda model: model.__name__)
def test_every_choice_of_a_field_in_the_admin_has_a_portuguese_name(model):
    def choices() -> dict[tuple[str, str], str]:
        return {
            (field.name, str(value)): str(label)
            for field in model._meta.concrete_fields
            # A language is named in its own language ("English", "Português (Brasil)") whatever the page's.
            if field.choices and field.name != "language"
            for value, label in field.flatchoices
        }

    english = choices()
    with translation.override("pt-br"):
        portuguese = choices()

    assert {key: label for key, label in english.items() if portuguese[key] == label} == {}


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda model: model.__name__)
def test_every_help_text_of_a_field_in_the_admin_is_in_portuguese(model):
    def help_texts() -> dict[str, str]:
        return {field.name: str(field.help_text) for field in model._meta.concrete_fields if field.help_text}

    english = help_texts()
    with translation.override("pt-br"):
        portuguese = help_texts()

    assert {name: text for name, text in english.items() if portuguese[name] == text} == {}

"""CNPJ validation (numeric and alphanumeric), normalisation, and how Supplier.reg_number is kept in shape."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from payments_api.users.admin import SupplierForm
from payments_api.users.cnpj import check_digit, is_valid_cnpj, normalize_cnpj, validate_cnpj
from payments_api.users.models import Supplier
from payments_api.users.tests.factories import SupplierFactory, UserFactory

NUMERIC = "11222333000181"
ALPHANUMERIC = "12ABC34501DE35"


@pytest.mark.parametrize(
    ("formatted", "normalized"),
    [
        ("11.222.333/0001-81", NUMERIC),
        ("12.ABC.345/01DE-35", ALPHANUMERIC),
        ("12.abc.345/01de-35", ALPHANUMERIC),
        (" 12 ABC 345 01DE 35 ", ALPHANUMERIC),
        (NUMERIC, NUMERIC),
        ("", ""),
        (None, ""),
    ],
)
def test_normalize_strips_punctuation_and_upper_cases(formatted, normalized):
    assert normalize_cnpj(formatted) == normalized


@pytest.mark.parametrize("cnpj", [NUMERIC, ALPHANUMERIC, "11444777000161", "00000000000191"])
def test_valid_numeric_and_alphanumeric_cnpjs(cnpj):
    assert is_valid_cnpj(cnpj)
    validate_cnpj(cnpj)


@pytest.mark.parametrize("cnpj", ["11.222.333/0001-81", "12.ABC.345/01DE-35", "12.abc.345/01de-35", "12abc34501de35"])
def test_validate_accepts_formatted_and_lower_case_input(cnpj):
    validate_cnpj(cnpj)


def test_the_check_digits_of_the_alphanumeric_example():
    assert check_digit("12ABC34501DE") == "3"
    assert check_digit("12ABC34501DE3") == "5"


@pytest.mark.parametrize(
    "cnpj",
    [
        "11222333000182",  # second digit wrong
        "11222333000191",  # first digit wrong
        "11222333000118",  # digits swapped
        "12ABC34501DE36",
        "12ABC34501DE53",
        "12ABD34501DE35",  # a letter changed, same digits
        "21ABC34501DE35",  # two characters swapped
    ],
)
def test_wrong_check_digits_are_invalid(cnpj):
    assert not is_valid_cnpj(cnpj)
    with pytest.raises(ValidationError) as raised:
        validate_cnpj(cnpj)
    assert raised.value.code == "invalid_cnpj"


@pytest.mark.parametrize("digit", "0123456789")
def test_repeated_digits_are_invalid(digit):
    assert not is_valid_cnpj(digit * 14)
    with pytest.raises(ValidationError):
        validate_cnpj(digit * 14)


def test_all_zeros_is_refused_by_the_repetition_rule_not_by_the_check_digits():
    first = check_digit("0" * 12)
    assert first + check_digit("0" * 12 + first) == "00"
    assert not is_valid_cnpj("0" * 14)


@pytest.mark.parametrize(
    "cnpj",
    [
        "1122233300018",  # 13
        "112223330001810",  # 15
        "",
        "11.222.333/0001-8",
        "12ABC34501DEA5",  # a letter among the check digits
        "12ABC34501D$35",
        "12ABC34501DE3",
    ],
)
def test_wrong_length_or_characters_are_invalid(cnpj):
    assert not is_valid_cnpj(normalize_cnpj(cnpj))
    with pytest.raises(ValidationError):
        validate_cnpj(cnpj)


def test_is_valid_expects_the_normalized_form():
    assert not is_valid_cnpj("12abc34501de35")
    assert is_valid_cnpj(normalize_cnpj("12abc34501de35"))


# --- the database ----------------------------------------------------------------------------------------------------


# All fit the column's 14 characters, so only the shape check can refuse them.
@pytest.mark.parametrize(
    "reg_number", ["11222.333/0001", "12abc34501de35", "1122233300018", "12ABC34501DEA5", "12ABC-4501DE35"]
)
def test_the_database_refuses_a_reg_number_of_the_wrong_shape(db, reg_number):
    user = UserFactory()

    with pytest.raises(IntegrityError):
        with transaction.atomic():
            Supplier.objects.create(user=user, corporate_name="Shapeless Ltda", reg_number=reg_number)

    assert not Supplier.objects.exists()


@pytest.mark.parametrize("reg_number", [NUMERIC, ALPHANUMERIC])
def test_the_database_accepts_a_reg_number_of_the_right_shape(db, reg_number):
    supplier = Supplier.objects.create(user=UserFactory(), corporate_name="Shapely Ltda", reg_number=reg_number)

    assert Supplier.objects.get(pk=supplier.pk).reg_number == reg_number


def test_the_database_refuses_a_duplicate_reg_number(db):
    SupplierFactory(reg_number=ALPHANUMERIC)

    with pytest.raises(IntegrityError):
        with transaction.atomic():
            SupplierFactory(reg_number=ALPHANUMERIC)

    assert Supplier.objects.filter(reg_number=ALPHANUMERIC).count() == 1


def test_model_validation_refuses_an_invalid_cnpj(db):
    supplier = Supplier(user=UserFactory(), corporate_name="Invalid Ltda", reg_number="11222333000182")

    with pytest.raises(ValidationError) as raised:
        supplier.full_clean()

    assert "reg_number" in raised.value.message_dict


def test_model_clean_normalizes_a_lower_case_reg_number(db):
    supplier = Supplier(user=UserFactory(), corporate_name="Lower Ltda", reg_number="12abc34501de35")

    supplier.full_clean()

    assert supplier.reg_number == ALPHANUMERIC


# --- the admin form --------------------------------------------------------------------------------------------------


def supplier_form(user, reg_number: str) -> SupplierForm:
    return SupplierForm(
        data={"user": user.pk, "corporate_name": "Formatted Ltda", "reg_number": reg_number, "language": "pt-br"}
    )


@pytest.mark.parametrize(
    ("formatted", "stored"),
    [("12.abc.345/01de-35", ALPHANUMERIC), ("12.ABC.345/01DE-35", ALPHANUMERIC), ("11.222.333/0001-81", NUMERIC)],
)
def test_supplier_form_stores_formatted_input_normalized(db, formatted, stored):
    form = supplier_form(UserFactory(), formatted)

    assert form.is_valid(), form.errors
    supplier = form.save()
    assert Supplier.objects.get(pk=supplier.pk).reg_number == stored


@pytest.mark.parametrize("reg_number", ["11.222.333/0001-82", "00.000.000/0000-00", "12.ABC.345/01DE"])
def test_supplier_form_refuses_an_invalid_cnpj(db, reg_number):
    form = supplier_form(UserFactory(), reg_number)

    assert not form.is_valid()
    assert "reg_number" in form.errors
    assert not Supplier.objects.exists()


def test_supplier_form_refuses_a_cnpj_already_taken_in_another_format(db):
    SupplierFactory(reg_number=ALPHANUMERIC)

    form = supplier_form(UserFactory(), "12.abc.345/01de-35")

    assert not form.is_valid()
    assert "reg_number" in form.errors
    assert Supplier.objects.count() == 1


def test_a_cnpj_is_formatted_as_printed():
    from payments_api.users.cnpj import format_cnpj

    assert format_cnpj("12ABC34501DE35") == "12.ABC.345/01DE-35"
    assert format_cnpj("11222333000181") == "11.222.333/0001-81"
    assert format_cnpj("123") == "123"

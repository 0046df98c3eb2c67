"""GET/POST /api/payments/ and GET /api/payments/{id}/: scoping, the status filter, pagination, creation rules."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from payments_api.common.tests.problems import assert_problem
from payments_api.common.tests.spellings import OTHER_DATE_SPELLINGS
from payments_api.payments.models import AnticipationStatus, Payment
from payments_api.payments.services import years_after
from payments_api.payments.tests.factories import AnticipationFactory, PaymentFactory, days

URL = "/api/payments/"


def detail_url(pk) -> str:
    return f"{URL}{pk}/"


def rendered(payment: Payment, status: str) -> dict:
    return {
        "id": payment.pk,
        "supplier": payment.supplier_id,
        "creation_date": payment.creation_date.isoformat(),
        "due_date": payment.due_date.isoformat(),
        "value": f"{payment.value:.2f}",
        "external_id": payment.external_id,
        "status": status,
    }


def ids(response) -> list[int]:
    return [item["id"] for item in response.json()["results"]]


def payments_in_every_state(supplier) -> dict[str, list[Payment]]:
    """For `supplier`, payments in each of the five filter states, including the edge cases of each."""
    approved, denied = AnticipationStatus.APPROVED, AnticipationStatus.DENIED
    pending = AnticipationStatus.PENDING_CONFIRMATION

    def anticipated(status, *, due_date=None, new_due_date=None):
        return AnticipationFactory(
            payment__supplier=supplier,
            payment__due_date=due_date or days(30),
            new_due_date=new_due_date or days(10),
            status=status,
        ).payment

    return {
        "A": [
            PaymentFactory(supplier=supplier, due_date=days(30)),
            PaymentFactory(supplier=supplier, due_date=days(1)),
        ],
        "U": [
            PaymentFactory(supplier=supplier, due_date=days(0)),
            PaymentFactory(supplier=supplier, due_date=days(-1)),
            anticipated(pending, due_date=days(-1), new_due_date=days(-5)),
        ],
        "PC": [anticipated(pending)],
        "AN": [anticipated(approved), anticipated(approved, due_date=days(-1), new_due_date=days(-5))],
        "D": [anticipated(denied), anticipated(denied, due_date=days(-1), new_due_date=days(-5))],
    }


# --- list and detail -------------------------------------------------------------------------------------------------


def test_supplier_lists_only_its_own_payments(supplier_client, supplier, other_supplier):
    own = PaymentFactory.create_batch(2, supplier=supplier)
    PaymentFactory(supplier=other_supplier)

    response = supplier_client.get(URL)

    assert response.status_code == 200
    assert response.json() == {
        "count": 2,
        "next": None,
        "previous": None,
        "results": [rendered(payment, "A") for payment in own],
    }


def test_operator_lists_every_suppliers_payments(operator_client, supplier, other_supplier):
    payments = [PaymentFactory(supplier=supplier), PaymentFactory(supplier=other_supplier)]

    response = operator_client.get(URL)

    assert response.status_code == 200
    assert "count" not in response.json()  # operators page by cursor, newest first
    assert response.json()["results"] == [rendered(payment, "A") for payment in reversed(payments)]


def test_supplier_retrieves_its_own_payment(supplier_client, supplier):
    payment = PaymentFactory(supplier=supplier, value=Decimal("1234.5"))

    response = supplier_client.get(detail_url(payment.pk))

    assert response.status_code == 200
    assert response.json() == rendered(payment, "A")


def test_operator_retrieves_any_suppliers_payment(operator_client, supplier):
    payment = PaymentFactory(supplier=supplier)

    response = operator_client.get(detail_url(payment.pk))

    assert response.status_code == 200
    assert response.json() == rendered(payment, "A")


def test_supplier_cannot_retrieve_another_suppliers_payment(supplier_client, other_supplier):
    payment = PaymentFactory(supplier=other_supplier)

    response = supplier_client.get(detail_url(payment.pk))

    assert_problem(response, 404, "not-found")
    assert "supplier" not in response.json()


def test_unknown_payment_is_not_found(operator_client, supplier):
    payment = PaymentFactory(supplier=supplier)

    assert_problem(operator_client.get(detail_url(payment.pk + 1000)), 404, "not-found")


@pytest.mark.parametrize(
    "stored, shown",
    [("1000", "1000.00"), ("12.5", "12.50"), ("0.01", "0.01"), ("999999999.99", "999999999.99")],
)
def test_money_is_rendered_as_a_string_with_two_decimals(supplier_client, supplier, stored, shown):
    payment = PaymentFactory(supplier=supplier, value=Decimal(stored))

    assert supplier_client.get(detail_url(payment.pk)).json()["value"] == shown
    assert supplier_client.get(URL).json()["results"][0]["value"] == shown


# --- the ?status= filter ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["A", "U", "PC", "AN", "D"])
def test_status_filter_returns_exactly_the_suppliers_payments_in_that_state(
    supplier_client, supplier, other_supplier, status
):
    own = payments_in_every_state(supplier)
    payments_in_every_state(other_supplier)

    response = supplier_client.get(URL, {"status": status})

    assert response.status_code == 200
    assert response.json()["count"] == len(own[status])
    assert response.json()["results"] == [rendered(payment, status) for payment in own[status]]


@pytest.mark.parametrize("status", ["A", "U", "PC", "AN", "D"])
def test_status_filter_for_an_operator_covers_every_supplier(operator_client, supplier, other_supplier, status):
    expected = payments_in_every_state(supplier)[status] + payments_in_every_state(other_supplier)[status]

    response = operator_client.get(URL, {"status": status, "page_size": 100})

    assert response.status_code == 200
    assert ids(response) == sorted((payment.pk for payment in expected), reverse=True)
    assert {item["status"] for item in response.json()["results"]} == {status}


def test_each_payment_is_in_exactly_one_state(supplier_client, supplier):
    payments_in_every_state(supplier)

    unfiltered = supplier_client.get(URL, {"page_size": 100}).json()
    by_state = [ids(supplier_client.get(URL, {"status": status})) for status in ["A", "U", "PC", "AN", "D"]]

    every_id = [pk for state_ids in by_state for pk in state_ids]
    assert sorted(every_id) == [item["id"] for item in unfiltered["results"]]
    assert len(every_id) == len(set(every_id)) == unfiltered["count"]


@pytest.mark.parametrize(
    "given, status", [("a", "A"), ("u", "U"), ("pc", "PC"), ("Pc", "PC"), ("an", "AN"), ("d", "D")]
)
def test_status_filter_is_case_insensitive(supplier_client, supplier, given, status):
    own = payments_in_every_state(supplier)

    response = supplier_client.get(URL, {"status": given})

    assert response.status_code == 200
    assert ids(response) == [payment.pk for payment in own[status]]


@pytest.mark.parametrize("status", ["", "  "])
def test_blank_status_filter_lists_every_payment(supplier_client, supplier, status):
    every = sorted(payment.pk for group in payments_in_every_state(supplier).values() for payment in group)

    response = supplier_client.get(URL, {"status": status, "page_size": 100})

    assert response.status_code == 200
    assert ids(response) == every


@pytest.mark.parametrize("status", ["X", "R", "AVAILABLE", "available", "PCX", "A,U"])
def test_unknown_status_filter_is_a_validation_problem(supplier_client, supplier, status):
    PaymentFactory(supplier=supplier)

    response = supplier_client.get(URL, {"status": status})

    body = assert_problem(response, 400, "validation-error", fields={"status"})
    assert body["errors"][0]["code"] == "invalid_choice"


# --- pagination ------------------------------------------------------------------------------------------------------


def test_list_is_paginated_ten_per_page(supplier_client, supplier):
    payments = PaymentFactory.create_batch(25, supplier=supplier)

    first = supplier_client.get(URL).json()
    second = supplier_client.get(URL, {"page": 2}).json()
    last = supplier_client.get(URL, {"page": 3}).json()

    assert [first["count"], second["count"], last["count"]] == [25, 25, 25]
    assert (first["previous"], first["next"]) == (None, "http://testserver/api/payments/?page=2")
    assert (second["previous"], second["next"]) == (
        "http://testserver/api/payments/",
        "http://testserver/api/payments/?page=3",
    )
    assert (last["previous"], last["next"]) == ("http://testserver/api/payments/?page=2", None)
    assert [len(first["results"]), len(second["results"]), len(last["results"])] == [10, 10, 5]
    every_id = [item["id"] for page in (first, second, last) for item in page["results"]]
    assert every_id == [payment.pk for payment in payments]


def test_page_size_can_be_chosen(supplier_client, supplier):
    payments = PaymentFactory.create_batch(7, supplier=supplier)

    response = supplier_client.get(URL, {"page_size": 3, "page": 2})

    assert response.status_code == 200
    assert response.json()["count"] == 7
    assert ids(response) == [payment.pk for payment in payments[3:6]]


@pytest.mark.parametrize("page_size, expected", [("0005", 5), ("100", 100), ("101", 100), ("9" * 5000, 100)])
def test_page_size_is_read_as_a_whole_number_and_capped(supplier_client, supplier, page_size, expected):
    PaymentFactory.create_batch(105, supplier=supplier)

    response = supplier_client.get(URL, {"page_size": page_size})

    assert response.status_code == 200
    assert len(response.json()["results"]) == expected


@pytest.mark.parametrize("reader", ["supplier", "operator"])
def test_page_size_is_capped_at_one_hundred(supplier_client, operator_client, supplier, reader):
    payments = PaymentFactory.create_batch(101, supplier=supplier)
    client = supplier_client if reader == "supplier" else operator_client

    response = client.get(URL, {"page_size": 1000})

    assert response.status_code == 200
    assert len(response.json()["results"]) == 100
    assert response.json()["next"] is not None
    assert response.json().get("count", len(payments)) == len(payments)


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "1e3", " 1", "\uff11", "\u0661", "first"])
def test_a_page_that_is_not_a_whole_number_from_1_is_a_validation_problem(supplier_client, supplier, page):
    PaymentFactory.create_batch(3, supplier=supplier)

    response = supplier_client.get(URL, {"page": page})

    body = assert_problem(response, 400, "validation-error", fields={"page"})
    assert "results" not in body


@pytest.mark.parametrize("page", ["2", "999", "99999999999999999999", "9" * 5000])
def test_a_page_past_the_last_is_not_found(supplier_client, supplier, page):
    PaymentFactory.create_batch(3, supplier=supplier)

    response = supplier_client.get(URL, {"page": page})

    body = assert_problem(response, 404, "not-found")
    assert "results" not in body


def test_the_first_page_may_be_written_with_leading_zeros(supplier_client, supplier):
    PaymentFactory.create_batch(3, supplier=supplier)

    assert supplier_client.get(URL, {"page": "001"}).json() == supplier_client.get(URL).json()


# --- creation --------------------------------------------------------------------------------------------------------


def test_supplier_creates_a_payment_for_itself_when_supplier_is_omitted(supplier_client, supplier):
    response = supplier_client.post(URL, {"due_date": days(20).isoformat(), "value": "1500.50"}, format="json")

    assert response.status_code == 201
    payment = Payment.objects.get()
    assert (payment.supplier, payment.due_date, payment.value) == (supplier, days(20), Decimal("1500.50"))
    assert payment.creation_date == timezone.localdate()
    assert response.json() == rendered(payment, "A")


def test_supplier_may_name_itself_as_the_supplier(supplier_client, supplier):
    response = supplier_client.post(
        URL, {"supplier": supplier.pk, "due_date": days(20).isoformat(), "value": 1000}, format="json"
    )

    assert response.status_code == 201
    payment = Payment.objects.get()
    assert payment.supplier == supplier
    assert response.json() == rendered(payment, "A")
    assert response.json()["value"] == "1000.00"


def test_supplier_cannot_create_a_payment_for_another_supplier(supplier_client, other_supplier):
    response = supplier_client.post(
        URL, {"supplier": other_supplier.pk, "due_date": days(20).isoformat(), "value": "10.00"}, format="json"
    )

    assert_problem(response, 400, "validation-error", fields={"supplier"})
    assert not Payment.objects.exists()


def test_operator_creates_a_payment_for_the_supplier_it_names(operator_client, supplier, other_supplier):
    response = operator_client.post(
        URL, {"supplier": other_supplier.pk, "due_date": days(5).isoformat(), "value": "10.00"}, format="json"
    )

    assert response.status_code == 201
    payment = Payment.objects.get()
    assert payment.supplier == other_supplier
    assert response.json() == rendered(payment, "A")


def test_operator_must_name_the_supplier(operator_client, supplier):
    response = operator_client.post(URL, {"due_date": days(5).isoformat(), "value": "10.00"}, format="json")

    body = assert_problem(response, 400, "validation-error", fields={"supplier"})
    assert body["errors"][0]["code"] == "required"
    assert not Payment.objects.exists()


@pytest.mark.parametrize("supplier_id", ["unknown", None, "abc"])
def test_operator_naming_no_valid_supplier_is_rejected(operator_client, supplier, supplier_id):
    given = supplier.pk + 1000 if supplier_id == "unknown" else supplier_id

    response = operator_client.post(
        URL, {"supplier": given, "due_date": days(5).isoformat(), "value": "10.00"}, format="json"
    )

    assert_problem(response, 400, "validation-error", fields={"supplier"})
    assert not Payment.objects.exists()


@pytest.mark.parametrize("offset", [-1, -30, -3650])
def test_due_date_in_the_past_is_rejected(supplier_client, supplier, offset):
    response = supplier_client.post(URL, {"due_date": days(offset).isoformat(), "value": "10.00"}, format="json")

    assert_problem(response, 400, fields={"due_date"})
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    "due_date", [years_after(timezone.localdate(), 10) + datetime.timedelta(days=1), datetime.date(9999, 12, 31)]
)
def test_due_date_more_than_ten_years_ahead_is_rejected(supplier_client, supplier, due_date):
    response = supplier_client.post(URL, {"due_date": due_date.isoformat(), "value": "10.00"}, format="json")

    body = assert_problem(response, 400, "invalid-payment", fields={"due_date"})
    assert "10 years" in body["errors"][0]["detail"]
    assert not Payment.objects.exists()


def test_due_date_ten_years_ahead_is_accepted(supplier_client, supplier):
    latest = years_after(timezone.localdate(), 10)

    response = supplier_client.post(URL, {"due_date": latest.isoformat(), "value": "10.00"}, format="json")

    assert response.status_code == 201, response.content
    assert Payment.objects.get().due_date == latest


@pytest.mark.parametrize("offset", [0, 1, 3650])
def test_due_date_from_today_on_is_accepted(supplier_client, supplier, offset):
    response = supplier_client.post(URL, {"due_date": days(offset).isoformat(), "value": "10.00"}, format="json")

    assert response.status_code == 201
    assert Payment.objects.get().due_date == days(offset)
    assert response.json()["due_date"] == days(offset).isoformat()


@pytest.mark.parametrize(
    "raw_value",
    [
        "0",
        '"0.00"',
        "-1",
        '"-0.01"',
        '"10.005"',
        "10.005",
        '"1000000000.00"',
        "1000000000",
        '"NaN"',
        '"Infinity"',
        '"-Infinity"',
        "NaN",
        "Infinity",
        "1e999",
        '"1e999"',
        '"abc"',
        '""',
        "null",
        "true",
        "[]",
        "{}",
        # More than two decimal places, however many zeros come first: not rounded through a binary float.
        "0.1000000000000000000001",
        "10.000",
        "1e-3",
        # Strings Decimal() reads, but not a plain decimal number.
        '"1_000"',
        '"\uff11\uff10"',  # full-width "10"
        '"\u0967\u0966"',  # Devanagari "10"
        '"1e3"',
        '" 10.00"',
        '"10.00\\n"',
        '".5"',
        '"5."',
        '"0x10"',
    ],
)
def test_invalid_value_is_rejected_and_nothing_is_stored(supplier_client, supplier, raw_value):
    body = f'{{"due_date": "{days(10).isoformat()}", "value": {raw_value}}}'

    response = supplier_client.post(URL, data=body, content_type="application/json")

    problem = assert_problem(response, 400)
    if problem["code"] != "parse-error":  # bare NaN/Infinity are not JSON at all
        assert {error["field"] for error in problem["errors"]} == {"value"}
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    "given, stored, shown",
    [
        ('"0.01"', Decimal("0.01"), "0.01"),
        ('"999999999.99"', Decimal("999999999.99"), "999999999.99"),
        ("1000", Decimal("1000"), "1000.00"),
        ("12.5", Decimal("12.5"), "12.50"),
        ('"7.10"', Decimal("7.1"), "7.10"),
        ('"+7.10"', Decimal("7.1"), "7.10"),
        ("1.5e2", Decimal("150"), "150.00"),  # an exact exponent is fine
        ("1250E-2", Decimal("12.5"), "12.50"),
    ],
)
def test_valid_value_is_stored_and_rendered_with_two_decimals(supplier_client, supplier, given, stored, shown):
    body = f'{{"due_date": "{days(10).isoformat()}", "value": {given}}}'

    response = supplier_client.post(URL, data=body, content_type="application/json")

    assert response.status_code == 201
    assert response.json()["value"] == shown
    assert Payment.objects.get().value == stored


def test_missing_fields_are_listed(supplier_client, supplier):
    response = supplier_client.post(URL, {}, format="json")

    body = assert_problem(response, 400, "validation-error", fields={"due_date", "value"})
    assert {error["code"] for error in body["errors"]} == {"required"}
    assert not Payment.objects.exists()


@pytest.mark.parametrize("due_date", ["15/09/2030", "2030-02-30", "tomorrow", "", None, 20300915])
def test_malformed_due_date_is_rejected(supplier_client, supplier, due_date):
    response = supplier_client.post(URL, {"due_date": due_date, "value": "10.00"}, format="json")

    assert_problem(response, 400, "validation-error", fields={"due_date"})
    assert not Payment.objects.exists()


@pytest.mark.parametrize("spelling", OTHER_DATE_SPELLINGS)
def test_due_date_is_only_read_as_yyyy_mm_dd(supplier_client, supplier, spelling):
    due_date = OTHER_DATE_SPELLINGS[spelling](days(30))

    response = supplier_client.post(URL, {"due_date": due_date, "value": "10.00"}, format="json")

    body = assert_problem(response, 400, "validation-error", fields={"due_date"})
    assert body["errors"][0]["code"] == "invalid"
    assert "YYYY-MM-DD" in body["errors"][0]["detail"]
    assert not Payment.objects.exists()


def test_client_sent_id_creation_date_and_status_are_ignored(supplier_client, supplier):
    response = supplier_client.post(
        URL,
        {
            "id": 424242,
            "creation_date": "2000-01-01",
            "status": "AN",
            "due_date": days(10).isoformat(),
            "value": "10.00",
        },
        format="json",
    )

    assert response.status_code == 201
    payment = Payment.objects.get()
    assert payment.pk != 424242
    assert payment.creation_date == timezone.localdate()
    assert response.json() == rendered(payment, "A")


def test_created_payment_has_a_location_header_that_retrieves_it(supplier_client, supplier):
    response = supplier_client.post(URL, {"due_date": days(10).isoformat(), "value": "10.00"}, format="json")

    assert response.status_code == 201
    payment = Payment.objects.get()
    assert response["Location"] == f"http://testserver/api/payments/{payment.pk}/"
    assert supplier_client.get(response["Location"]).json() == response.json()


def test_without_the_trailing_slash_a_post_creates_and_a_get_retrieves(supplier_client, supplier):
    body = {"due_date": days(10).isoformat(), "value": "10.00"}

    response = supplier_client.post(URL.rstrip("/"), body, format="json")

    assert response.status_code == 201, response.content
    payment = Payment.objects.get()
    assert response["Location"] == f"http://testserver/api/payments/{payment.pk}/"  # reversed with the slash
    assert supplier_client.get(f"{URL}{payment.pk}").json() == response.json()
    assert ids(supplier_client.get(URL.rstrip("/"))) == [payment.pk]


# --- external_id -----------------------------------------------------------------------------------------------------


def test_a_payment_is_created_with_the_buyers_external_id(operator_client, supplier):
    body = {"supplier": supplier.pk, "external_id": "NF 2026/0042", "due_date": days(10).isoformat(), "value": "10"}

    response = operator_client.post(URL, body, format="json")

    assert response.status_code == 201, response.content
    payment = Payment.objects.get()
    assert payment.external_id == "NF 2026/0042"
    assert response.json() == rendered(payment, "A")
    assert response.json()["external_id"] == "NF 2026/0042"


def test_without_an_external_id_it_is_null(supplier_client, supplier):
    response = supplier_client.post(URL, {"due_date": days(10).isoformat(), "value": "10.00"}, format="json")

    assert response.json()["external_id"] is None
    assert Payment.objects.get().external_id is None


def test_an_external_id_is_unique_per_supplier(operator_client, supplier, other_supplier):
    PaymentFactory(supplier=supplier, external_id="INV-1")
    body = {"external_id": "INV-1", "due_date": days(10).isoformat(), "value": "10.00"}

    taken = operator_client.post(URL, {**body, "supplier": supplier.pk}, format="json")
    elsewhere = operator_client.post(URL, {**body, "supplier": other_supplier.pk}, format="json")

    assert_problem(taken, 409, "external-id-exists")
    assert elsewhere.status_code == 201
    assert Payment.objects.filter(external_id="INV-1").count() == 2


@pytest.mark.parametrize("external_id", ["", " INV", "INV ", "IN\nV", "IN\x00V", "X" * 65])
def test_a_blank_padded_control_or_long_external_id_is_refused(supplier_client, supplier, external_id):
    body = {"external_id": external_id, "due_date": days(10).isoformat(), "value": "10.00"}

    response = supplier_client.post(URL, body, format="json")

    assert_problem(response, 400, fields={"external_id"})
    assert not Payment.objects.exists()


def test_the_list_filters_on_the_external_id_within_what_the_caller_sees(
    supplier_client, operator_client, supplier, other_supplier
):
    own = PaymentFactory(supplier=supplier, external_id="INV-1")
    PaymentFactory(supplier=supplier, external_id="INV-2")
    theirs = PaymentFactory(supplier=other_supplier, external_id="INV-1")

    assert ids(supplier_client.get(URL, {"external_id": "INV-1"})) == [own.pk]
    assert sorted(ids(operator_client.get(URL, {"external_id": "INV-1"}))) == [own.pk, theirs.pk]
    assert ids(supplier_client.get(URL, {"external_id": "inv-1"})) == []
    assert len(ids(supplier_client.get(URL, {"external_id": ""}))) == 2

"""POST /api/payments/import/: create, unchanged, update, locked, every bad cell, the file's spellings, dry runs,
limits, who may import, and a number of queries that does not grow with the rows."""

import datetime
import hashlib
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from payments_api.common.tests.concurrency import run_together
from payments_api.common.tests.problems import assert_problem
from payments_api.payments import imports
from payments_api.payments.models import PayablesImport, PayablesImportStatus, Payment
from payments_api.payments.tests.factories import AnticipationFactory, PaymentFactory, days
from payments_api.users.cnpj import check_digit, format_cnpj
from payments_api.users.tests.factories import SupplierFactory
from payments_api.webhooks.models import WebhookDelivery
from payments_api.webhooks.tests.factories import WebhookEndpointFactory

URL = "/api/payments/import/"
HEADER = "supplier_cnpj,external_id,due_date,value"

pytestmark = pytest.mark.django_db


def alphanumeric_cnpj(base: str = "12ABC34501DE") -> str:
    first = check_digit(base)
    return base + first + check_digit(base + first)


def csv_file(*rows: str, header: str = HEADER) -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode()


def post(client, content: bytes, query: str = ""):
    return client.post(URL + query, content, content_type="text/csv")


def errors_of(response) -> list[tuple]:
    problem = assert_problem(response, 400, "import-invalid")
    return [(error["row"], error["field"], error["code"]) for error in problem["errors"]]


@pytest.fixture
def due() -> str:
    return days(40).isoformat()


def test_new_keys_create_payments_and_the_import_is_recorded(operator, operator_client, supplier, due):
    content = csv_file(f"{supplier.reg_number},NF-1,{due},1000.00", f"{supplier.reg_number},NF-2,{due},25.5")

    response = post(operator_client, content)

    assert response.status_code == 200, response.content
    assert response.json() == {
        "dry_run": False, "rows": 2, "created": 2, "updated": 0, "unchanged": 0, "errors": []
    }
    stored = {payment.external_id: payment for payment in Payment.objects.all()}
    assert set(stored) == {"NF-1", "NF-2"}
    assert stored["NF-2"].value == Decimal("25.50") and stored["NF-2"].due_date == days(40)
    assert {(payment.supplier, payment.created_by, payment.creation_date) for payment in stored.values()} == {
        (supplier, operator, days(0))
    }
    record = PayablesImport.objects.get()
    assert (record.imported_by, record.status, record.rows, record.created) == (
        operator, PayablesImportStatus.IMPORTED, 2, 2
    )
    assert record.file_sha256 == hashlib.sha256(content).hexdigest()
    assert bytes(record.content) == b""


def test_importing_the_same_file_again_creates_nothing(operator_client, supplier, due):
    content = csv_file(f"{supplier.reg_number},NF-1,{due},1000.00", f"{supplier.reg_number},NF-2,{due},25.50")
    assert post(operator_client, content).status_code == 200

    again = post(operator_client, content)

    assert again.status_code == 200
    assert again.json()["created"] == 0 and again.json()["unchanged"] == 2
    assert Payment.objects.count() == 2


def test_a_known_key_with_other_values_is_updated(operator_client, supplier, due):
    payment = PaymentFactory(supplier=supplier, external_id="NF-1", value=Decimal("10.00"), due_date=days(20))

    response = post(operator_client, csv_file(f"{supplier.reg_number},NF-1,{due},11.00"))

    assert response.json()["updated"] == 1
    payment.refresh_from_db()
    assert (payment.value, payment.due_date) == (Decimal("11.00"), days(40))


def test_an_unchanged_row_passes_even_when_its_due_date_has_gone_by(operator_client, supplier):
    PaymentFactory(supplier=supplier, external_id="NF-old", creation_date=days(-30), due_date=days(-1))

    response = post(operator_client, csv_file(f"{supplier.reg_number},NF-old,{days(-1).isoformat()},1000.00"))

    assert response.status_code == 200, response.content
    assert response.json()["unchanged"] == 1


def test_a_payment_with_an_anticipation_cannot_change_and_nothing_is_written(operator_client, supplier, due):
    anticipation = AnticipationFactory(payment__supplier=supplier, payment__external_id="NF-1")
    payment = anticipation.payment
    content = csv_file(
        f"{supplier.reg_number},NF-new,{due},5.00",
        f"{supplier.reg_number},NF-1,{payment.due_date.isoformat()},999.99",
    )

    response = post(operator_client, content)

    assert errors_of(response) == [(3, "value", "payment-locked")]
    assert not Payment.objects.filter(external_id="NF-new").exists()
    payment.refresh_from_db()
    assert payment.value == Decimal("1000.00")
    assert not PayablesImport.objects.exists()


def test_every_bad_cell_is_a_row_error_named_by_its_line(operator_client, supplier, other_supplier, due):
    cnpj = supplier.reg_number
    unknown = alphanumeric_cnpj("99ZZZ99901ZZ")
    content = csv_file(
        f"{cnpj},OK-1,{due},1.00",  # line 2: fine
        f"12.345.678/0001-00,NF-1,{due},1.00",  # 3: check digits wrong
        f"{unknown},NF-2,{due},1.00",  # 4: nobody's CNPJ
        f"{cnpj},,{due},1.00",  # 5: no external id
        f"{cnpj},{'X' * 65},{due},1.00",  # 6: too long
        f"{cnpj},NF-3,01/12/2030,1.00",  # 7: not YYYY-MM-DD
        f"{cnpj},NF-4,{days(-1).isoformat()},1.00",  # 8: in the past
        f"{cnpj},NF-5,{due},abc",  # 9: not a number
        f'{cnpj},NF-6,{due},"1,50"',  # 10: a comma for decimals
        f"{cnpj},NF-7,{due},0",  # 11: not positive
        f"{cnpj},NF-8,{due},1.234",  # 12: fractions of a cent
        f"{cnpj},NF-9,{due}",  # 13: a cell missing
        f"{cnpj},OK-1,{due},2.00",  # 14: the key of line 2 again
        "",  # 15: blank, skipped
        f"{cnpj},NF-10,2030-02-30,1.00",  # 16: no such day
        f"{cnpj},NF-11,{due},1000000000.00",  # 17: too large
    )

    response = post(operator_client, content)

    assert errors_of(response) == [
        (3, "supplier_cnpj", "invalid"),
        (4, "supplier_cnpj", "unknown-supplier"),
        (5, "external_id", "required"),
        (6, "external_id", "invalid-payment"),
        (7, "due_date", "invalid"),
        (8, "due_date", "invalid-payment"),
        (9, "value", "invalid"),
        (10, "value", "invalid"),
        (11, "value", "invalid-payment"),
        (12, "value", "max_decimal_places"),
        (13, None, "columns"),
        (14, "external_id", "duplicate"),
        (16, "due_date", "invalid"),
        (17, "value", "max_digits"),
    ]
    assert not Payment.objects.exists()


def test_bom_semicolons_and_cnpj_spellings(operator_client, due):
    numeric = SupplierFactory()
    alphanumeric = SupplierFactory(reg_number=alphanumeric_cnpj())
    content = "\ufeff" + "\n".join(
        [
            "supplier_cnpj;external_id;due_date;value",
            f"{format_cnpj(numeric.reg_number)};NF 1;{due};10.00",
            f"{numeric.reg_number};NF,2;{due};20",
            f"{format_cnpj(alphanumeric.reg_number).lower()};NF-3;{due};30.5",
            f"{alphanumeric.reg_number};\"NF;4\";{due};40.00",
        ]
    )

    response = post(operator_client, content.encode())

    assert response.status_code == 200, response.content
    assert response.json()["created"] == 4
    assert sorted(Payment.objects.values_list("supplier", "external_id", "value")) == sorted(
        [
            (numeric.pk, "NF 1", Decimal("10.00")),
            (numeric.pk, "NF,2", Decimal("20.00")),
            (alphanumeric.pk, "NF-3", Decimal("30.50")),
            (alphanumeric.pk, "NF;4", Decimal("40.00")),
        ]
    )


def test_the_columns_may_come_in_any_order(operator_client, supplier, due):
    content = csv_file(f"1.00,{due},NF-1,{supplier.reg_number}", header="value,due_date,external_id,supplier_cnpj")

    assert post(operator_client, content).json()["created"] == 1


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"", [(1, None, "header")]),
        (b"cnpj,id,date,value\r\n", [(1, None, "header")]),
        (csv_file(header="supplier_cnpj,external_id,due_date,value,notes"), [(1, None, "header")]),
        (HEADER.encode() + b"\r\na,b,c,d\r\n\xe9t\xe9,b,c,d\r\n", [(3, None, "encoding")]),
        (csv_file("a,b,c,d", '"unclosed,b,c,d', "x"), [(3, None, "csv")]),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_at_its_line(operator_client, content, expected):
    assert errors_of(post(operator_client, content)) == expected


def test_a_dry_run_writes_nothing_and_reports(operator_client, supplier, due):
    PaymentFactory(supplier=supplier, external_id="NF-1", value=Decimal("10.00"), due_date=days(20))
    WebhookEndpointFactory()
    content = csv_file(f"{supplier.reg_number},NF-1,{due},11.00", f"{supplier.reg_number},NF-2,{due},5.00")

    response = post(operator_client, content, "?dry_run=true")

    assert response.json() == {"dry_run": True, "rows": 2, "created": 1, "updated": 1, "unchanged": 0, "errors": []}
    assert list(Payment.objects.values_list("external_id", "value")) == [("NF-1", Decimal("10.00"))]
    assert not WebhookDelivery.objects.exists()
    assert PayablesImport.objects.get().status == PayablesImportStatus.CHECKED


def test_a_dry_run_of_a_bad_file_is_the_same_400(operator_client, supplier, due):
    content = csv_file(f"{supplier.reg_number},NF-1,{due},abc")
    assert errors_of(post(operator_client, content, "?dry_run=true")) == errors_of(post(operator_client, content))


def test_created_payments_are_announced_to_the_buyer_s_systems(operator, operator_client, supplier, due):
    WebhookEndpointFactory()
    content = csv_file(*(f"{supplier.reg_number},NF-{n},{due},1.00" for n in range(3)))

    assert post(operator_client, content).status_code == 200

    deliveries = WebhookDelivery.objects.filter(event_type="payment.created")
    assert deliveries.count() == 3
    data = json.loads(deliveries.first().body)["data"]
    assert (data["status"], data["created_by"], data["anticipation"]) == ("A", operator.pk, None)


def test_more_rows_than_allowed_is_a_400(operator_client, supplier, due, monkeypatch):
    monkeypatch.setattr(imports, "IMPORT_MAX_ROWS", 2)
    content = csv_file(*(f"{supplier.reg_number},NF-{n},{due},1.00" for n in range(3)))

    assert errors_of(post(operator_client, content)) == [(4, None, "too-many-rows")]
    assert not Payment.objects.exists()


def test_a_body_over_the_limit_is_a_413(operator_client, settings):
    settings.REQUEST_BODY_MAX_BYTES_BY_PATH = {URL: 100}
    assert_problem(post(operator_client, csv_file("x" * 200)), 413, "payload-too-large")
    # A body whose length was not declared is cut by the parser.
    settings.REQUEST_BODY_MAX_BYTES_BY_PATH = {URL: 10_000}
    settings.CSV_BODY_MAX_BYTES = 100
    assert_problem(post(operator_client, csv_file("x" * 200)), 413, "payload-too-large")


def test_ten_megabytes_pass_the_body_limit(operator_client):
    big = csv_file(*(["x,y,z,w"] * 1_200_000))[: 10 * 1024 * 1024]
    response = post(operator_client, big, "?dry_run=true")
    # Read, and refused for its rows, not its size: a file wrong throughout is listed up to IMPORT_MAX_ERRORS errors.
    errors = assert_problem(response, 400, "import-invalid")["errors"]
    assert len(errors) == imports.IMPORT_MAX_ERRORS + 1
    assert errors[-1]["code"] == "too-many-errors"


def test_only_operators_import(anonymous_client, supplier_client, operator_client, supplier, due):
    content = csv_file(f"{supplier.reg_number},NF-1,{due},1.00")
    assert_problem(post(anonymous_client, content), 401)
    assert_problem(post(supplier_client, content), 403)
    assert_problem(operator_client.post(URL, {"file": "x"}, format="json"), 415)
    assert_problem(post(operator_client, content, "?dry_run=perhaps"), 400, "validation-error", fields={"dry_run"})
    assert not Payment.objects.exists()


@pytest.mark.postgresql
def test_the_queries_do_not_grow_with_the_rows(operator_client, due):
    suppliers = [SupplierFactory() for _ in range(3)]

    def run(rows: int, prefix: str) -> int:
        content = csv_file(
            *(f"{suppliers[n % 3].reg_number},{prefix}-{n},{due},{n + 1}.00" for n in range(rows))
        )
        with CaptureQueriesContext(connection) as queries:
            assert post(operator_client, content).status_code == 200
        return len(queries)

    run(1, "W")  # the operator is authenticated from the cache from now on, as between a client's requests
    small, large = run(10, "A"), run(1000, "B")
    assert small == large, (small, large)
    # Updating and leaving rows unchanged costs no more per row either.
    PaymentFactory(supplier=suppliers[0], external_id="C-0", due_date=datetime.date(2030, 1, 1))
    assert run(10, "A") <= small + 2


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_an_import_racing_an_anticipation_request_never_changes_an_anticipated_payment(operator, supplier, client_for):
    for attempt in range(3):
        payment = PaymentFactory(
            supplier=supplier, external_id=f"RACE-{attempt}", value=Decimal("1000.00"), due_date=days(16)
        )
        content = csv_file(f"{supplier.reg_number},RACE-{attempt},{days(16).isoformat()},2000.00")
        clients = [client_for(operator), client_for(supplier.user)]

        def send(index):
            if index == 0:
                return post(clients[0], content)
            body = {"payment": payment.pk, "new_due_date": days(0).isoformat()}
            return clients[1].post("/api/anticipations/", body, format="json")

        imported, requested = run_together(2, send)

        assert imported.status_code in (200, 400) and requested.status_code == 201, (imported, requested)
        payment.refresh_from_db()
        anticipation = payment.anticipation
        if imported.status_code == 200:  # the import came first: the request priced the new value
            assert (payment.value, anticipation.new_value) == (Decimal("2000.00"), Decimal("1968.00"))
        else:  # the request came first: the import refused to change it
            assert errors_of(imported) == [(2, "value", "payment-locked")]
            assert (payment.value, anticipation.new_value) == (Decimal("1000.00"), Decimal("984.00"))

"""The admin's payables import: upload, the dry run's report as a table, confirm; each import recorded."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from payments_api.payments.models import PayablesImport, PayablesImportStatus, Payment
from payments_api.payments.tests.factories import AnticipationFactory, days
from payments_api.users.tests.factories import OperatorFactory, UserFactory

pytestmark = pytest.mark.django_db

IMPORTS = "/admin/payments/payablesimport/"
ADD = IMPORTS + "add/"


@pytest.fixture
def admin_client_of(client, admin_operator):
    client.force_login(admin_operator)
    return client


def upload(client, content: bytes, name: str = "payables.csv"):
    return client.post(ADD, {"file": SimpleUploadedFile(name, content, content_type="text/csv")})


def test_upload_check_then_confirm(admin_client_of, admin_operator, supplier):
    due = days(40).isoformat()
    content = f"supplier_cnpj;external_id;due_date;value\n{supplier.reg_number};NF-1;{due};12.50\n".encode()

    checked = upload(admin_client_of, content)

    assert checked.status_code == 200
    page = checked.content.decode()
    assert 'id="import-counts"' in page and 'id="import-confirm"' in page
    assert checked.context["result"].created == 1
    assert not Payment.objects.exists()
    record = PayablesImport.objects.get()
    assert (record.status, record.filename, bytes(record.content)) == (
        PayablesImportStatus.CHECKED, "payables.csv", content
    )

    confirmed = admin_client_of.post(ADD, {"confirm": record.pk})

    assert confirmed.status_code == 302
    payment = Payment.objects.get()
    assert (payment.external_id, payment.value, payment.created_by) == ("NF-1", Decimal("12.50"), admin_operator)
    imported = PayablesImport.objects.get(status=PayablesImportStatus.IMPORTED)
    assert (imported.imported_by, imported.rows, imported.created) == (admin_operator, 1, 1)
    assert bytes(PayablesImport.objects.get(pk=record.pk).content) == b""
    # Confirming twice imports nothing more.
    assert admin_client_of.post(ADD, {"confirm": record.pk}).status_code == 302
    assert Payment.objects.count() == 1
    listing = admin_client_of.get(IMPORTS)
    assert listing.status_code == 200 and "payables.csv" in listing.content.decode()


def test_a_file_with_errors_is_shown_as_a_table_and_cannot_be_confirmed(admin_client_of, supplier):
    anticipation = AnticipationFactory(payment__supplier=supplier, payment__external_id="NF-1")
    content = (
        "supplier_cnpj,external_id,due_date,value\r\n"
        f"{supplier.reg_number},NF-1,{anticipation.payment.due_date.isoformat()},1.00\r\n"
        f"{supplier.reg_number},NF-2,{days(40).isoformat()},abc\r\n"
    ).encode()

    response = upload(admin_client_of, content)

    page = response.content.decode()
    assert 'id="import-errors"' in page and 'id="import-confirm"' not in page
    assert "payment-locked" in page and "<td>3</td><td>value</td>" in page
    assert not PayablesImport.objects.exists()


def test_another_operator_cannot_confirm_a_file_it_did_not_check(admin_client_of, client, supplier):
    content = f"supplier_cnpj,external_id,due_date,value\n{supplier.reg_number},NF-1,{days(40)},1.00\n".encode()
    upload(admin_client_of, content)
    record = PayablesImport.objects.get()
    other = OperatorFactory(is_staff=True)
    client.force_login(other)
    assert client.post(ADD, {"confirm": record.pk}).status_code == 404
    assert not Payment.objects.exists()


def test_a_staff_member_who_is_not_an_operator_cannot_import(client, supplier):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(ADD).status_code == 403

"""The admin's payables import in a real browser: upload, the report, confirm (screenshots in browser-screenshots/)."""

import pytest

from payments_api.payments.models import PayablesImport, PayablesImportStatus, Payment
from payments_api.payments.tests.factories import days
from payments_api.users.tests.factories import SupplierFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_an_operator_checks_a_payables_file_reads_the_report_and_confirms(
    live_server, page, screenshot, admin_operator, log_in_browser
):
    supplier = SupplierFactory()
    due = days(40).isoformat()
    good = f"supplier_cnpj;external_id;due_date;value\n{supplier.reg_number};NF-1;{due};12.50\n"
    bad = f"supplier_cnpj,external_id,due_date,value\n{supplier.reg_number},NF-2,{due},abc\n"
    log_in_browser(page.context, admin_operator)

    page.goto(f"{live_server.url}/admin/payments/payablesimport/add/")
    page.set_input_files("#id_file", {"name": "bad.csv", "mimeType": "text/csv", "buffer": bad.encode()})
    with page.expect_navigation():
        page.click("#import-upload input[type=submit]")
    assert page.locator("#import-errors tbody tr").count() == 1
    assert page.locator("#import-errors tbody td").nth(1).inner_text() == "value"
    assert page.locator("#import-confirm").count() == 0
    screenshot(page, "payables-import-errors")

    page.set_input_files("#id_file", {"name": "good.csv", "mimeType": "text/csv", "buffer": good.encode()})
    with page.expect_navigation():
        page.click("#import-upload input[type=submit]")
    assert page.locator("#import-counts tbody td").nth(1).inner_text() == "1"  # to create
    assert not Payment.objects.exists()
    screenshot(page, "payables-import-checked")

    with page.expect_navigation():
        page.click("#import-confirm input[type=submit]")
    assert page.url.endswith("/admin/payments/payablesimport/")
    assert "Imported 1 row: 1 created" in page.locator(".messagelist").inner_text()
    assert Payment.objects.get().external_id == "NF-1"
    assert PayablesImport.objects.filter(status=PayablesImportStatus.IMPORTED).count() == 1
    digest = PayablesImport.objects.get(status=PayablesImportStatus.IMPORTED).file_sha256
    cell = page.locator("#result_list tbody tr").first.locator("td.field-file_digest span")
    assert (cell.inner_text(), cell.get_attribute("title")) == (f"{digest[:8]}…", digest)
    # Every column in sight on a laptop's screen (1,400 px), beside the navigation and the filters.
    assert page.eval_on_selector("#changelist .results", "e => e.scrollWidth <= e.clientWidth")
    screenshot(page, "payables-imports")

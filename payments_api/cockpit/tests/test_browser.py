"""The cockpit in a real browser: an operator's day in the admin, page by page, with a screenshot of each
(browser-screenshots/, see the README)."""

import csv
import io
from pathlib import Path

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from payments_api.payments.models import Anticipation, AnticipationStatus
from payments_api.payments.tests.factories import days
from payments_api.requestlogs.models import RequestLog, RequestLogAction
from payments_api.users.cnpj import format_cnpj

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "secret-password"  # the factories'
PENDING, APPROVED = AnticipationStatus.PENDING_CONFIRMATION, AnticipationStatus.APPROVED


def figure(page, name: str) -> str:
    return page.locator(f'[data-figure="{name}"]').inner_text().strip()


def listed_ids(page) -> list[int]:
    cells = page.locator("#result_list tbody th.field-id, #result_list tbody td.field-id").all_inner_texts()
    return [int(cell.strip()) for cell in cells]


def test_an_operator_logs_in_and_sees_how_the_programme_is_doing(live_server, page, screenshot, programme):
    page.goto(f"{live_server.url}/admin/")
    assert "/admin/login/" in page.url
    page.fill("#id_username", programme["alpha"].user.email.replace("user", "nobody"))  # a wrong account first
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    assert page.locator(".errornote").is_visible()

    from payments_api.users.models import User

    operator = User.objects.get(is_operator=True)
    page.fill("#id_username", operator.email)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")

    assert page.title().endswith("Supplier early payments")
    assert page.locator("#site-name").inner_text() == "Supplier early payments"
    assert page.locator("#user-tools a", has_text="View site").get_attribute("href") == "/api/docs/"
    # The pending queue: face values 2000 + 1000 + 1500; the approval of this morning: 4000 paid 20 days early.
    assert figure(page, "pending-count") == "3"
    assert figure(page, "pending-value") == "R$4,500.00"
    assert figure(page, "oldest-waiting") == "oldest waiting 4 days"
    assert figure(page, "decided-today") == "1"
    assert figure(page, "discount-month") == "R$80.00"
    assert figure(page, "discount-year") == "R$80.00"
    # 80 x 365 / (3920 x 20 days early) = 37.2%.
    assert figure(page, "weighted-apr") == "37.2%"
    assert figure(page, "average-days-early") == "20.0"
    # One bar per month and status that has requests (the oldest request may fall in last month).
    bars = set(Anticipation.objects.values_list("creation_date__year", "creation_date__month", "status"))
    assert page.locator("#chart-monthly-volume rect").count() == len(bars)
    assert page.locator("#chart-top-suppliers rect").count() == 1
    assert page.locator("#chart-top-suppliers text", has_text="Gama Transportes Ltda").count() == 1
    screenshot(page, "dashboard-light")
    approved_fill = "e => getComputedStyle(e).fill"
    approved_light = page.eval_on_selector("#chart-monthly-volume rect.cockpit-approved", approved_fill)

    page.emulate_media(color_scheme="dark")
    screenshot(page, "dashboard-dark")
    approved_dark = page.eval_on_selector("#chart-monthly-volume rect.cockpit-approved", approved_fill)
    background = page.eval_on_selector("body", "e => getComputedStyle(e).backgroundColor")
    assert approved_light != approved_dark  # a lighter green on the dark background
    assert background == "rgb(18, 18, 18)"


def test_an_operator_clears_the_pending_queue_with_the_confirmation_step(
    live_server, page, screenshot, programme, admin_operator, log_in_browser
):
    log_in_browser(page.context, admin_operator)
    page.goto(f"{live_server.url}/admin/payments/anticipation/")

    # The queue: pending only, oldest first, with its totals.
    pending = programme["pending"]
    assert listed_ids(page) == [anticipation.pk for anticipation in pending]
    totals = page.locator("#queue-totals")
    assert totals.locator('[data-total="count"]').inner_text() == "3"
    assert totals.locator('[data-total="value"]').inner_text() == "R$4,500.00"
    first_row = page.locator("#result_list tbody tr").first
    assert "Beta Embalagens SA" in first_row.locator("td.field-supplier").inner_text()
    assert format_cnpj(programme["beta"].reg_number) in first_row.locator("td.field-supplier").inner_text()
    assert first_row.locator("td.field-payment_value").inner_text() == "R$2,000.00"
    assert first_row.locator("td.field-discount_days_display").inner_text() == "R$60.00\n30 days early"
    assert first_row.locator("td.field-apr_display").inner_text() == "36.5%\n3.00% a month"
    assert first_row.locator("td.field-waiting_since").inner_text() == f"waiting 4 days\n{days(-4).isoformat()}"
    # Every column in sight on a laptop's screen (1,400 px), beside the navigation and the filters.
    assert page.eval_on_selector("#changelist .results", "e => e.scrollWidth <= e.clientWidth")
    screenshot(page, "queue")

    page.check("#action-toggle")
    page.select_option("select[name=action]", "approve")
    page.click("button[name=index]")

    # Nothing is decided before the confirmation.
    assert Anticipation.objects.filter(status=PENDING).count() == 3
    assert page.locator("h1").inner_text() == "Approve these anticipations?"
    assert page.locator("#confirmation-list tbody tr").count() == 3
    assert page.locator('#confirmation-totals [data-total="value"]').inner_text() == "R$4,500.00"
    assert page.locator('#confirmation-totals [data-total="new-value"]').inner_text() == "R$4,365.00"
    screenshot(page, "queue-confirmation")
    page.click("#confirm-decision")

    expect(page.locator(".messagelist .success")).to_have_text("3 anticipations approved.")
    assert listed_ids(page) == []
    screenshot(page, "queue-cleared")
    assert set(Anticipation.objects.filter(pk__in=[a.pk for a in pending]).values_list("status", flat=True)) == {
        APPROVED
    }
    assert RequestLog.objects.filter(action=RequestLogAction.APPROVED, user=admin_operator).count() == 3
    entries = LogEntry.objects.filter(user=admin_operator, action_flag=CHANGE)
    assert sorted(int(entry.object_id) for entry in entries) == sorted(a.pk for a in pending)
    assert {entry.change_message for entry in entries} == {"Approved"}


def test_an_operator_opens_an_anticipation_and_approves_it_with_its_button(
    live_server, page, screenshot, programme, admin_operator, log_in_browser
):
    anticipation = programme["pending"][1]  # filed today through the service: logged and e-mailed
    log_in_browser(page.context, admin_operator)
    page.goto(f"{live_server.url}/admin/payments/anticipation/")
    page.click(f'#result_list a[href$="/{anticipation.pk}/change/"]')

    assert "Alpha Peças Ltda" in page.locator(".field-supplier").inner_text()
    assert page.locator(".field-payment_value .readonly").inner_text() == "R$1,000.00"
    assert page.locator(".field-new_value_display .readonly").inner_text() == "R$970.00"
    assert page.locator("#anticipation-log tbody tr").all_inner_texts() == [
        f"{timezone.localtime(RequestLog.objects.get(anticipation=anticipation).created_at):%Y-%m-%d %H:%M}\t"
        f"Requested\t{programme['alpha'].user.email}"
    ]
    assert page.locator("#anticipation-emails tbody tr").count() == 1
    screenshot(page, "anticipation")

    page.click("#decide-A")

    # The decision's page, once the browser has followed the redirect (expect waits for it; a read would not).
    expect(page.locator(".messagelist .success")).to_have_text(f"Anticipation #{anticipation.pk} approved.")
    assert Anticipation.objects.get(pk=anticipation.pk).status == APPROVED
    assert page.locator("#decision-buttons").count() == 0  # decided: nothing left to decide
    log_rows = page.locator("#anticipation-log tbody tr").all_inner_texts()
    assert [row.split("\t")[1:] for row in log_rows] == [
        ["Requested", programme["alpha"].user.email],
        ["Approved", admin_operator.email],
    ]
    assert page.locator("#anticipation-emails tbody tr").count() == 2
    assert LogEntry.objects.get(user=admin_operator).object_id == str(anticipation.pk)
    screenshot(page, "anticipation-approved")

    # The e-mail of the approval, as the supplier received it.
    page.locator("#anticipation-emails a", has_text="Approved").click()
    sent = [message for message in mail.outbox if "approved" in message.subject.lower()]
    assert page.locator("#email-subject").inner_text() == sent[-1].subject
    assert page.locator("#email-text").inner_text().strip() == sent[-1].body.strip()
    html = page.frame_locator("#email-html").locator("body").inner_text()
    assert "Alpha Peças Ltda" in html
    page.locator("#email-html").scroll_into_view_if_needed()  # painted before the full-page screenshot
    screenshot(page, "notification")


def test_an_operator_finds_a_supplier_by_its_formatted_cnpj(
    live_server, page, screenshot, programme, admin_operator, log_in_browser
):
    log_in_browser(page.context, admin_operator)
    page.goto(f"{live_server.url}/admin/payments/anticipation/")

    page.fill("#searchbar", format_cnpj(programme["alpha"].reg_number))
    with page.expect_navigation():
        page.press("#searchbar", "Enter")

    alpha_pending = [a.pk for a in programme["pending"] if a.payment.supplier_id == programme["alpha"].pk]
    assert listed_ids(page) == alpha_pending
    assert page.locator('#queue-totals [data-total="count"]').inner_text() == "2"
    screenshot(page, "search-cnpj")

    # The filtered list, taken to a spreadsheet: the same rows, with the values themselves.
    with page.expect_download() as download:
        page.click("text=Export CSV")
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert rows[0][:6] == ["ID", "payment", "corporate name", "CNPJ", "value", "new value"]
    assert [int(row[0]) for row in rows[1:]] == alpha_pending
    assert {row[2] for row in rows[1:]} == {"Alpha Peças Ltda"}
    assert sorted(row[4] for row in rows[1:]) == ["1000.00", "1500.00"]


def test_the_admin_speaks_portuguese_to_a_portuguese_browser(
    live_server, browser, screenshot, programme, admin_operator, log_in_browser
):
    context = browser.new_context(locale="pt-BR", viewport={"width": 1400, "height": 900})
    log_in_browser(context, admin_operator)
    page = context.new_page()

    page.goto(f"{live_server.url}/admin/")
    assert page.locator("html").get_attribute("lang") == "pt-br"
    assert page.locator("#figure-pending .cockpit-label").inner_text().lower() == "pedidos pendentes"
    assert figure(page, "pending-value") == "R$ 4.500,00"
    assert figure(page, "weighted-apr") == "37,2%"
    app_list = page.locator("#content-related, #nav-sidebar, .app-payments").first.inner_text()
    assert "Antecipações" in app_list and "Pagamentos" in app_list
    screenshot(page, "dashboard-pt-br")

    page.goto(f"{live_server.url}/admin/payments/anticipation/")
    first_row = page.locator("#result_list tbody tr").first
    assert first_row.locator("td.field-payment_value").inner_text() == "R$ 2.000,00"
    assert first_row.locator("td.field-discount_days_display").inner_text() == "R$ 60,00\n30 dias antecipados"
    assert first_row.locator("td.field-waiting_since").inner_text() == f"esperando há 4 dias\n{days(-4):%d/%m/%Y}"
    assert page.locator("#changelist-filter").get_by_text("Aguardando confirmação").count() == 1
    assert page.locator("#result_list thead").get_by_text("Nova data de pagamento").count() == 1  # a model field's
    assert page.eval_on_selector("#changelist .results", "e => e.scrollWidth <= e.clientWidth")  # longer words
    screenshot(page, "queue-pt-br")
    context.close()


def test_a_throttled_login_is_a_page_that_says_how_long_to_wait(live_server, page, screenshot, admin_operator):
    from rest_framework.settings import api_settings

    rates = api_settings.DEFAULT_THROTTLE_RATES
    original = rates["login_email"]
    rates["login_email"] = "1/min"
    try:
        page.goto(f"{live_server.url}/admin/login/")
        for _ in range(2):
            page.fill("#id_username", admin_operator.email)
            page.fill("#id_password", "wrong-password")
            page.click("input[type=submit]")
    finally:
        rates["login_email"] = original

    note = page.locator(".errornote").inner_text()
    assert note.startswith("Too many login attempts. Wait ")
    seconds = int(note.split("Wait ")[1].split(" ")[0])
    assert 0 < seconds <= 60
    screenshot(page, "login-throttled")

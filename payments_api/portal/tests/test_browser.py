"""The portal in a real browser (Playwright, Debian's chromium, live_server): a supplier signs in, chooses several
payments and a date, sees the live total, confirms, follows the decision and reads its statement; the same on a
phone; isolation by URL; keyboard, labels, `lang` and an axe-core check of every page (browser-screenshots/portal-*)."""

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from payments_api.payments.models import Anticipation, AnticipationStatus, Decision
from payments_api.payments.selectors import anticipation_quote
from payments_api.payments.services import anticipation_decide, payment_create
from payments_api.payments.tests.factories import PaymentFactory, days
from payments_api.users.cnpj import format_cnpj
from payments_api.users.tests.factories import OperatorFactory, SupplierFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "secret-password"  # the factories'
# axe-core, vendored from its npm package (assets/README.md says which version and how).
AXE = Path(__file__).parent / "assets" / "axe.min.js"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def accounts(db, programme_terms):
    """Two suppliers, each with payments in several states; the first with six available ones. The programme pays
    on business days only."""
    programme_terms(business_days_only=True)
    alpha = SupplierFactory(corporate_name="Alpha Peças Ltda", language="en")
    beta = SupplierFactory(corporate_name="Beta Embalagens SA", language="en")
    mine = [
        payment_create(created_by=alpha.user, supplier=alpha, due_date=days(due), value=Decimal(value),
                       external_id=f"NF-{number}")
        for number, (due, value) in enumerate(
            [(45, "1000.00"), (50, "2500.00"), (55, "1800.50"), (60, "750.00"), (70, "4200.00"), (80, "999.99")],
            start=101,
        )
    ]
    PaymentFactory(supplier=alpha, due_date=days(0), external_id="NF-100")  # due today: unavailable
    theirs = payment_create(created_by=beta.user, supplier=beta, due_date=days(45), value=Decimal("7777.00"),
                            external_id="NF-900")
    return {"alpha": alpha, "beta": beta, "mine": mine, "theirs": theirs, "operator": OperatorFactory()}


def sign_in(page, live_server, supplier, password=PASSWORD):
    page.goto(f"{live_server.url}/portal/sign-in/")
    page.fill("#id_username", supplier.user.email)
    page.fill("#id_password", password)
    page.click("#sign-in")


def axe_check(page) -> None:
    """No serious or critical accessibility violation on the page (axe-core's WCAG 2 A and AA rules, contrast
    included)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa']}})"
    )
    serious = [
        {"id": violation["id"], "impact": violation["impact"], "nodes": [node["html"] for node in violation["nodes"]]}
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert serious == [], json.dumps(serious, indent=1)


def unlabelled_inputs(page) -> list[str]:
    """Every visible form control without an accessible name from a label or aria-label."""
    return page.evaluate(
        """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
            .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
            .map(e => e.outerHTML)"""
    )


def test_a_supplier_signs_in_and_is_told_who_it_is_on_every_page(live_server, page, screenshot, accounts):
    alpha = accounts["alpha"]
    page.goto(f"{live_server.url}/portal/payments/")
    assert "/portal/sign-in/" in page.url
    assert page.locator("html").get_attribute("lang") == "en"
    axe_check(page)
    screenshot(page, "portal-sign-in")

    sign_in(page, live_server, alpha, password="wrong")
    assert page.locator("#sign-in-errors").inner_text() == "The e-mail or the password is not right."
    sign_in(page, live_server, alpha)

    assert page.url == f"{live_server.url}/portal/"
    for path in ("/portal/", "/portal/payments/", "/portal/requests/", "/portal/settings/", "/portal/password/"):
        page.goto(f"{live_server.url}{path}")
        assert page.locator("#supplier .supplier-name").inner_text() == "Alpha Peças Ltda"
        assert page.locator("#supplier .supplier-cnpj").inner_text() == f"CNPJ {format_cnpj(alpha.reg_number)}"
        assert unlabelled_inputs(page) == []
        axe_check(page)
    screenshot(page, "portal-password")
    page.goto(f"{live_server.url}/portal/")
    assert page.locator('[data-figure="available-value"]').inner_text() == "R$11,250.49"
    assert page.locator('[data-figure="available-count"]').inner_text() == "6 payments can be paid early"
    screenshot(page, "portal-home")

    page.goto(f"{live_server.url}/portal/settings/")
    assert page.locator("#notification-email").inner_text() == alpha.user.email
    page.check("#id_language_0")  # Português (Brasil)
    page.click("#language-form button[type=submit]")
    alpha.refresh_from_db()
    assert alpha.language == "pt-br"
    screenshot(page, "portal-settings")

    page.click(".sign-out button")
    assert page.url.endswith("/portal/sign-in/")
    page.goto(f"{live_server.url}/portal/")
    assert "/portal/sign-in/" in page.url


def test_too_many_attempts_show_the_wait(live_server, page, screenshot, accounts):
    from rest_framework.settings import api_settings

    rates = api_settings.DEFAULT_THROTTLE_RATES
    original = rates["login_email"]
    rates["login_email"] = "1/min"
    try:
        for _ in range(2):
            sign_in(page, live_server, accounts["alpha"], password="wrong")
    finally:
        rates["login_email"] = original

    lockout = page.locator("#lockout").inner_text()
    assert lockout.startswith("Too many sign-in attempts. Wait ")
    assert 0 < int(lockout.split("Wait ")[1].split(" ")[0]) <= 60
    axe_check(page)
    screenshot(page, "portal-lockout")


def test_a_supplier_never_sees_another_suppliers_rows(live_server, page, screenshot, accounts):
    sign_in(page, live_server, accounts["alpha"])

    page.goto(f"{live_server.url}/portal/payments/")
    assert "NF-900" not in page.locator("#payments").inner_text()
    assert page.locator("#payments tbody tr").count() == 7

    theirs = accounts["theirs"]
    response = page.goto(f"{live_server.url}/portal/payments/{theirs.pk}/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Not found"
    assert "7,777" not in page.content()
    axe_check(page)
    screenshot(page, "portal-not-found")
    mine = accounts["mine"][0]
    response = page.goto(f"{live_server.url}/portal/payments/early/?payment={mine.pk}&payment={theirs.pk}")
    assert response.status == 404
    token = page.locator("[name=csrfmiddlewaretoken]").first.input_value()
    response = page.request.post(
        f"{live_server.url}/portal/payments/{theirs.pk}/request/",
        form={"new_due_date": days(10).isoformat(), "csrfmiddlewaretoken": token},
        headers={"Referer": live_server.url + "/portal/"},
    )
    assert response.status == 404
    assert not Anticipation.objects.exists()


def choose_three_and_a_date(page, live_server, accounts, screenshot=None):
    """Filter the available payments, select three, open the picker; returns the three payments."""
    page.goto(f"{live_server.url}/portal/payments/")
    page.click('.tabs a[data-status="A"]')
    assert page.locator("#payments tbody tr").count() == 6
    chosen = accounts["mine"][:3]
    for payment in chosen:
        page.check(f"#select-{payment.pk}")
    if screenshot:
        axe_check(page)
        screenshot(page, "portal-payments")
    page.click("#choose-date")
    expect(page.locator("h1")).to_have_text("Receive several payments early")
    return chosen


def first_allowed_day(page):
    cell = page.locator(".calendar td.allowed").first
    return timezone.datetime.fromisoformat(cell.get_attribute("data-day")).date()


def expected_totals(chosen, day, supplier):
    quotes = [anticipation_quote(payment=payment, new_due_date=day, quoted_by=supplier.user) for payment in chosen]
    return sum(quote.new_value for quote in quotes), sum(quote.discount for quote in quotes)


def money(value: Decimal) -> str:
    return f"R${value:,.2f}"


def real(value: Decimal) -> str:
    """As the pages write money in Portuguese: R$ 1.234,56."""
    return "R$ " + f"{value:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def test_a_supplier_asks_for_three_payments_early_with_the_live_total_and_follows_them(
    live_server, page, screenshot, accounts
):
    alpha = accounts["alpha"]
    sign_in(page, live_server, alpha)
    chosen = choose_three_and_a_date(page, live_server, accounts, screenshot=screenshot)
    assert page.locator("#no-date").is_visible()
    # Non-business days are marked and cannot be chosen.
    weekend = page.locator(".calendar td.non-business[data-day]").first
    assert weekend.locator("input").count() == 0
    assert unlabelled_inputs(page) == []
    axe_check(page)

    day = first_allowed_day(page)
    with page.expect_response(lambda response: "/portal/payments/early/" in response.url):
        page.check(f"#day-{day.isoformat()}")  # htmx asks for the quotes' part only
    new_value, discount = expected_totals(chosen, day, alpha)
    assert page.locator('#quote-totals [data-total="new-value"]').inner_text() == money(new_value)
    assert page.locator('#quote-totals [data-total="discount"]').inner_text() == money(discount)
    assert page.locator("#quote-table tbody tr").count() == 3
    assert f"new_due_date={day.isoformat()}" in page.url  # the address keeps the pick: reload, back, share
    axe_check(page)
    screenshot(page, "portal-selection")

    page.click("#continue")
    expect(page.locator("h1")).to_have_text("Confirm your request")
    assert page.locator('#confirmation-totals [data-total="new-value"]').inner_text() == money(new_value)
    assert not Anticipation.objects.exists()  # nothing is filed before the confirmation
    axe_check(page)
    screenshot(page, "portal-confirmation")

    page.click("#confirm")
    expect(page.locator("h1")).to_have_text("Your request was filed")
    assert page.locator("#batch-results tbody tr.requested").count() == 3
    filed = Anticipation.objects.filter(payment__in=chosen)
    assert sorted(a.payment_id for a in filed) == sorted(p.pk for p in chosen)
    assert {a.new_due_date for a in filed} == {day}
    assert sum(a.new_value for a in filed) == new_value  # what it saw before confirming
    axe_check(page)
    screenshot(page, "portal-batch-result")

    page.click("#follow-requests")
    assert page.locator("#requests tbody tr").count() == 3
    assert set(page.locator("#requests .status").all_inner_texts()) == {"Pending confirmation"}
    page.goto(f"{live_server.url}/portal/")
    assert page.locator('[data-figure="pending-value"]').inner_text() == money(new_value)
    assert page.locator('[data-figure="pending-count"]').inner_text() == "3 requests await a decision"

    page.goto(f"{live_server.url}/portal/requests/")
    page.select_option("#statement-month", f"{day:%Y-%m}")
    with page.expect_download() as download:
        page.click("#statement-form button")
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert sorted(int(row[1]) for row in rows[1:]) == sorted(p.pk for p in chosen)
    assert sum(Decimal(row[6]) for row in rows[1:]) == new_value


def test_the_selection_works_without_javascript(live_server, browser, screenshot, accounts):
    context = browser.new_context(java_script_enabled=False, locale="en-US", viewport={"width": 1400, "height": 900})
    page = context.new_page()
    alpha = accounts["alpha"]
    sign_in(page, live_server, alpha)
    chosen = choose_three_and_a_date(page, live_server, accounts)

    day = first_allowed_day(page)
    page.check(f"#day-{day.isoformat()}")
    page.click("#show-values")  # the form's own submit: a full page with the values

    new_value, _discount = expected_totals(chosen, day, alpha)
    assert page.locator('#quote-totals [data-total="new-value"]').inner_text() == money(new_value)
    page.click("#continue")
    expect(page.locator('#confirmation-totals [data-total="new-value"]')).to_have_text(money(new_value))
    screenshot(page, "portal-confirmation-no-js")
    page.click("#confirm")
    assert page.locator("#batch-results tbody tr.requested").count() == 3
    assert Anticipation.objects.filter(payment__in=chosen).count() == 3
    context.close()


def test_on_a_phone(live_server, browser, screenshot, accounts):
    context = browser.new_context(locale="pt-BR", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    alpha = accounts["alpha"]
    sign_in(page, live_server, alpha)
    assert page.locator("html").get_attribute("lang") == "pt-br"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "portal-phone-home")

    page.goto(f"{live_server.url}/portal/payments/?status=A")
    chosen = accounts["mine"][:3]
    for payment in chosen:
        page.check(f"#select-{payment.pk}")
    page.click("#choose-date")
    day = first_allowed_day(page)
    with page.expect_response(lambda response: "/portal/payments/early/" in response.url):
        page.check(f"#day-{day.isoformat()}")
    new_value, _discount = expected_totals(chosen, day, alpha)
    assert page.locator('#quote-totals [data-total="new-value"]').inner_text() == real(new_value)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    axe_check(page)
    screenshot(page, "portal-phone-selection")

    page.click("#continue")
    expect(page.locator('#confirmation-totals [data-total="new-value"]')).to_have_text(real(new_value))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "portal-phone-confirmation")
    page.click("#confirm")
    assert page.locator("#batch-results tbody tr.requested").count() == 3
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    axe_check(page)
    screenshot(page, "portal-phone-batch-result")
    page.click("#follow-requests")
    assert set(page.locator("#requests .status").all_inner_texts()) == {"Aguardando confirmação"}
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "portal-phone-requests")
    page.select_option("#statement-month", f"{day:%Y-%m}")
    with page.expect_download() as download:
        page.click("#statement-form button")
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert sum(Decimal(row[6]) for row in rows[1:]) == new_value
    context.close()


def test_one_payment_from_its_options_then_the_decision_and_the_statement(live_server, page, screenshot, accounts):
    alpha = accounts["alpha"]
    payment = accounts["mine"][0]
    sign_in(page, live_server, alpha)
    page.goto(f"{live_server.url}/portal/payments/")
    page.click(f"#payment-link-{payment.pk}")

    rows = page.locator("#quote-options tbody tr")
    assert rows.count() == 10
    axe_check(page)
    screenshot(page, "portal-payment")
    day = timezone.datetime.fromisoformat(
        rows.first.locator("input[name=new_due_date]").input_value()
    ).date()
    rows.first.locator("button").click()

    anticipation = Anticipation.objects.get(payment=payment)
    assert anticipation.new_due_date == day
    assert page.locator(".message-success").inner_text().startswith(f"Requested: {money(anticipation.new_value)}")
    assert "Requested by you" in page.locator("#anticipation .history").inner_text()
    axe_check(page)
    screenshot(page, "portal-payment-requested")
    anticipation_decide(anticipation=anticipation, decision=Decision.APPROVED, decided_by=accounts["operator"])

    page.click(".site-nav >> text=Requests")
    row = page.locator(f"#request-{anticipation.pk}")
    assert "Approved" in row.inner_text()
    assert row.locator(".history li").count() == 2
    assert "by the programme" in row.locator(".history li").nth(1).inner_text()
    axe_check(page)
    screenshot(page, "portal-requests")

    page.select_option("#statement-month", f"{day:%Y-%m}")
    with page.expect_download() as download:
        page.click("#statement-form button")
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert [row[0] for row in rows[1:]] == [str(anticipation.pk)]
    assert rows[1][10] == AnticipationStatus.APPROVED


def test_the_keyboard_reaches_everything(live_server, page, accounts):
    page.goto(f"{live_server.url}/portal/sign-in/")
    focused = [page.evaluate("document.activeElement.id")]  # the e-mail field has the focus on arrival
    for _ in range(6):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.id || document.activeElement.textContent.trim()"))
    assert {"id_username", "id_password", "sign-in"} <= set(focused)

    page.fill("#id_username", accounts["alpha"].user.email)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.goto(f"{live_server.url}/portal/payments/?status=A")
    for payment in accounts["mine"][:2]:
        page.focus(f"#select-{payment.pk}")
        page.keyboard.press("Space")
    page.focus("#choose-date")
    page.keyboard.press("Enter")
    page.wait_for_selector("#date-picker")
    first = page.locator(".calendar input[type=radio]").first
    first.focus()
    page.keyboard.press("Space")
    page.wait_for_selector("#quote-totals")
    page.keyboard.press("ArrowRight")  # the next allowed day of the radio group, and its quotes
    page.wait_for_function(
        "id => document.querySelector('#quote-table') && document.activeElement.id !== id",
        arg=first.get_attribute("id"),
    )
    assert page.evaluate("document.activeElement.type") == "radio"


def test_the_portal_speaks_portuguese_to_a_portuguese_browser(live_server, browser, screenshot, accounts):
    alpha = accounts["alpha"]
    context = browser.new_context(locale="pt-BR", viewport={"width": 1400, "height": 900})
    page = context.new_page()
    sign_in(page, live_server, alpha)
    assert page.locator("html").get_attribute("lang") == "pt-br"
    assert page.locator('[data-figure="available-value"]').inner_text() == "R$ 11.250,49"
    axe_check(page)
    screenshot(page, "portal-home-pt-br")
    context.close()

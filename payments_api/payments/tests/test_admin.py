"""The admin as the operators' tool: pages load, approve/deny go through the service, history stays read-only."""

import csv
import datetime
import io
import re
from decimal import Decimal

import factory
import pytest
from django.contrib import admin
from django.contrib.messages import ERROR, SUCCESS
from django.test import RequestFactory
from django.utils import timezone

from payments_api.payments.models import Anticipation, AnticipationStatus, Payment
from payments_api.payments.tests.factories import AnticipationFactory, PaymentFactory, days
from payments_api.requestlogs.models import RequestLog, RequestLogAction
from payments_api.users.cnpj import format_cnpj
from payments_api.users.tests.factories import OperatorFactory

pytestmark = pytest.mark.django_db

PENDING = AnticipationStatus.PENDING_CONFIRMATION
APPROVED = AnticipationStatus.APPROVED
DENIED = AnticipationStatus.DENIED
ANTICIPATIONS = "/admin/payments/anticipation/"
PAYMENTS = "/admin/payments/payment/"
REQUEST_LOGS = "/admin/requestlogs/requestlog/"


@pytest.fixture
def history(supplier, other_supplier, operator):
    """Payments in several states with their log rows, so every changelist has rows to render."""
    PaymentFactory(supplier=supplier, due_date=days(20))
    PaymentFactory(supplier=other_supplier, creation_date=days(-30), due_date=days(-1))
    pending = AnticipationFactory(payment__supplier=supplier)
    approved = AnticipationFactory(payment__supplier=other_supplier, status=APPROVED)
    for anticipation in (pending, approved):
        RequestLog.objects.create(
            anticipation=anticipation, user=anticipation.payment.supplier.user, action=RequestLogAction.REQUESTED
        )
    RequestLog.objects.create(anticipation=approved, user=operator, action=RequestLogAction.APPROVED)


def offered_actions(response) -> set[str]:
    form = response.context["action_form"]  # None when no action is offered
    return set() if form is None else {name for name, _label in form.fields["action"].choices if name}


def messages_of(response) -> list[tuple[int, str]]:
    return [(message.level, message.message) for message in response.context["messages"]]


@pytest.mark.parametrize(
    "url",
    [
        PAYMENTS,
        f"{PAYMENTS}?status=A",
        f"{PAYMENTS}?status=U",
        ANTICIPATIONS,
        REQUEST_LOGS,
        "/admin/users/supplier/",
        "/admin/users/user/",
        "/admin/",
    ],
)
def test_the_changelists_load(operator_admin_client, history, url):
    response = operator_admin_client.get(url)

    assert response.status_code == 200


def test_the_payment_changelist_shows_each_payments_status(operator_admin_client, history):
    response = operator_admin_client.get(PAYMENTS)

    cells = re.findall(r'<td class="field-status">([^<]*)</td>', response.content.decode())
    assert sorted(cells) == ["Anticipated", "Available", "Pending confirmation", "Unavailable"]


def test_the_payment_status_filter_narrows_the_list(operator_admin_client, history):
    response = operator_admin_client.get(f"{PAYMENTS}?status=PC")

    assert [payment.pk for payment in response.context["cl"].result_list] == [
        Anticipation.objects.get(status=PENDING).payment_id
    ]


def test_a_user_that_is_not_staff_is_sent_to_the_login_page(client, operator):
    client.force_login(operator)

    response = client.get(ANTICIPATIONS)

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


# --- approve and deny ------------------------------------------------------------------------------------------------


def run_action(client, action: str, anticipations, *, confirmed: bool = True, **headers):
    """Select `anticipations` in the list of every status and run `action`, confirming on its confirmation page
    unless `confirmed` is False."""
    selected = {"action": action, "_selected_action": [anticipation.pk for anticipation in anticipations]}
    data = {**selected, "post": "yes"} if confirmed else selected
    return client.post(f"{ANTICIPATIONS}?status=all", data, follow=True, **headers)


@pytest.mark.parametrize(("action", "status"), [("approve", APPROVED), ("deny", DENIED)])
def test_the_action_decides_the_selected_anticipations_through_the_service(
    operator_admin_client, admin_operator, supplier, action, status, django_capture_on_commit_callbacks, mailoutbox
):
    selected = [AnticipationFactory(payment__supplier=supplier, update_date=days(-3)) for _ in range(2)]
    untouched = AnticipationFactory(payment__supplier=supplier, update_date=days(-3))

    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(operator_admin_client, action, selected)

    assert response.status_code == 200
    for anticipation in selected:
        stored = Anticipation.objects.get(pk=anticipation.pk)
        assert (stored.status, stored.update_date) == (status, timezone.localdate())
        log = RequestLog.objects.get(anticipation=anticipation)
        assert (log.user, log.action) == (admin_operator, status)
    assert Anticipation.objects.get(pk=untouched.pk).status == PENDING
    assert not RequestLog.objects.filter(anticipation=untouched).exists()
    assert sorted(message.to[0] for message in mailoutbox) == [supplier.user.email] * 2
    assert (SUCCESS, f"2 anticipations {'approved' if action == 'approve' else 'denied'}.") in messages_of(response)


@pytest.mark.parametrize(("action", "current"), [("deny", APPROVED), ("approve", DENIED), ("approve", APPROVED)])
def test_the_action_does_not_decide_an_anticipation_again(operator_admin_client, supplier, action, current):
    decided = AnticipationFactory(payment__supplier=supplier, status=current, update_date=days(-3))

    response = run_action(operator_admin_client, action, [decided])

    stored = Anticipation.objects.get(pk=decided.pk)
    assert (stored.status, stored.update_date) == (current, days(-3))
    assert not RequestLog.objects.exists()
    levels = [level for level, text in messages_of(response) if f"#{decided.pk}" in text]
    assert levels == [ERROR]


def test_the_action_decides_the_pending_and_reports_the_decided(operator_admin_client, supplier):
    pending = AnticipationFactory(payment__supplier=supplier)
    decided = AnticipationFactory(payment__supplier=supplier, status=DENIED)

    response = run_action(operator_admin_client, "approve", [pending, decided])

    assert Anticipation.objects.get(pk=pending.pk).status == APPROVED
    assert Anticipation.objects.get(pk=decided.pk).status == DENIED
    assert list(RequestLog.objects.values_list("anticipation_id", "action")) == [(pending.pk, APPROVED)]
    assert (SUCCESS, "1 anticipation approved.") in messages_of(response)
    assert any(level == ERROR and f"#{decided.pk}" in text for level, text in messages_of(response))


def test_the_actions_are_offered_to_operators_only(operator_admin_client, superuser_admin_client):
    assert offered_actions(operator_admin_client.get(ANTICIPATIONS)) == {"approve", "deny"}
    assert offered_actions(superuser_admin_client.get(ANTICIPATIONS)) == set()


@pytest.mark.parametrize("action", ["approve", "deny"])
def test_a_superuser_that_is_not_an_operator_cannot_run_the_actions(superuser_admin_client, supplier, action):
    pending = AnticipationFactory(payment__supplier=supplier)

    response = run_action(superuser_admin_client, action, [pending])

    assert response.status_code == 200
    assert Anticipation.objects.get(pk=pending.pk).status == PENDING
    assert not RequestLog.objects.exists()


def test_the_action_refuses_an_expired_approval(operator_admin_client, supplier):
    expired = AnticipationFactory(payment__supplier=supplier, new_due_date=days(-1))

    response = run_action(operator_admin_client, "approve", [expired])

    assert Anticipation.objects.get(pk=expired.pk).status == PENDING
    assert not RequestLog.objects.exists()
    assert any(level == ERROR and f"#{expired.pk}" in text for level, text in messages_of(response))


def test_a_refusal_is_reported_in_the_operators_language(operator_admin_client, supplier):
    decided = AnticipationFactory(payment__supplier=supplier, status=DENIED)

    english = messages_of(run_action(operator_admin_client, "approve", [decided], HTTP_ACCEPT_LANGUAGE="en"))
    portuguese = messages_of(run_action(operator_admin_client, "approve", [decided], HTTP_ACCEPT_LANGUAGE="pt-BR"))

    assert (ERROR, f"Anticipation #{decided.pk}: Anticipation {decided.pk} was already denied.") in english
    assert (ERROR, f"Antecipação nº {decided.pk}: A antecipação {decided.pk} já foi decidida: negado.") in portuguese


def test_the_action_refuses_an_operators_own_anticipation(client, supplier):
    operator_supplier_user = OperatorFactory(is_staff=True, is_superuser=True)
    supplier.user = operator_supplier_user
    supplier.save()
    anticipation = AnticipationFactory(payment__supplier=supplier)
    client.force_login(operator_supplier_user)

    run_action(client, "approve", [anticipation])

    assert Anticipation.objects.get(pk=anticipation.pk).status == PENDING
    assert not RequestLog.objects.exists()


# --- the request log is read-only ------------------------------------------------------------------------------------


def test_the_request_log_admin_grants_no_add_change_or_delete(admin_operator):
    model_admin = admin.site._registry[RequestLog]
    request = RequestFactory().get(REQUEST_LOGS)
    request.user = admin_operator

    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert model_admin.has_view_permission(request)
    assert "delete_selected" not in model_admin.get_actions(request)


def test_the_request_log_cannot_be_added_changed_or_deleted_over_http(operator_admin_client, history, operator):
    log = RequestLog.objects.get(action=RequestLogAction.APPROVED)
    before = list(RequestLog.objects.values_list("pk", "anticipation_id", "user_id", "action"))

    assert operator_admin_client.get(f"{REQUEST_LOGS}add/").status_code == 403
    forged = {"anticipation": log.anticipation_id, "user": operator.pk, "action": "D"}
    assert operator_admin_client.post(f"{REQUEST_LOGS}add/", forged).status_code == 403
    assert operator_admin_client.post(f"{REQUEST_LOGS}{log.pk}/change/", {"action": "D"}).status_code == 403
    assert operator_admin_client.get(f"{REQUEST_LOGS}{log.pk}/delete/").status_code == 403
    assert operator_admin_client.post(f"{REQUEST_LOGS}{log.pk}/delete/", {"post": "yes"}).status_code == 403

    assert list(RequestLog.objects.values_list("pk", "anticipation_id", "user_id", "action")) == before


def test_the_request_log_change_page_is_read_only(operator_admin_client, history):
    log = RequestLog.objects.first()

    response = operator_admin_client.get(f"{REQUEST_LOGS}{log.pk}/change/")

    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert b'name="action"' not in response.content


# --- adding a payment ------------------------------------------------------------------------------------------------


def add_payment(client, supplier, due_date: datetime.date, value: str):
    return client.post(f"{PAYMENTS}add/", {"supplier": supplier.pk, "due_date": due_date.isoformat(), "value": value})


def test_adding_a_payment_goes_through_the_service(operator_admin_client, supplier):
    response = add_payment(operator_admin_client, supplier, days(30), "1234.56")

    assert response.status_code == 302
    payment = Payment.objects.get()
    assert (payment.supplier, payment.due_date, payment.value, payment.creation_date) == (
        supplier,
        days(30),
        Decimal("1234.56"),
        timezone.localdate(),
    )


@pytest.mark.parametrize("value", ["1e3", "1000", "1000.0", "01000.00"])
def test_a_payment_added_with_its_value_written_otherwise_is_announced_in_cents(operator_admin_client, supplier, value):
    response = operator_admin_client.post(
        f"{PAYMENTS}add/", {"supplier": supplier.pk, "due_date": days(30).isoformat(), "value": value}, follow=True
    )

    payment = Payment.objects.get()
    assert str(payment.value) == "1000.00"
    assert [str(message) for message in response.context["messages"]] == [
        f"The payment “Payment #{payment.pk} of 1000.00 due {days(30)}” was added successfully."
    ]


def test_adding_a_payment_with_a_past_due_date_shows_an_error_and_stores_nothing(operator_admin_client, supplier):
    response = add_payment(operator_admin_client, supplier, days(-1), "1000.00")

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "due_date" in form.errors
    assert not Payment.objects.exists()


def test_a_superuser_that_is_not_an_operator_cannot_add_a_payment(superuser_admin_client, supplier):
    assert superuser_admin_client.get(f"{PAYMENTS}add/").status_code == 403
    assert add_payment(superuser_admin_client, supplier, days(30), "1234.56").status_code == 403
    assert not Payment.objects.exists()


def test_adding_a_payment_due_in_year_9999_shows_an_error_and_the_changelist_still_loads(
    operator_admin_client, supplier
):
    response = add_payment(operator_admin_client, supplier, datetime.date(9999, 12, 31), "1000.00")

    assert response.status_code == 200
    assert "due_date" in response.context["adminform"].form.errors
    assert not Payment.objects.exists()
    assert operator_admin_client.get(PAYMENTS).status_code == 200


@pytest.mark.parametrize("value", ["0", "-5.00", "1000000000.00"])
def test_adding_a_payment_with_a_value_out_of_range_shows_an_error_and_stores_nothing(
    operator_admin_client, supplier, value
):
    response = add_payment(operator_admin_client, supplier, days(10), value)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not Payment.objects.exists()


def test_a_payment_cannot_be_changed_in_the_admin(operator_admin_client, supplier):
    payment = PaymentFactory(supplier=supplier, value=Decimal("100.00"))

    response = operator_admin_client.post(
        f"{PAYMENTS}{payment.pk}/change/",
        {"supplier": supplier.pk, "due_date": days(40).isoformat(), "value": "1.00"},
    )

    assert response.status_code == 403
    stored = Payment.objects.get(pk=payment.pk)
    assert (stored.value, stored.due_date) == (Decimal("100.00"), payment.due_date)


@pytest.mark.parametrize("who", ["operator", "superuser"])
def test_a_payment_cannot_be_deleted_in_the_admin(request, who, supplier):
    client = request.getfixturevalue("operator_admin_client" if who == "operator" else "superuser_admin_client")
    payment = PaymentFactory(supplier=supplier)

    assert client.get(f"{PAYMENTS}{payment.pk}/delete/").status_code == 403
    assert client.post(f"{PAYMENTS}{payment.pk}/delete/", {"post": "yes"}).status_code == 403
    bulk = client.post(PAYMENTS, {"action": "delete_selected", "_selected_action": [payment.pk], "post": "yes"})
    assert "delete_selected" not in offered_actions(client.get(PAYMENTS))

    assert bulk.status_code in (200, 302)
    assert Payment.objects.filter(pk=payment.pk).exists()


@pytest.mark.parametrize("due_date", [days(-1), None])
@pytest.mark.parametrize("value", ["0", "-5.00"])
def test_a_bad_value_is_said_on_its_field_in_words_whatever_the_due_date(
    operator_admin_client, supplier, due_date, value
):
    response = operator_admin_client.post(
        f"{PAYMENTS}add/",
        {"supplier": supplier.pk, "due_date": due_date.isoformat() if due_date else "", "value": value},
    )

    form = response.context["adminform"].form
    assert form.errors["value"] == ["The value must be between 0.01 and 999999999.99, in cents."]
    assert "due_date" in form.errors
    assert not form.non_field_errors()
    assert b"is violated" not in response.content
    assert not Payment.objects.exists()


def test_the_payment_list_shows_values_as_money(operator_admin_client, supplier):
    PaymentFactory(supplier=supplier, value=Decimal("1234567.89"))

    page = operator_admin_client.get(PAYMENTS, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<td class="field-value_display">R$1,234,567.89</td>' in page

    page = operator_admin_client.get(PAYMENTS, HTTP_ACCEPT_LANGUAGE="pt-BR").content.decode()
    assert '<td class="field-value_display">R$ 1.234.567,89</td>' in page


# --- CSV export ------------------------------------------------------------------------------------------------------


def exported(response) -> list[list[str]]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_payments_changelist_offers_a_csv_export_of_its_current_filter(operator_admin_client, supplier):
    shown = PaymentFactory(supplier=supplier, external_id="INV-7", due_date=days(20), value=Decimal("12.50"))
    AnticipationFactory(payment__supplier=supplier)  # filtered out: pending, not available

    page = operator_admin_client.get(PAYMENTS, {"status": "A"})
    link = re.search(r'href="(export-csv/[^"]*)"', page.content.decode()).group(1).replace("&amp;", "&")
    rows = exported(operator_admin_client.get(PAYMENTS + link))

    assert "status=A" in link
    assert rows == [
        ["ID", "supplier", "external id", "creation date", "due date", "value", "status", "created by"],
        [str(shown.pk), str(supplier), "INV-7", shown.creation_date.isoformat(), days(20).isoformat(), "12.50",
         "Available", ""],
    ]


def test_the_csv_export_holds_every_row_of_the_search_not_one_page(operator_admin_client, supplier):
    PaymentFactory.create_batch(105, supplier=supplier, external_id=factory.Sequence(lambda n: f"BULK-{n}"))
    PaymentFactory(supplier=supplier, external_id="OTHER")

    rows = exported(operator_admin_client.get(f"{PAYMENTS}export-csv/", {"q": "BULK-"}))

    assert len(rows) == 1 + 105
    assert all(row[2].startswith("BULK-") for row in rows[1:])


def test_the_anticipations_and_logs_changelists_export_csv(operator_admin_client, history):
    assert len(exported(operator_admin_client.get(f"{ANTICIPATIONS}export-csv/", {"status": "all"}))) == 1 + 2
    assert len(exported(operator_admin_client.get(f"{ANTICIPATIONS}export-csv/"))) == 1 + 1  # the queue: pending
    assert len(exported(operator_admin_client.get(f"{REQUEST_LOGS}export-csv/", {"action": "R"}))) == 1 + 2


def test_the_csv_export_needs_the_view_permission(client, supplier):
    client.force_login(OperatorFactory(is_staff=False))
    assert client.get(f"{PAYMENTS}export-csv/").status_code == 302  # to the admin's login

    client.force_login(supplier.user)
    assert client.get(f"{PAYMENTS}export-csv/").status_code == 302


# --- the queue -------------------------------------------------------------------------------------------------------


def listed(response) -> list[int]:
    return [anticipation.pk for anticipation in response.context["cl"].result_list]


def test_the_anticipation_list_opens_on_the_pending_queue_oldest_first(operator_admin_client, supplier):
    older = AnticipationFactory(payment__supplier=supplier, creation_date=days(-2))
    AnticipationFactory(payment__supplier=supplier, status=APPROVED)
    newer = AnticipationFactory(payment__supplier=supplier, creation_date=days(-1))

    response = operator_admin_client.get(ANTICIPATIONS)

    assert listed(response) == [older.pk, newer.pk]
    assert response.context["queue_totals"] == {
        "count": 2,
        "value": Decimal("2000.00"),
        "new_value": Decimal("1960.00"),
    }
    assert len(listed(operator_admin_client.get(ANTICIPATIONS, {"status": "all"}))) == 3
    assert len(listed(operator_admin_client.get(ANTICIPATIONS, {"status": "A"}))) == 1


@pytest.mark.parametrize(
    "term",
    [
        lambda a: a.payment.supplier.reg_number,
        lambda a: format_cnpj(a.payment.supplier.reg_number),
        lambda a: a.payment.supplier.corporate_name.upper(),
        lambda a: a.payment.supplier.user.email,
        lambda a: a.payment.external_id,
        lambda a: str(a.pk),
    ],
    ids=["bare CNPJ", "formatted CNPJ", "corporate name", "e-mail", "external id", "id"],
)
def test_the_queue_is_searched_by(operator_admin_client, supplier, other_supplier, term):
    # An id no other field of either row holds (a small one, as on a fresh SQLite database, is a digit of a CNPJ).
    wanted = AnticipationFactory(pk=987654, payment__supplier=supplier, payment__external_id="NF-2026-0042")
    AnticipationFactory(payment__supplier=other_supplier, payment__external_id="NF-2026-0099")

    response = operator_admin_client.get(ANTICIPATIONS, {"q": term(wanted)})

    assert listed(response) == [wanted.pk]
    assert response.context["queue_totals"]["count"] == 1


def test_a_bulk_decision_shows_a_confirmation_and_decides_nothing_before_it(operator_admin_client, supplier):
    pending = [AnticipationFactory(payment__supplier=supplier) for _ in range(2)]

    response = run_action(operator_admin_client, "deny", pending, confirmed=False)

    assert response.status_code == 200
    assert [anticipation.pk for anticipation in response.context["anticipations"]] == [a.pk for a in pending]
    assert response.context["totals"] == {"count": 2, "value": Decimal("2000.00"), "new_value": Decimal("1960.00")}
    assert b'name="post" value="yes"' in response.content
    assert set(Anticipation.objects.values_list("status", flat=True)) == {PENDING}
    assert not RequestLog.objects.exists()


def test_every_admin_decision_is_in_the_admins_history(operator_admin_client, admin_operator, supplier):
    from django.contrib.admin.models import CHANGE, LogEntry

    pending = AnticipationFactory(payment__supplier=supplier)

    run_action(operator_admin_client, "deny", [pending])

    entry = LogEntry.objects.get()
    assert (entry.user, entry.object_id, entry.action_flag, entry.change_message) == (
        admin_operator,
        str(pending.pk),
        CHANGE,
        "Denied",
    )
    history = operator_admin_client.get(f"{ANTICIPATIONS}{pending.pk}/history/").content.decode()
    assert "Denied" in history


@pytest.mark.parametrize(("decision", "status"), [("A", APPROVED), ("D", DENIED)])
def test_the_buttons_of_an_anticipations_page_decide_it(
    operator_admin_client, admin_operator, supplier, decision, status
):
    pending = AnticipationFactory(payment__supplier=supplier)
    page = operator_admin_client.get(f"{ANTICIPATIONS}{pending.pk}/change/")
    assert b'id="decide-A"' in page.content and b'id="decide-D"' in page.content

    response = operator_admin_client.post(f"{ANTICIPATIONS}{pending.pk}/decide/", {"decision": decision}, follow=True)

    assert response.redirect_chain[-1][0] == f"{ANTICIPATIONS}{pending.pk}/change/"
    assert Anticipation.objects.get(pk=pending.pk).status == status
    assert RequestLog.objects.get(anticipation=pending).user == admin_operator
    assert b'id="decide-A"' not in response.content  # decided: no buttons left


def test_the_decision_url_refuses_what_is_not_a_decision(operator_admin_client, superuser_admin_client, supplier):
    pending = AnticipationFactory(payment__supplier=supplier)
    url = f"{ANTICIPATIONS}{pending.pk}/decide/"

    assert operator_admin_client.get(url).status_code == 405
    assert operator_admin_client.post(url, {"decision": "PC"}).status_code == 400
    assert superuser_admin_client.post(url, {"decision": "A"}).status_code == 403
    assert b'id="decide-A"' not in superuser_admin_client.get(f"{ANTICIPATIONS}{pending.pk}/change/").content
    assert operator_admin_client.post(f"{ANTICIPATIONS}999999/decide/", {"decision": "A"}).status_code == 404
    assert Anticipation.objects.get(pk=pending.pk).status == PENDING
    assert not RequestLog.objects.exists()

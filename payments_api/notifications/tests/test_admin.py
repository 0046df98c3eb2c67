"""Operators see each notification's state in the admin and re-send the failed ones."""

import pytest
from django.contrib.auth.models import Permission
from django.core import mail

from payments_api.notifications.models import Notification, NotificationStatus
from payments_api.payments.tests.factories import AnticipationFactory
from payments_api.requestlogs.models import RequestLog, RequestLogAction
from payments_api.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/notifications/notification/"


def notification(status: str, **fields) -> Notification:
    anticipation = AnticipationFactory()
    log = RequestLog.objects.create(
        anticipation=anticipation, user=anticipation.payment.supplier.user, action=RequestLogAction.REQUESTED
    )
    return Notification.objects.create(
        request_log=log, recipient=anticipation.payment.supplier.user.email, language="en", status=status, **fields
    )


def test_the_changelist_shows_state_attempts_and_filters_by_status(operator_admin_client):
    failed = notification(NotificationStatus.FAILED, attempts=8, last_error="SMTPServerDisconnected: closed")
    notification(NotificationStatus.PENDING)

    response = operator_admin_client.get(CHANGELIST, {"status__exact": "failed"})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [failed]
    page = operator_admin_client.get(f"{CHANGELIST}{failed.pk}/change/").content.decode()
    assert "SMTPServerDisconnected: closed" in page


def test_the_changelist_shows_the_last_error_shortened(operator_admin_client):
    error = "SMTPServerDisconnected: " + "lost " * 100
    notification(NotificationStatus.FAILED, attempts=16, last_error=error)

    page = operator_admin_client.get(CHANGELIST).content.decode()

    assert "SMTPServerDisconnected: lost lost" in page
    assert "lost " * 20 not in page


def test_resend_sends_failed_notifications_again_and_leaves_the_others(
    operator_admin_client, django_capture_on_commit_callbacks
):
    failed = notification(NotificationStatus.FAILED, attempts=8, last_error="boom")
    pending = notification(NotificationStatus.PENDING)

    with django_capture_on_commit_callbacks(execute=True):
        response = operator_admin_client.post(
            CHANGELIST, {"action": "resend", "_selected_action": [failed.pk, pending.pk]}, follow=True
        )

    assert response.status_code == 200
    failed.refresh_from_db()
    pending.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_error) == (NotificationStatus.SENT, 9, "")
    assert pending.status == NotificationStatus.PENDING
    assert [message.to for message in mail.outbox] == [[failed.recipient]]
    said = [str(message) for message in response.context["messages"]]
    assert said == ["1 e-mail queued again.", "1 e-mail left alone: only failed ones are re-sent."]


def test_staff_who_are_not_operators_cannot_resend(client, django_capture_on_commit_callbacks):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_notification"))
    client.force_login(staff)
    failed = notification(NotificationStatus.FAILED, attempts=16, last_error="boom")

    page = client.get(CHANGELIST)
    assert page.status_code == 200 and b'value="resend"' not in page.content
    with django_capture_on_commit_callbacks(execute=True):
        client.post(CHANGELIST, {"action": "resend", "_selected_action": [failed.pk]})

    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (NotificationStatus.FAILED, 16)
    assert not mail.outbox


def test_notifications_cannot_be_added_changed_or_deleted_in_the_admin(operator_admin_client):
    sent = notification(NotificationStatus.PENDING)
    assert operator_admin_client.get(f"{CHANGELIST}add/").status_code == 403
    assert operator_admin_client.post(f"{CHANGELIST}{sent.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Notification.objects.filter(pk=sent.pk).exists()


def test_the_changelist_names_the_actor_by_e_mail_and_shows_no_next_attempt_once_sent(operator_admin_client):
    from django.utils import timezone

    sent = notification(NotificationStatus.SENT, attempts=1, sent_at=timezone.now())
    pending = notification(NotificationStatus.PENDING)

    response = operator_admin_client.get(CHANGELIST)

    page = response.content.decode()
    for row in (sent, pending):
        actor = row.request_log.user.email
        assert f'<td class="field-actor">{actor}</td>' in page
        assert f"Requested anticipation #{row.request_log.anticipation_id}" in page
    assert page.count('<td class="field-next_attempt">-</td>') == 1  # the sent one
    assert f" by {sent.request_log.user_id}<" not in page


def test_the_notification_page_previews_the_e_mail(operator_admin_client):
    from decimal import Decimal

    from payments_api.payments.services import anticipation_request, payment_create
    from payments_api.payments.tests.factories import days
    from payments_api.users.tests.factories import SupplierFactory

    supplier = SupplierFactory(corporate_name="Preview Ltda", language="en")
    payment = payment_create(created_by=supplier.user, supplier=supplier, due_date=days(40), value=Decimal("1000.00"))
    anticipation_request(payment=payment, new_due_date=days(10), requested_by=supplier.user)
    row = Notification.objects.get()

    response = operator_admin_client.get(f"{CHANGELIST}{row.pk}/change/")

    preview = response.context["preview"]
    assert f"#{payment.pk}" in preview["subject"]
    assert "Preview Ltda" in preview["text"] and f"#{payment.pk}" in preview["text"]
    assert "<html" in preview["html"].lower() and "Preview Ltda" in preview["html"]
    page = response.content.decode()
    assert 'id="email-html" title="HTML part" sandbox srcdoc="' in page
    assert "&lt;html" in page.lower()  # the HTML part is an attribute's text, never markup of the admin's page


def test_the_page_of_a_sent_notification_shows_no_next_attempt(operator_admin_client):
    from django.utils import timezone

    sent = notification(NotificationStatus.SENT, attempts=1, sent_at=timezone.now())
    pending = notification(NotificationStatus.PENDING)

    assert b"field-next_attempt_at" not in operator_admin_client.get(f"{CHANGELIST}{sent.pk}/change/").content
    assert b"field-next_attempt_at" in operator_admin_client.get(f"{CHANGELIST}{pending.pk}/change/").content

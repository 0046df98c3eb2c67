"""The audit trail is append-only: in the model, in the admin, and on PostgreSQL in the database itself."""

import pytest
from django.contrib.admin.sites import site
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from payments_api.payments.tests.factories import AnticipationFactory
from payments_api.requestlogs.models import AppendOnlyError, RequestLog, RequestLogAction
from payments_api.users.tests.factories import UserFactory


@pytest.fixture
def log(supplier):
    anticipation = AnticipationFactory(payment__supplier=supplier)
    return RequestLog.objects.create(anticipation=anticipation, user=supplier.user, action=RequestLogAction.REQUESTED)


def test_the_model_refuses_updates_and_deletes(log):
    log.action = RequestLogAction.APPROVED
    with pytest.raises(AppendOnlyError):
        log.save()
    with pytest.raises(AppendOnlyError):
        log.delete()
    assert RequestLog.objects.get(pk=log.pk).action == RequestLogAction.REQUESTED


@pytest.mark.postgresql
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE requestlogs_requestlog SET action = 'A' WHERE id = %s",
        "DELETE FROM requestlogs_requestlog WHERE id = %s",
    ],
)
def test_the_database_refuses_update_and_delete_whatever_the_client(log, statement):
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [log.pk])
    assert RequestLog.objects.get(pk=log.pk).action == RequestLogAction.REQUESTED


@pytest.mark.postgresql
def test_queryset_update_and_delete_are_refused_by_the_database(log):
    # QuerySet.update() and .delete() skip the model's save() and delete(): the trigger still holds.
    with pytest.raises(DatabaseError), transaction.atomic():
        RequestLog.objects.filter(pk=log.pk).update(action=RequestLogAction.DENIED)
    with pytest.raises(DatabaseError), transaction.atomic():
        RequestLog.objects.filter(pk=log.pk).delete()
    assert RequestLog.objects.filter(pk=log.pk, action=RequestLogAction.REQUESTED).exists()


def test_the_database_still_accepts_new_rows(log, supplier):
    RequestLog.objects.create(anticipation=log.anticipation, user=supplier.user, action=RequestLogAction.APPROVED)
    assert RequestLog.objects.filter(anticipation=log.anticipation).count() == 2


def test_the_admin_cannot_add_change_or_delete_logs(log):
    superuser = UserFactory(is_staff=True, is_superuser=True, is_operator=True)
    request = RequestFactory().get("/admin/requestlogs/requestlog/")
    request.user = superuser
    model_admin = site._registry[RequestLog]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, log)
    assert not model_admin.has_delete_permission(request, log)
    assert "delete_selected" not in model_admin.get_actions(request)


def test_the_admin_change_page_is_read_only_and_posts_change_nothing(client, log):
    superuser = UserFactory(is_staff=True, is_superuser=True, is_operator=True)
    client.force_login(superuser)
    url = f"/admin/requestlogs/requestlog/{log.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert client.post(url, {"action": "D"}).status_code == 403
    assert client.post(f"/admin/requestlogs/requestlog/{log.pk}/delete/", {"post": "yes"}).status_code == 403
    assert RequestLog.objects.get(pk=log.pk).action == RequestLogAction.REQUESTED

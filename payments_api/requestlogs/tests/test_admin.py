"""The request log is read-only in the admin, for superusers too (the model and the database: test_models.py)."""

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory

from payments_api.payments.tests.factories import AnticipationFactory
from payments_api.requestlogs.models import RequestLog, RequestLogAction
from payments_api.users.tests.factories import UserFactory


@pytest.fixture
def log(supplier):
    anticipation = AnticipationFactory(payment__supplier=supplier)
    return RequestLog.objects.create(anticipation=anticipation, user=supplier.user, action=RequestLogAction.REQUESTED)


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

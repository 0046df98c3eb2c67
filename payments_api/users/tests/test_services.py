"""The token lifecycle's services beyond what the token endpoints show (test_token_lifecycle.py)."""

import datetime

from django.utils import timezone

from payments_api.users.models import IssuedRefreshToken
from payments_api.users.services import refresh_token_issue, refresh_tokens_purge_expired
from payments_api.users.tasks import flush_expired_tokens


def test_purging_forgets_only_the_refresh_tokens_past_their_expiry(supplier):
    current = refresh_token_issue(user=supplier.user)
    expired = refresh_token_issue(user=supplier.user)
    IssuedRefreshToken.objects.filter(jti=expired["jti"]).update(expires_at=timezone.now() - datetime.timedelta(1))

    assert refresh_tokens_purge_expired() == 1

    assert list(IssuedRefreshToken.objects.values_list("jti", flat=True)) == [current["jti"]]


def test_the_daily_task_purges(supplier):
    kept = refresh_token_issue(user=supplier.user)
    expired = refresh_token_issue(user=supplier.user)
    IssuedRefreshToken.objects.filter(jti=expired["jti"]).update(expires_at=timezone.now())

    flush_expired_tokens.delay()  # run in-process by the test settings

    assert list(IssuedRefreshToken.objects.values_list("jti", flat=True)) == [kept["jti"]]

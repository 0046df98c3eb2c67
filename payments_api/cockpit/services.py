"""The dashboard's figures are read from every anticipation: seconds of work at a million payments. They are computed
in the background (the refresh_dashboard task, every DASHBOARD_REFRESH_SECONDS) and kept in the cache, so the page
reads one key; the page says when they were computed."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from payments_api.cockpit.selectors import ProgrammeFigures, programme_figures

# A new version whenever ProgrammeFigures changes shape: snapshots of the old one are never read back.
CACHE_KEY = "cockpit:dashboard:v2"


@dataclass(frozen=True)
class DashboardSnapshot:
    computed_at: datetime.datetime
    figures: ProgrammeFigures


def dashboard_refresh() -> DashboardSnapshot:
    """Compute the figures now and keep them for the page."""
    computed_at = timezone.now()
    snapshot = DashboardSnapshot(
        computed_at=computed_at, figures=programme_figures(today=timezone.localdate(computed_at))
    )
    # Kept well past the next refresh, so a late or failed one leaves the page its previous figures.
    cache.set(CACHE_KEY, snapshot, timeout=settings.DASHBOARD_REFRESH_SECONDS * 10)
    return snapshot


def dashboard_snapshot() -> DashboardSnapshot:
    """The latest figures: the background's, or computed now when there are none or they are from another day."""
    snapshot = cache.get(CACHE_KEY)
    if snapshot is None or snapshot.figures.today != timezone.localdate():
        snapshot = dashboard_refresh()
    return snapshot

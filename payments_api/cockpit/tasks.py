from celery import shared_task

from payments_api.cockpit.services import dashboard_refresh


@shared_task(ignore_result=True)
def refresh_dashboard() -> None:
    """Compute the dashboard's figures for the page (scheduled by beat; see DASHBOARD_REFRESH_SECONDS)."""
    dashboard_refresh()

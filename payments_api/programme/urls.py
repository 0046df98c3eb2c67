from django.urls import path

from payments_api.programme.apis import CalendarView, ProgrammeView

urlpatterns = [
    path("programme/", ProgrammeView.as_view(), name="programme"),
    path("calendar/", CalendarView.as_view(), name="calendar"),
]

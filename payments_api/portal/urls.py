from django.urls import path
from django.views.i18n import set_language

from payments_api.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("password/", views.password_change, name="password"),
    path("payments/", views.payment_list, name="payments"),
    path("payments/<int:pk>/", views.payment_detail, name="payment"),
    path("payments/<int:pk>/request/", views.payment_request, name="payment-request"),
    path("payments/early/", views.selection, name="selection"),
    path("payments/early/confirm/", views.selection_confirm, name="selection-confirm"),
    path("payments/early/submit/", views.selection_submit, name="selection-submit"),
    path("payments/early/result/", views.selection_result, name="selection-result"),
    path("requests/", views.request_list, name="requests"),
    path("requests/statement.csv", views.statement, name="statement"),
    path("settings/", views.supplier_settings, name="settings"),
    # Django's language switch: a POST that keeps the choice in a cookie, then back to the page it came from.
    path("language/", set_language, name="language"),
]

from django.urls import path

from payments_api.bench import views
from payments_api.urls import urlpatterns as service_urlpatterns

urlpatterns = [
    *service_urlpatterns,
    path("bench/payments/", views.payments),
    path("bench/payments/<int:pk>/", views.payment),
    path("bench/logs/", views.request_logs),
]

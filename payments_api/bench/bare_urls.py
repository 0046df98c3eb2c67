from django.urls import path

from payments_api.bench import bare

urlpatterns = [
    path("health/", bare.health),
    path("bare/payments/", bare.payments),
    path("bare/payments/<int:pk>/", bare.payment),
    path("bare/logs/", bare.request_logs),
]

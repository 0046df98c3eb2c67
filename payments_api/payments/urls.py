from django.urls import path
from rest_framework.routers import SimpleRouter

from payments_api.payments.apis import AnticipationViewSet, PaymentViewSet, ProgrammeBudgetView

router = SimpleRouter()
router.register("payments", PaymentViewSet, basename="payment")
router.register("anticipations", AnticipationViewSet, basename="anticipation")

urlpatterns = [
    # Under the programme's path: the budget is one of its terms; what is committed is counted from anticipations.
    path("programme/budget/", ProgrammeBudgetView.as_view(), name="programme-budget"),
    *router.urls,
]

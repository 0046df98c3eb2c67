from rest_framework.routers import SimpleRouter

from payments_api.payments.apis import AnticipationViewSet, PaymentViewSet

router = SimpleRouter()
router.register("payments", PaymentViewSet, basename="payment")
router.register("anticipations", AnticipationViewSet, basename="anticipation")

urlpatterns = router.urls

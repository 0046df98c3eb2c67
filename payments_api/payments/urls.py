from payments_api.common.routers import OptionalSlashRouter
from payments_api.payments.apis import AnticipationViewSet, PaymentViewSet

router = OptionalSlashRouter()
router.register("payments", PaymentViewSet, basename="payment")
router.register("anticipations", AnticipationViewSet, basename="anticipation")

urlpatterns = router.urls

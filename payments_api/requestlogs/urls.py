from payments_api.common.routers import OptionalSlashRouter
from payments_api.requestlogs.apis import RequestLogViewSet

router = OptionalSlashRouter()
router.register("logs", RequestLogViewSet, basename="requestlog")

urlpatterns = router.urls

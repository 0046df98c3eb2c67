from rest_framework.routers import SimpleRouter

from payments_api.requestlogs.apis import RequestLogViewSet

router = SimpleRouter()
router.register("logs", RequestLogViewSet, basename="requestlog")

urlpatterns = router.urls

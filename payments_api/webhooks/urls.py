from rest_framework.routers import SimpleRouter

from payments_api.webhooks.apis import WebhookEndpointViewSet

router = SimpleRouter()
router.register("webhooks/endpoints", WebhookEndpointViewSet, basename="webhook-endpoint")

urlpatterns = router.urls

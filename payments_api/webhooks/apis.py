from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from payments_api.common.csv_export import CSVListMixin
from payments_api.users.permissions import IsOperator
from payments_api.webhooks.selectors import webhook_endpoints_list
from payments_api.webhooks.serializers import (
    WebhookEndpointCreateSerializer,
    WebhookEndpointSerializer,
    WebhookEndpointUpdateSerializer,
    WebhookEndpointWithSecretSerializer,
)
from payments_api.webhooks.services import (
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_rotate_secret,
    webhook_endpoint_update,
)


@extend_schema_view(
    list=extend_schema(summary="List webhook endpoints (operators)"),
    retrieve=extend_schema(summary="Retrieve a webhook endpoint (operators)"),
    create=extend_schema(
        summary="Register a webhook endpoint (operators); its secret is shown in this answer only",
        request=WebhookEndpointCreateSerializer,
        responses={201: WebhookEndpointWithSecretSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a webhook endpoint's URL, events or description, or enable or disable it (operators)",
        request=WebhookEndpointUpdateSerializer,
        responses={200: WebhookEndpointSerializer},
    ),
    destroy=extend_schema(summary="Delete a webhook endpoint and its deliveries (operators)"),
    rotate_secret=extend_schema(
        summary="Rotate a webhook endpoint's secret (operators); the previous one signs too for a while",
        request=None,
        responses={200: WebhookEndpointWithSecretSerializer},
    ),
)
class WebhookEndpointViewSet(
    CSVListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = WebhookEndpointSerializer
    permission_classes = [IsOperator]
    csv_filename = "webhook-endpoints.csv"
    lookup_value_regex = "[0-9]+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return webhook_endpoints_list()

    def create(self, request):
        serializer = WebhookEndpointCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint = webhook_endpoint_create(**serializer.validated_data)
        location = request.build_absolute_uri(reverse("webhook-endpoint-detail", kwargs={"pk": endpoint.pk}))
        output = WebhookEndpointWithSecretSerializer(endpoint)
        return Response(output.data, status=status.HTTP_201_CREATED, headers={"Location": location})

    def partial_update(self, request, pk=None):
        serializer = WebhookEndpointUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint = webhook_endpoint_update(endpoint=self.get_object(), **serializer.validated_data)
        return Response(WebhookEndpointSerializer(endpoint).data)

    def destroy(self, request, pk=None):
        webhook_endpoint_delete(endpoint=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        endpoint = webhook_endpoint_rotate_secret(endpoint=self.get_object())
        return Response(WebhookEndpointWithSecretSerializer(endpoint).data)

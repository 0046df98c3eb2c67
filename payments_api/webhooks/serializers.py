from rest_framework import serializers

from payments_api.webhooks.models import WebhookEventType


class WebhookEndpointSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    url = serializers.URLField(read_only=True)
    description = serializers.CharField(read_only=True)
    events = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEventType.choices), read_only=True)
    enabled = serializers.BooleanField(read_only=True)
    disabled_reason = serializers.CharField(
        read_only=True, help_text="Why the service disabled the endpoint (410 Gone, days of failures); blank otherwise."
    )
    disabled_at = serializers.DateTimeField(read_only=True, allow_null=True)
    failing_since = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="Since when its deliveries fail without a success; null while they succeed.",
    )
    previous_secret_expires_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="During a rotation, until when the previous secret signs too."
    )
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class WebhookEndpointWithSecretSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="The signing secret (whsec_...): shown only when created or rotated."
    )


class WebhookEndpointCreateSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=2000, help_text="https:// only in production.")
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEventType.choices), min_length=1, max_length=50
    )
    description = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class WebhookEndpointUpdateSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=2000, required=False)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEventType.choices), min_length=1, max_length=50, required=False
    )
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)
    enabled = serializers.BooleanField(required=False)

from rest_framework import serializers

from payments_api.requestlogs.models import RequestLogAction


class RequestLogSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    anticipation = serializers.IntegerField(source="anticipation_id", read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    user = serializers.IntegerField(source="user_id", read_only=True)
    action = serializers.ChoiceField(choices=RequestLogAction.choices, read_only=True)

from rest_framework import serializers

from payments_api.requestlogs.models import RequestLog


class RequestLogSerializer(serializers.ModelSerializer):
    class Meta:
        model = RequestLog
        fields = ["id", "anticipation", "created_at", "user", "action"]
        read_only_fields = fields

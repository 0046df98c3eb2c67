from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from payments_api.common.pagination import SequencePagination
from payments_api.programme.selectors import non_business_days_between, programme_current
from payments_api.programme.serializers import (
    CalendarQuerySerializer,
    NonBusinessDayPageSerializer,
    NonBusinessDaySerializer,
    ProgrammeSerializer,
)


class ProgrammeView(APIView):
    @extend_schema(summary="The programme's terms in force", responses={200: ProgrammeSerializer})
    def get(self, request):
        return Response(ProgrammeSerializer(programme_current()).data)


class CalendarView(APIView):
    pagination_class = SequencePagination

    @extend_schema(
        summary="Non-business days (weekends, banking holidays), for a date picker",
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description="The first day (included); today by default."),
            OpenApiParameter(
                "to", OpenApiTypes.DATE, description="The last day (included); a year later by default, ten at most."
            ),
            OpenApiParameter("page", OpenApiTypes.INT, description="The page number."),
            OpenApiParameter("page_size", OpenApiTypes.INT, description="Days per page, 10 by default, at most 100."),
        ],
        responses={200: NonBusinessDayPageSerializer},
    )
    def get(self, request):
        query = CalendarQuerySerializer(data=request.query_params, today=timezone.localdate())
        query.is_valid(raise_exception=True)
        days = non_business_days_between(programme=programme_current(), **query.validated_data)
        paginator = SequencePagination()
        page = paginator.paginate_queryset([{"date": day, "name": name} for day, name in days], request, view=self)
        return paginator.get_paginated_response(NonBusinessDaySerializer(page, many=True).data)

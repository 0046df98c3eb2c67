from rest_framework import pagination
from rest_framework.exceptions import ValidationError


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request):
        """A page_size that is not a whole number from 1 up is refused (DRF would silently ignore it); capped at 100."""
        raw = request.query_params.get(self.page_size_query_param)
        if not raw:
            return self.page_size  # absent or blank: the default, as a blank page is the first
        if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
            message = "A whole number from 1 (more than 100 counts as 100)."
            raise ValidationError({self.page_size_query_param: [message]})
        return min(int(raw), self.max_page_size)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] in (self.page_query_param, self.page_size_query_param):
                parameter["schema"]["minimum"] = 1
        return parameters

from payments_api.common.pagination import ListPagination
from payments_api.users.permissions import is_operator


class RoleListPagination(ListPagination):
    """Page numbers for suppliers (their lists hold their own rows), cursors for operators (theirs hold every row)."""

    cursor_page_refused = "Operator lists are paged by cursor: follow the next link."
    response_description = "Suppliers get `count` and page links; operators get cursor links and no `count`."
    count_description = "Suppliers only: the number of rows."
    page_description = "Suppliers: the page number. Operators page by cursor and may not send it."
    cursor_description = "Operators: the position, as given in the next and previous links."

    def pages_by_cursor(self, request) -> bool:
        return is_operator(request.user)

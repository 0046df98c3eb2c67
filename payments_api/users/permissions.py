from typing import cast

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from payments_api.users.models import User


def caller(request: Request) -> User:
    """The user of a request that IsSupplierOrOperator (or IsOperator) let through: a User, never anonymous."""
    return cast(User, request.user)


def is_operator(user) -> bool:
    return bool(user and user.is_authenticated and user.is_operator)


def is_supplier(user) -> bool:
    return bool(user and user.is_authenticated and user.supplier_or_none is not None)


class IsSupplierOrOperator(BasePermission):
    """Only suppliers and operators use the API; any other authenticated user is refused."""

    message = "Only suppliers and operators may use this API."

    def has_permission(self, request, view):
        return is_operator(request.user) or is_supplier(request.user)


class IsOperator(BasePermission):
    message = "Only operators may perform this action."

    def has_permission(self, request, view):
        return is_operator(request.user)

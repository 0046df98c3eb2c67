"""What operators may do in the admin, without Django model permissions having to be assigned to them."""


def is_admin_operator(user) -> bool:
    """An operator who may use the admin: active, staff and is_operator."""
    return bool(user.is_active and user.is_staff and getattr(user, "is_operator", False))


class OperatorAdminMixin:
    """Grants admin operators the permissions in `operator_permissions` on top of Django's model permissions.

    A has_*_permission method defined on the ModelAdmin itself overrides this mixin's, so every restriction an
    admin states there (the request log is never changed, say) holds for operators and superusers alike.
    """

    operator_permissions: tuple[str, ...] = ("view",)

    def operator_may(self, request, permission: str) -> bool:
        return permission in self.operator_permissions and is_admin_operator(request.user)

    def has_module_permission(self, request):
        return self.operator_may(request, "view") or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self.operator_may(request, "view") or super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return self.operator_may(request, "add") or super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.operator_may(request, "change") or super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.operator_may(request, "delete") or super().has_delete_permission(request, obj)

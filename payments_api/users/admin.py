from typing import TYPE_CHECKING

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from payments_api.common.admin import (
    CSVExportAdminMixin,
    LargeTableAdminMixin,
    OperatorAdminMixin,
    ReadOnlyAdminMixin,
)
from payments_api.users.cnpj import normalize_cnpj
from payments_api.users.models import AccountChange, Supplier, User
from payments_api.users.selectors import user_email_taken
from payments_api.users.services import password_settable_by, supplier_save, user_password_set_record, user_save

if TYPE_CHECKING:
    # Mixed into the user forms only: the type checker reads it as one.
    _UserForm = forms.ModelForm[User]
else:
    _UserForm = object

EMAIL_TAKEN = "A user with this e-mail address already exists (addresses that differ only in case are the same)."


class UniqueEmailMixin(_UserForm):
    """Says in plain words what the case-insensitive user_email_ci_unique constraint would refuse."""

    def clean_email(self):
        email = self.cleaned_data["email"]
        if user_email_taken(email=email, excluding=self.instance):
            raise ValidationError(EMAIL_TAKEN, code="unique")
        return email


class EmailUserCreationForm(UniqueEmailMixin, UserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class EmailUserChangeForm(UniqueEmailMixin, UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


def is_privileged(user: User) -> bool:
    return user.is_superuser or user.is_staff or user.is_operator


def manages(admin_user: User, user: User) -> bool:
    """A superuser manages every account; anyone else the accounts that hold no role (suppliers' and plain ones)."""
    return admin_user.is_superuser or not is_privileged(user)


@admin.register(User)
class UserAdmin(CSVExportAdminMixin, OperatorAdminMixin, DjangoUserAdmin):
    form = EmailUserChangeForm
    add_form = EmailUserCreationForm
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_operator", "is_staff", "is_active", "created_by")
    list_select_related = ("created_by",)
    readonly_fields = ("created_by",)
    list_filter = ("is_operator", "is_staff", "is_superuser", "is_active")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name")}),
        (_("Role"), {"fields": ("is_operator",)}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined", "created_by")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2", "is_operator")}),)
    operator_permissions = ("view", "add", "change", "delete")
    # Roles and permissions are granted by superusers alone. An operator who could make operators could approve,
    # through a second account, an anticipation it requested as a supplier.
    superuser_only_fields = ("is_operator", "is_staff", "is_superuser", "groups", "user_permissions")

    def get_readonly_fields(self, request, obj=None):
        readonly = tuple(super().get_readonly_fields(request, obj))
        return readonly if request.user.is_superuser else readonly + self.superuser_only_fields

    def has_change_permission(self, request, obj=None):
        # Changing another privileged account's password or e-mail would be taking it over.
        if obj is not None and not manages(request.user, obj) and obj.pk != request.user.pk:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not manages(request.user, obj):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        user_save(user=obj, saved_by=request.user)

    def user_change_password(self, request, id, form_url=""):
        """Only a superuser sets another user's password (whoever sets it can log in as that user), on the record."""
        user = self.get_object(request, unquote(id))
        if user is not None and not password_settable_by(actor=request.user, user=user):
            raise PermissionDenied
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if user is not None and User.objects.filter(pk=user.pk).exclude(password=user.password).exists():
                user_password_set_record(user=user, set_by=request.user)
        return response


class SupplierForm(forms.ModelForm):
    # Accepts the formatted CNPJ (12.ABC.345/01DE-35) and stores its 14 characters.
    reg_number = forms.CharField(label="CNPJ", max_length=18)

    class Meta:
        model = Supplier
        fields = ("user", "corporate_name", "reg_number", "language")

    def clean_reg_number(self):
        return normalize_cnpj(self.cleaned_data["reg_number"])


@admin.register(Supplier)
class SupplierAdmin(CSVExportAdminMixin, OperatorAdminMixin, admin.ModelAdmin):
    operator_permissions = ("view", "add", "change", "delete")
    form = SupplierForm
    list_display = ("id", "corporate_name", "reg_number", "user", "language", "created_by")
    search_fields = ("corporate_name", "reg_number", "user__email")
    autocomplete_fields = ("user",)
    list_select_related = ("user", "created_by")

    def get_readonly_fields(self, request, obj=None):
        readonly = ("created_by",)
        # Moving a supplier to another account is a superuser's change (users.services.supplier_save).
        return readonly if obj is None or request.user.is_superuser else readonly + ("user",)

    def save_model(self, request, obj, form, change):
        supplier_save(supplier=obj, saved_by=request.user)

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # The CNPJ is stored as its 14 characters: find it as printed too (12.ABC.345/01DE-35, in any case).
        compact = normalize_cnpj(search_term)
        if compact and compact != search_term:
            results |= queryset.filter(reg_number__contains=compact)
        return results, may_have_duplicates

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user" and not request.user.is_superuser:
            # Not an operator's own account nor another privileged one: a supplier's account holds no role.
            kwargs["queryset"] = User.objects.filter(is_superuser=False, is_staff=False, is_operator=False)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(AccountChange)
class AccountChangeAdmin(
    ReadOnlyAdminMixin, CSVExportAdminMixin, LargeTableAdminMixin, OperatorAdminMixin, admin.ModelAdmin
):
    """Who created, re-passworded, re-addressed or linked which account or supplier: read-only, for operators too."""

    operator_permissions = ("view",)
    list_display = ("created_at", "kind", "user", "supplier", "actor", "detail")
    list_filter = ("kind",)
    search_fields = ("user__email", "actor__email", "supplier__corporate_name", "detail")
    list_select_related = ("user", "actor", "supplier")

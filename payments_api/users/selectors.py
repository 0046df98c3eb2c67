from django.db.models import QuerySet

from payments_api.users.models import User


def scope_to_user(queryset: QuerySet, *, user: User, supplier_field: str) -> QuerySet:
    """The one place that narrows a queryset to what `user` may see: operators everything, a supplier its own."""
    if user.is_operator:
        return queryset
    supplier = user.supplier_or_none
    if supplier is None:
        return queryset.none()
    return queryset.filter(**{supplier_field: supplier.pk})


def user_email_taken(*, email: str, excluding: User | None = None) -> bool:
    """Whether another user has this e-mail address, ignoring case as the user_email_ci_unique constraint does."""
    users = User.objects.filter(email__iexact=email)
    if excluding is not None and excluding.pk is not None:
        users = users.exclude(pk=excluding.pk)
    return users.exists()

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet, Value
from django.db.models.functions import Lower

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
    users = User.objects.alias(email_lower=Lower("email")).filter(email_lower=Lower(Value(email)))
    if excluding is not None and excluding.pk is not None:
        users = users.exclude(pk=excluding.pk)
    return users.exists()


def authentication_cache_key(user_id: int | str) -> str:
    return f"authenticated-user:{user_id}"


def user_for_authentication(*, user_id: int | str) -> User | None:
    """The user (with its supplier) an access token names, from the cache or else from one query.

    Every API request authenticates, and loading the user through the ORM costs more than the rest of a list's
    work; the cached copy is kept AUTH_USER_CACHE_SECONDS at most and dropped as soon as the user or its supplier
    is saved or deleted (users/signals.py), so deactivation and password changes end tokens at once.
    """
    seconds = settings.AUTH_USER_CACHE_SECONDS
    key = authentication_cache_key(user_id)
    user = cache.get(key) if seconds else None
    if user is None:
        user = User.objects.select_related("supplier").filter(pk=user_id).first()
        if user is not None and seconds:
            cache.set(key, user, seconds)
    return user


def operator_emails() -> list[str]:
    """The e-mail addresses of the active operators, for what they must be told (a webhook endpoint disabled)."""
    operators = User.objects.filter(is_operator=True, is_active=True).exclude(email="").order_by("pk")
    return list(operators.values_list("email", flat=True))

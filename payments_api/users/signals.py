"""Keeping the authentication cache (users/selectors.py user_for_authentication) true to the database."""

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from payments_api.users.models import Supplier, User
from payments_api.users.selectors import authentication_cache_key


def forget_authenticated_user(user_id) -> None:
    """Drop the cached copy now, and again once the change commits: a request that read the old row in between
    must not leave it cached for long."""
    key = authentication_cache_key(user_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


@receiver([post_save, post_delete], sender=User)
def user_changed(sender, instance: User, **kwargs):
    forget_authenticated_user(instance.pk)


@receiver(pre_save, sender=Supplier)
def supplier_changing(sender, instance: Supplier, **kwargs):
    """A supplier moved to another user: the previous user's cached copy still holds it."""
    if instance.pk is not None:
        previous = Supplier.objects.filter(pk=instance.pk).values_list("user_id", flat=True).first()
        if previous is not None and previous != instance.user_id:
            forget_authenticated_user(previous)


@receiver([post_save, post_delete], sender=Supplier)
def supplier_changed(sender, instance: Supplier, **kwargs):
    forget_authenticated_user(instance.user_id)

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models import Value
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from payments_api.users.cnpj import normalize_cnpj, validate_cnpj


class UserQuerySet(models.QuerySet["User"]):
    def update(self, **kwargs) -> int:
        """An update() that deactivates accounts ends their tokens as User.save() does, and drops the cached copies
        authentication reads (signals never see an update())."""
        if kwargs.get("is_active") is False and "tokens_valid_after" not in kwargs:
            kwargs["tokens_valid_after"] = timezone.now()
        user_ids = list(self.values_list("pk", flat=True))
        updated = super().update(**kwargs)
        from payments_api.users.signals import forget_authenticated_user  # signals import this module

        for user_id in user_ids:
            forget_authenticated_user(user_id)
        return updated

    def deactivate(self) -> int:
        """Deactivate every account in the queryset: their tokens stop working at once and for good."""
        return self.update(is_active=False)


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    """Users log in with their e-mail address; there is no username."""

    def _create_user(self, email: str, password: str | None, **extra_fields: Any) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    # E-mail first, where Django's manager takes a username: the signatures differ on purpose.
    def create_user(
        self, email: str, password: str | None = None, **extra_fields: Any
    ) -> "User":
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(
        self, email: str, password: str | None = None, **extra_fields: Any
    ) -> "User":
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, email):
        # LOWER(email) = LOWER(%s): the expression of the case-insensitive unique index, so logging in is an index
        # lookup (email__iexact compares UPPER(), which no index serves, and scans every user).
        return self.alias(email_lower=Lower("email")).get(email_lower=Lower(Value(email)))


class Language(models.TextChoices):
    """Languages the supplier e-mails are written in."""

    PORTUGUESE = "pt-br", "Português (Brasil)"
    ENGLISH = "en", "English"


class User(AbstractUser):
    username = None  # type: ignore[assignment]  # the e-mail address identifies a user
    email = models.EmailField(_("e-mail address"), unique=True)
    is_operator = models.BooleanField(
        _("is operator"),
        default=False, help_text=_("Operators see every supplier's payments and approve or deny anticipations.")
    )
    created_by = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+",
        help_text=_("Who added the account in the admin (empty for accounts made otherwise)."),
        verbose_name=_("created by"),
    )
    tokens_valid_after = models.DateTimeField(
        _("tokens valid after"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Tokens issued before this instant are refused: set when the account is deactivated."),
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self):
        return self.email

    def save(self, *args, **kwargs):
        # Deactivating an account ends its tokens for good: reactivating it later does not bring them back.
        if not self.is_active and self.pk is not None and User.objects.filter(pk=self.pk, is_active=True).exists():
            self.tokens_valid_after = timezone.now()
            if (fields := kwargs.get("update_fields")) is not None:
                kwargs["update_fields"] = {*fields, "tokens_valid_after"}
        super().save(*args, **kwargs)

    def revoked(self, *, issued_at) -> bool:
        """Whether a token issued at `issued_at` (its "iat", seconds since the epoch) may predate a deactivation.

        The cut-off is kept to the microsecond and compared inclusively: a token whose "iat" is in whole seconds (as
        simplejwt writes it) and falls in the second of the deactivation is refused, whichever side of it it was
        issued on; the API's own tokens carry "iat" to the microsecond (users/tokens.py).
        """
        if self.tokens_valid_after is None:
            return False
        return not isinstance(issued_at, (int, float)) or issued_at <= self.tokens_valid_after.timestamp()

    @property
    def supplier_or_none(self):
        try:
            return self.supplier
        except Supplier.DoesNotExist:
            return None


class RefreshTokenState(models.TextChoices):
    ACTIVE = "active", "Active"
    ROTATED = "rotated", "Rotated"  # exchanged for the next token of its chain: presenting it again is reuse
    REVOKED = "revoked", "Revoked"  # logged out, or its chain was revoked


class IssuedRefreshToken(models.Model):
    """What recognises an issued refresh token: its jti, owner, chain and expiry, never the token itself."""

    jti = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="refresh_tokens")
    chain = models.CharField(max_length=64, help_text=_("The jti of the chain's first token, issued at login."))
    expires_at = models.DateTimeField()
    state = models.CharField(max_length=7, choices=RefreshTokenState.choices, default=RefreshTokenState.ACTIVE)

    class Meta:
        indexes = [models.Index(fields=["chain"], name="refreshtoken_chain_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=RefreshTokenState.values), name="refreshtoken_state_valid"
            ),
        ]

    def __str__(self):
        return f"Refresh token {self.jti} of user {self.user_id} ({self.state})"


class Supplier(models.Model):
    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="supplier", verbose_name=_("user"))
    corporate_name = models.CharField(_("corporate name"), max_length=150)
    reg_number = models.CharField(
        _("CNPJ"),
        max_length=14,
        unique=True,
        validators=[validate_cnpj],
        help_text=_("14 characters, digits or upper-case letters; punctuation is removed."),
    )
    language = models.CharField(
        _("language"),
        max_length=5, choices=Language.choices, default=Language.PORTUGUESE, help_text=_("Language of its e-mails.")
    )
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+",
        help_text=_("Who added the supplier in the admin (empty for suppliers made otherwise)."),
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reg_number__regex=r"^[0-9A-Z]{12}[0-9]{2}$"), name="supplier_reg_number_shape"
            ),
            models.CheckConstraint(condition=models.Q(language__in=Language.values), name="supplier_language_valid"),
        ]

    def __str__(self):
        return f"{self.corporate_name} ({self.reg_number})"

    def clean(self):
        self.reg_number = normalize_cnpj(self.reg_number)


class AccountChangeKind(models.TextChoices):
    USER_CREATED = "user-created", _("Account created")
    PASSWORD_SET = "password-set", _("Password set")
    EMAIL_CHANGED = "email-changed", _("E-mail changed")
    SUPPLIER_CREATED = "supplier-created", _("Supplier created")
    SUPPLIER_MOVED = "supplier-moved", _("Supplier moved to another account")


class AccountChange(models.Model):
    """Who created, re-passworded, re-addressed or linked which account or supplier, and when: never changed.

    Whoever did one of these to a supplier or its account holds it, and does not decide its anticipations
    (users.selectors.supplier_controlled_by).
    """

    # Only SELECT and INSERT for the application's database role (grant_app_role); triggers refuse the rest.
    append_only = True

    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="account_changes_made", verbose_name=_("actor")
    )
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="account_changes", verbose_name=_("user"))
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, null=True, blank=True, related_name="account_changes",
        verbose_name=_("supplier"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=AccountChangeKind.choices)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("account change")
        verbose_name_plural = _("account changes")
        ordering = ["id"]
        indexes = [models.Index(fields=["actor", "user"], name="accountchange_actor_user_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=AccountChangeKind.values), name="accountchange_kind_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.user} by {self.actor}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("Account changes are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Account changes are never deleted.")

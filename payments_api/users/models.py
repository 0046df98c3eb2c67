from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models import Value
from django.db.models.functions import Lower
from django.utils import timezone

from payments_api.users.cnpj import normalize_cnpj, validate_cnpj


class UserManager(DjangoUserManager["User"]):
    """Users log in with their e-mail address; there is no username."""

    def _create_user(self, email: str, password: str | None, **extra_fields: Any) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    # E-mail first, where Django's manager takes a username: the signatures differ on purpose.
    def create_user(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra_fields: Any
    ) -> "User":
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(  # type: ignore[override]
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
    email = models.EmailField("e-mail address", unique=True)
    is_operator = models.BooleanField(
        default=False, help_text="Operators see every supplier's payments and approve or deny anticipations."
    )
    tokens_valid_after = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="Tokens issued before this instant are refused: set when the account is deactivated.",
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self):
        return self.email

    def save(self, *args, **kwargs):
        # Deactivating an account ends its tokens for good: reactivating it later does not bring them back. Tokens
        # carry their issue time ("iat") in whole seconds, so the instant is kept in whole seconds too: a login right
        # after a reactivation, within the second of the deactivation, still gets a working token.
        if not self.is_active and self.pk is not None and User.objects.filter(pk=self.pk, is_active=True).exists():
            self.tokens_valid_after = timezone.now().replace(microsecond=0)
            if (fields := kwargs.get("update_fields")) is not None:
                kwargs["update_fields"] = {*fields, "tokens_valid_after"}
        super().save(*args, **kwargs)

    def revoked(self, *, issued_at) -> bool:
        """Whether a token issued at `issued_at` (its "iat", seconds since the epoch) predates a deactivation."""
        if self.tokens_valid_after is None:
            return False
        return not isinstance(issued_at, (int, float)) or issued_at < self.tokens_valid_after.timestamp()

    @property
    def supplier_or_none(self):
        try:
            return self.supplier
        except Supplier.DoesNotExist:
            return None


class Supplier(models.Model):
    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="supplier")
    corporate_name = models.CharField(max_length=150)
    reg_number = models.CharField(
        "CNPJ",
        max_length=14,
        unique=True,
        validators=[validate_cnpj],
        help_text="14 characters, digits or upper-case letters; punctuation is removed.",
    )
    language = models.CharField(
        max_length=5, choices=Language.choices, default=Language.PORTUGUESE, help_text="Language of its e-mails."
    )

    class Meta:
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

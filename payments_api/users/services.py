"""Accounts and tokens: the admin's changes to accounts and suppliers, on the record; and the token lifecycle: issuing,
checking, rotating, revoking and purging refresh tokens, and checking any token's user.

Only what recognises a refresh token is stored (IssuedRefreshToken: jti, owner, chain, expiry, state), never the token.
Rotation follows the OAuth 2.0 Security BCP (RFC 9700, 4.14.2): a refresh token works once; presenting one that was
already rotated means two parties hold the chain, so the whole chain is revoked; and a chain ends JWT_REFRESH_DAYS
after its login however often it is refreshed.
"""

import datetime
from typing import cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt.exceptions import AuthenticationFailed, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token
from rest_framework_simplejwt.utils import get_md5_hash_password

from payments_api.common.exceptions import Forbidden
from payments_api.users.models import (
    AccountChange,
    AccountChangeKind,
    IssuedRefreshToken,
    RefreshTokenState,
    Supplier,
    User,
)
from payments_api.users.selectors import user_for_authentication
from payments_api.users.tokens import CHAIN_CLAIM, LOGIN_TIME_CLAIM, RefreshToken

NO_ACTIVE_ACCOUNT = _("No active account found for the given token.")
PASSWORD_CHANGED = _("The user's password has been changed.")
TOKEN_REVOKED = _("The token was issued before the account was deactivated.")
TOKEN_NOT_RECOGNISED = _("Token is not recognised")
TOKEN_SPENT = _("Token is blacklisted")
TOKEN_REUSED = _("Token was already used; every token of its login is now revoked")


def token_user(*, token: Token, authenticating: bool = False) -> User:
    """The user `token` names, if it may still act: it exists, is active, kept its password, and the token was not
    issued before a deactivation. The one check for every use of a token.

    Authenticating a request reads the user from the cache (user_for_authentication) and says why the user was
    refused ("user not found", "user is inactive"); the token endpoints read the database and say "no active
    account" either way, as simplejwt does.
    """
    user_id = token.payload.get(api_settings.USER_ID_CLAIM)
    user: User | None = None
    try:
        if authenticating and user_id is not None:
            user = user_for_authentication(user_id=user_id)
        elif user_id:
            user = User.objects.filter(**{api_settings.USER_ID_FIELD: user_id}).first()
    except (ValueError, TypeError):  # a user id that is not a number
        user = None
    if user is None or not api_settings.USER_AUTHENTICATION_RULE(user):
        if not authenticating:
            raise AuthenticationFailed(str(NO_ACTIVE_ACCOUNT), "no_active_account")
        if user is None:
            raise AuthenticationFailed(str(_("User not found")), "user_not_found")
        raise AuthenticationFailed(str(_("User is inactive")), "user_inactive")
    if api_settings.CHECK_REVOKE_TOKEN and token.payload.get(api_settings.REVOKE_TOKEN_CLAIM) != get_md5_hash_password(
        user.password
    ):
        raise AuthenticationFailed(str(PASSWORD_CHANGED), "password_changed")
    if user.revoked(issued_at=token.payload.get("iat")):
        raise AuthenticationFailed(str(TOKEN_REVOKED), "token_revoked")
    return user


def refresh_token_issue(
    *, user: User, chain: str | None = None, login_time: datetime.datetime | None = None
) -> RefreshToken:
    """A new refresh token for `user`, recorded: the first of a chain at login, or the next one of `chain`.

    Every token of a chain expires when the chain does, JWT_REFRESH_DAYS after `login_time`.
    """
    refresh = cast(RefreshToken, RefreshToken.for_user(user))
    if chain is not None and login_time is not None:
        refresh[CHAIN_CLAIM] = chain
        refresh[LOGIN_TIME_CLAIM] = login_time.timestamp()
        refresh.set_exp(from_time=login_time)
    else:
        refresh[CHAIN_CLAIM] = refresh[api_settings.JTI_CLAIM]
        refresh[LOGIN_TIME_CLAIM] = refresh["iat"]
    IssuedRefreshToken.objects.create(
        jti=refresh[api_settings.JTI_CLAIM], user=user, chain=refresh.chain, expires_at=refresh.expires_at
    )
    return refresh


def _refresh_token_spend(*, refresh: RefreshToken, state: RefreshTokenState) -> str | None:
    """Move `refresh` from active to `state` and return None, or return why it is refused: unknown, already spent,
    or reused, which revokes its chain. Called in a transaction the caller commits before refusing, so that the
    chain's revocation holds; the row lock makes exactly one of concurrent uses succeed."""
    issued = (
        IssuedRefreshToken.objects.select_for_update().filter(jti=refresh.payload.get(api_settings.JTI_CLAIM)).first()
    )
    if issued is None:
        return str(TOKEN_NOT_RECOGNISED)
    if issued.state == RefreshTokenState.ACTIVE:
        issued.state = state
        issued.save(update_fields=["state"])
        return None
    if issued.state == RefreshTokenState.ROTATED:
        IssuedRefreshToken.objects.filter(chain=issued.chain).update(state=RefreshTokenState.REVOKED)
        return str(TOKEN_REUSED)
    return str(TOKEN_SPENT)


def refresh_token_rotate(*, refresh: RefreshToken) -> RefreshToken:
    """Exchange `refresh` for the next token of its chain; it works once."""
    user = token_user(token=refresh)
    with transaction.atomic():
        refused = _refresh_token_spend(refresh=refresh, state=RefreshTokenState.ROTATED)
        if refused is None:
            return refresh_token_issue(user=user, chain=refresh.chain, login_time=refresh.login_time)
    raise TokenError(refused)


def refresh_token_revoke(*, refresh: RefreshToken) -> None:
    """Log out: `refresh` stops working, and with it its chain, whose active token it is (access tokens already
    issued run out on their own, within JWT_ACCESS_MINUTES)."""
    with transaction.atomic():
        refused = _refresh_token_spend(refresh=refresh, state=RefreshTokenState.REVOKED)
    if refused is not None:
        raise TokenError(refused)


def refresh_token_check(*, token: Token) -> None:
    """Refuse a refresh token that is not the active one of its chain (verify); other tokens are not recorded."""
    if token.payload.get(api_settings.TOKEN_TYPE_CLAIM) != RefreshToken.token_type:
        return
    state = (
        IssuedRefreshToken.objects.filter(jti=token.payload.get(api_settings.JTI_CLAIM))
        .values_list("state", flat=True)
        .first()
    )
    if state is None:
        raise TokenError(TOKEN_NOT_RECOGNISED)
    if state != RefreshTokenState.ACTIVE:
        raise TokenError(TOKEN_SPENT)


def refresh_tokens_purge_expired(*, now: datetime.datetime | None = None) -> int:
    """Forget refresh tokens past their expiry: they no longer work anyway. Returns how many were forgotten."""
    deleted, _by_model = IssuedRefreshToken.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted


# --- accounts and suppliers, on the record (four eyes: users.selectors.supplier_controlled_by) -----------------------


class AccountChangeForbidden(Forbidden):
    code = "account-change-forbidden"
    title = _("Only a superuser sets another user's password or moves a supplier to another account.")


def account_change_record(
    *, actor: User, user: User, kind: AccountChangeKind, supplier: Supplier | None = None, detail: str = ""
) -> AccountChange:
    return AccountChange.objects.create(actor=actor, user=user, supplier=supplier, kind=kind, detail=detail[:300])


def password_settable_by(*, actor: User, user: User) -> bool:
    """Only a superuser sets another user's password: whoever sets it can log in as that user."""
    return actor.is_superuser or actor.pk == user.pk


@transaction.atomic
def user_save(*, user: User, saved_by: User) -> User:
    """Save an account added or changed by `saved_by`, recording who created it and who changed its e-mail."""
    creating = user._state.adding
    previous_email = None if creating else User.objects.filter(pk=user.pk).values_list("email", flat=True).first()
    if creating:
        user.created_by = saved_by
    user.save()
    if creating:
        account_change_record(actor=saved_by, user=user, kind=AccountChangeKind.USER_CREATED, detail=user.email)
    elif previous_email != user.email:
        account_change_record(
            actor=saved_by, user=user, kind=AccountChangeKind.EMAIL_CHANGED, detail=f"{previous_email} -> {user.email}"
        )
    return user


@transaction.atomic
def user_password_set_record(*, user: User, set_by: User) -> None:
    """Record that `set_by` set `user`'s password (Django's admin form sets it), refusing it to anyone else's but a
    superuser: the caller's transaction is undone with it."""
    if not password_settable_by(actor=set_by, user=user):
        raise AccountChangeForbidden()
    account_change_record(actor=set_by, user=user, kind=AccountChangeKind.PASSWORD_SET)


@transaction.atomic
def supplier_save(*, supplier: Supplier, saved_by: User) -> Supplier:
    """Save a supplier added or changed by `saved_by`, recording who created it; only a superuser moves a supplier to
    another account, on the record."""
    creating = supplier._state.adding
    previous_user = (
        None if creating else User.objects.filter(supplier__pk=supplier.pk).values_list("email", flat=True).first()
    )
    moved = not creating and previous_user != supplier.user.email
    if moved and not saved_by.is_superuser:
        raise AccountChangeForbidden()
    if creating:
        supplier.created_by = saved_by
    supplier.save()
    if creating:
        account_change_record(
            actor=saved_by, user=supplier.user, supplier=supplier, kind=AccountChangeKind.SUPPLIER_CREATED,
            detail=str(supplier),
        )
    elif moved:
        account_change_record(
            actor=saved_by, user=supplier.user, supplier=supplier, kind=AccountChangeKind.SUPPLIER_MOVED,
            detail=f"{supplier}: {previous_user} -> {supplier.user.email}",
        )
    return supplier

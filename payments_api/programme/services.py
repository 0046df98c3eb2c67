import datetime
import uuid
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from payments_api.programme.errors import InvalidProgrammeTerms, OperatorRequired, SuperuserRequired
from payments_api.programme.models import PROGRAMME_ID, BudgetMonth, CalendarOverride, Programme, ProgrammeVersion
from payments_api.programme.selectors import month_start, programme_current
from payments_api.users.models import User


def _shown(value: Any) -> Any:
    """A term as JSON keeps it: rates as their decimal string, flags as booleans."""
    return value if isinstance(value, (bool, int, type(None))) else str(value)


def _stored(name: str, value: Any) -> Any:
    """A term as the database keeps it: a decimal to its field's places (0.025 as 0.025000)."""
    field = Programme._meta.get_field(name)
    if isinstance(field, models.DecimalField) and value is not None:
        return Decimal(value).quantize(Decimal(1).scaleb(-field.decimal_places))
    return value


@transaction.atomic
def programme_update(*, changed_by: User, **terms: Any) -> Programme:
    """A superuser changes some of the programme's terms; a change makes a new version, kept with who, when, and
    each term's old and new value. Terms given with their current value change nothing and make no version."""
    if not (changed_by.is_active and changed_by.is_superuser):
        raise SuperuserRequired()
    unknown = set(terms) - set(Programme.TERMS)
    if unknown:
        raise InvalidProgrammeTerms(f"Unknown terms: {', '.join(sorted(unknown))}.")

    programme_current()  # seeds the row in an emptied database
    # The lock orders concurrent changes: each version's old values are the previous version's new ones.
    programme = Programme.objects.select_for_update().get(pk=PROGRAMME_ID)
    old = programme.terms()
    for name, value in terms.items():
        setattr(programme, name, value)
    try:
        programme.full_clean(exclude=["version"])
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise InvalidProgrammeTerms(" ".join(messages), field=None if field == NON_FIELD_ERRORS else field) from exc
    new = {name: _stored(name, value) for name, value in programme.terms().items()}
    for name, value in new.items():
        setattr(programme, name, value)
    changes = {name: {"old": _shown(old[name]), "new": _shown(new[name])} for name in new if new[name] != old[name]}
    if not changes:
        return programme_current()

    version = ProgrammeVersion.objects.create(
        number=programme.version_id + 1, created_at=timezone.now(), created_by=changed_by, changes=changes, **new
    )
    programme.version = version
    programme.save(update_fields=[*Programme.TERMS, "version"])
    return programme_current()


def _calendar_changed() -> None:
    """Every process rebuilds its calendar once it reads the programme after this commits
    (selectors.business_calendar)."""
    programme_current()
    Programme.objects.filter(pk=PROGRAMME_ID).update(calendar_revision=uuid.uuid4())


@transaction.atomic
def calendar_override_save(*, override: CalendarOverride, saved_by: User) -> CalendarOverride:
    """An operator adds or corrects an override: an extra holiday, or a day declared working."""
    if not (saved_by.is_active and saved_by.is_operator):
        raise OperatorRequired()
    override.updated_by = saved_by
    override.save()
    _calendar_changed()
    return override


@transaction.atomic
def calendar_overrides_delete(*, overrides: QuerySet[CalendarOverride], deleted_by: User) -> int:
    if not (deleted_by.is_active and deleted_by.is_operator):
        raise OperatorRequired()
    deleted, _ = overrides.delete()
    _calendar_changed()
    return deleted


def budget_month_lock(*, day: datetime.date) -> datetime.date:
    """Lock the budget row of `day`'s month until the caller's transaction ends (creating it the first time) and
    return the month's first day: approvals paid in one month are counted against its budget one after the other."""
    month = month_start(day)
    BudgetMonth.objects.bulk_create([BudgetMonth(month=month)], ignore_conflicts=True)
    BudgetMonth.objects.select_for_update().filter(month=month).get()
    return month

"""Payables import: the buyer's CSV of payables, checked row by row, written all or nothing, keyed on
(supplier, external_id) so that importing the same file again changes nothing.

The file is read with the standard library's csv module (C code, one pass, the line number of every record), and
each cell is validated by the same DRF fields as POST /api/payments/ and the same rules (payment_validate), so a
cell's bad value ("abc" for a value) is a row error, never an exception. Everything is looked up and written in a
number of queries that depends on the file's size in thousands of rows, not on its rows one by one.
"""

import csv
import datetime
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from rest_framework.exceptions import ValidationError as FieldError

from payments_api.common.exceptions import DomainError
from payments_api.common.fields import StrictDateField, StrictMoneyField
from payments_api.payments.errors import ExternalIdTaken, ImportTooLarge
from payments_api.payments.events import payments_created_record
from payments_api.payments.models import (
    Anticipation,
    Payment,
    PayablesImport,
    PayablesImportStatus,
)
from payments_api.payments.pricing import CENT
from payments_api.payments.services import payment_validate
from payments_api.users.cnpj import is_valid_cnpj, normalize_cnpj
from payments_api.users.models import Supplier, User

IMPORT_MAX_ROWS = 100_000
IMPORT_COLUMNS = ("supplier_cnpj", "external_id", "due_date", "value")
# Errors listed at most: enough for a clerk to act on; a file wrong throughout is not read to its end.
IMPORT_MAX_ERRORS = 1000
# Rows looked up and written per query: few round trips, statements of a sensible size.
CHUNK = 5000
# Imports take this PostgreSQL advisory lock for their transaction, so that two of them never race to create the
# same key (the loser would meet the unique constraint halfway through its file).
IMPORT_LOCK = 0x5041594142  # "PAYAB"

_DUE_DATE = StrictDateField()
_VALUE = StrictMoneyField()


@dataclass(frozen=True)
class ImportRowError:
    """What is wrong with the file at `row` (its line number, the header being 1), in `field` if one cell."""

    row: int
    field: str | None
    code: str
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "code": self.code, "detail": self.detail}


@dataclass
class PayablesImportResult:
    """What an import did (or, for a dry run or a file with errors, what it would do: then nothing was written)."""

    dry_run: bool
    file_sha256: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[ImportRowError] = field(default_factory=list)
    record: PayablesImport | None = None

    @property
    def written(self) -> bool:
        return not self.dry_run and not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [error.as_dict() for error in self.errors],
        }


@dataclass
class _Row:
    line: int
    supplier_id: int
    external_id: str
    due_date: datetime.date
    value: Decimal


class _FileRefused(Exception):
    """The file cannot be read on (its encoding, header or CSV syntax): one error, and nothing more is checked."""

    def __init__(self, error: ImportRowError):
        self.error = error


def payables_import(
    *, content: bytes, imported_by: User, dry_run: bool = False, filename: str = "", keep_content: bool = False
) -> PayablesImportResult:
    """Check the payables CSV `content` (at most CSV_BODY_MAX_BYTES, IMPORT_MAX_ROWS rows) and, unless `dry_run` or
    any row is wrong, write it in one transaction.

    The file: UTF-8 (a BOM is skipped), comma or semicolon separated (as its header is), the header naming
    IMPORT_COLUMNS in any order, then one payable a row: the supplier's CNPJ (formatted or bare, numeric or
    alphanumeric), the buyer's invoice number, the due date (YYYY-MM-DD) and the value (`.` for decimals). Cells are
    read without the spaces and tabs around them; blank lines are skipped. A new (supplier, external_id) creates a
    payment, one with the same due date and value is unchanged, one with others is updated if it has no anticipation
    and is a `payment-locked` row error if it has. A file without errors is recorded (PayablesImport): checked for a
    dry run (with its content when `keep_content`, for the admin's confirmation), imported otherwise.
    """
    if len(content) > settings.CSV_BODY_MAX_BYTES:
        raise ImportTooLarge(f"The file is larger than {settings.CSV_BODY_MAX_BYTES} bytes.")
    result = PayablesImportResult(dry_run=dry_run, file_sha256=hashlib.sha256(content).hexdigest())
    today = timezone.localdate()
    with transaction.atomic():
        if not dry_run and connection.vendor == "postgresql":  # SQLite allows one writer at a time anyway
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])
        try:
            rows = _rows_read(content=content, result=result)
        except _FileRefused as refused:
            result.errors = [refused.error]
            return result
        if len(result.errors) > IMPORT_MAX_ERRORS:
            return result
        creates, updates = _rows_classify(rows=rows, result=result, today=today, lock=not dry_run)
        if result.errors:
            result.errors.sort(key=lambda error: error.row)
            return result
        if not dry_run:
            try:
                with transaction.atomic():
                    _rows_write(creates=creates, updates=updates, imported_by=imported_by, today=today)
            except IntegrityError as exc:  # a payment created with one of the keys since the file was checked
                raise ExternalIdTaken(
                    "A payment with one of the file's supplier and external ids was created meanwhile; import it again."
                ) from exc
        if dry_run and keep_content:
            # One file kept per operator, awaiting confirmation: the latest it checked.
            PayablesImport.objects.filter(imported_by=imported_by, status=PayablesImportStatus.CHECKED).exclude(
                content=b""
            ).update(content=b"")
        result.record = PayablesImport.objects.create(
            imported_by=imported_by,
            status=PayablesImportStatus.CHECKED if dry_run else PayablesImportStatus.IMPORTED,
            file_sha256=result.file_sha256,
            filename=filename[:255],
            rows=result.rows,
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
            content=content if dry_run and keep_content else b"",
        )
    return result


def payables_import_confirm(*, checked: PayablesImport, imported_by: User) -> PayablesImportResult:
    """Import the file the admin checked as `checked` (a dry run kept with its content), checked again now."""
    if checked.status != PayablesImportStatus.CHECKED or not checked.content:
        raise DomainError("This file was not checked for import, or was imported already.")
    with transaction.atomic():
        result = payables_import(content=bytes(checked.content), imported_by=imported_by, filename=checked.filename)
        if result.written:
            PayablesImport.objects.filter(pk=checked.pk).update(content=b"")
    return result


def _rows_read(*, content: bytes, result: PayablesImportResult) -> list[_Row]:
    """The rows whose every cell is well formed; the others become row errors in `result`. Suppliers are looked up
    by CNPJ in one query."""
    parsed: list[tuple[int, str, str, datetime.date, Decimal]] = []
    cnpjs: dict[str, str | None] = {}  # the cell as written -> the CNPJ, or None when it is not one
    for line, cells in _records(content=content):
        if len(result.errors) >= IMPORT_MAX_ERRORS:
            del result.errors[IMPORT_MAX_ERRORS:]
            detail = f"The file was checked up to here: it has over {IMPORT_MAX_ERRORS} errors."
            result.errors.append(ImportRowError(line, None, "too-many-errors", detail))
            break
        result.rows += 1
        if result.rows > IMPORT_MAX_ROWS:
            raise _FileRefused(
                ImportRowError(line, None, "too-many-rows", f"A file holds at most {IMPORT_MAX_ROWS} rows.")
            )
        if len(cells) != len(IMPORT_COLUMNS):
            result.errors.append(
                ImportRowError(
                    line, None, "columns", f"The row has {len(cells)} cells; the header has {len(IMPORT_COLUMNS)}."
                )
            )
            continue
        # Spaces and tabs around a cell are padding; any other character is the cell's own (and judged as such).
        cnpj_cell, external_id, due_date_cell, value_cell = (cell.strip(" \t") for cell in cells)
        errors = len(result.errors)
        for name, cell in zip(IMPORT_COLUMNS, (cnpj_cell, external_id, due_date_cell, value_cell)):
            if not cell:
                result.errors.append(ImportRowError(line, name, "required", "This cell is required."))
        if len(result.errors) > errors:
            continue
        if cnpj_cell not in cnpjs:
            normalized = normalize_cnpj(cnpj_cell)
            cnpjs[cnpj_cell] = normalized if is_valid_cnpj(normalized) else None
        if cnpjs[cnpj_cell] is None:
            result.errors.append(
                ImportRowError(
                    line, "supplier_cnpj", "invalid", "Enter a valid CNPJ (14 characters with valid check digits)."
                )
            )
        due_date = _cell_value(_DUE_DATE, due_date_cell, line=line, name="due_date", result=result)
        value = _cell_value(_VALUE, value_cell, line=line, name="value", result=result)
        if len(result.errors) == errors:
            parsed.append((line, cnpjs[cnpj_cell], external_id, due_date, value))  # type: ignore[arg-type]

    suppliers = dict(
        Supplier.objects.filter(reg_number__in={cnpj for cnpj in cnpjs.values() if cnpj}).values_list(
            "reg_number", "pk"
        )
    )
    rows = []
    for line, cnpj, external_id, due_date, value in parsed:
        if (supplier_id := suppliers.get(cnpj)) is None:
            result.errors.append(
                ImportRowError(line, "supplier_cnpj", "unknown-supplier", f"No supplier has the CNPJ {cnpj}.")
            )
            continue
        rows.append(_Row(line, supplier_id, external_id, due_date, value))
    return rows


def _records(*, content: bytes) -> Iterator[tuple[int, list[str]]]:
    """Each record after the header, with the line it starts on; blank lines are skipped."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise _FileRefused(ImportRowError(line, None, "encoding", "The file is not UTF-8 text."))
    header_line = text.split("\n", 1)[0]
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    last_line = 0
    try:
        header = next(reader, [])
        names = [name.strip().lower() for name in header]
        if sorted(names) != sorted(IMPORT_COLUMNS):
            raise _FileRefused(
                ImportRowError(
                    1, None, "header", f"The header must name the columns {','.join(IMPORT_COLUMNS)}, each once."
                )
            )
        order = [names.index(name) for name in IMPORT_COLUMNS]
        last_line = reader.line_num
        for cells in reader:
            line, last_line = last_line + 1, reader.line_num
            if not cells:
                continue
            yield line, ([cells[index] for index in order] if len(cells) == len(order) else cells)
    except csv.Error as exc:
        # Named by the line its record starts on (an unclosed quote runs on to the end of the file).
        raise _FileRefused(ImportRowError(last_line + 1, None, "csv", f"The CSV cannot be read here: {exc}."))


def _cell_value(field_: Any, cell: str, *, line: int, name: str, result: PayablesImportResult) -> Any:
    try:
        return field_.run_validation(cell)
    except FieldError as exc:
        detail = exc.detail[0] if isinstance(exc.detail, list) else exc.detail
        result.errors.append(ImportRowError(line, name, getattr(detail, "code", "invalid"), str(detail)))
        return None


def _rows_classify(
    *, rows: list[_Row], result: PayablesImportResult, today: datetime.date, lock: bool
) -> tuple[list[_Row], dict[int, _Row]]:
    """Match each row to the payment of its key: what to create, and what to update (by payment id). With `lock`,
    the payments to update are locked first, then checked for an anticipation (which a request may just have
    committed)."""
    first_of_key: dict[tuple[int, str], int] = {}
    keyed = []
    for row in rows:
        key = (row.supplier_id, row.external_id)
        if (first := first_of_key.setdefault(key, row.line)) != row.line:
            result.errors.append(
                ImportRowError(
                    row.line, "external_id", "duplicate", f"Row {first} has the same supplier and external id."
                )
            )
        else:
            keyed.append(row)

    stored = _payments_by_key(keys=list(first_of_key))
    if lock:
        changing = []
        for row in keyed:
            match = stored.get((row.supplier_id, row.external_id))
            if match is not None and (match[1], match[2]) != (row.due_date, row.value):
                changing.append(match[0])
        anticipated = _lock_and_find_anticipated(payment_ids=changing)
        stored = {
            key: (payment_id, due_date, value, has_anticipation or payment_id in anticipated)
            for key, (payment_id, due_date, value, has_anticipation) in stored.items()
        }

    creates: list[_Row] = []
    updates: dict[int, _Row] = {}
    for row in keyed:
        match = stored.get((row.supplier_id, row.external_id))
        if match is not None and (match[1], match[2]) == (row.due_date, row.value):
            result.unchanged += 1
            continue
        if match is not None and match[3]:
            changed = "value" if match[2] != row.value else "due_date"
            result.errors.append(
                ImportRowError(
                    row.line,
                    changed,
                    "payment-locked",
                    f"Payment {match[0]} has an anticipation: its due date and value can no longer change.",
                )
            )
            continue
        try:
            payment_validate(due_date=row.due_date, value=row.value, external_id=row.external_id, today=today)
        except DomainError as exc:
            result.errors.append(ImportRowError(row.line, getattr(exc, "field", None), exc.code, str(exc.detail)))
            continue
        if match is None:
            creates.append(row)
            result.created += 1
        else:
            updates[match[0]] = row
            result.updated += 1
    return creates, updates


def _payments_by_key(*, keys: list[tuple[int, str]]) -> dict[tuple[int, str], tuple[int, datetime.date, Decimal, bool]]:
    """The stored payments of `keys`: id, due date, value and whether it has an anticipation, a query per CHUNK."""
    stored: dict[tuple[int, str], tuple[int, datetime.date, Decimal, bool]] = {}
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        wanted = set(chunk)
        condition = Q(supplier_id__in={supplier_id for supplier_id, _ in chunk}) & Q(
            external_id__in={external_id for _, external_id in chunk}
        )
        payments = Payment.objects.filter(condition).values_list(
            "pk", "supplier_id", "external_id", "due_date", "value", "anticipation__payment_id"
        )
        for payment_id, supplier_id, external_id, due_date, value, anticipated in payments.order_by():
            if external_id is not None and (supplier_id, external_id) in wanted:
                stored[(supplier_id, external_id)] = (payment_id, due_date, value, anticipated is not None)
    return stored


def _lock_and_find_anticipated(*, payment_ids: list[int]) -> set[int]:
    """Lock the payments about to be updated (an anticipation request locks its payment too), then find those that
    have an anticipation, in a statement that sees whatever committed while the locks were awaited.

    Locked in id order throughout, as a batch request locks its payments, so that the two wait for each other rather
    than deadlock."""
    payment_ids = sorted(payment_ids)
    for start in range(0, len(payment_ids), CHUNK):
        chunk = payment_ids[start : start + CHUNK]
        list(Payment.objects.select_for_update().filter(pk__in=chunk).order_by("pk").values_list("pk", flat=True))
    anticipated: set[int] = set()
    for start in range(0, len(payment_ids), CHUNK):
        chunk = payment_ids[start : start + CHUNK]
        anticipated.update(Anticipation.objects.filter(payment_id__in=chunk).values_list("payment_id", flat=True))
    return anticipated


def _rows_write(*, creates: list[_Row], updates: dict[int, _Row], imported_by: User, today: datetime.date) -> None:
    """Insert and update the rows, a statement per CHUNK rows: each column goes as one array that PostgreSQL unnests.

    Django's bulk_create sends every value as a parameter of its own, and bulk_update writes a CASE branch per row:
    for 100,000 rows that took seconds and minutes respectively on the development machine; arrays take a fraction.
    """
    if connection.vendor != "postgresql":
        _rows_write_portably(creates=creates, updates=updates, imported_by=imported_by, today=today)
        return
    # The table's name from the model's own metadata, quoted; every value is a parameter.
    inserted_columns = "supplier_id, creation_date, due_date, value, external_id, created_by_id"
    table = connection.ops.quote_name(Payment._meta.db_table)
    created: list[tuple[int, _Row]] = []
    with connection.cursor() as cursor:
        for start in range(0, len(creates), CHUNK):
            chunk = creates[start : start + CHUNK]
            cursor.execute(
                f"INSERT INTO {table} ({inserted_columns}) "  # nosec B608
                "SELECT supplier_id, %s, due_date, value, external_id, %s "
                "FROM unnest(%s::bigint[], %s::date[], %s::numeric[], %s::text[]) "
                "AS row (supplier_id, due_date, value, external_id) "
                "RETURNING id, supplier_id, external_id",
                [
                    today,
                    imported_by.pk,
                    [row.supplier_id for row in chunk],
                    [row.due_date for row in chunk],
                    [row.value.quantize(CENT) for row in chunk],
                    [row.external_id for row in chunk],
                ],
            )
            ids = {(supplier_id, external_id): pk for pk, supplier_id, external_id in cursor.fetchall()}
            created += [(ids[(row.supplier_id, row.external_id)], row) for row in chunk]
    changes = list(updates.items())
    with connection.cursor() as cursor:
        for start in range(0, len(changes), CHUNK):
            batch = changes[start : start + CHUNK]
            cursor.execute(
                f"UPDATE {table} SET due_date = row.due_date, value = row.value "  # nosec B608
                "FROM unnest(%s::bigint[], %s::date[], %s::numeric[]) AS row (id, due_date, value) "
                f"WHERE {table}.id = row.id",
                [
                    [payment_id for payment_id, _ in batch],
                    [row.due_date for _, row in batch],
                    [row.value.quantize(CENT) for _, row in batch],
                ],
            )
    # Built only if an endpoint is subscribed (the events read them lazily).
    payments = (_payment(row, pk=payment_id, imported_by=imported_by, today=today) for payment_id, row in created)
    payments_created_record(payments=payments, today=today)


def _payment(row: _Row, *, pk: int | None, imported_by: User, today: datetime.date) -> Payment:
    """The payment a row creates, as stored."""
    return Payment(
        pk=pk,
        supplier_id=row.supplier_id,
        creation_date=today,
        due_date=row.due_date,
        value=row.value.quantize(CENT),
        external_id=row.external_id,
        created_by=imported_by,
    )


def _rows_write_portably(
    *, creates: list[_Row], updates: dict[int, _Row], imported_by: User, today: datetime.date
) -> None:
    """_rows_write for SQLite (`make run` without DATABASE_URL): Django's bulk operations, slower, the same result."""
    created = Payment.objects.bulk_create(
        [_payment(row, pk=None, imported_by=imported_by, today=today) for row in creates], batch_size=500
    )
    changed = [
        Payment(pk=payment_id, due_date=row.due_date, value=row.value.quantize(CENT))
        for payment_id, row in updates.items()
    ]
    Payment.objects.bulk_update(changed, ["due_date", "value"], batch_size=500)
    payments_created_record(payments=created, today=today)

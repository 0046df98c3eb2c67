"""payables_import on generated files: any well-formed file is read back exactly whatever its spelling (delimiter,
quoting, BOM, line ends, CNPJ formatting), and no input, however broken, raises instead of reporting."""

import csv
import io
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payments_api.payments.imports import IMPORT_COLUMNS, payables_import
from payments_api.payments.models import Payment
from payments_api.payments.services import EXTERNAL_ID_PATTERN
from payments_api.payments.tests.factories import days
from payments_api.users.cnpj import format_cnpj
from payments_api.users.tests.factories import OperatorFactory, SupplierFactory

pytestmark = pytest.mark.django_db

EXAMPLES = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# What an invoice number may hold (the API's rule): printable characters, delimiters and quotes included.
_PRINTABLE = st.characters(min_codepoint=0x20, max_codepoint=0x2FFF, blacklist_categories=("Cs", "Cc", "Zl", "Zp"))
external_ids = st.text(_PRINTABLE, min_size=1, max_size=64).filter(EXTERNAL_ID_PATTERN.fullmatch)
cents = st.integers(min_value=1, max_value=99_999_999_999)


def written(rows, *, delimiter: str, line_end: str, bom: bool, quoting: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=line_end, quoting=quoting)
    writer.writerow(IMPORT_COLUMNS)
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode()


@EXAMPLES
@given(
    payables=st.lists(st.tuples(external_ids, cents), min_size=1, max_size=15, unique_by=lambda payable: payable[0]),
    delimiter=st.sampled_from([",", ";"]),
    line_end=st.sampled_from(["\r\n", "\n"]),
    bom=st.booleans(),
    quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
    formatted=st.booleans(),
)
def test_a_well_formed_file_is_read_back_exactly(payables, delimiter, line_end, bom, quoting, formatted):
    supplier = SupplierFactory()
    cnpj = format_cnpj(supplier.reg_number) if formatted else supplier.reg_number
    due = days(30)
    rows = [(cnpj, external_id, due.isoformat(), f"{Decimal(value) / 100:.2f}") for external_id, value in payables]
    content = written(rows, delimiter=delimiter, line_end=line_end, bom=bom, quoting=quoting)

    result = payables_import(content=content, imported_by=OperatorFactory())

    assert result.errors == []
    assert (result.rows, result.created) == (len(payables), len(payables))
    stored = set(Payment.objects.filter(supplier=supplier).values_list("external_id", "value", "due_date"))
    assert stored == {(external_id, Decimal(value) / 100, due) for external_id, value in payables}


@EXAMPLES
@given(content=st.binary(max_size=600))
def test_any_bytes_are_reported_never_raised(content):
    result = payables_import(content=content, imported_by=OperatorFactory(), dry_run=True)
    assert result.errors or result.rows == 0


@EXAMPLES
@given(
    cells=st.lists(st.lists(st.text(max_size=12), min_size=0, max_size=6), max_size=8),
    delimiter=st.sampled_from([",", ";"]),
)
def test_any_grid_of_text_is_reported_never_raised(cells, delimiter):
    content = written(cells, delimiter=delimiter, line_end="\r\n", bom=False, quoting=csv.QUOTE_MINIMAL)
    result = payables_import(content=content, imported_by=OperatorFactory(), dry_run=True)
    assert all(error.row >= 2 for error in result.errors)
    assert Payment.objects.count() == 0

"""common/csv_export.py: cells as a spreadsheet should read them, and rows written in bounded chunks."""

import csv
import io
from decimal import Decimal

import pytest

from payments_api.common.csv_export import CSVRenderer, csv_cell, csv_lines


@pytest.mark.parametrize(
    "value, cell",
    [
        (None, ""),
        (True, "true"),
        (False, "false"),
        (12, "12"),
        ("12.50", "12.50"),
        (Decimal("0.10"), "0.10"),
        ("NF 42", "NF 42"),
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tX", "'\tX"),
    ],
)
def test_a_json_value_becomes_the_cell_a_spreadsheet_reads_as_data(value, cell):
    assert csv_cell(value) == cell


def test_rows_are_written_in_chunks_of_the_given_size_and_read_back_whole():
    rows = [[index, f"a,b \"{index}\"", None] for index in range(25)]

    chunks = list(csv_lines(header=["n", "text", "empty"], rows=iter(rows), chunk_rows=10))

    assert len(chunks) == 3  # header + 9 rows, 10 rows, 6 rows
    read = list(csv.reader(io.StringIO(b"".join(chunks).decode(), newline="")))
    assert read[0] == ["n", "text", "empty"]
    assert read[1:] == [[str(index), f"a,b \"{index}\"", ""] for index in range(25)]
    assert b"".join(chunks).count(b"\r\n") == 26


def test_the_renderer_writes_a_list_of_objects_under_their_keys():
    body = CSVRenderer().render([{"id": 1, "value": "1.00"}, {"id": 2, "value": None}])

    assert body == b"id,value\r\n1,1.00\r\n2,\r\n"

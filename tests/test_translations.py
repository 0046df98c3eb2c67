"""The catalogs in payments_api/locale: every string of the project translated, and the committed .mo files
compiled from the .po files as they are (so a change to a .po without `make messages` fails here)."""

import ast
import gettext
import re
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[1] / "payments_api" / "locale"
ENTRY = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) (".*")$')


def po_entries(path: Path) -> list[dict[str, str]]:
    entries, current, field = [], {}, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if current:
                entries.append(current)
            current, field = {}, None
        elif line.startswith("#"):
            current.setdefault("#", "")
            current["#"] += line + "\n"
        elif match := ENTRY.match(line):
            field = match.group(1)
            current[field] = ast.literal_eval(match.group(2))
        elif line.startswith('"') and field:
            current[field] += ast.literal_eval(line)
    return [entry for entry in entries if entry.get("msgid")]


@pytest.mark.parametrize("language", ["pt_BR", "en"])
def test_the_compiled_catalog_is_the_po_file(language):
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    with open(po.with_suffix(".mo"), "rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)

    for entry in po_entries(po):
        assert "fuzzy" not in entry.get("#", ""), entry["msgid"]
        context, msgid = entry.get("msgctxt"), entry["msgid"]
        if "msgid_plural" in entry:
            for n, form in ((1, "msgstr[0]"), (2, "msgstr[1]")):
                expected = entry[form] or (msgid if n == 1 else entry["msgid_plural"])
                translated = (
                    catalog.npgettext(context, msgid, entry["msgid_plural"], n)
                    if context
                    else catalog.ngettext(msgid, entry["msgid_plural"], n)
                )
                assert translated == expected, msgid
        else:
            expected = entry["msgstr"] or msgid
            translated = catalog.pgettext(context, msgid) if context else catalog.gettext(msgid)
            assert translated == expected, msgid


def test_every_string_has_its_portuguese():
    untranslated = [
        entry["msgid"]
        for entry in po_entries(LOCALE / "pt_BR" / "LC_MESSAGES" / "django.po")
        if not (entry.get("msgstr") or entry.get("msgstr[0]"))
    ]
    assert untranslated == []

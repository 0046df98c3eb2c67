"""Other spellings of valid input, which the strict fields (common/fields.py) refuse rather than reinterpret."""

DEVANAGARI_DIGITS = str.maketrans("0123456789", "\u0966\u0967\u0968\u0969\u096a\u096b\u096c\u096d\u096e\u096f")
FULL_WIDTH_DIGITS = str.maketrans("0123456789", "\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19")

# Other spellings of a date: ISO 8601 week and basic forms, other scripts' digits, whitespace, a time.
OTHER_DATE_SPELLINGS = {
    "iso-week": lambda date: date.strftime("%G-W%V-%u"),
    "iso-basic": lambda date: date.strftime("%Y%m%d"),
    "devanagari": lambda date: date.isoformat().translate(DEVANAGARI_DIGITS),
    "full-width": lambda date: date.isoformat().translate(FULL_WIDTH_DIGITS),
    "trailing-newline": lambda date: date.isoformat() + "\n",
    "leading-space": lambda date: " " + date.isoformat(),
    "with-time": lambda date: date.isoformat() + "T00:00:00",
}

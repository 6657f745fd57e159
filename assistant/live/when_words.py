"""Staff type dates in their own language: its weekday and month names, "today" and
"tomorrow", and a few small words ("at", "on") become the English words the parser reads.

The names come from CLDR through Babel (wide, abbreviated and short; the forms used inside a
date and standing alone, so Polish "listopada" and "listopad" both mean November), compared
without accents, as phones often drop them. Arabic-Indic digits become ASCII digits. A word
that is none of these is left as typed, so the parser refuses it rather than guess.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from typing import Literal

from babel import Locale
from babel.core import UnknownLocaleError
from babel.dates import get_day_names, get_month_names

from assistant.safety.fold import fold

ENGLISH_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ENGLISH_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                  "dec")
DAY_WIDTHS: tuple[Literal["wide", "abbreviated", "short"], ...] = ("wide", "abbreviated", "short")
MONTH_WIDTHS: tuple[Literal["wide", "abbreviated"], ...] = ("wide", "abbreviated")
# Words that carry no date or time of their own, as staff put them before one ("at 10:00",
# "on Wednesday"); the parser skips their English equivalents too.
SMALL_WORDS = {
    "uk": ("о", "об", "в", "у", "на", "годині", "год", "з"),
    "pl": ("o", "w", "we", "na", "godz", "godzinie", "od"),
    "ro": ("la", "ora", "orele", "in", "pe", "de", "din"),
    "ar": ("الساعة", "الساعه", "يوم", "في", "الساعة:"),
    "ur": ("کو", "بجے", "دن", "بجے:", "پر"),
}


def _key(word: str) -> str:
    return fold(word).replace(" ", "")


@cache
def _words(locale: str) -> dict[str, str]:
    try:
        Locale.parse(locale)
    except (UnknownLocaleError, ValueError):
        return {}
    found: dict[str, str] = {}
    contexts: tuple[Literal["format", "stand-alone"], ...] = ("format", "stand-alone")
    for context in contexts:
        for day_width in DAY_WIDTHS:
            for number, name in get_day_names(day_width, context, locale).items():
                found.setdefault(_key(name), ENGLISH_DAYS[number])
        for month_width in MONTH_WIDTHS:
            for number, name in get_month_names(month_width, context, locale).items():
                found.setdefault(_key(name), ENGLISH_MONTHS[number - 1])
    relative = Locale.parse(locale)._data["date_fields"]["day"]["relative"]
    for offset, english in ((0, "today"), (1, "tomorrow")):
        if offset in relative:
            found.setdefault(_key(relative[offset]), english)
    for word in SMALL_WORDS.get(locale.split("_")[0], ()):
        found.setdefault(_key(word), "at")
    found.pop("", None)
    return found


def _ascii_digits(text: str) -> str:
    return "".join(str(unicodedata.digit(c)) if c.isdigit() and not c.isascii() else c
                   for c in text)


def in_english(text: str, locale: str | None) -> str:
    """The typed text with the locale's date words put into the parser's English."""
    text = _ascii_digits(text)
    if not locale or locale.split("_")[0] == "en":
        return text
    words = _words(locale.split("_")[0])
    out = []
    for token in text.split():
        bare = token.strip(".,;")
        out.append(words.get(_key(bare), token) if bare else token)
    return " ".join(out)

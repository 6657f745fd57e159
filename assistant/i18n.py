"""Interface text and formats by locale: gettext catalogs from locales/, dates with babel."""

from __future__ import annotations

import gettext
import io
from collections.abc import Callable, Sequence
from datetime import datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_datetime, format_time
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from assistant.shipped import content_dir

LOCALES_DIR = content_dir("locales")
DOMAIN = "messages"
SOURCE_LOCALE = "en"

Gettext = Callable[[str], str]


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, don't translate"
    """Marks a string for the catalog where it is translated later, at use."""
    return message


def available_locales() -> list[str]:
    """Lists the locales that have a catalog (English is always there)."""
    found = {p.parent.parent.name for pattern in (f"*/LC_MESSAGES/{DOMAIN}.mo",
                                                  f"*/LC_MESSAGES/{DOMAIN}.po")
             for p in LOCALES_DIR.glob(pattern)}
    return sorted(found | {SOURCE_LOCALE})


def choose_locale(wanted: str | None) -> str:
    """Picks the closest available locale to a wanted one ("pl-PL" -> "pl"), else English."""
    if not wanted:
        return SOURCE_LOCALE
    have = available_locales()
    tag = wanted.replace("-", "_")
    for candidate in (tag, tag.split("_", 1)[0].lower()):
        if candidate in have:
            return candidate
    return SOURCE_LOCALE


def _compiled(po: Path, locale: str) -> Translations:
    """Compiles a catalog in memory (a checkout carries no .mo files: they go stale)."""
    with po.open("rb") as source:
        catalog = read_po(source, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


@lru_cache(maxsize=32)
def translations(locale: str) -> NullTranslations:
    """Returns the catalog for a locale; English source strings when there is none. A .mo
    is used when it is newer than its .po (the wheel compiles them); else the .po is read."""
    folder = LOCALES_DIR / locale / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if po.is_file() and (not mo.is_file() or mo.stat().st_mtime < po.stat().st_mtime):
        return _compiled(po, locale)
    loaded = Translations.load(str(LOCALES_DIR), [locale], DOMAIN)
    return loaded if isinstance(loaded, NullTranslations) else gettext.NullTranslations()


def gettext_for(locale: str) -> Gettext:
    """Returns the `_` function for a locale."""
    return translations(locale).gettext


def ngettext_for(locale: str) -> Callable[[str, str, int], str]:
    """Returns the plural-aware `ngettext` function for a locale."""
    return translations(locale).ngettext


def _babel_locale(locale: str) -> Locale:
    try:
        return Locale.parse(locale.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(SOURCE_LOCALE + "_GB")


def when_text(at: datetime, locale: str, tz: str, *, year: bool = False) -> str:
    """Formats an instant as a family reads it: "Monday 30 November at 08:30" (with the
    year, "Monday 30 November 2026 at 08:30", for a record such as a receipt). Elsewhere the
    day and month names are the language's (CLDR, through Babel), the clock is 24-hour as UK
    schools write it, and the two are joined the way the language joins a date and a time."""
    loc = _babel_locale("en_GB" if locale == "en" else locale)
    day = "EEEE d MMMM y" if year else "EEEE d MMMM"
    zone = ZoneInfo(tz)
    if loc.language == "en":
        return format_datetime(at, f"{day} 'at' HH:mm", tzinfo=zone, locale=loc)
    date_part = format_datetime(at, day, tzinfo=zone, locale=loc)
    time_part = format_datetime(at, "HH:mm", tzinfo=zone, locale=loc)
    join = loc.datetime_formats.get("long", "{1}, {0}")
    return str(join).format(time_part, date_part)


def clock_text(value: time, locale: str) -> str:
    """Formats a wall-clock time ("8:30am" in English, local style elsewhere)."""
    if locale.startswith("en"):
        hour = value.hour % 12 or 12
        suffix = "am" if value.hour < 12 else "pm"
        return f"{hour}{suffix}" if value.minute == 0 else f"{hour}:{value.minute:02d}{suffix}"
    return format_time(value, "short", locale=_babel_locale(locale))


def list_text(
    items: Sequence[str], locale: str, style: Literal["standard", "or"] = "standard"
) -> str:
    """Joins items as a sentence does: "Seesaw, Purple Mash and Teams"."""
    if not items:
        return ""
    loc = _babel_locale("en_GB" if locale == "en" else locale)
    return format_list(list(items), style=style, locale=loc)

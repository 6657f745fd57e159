"""Dates, times and lengths as staff type them: "tue 10:00", "24/11 14:30", "10am", "45 min".

Times are read in the school's timezone and returned in UTC. Anything that can't be read
for certain is refused with a reason, never guessed at: the flow says the result back in
full before anything is sent, so a reading that is merely unusual is caught there.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from assistant.live.when_words import in_english

MIN_MINUTES, MAX_MINUTES = 5, 180
MAX_AHEAD = timedelta(days=366)
MAX_TEXT = 100

WEEKDAYS = {
    "mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1, "wed": 2, "weds": 2,
    "wednesday": 2, "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "fri": 4, "friday": 4,
    "sat": 5, "saturday": 5, "sun": 6, "sunday": 6,
}
MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4,
    "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11,
    "dec": 12, "december": 12,
}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAY = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
_FILLER = {"at", "on", "the", "of", "from", "starting", "o'clock", "oclock"}

_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_NUMERIC = re.compile(r"\b(\d{1,2})[/-](\d{1,2})(?:[/-](\d{4}|\d{2}))?\b")
_DAY_MONTH = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH})\b(?:\s+(\d{{4}}))?")
_MONTH_DAY = re.compile(rf"\b({_MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:\s+(\d{{4}}))?")
_RELATIVE = re.compile(r"\b(today|tomorrow|tmrw|tmr)\b")
_ON_WEEKDAY = re.compile(rf"\b(?:(next|this)\s+)?({_WEEKDAY})\b")
_TWELVE_HOUR = re.compile(r"\b(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)\b")
_CLOCK = re.compile(r"\b(\d{1,2})[:.h](\d{2})\b")
_NOON = re.compile(r"\b(noon|midday)\b")
_BARE_HOUR = re.compile(r"^\s*(\d{1,2})\s*$")


class WhenError(ValueError):
    """Typed text that is not a date and time (or length) we can be sure of.

    `reason` is one of: empty, too-long, no-time, bad-time, bad-date, weekday-mismatch,
    unknown-words, past, too-far, bad-length, too-short, too-long-session. `detail` holds
    the words that could not be read, for unknown-words.
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason if not detail else f"{reason}: {detail}")
        self.reason, self.detail = reason, detail


def _clean(text: str) -> str:
    text = text.lower().replace("a.m.", "am").replace("p.m.", "pm")
    text = re.sub(r"[,;]", " ", text)
    return " ".join(text.split())


def _cut(text: str, match: re.Match[str]) -> str:
    return f"{text[:match.start()]} {text[match.end():]}"


def _year(raw: str | None, month: int, day: int, today: date) -> int:
    """The year a date means: as typed, else this year's unless that day has passed."""
    if raw:
        year = int(raw)
        return 2000 + year if year < 100 else year
    try:
        this_year = date(today.year, month, day)
    except ValueError:
        raise WhenError("bad-date") from None
    return today.year if this_year >= today else today.year + 1


def _make_date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise WhenError("bad-date") from None


def _take_date(text: str, today: date) -> tuple[date | None, str]:
    """Finds an explicit or relative date; returns it and the text left over."""
    if found := _ISO.search(text):
        year, month, day = (int(g) for g in found.groups())
        return _make_date(year, month, day), _cut(text, found)
    if found := _NUMERIC.search(text):
        day, month = int(found.group(1)), int(found.group(2))
        if not 1 <= month <= 12:
            raise WhenError("bad-date")
        year = _year(found.group(3), month, day, today)
        return _make_date(year, month, day), _cut(text, found)
    if found := _DAY_MONTH.search(text):
        day, month = int(found.group(1)), MONTHS[found.group(2)]
        year = _year(found.group(3), month, day, today)
        return _make_date(year, month, day), _cut(text, found)
    if found := _MONTH_DAY.search(text):
        month, day = MONTHS[found.group(1)], int(found.group(2))
        year = _year(found.group(3), month, day, today)
        return _make_date(year, month, day), _cut(text, found)
    if found := _RELATIVE.search(text):
        offset = 0 if found.group(1) == "today" else 1
        return today + timedelta(days=offset), _cut(text, found)
    return None, text


def _take_weekday(text: str) -> tuple[tuple[str, int] | None, str]:
    found = _ON_WEEKDAY.search(text)
    if found is None:
        return None, text
    return (found.group(1) or "", WEEKDAYS[found.group(2)]), _cut(text, found)


def _hour_24(hour: int, minute: int) -> time:
    # Nobody arranges a lesson between 1 and 6 in the morning: "2:30" means 14:30.
    if 1 <= hour <= 6:
        hour += 12
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise WhenError("bad-time")
    return time(hour, minute)


def _take_time(text: str, bare_hour_allowed: bool) -> tuple[time | None, str]:
    if found := _TWELVE_HOUR.search(text):
        hour, minute = int(found.group(1)), int(found.group(2) or 0)
        if not (1 <= hour <= 12 and 0 <= minute <= 59):
            raise WhenError("bad-time")
        hour = hour % 12 + (12 if found.group(3) == "pm" else 0)
        return time(hour, minute), _cut(text, found)
    if found := _CLOCK.search(text):
        return _hour_24(int(found.group(1)), int(found.group(2))), _cut(text, found)
    if found := _NOON.search(text):
        return time(12, 0), _cut(text, found)
    words = " ".join(word for word in text.split() if word not in _FILLER)
    if bare_hour_allowed and (found := _BARE_HOUR.match(words)):
        return _hour_24(int(found.group(1)), 0), ""
    return None, text


def _weekday_date(today: date, when: tuple[str, int], clock: time, now_local: datetime) -> date:
    word, weekday = when
    if word == "next":
        # The weekday in next week (weeks start on Monday), as "next Tuesday" is usually meant.
        return today - timedelta(days=today.weekday()) + timedelta(days=7 + weekday)
    if word == "this":
        return today - timedelta(days=today.weekday()) + timedelta(days=weekday)
    ahead = (weekday - today.weekday()) % 7
    day = today + timedelta(days=ahead)
    if ahead == 0 and datetime.combine(day, clock) <= now_local.replace(tzinfo=None):
        day += timedelta(days=7)
    return day


def _aware(day: date, clock: time, tz: ZoneInfo) -> datetime:
    # A wall-clock time skipped by a clock change is moved forward, as the hours module does.
    return datetime.combine(day, clock).replace(tzinfo=tz).astimezone(UTC)


def parse_when(text: str, *, now: datetime, tz: ZoneInfo,
               locale: str | None = None) -> datetime:
    """Reads a typed date and time in the school's timezone; returns it in UTC, or refuses.
    Weekday and month names, "today" and "tomorrow" may be in the staff member's language."""
    cleaned = _clean(in_english(text, locale))
    if not cleaned:
        raise WhenError("empty")
    if len(cleaned) > MAX_TEXT:
        raise WhenError("too-long")
    now_local = now.astimezone(tz)
    today = now_local.date()
    day, rest = _take_date(cleaned, today)
    weekday, rest = _take_weekday(rest)
    clock, rest = _take_time(rest, bare_hour_allowed=day is not None or weekday is not None)
    leftover = [word for word in rest.split() if word not in _FILLER]
    if leftover:
        raise WhenError("unknown-words", " ".join(leftover))
    if clock is None:
        raise WhenError("no-time")
    if day is None and weekday is not None:
        day = _weekday_date(today, weekday, clock, now_local)
    elif day is not None and weekday is not None and day.weekday() != weekday[1]:
        raise WhenError("weekday-mismatch")
    elif day is None:
        day = today if datetime.combine(today, clock) > now_local.replace(tzinfo=None) else (
            today + timedelta(days=1))
    at = _aware(day, clock, tz)
    if at <= now:
        raise WhenError("past")
    if at - now > MAX_AHEAD:
        raise WhenError("too-far")
    return at


_LENGTH = re.compile(
    r"^(?:(\d{1,2}(?:\.\d+)?)\s*(?:h|hr|hrs|hour|hours))?\s*"
    r"(?:(\d{1,3})\s*(?:m|min|mins|minute|minutes)?)?$"
)
_HOURS_MINUTES = re.compile(r"^(\d{1,2}):(\d{2})$")
_UNITS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
          "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
          "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
          "nineteen": 19}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60,
         "seventy": 70, "eighty": 80, "ninety": 90}
_HOUR_WORD = r"(?:hours?|hrs?|h)"
# Whole phrases first, so that their own words ("an", "half") are not read one by one.
_LENGTH_PHRASES = (
    (re.compile(r"\b(?:a\s+)?quarter\s+of\s+an\s+hour\b"), "15 min"),
    (re.compile(r"\b(?:three|3)\s+quarters\s+of\s+an\s+hour\b"), "45 min"),
    (re.compile(r"\bhalf\s+an\s+hour\b"), "30 min"),
    (re.compile(r"\b(?:an|a|one)\s+(?=hours?\b|hrs?\b)"), "1 "),
    (re.compile(rf"\b(\d+)\s+and\s+a\s+half\s+({_HOUR_WORD})\b"), r"\1.5 \2"),
    (re.compile(rf"\b(\d+)\s*({_HOUR_WORD})\s+and\s+a\s+half\b"), r"\1.5 \2"),
    (re.compile(rf"\b(\d+)\s*({_HOUR_WORD})\s+and\s+a\s+quarter\b"), r"\1 \2 15 min"),
    (re.compile(rf"\b({_HOUR_WORD})\s+and\s+(?=\d)"), r"\1 "),
    (re.compile(rf"^({_HOUR_WORD})\s+and\s+a\s+half$"), "1.5 hours"),
    (re.compile(rf"^({_HOUR_WORD})$"), "1 hour"),
)


def _numbers_in_words(text: str) -> str:
    """Writes numbers typed in words as digits: "forty five mins" -> "45 mins"."""
    words = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", text).split()
    out: list[str] = []
    for word in words:
        if word in _UNITS and out and out[-1].isdigit() and int(out[-1]) in _TENS.values():
            out[-1] = str(int(out[-1]) + _UNITS[word])
        elif word in _UNITS:
            out.append(str(_UNITS[word]))
        elif word in _TENS:
            out.append(str(_TENS[word]))
        else:
            out.append(word)
    return " ".join(out)


def _length_words(text: str) -> str:
    """A typed length in the shape the length pattern reads ("an hour and a half" -> 1.5 h)."""
    text = _numbers_in_words(text)
    for pattern, replacement in _LENGTH_PHRASES:
        text = pattern.sub(replacement, text)
    return " ".join(text.split())


def parse_minutes(text: str) -> int:
    """Reads a typed length ("30", "45 min", "1h", "1.5 hours", "1h30", "1:15", "forty five
    mins", "an hour and a half") in minutes."""
    if len(text) > MAX_TEXT:
        raise WhenError("bad-length")
    cleaned = _length_words(_clean(text))
    if not cleaned or len(cleaned) > 30:
        raise WhenError("bad-length")
    if found := _HOURS_MINUTES.match(cleaned):
        minutes = int(found.group(1)) * 60 + int(found.group(2))
    elif (found := _LENGTH.match(cleaned)) and (found.group(1) or found.group(2)):
        hours = float(found.group(1) or 0)
        minutes = round(hours * 60) + int(found.group(2) or 0)
    else:
        raise WhenError("bad-length")
    if minutes < MIN_MINUTES:
        raise WhenError("too-short")
    if minutes > MAX_MINUTES:
        raise WhenError("too-long-session")
    return minutes

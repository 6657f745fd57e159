"""The contact-hours calendar: when a school's staff read and send messages."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

import holidays

from assistant.schools import School

# A school that is never open would loop forever; two years is far past any real closure.
_SEARCH_DAYS = 731


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def bank_holiday_name(school: School, day: date) -> str | None:
    """The name of the bank holiday that closes the school that day ("Christmas Day"), if
    one does."""
    if not school.bank_holidays or day not in _bank_holidays(day.year):
        return None
    found = holidays.country_holidays("GB", subdiv="ENG", years=day.year).get(day)
    return str(found) if found else ""


def is_closed_day(school: School, day: date) -> bool:
    """Tells whether the whole day is closed: a bank holiday or one of the school's closures."""
    if school.bank_holidays and day in _bank_holidays(day.year):
        return True
    return any(start <= day <= end for start, end in school.closures)


def _require_aware(at: datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("a contact-hours question needs a timezone-aware time")


def _local(school: School, day: date, clock: time) -> datetime:
    # Wall-clock time in the school's zone; a time skipped by a DST change is moved forward.
    naive = datetime.combine(day, clock)
    aware = naive.replace(tzinfo=school.tz)
    return aware.astimezone(UTC).astimezone(school.tz)


def is_open(school: School, at: datetime) -> bool:
    """Tells whether the school's contact hours include the instant `at`."""
    _require_aware(at)
    local = at.astimezone(school.tz)
    if is_closed_day(school, local.date()):
        return False
    for window in school.contact_hours:
        if local.weekday() in window.days:
            start = _local(school, local.date(), window.start)
            end = _local(school, local.date(), window.end)
            if start <= local < end:
                return True
    return False


def next_open(school: School, after: datetime) -> datetime:
    """Returns `after` itself when open, else the start of the next contact window (in UTC)."""
    _require_aware(after)
    local = after.astimezone(school.tz)
    if is_open(school, local):
        return after.astimezone(UTC)
    day = local.date()
    for _ in range(_SEARCH_DAYS):
        if not is_closed_day(school, day):
            starts = sorted(
                _local(school, day, window.start)
                for window in school.contact_hours
                if day.weekday() in window.days
            )
            for start in starts:
                if start > local:
                    return start.astimezone(UTC)
        day += timedelta(days=1)
    raise ValueError(f"school {school.id} has no contact hours in the next two years")


def add_open_hours(school: School, start: datetime, hours: float) -> datetime:
    """Returns the instant (in UTC) when `hours` of contact time have passed since `start`."""
    _require_aware(start)
    remaining = timedelta(hours=hours)
    cursor = next_open(school, start)
    for _ in range(_SEARCH_DAYS * 4):
        day = cursor.astimezone(school.tz).date()
        # The end of the window that holds the cursor, in real (UTC) time.
        end = max(
            (
                _local(school, day, w.end).astimezone(UTC)
                for w in school.contact_hours
                if day.weekday() in w.days and _local(school, day, w.start) <= cursor
            ),
            default=cursor,
        )
        if cursor + remaining <= end:
            return cursor + remaining
        remaining -= end - cursor
        cursor = next_open(school, end)
    raise ValueError(f"school {school.id} has too few contact hours to add {hours}")

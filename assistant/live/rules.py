"""What a school's policy allows for a live session: hours, 1-to-1s, links, recording."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from assistant.hours import bank_holiday_name, is_closed_day, is_open, next_open
from assistant.models import lesson_end
from assistant.schools import School

LINK_LIMIT = 500
EXTRA_LIMIT = 200
# Steps small enough that no contact window (whole minutes) can hide between two checks.
_HOURS_STEP = timedelta(minutes=1)


def link_problem(text: str) -> str | None:
    """Says why a typed join link can't be used (scheme, host, spaces, length), or None."""
    link = text.strip()
    if not link or len(link) > LINK_LIMIT:
        return "length"
    if any(ch.isspace() for ch in link):
        return "spaces"
    try:
        parts = urlsplit(link)
    except ValueError:
        return "host"
    if parts.scheme.lower() not in {"http", "https"}:
        return "scheme"
    if not parts.hostname or "." not in parts.hostname:
        return "host"
    return None


def within_contact_hours(school: School, starts_at: datetime, minutes: int) -> bool:
    """Tells whether the whole session, start to end, falls inside the school's contact hours."""
    end = lesson_end(starts_at, minutes)
    moment = starts_at
    while moment < end:
        if not is_open(school, moment):
            return False
        moment += _HOURS_STEP
    return is_open(school, end - timedelta(seconds=1))


@dataclass(frozen=True)
class HoursProblem:
    """Why a lesson can't be then: `reason` is bank-holiday (`name` says which), closed (one
    of the school's closure days), outside-hours (it starts outside contact hours) or
    ends-after-hours (it starts inside them and runs past their end)."""

    reason: str
    name: str = ""


def hours_problem(school: School, starts_at: datetime,
                  minutes: int | None = None) -> HoursProblem | None:
    """Says why a lesson can't start then (or, with its length, can't last that long), or
    None when it fits inside the school's contact hours: the real reason, at the step that
    asks for the time."""
    day = starts_at.astimezone(school.tz).date()
    if is_closed_day(school, day):
        holiday = bank_holiday_name(school, day)
        if holiday is not None:
            return HoursProblem("bank-holiday", holiday)
        return HoursProblem("closed")
    if not is_open(school, starts_at):
        return HoursProblem("outside-hours")
    if minutes is not None and not within_contact_hours(school, starts_at, minutes):
        return HoursProblem("ends-after-hours")
    return None


def invitations_reach_families(school: School, now: datetime) -> datetime:
    """When invitations queued now reach families: at once inside contact hours, else at the
    next opening (the outbox sends them only then)."""
    return next_open(school, now)


def short_notice(school: School, starts_at: datetime, now: datetime) -> bool:
    """Whether families would get less notice of a lesson than the school's profile asks."""
    notice = timedelta(hours=school.live.min_notice_hours)
    return starts_at - invitations_reach_families(school, now) < notice


def holds_live_lessons(school: School) -> bool:
    """Tells whether the school's profile names any platform for live lessons."""
    return bool(school.live.platforms)


def default_recorded(school: School) -> bool:
    """Whether a new session is recorded unless staff say otherwise (unknown means no)."""
    return bool(school.live.recorded)


def one_to_one_rule(school: School) -> str:
    """The profile's rule for 1-to-1 sessions: never, parent-present or allowed.

    Where the policy is silent ("unknown"), staff get the cautious rule: a parent in the room.
    """
    rule = school.live.one_to_one
    return "parent-present" if rule == "unknown" else rule


def expectations_for(school: School, *, one_to_one: bool) -> tuple[str, ...]:
    """The school's expectation codes for a session; a 1-to-1 that needs a parent says so."""
    codes = list(school.live.expectations)
    if one_to_one and one_to_one_rule(school) == "parent-present" and (
            "parent-present" not in codes):
        codes = [c for c in codes if c != "parent-nearby"]
        codes.insert(0, "parent-present")
    return tuple(codes)

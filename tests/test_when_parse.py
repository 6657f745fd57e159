"""Staff type a lesson's time as they would say it; anything unclear is refused, not guessed."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.live.when import WhenError, parse_minutes, parse_when

LONDON = ZoneInfo("Europe/London")
# Tuesday 24 November 2026, 10:00 in London (GMT).
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def local(text: str, now: datetime = NOW) -> str:
    return parse_when(text, now=now, tz=LONDON).astimezone(LONDON).strftime("%a %d %b %Y %H:%M")


@pytest.mark.parametrize(("typed", "meant"), [
    ("tue 10:00", "Tue 01 Dec 2026 10:00"),  # today at 10:00 has just begun: next week
    ("tue 14:30", "Tue 24 Nov 2026 14:30"),  # later today
    ("Tuesday 11.15", "Tue 24 Nov 2026 11:15"),
    ("24/11 14:30", "Tue 24 Nov 2026 14:30"),
    ("24/11/2026 14:30", "Tue 24 Nov 2026 14:30"),
    ("1/12/26 9:00", "Tue 01 Dec 2026 09:00"),
    ("tomorrow 9:30", "Wed 25 Nov 2026 09:30"),
    ("tmrw at 9:30am", "Wed 25 Nov 2026 09:30"),
    ("10am", "Wed 25 Nov 2026 10:00"),  # 10am today has begun: tomorrow
    ("2pm", "Tue 24 Nov 2026 14:00"),
    ("wed 2", "Wed 25 Nov 2026 14:00"),  # a bare hour with a day; 1-6 mean the afternoon
    ("wed 2:30", "Wed 25 Nov 2026 14:30"),
    ("wed 12pm", "Wed 25 Nov 2026 12:00"),
    ("noon tomorrow", "Wed 25 Nov 2026 12:00"),
    ("next tue 10:00", "Tue 01 Dec 2026 10:00"),
    ("next fri 10:00", "Fri 04 Dec 2026 10:00"),
    ("this fri 10:00", "Fri 27 Nov 2026 10:00"),
    ("on Thursday the 26th of November at 1pm", "Thu 26 Nov 2026 13:00"),
    ("26 nov 13:00", "Thu 26 Nov 2026 13:00"),
    ("Nov 26 13:00", "Thu 26 Nov 2026 13:00"),
    ("thu 26/11 13:00", "Thu 26 Nov 2026 13:00"),
    ("2026-12-01 09:00", "Tue 01 Dec 2026 09:00"),
    ("1/6 10:00", "Tue 01 Jun 2027 10:00"),  # day first, as in the UK; next June
    ("  WED   10:00  ", "Wed 25 Nov 2026 10:00"),
])
def test_natural_times_are_read_in_the_school_timezone(typed: str, meant: str) -> None:
    assert local(typed) == meant


def test_summer_time_is_an_hour_ahead_of_utc() -> None:
    at = parse_when("15/6 10:00", now=NOW, tz=LONDON)
    assert at == datetime(2027, 6, 15, 9, 0, tzinfo=UTC)


def test_time_skipped_by_the_clocks_going_forward_is_moved_on() -> None:
    at = parse_when("28/3/2027 1:30am", now=NOW, tz=LONDON)
    assert at.astimezone(LONDON).hour == 2


@pytest.mark.parametrize(("typed", "reason"), [
    ("", "empty"),
    ("   ", "empty"),
    ("tue", "no-time"),
    ("24/11", "no-time"),
    ("next week sometime", "unknown-words"),
    ("tue 10:00 for 30 mins", "unknown-words"),
    ("at 10", "unknown-words"),  # a bare number needs a day to be an hour
    ("tue 25:00", "bad-time"),
    ("tue 10:75", "bad-time"),
    ("tue 13pm", "bad-time"),
    ("24.11 10:00", "bad-time"),  # dots are for times; dates take a slash
    ("31/11 10:00", "bad-date"),
    ("30/2 10:00", "bad-date"),
    ("24/13 10:00", "bad-date"),
    ("tue 25/11 10:00", "weekday-mismatch"),
    ("24/11/2025 10:00", "past"),
    ("24/11 09:00", "past"),
    ("this mon 10:00", "past"),
    ("1/1/2030 10:00", "too-far"),
    ("x" * 101, "too-long"),
])
def test_unclear_or_impossible_times_are_refused_with_a_reason(typed: str, reason: str) -> None:
    with pytest.raises(WhenError) as refused:
        parse_when(typed, now=NOW, tz=LONDON)
    assert refused.value.reason == reason


@given(st.text(max_size=60))
def test_no_typed_text_crashes_the_parser(text: str) -> None:
    try:
        at = parse_when(text, now=NOW, tz=LONDON)
    except WhenError:
        return
    assert at > NOW and at.tzinfo is not None


@pytest.mark.parametrize(("typed", "minutes"), [
    ("30", 30), ("45 min", 45), ("45 mins", 45), ("40 minutes", 40), ("1h", 60),
    ("1 hour", 60), ("an hour", 60), ("half an hour", 30), ("1.5 hours", 90), ("1h30", 90),
    ("1h 30m", 90), ("1:15", 75), ("2 hours", 120),
    ("forty five mins", 45), ("forty-five minutes", 45), ("an hour and a half", 90),
    ("one and a half hours", 90), ("twenty minutes", 20), ("1 hour and 15 minutes", 75),
    ("three quarters of an hour", 45), ("an hour and a quarter", 75), ("ninety mins", 90),
])
def test_lengths_are_read_in_minutes(typed: str, minutes: int) -> None:
    assert parse_minutes(typed) == minutes


@pytest.mark.parametrize(("typed", "reason"), [
    ("", "bad-length"), ("abc", "bad-length"), ("-30", "bad-length"), ("3", "too-short"),
    ("4 hours", "too-long-session"), ("500", "too-long-session"), ("30 days", "bad-length"),
])
def test_impossible_lengths_are_refused(typed: str, reason: str) -> None:
    with pytest.raises(WhenError) as refused:
        parse_minutes(typed)
    assert refused.value.reason == reason


@pytest.mark.parametrize(("locale", "typed", "meant"), [
    ("uk", "ср 10:00", "Wed 25 Nov 2026 10:00"),
    ("uk", "середа о 10:00", "Wed 25 Nov 2026 10:00"),
    ("uk", "завтра о 14:30", "Wed 25 Nov 2026 14:30"),
    ("uk", "26 листопада 13:30", "Thu 26 Nov 2026 13:30"),
    ("pl", "środa 10:00", "Wed 25 Nov 2026 10:00"),
    ("pl", "sroda o 10:00", "Wed 25 Nov 2026 10:00"),  # typed without Polish letters
    ("pl", "3 grudnia 10:00", "Thu 03 Dec 2026 10:00"),
    ("ro", "miercuri la 10:00", "Wed 25 Nov 2026 10:00"),
    ("ro", "maine ora 11:00", "Wed 25 Nov 2026 11:00"),
    ("ar", "الأربعاء الساعة ١٠:٠٠", "Wed 25 Nov 2026 10:00"),  # Arabic-Indic digits
    ("ur", "بدھ 10:00", "Wed 25 Nov 2026 10:00"),
])
def test_staff_type_the_day_in_their_own_language(locale: str, typed: str, meant: str) -> None:
    at = parse_when(typed, now=NOW, tz=LONDON, locale=locale)
    assert at.astimezone(LONDON).strftime("%a %d %b %Y %H:%M") == meant


@pytest.mark.parametrize(("locale", "typed"), [
    ("ur", "کل 10:00"),  # "kal" is both yesterday and tomorrow: never guessed
    ("uk", "понеділок кудись 10:00"),
    ("pl", "wtorek albo środa 10:00"),
])
def test_words_in_another_language_that_are_not_a_date_are_refused(locale: str,
                                                                   typed: str) -> None:
    with pytest.raises(WhenError):
        parse_when(typed, now=NOW, tz=LONDON, locale=locale)

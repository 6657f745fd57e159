"""Contact hours: families and staff are contacted only when the school says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.hours import add_open_hours, is_open, next_open
from assistant.schools import School, parse_profile

LONDON = ZoneInfo("Europe/London")


def school(**overrides: Any) -> School:
    data: dict[str, Any] = {
        "id": "t",
        "name": "Test Primary",
        "timezone": "Europe/London",
        "locale": "en",
        "bank_holidays": True,
        "contact_hours": [
            {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "08:30", "end": "16:00"}
        ],
        "learning": {"platforms": ["Seesaw"]},
        "live": {"platforms": ["Teams"], "one_to_one": "never", "expectations": ["dress"]},
        "roles": {
            "teacher": "class teacher",
            "dsl": "DSL",
            "deputy-dsl": "Deputy DSL",
            "head": "Headteacher",
            "office": "school office",
        },
        "routing": dict.fromkeys(
            (
                "upsetting-content",
                "bullying",
                "stranger-contact",
                "live-lesson",
                "staff",
                "access",
                "other",
                "urgent",
            ),
            "teacher",
        ),
    }
    data.update(overrides)
    return parse_profile(Path("t.toml"), data)


WEEKDAYS = school()
# A school open across the small hours on Sundays, to put the DST changes inside a window.
NIGHT_OWL = school(
    contact_hours=[
        {"days": ["sun"], "start": "00:30", "end": "03:00"},
        {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "08:30", "end": "16:00"},
    ]
)
CLOSURES = school(closures=["2026-12-21/2027-01-01", "2027-02-16"])


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def test_friday_evening_waits_for_monday_0830() -> None:
    assert next_open(WEEKDAYS, london(2026, 11, 27, 17, 0)) == london(2026, 11, 30, 8, 30)


def test_friday_before_a_bank_holiday_waits_for_tuesday() -> None:
    # Monday 25 May 2026 is the spring bank holiday.
    assert next_open(WEEKDAYS, london(2026, 5, 22, 17, 0)) == london(2026, 5, 26, 8, 30)


def test_christmas_eve_afternoon_waits_until_after_boxing_day_observed() -> None:
    # 25 Dec (Fri) and 28 Dec (Boxing Day observed, Mon) are bank holidays in 2026.
    assert next_open(WEEKDAYS, london(2026, 12, 24, 16, 30)) == london(2026, 12, 29, 8, 30)


def test_school_closure_days_are_skipped() -> None:
    assert next_open(CLOSURES, london(2026, 12, 18, 16, 0)) == london(2027, 1, 4, 8, 30)
    assert not is_open(CLOSURES, london(2027, 2, 16, 10, 0))
    assert is_open(CLOSURES, london(2027, 2, 17, 10, 0))


def test_open_inside_window_and_closed_at_its_end() -> None:
    assert is_open(WEEKDAYS, london(2026, 11, 24, 8, 30))
    assert is_open(WEEKDAYS, london(2026, 11, 24, 15, 59))
    assert not is_open(WEEKDAYS, london(2026, 11, 24, 16, 0))
    assert not is_open(WEEKDAYS, london(2026, 11, 28, 10, 0))  # Saturday


def test_summer_time_window_is_in_local_time() -> None:
    # 08:30 in July is 07:30 UTC.
    assert next_open(WEEKDAYS, datetime(2026, 7, 3, 20, 0, tzinfo=UTC)) == datetime(
        2026, 7, 6, 7, 30, tzinfo=UTC
    )


def test_spring_forward_night_window_skips_the_missing_hour() -> None:
    # 29 March 2026: 01:00 GMT becomes 02:00 BST; the window 00:30-03:00 is 90 real minutes.
    start = london(2026, 3, 29, 0, 30)
    assert is_open(NIGHT_OWL, start)
    assert is_open(NIGHT_OWL, datetime(2026, 3, 29, 0, 59, tzinfo=UTC))
    assert is_open(NIGHT_OWL, datetime(2026, 3, 29, 1, 59, tzinfo=UTC))  # 02:59 BST
    assert not is_open(NIGHT_OWL, datetime(2026, 3, 29, 2, 0, tzinfo=UTC))  # 03:00 BST


def test_fall_back_night_window_includes_the_repeated_hour() -> None:
    # 25 October 2026: 02:00 BST becomes 01:00 GMT; 01:30 happens twice, both open.
    assert is_open(NIGHT_OWL, datetime(2026, 10, 25, 0, 30, tzinfo=UTC))  # 01:30 BST
    assert is_open(NIGHT_OWL, datetime(2026, 10, 25, 1, 30, tzinfo=UTC))  # 01:30 GMT
    assert not is_open(NIGHT_OWL, datetime(2026, 10, 25, 3, 0, tzinfo=UTC))


def test_four_open_hours_from_friday_afternoon_end_on_monday() -> None:
    # 14:00 Friday leaves 2 hours; 2 more from 08:30 Monday.
    assert add_open_hours(WEEKDAYS, london(2026, 11, 27, 14, 0), 4) == london(2026, 11, 30, 10, 30)


instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)
edges = st.sampled_from(
    [
        datetime(2026, 3, 29, 0, 0, tzinfo=UTC),
        datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
        datetime(2026, 10, 25, 0, 59, tzinfo=UTC),
        datetime(2026, 10, 25, 1, 0, tzinfo=UTC),
        datetime(2026, 12, 24, 16, 0, tzinfo=UTC),
        datetime(2026, 12, 25, 12, 0, tzinfo=UTC),
        datetime(2027, 3, 28, 1, 0, tzinfo=UTC),
        datetime(2027, 10, 31, 1, 0, tzinfo=UTC),
    ]
).flatmap(lambda t: st.integers(-180, 180).map(lambda m: t + timedelta(minutes=m)))


@settings(max_examples=300, deadline=None)
@given(at=st.one_of(instants, edges), which=st.sampled_from([WEEKDAYS, NIGHT_OWL, CLOSURES]))
def test_next_open_is_the_first_open_instant(at: datetime, which: School) -> None:
    opened = next_open(which, at)
    assert opened >= at
    assert is_open(which, opened)
    if opened == at:
        assert is_open(which, at)
    else:
        assert not is_open(which, at)
        # Nothing is open in between: probe every 15 minutes and just before.
        probe = at
        while probe < opened - timedelta(minutes=1):
            assert not is_open(which, probe)
            probe += timedelta(minutes=15)
        assert not is_open(which, opened - timedelta(seconds=1))


@settings(max_examples=200, deadline=None)
@given(at=st.one_of(instants, edges))
def test_never_open_at_weekends_or_on_bank_holidays(at: datetime) -> None:
    import holidays

    local = at.astimezone(LONDON)
    bank = local.date() in holidays.country_holidays("GB", subdiv="ENG", years=local.year)
    if local.weekday() >= 5 or bank:
        assert not is_open(WEEKDAYS, at)

"""What families and staff read about a live session, in the reader's language."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_datetime

from assistant.i18n import N_, Gettext, when_text
from assistant.models import lesson_end

EXPECTATION_TEXT = {
    "shared-room": N_("Join from a shared family room, not a bedroom."),
    "parent-nearby": N_("A parent or carer stays nearby throughout."),
    "parent-present": N_("A parent or carer stays in the room throughout."),
    "dress": N_("Everyone on camera is dressed as they would be for school."),
    "background": N_("Use a neutral background, with nothing personal on show."),
    "mic-muted": N_("Keep the microphone muted until the teacher asks."),
    "camera-parent": N_("The camera is on or off, as you the parent or carer decide."),
    "camera-on": N_("Keep the camera on."),
    "no-recording": N_("No recording, photos or screenshots of the lesson."),
    "no-sharing-link": N_("Never share the link or the meeting ID with anyone."),
    "on-time": N_("Join on time, and leave when the teacher ends the session."),
    "behaviour": N_("Behave as you would in class."),
    "no-chat": N_("No private chat during the lesson."),
}


def _locale(locale: str) -> Locale:
    """Babel's locale for a reader's; English is British English, as schools here write it."""
    try:
        return Locale.parse("en_GB" if locale == "en" else locale.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en_GB")


def full_when(at: datetime, locale: str, tz: str) -> str:
    """The date and time in full, with the year, to confirm a typed time back to staff."""
    return when_text(at, locale, tz, year=True)


def length_text(minutes: int, ngettext: Callable[[str, str, int], str]) -> str:
    """A session's length: "45 minutes", "1 hour", "1 hour 30 minutes"."""
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(ngettext("{n} hour", "{n} hours", hours).format(n=hours))
    if rest or not hours:
        parts.append(ngettext("{n} minute", "{n} minutes", rest).format(n=rest))
    return " ".join(parts)


@dataclass(frozen=True)
class SessionFacts:
    """A session as one family sees it: their child, the time, the place and the rules."""

    school: str
    timezone: str
    child: str
    class_code: str
    starts_at: datetime
    minutes: int
    platform: str
    recorded: bool
    one_to_one: bool
    expectations: tuple[str, ...]
    school_lines: tuple[str, ...]
    extra: str

    @property
    def ends_at(self) -> datetime:
        return lesson_end(self.starts_at, self.minutes)


def expectation_lines(facts: SessionFacts, _: Gettext) -> list[str]:
    """The rules the family agrees to, as bullet lines: the school's list, then its own words."""
    lines = [_(EXPECTATION_TEXT[code]) for code in facts.expectations if code in EXPECTATION_TEXT]
    lines += list(facts.school_lines)
    if facts.extra:
        lines.append(facts.extra)
    return [f"• {line}" for line in lines]


def details(facts: SessionFacts, locale: str, _: Gettext,
            ngettext: Callable[[str, str, int], str]) -> list[str]:
    """When, how long, where and whether it is recorded."""
    recorded = _("Yes - the school records it.") if facts.recorded else _("No.")
    return [
        _("When: {when}").format(when=when_text(facts.starts_at, locale, facts.timezone)),
        _("How long: {length}").format(length=length_text(facts.minutes, ngettext)),
        _("Where: {platform}").format(platform=facts.platform),
        _("Recorded: {answer}").format(answer=recorded),
    ]


def invitation_text(facts: SessionFacts, locale: str, _: Gettext,
                    ngettext: Callable[[str, str, int], str], *, signed: bool) -> str:
    """The invitation: what, when, where, the expectations, and what to press."""
    if facts.one_to_one:
        head = _("{school} invites {child} ({code}) to a 1-to-1 live session.").format(
            school=facts.school, child=facts.child, code=facts.class_code)
    else:
        head = _("{school} invites {child} ({code}) to a live lesson.").format(
            school=facts.school, child=facts.child, code=facts.class_code)
    lines = [head, "", *details(facts, locale, _, ngettext), "",
             _("Before you join, please agree to these expectations:"),
             *expectation_lines(facts, _), ""]
    if signed:
        lines.append(_("If you'll follow them, press the button below and I'll send you the "
                       "link."))
    else:
        lines.append(_("The online safety agreement for {child} isn't signed yet. Please sign "
                       "it first - it takes a few minutes here in the chat - and then you can "
                       "get the link.").format(child=facts.child))
    return "\n".join(lines)


def moved_text(facts: SessionFacts, locale: str, _: Gettext,
               ngettext: Callable[[str, str, int], str], *, signed: bool) -> str:
    """The invitation again, led by the news that the time has changed."""
    note = _("This live lesson has moved to {when}. Any link I sent before has been removed; "
             "please answer again below.").format(
        when=when_text(facts.starts_at, locale, facts.timezone))
    return f"{note}\n\n{invitation_text(facts, locale, _, ngettext, signed=signed)}"


def cancelled_text(facts: SessionFacts, locale: str, _: Gettext) -> str:
    """The news that a session will not happen."""
    return _("{school} has cancelled the live lesson for {child} ({code}) on {when}. Any link "
             "I sent for it has been removed.").format(
        school=facts.school, child=facts.child, code=facts.class_code,
        when=when_text(facts.starts_at, locale, facts.timezone))


def link_text(facts: SessionFacts, locale: str, _: Gettext, link: str) -> str:
    """The message that carries the join link, and nothing else of note."""
    return "\n".join([
        _("The link for {child}'s live lesson on {when}:").format(
            child=facts.child, when=when_text(facts.starts_at, locale, facts.timezone)),
        link,
        _("Please don't share it with anyone. I'll remove this message when the lesson ends."),
    ])


def link_removed_text(_: Gettext) -> str:
    """What a link message says once the lesson is over, where it can't be deleted."""
    return _("This live lesson has ended, and its link has been removed.")


def reminder_text(facts: SessionFacts, locale: str, _: Gettext) -> str:
    """The reminder a quarter of an hour before the start."""
    return _("Reminder: {child}'s live lesson on {platform} starts in 15 minutes ({when}). "
             "The link is in its own message from me. Please remember the expectations you "
             "agreed to.").format(child=facts.child, platform=facts.platform,
                                  when=when_text(facts.starts_at, locale, facts.timezone))


_WHEN_ERRORS = {
    "empty": N_("Please type the day and time."),
    "too-long": N_("That's too long for a day and time."),
    "no-time": N_("I need a time as well as a day."),
    "bad-time": N_("I couldn't read that time. Use the 24-hour clock (14:30) or am/pm "
                   "(2:30pm); write dates with a slash (24/11)."),
    "bad-date": N_("That date doesn't exist."),
    "weekday-mismatch": N_("The day of the week doesn't match that date."),
    "unknown-words": N_("I couldn't read \"{words}\"."),
    "past": N_("That time has already passed."),
    "too-far": N_("That's more than a year away."),
    "bad-length": N_("I couldn't read that length."),
    "too-short": N_("That's shorter than 5 minutes."),
    "too-long-session": N_("That's longer than 3 hours."),
}


def day_text(at: datetime, locale: str, tz: str) -> str:
    """The day alone, in full with the year: "Friday 25 December 2026"."""
    loc = _locale(locale)
    return format_datetime(at, "EEEE d MMMM y", tzinfo=ZoneInfo(tz), locale=loc)


def hours_problem_text(reason: str, name: str, *, school: str, hours: str, at: datetime,
                       minutes: int | None, locale: str, tz: str, _: Gettext,
                       ngettext: Callable[[str, str, int], str]) -> str:
    """Why a lesson can't be then, in the school's terms: a bank holiday, a closure day,
    outside contact hours, or running past their end."""
    day = day_text(at, locale, tz)
    if reason == "bank-holiday":
        return _("Sorry - {day} is a bank holiday ({name}), when {school} is closed, so I "
                 "can't arrange a live lesson then.").format(day=day, name=name or "-",
                                                             school=school)
    if reason == "closed":
        return _("Sorry - {school} is closed on {day} (one of the closure days in its "
                 "calendar), so I can't arrange a live lesson then.").format(day=day,
                                                                             school=school)
    if reason == "ends-after-hours" and minutes is not None:
        end = lesson_end(at, minutes)
        return _("Sorry - starting at {start}, a lesson of {length} would end at {end}, after "
                 "{school}'s contact hours ({hours}), and the policy keeps live lessons inside "
                 "them. Choose a shorter length, or type another time.").format(
            length=length_text(minutes, ngettext), start=_clock(at, tz), end=_clock(end, tz),
            school=school, hours=hours)
    return _("Sorry - {when} is outside {school}'s contact hours ({hours}), and the policy "
             "keeps live lessons inside them, so I can't arrange it then.").format(
        when=full_when(at, locale, tz), school=school, hours=hours)


def _clock(at: datetime, tz: str) -> str:
    return at.astimezone(ZoneInfo(tz)).strftime("%H:%M")


def notice_text(*, reaches: datetime, at: datetime, hours: int, locale: str, tz: str,
                _: Gettext, ngettext: Callable[[str, str, int], str]) -> str:
    """The warning that families would hear of a lesson too late to get ready for it."""
    gap = max(0, int((at - reaches).total_seconds() // 60))
    return _("Note: invitations go out inside contact hours, so families would get this one "
             "on {reaches}, only {gap} before the lesson. {school_asks}").format(
        reaches=when_text(reaches, locale, tz), gap=length_text(gap, ngettext),
        school_asks=ngettext("The school asks for at least {n} hour's notice.",
                             "The school asks for at least {n} hours' notice.",
                             hours).format(n=hours))


def when_error_text(reason: str, detail: str, _: Gettext) -> str:
    """Why a typed time or length was refused, in words staff understand."""
    return _(_WHEN_ERRORS.get(reason, _WHEN_ERRORS["bad-time"])).format(words=detail)

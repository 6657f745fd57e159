"""A school's facts as the FAQ and agreements use them: placeholder texts and variant keys."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time

from assistant.i18n import N_, clock_text, gettext_for, list_text, ngettext_for
from assistant.schools import School

_DAY_NAMES = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"),
              N_("Saturday"), N_("Sunday"))
_NUMBER_WORDS = (N_("no"), N_("one"), N_("two"), N_("three"), N_("four"), N_("five"),
                 N_("six"), N_("seven"), N_("eight"), N_("nine"), N_("ten"))


def _days_text(days: frozenset[int], _: Callable[[str], str]) -> str:
    ordered = sorted(days)
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return _("{first} to {last}").format(
            first=_(_DAY_NAMES[ordered[0]]), last=_(_DAY_NAMES[ordered[-1]])
        )
    return ", ".join(_(_DAY_NAMES[d]) for d in ordered)


def contact_hours_text(school: School, locale: str) -> str:
    """Describes the weekly contact windows: "Monday to Friday, 8:30am to 4pm"."""
    _ = gettext_for(locale)
    parts = [
        _("{days}, {start} to {end}").format(
            days=_days_text(w.days, _),
            start=clock_text(w.start, locale),
            end=clock_text(w.end, locale),
        )
        for w in sorted(school.contact_hours, key=lambda w: (min(w.days), w.start))
    ]
    return list_text(parts, locale)


def _yes_no(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


def variant_keys(school: School) -> dict[str, str]:
    """The facts an FAQ answer may choose its wording by, each with its value for this school."""
    live, devices, learning = school.live, school.devices, school.learning
    return {
        "live": _yes_no(bool(live.platforms)),
        "recorded": _yes_no(live.recorded),
        "one_to_one": live.one_to_one,
        "waiting_room": _yes_no(live.waiting_room),
        "pupil_chat": _yes_no(live.pupil_chat),
        "screen_sharing": _yes_no(live.screen_sharing),
        "leaders_drop_in": _yes_no(live.leaders_drop_in),
        "monitoring": _yes_no(devices.monitoring),
        "filtering": _yes_no(devices.filtering),
        "lends_devices": _yes_no(learning.lends_devices),
        "reply_same_day": _yes_no(learning.reply_same_day),
        "eyfs": _yes_no(learning.eyfs_platform is not None),
        "camera": live.camera or "unknown",
        "phones": devices.phones or "unknown",
        "ai_tools": devices.ai_tools or "unknown",
    }


_SUBMIT_WORDS = {
    "photo": N_("a photo"),
    "video": N_("a video"),
    "platform": N_("straight on the platform"),
    "email": N_("by email"),
    "comment": N_("a comment"),
}
_VIEWER_WORDS = {
    "staff": N_("staff"),
    "class": N_("the pupils in the class"),
    "leaders": N_("senior leaders"),
}


def placeholders(school: School, locale: str) -> dict[str, str | None]:
    """Fills every FAQ placeholder for this school; None where the profile has no value."""
    _ = gettext_for(locale)
    ngettext = ngettext_for(locale)
    learning, live = school.learning, school.live

    def clock(value: time | None) -> str | None:
        return clock_text(value, locale) if value is not None else None

    reply_window = None
    if learning.reply_start and learning.reply_end:
        reply_window = _("between {start} and {end} on school days").format(
            start=clock_text(learning.reply_start, locale),
            end=clock_text(learning.reply_end, locale),
        )
    reply_promise = None
    if learning.reply_same_day is not None:
        reply_promise = _("on the same day") if learning.reply_same_day else _(
            "by the next school day"
        )
    feedback = None
    if learning.feedback_within_days is not None:
        days = learning.feedback_within_days
        feedback = _("on the same day") if days == 0 else ngettext(
            "within {n} school day", "within {n} school days", days
        ).format(n=_(_NUMBER_WORDS[days]) if days < len(_NUMBER_WORDS) else days)
    contact_bits = [bit for bit in (school.phone, school.email) if bit]
    office = school.roles["office"]
    office_contact = (
        _("the {office} ({details})").format(office=office, details=", ".join(contact_bits))
        if contact_bits
        else _("the {office}").format(office=office)
    )
    staff_present = None
    if live.staff_present is not None:
        n = live.staff_present
        staff_present = _(_NUMBER_WORDS[n]) if n < len(_NUMBER_WORDS) else str(n)
    return {
        "school": school.name,
        "contact_hours": contact_hours_text(school, locale),
        "platforms": list_text(learning.platforms, locale) or None,
        "eyfs_platform": learning.eyfs_platform,
        "live_platforms": list_text(live.platforms, locale, "or") or None,
        "invitations_via": live.invitations_via,
        "work_set_by": clock(learning.work_set_by),
        "reply_window": reply_window,
        "reply_promise": reply_promise,
        "feedback_within": feedback,
        "submit_methods": list_text([_(_SUBMIT_WORDS[m]) for m in learning.submit_methods],
                                    locale, "or") or None,
        "retention_days": ngettext("{n} day", "{n} days", live.retention_days).format(
            n=live.retention_days) if live.retention_days is not None else None,
        "recording_viewers": list_text([_(_VIEWER_WORDS[v]) for v in live.viewers],
                                       locale) or None,
        "staff_present": staff_present,
        "teacher": school.roles["teacher"],
        "dsl": school.roles["dsl"],
        "deputy_dsl": school.roles["deputy-dsl"],
        "head": school.roles["head"],
        "office": office,
        "office_contact": office_contact,
        "incident_log": school.incident_log,
        "ack_hours": str(school.ack_working_hours),
    }


PLACEHOLDER_NAMES = frozenset({
    "school", "contact_hours", "platforms", "eyfs_platform", "live_platforms", "invitations_via",
    "work_set_by", "reply_window", "reply_promise", "feedback_within", "submit_methods",
    "retention_days", "recording_viewers", "staff_present", "teacher", "dsl", "deputy_dsl",
    "head", "office", "office_contact", "incident_log", "ack_hours",
})
VARIANT_VALUES: dict[str, frozenset[str]] = {
    "live": frozenset({"yes", "no", "unknown"}),
    "recorded": frozenset({"yes", "no", "unknown"}),
    "one_to_one": frozenset({"never", "parent-present", "allowed", "unknown"}),
    "camera": frozenset({"on", "off", "parent-decides", "unknown"}),
    "phones": frozenset({"handed-in", "not-allowed", "allowed", "year6-only", "unknown"}),
    "ai_tools": frozenset({"not-allowed", "with-teacher", "allowed", "unknown"}),
    **{
        name: frozenset({"yes", "no", "unknown"})
        for name in ("waiting_room", "pupil_chat", "screen_sharing", "leaders_drop_in",
                     "monitoring", "filtering", "lends_devices", "reply_same_day", "eyfs")
    },
}

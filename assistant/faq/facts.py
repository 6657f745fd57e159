"""A school's facts as the FAQ and agreements use them: placeholder texts and variant keys.

Every placeholder and every selector (the facts an answer chooses its wording by) names the
profile keys it is read from (PLACEHOLDER_KEYS, SELECTOR_KEYS), so the preview can show each
school fact with the key and the policy quote behind it.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Mapping
from datetime import time

from assistant.i18n import N_, clock_text, gettext_for, list_text, ngettext_for
from assistant.live.text import EXPECTATION_TEXT
from assistant.schools import CATEGORIES, EXPECTATIONS, School

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


def _known(value: object) -> str:
    return "yes" if value not in (None, (), "") else "unknown"


def expectation_selector(code: str) -> str:
    """The selector that says whether a school states an expectation: "expects_mic_muted"."""
    return "expects_" + code.replace("-", "_")


def _chat(school: School) -> str:
    if school.live.pupil_chat is not None:
        return _yes_no(school.live.pupil_chat)
    return "limited" if school.live.chat_limited else "unknown"


def _staff_rule(school: School) -> str:
    if school.live.staff_present is None:
        return "unknown"
    return school.live.staff_present_rule or "always"


def _dsl_cover(school: School) -> str:
    guard = school.safeguarding
    if guard.dsl_count is not None and guard.dsl_count > 1:
        return "shared"
    return "deputy" if guard.deputies else "unknown"


def variant_keys(school: School) -> dict[str, str]:
    """The facts an FAQ answer may choose its wording by, each with its value for this school."""
    live, devices, learning = school.live, school.devices, school.learning
    values = {
        "live": _yes_no(bool(live.platforms)),
        "recorded": _yes_no(live.recorded),
        "one_to_one": live.one_to_one,
        "waiting_room": _yes_no(live.waiting_room),
        "pupil_chat": _chat(school),
        "screen_sharing": _yes_no(live.screen_sharing),
        "leaders_drop_in": _yes_no(live.leaders_drop_in),
        "monitoring": _yes_no(devices.monitoring),
        "filtering": _yes_no(devices.filtering),
        "lends_devices": _yes_no(learning.lends_devices),
        "reply_same_day": _yes_no(learning.reply_same_day),
        "eyfs": _known(learning.eyfs_platform),
        "camera": live.camera or "unknown",
        "phones": devices.phones or "unknown",
        "smartwatches": devices.smartwatches or "unknown",
        "ai_tools": devices.ai_tools or "unknown",
        "staff_rule": _staff_rule(school),
        "parent_presence": live.parent_presence or "unknown",
        "staff_control": live.staff_control or "unknown",
        "held_when": live.held_when or "unknown",
        "told_if_recorded": _yes_no(live.told_if_recorded),
        "staff_device_recording": live.staff_device_recording or "unknown",
        "no_bedrooms": _yes_no(live.no_bedrooms),
        "may_remove": _yes_no(live.may_remove),
        "platform_logs": _yes_no(learning.platform_logs),
        "other_access": _yes_no(learning.other_access),
        "english_maths_set": _yes_no(learning.english_maths_set),
        "comments_on_work": _yes_no(learning.comments_on_work),
        "staff_keep_to_hours": _yes_no(school.contact.staff_keep_to_hours),
        "school_accounts_only": _yes_no(school.contact.school_accounts_only),
        "behaviour_policy": _yes_no(school.rules.behaviour_policy),
        "dsl_is_head": _yes_no(school.safeguarding.dsl_is_head),
        "dsl_cover": _dsl_cover(school),
        "has_work_set_by": _known(learning.work_set_by),
        "has_reply_window": _known(learning.reply_start),
        "has_feedback_within": _known(learning.feedback_within_days),
        "has_submit_methods": _known(learning.submit_methods),
        "has_used_for": _known(learning.used_for),
        "has_invitations_via": _known(live.invitations_via),
        "has_retention_days": _known(live.retention_days),
        "has_recording_viewers": _known(live.viewers),
        "has_incident_log": _known(school.incident_log),
        "has_sanctions": _known(school.rules.sanctions),
        "has_session_rules": _known(live.expectations + live.extra_expectations),
    }
    for code in EXPECTATIONS:
        values[expectation_selector(code)] = "yes" if code in live.expectations else "unknown"
    return values


_SUBMIT_WORDS = {
    "photo": N_("as a photo"),
    "video": N_("as a video"),
    "platform": N_("straight on the platform"),
    "email": N_("by email"),
    "comment": N_("as a comment"),
    "paper": N_("on paper, returned to school"),
}
_VIEWER_WORDS = {
    "staff": N_("staff"),
    "class": N_("the pupils in the class"),
    "leaders": N_("senior leaders"),
}
_USED_FOR_WORDS = {
    "homework": N_("for homework"),
    "class-closure": N_("when a class or bubble has to learn at home"),
    "school-closure": N_("when the whole school closes"),
    "one-child": N_("when one child has to learn at home (for example while isolating)"),
}
_SANCTION_WORDS = {
    "restrict-access": N_("restricting or removing use of the school's systems"),
    "parents-told": N_("telling parents and carers"),
    "content-removed": N_("removing the content"),
    "police": N_("contacting the police if a crime has been committed"),
}


# Who receives each kind of concern, as the report-concern answer lists it (urgent messages
# take the danger check's own path).
_ROUTE_WORDS = {
    "bullying": N_("bullying"),
    "stranger-contact": N_("strangers"),
    "upsetting-content": N_("upsetting content"),
    "live-lesson": N_("a live lesson"),
    "staff": N_("a member of staff"),
    "access": N_("getting access to learning"),
    "other": N_("anything else"),
}


def routes_text(school: School, locale: str) -> str:
    """Says who receives which concerns: "Worries about bullying or strangers go to the ..."."""
    _ = gettext_for(locale)
    groups: dict[str, list[str]] = {}
    for category, words in _ROUTE_WORDS.items():
        groups.setdefault(school.roles[school.routing[category]], []).append(_(words))
    parts = [_("worries about {topics} go to the {role}").format(
        topics=list_text(topics, locale, "or"), role=role) for role, topics in groups.items()]
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "."


def _number(n: int, _: Callable[[str], str]) -> str:
    return _(_NUMBER_WORDS[n]) if 0 <= n < len(_NUMBER_WORDS) else str(n)


def route_placeholder(category: str) -> str:
    """The placeholder for who receives a kind of concern: "route_live_lesson"."""
    return "route_" + category.replace("-", "_")


# A school's filled placeholders, per locale. A School is frozen, so the values only change
# with a new School (a reloaded profile); the key holds the object itself, not its id, so a
# reloaded profile never reads an old one's values.
_FILLED: dict[tuple[str, str], tuple[School, dict[str, str | None]]] = {}


def placeholders(school: School, locale: str) -> dict[str, str | None]:
    """Fills every FAQ placeholder for this school; None where the profile has no value."""
    kept = _FILLED.get((school.id, locale))
    if kept is not None and kept[0] is school:
        return dict(kept[1])
    values = _fill(school, locale)
    _FILLED[(school.id, locale)] = (school, values)
    return dict(values)


def _fill(school: School, locale: str) -> dict[str, str | None]:
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
        ).format(n=_number(days, _))
    contact_bits = [bit for bit in (school.phone, school.email) if bit]
    office = school.roles["office"]
    office_contact = (
        _("the {office} ({details})").format(office=office, details=", ".join(contact_bits))
        if contact_bits
        else _("the {office}").format(office=office)
    )
    staff_present = None
    if live.staff_present is not None:
        staff_present = _number(live.staff_present, _)
    dsl_count = None
    if school.safeguarding.dsl_count is not None:
        dsl_count = _number(school.safeguarding.dsl_count, _)
    values: dict[str, str | None] = {
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
        "used_for": list_text([_(_USED_FOR_WORDS[u]) for u in learning.used_for],
                              locale) or None,
        "sanctions": list_text([_(_SANCTION_WORDS[s]) for s in school.rules.sanctions],
                               locale) or None,
        "retention_days": ngettext("{n} day", "{n} days", live.retention_days).format(
            n=live.retention_days) if live.retention_days is not None else None,
        "recording_viewers": list_text([_(_VIEWER_WORDS[v]) for v in live.viewers],
                                       locale) or None,
        "staff_present": staff_present,
        "dsl_count": dsl_count,
        "teacher": school.roles["teacher"],
        "dsl": school.roles["dsl"],
        "deputy_dsl": school.roles["deputy-dsl"],
        "head": school.roles["head"],
        "office": office,
        "office_contact": office_contact,
        "incident_log": school.incident_log,
        "ack_hours": str(school.ack_working_hours),
    }
    values["routes"] = routes_text(school, locale)
    rules = [_(EXPECTATION_TEXT[code]) for code in live.expectations if code in EXPECTATION_TEXT]
    values["session_rules"] = " ".join(rules + list(live.extra_expectations)) or None
    for category in CATEGORIES:
        values[route_placeholder(category)] = school.roles[school.routing[category]]
    return values


# A placeholder that starts a sentence starts it with a capital ("the school" -> "The school").
_OPENS = re.compile(r"(?:^|[.!?]\s+|\n\s*)$")


def opens_sentence(before: str) -> bool:
    """Whether text placed after `before` starts a sentence."""
    return not before.strip() or bool(_OPENS.search(before))


class _Filler(string.Formatter):
    def convert_field(self, value: object, conversion: str | None) -> object:
        if conversion == "u" and isinstance(value, str):
            return value[:1].upper() + value[1:]
        return super().convert_field(value, conversion)


def mark_sentence_starts(text: str) -> str:
    """Gives each placeholder that opens a sentence the capitalising conversion ({x!u})."""
    out: list[str] = []
    for literal, name, spec, conversion in string.Formatter().parse(text):
        out.append(literal.replace("{", "{{").replace("}", "}}"))
        if name is None:
            continue
        conversion = conversion or ("u" if opens_sentence("".join(out)) else None)
        out.append("{" + name + (f"!{conversion}" if conversion else "")
                   + (f":{spec}" if spec else "") + "}")
    return "".join(out)


def fill(text: str, values: Mapping[str, object]) -> str:
    """Fills placeholders, capitalising a value that starts a sentence."""
    return _Filler().vformat(mark_sentence_starts(text), (), values)


_OPTIONAL_PLACEHOLDERS = ("work_set_by", "reply_window", "feedback_within", "submit_methods",
                          "used_for", "invitations_via", "retention_days", "recording_viewers",
                          "incident_log", "sanctions", "session_rules")

PLACEHOLDER_KEYS: dict[str, tuple[str, ...]] = {
    "school": ("name",),
    "contact_hours": ("contact_hours",),
    "platforms": ("learning.platforms",),
    "eyfs_platform": ("learning.eyfs_platform",),
    "live_platforms": ("live.platforms",),
    "invitations_via": ("live.invitations_via",),
    "work_set_by": ("learning.work_set_by",),
    "reply_window": ("learning.reply_start", "learning.reply_end"),
    "reply_promise": ("learning.reply_same_day",),
    "feedback_within": ("learning.feedback_within_days",),
    "submit_methods": ("learning.submit_methods",),
    "used_for": ("learning.used_for",),
    "sanctions": ("rules.sanctions",),
    "retention_days": ("live.retention_days",),
    "recording_viewers": ("live.viewers",),
    "staff_present": ("live.staff_present",),
    "dsl_count": ("safeguarding.dsl_count",),
    "teacher": ("roles.teacher",),
    "dsl": ("roles.dsl",),
    "deputy_dsl": ("roles.deputy-dsl",),
    "head": ("roles.head",),
    "office": ("roles.office",),
    "office_contact": ("roles.office", "phone", "email"),
    "incident_log": ("incident_log",),
    "ack_hours": ("ack_working_hours",),
    "routes": tuple(f"routing.{c}" for c in _ROUTE_WORDS),
    "session_rules": ("live.expectations", "live.extra_expectations"),
    **{route_placeholder(c): (f"routing.{c}",) for c in CATEGORIES},
}
PLACEHOLDER_NAMES = frozenset(PLACEHOLDER_KEYS)

SELECTOR_KEYS: dict[str, tuple[str, ...]] = {
    "live": ("live.platforms",),
    "recorded": ("live.recorded",),
    "one_to_one": ("live.one_to_one",),
    "waiting_room": ("live.waiting_room",),
    "pupil_chat": ("live.pupil_chat", "live.chat_limited"),
    "screen_sharing": ("live.screen_sharing",),
    "leaders_drop_in": ("live.leaders_drop_in",),
    "monitoring": ("devices.monitoring",),
    "filtering": ("devices.filtering",),
    "lends_devices": ("learning.lends_devices",),
    "reply_same_day": ("learning.reply_same_day",),
    "eyfs": ("learning.eyfs_platform",),
    "camera": ("live.camera",),
    "phones": ("devices.phones",),
    "smartwatches": ("devices.smartwatches",),
    "ai_tools": ("devices.ai_tools",),
    "staff_rule": ("live.staff_present", "live.staff_present_rule"),
    "parent_presence": ("live.parent_presence",),
    "staff_control": ("live.staff_control",),
    "held_when": ("live.held_when",),
    "told_if_recorded": ("live.told_if_recorded",),
    "staff_device_recording": ("live.staff_device_recording",),
    "no_bedrooms": ("live.no_bedrooms",),
    "may_remove": ("live.may_remove",),
    "platform_logs": ("learning.platform_logs",),
    "other_access": ("learning.other_access",),
    "english_maths_set": ("learning.english_maths_set",),
    "comments_on_work": ("learning.comments_on_work",),
    "staff_keep_to_hours": ("contact.staff_keep_to_hours",),
    "school_accounts_only": ("contact.school_accounts_only",),
    "behaviour_policy": ("rules.behaviour_policy",),
    "dsl_is_head": ("safeguarding.dsl_is_head",),
    "dsl_cover": ("safeguarding.dsl_count", "safeguarding.deputies"),
    **{f"has_{name}": PLACEHOLDER_KEYS[name] for name in _OPTIONAL_PLACEHOLDERS},
    **{expectation_selector(code): (f"live.expectations[{code}]",) for code in EXPECTATIONS},
}

_YES_NO = frozenset({"yes", "no", "unknown"})
_KNOWN = frozenset({"yes", "unknown"})
VARIANT_VALUES: dict[str, frozenset[str]] = {
    "live": _YES_NO,
    "recorded": _YES_NO,
    "one_to_one": frozenset({"never", "parent-present", "allowed", "unknown"}),
    "camera": frozenset({"on", "off", "parent-decides", "unknown"}),
    "phones": frozenset({"handed-in", "not-allowed", "allowed", "year6-only", "unknown"}),
    "smartwatches": frozenset({"handed-in", "not-allowed", "allowed", "year6-only", "unknown"}),
    "ai_tools": frozenset({"not-allowed", "with-teacher", "allowed", "unknown"}),
    "pupil_chat": frozenset({"yes", "no", "limited", "unknown"}),
    "staff_rule": frozenset({"always", "where-possible", "leaders-approve-otherwise",
                             "unknown"}),
    "parent_presence": frozenset({"throughout", "earshot-off-camera", "nearby", "supervised",
                                  "encouraged", "unknown"}),
    "staff_control": frozenset({"audio", "audio-and-video", "unknown"}),
    "held_when": frozenset({"if-essential", "with-approval", "on-plan", "unknown"}),
    "staff_device_recording": frozenset({"never", "with-approval", "unknown"}),
    "dsl_cover": frozenset({"shared", "deputy", "unknown"}),
    "eyfs": _KNOWN,
    **dict.fromkeys(("waiting_room", "screen_sharing", "leaders_drop_in", "monitoring",
                     "filtering", "lends_devices", "reply_same_day", "told_if_recorded",
                     "no_bedrooms", "may_remove", "platform_logs", "other_access",
                     "english_maths_set", "comments_on_work", "staff_keep_to_hours",
                     "school_accounts_only", "behaviour_policy", "dsl_is_head"), _YES_NO),
    **{f"has_{name}": _KNOWN for name in _OPTIONAL_PLACEHOLDERS},
    **{expectation_selector(code): _KNOWN for code in EXPECTATIONS},
}

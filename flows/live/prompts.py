"""/newsession's steps as the teacher reads them: each question with its buttons, and the
summary. The flow (flows/live/arrange.py) decides which comes next; here is what each says,
so a step can be shown again, its buttons live, after a question or an interruption."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from assistant.engine import Context
from assistant.events import Button, Reply
from assistant.faq.facts import contact_hours_text
from assistant.live.invites import Tally, preview
from assistant.live.rules import (
    EXTRA_LIMIT,
    default_recorded,
    expectations_for,
    invitations_reach_families,
    short_notice,
)
from assistant.live.store import pupil_by_id, pupils_for
from assistant.live.text import (
    EXPECTATION_TEXT,
    full_when,
    hours_problem_text,
    length_text,
    notice_text,
)
from assistant.models import SchoolClass

NAME = "live_arrange"
LENGTHS = (20, 30, 45, 60)

# Step buttons.
CLASS = f"{NAME}.class"
DONE = f"{NAME}.done"
ONE = f"{NAME}.one"
PUPIL = f"{NAME}.pupil"
PARENT_YES = f"{NAME}.parent_yes"
PARENT_NO = f"{NAME}.parent_no"
LENGTH = f"{NAME}.length"
NEW_TIME = f"{NAME}.new_time"
PLATFORM = f"{NAME}.platform"
RECORDED = f"{NAME}.rec"
NO_EXTRA = f"{NAME}.noextra"
SEND = f"{NAME}.send"
CANCEL = f"{NAME}.cancel"

# The classes this member of staff may arrange a lesson for, by id.
Classes = dict[int | None, SchoolClass]
Rows = list[list[Button]]


class Step(StrEnum):
    """The question the conversation is waiting on."""

    CLASSES = "classes"
    PUPIL = "pupil"
    PARENT = "parent"
    WHEN = "when"
    LENGTH = "length"
    PLATFORM = "platform"
    LINK = "link"
    RECORDED = "recorded"
    EXTRA = "extra"
    CONFIRM = "confirm"


@dataclass
class Arrangement:
    """The live lesson as arranged so far."""

    classes: list[int] = field(default_factory=list)
    pupil: int | None = None  # a 1-to-1 session's pupil
    parent: bool = False  # a parent or carer will be in the room (1-to-1)
    at: str = ""  # the start, ISO 8601 with its offset
    minutes: int = 0
    platform: str = ""
    link: str = ""
    recorded: bool = False
    extra: str = ""  # the teacher's own line for the families

    @property
    def starts_at(self) -> datetime:
        return datetime.fromisoformat(self.at)


def reply(ctx: Context, text: str, rows: Rows | None = None, *, protect: bool = False) -> Reply:
    """A step's message: its text, its buttons, and Cancel."""
    rows = [*(rows or []), [Button(ctx._("Cancel"), CANCEL)]]
    return Reply(text, tuple(tuple(row) for row in rows), protect=protect)


def with_problem(problem: str, ask: str) -> str:
    return f"{problem}\n\n{ask}" if problem else ask


def class_rows(classes: Classes, chosen: list[int]) -> Rows:
    buttons = [Button(c.code, CLASS, str(c.id)) for c in classes.values() if c.id not in chosen]
    return [buttons[i:i + 4] for i in range(0, len(buttons), 4)]


def classes_prompt(ctx: Context, data: Arrangement, classes: Classes) -> Reply:
    """Which class (or classes), or a 1-to-1 once one class is chosen."""
    _ = ctx._
    rows = class_rows(classes, data.classes)
    if not data.classes:
        return reply(ctx, _("Let's arrange a live lesson. Which class is it for?"), rows)
    rows.append([Button(_("That's all - carry on"), DONE)])
    if len(data.classes) == 1 and data.classes[0] in classes:
        rows.append([Button(_("1-to-1 with one pupil of {code}").format(
            code=classes[data.classes[0]].code), ONE)])
    names = ", ".join(classes[c].code for c in data.classes if c in classes)
    return reply(ctx, _("Chosen: {classes}. Add another class, or carry on.").format(
        classes=names), rows)


def pupil_prompt(ctx: Context, data: Arrangement) -> Reply:
    """Which pupil a 1-to-1 is with."""
    pupils = pupils_for(ctx.session, data.classes)
    buttons = [Button(f"{p.forename} {p.surname}", PUPIL, str(p.id)) for p, _code in pupils[:90]]
    return reply(ctx, ctx._("Which pupil is the 1-to-1 with?"),
                 [buttons[i:i + 2] for i in range(0, len(buttons), 2)])


def parent_prompt(ctx: Context, data: Arrangement) -> Reply:
    """Whether a parent or carer will be in the room, where the policy needs one."""
    _ = ctx._
    pupil = pupil_by_id(session=ctx.session, pupil_id=data.pupil) if data.pupil else None
    return reply(ctx, _(
        "{school}'s policy allows a 1-to-1 live session only with a parent or carer in the "
        "room throughout. Will a parent or carer be with {child} for the whole "
        "session?").format(school=ctx.school.name, child=pupil.forename if pupil else ""),
        [[Button(_("Yes, a parent or carer will be there"), PARENT_YES)],
         [Button(_("No"), PARENT_NO)]])


def when_prompt(ctx: Context, problem: str = "") -> Reply:
    """The request for the day and time."""
    ask = ctx._("When is it? Type the day and time ({timezone} time), for example \"tue "
                "10:00\", \"24/11 14:30\" or \"tomorrow 9:30\".").format(
        timezone=ctx.school.timezone)
    return reply(ctx, with_problem(problem, ask))


def notice_warning(ctx: Context, at: datetime) -> str:
    """The warning when families would hear of the lesson too late, or ""."""
    if not short_notice(ctx.school, at, ctx.now):
        return ""
    return notice_text(reaches=invitations_reach_families(ctx.school, ctx.now), at=at,
                       hours=ctx.school.live.min_notice_hours, locale=ctx.locale,
                       tz=ctx.school.timezone, _=ctx._, ngettext=ctx.ngettext)


def length_prompt(ctx: Context, data: Arrangement, problem: str = "") -> Reply:
    """The time said back in full, the lengths to choose from, and any notice warning."""
    _ = ctx._
    at = data.starts_at
    rows = [[Button(length_text(m, ctx.ngettext), LENGTH, str(m)) for m in LENGTHS],
            [Button(_("Choose another time"), NEW_TIME)]]
    ask = _("{when}. How long will it last? Choose, or type it (for example \"40 min\" or "
            "\"an hour\").").format(when=full_when(at, ctx.locale, ctx.school.timezone))
    warning = notice_warning(ctx, at)
    return reply(ctx, with_problem(problem, f"{ask}\n\n{warning}" if warning else ask), rows)


def hours_text(ctx: Context, reason: str, name: str, at: datetime,
               minutes: int | None = None) -> str:
    """Why the lesson can't be then (see assistant.live.rules.hours_problem)."""
    return hours_problem_text(reason, name, school=ctx.school.name,
                              hours=contact_hours_text(ctx.school, ctx.locale), at=at,
                              minutes=minutes, locale=ctx.locale, tz=ctx.school.timezone,
                              _=ctx._, ngettext=ctx.ngettext)


def platform_prompt(ctx: Context) -> Reply:
    """Which of the school's platforms it is on."""
    rows = [[Button(name, PLATFORM, str(i))] for i, name in enumerate(ctx.school.live.platforms)]
    return reply(ctx, ctx._("Which platform is it on?"), rows)


def link_prompt(ctx: Context, data: Arrangement, problem: str = "") -> Reply:
    """The request for the join link, and the promise about where it goes."""
    ask = ctx._("Please send the join link for {platform}. It must start with https:// (or "
                "http://). I'll send it only to the families of this session who accept the "
                "expectations, and I never write it to a log.").format(platform=data.platform)
    return reply(ctx, with_problem(problem, ask))


def recorded_prompt(ctx: Context) -> Reply:
    """Whether it is recorded, with the school's rule marked."""
    _ = ctx._
    rule = ctx.school.live.recorded
    note = (_("The school's policy says live lessons are recorded.") if rule else
            _("The school's policy says live lessons are not recorded.") if rule is False else
            _("The school's profile doesn't say, so the usual answer is no."))
    usual = default_recorded(ctx.school)
    mark = " " + _("(the school's rule)")
    rows = [[Button(_("Recorded") + (mark if usual else ""), RECORDED, "1")],
            [Button(_("Not recorded") + ("" if usual else mark), RECORDED, "0")]]
    return reply(ctx, _("Will the lesson be recorded?") + " " + note, rows)


def extra_prompt(ctx: Context, data: Arrangement) -> Reply:
    """The expectations families agree to, and the offer of a line of the teacher's own."""
    _ = ctx._
    lines = [f"• {_(EXPECTATION_TEXT[code])}" for code in expectations_for(
        ctx.school, one_to_one=data.pupil is not None)]
    lines += [f"• {line}" for line in ctx.school.live.extra_expectations]
    text = "\n".join([_("Families will be asked to agree to these expectations:"),
                      *lines, "", _("Would you like to add a line of your own for this "
                                    "session? Type it (up to {n} characters), or press "
                                    "\"No extra line\".").format(n=EXTRA_LIMIT)])
    return reply(ctx, text, [[Button(_("No extra line"), NO_EXTRA)]])


def who_text(ctx: Context, data: Arrangement, classes: Classes) -> str:
    """The classes, or the 1-to-1's pupil, as the summary names them."""
    _ = ctx._
    codes = ", ".join(classes[c].code for c in data.classes if c in classes)
    pupil = pupil_by_id(session=ctx.session, pupil_id=data.pupil) if data.pupil else None
    if pupil is None:
        return codes
    who = _("1-to-1 with {child} ({code})").format(
        child=f"{pupil.forename} {pupil.surname}", code=codes)
    return who + (", " + _("a parent or carer present") if data.parent else "")


def summary(ctx: Context, data: Arrangement, classes: Classes) -> Reply:
    """Everything arranged, who it reaches and when, to check before sending."""
    _ = ctx._
    tally = preview(ctx.session, ctx.school, data.classes, data.pupil)
    at = data.starts_at
    lines = [
        _("Please check before I send the invitations:"),
        _("For: {who}").format(who=who_text(ctx, data, classes)),
        _("When: {when}").format(when=full_when(at, ctx.locale, ctx.school.timezone)),
        _("How long: {length}").format(length=length_text(data.minutes, ctx.ngettext)),
        _("Platform: {platform}").format(platform=data.platform),
        _("Link: {link}").format(link=data.link),
        _("Recorded: {answer}").format(answer=_("yes") if data.recorded else _("no")),
    ]
    if data.extra:
        lines.append(_("Your extra line: {line}").format(line=data.extra))
    lines += ["", tally_text(ctx, tally)]
    warning = notice_warning(ctx, at)
    send = _("Send the invitations")
    if warning:
        lines += ["", warning]
        send = _("Send the invitations anyway")
    return reply(ctx, "\n".join(lines), [[Button(send, SEND)],
                                         [Button(_("Choose another time"), NEW_TIME)]],
                 protect=True)


def tally_text(ctx: Context, tally: Tally) -> str:
    """Who the invitations reach, in a sentence or three."""
    parts = [ctx.ngettext("{n} family can accept straight away.",
                          "{n} families can accept straight away.", tally.signed).format(
        n=tally.signed)]
    if tally.unsigned:
        parts.append(ctx.ngettext(
            "{n} family must sign the online safety agreement first.",
            "{n} families must sign the online safety agreement first.",
            tally.unsigned).format(n=tally.unsigned))
    if tally.not_linked:
        parts.append(ctx.ngettext(
            "{n} pupil has no family linked to me, so won't be invited here.",
            "{n} pupils have no family linked to me, so won't be invited here.",
            tally.not_linked).format(n=tally.not_linked))
    return " ".join(parts)


def link_problem_text(ctx: Context, problem: str) -> str:
    """Why a typed link was refused."""
    _ = ctx._
    return {
        "scheme": _("That isn't a web link: it must start with https:// (or http://)."),
        "host": _("That doesn't look like a complete link."),
        "spaces": _("A link has no spaces in it - please send just the link."),
    }.get(problem) or _("That's not a link I can use (empty, or over 500 characters).")

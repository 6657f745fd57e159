"""Raising a concern (parents and carers) or a worry (pupils), with help first in danger."""

from __future__ import annotations

from assistant.concerns.service import CATEGORIES, raise_concern
from assistant.engine import Context, Outcome, State, expired_reply
from assistant.events import Button, Event, Reply
from assistant.hours import is_open, next_open
from assistant.i18n import when_text
from assistant.people.identity import LinkedChild, linked_children
from assistant.safety.check import Danger
from assistant.safety.reports import mark_raised, report_for
from flows.concerns.staff import ACTIONS as STAFF_ACTIONS

NAME = "concerns_family"
# The one-tap button under the danger help: raises the flagged message as an urgent concern.
URGENT = f"{NAME}.urgent"
MAX_PHOTOS = 5

Row = tuple[Button, ...]


def children(ctx: Context) -> list[LinkedChild]:
    """The children linked to this account, at any school."""
    assert ctx.account.id is not None
    return linked_children(ctx.session, ctx.account.id, ctx.schools)


def parent_categories(ctx: Context) -> list[tuple[str, str]]:
    _ = ctx._
    return [
        ("upsetting", _("Something upsetting seen online")),
        ("bullying", _("Unkind messages or bullying")),
        ("stranger", _("Someone they don't know contacting them")),
        ("live", _("A live lesson or remote learning")),
        ("staff", _("A member of staff")),
        ("access", _("Access, devices or login")),
        ("other", _("Something else")),
    ]


def pupil_categories(ctx: Context) -> list[tuple[str, str]]:
    _ = ctx._
    return [("upsetting", _("Something online")), ("bullying", _("Someone being unkind")),
            ("other", _("Something else"))]


class ConcernFlow:
    """Takes a worry step by step, stores it before saying so, and says when it will be read."""

    name = NAME
    commands = frozenset({"concern", "worry"})
    entry_actions = frozenset({f"{NAME}.start", f"{NAME}.worry", URGENT})
    # The words of a concern may be about danger: they are the concern, after the help.
    danger_steps = frozenset({"message"})

    def handle(self, ctx: Context, event: Event, state: State | None) -> Outcome:
        """Moves the concern on one step, or raises a flagged message as urgent in one tap."""
        danger = ctx.danger
        first: list[Reply] = []
        if event.action == URGENT:
            return self._urgent(ctx, event)
        if event.command in {"concern", "worry"} or event.action in self.entry_actions:
            pupil = event.command == "worry" or event.action == "concerns_family.worry"
            outcome = self._start(ctx, event, pupil)
        elif state is None:
            return Outcome([*first, expired_reply(ctx._)])
        else:
            outcome = self._step(ctx, event, state, danger)
        return Outcome(first + outcome.replies, outcome.state)

    def _urgent(self, ctx: Context, event: Event) -> Outcome:
        """Sends the message the danger check flagged to the school as an urgent concern."""
        _ = ctx._
        assert ctx.account.id is not None
        report = report_for(session=ctx.session, account_id=ctx.account.id,
                            report_id=event.payload)
        kids = [k for k in children(ctx) if report is None or k.school.id == report.school_id]
        if report is None or not kids:
            return Outcome([Reply(_("That message has already been sent to the school, or it "
                                    "can't be sent from here. If a child is in danger right "
                                    "now, call 999."))])
        about = _about(kids[0]) if len(kids) == 1 else {**_about(kids[0]), "pupil": None}
        data = {**about, "pupil_mode": False, "category": CATEGORIES["other"],
                "text": report.text, "urgent": True, "report": report.id}
        return self._send(ctx, State(NAME, "confirm", data))

    # ------------------------------------------------------------------ who and what

    def _start(self, ctx: Context, event: Event, pupil: bool) -> Outcome:
        _ = ctx._
        kids = children(ctx)
        data: dict[str, object] = {"pupil_mode": pupil, "first": event.message_id or ""}
        if not kids:
            return Outcome([Reply(_(
                "I can only pass concerns to a school once you're linked to it with the code "
                "from the school office (send /start followed by the code). If a child is in "
                "danger right now, call 999. Children can call Childline on 0800 1111."))])
        if pupil:
            if len(kids) == 1:
                return self._ask_what(ctx, State(NAME, "what", {**data, **_about(kids[0])}))
            rows = tuple((Button(k.child.forename, "concerns_family.who", str(k.child.pupil_id)),)
                         for k in kids)
            return Outcome([Reply(_("Hello. Which one are you?"), rows)],
                           State(NAME, "who", data))
        rows = tuple((Button(_("{child} ({code})").format(child=k.child.forename,
                                                          code=k.child.class_code),
                             "concerns_family.who", str(k.child.pupil_id)),) for k in kids)
        rows += ((Button(_("Not about a child"), "concerns_family.who", "none"),),)
        return Outcome([Reply(_("I'll pass your concern to the right person at school. "
                                "Who is it about?"), rows)], State(NAME, "who", data))

    def _ask_what(self, ctx: Context, state: State) -> Outcome:
        _ = ctx._
        pupil = bool(state.data.get("pupil_mode"))
        options = pupil_categories(ctx) if pupil else parent_categories(ctx)
        rows = tuple((Button(label, "concerns_family.what", key),) for key, label in options)
        question = _("Is it about something online? Someone being unkind? Something else?") if (
            pupil) else _("What is it about?")
        return Outcome([Reply(question, rows)], State(NAME, "what", state.data))

    # ------------------------------------------------------------------ the steps

    def _step(self, ctx: Context, event: Event, state: State, danger: Danger | None) -> Outcome:
        _ = ctx._
        if event.action == "concerns_family.cancel":
            return Outcome([Reply(_("Okay, nothing has been sent."))])
        if state.step == "who" and event.action == "concerns_family.who":
            kids = {str(k.child.pupil_id): k for k in children(ctx)}
            if event.payload == "none" and not state.data.get("pupil_mode"):
                first = next(iter(kids.values()))
                about = {**_about(first), "pupil": None}
            elif event.payload in kids:
                about = _about(kids[event.payload])
            else:
                return Outcome([expired_reply(_)], state)
            return self._ask_what(ctx, State(NAME, "what", {**state.data, **about}))
        if state.step == "what" and event.action == "concerns_family.what":
            if event.payload not in CATEGORIES:
                return Outcome([expired_reply(_)], state)
            data = {**state.data, "category": CATEGORIES[event.payload]}
            ask = _("Tell us what happened, in your own words.") if data.get("pupil_mode") else _(
                "Please tell us what has happened, in your own words. You can add a photo or "
                "screenshot too (keep any evidence, but never forward a sexual image of a "
                "child).")
            return Outcome([Reply(ask)], State(NAME, "message", data))
        if state.step == "message" and not event.action:
            return self._message(ctx, event, state, danger)
        if state.step == "confirm" and event.action == "concerns_family.send":
            return self._send(ctx, state)
        if state.step == "sent" and event.action == "concerns_family.tidy":
            return Outcome([Reply("", erase_from=str(state.data.get("first") or "") or None)])
        hint = _("Please type your message.") if state.step == "message" else _(
            "Please use the buttons above, or send /cancel to stop.")
        return Outcome([Reply(hint)], state)

    def _message(self, ctx: Context, event: Event, state: State,
                 danger: Danger | None) -> Outcome:
        _ = ctx._
        data = dict(state.data)
        photos = list(data.get("photos", []))
        photos = (photos + list(event.attachments))[:MAX_PHOTOS]
        data["photos"] = photos
        text = (event.text or "").strip()
        if danger is not None:
            data["urgent"] = True
        if not text:
            if photos:
                return Outcome([Reply(_("Thank you, I have the picture. Please add a few words "
                                        "about what happened."))], State(NAME, "message", data))
            return Outcome([Reply(_("Please type a few words about what happened."))],
                           State(NAME, "message", data))
        data["text"] = f"{data.get('text', '')}\n{text}".strip()[:4096]
        if data.get("pupil_mode"):
            return self._send(ctx, State(NAME, "confirm", data))
        lines = [_("Please check before I send it:"),
                 _("About: {child}").format(child=data.get("forename") if data.get("pupil")
                                            else _("not about a particular child")),
                 _("What: {category}").format(category=str(data["category"]).replace("-", " ")),
                 "", str(data["text"])]
        if photos:
            lines.append(ctx.ngettext("(and {n} picture)", "(and {n} pictures)",
                                      len(photos)).format(n=len(photos)))
        return Outcome([Reply("\n".join(lines), ((Button(_("Send"), "concerns_family.send"),
                                                  Button(_("Cancel"), f"{NAME}.cancel")),))],
                       State(NAME, "confirm", data))

    def _send(self, ctx: Context, state: State) -> Outcome:
        _ = ctx._
        data = state.data
        school = ctx.schools.get(str(data.get("school")), ctx.school)
        pupil_mode = bool(data.get("pupil_mode"))
        concern = raise_concern(
            session=ctx.session, school=school, sender_account_id=ctx.account.id,
            guardian_id=int(str(data["guardian"])),
            pupil_id=int(str(data["pupil"])) if data.get("pupil") else None,
            from_pupil=pupil_mode, category=str(data["category"]), text=str(data["text"]),
            photos=[str(p) for p in data.get("photos", [])],
            urgent=bool(data.get("urgent")), locale=ctx.locale, now=ctx.now,
            actions=STAFF_ACTIONS)
        if data.get("report") and concern.id is not None:
            mark_raised(session=ctx.session, report_id=int(str(data["report"])),
                        concern_id=concern.id)
        if is_open(school, ctx.now):
            when = _("The school is open now, so it goes to them straight away.")
        else:
            when = _("The school is closed now; it will be read from {when}.").format(
                when=when_text(next_open(school, ctx.now), ctx.locale, school.timezone))
        if concern.urgent:
            when += " " + (_("Because it may be urgent, the {dsl} is being alerted now.").format(
                dsl=school.roles["dsl"]) if school.alert_dsl_out_of_hours else _(
                "Because it may be urgent, it goes first in the queue."))
        if pupil_mode:
            text = "\n\n".join([
                _("Thank you for telling us. You did the right thing."),
                when,
                _("You can also talk to a grown-up at school, or call Childline on 0800 1111 "
                  "(free, any time)."),
                _("If other people use this phone or tablet, you can tidy this chat away."),
            ])
            tidy = Button(_("Tidy this chat away"), f"{NAME}.tidy")
            return Outcome([Reply(text, ((tidy,),))],
                           State(NAME, "sent", {"first": data.get("first", "")}))
        text = "\n".join([_("Sent. Thank you - your reference is {ref}.").format(
            ref=concern.reference), when,
            _("You'll hear here when a member of staff has read it.")])
        return Outcome([Reply(text)])


def _about(kid: LinkedChild) -> dict[str, object]:
    return {"guardian": kid.guardian_id, "pupil": kid.child.pupil_id,
            "forename": kid.child.forename, "school": kid.school.id}

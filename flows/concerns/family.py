"""Raising a concern (parents and carers) or a worry (pupils), with help first in danger."""

from __future__ import annotations

from assistant.concerns.service import CATEGORIES, raise_concern
from assistant.engine import Context, Outcome, State, expired_reply
from assistant.events import Button, Event, Reply
from assistant.hours import is_open, next_open
from assistant.i18n import when_text
from assistant.people.identity import LinkedChild, linked_children
from assistant.safety.danger import Danger, help_now, spot
from flows.concerns.staff import ACTIONS as STAFF_ACTIONS

NAME = "concern"
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
    entry_actions = frozenset({"concern.start", "concern.worry"})

    def handle(self, ctx: Context, event: Event, state: State | None) -> Outcome:
        """Moves the concern on one step; any words suggesting danger get help at once."""
        danger = spot(event.text or "", ctx.locale) if event.text else None
        first: list[Reply] = [Reply(help_now(ctx._, danger))] if danger else []
        if event.command in {"concern", "worry"} or event.action in self.entry_actions:
            pupil = event.command == "worry" or event.action == "concern.worry"
            outcome = self._start(ctx, event, pupil)
        elif state is None:
            return Outcome([*first, expired_reply(ctx._)])
        else:
            outcome = self._step(ctx, event, state, danger)
        return Outcome(first + outcome.replies, outcome.state)

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
            rows = tuple((Button(k.child.forename, "concern.who", str(k.child.pupil_id)),)
                         for k in kids)
            return Outcome([Reply(_("Hello. Which one are you?"), rows)],
                           State(NAME, "who", data))
        rows = tuple((Button(_("{child} ({code})").format(child=k.child.forename,
                                                          code=k.child.class_code),
                             "concern.who", str(k.child.pupil_id)),) for k in kids)
        rows += ((Button(_("Not about a child"), "concern.who", "none"),),)
        return Outcome([Reply(_("I'll pass your concern to the right person at school. "
                                "Who is it about?"), rows)], State(NAME, "who", data))

    def _ask_what(self, ctx: Context, state: State) -> Outcome:
        _ = ctx._
        pupil = bool(state.data.get("pupil_mode"))
        options = pupil_categories(ctx) if pupil else parent_categories(ctx)
        rows = tuple((Button(label, "concern.what", key),) for key, label in options)
        question = _("Is it about something online? Someone being unkind? Something else?") if (
            pupil) else _("What is it about?")
        return Outcome([Reply(question, rows)], State(NAME, "what", state.data))

    # ------------------------------------------------------------------ the steps

    def _step(self, ctx: Context, event: Event, state: State, danger: Danger | None) -> Outcome:
        _ = ctx._
        if event.action == "concern.cancel":
            return Outcome([Reply(_("Okay, nothing has been sent."))])
        if state.step == "who" and event.action == "concern.who":
            kids = {str(k.child.pupil_id): k for k in children(ctx)}
            if event.payload == "none" and not state.data.get("pupil_mode"):
                first = next(iter(kids.values()))
                about = {**_about(first), "pupil": None}
            elif event.payload in kids:
                about = _about(kids[event.payload])
            else:
                return Outcome([expired_reply(_)], state)
            return self._ask_what(ctx, State(NAME, "what", {**state.data, **about}))
        if state.step == "what" and event.action == "concern.what":
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
        if state.step == "confirm" and event.action == "concern.send":
            return self._send(ctx, state)
        if state.step == "sent" and event.action == "concern.tidy":
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
        return Outcome([Reply("\n".join(lines), ((Button(_("Send"), "concern.send"),
                                                  Button(_("Cancel"), "concern.cancel")),))],
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
            return Outcome([Reply(text, ((Button(_("Tidy this chat away"), "concern.tidy"),),))],
                           State(NAME, "sent", {"first": data.get("first", "")}))
        text = "\n".join([_("Sent. Thank you - your reference is {ref}.").format(
            ref=concern.reference), when,
            _("You'll hear here when a member of staff has read it.")])
        return Outcome([Reply(text)])


def _about(kid: LinkedChild) -> dict[str, object]:
    return {"guardian": kid.guardian_id, "pupil": kid.child.pupil_id,
            "forename": kid.child.forename, "school": kid.school.id}

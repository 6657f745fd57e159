"""The flow engine: routes an event to the flow that owns it, inside one transaction."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache
from typing import Any, Protocol, runtime_checkable

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, select

from assistant.db import transaction
from assistant.events import Button, Event, Reply
from assistant.faq.alternates import ACCEPTED_REVISION, SchoolPhrasings
from assistant.i18n import Gettext, choose_locale, gettext_for, ngettext_for
from assistant.models import Account, Conversation, DangerReport, Guardian, Staff, utcnow
from assistant.outbox import DUE_NOW
from assistant.people.identity import FAMILY_CONTACTS, STAFF_POSTS, known_links, note_links
from assistant.safety.check import Danger, DangerCheck
from assistant.safety.help import help_now, nobody_to_receive_text, tell_school_text
from assistant.safety.reports import record_report
from assistant.schools import School

log = logging.getLogger(__name__)


def _linked_school(model: type[Staff] | type[Guardian], pick: Any = sa.func.min) -> Any:
    """A school the sender is linked to as staff or guardian (the first or last by id), as a
    column of the lookup."""
    table: sa.Table = model.__table__  # type: ignore[union-attr]
    accounts: sa.Table = Account.__table__  # type: ignore[attr-defined]
    return (sa.select(pick(table.c.school_id)).where(table.c.account_id == accounts.c.id)
            .scalar_subquery())


@cache
def _if_absent(dialect: str, table: sa.Table, returning: sa.Column[Any]) -> Any:
    """An INSERT of the row given at run time that writes nothing, and raises nothing,
    where the key is already taken; it returns `returning` of the row it wrote. Built once
    per database kind and table."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(table).on_conflict_do_nothing().returning(returning)


def _insert_if_absent(session: Session, table: sa.Table, returning: sa.Column[Any],
                      row: dict[str, Any]) -> Any:
    """Writes `row` unless its key is taken; the first result row is `returning`, or None
    when nothing was written."""
    statement = _if_absent(session.get_bind().dialect.name, table, returning)
    return _run(session, statement, row).first()


def _run(session: Session, statement: Any,
         params: dict[str, Any] | None = None) -> sa.CursorResult[Any]:
    """Runs a prebuilt Core statement in the event's transaction: the flow's own writes are
    flushed first, as Session.execute does, without its ORM bookkeeping."""
    session.flush()
    return session.connection().execute(statement, params or {})


_ACCOUNTS: sa.Table = Account.__table__  # type: ignore[attr-defined]
# An account row's columns, read by the lookup and set on the Account it builds.
_ACCOUNT_FIELDS = ("id", "transport", "external_id", "locale", "created_at")
_ACCOUNT_CLASS = sa.inspect(Account).class_manager
# A conversation's writes, guarded by the version read ("seen"): built once, bound per update.
_CONVERSATIONS: sa.Table = Conversation.__table__  # type: ignore[attr-defined]
_DROP_CONVERSATION = sa.delete(_CONVERSATIONS).where(
    _CONVERSATIONS.c.account_id == sa.bindparam("which"),
    _CONVERSATIONS.c.version == sa.bindparam("seen"))
_MOVE_CONVERSATION = sa.update(_CONVERSATIONS).where(
    _CONVERSATIONS.c.account_id == sa.bindparam("which"),
    _CONVERSATIONS.c.version == sa.bindparam("seen"))


# Who sent an event, where their conversation is, the schools they are linked to (a staff
# one; the first and last of their families'), and how many FAQ phrasings schools have
# accepted: built once, run as one Core statement with bound values on every update (plain
# rows: the account is attached to the session by hand, the conversation is only read).
_CONVERSATION_FIELDS = ("school_id", "flow", "step", "data", "nonce", "parked", "version")
_WHO_AND_WHERE = (
    sa.select(*(_ACCOUNTS.c[name] for name in _ACCOUNT_FIELDS),
              _CONVERSATIONS.c.account_id.label("conversation"),
              *(_CONVERSATIONS.c[name].label(f"conversation_{name}")
                for name in _CONVERSATION_FIELDS),
              _linked_school(Staff).label("staff_school"),
              _linked_school(Guardian).label("first_family"),
              _linked_school(Guardian, sa.func.max).label("last_family"),
              ACCEPTED_REVISION.label("revision"))
    .select_from(_ACCOUNTS.outerjoin(_CONVERSATIONS,
                                     _CONVERSATIONS.c.account_id == _ACCOUNTS.c.id))
    .where(_ACCOUNTS.c.transport == sa.bindparam("transport"),
           _ACCOUNTS.c.external_id == sa.bindparam("external_id"))
)


@dataclass(frozen=True)
class SeenConversation:
    """A conversation row as the update's lookup read it (written back by Engine._save)."""

    school_id: str | None
    flow: str
    step: str
    data: dict[str, Any]
    nonce: str
    parked: dict[str, Any]
    version: int


@dataclass(frozen=True)
class Lookup:
    """What the update's lookup found: the account, its conversation, the schools it is
    linked to (staff first), its families' schools (see Context.family_hint), and the
    accepted phrasings' revision (None for an account made by this update)."""

    account: Account
    conversation: SeenConversation | None
    linked: tuple[str | None, ...]
    families: tuple[str, ...]
    revision: int | None


@dataclass
class State:
    """Where a conversation is: the owning flow, its step, and what it has gathered."""

    flow: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Handover:
    """Another flow's entry button, pressed on the user's behalf once this flow is done."""

    action: str
    payload: str = ""


@dataclass
class Outcome:
    """What a flow did with an event: replies to send, and the state to keep (None ends).

    `then` hands the conversation to another flow through one of its entry actions; its
    replies follow these, and its state is the one kept.

    `maybe_question` marks typed text a step could not use (or took only as a guess): if
    the FAQ answers it outright, the engine answers it instead, with a button back to this
    step, and keeps the conversation as it was. Such an outcome must have written nothing.

    `unclaimed` says the typed text was not this flow's after all: its conversation ends
    and the engine hands the text to the text flow (the FAQ).
    """

    replies: list[Reply]
    state: State | None = None
    then: Handover | None = None
    maybe_question: bool = False
    unclaimed: bool = False


@dataclass
class Response:
    """The replies for the transport, and the nonce that stamps their buttons."""

    replies: list[Reply]
    nonce: str = ""
    # The event queued an outbox message that is due now (an urgent concern for the DSL):
    # the transport sends the outbox at once instead of at its next tick.
    due_now: bool = False


@dataclass
class Context:
    """What a flow may use while handling one event; the session is the event's transaction."""

    session: Session
    account: Account
    school: School
    schools: dict[str, School]
    now: datetime
    locale: str
    services: Any
    _: Gettext
    ngettext: Callable[[str, str, int], str]
    # True when /cancel found something to stop (a conversation running or parked).
    stopped: bool = False
    # What the danger check found in this event's text; the engine has already given the help.
    danger: Danger | None = None
    # The schools at which the sender speaks for a family, as the lookup saw them before this
    # update wrote anything: none, one, or the first and last of several (then ask
    # people.identity.family_schools for all). None: not looked up.
    family_hint: tuple[str, ...] | None = None
    # Every school's accepted FAQ phrasings, and their revision as this transaction read it.
    phrasings: SchoolPhrasings = field(default_factory=SchoolPhrasings)
    phrasings_revision: int | None = None


@dataclass(frozen=True)
class SafetyNet:
    """The danger check every free-text message meets first, and the button that raises it."""

    check: DangerCheck
    # An entry action whose payload is a danger report's id: raises it as an urgent concern.
    urgent_action: str
    # Whether anyone at a school can receive an urgent concern here yet: the button is only
    # offered, and its promise only made, when someone can.
    can_receive: Callable[[Session, School], bool]
    # An entry action whose payload is a danger report's id: answers it as a question. Offered
    # under the help only where no phrase said in earnest raised the alarm (the classifier, or
    # a phrase families also say in jest): a question about bruises from gymnastics then gets
    # its answer too, once the person asking says it isn't about a child's safety.
    answer_action: str


class Flow(Protocol):
    """A conversation: started by its commands or entry buttons, then owning the user's text.

    A flow may also name `danger_steps`: steps where a message about a child in danger is the
    flow's own input (the words of a concern), so it gets the message after the help. And it
    may have the abilities below (ShowsSteps, AnswersAsides, ClaimsText).
    """

    name: str
    commands: frozenset[str]
    entry_actions: frozenset[str]

    def handle(self, ctx: Context, event: Event, state: State | None) -> Outcome:
        """Handles an event and says what to reply and where the conversation stands."""
        ...


@runtime_checkable
class ShowsSteps(Protocol):
    """A flow that can show any of its steps again, as it was last shown, with live buttons.

    Its "carry on" button (see carry_on) then works: after a question answered in the middle
    of the flow, after another command interrupted it, or after a link code was typed.
    """

    def step_replies(self, ctx: Context, state: State) -> list[Reply]:
        """The step the conversation is at, shown again with its buttons."""
        ...


@runtime_checkable
class AnswersAsides(Protocol):
    """The text flow, when it can answer a question typed in the middle of another flow."""

    def aside(self, ctx: Context, text: str) -> Reply | None:
        """The FAQ's answer when it answers outright, with buttons that work from anywhere."""
        ...


@runtime_checkable
class ClaimsText(Protocol):
    """A flow that takes some typed messages in any state, as if its command had been sent
    (a link code is tried as a code wherever it is typed)."""

    def claims(self, text: str) -> bool:
        """Tells whether this typed message is this flow's, whatever is running."""
        ...


# The command that stops everything, the running conversation and any parked ones.
CANCEL = "cancel"
# A conversation row that holds only parked flows, with nothing running.
IDLE = ""
# How many interrupted conversations are kept to resume; the oldest goes first.
MAX_PARKED = 3
# The action of every step-by-step flow's "carry on" button: shows its step again.
CARRY_ON = "carry_on"


def carry_on(flow_name: str) -> str:
    """The action of a flow's "carry on" button (answered by the engine, for any flow)."""
    return f"{flow_name}.{CARRY_ON}"


def carry_on_button(_: Gettext, flow_name: str) -> Button:
    """The button that takes the user back to where a flow was."""
    return Button(_("Carry on where we were"), carry_on(flow_name))


class StaleConversationError(Exception):
    """Another event changed this conversation first (a double tap, a second worker)."""


def expired_reply(_: Gettext) -> Reply:
    """The polite answer to a button whose moment has passed."""
    return Reply(_("Sorry, that button has expired. Here is where we are now - "
                   "send /help to see what I can do."))


class RegistryError(ValueError):
    """Flows that don't fit together: the message says which and why (found at start)."""


def check_registry(flows: list[Flow], outbox_actions: Iterable[str],
                   other_entries: Iterable[str]) -> None:
    """Refuses flows whose names, actions or commands clash, or outbox buttons that would
    expire: a button sent later must be an entry action of the flow its prefix names."""
    names = [flow.name for flow in flows]
    if len(set(names)) != len(names):
        raise RegistryError(f"two flows share a name: {sorted(names)}")
    by_name = {flow.name: flow for flow in flows}
    seen: dict[str, str] = {}
    for flow in flows:
        for action in flow.entry_actions:
            if action.split(".", 1)[0] != flow.name:
                raise RegistryError(f"{flow.name}: entry action {action!r} has another "
                                    "flow's prefix")
            if action == carry_on(flow.name):
                raise RegistryError(f"{flow.name}: {action!r} is the engine's own button")
        for command in flow.commands:
            if command in seen:
                raise RegistryError(f"/{command} belongs to both {seen[command]} and "
                                    f"{flow.name}")
            seen[command] = flow.name
    for action in [*outbox_actions, *other_entries]:
        owner = by_name.get(action.split(".", 1)[0])
        if owner is None or action not in owner.entry_actions:
            raise RegistryError(f"button action {action!r} is sent later, so it must be an "
                                "entry action of its flow")


class Engine:
    """Handles events: loads the account and its conversation, runs a flow, saves, commits."""

    def __init__(
        self,
        *,
        db: sa.Engine,
        flows: Iterable[Flow],
        schools: dict[str, School],
        default_school: str,
        text_flow: str,
        services: Any = None,
        clock: Callable[[], datetime] = utcnow,
        safety: SafetyNet | None = None,
        outbox_actions: Iterable[str] = (),
    ) -> None:
        self.db, self.schools, self.services, self.clock = db, schools, services, clock
        self.safety = safety
        if default_school not in schools:
            raise ValueError(f"default school {default_school!r} has no profile")
        self.default_school = default_school
        self.flows = {flow.name: flow for flow in flows}
        check_registry(list(flows), outbox_actions,
                       [safety.urgent_action, safety.answer_action] if safety is not None else [])
        self.text_flow = self.flows[text_flow]
        self.by_command = {c: f for f in self.flows.values() for c in f.commands}
        self.claimants: list[Flow] = [f for f in self.flows.values()
                                      if isinstance(f, ClaimsText)]
        # This database's accepted FAQ phrasings, kept between updates.
        self.phrasings = SchoolPhrasings()

    def flow_for_action(self, action: str) -> Flow | None:
        """Finds the flow an action belongs to by its prefix ("faq.show" -> faq)."""
        return self.flows.get(action.split(".", 1)[0])

    def handle(self, event: Event) -> Response:
        """Handles one event; a stale or forged button changes nothing."""
        if event.text and "\x00" in event.text:
            # No text store takes a NUL character (PostgreSQL refuses it); it means nothing.
            event = replace(event, text=event.text.replace("\x00", ""))
        if event.kind != "message" and not self._flagged(event.text or ""):
            # An edit or an unreadable attachment with nothing alarming: no account, no state.
            return Response([self._unread_reply(gettext_for(choose_locale(event.locale)),
                                                event)])
        try:
            with transaction(self.db) as session:
                response = self._handle(session, event)
                response.due_now = bool(session.info.pop(DUE_NOW, False))
                return response
        except StaleConversationError:
            account_locale = choose_locale(event.locale)
            return Response([expired_reply(gettext_for(account_locale))])

    def _account(self, session: Session, event: Event) -> Lookup:
        """The account an event comes from (made on its first message), where its
        conversation is, and the schools it is linked to as staff and as a family: one
        statement for a known account."""
        found = session.connection().execute(_WHO_AND_WHERE, {
            "transport": event.transport, "external_id": event.user_id}).first()
        if found is not None:
            # Built as the ORM builds a loaded row (no validation: the values are the row's),
            # then persistent as if loaded: a flow's change to it is written.
            account = _ACCOUNT_CLASS.new_instance()
            for name in _ACCOUNT_FIELDS:
                set_committed_value(account, name, found._mapping[name])
            make_transient_to_detached(account)
            session.add(account)
            conv = None if found.conversation is None else SeenConversation(
                *(found._mapping[f"conversation_{name}"] for name in _CONVERSATION_FIELDS))
            families = tuple(dict.fromkeys(s for s in (found.first_family, found.last_family)
                                           if s))
            return Lookup(account, conv, (found.staff_school, *families), families,
                          found.revision)
        account = Account(
            transport=event.transport,
            external_id=event.user_id,
            locale=choose_locale(event.locale),
        )
        # Written as the conversation is (no savepoint): when no row comes back, another
        # event made this account first, and this one is stale.
        made = _insert_if_absent(session, _ACCOUNTS, _ACCOUNTS.c.id, {
            "transport": account.transport, "external_id": account.external_id,
            "locale": account.locale, "created_at": account.created_at})
        if made is None:
            raise StaleConversationError
        account.id = made[0]
        make_transient_to_detached(account)
        session.add(account)
        return Lookup(account, None, (), (), None)

    def school_for(self, conv: SeenConversation | None,
                   linked: Iterable[str | None]) -> School:
        """Returns the account's school: the conversation's, a linked one (staff first), or
        the default."""
        if conv is not None and conv.school_id in self.schools:
            return self.schools[conv.school_id]
        for school_id in linked:
            if school_id is not None and school_id in self.schools:
                return self.schools[school_id]
        return self.schools[self.default_school]

    def _handle(self, session: Session, event: Event) -> Response:
        found = self._account(session, event)
        account, conv = found.account, found.conversation
        assert account.id is not None
        note_links(session, account.id, staff=bool(found.linked and found.linked[0]),
                   family=bool(found.families))
        locale = account.locale
        _ = gettext_for(locale)
        ctx = Context(
            session=session,
            account=account,
            school=self.school_for(conv, found.linked),
            schools=self.schools,
            now=self.clock(),
            locale=locale,
            services=self.services,
            _=_,
            ngettext=ngettext_for(locale),
            family_hint=found.families,
            phrasings=self.phrasings,
            phrasings_revision=found.revision,
        )
        current = (State(conv.flow, conv.step, dict(conv.data))
                   if conv is not None and conv.flow != IDLE else None)
        parked: dict[str, Any] = dict(conv.parked) if conv is not None else {}
        nonce = conv.nonce if conv is not None else ""
        # Typed words never renew the nonce, so they never expire the buttons on screen; a
        # button press or a command does (a double tap, an old message: "expired").
        renew = event.action is not None or event.command is not None
        # Safety first: any words a person typed meet the danger check before any flow.
        takes_danger = current is not None and current.step in self._danger_steps(current.flow)
        help_replies = self._danger_help(ctx, event, offer_concern=not takes_danger)
        if help_replies:
            if current is None or not takes_danger:
                # Nothing else follows the help, and the conversation stays where it was.
                return Response(help_replies, nonce)
            outcome = self.flows[current.flow].handle(ctx, event, current)
            new_nonce = self._save(session, account.id, conv, outcome.state, parked,
                                   ctx.school.id, renew=renew)
            return Response([*help_replies, *outcome.replies], new_nonce)
        if event.kind != "message":
            return Response([self._unread_reply(ctx._, event)], nonce)
        routed = self._route(event, current, parked, nonce)
        if routed is None:
            return Response([expired_reply(_), *self._where_we_are(ctx, current)], nonce)
        flow, state, parked_now = routed
        if event.command == CANCEL:
            ctx.stopped = self._running(current) or any(self._resumable(n) for n in parked)
            state, parked = None, {}
        elif parked_now is not None and self._resumable(parked_now.flow):
            parked = self._park(parked, parked_now, nonce)
        else:
            parked_now = None

        if event.action == carry_on(flow.name):
            outcome = self._carry_on(ctx, flow, state)
            renew = parked_now is not None
        else:
            outcome = flow.handle(ctx, event, state)
        if outcome.unclaimed and flow is not self.text_flow:
            following = self.text_flow.handle(ctx, event, None)
            outcome = Outcome([*outcome.replies, *following.replies], following.state)
        if outcome.then is not None:
            outcome = self._hand_over(ctx, event, outcome, outcome.then)
        if (outcome.maybe_question and state is not None and parked_now is None
                and event.action is None and event.command is None):
            aside = self._aside(ctx, flow, event.text or "")
            if aside is not None:
                # Answered, and nothing changes: the buttons on screen all still work.
                return Response([aside], nonce)
        replies = list(outcome.replies)
        if parked_now is not None and (outcome.state is None or flow is self.text_flow):
            # The interrupted conversation waits: say how to get back to it (an FAQ answer
            # shown meanwhile is no conversation of its own).
            replies.append(self._offer_back(ctx, parked_now.flow))
        new_nonce = self._save(session, account.id, conv, outcome.state, parked, ctx.school.id,
                               renew=renew)
        return Response(replies, new_nonce)

    def _running(self, state: State | None) -> bool:
        """Whether a state is a conversation the user would say was running (see
        _resumable), so /cancel has something to stop."""
        return state is not None and self._resumable(state.flow)

    def _carry_on(self, ctx: Context, flow: Flow, state: State | None) -> Outcome:
        """Shows a flow's step again, as its "carry on" button asks; nothing else changes."""
        if state is None or not isinstance(flow, ShowsSteps):
            return Outcome([expired_reply(ctx._)])
        return Outcome(flow.step_replies(ctx, state), state)

    def _where_we_are(self, ctx: Context, current: State | None) -> list[Reply]:
        """The running flow's step, shown again under an "expired" answer."""
        flow = self.flows.get(current.flow) if current is not None else None
        if current is None or flow is None or not isinstance(flow, ShowsSteps):
            return []
        return flow.step_replies(ctx, current)

    def _aside(self, ctx: Context, flow: Flow, text: str) -> Reply | None:
        """The FAQ's answer to a question typed mid-flow, with a button back to the step."""
        if flow is self.text_flow or not isinstance(self.text_flow, AnswersAsides):
            return None
        answer = self.text_flow.aside(ctx, text)
        if answer is None:
            return None
        if not isinstance(flow, ShowsSteps):
            return answer
        return replace(answer, buttons=(*answer.buttons,
                                        (carry_on_button(ctx._, flow.name),)))

    def _hand_over(self, ctx: Context, event: Event, first: Outcome,
                   handover: Handover) -> Outcome:
        """Runs the flow a handover names, as if its entry button had been pressed."""
        target = self.flow_for_action(handover.action)
        if target is None or handover.action not in target.entry_actions:
            raise ValueError(f"handover to {handover.action!r}, which is no flow's entry action")
        pressed = replace(event, text=None, action=handover.action, payload=handover.payload,
                          nonce="")
        following = target.handle(ctx, pressed, None)
        return Outcome([*first.replies, *following.replies], following.state)

    def _danger_steps(self, name: str) -> frozenset[str]:
        flow = self.flows.get(name)
        steps: object = getattr(flow, "danger_steps", frozenset())
        return steps if isinstance(steps, frozenset) else frozenset()

    def _danger_help(self, ctx: Context, event: Event, *, offer_concern: bool) -> list[Reply]:
        """The help (and the one-tap urgent concern) if the event's words suggest danger."""
        if self.safety is None:
            return []
        if event.command == "start":  # its argument is a link code, not words
            return []
        text = event.argument if event.command is not None else (event.text or "")
        danger = self.safety.check.check(text) if text.strip() else None
        if danger is None:
            return []
        ctx.danger = danger
        assert ctx.account.id is not None
        log.warning("danger check: %s in a message (account %s)", ",".join(danger.kinds),
                    ctx.account.id)
        replies = [Reply(help_now(ctx._, danger))]
        if not offer_concern:
            return replies
        family = self._has(ctx, Guardian)
        report: DangerReport | None = None
        if family and not self.safety.can_receive(ctx.session, ctx.school):
            replies.append(Reply(nobody_to_receive_text(ctx._, ctx.school.name)))
        elif family:
            report = record_report(session=ctx.session, account_id=ctx.account.id,
                                   school_id=ctx.school.id, text=text, danger=danger,
                                   locale=ctx.locale)
            button = Button(ctx._("Tell the school now (urgent)"), self.safety.urgent_action,
                            str(report.id))
            replies.append(Reply(tell_school_text(ctx._, ctx.school.name, linked=True),
                                 ((button,),)))
        elif self._has(ctx, Staff):
            replies.append(Reply(ctx._("As a member of staff, follow {school}'s safeguarding "
                                       "procedure: tell the safeguarding lead now, in person or "
                                       "by phone.").format(school=ctx.school.name)))
        else:
            replies.append(Reply(tell_school_text(ctx._, ctx.school.name, linked=False)))
        if not danger.firm:
            # Last, under the help and the urgent button: the person asking decides.
            if report is None:
                report = record_report(session=ctx.session, account_id=ctx.account.id,
                                       school_id=ctx.school.id, text=text, danger=danger,
                                       locale=ctx.locale)
            replies.append(Reply(
                ctx._("If your message wasn't about a child's safety, I can answer it as a "
                      "question instead."),
                ((Button(ctx._("Answer it as a question"), self.safety.answer_action,
                         str(report.id)),),)))
        return replies

    @staticmethod
    def _has(ctx: Context, model: type[Guardian] | type[Staff]) -> bool:
        """Whether the account is linked as a family member (Guardian) or staff (Staff)."""
        assert ctx.account.id is not None
        known = known_links(ctx.session, ctx.account.id,
                            STAFF_POSTS if model is Staff else FAMILY_CONTACTS)
        if known is not None:  # the update's lookup read it
            return known
        found = ctx.session.exec(select(model.id).where(
            model.account_id == ctx.account.id).limit(1)).first()
        return found is not None

    def _flagged(self, text: str) -> bool:
        return bool(text.strip()) and self.safety is not None and (
            self.safety.check.check(text) is not None)

    @staticmethod
    def _unread_reply(_: Gettext, event: Event) -> Reply:
        """The polite answer to an edit or an attachment the assistant can't read."""
        if event.kind == "edit":
            return Reply(_("I don't read changes to messages I've already answered. Please "
                           "send it again as a new message."))
        return Reply(_("I can only read text messages for now - please type your question."))

    def _route(
        self, event: Event, current: State | None, parked: dict[str, Any], nonce: str
    ) -> tuple[Flow, State | None, State | None] | None:
        """Picks the flow and state for an event, and the running state it interrupts, if any.

        Returns None for a button that no longer belongs to any conversation. Another flow's
        command or entry button parks the running conversation instead of dropping it, and a
        parked flow's own command (or one of its buttons still on screen) resumes it.
        """
        if event.action is not None:
            flow = self.flow_for_action(event.action)
            if flow is None:
                return None
            # "Carry on" only shows a step again, so it needs no nonce: any copy of it works
            # while its flow is running or parked.
            anytime = event.action in flow.entry_actions or event.action == carry_on(flow.name)
            if current is not None and current.flow == flow.name:
                if anytime or event.nonce == nonce:
                    return flow, current, None
                return None
            own = parked.get(flow.name)
            if own is None and event.action == carry_on(flow.name):
                return None
            resumable = own is not None and (anytime or event.nonce == own.get("nonce"))
            if not resumable and event.action not in flow.entry_actions:
                return None
            return flow, self._unpark(parked, flow.name), current
        if event.command is not None:
            flow = self.by_command.get(event.command, self.text_flow)
            if current is not None and current.flow == flow.name:
                return flow, current, None
            if event.command == CANCEL:
                return flow, None, None
            return flow, self._unpark(parked, flow.name), current
        claimant = self._claimant(event.text or "")
        if claimant is not None and (current is None or current.flow != claimant.name):
            # A link code typed in the middle of anything: tried as a code, the rest parked.
            return claimant, self._unpark(parked, claimant.name), current
        if current is not None and current.flow in self.flows:
            return self.flows[current.flow], current, None
        return self.text_flow, None, None

    def _claimant(self, text: str) -> Flow | None:
        """The flow that takes this typed message whatever is running, if one does."""
        for flow in self.claimants:
            if isinstance(flow, ClaimsText) and flow.claims(text):
                return flow
        return None

    def _resumable(self, name: str) -> bool:
        """Whether a flow can be picked up again later by its own command: a step-by-step
        conversation (the FAQ's memory of the last question, or a wait for a link code, is
        not one to come back to)."""
        flow = self.flows.get(name)
        return (flow is not None and bool(flow.commands) and flow is not self.text_flow
                and isinstance(flow, ShowsSteps))

    @staticmethod
    def _unpark(parked: dict[str, Any], name: str) -> State | None:
        """Takes a parked flow's state out of the parked set, if it is there."""
        found = parked.pop(name, None)
        if not isinstance(found, dict):
            return None
        return State(name, str(found.get("step", "")), dict(found.get("data") or {}))

    @staticmethod
    def _park(parked: dict[str, Any], state: State, nonce: str) -> dict[str, Any]:
        """Adds an interrupted state to the parked set, keeping only the newest few."""
        kept = {name: value for name, value in parked.items() if name != state.flow}
        kept[state.flow] = {"step": state.step, "data": state.data, "nonce": nonce}
        return dict(list(kept.items())[-MAX_PARKED:])

    def _offer_back(self, ctx: Context, name: str) -> Reply:
        """Tells the user how to carry on with the conversation that was interrupted."""
        flow = self.flows[name]
        text = ctx._("When you're ready, send /{command} to carry on where you left "
                     "off.").format(command=min(flow.commands))
        if not isinstance(flow, ShowsSteps):
            return Reply(text)
        return Reply(text, ((carry_on_button(ctx._, name),),))

    def _save(
        self,
        session: Session,
        account_id: int,
        conv: SeenConversation | None,
        state: State | None,
        parked: dict[str, Any],
        school_id: str,
        *,
        renew: bool,
    ) -> str:
        """Stores where the conversation is; returns the nonce for this reply's buttons.

        The nonce changes only when `renew` says (a button or a command); typed text keeps
        it, so the buttons on screen keep working. A conditional write on the version is the
        guard against two events racing on one conversation.
        """
        table = Conversation.__table__  # type: ignore[attr-defined]
        old = (conv.nonce, conv.version) if conv is not None else None
        if state is None and parked:
            state = State(IDLE, "")
        if conv is not None:
            unchanged = state is not None and (conv.flow, conv.step, conv.data, conv.parked,
                                               conv.school_id) == (
                state.flow, state.step, state.data, parked, school_id)
            if unchanged and not renew:
                return conv.nonce
        if state is None:
            if old is not None:
                result = _run(session, _DROP_CONVERSATION, {"which": account_id,
                                                            "seen": old[1]})
                if result.rowcount != 1:
                    raise StaleConversationError
            return ""
        nonce = old[0] if old is not None and old[0] and not renew else (
            secrets.token_urlsafe(6)[:8])
        values = {
            "flow": state.flow,
            "step": state.step,
            "data": state.data,
            "parked": parked,
            "nonce": nonce,
            "school_id": school_id,
            "updated_at": utcnow(),
        }
        if old is None:
            # Another event made this conversation first: no row is written, and this one is
            # stale (no savepoint needed to find out).
            try:
                written = _insert_if_absent(session, table, table.c.account_id, {
                    "account_id": account_id, "version": 1, **values})
            except IntegrityError:  # the account went (/forget) meanwhile: all rolls back
                raise StaleConversationError from None
            if written is None:
                raise StaleConversationError
        else:
            result = _run(session, _MOVE_CONVERSATION, {"which": account_id, "seen": old[1],
                                                        "version": old[1] + 1, **values})
            if result.rowcount != 1:
                raise StaleConversationError
        return nonce

"""Who may do what: every staff and class-scoped action against every kind of person.

One school's world: Ava's parent has raised an urgent concern (routed to the DSL) and asked a
question about Ava (routed to her class teacher); Ava's teacher has arranged a live lesson for
3B, and Ava's parent has an invitation to it. Each action is tried by nine people: Ava's class
teacher, another class's teacher, the DSL, the head, the office, Ava's parent, another parent,
a stranger who never linked, and a DSL at the other school of the trust. Whoever may not act
gets a refusal and changes nothing; whoever may, gets on with it. Then forged and tampered
buttons (another school's item, a made-up reference, huge and malformed numbers) are refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlmodel import Session, func, select

from assistant.engine import Engine, Response
from assistant.events import Event
from assistant.live.invites import ACCEPT
from assistant.models import (
    Concern,
    ConcernEvent,
    LiveSession,
    OutboxMessage,
    QuestionEvent,
    SchoolQuestion,
)
from tests.family import Person, add_family, add_staff
from tests.live_helpers import arrange, sign_all
from tests.support.outbox import deliver

ACTORS = {
    "teacher-3B": "301", "teacher-4C": "302", "dsl": "303", "head": "304", "office": "305",
    "parent-of-Ava": "201", "other-parent": "202", "stranger": "399", "dsl-other-school": "306",
}


@dataclass
class World:
    engine: Engine
    concern: str  # reference
    question: str  # reference
    live: int  # session id
    invitation: str  # Ava's accept button's payload
    other_concern: str  # a concern at the other school


def _world(engine: Engine, clock) -> World:  # type: ignore[no-untyped-def]
    now = clock.now
    codes = {
        "parent-of-Ava": add_family(engine.db, now, parent="Noor Khan",
                                    children=[("Ava", "3B", "3")]),
        "other-parent": add_family(engine.db, now, parent="Tom Jones",
                                   children=[("Mia", "4C", "4")]),
        "teacher-3B": add_staff(engine.db, now, name="Ms Teacher", role="teacher",
                                class_code="3B"),
        "teacher-4C": add_staff(engine.db, now, name="Mr Other", role="teacher",
                                class_code="4C"),
        "dsl": add_staff(engine.db, now, name="Mrs Safe", role="dsl"),
        "head": add_staff(engine.db, now, name="Dr Head", role="head"),
        "office": add_staff(engine.db, now, name="Mrs Office", role="office"),
        "dsl-other-school": add_staff(engine.db, now, name="Mr Trust", role="dsl",
                                      school="stoke-bishop"),
    }
    people = {name: Person(engine, user) for name, user in ACTORS.items()}
    for name, code in codes.items():
        people[name].say(f"/start {code}")
    parent = people["parent-of-Ava"]
    # An urgent concern, routed to the DSL.
    parent.say("my husband hits my daughter")
    parent.press("Tell the school now")
    # A question about Ava, routed to her class teacher.
    parent.say("how much is dinner money this term")
    if not any("ask the school" in b.label.lower() for b in parent.buttons()):
        parent.press("didn't help")
    parent.press("ask the school")
    parent.press("Ava")
    # A concern at the other school, for tampering with.
    far = Person(engine, "250")
    far.say("/start " + add_family(engine.db, now, parent="Ola Nowak",
                                   children=[("Zoe", "1A", "1")], school="stoke-bishop"))
    far.say("my daughter says a man touched her")
    far.press("Tell the school now")
    # A live lesson for 3B, with Ava's invitation.
    sign_all(engine.db, engine.schools["demo"], "Ava", now)
    arrange(people["teacher-3B"])
    invitations = [m for m in deliver(engine, clock)
                   if m.recipient == "telegram:201" and m.kind == "live-invitation"]
    [accept] = [b for message in invitations for row in message.payload["buttons"]
                for b in row if b["action"] == ACCEPT]
    with Session(engine.db) as session:
        concerns = {c.school_id: c.reference for c in session.exec(select(Concern))}
        question = session.exec(select(SchoolQuestion)).one().reference
        live = session.exec(select(LiveSession)).one().id
    assert live is not None
    return World(engine, concerns["demo"], question, live, accept["payload"],
                 concerns["stoke-bishop"])


def fingerprint(engine: Engine) -> tuple[object, ...]:
    """Everything an action could change, apart from the actor's own conversation."""
    with Session(engine.db) as session:
        return (
            session.exec(select(func.count()).select_from(ConcernEvent)).one(),
            tuple(sorted((c.reference, c.status) for c in session.exec(select(Concern)))),
            session.exec(select(func.count()).select_from(QuestionEvent)).one(),
            tuple(sorted((q.reference, q.status) for q in session.exec(select(SchoolQuestion)))),
            tuple((s.id, s.status, s.starts_at, s.version)
                  for s in session.exec(select(LiveSession))),
            session.exec(select(func.count()).select_from(OutboxMessage)).one(),
        )


def act(world: World, user: str, *, text: str | None = None, action: str | None = None,
        payload: str = "") -> str:
    response: Response = world.engine.handle(
        Event("telegram", user, user, text=text, action=action, payload=payload))
    return "\n".join(reply.text for reply in response.replies)


@dataclass(frozen=True)
class Action:
    """One thing to try: how, who may, how success reads, and a secret a refusal must hide."""

    name: str
    run: Callable[[World, str], str]
    allowed: frozenset[str]
    success: str  # words that only a successful attempt's reply contains
    hidden: Callable[[World], str]  # what a refused actor must not be shown
    writes: bool  # whether success changes the fingerprint


def button(action: str, payload: Callable[[World], str]) -> Callable[[World, str], str]:
    return lambda w, user: act(w, user, action=action, payload=payload(w))


def command(text: str) -> Callable[[World, str], str]:
    return lambda w, user: act(w, user, text=text)


def concern(w: World) -> str:
    return w.concern


def question(w: World) -> str:
    return w.question


def live(w: World) -> str:
    return str(w.live)


SAFEGUARDING = frozenset({"dsl"})
QUESTION_HOLDERS = frozenset({"teacher-3B", "head", "office"})
LESSON_MANAGERS = frozenset({"teacher-3B", "head"})
ALL_STAFF_HERE = frozenset({"teacher-3B", "teacher-4C", "dsl", "head", "office"})

ACTIONS = [
    Action("concern: acknowledge", button("concerns_staff.ack", concern), SAFEGUARDING,
           "Acknowledged", concern, True),
    # The DSL is where passing on ends: they are told it is theirs to act on.
    Action("concern: pass on", button("concerns_staff.pass", concern), SAFEGUARDING,
           "yours to acknowledge", concern, False),
    Action("concern: resolve", button("concerns_staff.resolve", concern), SAFEGUARDING,
           "outcome", concern, False),
    Action("concern: open", button("concerns_staff.show", concern), SAFEGUARDING,
           "Reference", concern, False),
    Action("concern: /concerns list", command("/concerns"), SAFEGUARDING, "", concern, False),
    Action("question: reply", button("questions_staff.reply", question), QUESTION_HOLDERS,
           "answer", question, False),
    Action("question: pass to office", button("questions_staff.pass", question),
           QUESTION_HOLDERS, "", question, True),
    Action("question: answered elsewhere", button("questions_staff.elsewhere", question),
           QUESTION_HOLDERS, "", question, True),
    Action("question: open", button("questions_staff.show", question), QUESTION_HOLDERS,
           "dinner money", question, False),
    Action("question: /questions list", command("/questions"), QUESTION_HOLDERS, "",
           question, False),
    Action("lesson: move", button("live_manage.move", live), LESSON_MANAGERS,
           "new day and time", lambda w: "meet.google.com", False),
    Action("lesson: cancel", button("live_manage.cancel", live), LESSON_MANAGERS,
           "Cancel the live lesson", lambda w: "meet.google.com", False),
    Action("lesson: /sessions list", command("/sessions"), LESSON_MANAGERS, "3B",
           lambda w: "Ava", False),
    Action("agreements: class list", command("/agreements"),
           frozenset({"teacher-3B", "dsl", "head", "office"}), "Ava", lambda w: "Ava", False),
    Action("families: who has linked", command("/families"),
           frozenset({"teacher-3B", "dsl", "head", "office"}), "3B:", lambda w: "3B:", False),
    Action("invitation: accept and get the link", button(ACCEPT, lambda w: w.invitation),
           frozenset({"parent-of-Ava"}), "The link comes next", lambda w: "meet.google.com",
           True),
]


def _secret(action: Action, world: World) -> str:
    return action.hidden(world)


@pytest.mark.parametrize("action", ACTIONS, ids=[a.name for a in ACTIONS])
def test_only_the_right_people_can_act_and_the_rest_see_nothing(engine, clock,
                                                                  action: Action) -> None:
    world = _world(engine, clock)
    secret = _secret(action, world)
    refused = [name for name in ACTORS if name not in action.allowed]
    for name in refused:
        before = fingerprint(engine)
        text = action.run(world, ACTORS[name])
        assert secret not in text, f"{name} was shown {secret!r} by {action.name}: {text}"
        if action.success:
            assert action.success not in text, f"{name} could {action.name}: {text}"
        assert fingerprint(engine) == before, f"{name} changed something with {action.name}"
        assert text, f"{name} got no answer at all to {action.name}"
    for name in sorted(action.allowed):
        before = fingerprint(engine)
        text = action.run(world, ACTORS[name])
        assert "isn't one you can see" not in text and "only for school staff" not in text, (
            f"{name} was refused {action.name}: {text}")
        if action.success:
            assert action.success in text, f"{name} could not {action.name}: {text}"
        if action.name.endswith("list") or action.name.startswith(("agreements", "families")):
            assert secret in text, f"{name} was not shown {secret!r} by {action.name}: {text}"
        if action.writes:
            assert fingerprint(engine) != before, f"{name}'s {action.name} changed nothing"
            break  # the first success changes the item: the others would act on a new state
        act(world, ACTORS[name], text="/cancel")


TAMPERED = [
    ("another school's concern", "concerns_staff.ack", lambda w: w.other_concern),
    ("a made-up reference", "concerns_staff.ack", lambda w: "ZZZZ9999"),
    ("a made-up question", "questions_staff.reply", lambda w: "ZZZZ9999"),
    ("a huge lesson number", "live_manage.cancel", lambda w: "99999999999999999999"),
    ("a negative lesson number", "live_manage.move", lambda w: "-1"),
    ("an empty payload", "concerns_staff.resolve", lambda w: ""),
    ("a huge invitation", ACCEPT, lambda w: "9999999999:1"),
    ("another version of the invitation", ACCEPT,
     lambda w: w.invitation.rsplit(":", 1)[0] + ":999"),
]


@pytest.mark.parametrize("label,name,payload", TAMPERED, ids=[t[0] for t in TAMPERED])
def test_forged_and_tampered_buttons_are_refused_and_change_nothing(
        engine, clock, label: str, name: str, payload: Callable[[World], str]) -> None:
    world = _world(engine, clock)
    for actor in ("dsl", "head", "teacher-3B", "parent-of-Ava"):
        before = fingerprint(engine)
        text = act(world, ACTORS[actor], action=name, payload=payload(world))
        assert text, f"{actor} got no answer to {label}"
        assert fingerprint(engine) == before, f"{label} pressed by {actor} changed something"
        assert "meet.google.com" not in text and world.other_concern not in text

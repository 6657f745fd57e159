"""The shape every stateful flow shares: named steps, typed step data, a step table, and the
replies several flows give alike.

A flow names its steps in a `StrEnum` (the values are what `State.step` stores, so a saved
conversation still loads), keeps what it gathers in a dataclass turned to and from the JSON
dict in `State.data`, and routes each event through a table read like python-telegram-bot's
`ConversationHandler(states=..., fallbacks=...)`:

    self.steps = StepTable(
        states={
            Step.READ: {NEXT: self._next_page, AGREE: self._agree},
            Step.NAME: {TEXT: self._take_name},
        },
        fallbacks={CANCEL: self._cancel},
    )
    ...
    handler = dispatch(self.steps, step_of(Step, state.step), event)
    if handler is None:
        return off_step(ctx._, event, state, self.step_replies(ctx, state))
    return handler(ctx, event, load(AgreementData, state.data))

A handler's arguments are the flow's own choice (the table only holds them); each flow names
its handler type beside its table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from assistant.engine import Outcome, State, expired_reply
from assistant.events import Button, Event, Reply
from assistant.i18n import Gettext

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

S = TypeVar("S", bound=StrEnum)
H = TypeVar("H")
D = TypeVar("D", bound="DataclassInstance")

# The input of a message rather than a button press: typed text, or a photo and its caption.
# Button actions always have a dot ("flow.action"), so this can't be mistaken for one.
TEXT = "text"


# ------------------------------------------------------------------ steps and their data

def step_of(steps: type[S], stored: str) -> S | None:
    """Returns the named step a stored string stands for, or None for one no longer known."""
    try:
        return steps(stored)
    except ValueError:
        return None


def load(kind: type[D], stored: Mapping[str, Any]) -> D:
    """Builds a flow's step data from the dict kept in `State.data`.

    Keys the dataclass doesn't name are ignored and missing ones take its defaults, so a
    conversation saved before a field was added or dropped still loads. Every field needs a
    default. The values are those `dump` stored (JSON numbers, strings, lists and None),
    copied, so changing the data leaves the state it came from as it was.
    """
    names = _init_names(kind)
    return kind(**{key: _plain(value) for key, value in stored.items() if key in names})


def dump(data: DataclassInstance) -> dict[str, Any]:
    """Turns a flow's step data into the JSON dict kept in `State.data`: a copy, in JSON's
    own shapes (a tuple becomes a list, as it would once stored), so the state compares
    equal to what is read back."""
    plain: dict[str, Any] = _plain(data)
    return plain


@cache
def _init_names(kind: type) -> frozenset[str]:
    """The fields a step data class takes when it is built."""
    return frozenset(f.name for f in fields(kind) if f.init)


def _plain(value: Any) -> Any:
    """A copy of step data (or a value in it) as JSON would hold it: dataclasses and dicts
    become dicts, tuples and lists become lists; strings, numbers and None are kept, as
    nothing can change them."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    return value


# ------------------------------------------------------------------ the step table

@dataclass(frozen=True)
class StepTable(Generic[S, H]):
    """Which handler takes which input at each step, and the inputs any step takes.

    An input is a button's action, or TEXT for a message (see `input_of`). A step's own row
    is read first, then the fallbacks, as in python-telegram-bot's ConversationHandler.
    """

    states: Mapping[S, Mapping[str, H]]
    fallbacks: Mapping[str, H] = field(default_factory=dict)


def input_of(event: Event) -> str:
    """What a step table matches an event on: the button's action, TEXT for a message, or
    "/name" for a command (no flow's table takes one: each answers its commands first)."""
    if event.action:
        return event.action
    return f"/{event.command}" if event.command is not None else TEXT


def dispatch(table: StepTable[S, H], step: S | None, event: Event) -> H | None:
    """Finds the handler for this step and event, or None when nothing here takes it."""
    key = input_of(event)
    own = table.states.get(step, {}) if step is not None else {}
    return own.get(key, table.fallbacks.get(key))


# ------------------------------------------------------------------ replies flows share

def staff_only(_: Gettext) -> Reply:
    """The answer to someone who is not staff at this school trying a staff command."""
    return Reply(_("Sorry, that's only for school staff. Send /help to see what I can do."))


def use_the_buttons(_: Gettext) -> Reply:
    """The hint for typed words a step doesn't take: the buttons shown again, or /cancel."""
    return Reply(_("Sorry, I can't use that here. Please choose one of the buttons below, or "
                   "send /cancel to stop."))


def off_step(_: Gettext, event: Event, state: State, step: list[Reply]) -> Outcome:
    """What a step answers to input it doesn't take: the step again, its buttons live.

    Typed words may be a question (the engine answers it if the FAQ can, and keeps the
    step); a button of another step is from an older message, so it has expired.
    """
    if event.action is None:
        return Outcome([use_the_buttons(_), *step], state, maybe_question=True)
    return Outcome([expired_reply(_), *step], state)


def typed_guess(outcome: Outcome) -> Outcome:
    """Marks typed words a step took that may have been a question instead (see Outcome)."""
    outcome.maybe_question = True
    return outcome


def cancelled(_: Gettext) -> Reply:
    """The answer to a flow's own Cancel (or No, or Keep it) button: nothing was done."""
    return Reply(_("Okay, nothing has changed."))


def payload_buttons(payload: dict[str, object]) -> tuple[tuple[Button, ...], ...]:
    """The buttons of an outbox payload (rows of label, action, payload), as a reply's."""
    rows = payload.get("buttons", [])
    assert isinstance(rows, list)
    return tuple(tuple(Button(b["label"], b["action"], b["payload"]) for b in row)
                 for row in rows)

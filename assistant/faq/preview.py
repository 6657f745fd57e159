"""The sign-off page: every FAQ answer as one school's families read it, grouped by topic.

Each school fact in an answer is marked with the profile key it comes from and the policy
quote that key cites; each place where the answer says to ask the school is listed as a gap.
The head or DSL reads the page and signs it off before the bot goes live (README, "Before
going live"). Rendered with Jinja2 templates shipped in assistant/faq/templates/.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time
from typing import Literal

from jinja2 import Environment, PackageLoader, StrictUndefined

from assistant.faq.check import is_setting, must_cite
from assistant.faq.content import Entry, Rendering, explain, load_entries
from assistant.faq.facts import PLACEHOLDER_KEYS, SELECTOR_KEYS, contact_hours_text
from assistant.schools import DAYS, School

# The topics families' questions fall into, in the order the page shows them.
TOPICS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Remote learning", ("platforms", "when-remote", "work-set", "submit-work", "feedback",
                         "cannot-complete", "no-device")),
    ("Contacting the school", ("contact-hours", "reply-time", "staff-accounts", "complaints")),
    ("Live lessons", ("live-invitation", "live-parent-present", "live-location", "live-dress",
                      "live-camera-mic", "live-background", "live-behaviour",
                      "live-late-leave", "waiting-room", "sharing-links", "one-to-one",
                      "staff-present", "screen-sharing", "chat")),
    ("Recording, privacy and data", ("recording-by-families", "recording-by-school",
                                     "data-protection", "photos-and-posts",
                                     "sharing-resources", "passwords", "personal-info")),
    ("Devices, the internet and home", ("monitoring", "filtering", "mobile-phones", "ai-tools",
                                        "social-media", "parental-controls",
                                        "online-safety-help")),
    ("Worries and safeguarding", ("report-concern", "safeguarding-lead", "cyberbullying",
                                  "stranger-contact", "upsetting-content", "breaking-rules")),
    ("The acceptable use agreement", ("agreement-why", "agreement-scope")),
)
OTHER_TOPIC = "Other questions"
# policy: cites the policy; not-in-policy: a required key the policy is silent on; setting: how
# the assistant runs, not a fact of the policy; demo: the fictional demo school; uncited: a
# fact with no source (faq check refuses it); unset: the profile leaves the key out.
Kind = Literal["policy", "not-in-policy", "setting", "demo", "uncited", "unset"]


@dataclass(frozen=True)
class Fact:
    """One profile key behind an answer: its value for the school and where it comes from."""

    key: str
    value: str
    kind: Kind
    source: str = ""


@dataclass(frozen=True)
class FactUse:
    """A school fact an answer uses (a placeholder or the fact that chose its wording)."""

    number: int
    name: str
    chose: str  # the value that chose the wording, for a selector; "" for a placeholder
    facts: tuple[Fact, ...]


@dataclass(frozen=True)
class Gap:
    """A place where the answer says to ask the school, or leaves a fact unsaid."""

    name: str
    keys: tuple[str, ...]
    asks: bool  # True: the answer tells families to ask; False: it just says nothing


@dataclass(frozen=True)
class Span:
    """A run of answer text, with the numbers of the facts it states."""

    text: str
    marks: tuple[int, ...] = ()


@dataclass(frozen=True)
class Answer:
    label: str
    spans: tuple[Span, ...]


@dataclass
class EntryView:
    id: str
    question: str
    audience: str
    answers: list[Answer] = field(default_factory=list)
    uses: list[FactUse] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)


@dataclass(frozen=True)
class Topic:
    title: str
    entries: tuple[EntryView, ...]


def _shown(value: object) -> str:
    if value is None or value == () or value == "":
        return "(not set)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, tuple):
        return ", ".join(_shown(v) for v in value)
    return str(value)


def key_value(school: School, key: str, locale: str = "en") -> str:
    """A profile key's value for the school, as the page shows it ("live.camera" -> "off")."""
    if key == "contact_hours":
        return contact_hours_text(school, locale)
    window = re.match(r"^contact_hours\[(\d+)\]\.(\w+)", key)
    if window:
        number, attr = int(window[1]), window[2]
        if not 0 < number <= len(school.contact_hours):
            return "(not set)"
        found = school.contact_hours[number - 1]
        if attr == "days":
            return ", ".join(DAYS[d] for d in sorted(found.days))
        return _shown(getattr(found, attr, None))
    if key.endswith("]"):  # an item of a list: live.expectations[dress]
        base, item = key[:-1].split("[", 1)
        return "yes" if item in key_value(school, base, locale).split(", ") else "(not set)"
    table, _, name = key.partition(".")
    if not name:
        return _shown(getattr(school, key, None))
    if table in ("roles", "routing"):
        return _shown(getattr(school, table).get(name))
    return _shown(getattr(getattr(school, table, None), name, None))


def fact_of(school: School, key: str, locale: str = "en") -> Fact:
    """A key with its value and the source the profile cites for it."""
    value = key_value(school, key, locale)
    if key not in school.sources.given and value == "(not set)":
        return Fact(key, value, "unset")
    source = school.sources.source_of(key)
    ref = school.sources.policy_ref
    if source is not None:
        kind: Kind = "not-in-policy" if ref and source.startswith(f"not in {ref}") else "policy"
        return Fact(key, value, kind, source)
    if is_setting(key):
        return Fact(key, value, "setting")
    return Fact(key, value, "uncited" if must_cite(school) else "demo")


class _Uses:
    """Numbers the facts of one entry in the order the page first shows them."""

    def __init__(self, school: School, locale: str) -> None:
        self.school, self.locale = school, locale
        self.by_name: dict[tuple[str, str], FactUse] = {}

    def number(self, name: str, keys: tuple[str, ...], chose: str = "") -> int:
        found = self.by_name.get((name, chose))
        if found is None:
            facts = tuple(fact_of(self.school, k, self.locale) for k in keys)
            found = FactUse(len(self.by_name) + 1, name, chose, facts)
            self.by_name[(name, chose)] = found
        return found.number


def _spans(rendering: Rendering, entry: Entry, uses: _Uses) -> tuple[Span, ...]:
    """The answer as runs of text: a clause is one run, marked with its fact and those of the
    placeholders inside it; a placeholder outside a clause is a run of its own."""
    chosen = dict(rendering.clauses)
    runs: list[tuple[str, list[int], str | None]] = []  # text, marks, clause
    for piece in rendering.pieces:
        marks: list[int] = []
        if piece.clause is not None and piece.clause in chosen:
            by = entry.clauses[piece.clause].by
            marks.append(uses.number(by, SELECTOR_KEYS[by], chosen[piece.clause]))
        if piece.placeholder is not None:
            marks.append(uses.number(piece.placeholder, PLACEHOLDER_KEYS[piece.placeholder]))
        last = runs[-1] if runs else None
        same_clause = last is not None and piece.clause is not None and last[2] == piece.clause
        both_plain = last is not None and not marks and not last[1]
        if last is not None and (same_clause or both_plain):
            runs[-1] = (last[0] + piece.text, list(dict.fromkeys(last[1] + marks)), last[2])
        else:
            runs.append((piece.text, marks, piece.clause))
    spans: list[Span] = []
    for text, marks, _clause in runs:
        if not marks:
            spans.append(Span(text))
            continue
        # Spaces stay outside a marked run, so Markdown's **bold** holds.
        core = text.strip()
        lead, trail = text[:len(text) - len(text.lstrip())], text[len(text.rstrip()):]
        spans += [Span(lead)] if lead else []
        spans.append(Span(core, tuple(marks)))
        spans += [Span(trail)] if trail else []
    return tuple(spans)


def _gaps(rendering: Rendering, entry: Entry) -> list[Gap]:
    gaps: list[Gap] = []
    if entry.variant_by is not None and rendering.variant == "unknown":
        gaps.append(Gap(entry.variant_by, SELECTOR_KEYS[entry.variant_by], True))
    for name, value in rendering.clauses:
        clause = entry.clauses[name]
        if value == "unknown":
            gaps.append(Gap(clause.by, SELECTOR_KEYS[clause.by], bool(clause.texts[value])))
    gaps += [Gap(name, PLACEHOLDER_KEYS[name], True) for name in rendering.missing]
    return gaps


def entry_view(entry: Entry, school: School, locale: str = "en") -> EntryView:
    """One entry as the school's families read it, with its facts and gaps."""
    view = EntryView(entry.id, entry.question, entry.audience)
    uses = _Uses(school, locale)
    parent = explain(entry, school, locale)
    if entry.variant_by is not None and parent.variant is not None:
        uses.number(entry.variant_by, SELECTOR_KEYS[entry.variant_by], parent.variant)
    view.answers.append(Answer("Answer", _spans(parent, entry, uses)))
    gaps = _gaps(parent, entry)
    if entry.pupil_answer:
        pupil = explain(entry, school, locale, pupil=True)
        view.answers.append(Answer("For a pupil", _spans(pupil, entry, uses)))
        gaps += [g for g in _gaps(pupil, entry) if g not in gaps]
    view.uses = sorted(uses.by_name.values(), key=lambda u: u.number)
    view.gaps = list(dict.fromkeys(gaps))
    return view


def topics(school: School, locale: str = "en") -> list[Topic]:
    """Every entry of the locale for this school, grouped by topic."""
    entries = {e.id: e for e in load_entries(locale)}
    grouped: list[Topic] = []
    placed: set[str] = set()
    for title, ids in TOPICS:
        views = tuple(entry_view(entries[i], school, locale) for i in ids if i in entries)
        placed.update(ids)
        if views:
            grouped.append(Topic(title, views))
    rest = tuple(entry_view(e, school, locale) for i, e in entries.items() if i not in placed)
    if rest:
        grouped.append(Topic(OTHER_TOPIC, rest))
    return grouped


def profile_facts(school: School, locale: str = "en") -> list[Fact]:
    """Every key the profile sets, with its value and source, in the profile's order.

    A list shows as one key, unless each of its items cites a source of its own.
    """
    sources = school.sources
    given = list(dict.fromkeys(sources.given))
    shown: list[str] = []
    for key in given:
        if key.startswith("policy."):
            continue
        if key.endswith("]"):
            if key in sources.cited:
                shown.append(key)
            continue
        items = [g for g in given if g.startswith(f"{key}[")]
        if items and all(i in sources.cited for i in items):
            continue
        shown.append(key)
    return [fact_of(school, k, locale) for k in shown]


def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("assistant.faq", "templates"),
        autoescape=lambda name: bool(name and name.endswith(".html.j2")),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


FORMATS = {".html": "preview.html.j2", ".md": "preview.md.j2"}


def render_preview(school: School, fmt: str, locale: str = "en") -> str:
    """The sign-off page for a school as HTML (".html") or Markdown (".md")."""
    grouped = topics(school, locale)
    views = [view for topic in grouped for view in topic.entries]
    facts = profile_facts(school, locale)
    return _environment().get_template(FORMATS[fmt]).render(
        school=school,
        locale=locale,
        topics=grouped,
        entry_count=len(views),
        gap_count=sum(len(v.gaps) for v in views),
        gaps=[(v, g) for v in views for g in v.gaps],
        not_in_policy=[f for f in facts if f.kind == "not-in-policy"],
        settings=[f for f in facts if f.kind == "setting"],
        uncited=[f for f in facts if f.kind == "uncited"],
        cited=[f for f in facts if f.kind == "policy"],
        demo=not must_cite(school),
    )

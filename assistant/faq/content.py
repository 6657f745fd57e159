"""FAQ content: entries loaded from faq/<locale>/, checked, and rendered for a school."""

from __future__ import annotations

import re
import string
import tomllib
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from assistant.faq.facts import (
    PLACEHOLDER_NAMES,
    VARIANT_VALUES,
    opens_sentence,
    placeholders,
    variant_keys,
)
from assistant.i18n import gettext_for
from assistant.schools import School
from assistant.shipped import content_dir

FAQ_DIR = content_dir("faq")
AUDIENCES = ("parent", "pupil", "both")
OFFERS = ("concern", "agreement")
_KEYS = {
    "id", "question", "alternates", "audience", "tags", "sources", "see_also", "offer",
    "variant_by", "answer", "pupil_answer", "variants", "clauses",
}
_CLAUSE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,30}$")


class ContentError(ValueError):
    """An FAQ file is malformed; the message names the file and the problem."""


@dataclass(frozen=True)
class Clause:
    """A sentence (or part of one) chosen by a school fact: `by` names the fact, and `texts`
    holds the wording for each of its values ("" where nothing should be said)."""

    by: str
    texts: dict[str, str]


@dataclass(frozen=True)
class Entry:
    """One curated question and its answer, in one locale."""

    id: str
    locale: str
    question: str
    alternates: tuple[str, ...]
    audience: str
    answer: str
    tags: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    see_also: tuple[str, ...] = ()
    offer: str | None = None
    variant_by: str | None = None
    pupil_answer: str | None = None
    variants: dict[str, str] = field(default_factory=dict)
    clauses: dict[str, Clause] = field(default_factory=dict)

    @property
    def phrasings(self) -> tuple[str, ...]:
        """The canonical question and every alternate."""
        return (self.question, *self.alternates)

    def texts(self) -> list[str]:
        """Every answer text of the entry (default, pupil, variants)."""
        found = [self.answer, *self.variants.values()]
        return found + ([self.pupil_answer] if self.pupil_answer else [])


def _names(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _strings(path: Path, data: dict[str, Any], key: str, *, required: bool = True) -> tuple[
    str, ...
]:
    value = data.get(key, [] if not required else None)
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ContentError(f"{path}: {key} must be a list of texts")
    return tuple(v.strip() for v in value)


def _text(path: Path, data: dict[str, Any], key: str, *, required: bool = True) -> str | None:
    value = data.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ContentError(f"{path}: {key} must be non-empty text")
    return " ".join(value.split()) if key != "answer" else value.strip()


def parse_entry(path: Path, locale: str, data: dict[str, Any]) -> Entry:
    """Checks one entry's data and returns it, or raises ContentError."""
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise ContentError(f"{path}: {unknown[0]} is not a known key")
    entry_id = _text(path, data, "id")
    if entry_id != path.stem:
        raise ContentError(f"{path}: id {entry_id!r} does not match the file name")
    audience = _text(path, data, "audience")
    if audience not in AUDIENCES:
        raise ContentError(f"{path}: audience must be one of {', '.join(AUDIENCES)}")
    offer = _text(path, data, "offer", required=False)
    if offer is not None and offer not in OFFERS:
        raise ContentError(f"{path}: offer must be one of {', '.join(OFFERS)}")
    variant_by = _text(path, data, "variant_by", required=False)
    variants = data.get("variants", {})
    if not isinstance(variants, dict) or not all(
        isinstance(v, str) and v.strip() for v in variants.values()
    ):
        raise ContentError(f"{path}: variants must be a table of texts")
    if variants and variant_by is None:
        raise ContentError(f"{path}: variants need variant_by")
    if variant_by is not None:
        allowed = VARIANT_VALUES.get(variant_by)
        if allowed is None:
            raise ContentError(f"{path}: variant_by {variant_by!r} is not a known fact")
        wrong = sorted(set(variants) - allowed)
        if wrong:
            raise ContentError(f"{path}: variant {wrong[0]!r} is not a value of {variant_by}")
    entry = Entry(
        id=str(entry_id),
        locale=locale,
        question=str(_text(path, data, "question")),
        alternates=_strings(path, data, "alternates"),
        audience=str(audience),
        answer=str(_text(path, data, "answer")),
        tags=_strings(path, data, "tags", required=False),
        sources=_strings(path, data, "sources", required=False),
        see_also=_strings(path, data, "see_also", required=False),
        offer=offer,
        variant_by=variant_by,
        pupil_answer=_text(path, data, "pupil_answer", required=False),
        variants={k: v.strip() for k, v in variants.items()},
    )
    clauses = _clauses(path, data.get("clauses", {}))
    entry = replace(entry, clauses=clauses)
    for text in entry.texts():
        try:
            bad = sorted(_names(text) - PLACEHOLDER_NAMES - set(clauses))
        except ValueError as error:
            raise ContentError(f"{path}: an answer has a broken placeholder: {error}") from None
        if bad:
            raise ContentError(f"{path}: placeholder {{{bad[0]}}} is not a known fact")
    return entry


def _clauses(path: Path, raw: Any) -> dict[str, Clause]:
    """Checks an entry's [clauses.NAME] tables: a known fact, a text for each of its values."""
    if not isinstance(raw, dict):
        raise ContentError(f"{path}: clauses must be tables")
    clauses: dict[str, Clause] = {}
    for name, table in raw.items():
        where = f"{path}: clause {name!r}"
        if not _CLAUSE_NAME.match(name) or name in PLACEHOLDER_NAMES:
            raise ContentError(f"{where} needs a lowercase name that is not a placeholder")
        if not isinstance(table, dict) or not isinstance(table.get("by"), str):
            raise ContentError(f"{where} needs by = <fact>")
        allowed = VARIANT_VALUES.get(table["by"])
        if allowed is None:
            raise ContentError(f"{where}: by {table['by']!r} is not a known fact")
        texts = {k: v for k, v in table.items() if k != "by"}
        if not all(isinstance(v, str) for v in texts.values()):
            raise ContentError(f"{where}: each value's wording must be text")
        wrong = sorted(set(texts) - allowed)
        if wrong:
            raise ContentError(f"{where}: {wrong[0]!r} is not a value of {table['by']}")
        missing = sorted(allowed - set(texts))
        if missing:
            raise ContentError(f"{where} has no wording for {table['by']} = {missing[0]!r} "
                               '(write "" to say nothing)')
        for text in texts.values():
            try:
                bad = sorted(_names(text) - PLACEHOLDER_NAMES)
            except ValueError as error:
                raise ContentError(f"{where} has a broken placeholder: {error}") from None
            if bad:
                raise ContentError(f"{where}: placeholder {{{bad[0]}}} is not a known fact")
        clauses[name] = Clause(table["by"], {k: " ".join(v.split()) for k, v in texts.items()})
    return clauses


@lru_cache(maxsize=8)
def load_entries(locale: str = "en", folder: Path = FAQ_DIR) -> tuple[Entry, ...]:
    """Loads every entry of a locale, checking each; raises ContentError on the first fault."""
    entries: list[Entry] = []
    for path in sorted((folder / locale).glob("*.toml")):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise ContentError(f"{path}: is not valid TOML: {error}") from None
        entries.append(parse_entry(path, locale, data))
    known = {e.id for e in entries}
    for entry in entries:
        for other in entry.see_also:
            if other not in known:
                raise ContentError(f"{folder / locale / entry.id}.toml: see_also {other!r} "
                                   "is not an entry")
    return tuple(entries)


def load_phrasings(locale: str = "en", folder: Path = FAQ_DIR) -> list[tuple[str, str]]:
    """Training phrasings (entry id or "-", question) from faq/<locale>/phrasings.tsv."""
    path = folder / locale / "phrasings.tsv"
    if not path.exists():
        return []
    rows: list[tuple[str, str]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 2:
            raise ContentError(f"{path}:{number}: expected id<TAB>question")
        rows.append((parts[0], parts[1]))
    return rows


def faq_locales(folder: Path = FAQ_DIR) -> list[str]:
    """Lists the locales that have FAQ content."""
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and any(p.glob("*.toml")))


@dataclass(frozen=True)
class Piece:
    """A run of answer text, and the school fact it states, if any."""

    text: str
    placeholder: str | None = None
    clause: str | None = None


@dataclass(frozen=True)
class Rendering:
    """An answer as one school's families read it, with the facts that chose its words."""

    entry: Entry
    pieces: tuple[Piece, ...]
    variant: str | None = None  # the value of entry.variant_by that chose the text
    clauses: tuple[tuple[str, str], ...] = ()  # (clause name, the fact's value)
    missing: tuple[str, ...] = ()  # placeholders with no value: the answer says to ask

    @property
    def text(self) -> str:
        return "".join(piece.text for piece in self.pieces).strip()

    @property
    def placeholders(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.placeholder for p in self.pieces if p.placeholder))


def _tidy(pieces: list[Piece]) -> tuple[Piece, ...]:
    """Drops the double spaces an empty clause leaves, across the pieces."""
    tidy: list[Piece] = []
    so_far = ""
    for piece in pieces:
        text = re.sub(r"[ \t]{2,}", " ", piece.text)
        if not so_far or so_far[-1].isspace():
            text = text.lstrip(" \t")
        if text:
            tidy.append(Piece(text, piece.placeholder, piece.clause))
            so_far += text
    return tuple(tidy)


# Renderings already made: an Entry and a School are frozen, so a rendering only changes with a
# new object (reloaded content or profile); the value holds both, and a lookup that finds
# other objects under the same ids renders again. Bounded by entries x schools x locales.
_RENDERED: dict[tuple[str, str, str, str, bool], tuple[Entry, School, Rendering]] = {}


def explain(entry: Entry, school: School, locale: str, *, pupil: bool = False) -> Rendering:
    """Renders an entry for a school and says which of its facts chose which words."""
    key = (entry.id, entry.locale, school.id, locale, pupil)
    kept = _RENDERED.get(key)
    if kept is not None and kept[0] is entry and kept[1] is school:
        return kept[2]
    rendering = _explain(entry, school, locale, pupil=pupil)
    _RENDERED[key] = (entry, school, rendering)
    return rendering


def _explain(entry: Entry, school: School, locale: str, *, pupil: bool) -> Rendering:
    keys = variant_keys(school)
    text, variant = entry.answer, None
    if entry.variant_by is not None and keys[entry.variant_by] in entry.variants:
        variant = keys[entry.variant_by]
        text = entry.variants[variant]
    if pupil and entry.pupil_answer:
        text, variant = entry.pupil_answer, None
    # The template as runs of text, each tagged with the clause it came from.
    runs: list[tuple[str, str | None]] = []
    chosen: list[tuple[str, str]] = []
    for literal, name, _spec, _conv in string.Formatter().parse(text):
        runs.append((literal.replace("{", "{{").replace("}", "}}"), None))
        if name is None:
            continue
        if name in entry.clauses:
            clause = entry.clauses[name]
            value = keys[clause.by]
            chosen.append((name, value))
            runs.append((clause.texts[value], name))
        else:
            runs.append(("{" + name + "}", None))
    values = placeholders(school, locale)
    missing = tuple(sorted({n for run, _c in runs for n in _names(run)
                            if values.get(n) is None}))
    if missing:
        _ = gettext_for(locale)
        fallback = _("I don't have {school}'s details on this yet, so I won't guess. "
                     "Please ask {office_contact}.").format(
            school=school.name, office_contact=values["office_contact"])
        return Rendering(entry, (Piece(fallback[:1].upper() + fallback[1:]),), variant,
                         tuple(chosen), missing)
    pieces: list[Piece] = []
    so_far = ""
    for run, run_clause in runs:
        for literal, name, _spec, _conv in string.Formatter().parse(run):
            if literal:
                pieces.append(Piece(literal, None, run_clause))
                so_far += literal
            if name is None:
                continue
            value = str(values[name])
            if opens_sentence(so_far):
                value = value[:1].upper() + value[1:]
            pieces.append(Piece(value, name, run_clause))
            so_far += value
    return Rendering(entry, _tidy(pieces), variant, tuple(chosen))


def render(entry: Entry, school: School, locale: str, *, pupil: bool = False) -> str:
    """Fills an entry's answer with the school's facts; says to ask where a fact is missing."""
    return explain(entry, school, locale, pupil=pupil).text

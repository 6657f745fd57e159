"""FAQ content: entries loaded from faq/<locale>/, checked, and rendered for a school."""

from __future__ import annotations

import string
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from assistant.faq.facts import PLACEHOLDER_NAMES, VARIANT_VALUES, placeholders, variant_keys
from assistant.i18n import gettext_for
from assistant.schools import School
from assistant.shipped import content_dir

FAQ_DIR = content_dir("faq")
AUDIENCES = ("parent", "pupil", "both")
OFFERS = ("concern", "agreement")
_KEYS = {
    "id", "question", "alternates", "audience", "tags", "sources", "see_also", "offer",
    "variant_by", "answer", "pupil_answer", "variants",
}


class ContentError(ValueError):
    """An FAQ file is malformed; the message names the file and the problem."""


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
    for text in entry.texts():
        try:
            bad = sorted(_names(text) - PLACEHOLDER_NAMES)
        except ValueError as error:
            raise ContentError(f"{path}: an answer has a broken placeholder: {error}") from None
        if bad:
            raise ContentError(f"{path}: placeholder {{{bad[0]}}} is not a known fact")
    return entry


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


def render(entry: Entry, school: School, locale: str, *, pupil: bool = False) -> str:
    """Fills an entry's answer with the school's facts; says to ask where a fact is missing."""
    text = entry.answer
    if entry.variant_by is not None:
        text = entry.variants.get(variant_keys(school)[entry.variant_by], text)
    if pupil and entry.pupil_answer:
        text = entry.pupil_answer
    values = placeholders(school, locale)
    needed = _names(text)
    if any(values.get(name) is None for name in needed):
        _ = gettext_for(locale)
        return _("I don't have {school}'s details on this yet, so I won't guess. "
                 "Please ask {office_contact}.").format(
            school=school.name, office_contact=values["office_contact"]
        )
    return text.format_map({name: values[name] for name in needed})

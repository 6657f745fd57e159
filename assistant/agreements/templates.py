"""Agreement templates: loaded, checked, chosen for a pupil, and rendered for a school."""

from __future__ import annotations

import hashlib
import re
import string
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from assistant.faq.facts import fill, placeholders
from assistant.schools import School

SHIPPED_DIR = Path(__file__).parent / "texts"
KINDS = ("learner", "remote-learning", "parent")
KEY_STAGES = ("eyfs", "ks1", "ks2")
SIGNERS = ("child-with-parent", "parent")
ALWAYS_FILLED = frozenset({"child", "school", "platforms", "live_platforms", "contact_hours",
                           "dsl", "head", "teacher", "office"})
_KEYS = {"id", "version", "title", "kind", "key_stages", "signed_by", "intro", "sections",
         "key_points", "confirm", "locale"}


class TemplateError(ValueError):
    """An agreement file is malformed; the message names the file and the problem."""


@dataclass(frozen=True)
class Section:
    title: str
    text: str


@dataclass(frozen=True)
class Template:
    """One agreement's text, at one version, in one language."""

    id: str
    version: int
    title: str
    kind: str
    key_stages: tuple[str, ...]
    signed_by: str
    intro: str
    sections: tuple[Section, ...]
    confirm: str
    key_points: tuple[str, ...] = ()


def _text(path: Path, data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise TemplateError(f"{path}: {key} must be non-empty text")
    return value.strip()


def _check_placeholders(path: Path, text: str) -> None:
    try:
        names = {n for _, n, _, _ in string.Formatter().parse(text) if n is not None}
    except ValueError as error:
        raise TemplateError(f"{path}: a broken placeholder: {error}") from None
    unknown = sorted(names - ALWAYS_FILLED)
    if unknown:
        raise TemplateError(f"{path}: placeholder {{{unknown[0]}}} is not allowed here")


def parse_template(path: Path, data: dict[str, Any]) -> Template:
    """Checks one template's data and returns it, or raises TemplateError."""
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise TemplateError(f"{path}: {unknown[0]} is not a known key")
    template_id = _text(path, data, "id")
    if template_id != path.stem:
        raise TemplateError(f"{path}: id {template_id!r} does not match the file name")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise TemplateError(f"{path}: version must be a whole number from 1")
    kind, signed_by = _text(path, data, "kind"), _text(path, data, "signed_by")
    if kind not in KINDS:
        raise TemplateError(f"{path}: kind must be one of {', '.join(KINDS)}")
    if signed_by not in SIGNERS:
        raise TemplateError(f"{path}: signed_by must be one of {', '.join(SIGNERS)}")
    stages = data.get("key_stages")
    if not isinstance(stages, list) or not stages or not set(stages) <= set(KEY_STAGES):
        raise TemplateError(f"{path}: key_stages must list some of {', '.join(KEY_STAGES)}")
    raw_sections = data.get("sections")
    if not isinstance(raw_sections, list) or not raw_sections:
        raise TemplateError(f"{path}: needs at least one [[sections]]")
    sections = []
    for number, raw in enumerate(raw_sections, start=1):
        if not isinstance(raw, dict) or set(raw) - {"title", "text"}:
            raise TemplateError(f"{path}: section {number} takes only title and text")
        sections.append(Section(_text(path, raw, "title"), _text(path, raw, "text")))
    points = data.get("key_points", [])
    if not isinstance(points, list) or not all(isinstance(p, str) and p.strip() for p in points):
        raise TemplateError(f"{path}: key_points must be a list of texts")
    template = Template(
        id=template_id, version=version, title=_text(path, data, "title"), kind=kind,
        key_stages=tuple(stages), signed_by=signed_by, intro=_text(path, data, "intro"),
        sections=tuple(sections), confirm=_text(path, data, "confirm"),
        key_points=tuple(p.strip() for p in points),
    )
    for text in (template.intro, template.confirm, *template.key_points,
                 *(s.text for s in template.sections), *(s.title for s in template.sections)):
        _check_placeholders(path, text)
    return template


@lru_cache(maxsize=16)
def load_templates(locale: str = "en", extra_dir: Path | None = None) -> dict[str, Template]:
    """The agreements in a language: each one's translation where it is of the English
    version in force, else the English (a family never signs an older version's text)."""
    english = _load_folder("en", extra_dir)
    if locale == "en":
        return english
    translated = _load_folder(locale, extra_dir)
    return {tid: (translated[tid] if tid in translated and
                  translated[tid].version == template.version and
                  translated[tid].kind == template.kind and
                  translated[tid].key_stages == template.key_stages and
                  translated[tid].signed_by == template.signed_by else template)
            for tid, template in english.items()}


def _load_folder(locale: str, extra_dir: Path | None) -> dict[str, Template]:
    """Loads the shipped templates of a language, then a school folder's, which replace them
    by id."""
    found: dict[str, Template] = {}
    for folder in (SHIPPED_DIR, extra_dir / "agreements" if extra_dir else None):
        if folder is None:
            continue
        for path in sorted((folder / locale).glob("*.toml")):
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
                raise TemplateError(f"{path}: is not valid TOML: {error}") from None
            template = parse_template(path, data)
            found[template.id] = template
    return found


def key_stage(year: str) -> str | None:
    """The key stage of a roster year ("R", "Year 3", "6"), or None when it can't tell."""
    text = year.strip().lower()
    if text in {"n", "r", "nursery", "reception", "eyfs", "fs1", "fs2", "0"}:
        return "eyfs"
    digits = re.sub(r"^(year|yr|y)\s*", "", text)
    if digits.isdigit():
        number = int(digits)
        if number in (1, 2):
            return "ks1"
        if 3 <= number <= 6:
            return "ks2"
    return None


def templates_for(school: School, templates: dict[str, Template]) -> dict[str, Template]:
    """The templates this school uses: those its profile lists, or every one."""
    if not school.agreements:
        return templates
    return {t: templates[t] for t in school.agreements if t in templates}


def required_for(year: str, templates: dict[str, Template]) -> list[Template]:
    """The agreements a pupil of this year needs, learner first, parent last."""
    stage = key_stage(year)
    # A year the roster does not say clearly gets every agreement but the learner's.
    chosen = [t for t in templates.values() if stage in t.key_stages or
              (stage is None and t.kind != "learner")]
    return sorted(chosen, key=lambda t: (KINDS.index(t.kind), t.id))


def render(text: str, *, school: School, child: str, locale: str) -> str:
    """Fills a template text with the child's first name and the school's facts."""
    values = {k: v for k, v in placeholders(school, locale).items() if v is not None}
    values["child"] = child
    # A fact that opens a sentence gets a capital ("the school" -> "The school").
    return fill(text, {name: values.get(name, "") for name in ALWAYS_FILLED})


def full_text(template: Template, *, school: School, child: str, locale: str) -> str:
    """The whole agreement exactly as shown, for the record's hash."""
    parts = [template.title, template.intro,
             *(f"{s.title}\n{s.text}" for s in template.sections),
             *template.key_points, template.confirm]
    return "\n\n".join(render(p, school=school, child=child, locale=locale) for p in parts)


def text_hash(text: str) -> str:
    """The fingerprint kept with a signature: which exact words were agreed."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()

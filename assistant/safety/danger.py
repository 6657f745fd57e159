"""Spotting messages that suggest a child is in danger, so help is given at once."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz

from assistant.i18n import Gettext

LISTS_DIR = Path(__file__).parent / "lists"
# Ordered by what the reply must lead with: a child at risk right now comes first.
KINDS = ("immediate", "self-harm", "abuse", "sexual")
# Phrases this long or longer also match with a small typo ("kil myself", "touchd me").
FUZZY_MIN_LENGTH = 9
FUZZY_SCORE = 90
_WORD = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*", re.UNICODE)


@dataclass(frozen=True)
class Danger:
    """What was spotted: the kinds of danger, and the words that showed it."""

    kinds: tuple[str, ...]
    matched: tuple[str, ...]

    @property
    def sexual(self) -> bool:
        return "sexual" in self.kinds


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower().replace("’", "'")
    return " ".join(_WORD.findall(text))


@lru_cache(maxsize=8)
def _data(locale: str) -> dict[str, dict[str, list[str]]]:
    path = LISTS_DIR / f"{locale}.toml"
    if not path.exists():
        path = LISTS_DIR / "en.toml"
    return tomllib.loads(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=8)
def _ignored(locale: str) -> tuple[str, ...]:
    return tuple(_fold(p) for p in _data(locale).get("ignore", {}).get("phrases", []))


@lru_cache(maxsize=8)
def _lists(locale: str) -> dict[str, tuple[frozenset[str], tuple[str, ...]]]:
    data = _data(locale)
    return {
        kind: (frozenset(_fold(w) for w in data[kind].get("words", [])),
               tuple(_fold(p) for p in data[kind].get("phrases", [])))
        for kind in KINDS if kind in data
    }


def spot(text: str, locale: str = "en") -> Danger | None:
    """Finds words suggesting danger (whole words and phrases, small typos allowed)."""
    folded = _fold(text[:4096])
    for phrase in _ignored(locale):
        folded = f" {folded} ".replace(f" {phrase} ", " ").strip()
    if not folded:
        return None
    words = set(folded.split())
    padded = f" {folded} "
    kinds: list[str] = []
    matched: list[str] = []
    for kind, (singles, phrases) in _lists(locale).items():
        found = sorted(words & singles)
        for phrase in phrases:
            exact = f" {phrase} " in padded
            if exact or _fuzzy(phrase, folded):
                found.append(phrase)
        if found:
            kinds.append(kind)
            matched += found
    return Danger(tuple(kinds), tuple(matched)) if kinds else None


def _fuzzy(phrase: str, folded: str) -> bool:
    """A long phrase with a small typo ("kil myself"), on word boundaries."""
    if len(phrase) < FUZZY_MIN_LENGTH or len(folded) < len(phrase) - 2:
        return False
    if not fuzz.partial_ratio(phrase, folded, score_cutoff=FUZZY_SCORE):
        return False
    return _fuzzy_on_word_edges(phrase, folded)


def _fuzzy_on_word_edges(phrase: str, folded: str) -> bool:
    # partial_ratio aligns anywhere; insist the match starts and ends near word boundaries so
    # "skill myself" style fragments of longer words don't count.
    alignment = fuzz.partial_ratio_alignment(phrase, folded)
    if alignment is None:
        return False
    start, end = alignment.dest_start, alignment.dest_end
    before = folded[start - 1] if start > 0 else " "
    after = folded[end] if end < len(folded) else " "
    return (before == " " or folded[start] == " ") and (after == " " or folded[end - 1] == " ")


def help_now(_: Gettext, danger: Danger) -> str:
    """The reply that comes before anything else: who to call, right now."""
    lines = [
        _("If a child is in danger right now, call 999."),
        _("Children and young people can call Childline free on 0800 1111, any time, or chat "
          "at childline.org.uk."),
    ]
    if danger.sexual:
        lines.append(_("If someone has asked a child for sexual pictures, or talked to them "
                       "sexually online, report it to CEOP: ceop.police.uk. Don't forward or "
                       "save any pictures."))
    if "self-harm" in danger.kinds:
        lines.append(_("You can also call Samaritans free on 116 123, any time."))
    return "\n".join(lines)

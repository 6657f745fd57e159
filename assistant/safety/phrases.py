"""The key-phrase layer: short fragments that on their own mean a child may be in danger.

Each locale's list (lists/<locale>.toml) names fragments per kind, written by native speakers,
an `ignore` list of everyday idioms that contain alarming words ("killing it"), and a `hedged`
list: fragments that families also say in play or in jest ("mum will kill me", "he shot me in
Fortnite"), which count only where the classifier leans the same way (check.py), and only as
the very words (a longer word that starts with one is not hedged).
A fragment matches where it starts a word of the folded message; every locale's lists are
searched, since a family's interface language is not always the language they type in.
"""

from __future__ import annotations

import tomllib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from assistant.safety.fold import fold
from assistant.safety.kinds import KINDS

LISTS_DIR = Path(__file__).parent / "lists"
# Candidates are found by a fragment's first characters at each word start.
KEY = 3
# Fragments shorter than this match whole words only ("kms", not the start of "kmset").
WHOLE_WORD_BELOW = 5
# Kinds whose phrases always count alone: a child who says them in jest still gets the numbers.
NEVER_HEDGED = frozenset({"sexual", "self-harm", "suicide", "overdose", "sextortion"})


class ListError(ValueError):
    """A danger list that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Hit:
    """A fragment found in a message, and the kind of danger it names."""

    kind: str
    fragment: str
    # Said in jest as often as in earnest: counts only with the classifier's agreement.
    hedged: bool = False


class PhraseLayer:
    """Finds key fragments in a message, after removing the idioms that only look alarming."""

    def __init__(self, lists: dict[str, dict[str, list[str]]]) -> None:
        self._by_key: dict[str, list[tuple[str, str]]] = defaultdict(list)
        ignore: set[str] = set()
        self._hedged = {f for tables in lists.values()
                        for f in map(fold, tables.get("hedged", ())) if f}
        listed: set[str] = set()
        for locale, tables in lists.items():
            for kind, fragments in tables.items():
                if kind == "ignore":
                    ignore.update(f for f in map(fold, fragments) if f)
                    continue
                if kind == "hedged":
                    continue
                if kind not in KINDS:
                    raise ListError(f"{locale}: unknown kind {kind!r}; kinds: {', '.join(KINDS)}")
                for fragment in map(fold, fragments):
                    listed.add(fragment)
                    if kind in NEVER_HEDGED and fragment in self._hedged:
                        raise ListError(f"{locale}: {fragment!r} is hedged, but {kind} phrases "
                                        "always count alone")
                    if len(fragment) >= KEY:
                        self._by_key[fragment[:KEY]].append((fragment, kind))
        if unlisted := sorted(self._hedged - listed):
            raise ListError(f"hedged fragments in no kind's list: {', '.join(unlisted)}")
        for candidates in self._by_key.values():
            candidates.sort(key=lambda pair: -len(pair[0]))
        # Idioms are removed longest first; each is looked for only where a word starts with
        # its first characters (the short ones always), so a message is not searched for
        # every idiom of every locale.
        self._ignore = sorted(ignore, key=len, reverse=True)
        self._rank = {idiom: rank for rank, idiom in enumerate(self._ignore)}
        self._ignore_by_key: dict[str, list[str]] = defaultdict(list)
        self._ignore_short = [idiom for idiom in self._ignore if len(idiom) < KEY]
        for idiom in self._ignore:
            if len(idiom) >= KEY:
                self._ignore_by_key[idiom[:KEY]].append(idiom)

    def _idioms_in(self, padded: str, after: int) -> list[str]:
        """The idioms, after the given rank, that may start a word of the padded text."""
        found = {idiom for start in _word_starts(padded)
                 for idiom in self._ignore_by_key.get(padded[start:start + KEY], ())}
        found.update(self._ignore_short)
        return sorted((i for i in found if self._rank[i] > after), key=self._rank.__getitem__)

    def _without_idioms(self, folded: str) -> str:
        """The folded message with every idiom removed (as if each were tried in turn)."""
        padded = f" {folded} "
        candidates = self._idioms_in(padded, -1)
        while candidates:
            idiom = candidates.pop(0)
            changed = padded.replace(f" {idiom} ", " ").replace(f" {idiom}", " ")
            if changed != padded:
                padded = changed
                # What is left may now start a word with another idiom's letters.
                candidates = self._idioms_in(padded, self._rank[idiom])
        return padded.strip()

    def hits(self, folded: str) -> list[Hit]:
        """Every kind found in a folded message, with the fragment that showed it (one said
        only in earnest where there is one). A hedged fragment is hedged only where it ends a
        word; running on into a longer word it counts as any other."""
        text = self._without_idioms(folded)
        found: dict[str, Hit] = {}
        start = 0
        while start < len(text):
            # Kinds a hedged phrase covers here: the shorter fragments of the same kind that
            # start here are part of the same jest ("zastrzelil" in a game, not "zastrzel...").
            jest: set[str] = set()
            for fragment, kind in self._by_key.get(text[start:start + KEY], ()):
                current = found.get(kind)
                if (current and not current.hedged) or kind in jest \
                        or not text.startswith(fragment, start):
                    continue
                end = start + len(fragment)
                whole = end == len(text) or text[end] == " "
                if len(fragment) < WHOLE_WORD_BELOW and not whole:
                    continue
                # Hedged only as the very words: "zastrelyu" in a game, but "zastrelyus" (I
                # will shoot myself) counts alone.
                hedged = whole and fragment in self._hedged
                if hedged:
                    jest.add(kind)
                if current is None or not hedged:
                    found[kind] = Hit(kind, fragment, hedged)
            space = text.find(" ", start)
            if space < 0:
                break
            start = space + 1
        return list(found.values())


def _word_starts(padded: str) -> list[int]:
    """Where the words of a space-padded text start."""
    return [i + 1 for i, c in enumerate(padded[:-1]) if c == " "]


def load_lists(folder: Path = LISTS_DIR) -> dict[str, dict[str, list[str]]]:
    """Every locale's lists: locale -> kind (or "ignore") -> fragments."""
    lists: dict[str, dict[str, list[str]]] = {}
    for path in sorted(folder.glob("*.toml")):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise ListError(f"{path}: is not valid TOML: {error}") from None
        tables: dict[str, list[str]] = {}
        for kind, table in data.items():
            phrases = table.get("phrases") if isinstance(table, dict) else None
            if not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases):
                raise ListError(f"{path}: [{kind}] needs phrases = [\"...\", ...]")
            tables[kind] = phrases
        lists[path.stem] = tables
    return lists

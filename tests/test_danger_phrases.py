"""The key-phrase layer sets everyday idioms aside ("killing it") before it looks for danger."""

from __future__ import annotations

import random

import pytest

from assistant.safety.fold import fold
from assistant.safety.phrases import PhraseLayer, load_lists

LISTS = load_lists()
IDIOMS = sorted({p for tables in LISTS.values() for p in tables.get("ignore", [])})


@pytest.fixture(scope="module")
def layer() -> PhraseLayer:
    return PhraseLayer(LISTS)


def test_no_everyday_idiom_raises_the_alarm_wherever_it_sits(layer: PhraseLayer) -> None:
    shapes = ("{}", "ok {}", "{} thanks", "sorry, {} - see you tomorrow")
    alarming = [(shape, idiom) for idiom in IDIOMS for shape in shapes
                if layer.hits(fold(shape.format(idiom)))]
    assert IDIOMS and alarming == []


def test_two_idioms_in_one_message_are_both_set_aside(layer: PhraseLayer) -> None:
    pick = random.Random(11)
    alarming = []
    for idiom in IDIOMS:
        other = pick.choice(IDIOMS)
        for text in (f"{idiom} and {other}", f"ok {other}, {idiom} x"):
            if layer.hits(fold(text)):
                alarming.append(text)
    assert alarming == []

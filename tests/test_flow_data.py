"""A flow's step data survives the trip to the database and back unchanged, and a flow that
changes the data it loaded never changes the saved state under it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from assistant.flowkit import dump, load


@dataclass
class Pick:
    child: str = ""
    classes: tuple[int, ...] = ()


@dataclass
class Gathered:
    question: str = ""
    number: int = 0
    picks: list[Pick] = field(default_factory=list)
    recent: dict[str, list[str]] = field(default_factory=dict)
    shown: tuple[str, ...] = ()


def test_saved_step_data_reads_back_equal_to_what_was_saved() -> None:
    data = Gathered("can we film the lesson?", 3, [Pick("Sami", (3, 4))],
                    {"3": ["can we film the lesson?", "recording"]}, ("recording", "cameras"))
    saved = dump(data)
    # What the database gives back is JSON: the state kept in memory must compare equal to it,
    # or an unchanged conversation would be written again on every message.
    assert json.loads(json.dumps(saved)) == saved
    assert saved["picks"] == [{"child": "Sami", "classes": [3, 4]}]
    assert load(Gathered, saved).question == "can we film the lesson?"


def test_changing_loaded_data_leaves_the_saved_state_as_it_was() -> None:
    saved = dump(Gathered("q", 1, [], {"1": ["q", "entry"]}, ("a",)))
    before = json.dumps(saved, sort_keys=True)
    loaded = load(Gathered, saved)
    loaded.recent["1"].append("changed")
    loaded.recent["2"] = ["new"]
    again = dump(loaded)
    again["recent"]["1"].append("changed again")
    assert json.dumps(saved, sort_keys=True) == before


def test_step_data_saved_by_an_older_version_still_loads() -> None:
    loaded = load(Gathered, {"question": "q", "retired_field": 5})
    assert loaded == Gathered(question="q")

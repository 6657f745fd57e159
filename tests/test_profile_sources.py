"""Every fact in a seed school's profile cites its policy, and `faq check` refuses one that
does not; the quotes are the policy's own words."""

from __future__ import annotations

import os
import re
import string
from pathlib import Path

import pytest

from assistant.faq.check import is_setting, source_problems
from assistant.faq.content import load_entries
from assistant.faq.facts import PLACEHOLDER_KEYS, SELECTOR_KEYS
from assistant.schools import SHIPPED_DIR, School, load_profile
from tests.support import cli as support_cli

SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"
SEED_SCHOOLS = ("church-lane", "ellwood", "higham", "stoke-bishop", "studybugs-trust")


def _normal(text: str) -> str:
    for curly, plain in (("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"'),
                         ("\u2013", "-"), ("\u2014", "-")):
        text = text.replace(curly, plain)
    return " ".join(text.split()).lower()


@pytest.mark.parametrize("school_id", SEED_SCHOOLS)
def test_every_fact_of_a_seed_school_cites_its_policy(schools: dict[str, School],
                                                      school_id: str) -> None:
    school = schools[school_id]
    assert school.sources.policy_ref is not None
    assert source_problems(school) == []
    assert len(school.sources.cited) >= 30


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed policies are not beside the repo")
@pytest.mark.parametrize("school_id", SEED_SCHOOLS)
def test_every_quote_is_in_the_policy(schools: dict[str, School], school_id: str) -> None:
    school = schools[school_id]
    policy = next(SEEDS.glob(f"{school.sources.policy_ref}_*.txt"))
    text = _normal(policy.read_text(encoding="utf-8"))
    for key, source in school.sources.cited.items():
        for quote in re.findall(r'"([^"]+)"', source):
            assert _normal(quote) in text, f"{school_id} {key}: {quote!r} is not in {policy.name}"


WAITING_ROOM = ("waiting_room = { value = true, source = '004 staff remote AUP (13): "
                "\"use of waiting rooms/lobbies\"' }")


def _variant(folder: Path, old: str, new: str) -> Path:
    text = (SHIPPED_DIR / "higham.toml").read_text(encoding="utf-8")
    assert old in text
    path = folder / "higham.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_a_fact_without_a_source_is_refused(tmp_path: Path) -> None:
    school = load_profile(_variant(tmp_path, WAITING_ROOM, "waiting_room = true"))
    problems = source_problems(school)
    assert len(problems) == 1 and "live.waiting_room has no source" in problems[0]


def test_a_key_the_policy_does_not_settle_must_be_left_out(tmp_path: Path) -> None:
    school = load_profile(_variant(
        tmp_path, WAITING_ROOM, "waiting_room = { value = true, source = 'not in 004: assumed' }"))
    assert any("leave the key out" in p for p in source_problems(school))


def test_a_source_must_quote_the_policy(tmp_path: Path) -> None:
    school = load_profile(_variant(tmp_path, '"use of waiting rooms/lobbies"', "waiting rooms"))
    assert any("quotes no words" in p for p in source_problems(school))


def test_the_demo_school_cites_nothing_and_is_not_refused(schools: dict[str, School]) -> None:
    assert schools["demo"].sources.policy_ref is None
    assert source_problems(schools["demo"]) == []


def test_faq_check_refuses_an_uncited_fact(tmp_path: Path) -> None:
    _variant(tmp_path, WAITING_ROOM, "waiting_room = true")
    done = support_cli.run_cli("faq", "check", env={**os.environ, "SCHOOLS_DIR": str(tmp_path),
                                                    "DATA_DIR": str(tmp_path / "data")})
    assert done.returncode == 1
    assert "live.waiting_room has no source" in done.stdout


def _keys_answers_use() -> set[str]:
    """The profile keys behind every placeholder and fact that some FAQ answer uses."""
    used: set[str] = set()
    for entry in load_entries("en"):
        chooses = [entry.variant_by] if entry.variant_by else []
        chooses += [clause.by for clause in entry.clauses.values()]
        for name in chooses:
            used.update(SELECTOR_KEYS[name])
        texts = entry.texts() + [t for c in entry.clauses.values() for t in c.texts.values()]
        for text in texts:
            for _literal, name, _spec, _conv in string.Formatter().parse(text):
                used.update(PLACEHOLDER_KEYS.get(name or "", ()))
    return used


@pytest.mark.parametrize("school_id", SEED_SCHOOLS)
def test_every_fact_a_family_could_ask_about_reaches_an_answer(
        schools: dict[str, School], school_id: str) -> None:
    used = _keys_answers_use()
    sources = schools[school_id].sources
    unreached = []
    for key in sources.given:
        path = key
        while path and path not in used:
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        if not path and not is_setting(key):
            unreached.append(key)
    assert unreached == []

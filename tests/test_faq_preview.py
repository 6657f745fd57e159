"""The sign-off page shows every answer as the school's families read it, each school fact
marked with its profile key and policy quote, and every "ask the school" gap listed."""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from assistant.faq.content import load_entries
from assistant.faq.preview import TOPICS
from assistant.schools import School
from tests.support import cli as support_cli

SHIPPED = ("demo", "church-lane", "ellwood", "higham", "stoke-bishop", "studybugs-trust")
UNFILLED = re.compile(r"\{[a-z_]+(![a-z])?\}")


class _Page(HTMLParser):
    """Collects a page's text and the ids of its elements."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids += [value for name, value in attrs if name == "id" and value]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _write(tmp_path: Path, school_id: str, suffix: str) -> str:
    out = tmp_path / f"{school_id}{suffix}"
    done = support_cli.run_cli("faq", "preview", "--school", school_id, "--out", str(out),
                               env={**os.environ, "DATA_DIR": str(tmp_path / "data")})
    assert done.returncode == 0, done.stderr
    return out.read_text(encoding="utf-8")


@pytest.mark.parametrize("school_id", SHIPPED)
def test_html_page_shows_every_entry_with_no_placeholder_left(
        tmp_path: Path, schools: dict[str, School], school_id: str) -> None:
    page = _Page()
    page.feed(_write(tmp_path, school_id, ".html"))
    text = "".join(page.text)
    for entry in load_entries("en"):
        assert f"entry-{entry.id}" in page.ids, entry.id
        assert entry.question in text, entry.id
    assert not UNFILLED.search(text), UNFILLED.search(text)
    assert schools[school_id].name in text
    assert "Signed off" in text


@pytest.mark.parametrize("school_id", SHIPPED)
def test_markdown_page_shows_every_entry_with_no_placeholder_left(
        tmp_path: Path, school_id: str) -> None:
    text = _write(tmp_path, school_id, ".md")
    for entry in load_entries("en"):
        assert f"(`{entry.id}`" in text, entry.id
    assert not UNFILLED.search(text), UNFILLED.search(text)


def test_a_fact_is_marked_with_its_key_and_policy_quote(tmp_path: Path) -> None:
    text = _write(tmp_path, "church-lane", ".md")
    staff = text[text.index("(`staff-present`"):text.index("(`screen-sharing`")]
    assert "**two** [" in staff
    assert "`live.staff_present` = 2 (policy: 001 (14): \"at least 2 members of staff" in staff
    assert "`live.staff_present_rule` = always" in staff


def test_each_gap_where_the_answer_says_ask_the_school_is_listed(tmp_path: Path) -> None:
    text = _write(tmp_path, "studybugs-trust", ".md")
    one_to_one = text[text.index("(`one-to-one`"):text.index("(`staff-present`")]
    assert "Gap: one_to_one (live.one_to_one not in the profile): the answer says to ask" \
        in one_to_one
    gaps = text[text.index("## Gaps"):]
    assert "| one-to-one | one_to_one | live.one_to_one | says to ask the school |" in gaps
    # What the policy does not give is listed for the school to check first.
    assert "`name` = the school: not in the policy" in text


def test_every_entry_belongs_to_a_topic() -> None:
    grouped = {entry_id for _title, ids in TOPICS for entry_id in ids}
    assert {e.id for e in load_entries("en")} <= grouped


def test_preview_refuses_an_unknown_format_or_school(tmp_path: Path) -> None:
    env = {**os.environ, "DATA_DIR": str(tmp_path / "data")}
    done = support_cli.run_cli("faq", "preview", "--school", "demo", "--out",
                               str(tmp_path / "page.pdf"), env=env)
    assert done.returncode != 0 and ".html or .md" in done.stderr
    done = support_cli.run_cli("faq", "preview", "--school", "nowhere", "--out",
                               str(tmp_path / "page.html"), env=env)
    assert done.returncode != 0 and "no school 'nowhere'" in done.stderr

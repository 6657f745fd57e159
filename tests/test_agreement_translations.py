"""Each agreement reads the same in every language: same promises, same placeholders."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from assistant.agreements import templates
from assistant.agreements.templates import load_templates

TRANSLATED = ("uk", "pl", "ro", "ur", "ar")
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_agreement_has_the_same_promises_line_for_line(locale: str) -> None:
    english = load_templates("en")
    translated = templates._load_folder(locale, None)
    assert set(translated) == set(english)
    for tid, theirs in translated.items():
        ours = english[tid]
        assert theirs.version == ours.version, tid
        assert len(theirs.sections) == len(ours.sections), tid
        for mine, source in zip(theirs.sections, ours.sections, strict=True):
            assert len(_lines(mine.text)) == len(_lines(source.text)), (tid, source.title)
            for a, b in zip(_lines(mine.text), _lines(source.text), strict=True):
                assert set(PLACEHOLDER.findall(a)) == set(PLACEHOLDER.findall(b)), (tid, b)
        assert len(theirs.key_points) == len(ours.key_points), tid
        for a, b in ((theirs.intro, ours.intro), (theirs.confirm, ours.confirm)):
            assert set(PLACEHOLDER.findall(a)) == set(PLACEHOLDER.findall(b)), tid


def test_a_translation_of_an_older_version_is_never_shown(monkeypatch) -> None:
    english = load_templates("en")
    newer = {tid: replace(t, version=t.version + 1) for tid, t in english.items()}
    real = templates._load_folder

    def fake(locale, extra_dir):
        return newer if locale == "en" else real(locale, extra_dir)

    monkeypatch.setattr(templates, "_load_folder", fake)
    templates.load_templates.cache_clear()
    try:
        shown = templates.load_templates("uk")
        assert all(t is newer[tid] for tid, t in shown.items())  # the English, not the old uk
    finally:
        templates.load_templates.cache_clear()

"""Arabic and Urdu messages with a time, a link or a name inside read in the right order."""

from __future__ import annotations

from assistant.bidi import LRI, PDI, RLM, bidi_safe
from assistant.events import Reply
from assistant.telegram.render import render

ARABIC = ("درس مباشر يوم الاثنين 30 نوفمبر، 08:30 على Google Meet\n"
          "الرابط: https://meet.google.com/abc-defg-hij\n"
          "المرجع: K7QX2M9P")


def test_every_arabic_line_is_marked_right_to_left() -> None:
    lines = bidi_safe(ARABIC).split("\n")
    assert all(line.startswith(RLM) for line in lines)


def test_times_and_app_names_inside_arabic_are_isolated_left_to_right() -> None:
    first = bidi_safe(ARABIC).split("\n")[0]
    assert f"{LRI}08:30{PDI}" in first and f"{LRI}Google Meet{PDI}" in first
    assert f"{LRI}K7QX2M9P{PDI}" in bidi_safe(ARABIC)


def test_a_link_keeps_every_character_so_it_still_opens() -> None:
    second = bidi_safe(ARABIC).split("\n")[1]
    assert "https://meet.google.com/abc-defg-hij" in second
    assert second.endswith("abc-defg-hij")


def test_urdu_is_marked_too() -> None:
    text = "آپ کا سوال استاد کو بھیج دیا گیا (حوالہ ABCD1234)۔"
    assert bidi_safe(text) == f"{RLM}آپ کا سوال استاد کو بھیج دیا گیا (حوالہ {LRI}ABCD1234{PDI})۔"


def test_english_and_polish_are_left_exactly_as_they_are() -> None:
    for text in ("Live lesson on Monday 30 November at 08:30", "Lekcja online 30 listopada",
                 "A question from a family for you. They asked: “متى الدرس؟”"):
        assert bidi_safe(text) == text


def test_marking_twice_changes_nothing() -> None:
    once = bidi_safe(ARABIC)
    assert bidi_safe(once) == once


def test_the_telegram_message_and_its_buttons_are_sent_marked() -> None:
    from assistant.events import Button

    [part] = render(Reply(ARABIC, ((Button("عن Ava", "x.y", "1"),),)), "n1")
    assert part.text.startswith(RLM)
    [[button]] = part.markup.inline_keyboard
    assert button.text == f"{RLM}عن {LRI}Ava{PDI}"

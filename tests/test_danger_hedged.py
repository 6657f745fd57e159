"""Phrases families also say in jest ("mum will kill me if I lose my hat", "he shot me in
Fortnite") raise the alarm only where the classifier leans the same way; every other phrase,
and every phrase about sexual harm, self-harm, suicide or overdose, raises it alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pytest

from assistant.safety.check import HEDGE_FLOOR, DangerCheck
from assistant.safety.fold import fold
from assistant.safety.model import Classifier
from assistant.safety.phrases import NEVER_HEDGED, ListError, PhraseLayer, load_lists

LISTS = load_lists()
HEDGED = sorted({(locale, p) for locale, tables in LISTS.items()
                 for p in tables.get("hedged", [])})


class Leaning:
    """A classifier that gives every message the same probability of danger."""

    def __init__(self, probability: float) -> None:
        self.p = probability

    def probability(self, folded: str) -> float:
        return self.p

    def likely_kinds(self, folded: str, top: int = 2) -> list[str]:
        return ["threat"]


def check_leaning(probability: float) -> DangerCheck:
    return DangerCheck(PhraseLayer(LISTS), cast(Classifier, Leaning(probability)),
                       threshold=0.5)


def test_hedged_phrases_are_found_alone_and_none_is_about_sexual_harm_or_suicide() -> None:
    assert {locale for locale, _ in HEDGED} >= {"pl", "ro", "ar", "ur", "uk"}
    layer = PhraseLayer(LISTS)
    for locale, phrase in HEDGED:
        hits = layer.hits(fold(f"ok {phrase} ok"))
        # Said alone it is found, and only as hedged: no firmer spelling of it overrides.
        assert hits and all(h.hedged and h.kind not in NEVER_HEDGED for h in hits), (locale,
                                                                                      phrase)


def test_mum_will_kill_me_in_jest_is_no_alarm_where_the_classifier_sees_none() -> None:
    assert check_leaning(0.01).check("mami zice că mă omoară dacă mai pierd o căciulă") is None
    assert check_leaning(0.01).check("w fortnite ktoś mnie zastrzelił w finale") is None
    assert check_leaning(0.01).check("اخوي بيذبحني اذا خسرت في فيفا 😂") is None


def test_a_hedged_phrase_counts_where_the_classifier_leans_towards_danger() -> None:
    danger = check_leaning(HEDGE_FLOOR).check("unchiul a zis ca ma omoara, mi-e frica")
    assert danger is not None and danger.kinds == ("threat",)
    assert danger.matched == ("ca ma omoara",)


def test_a_hedged_phrase_alone_in_two_words_still_raises_the_alarm() -> None:
    # Too short for the classifier to read: the phrase decides.
    danger = check_leaning(0.0).check("te impusc")
    assert danger is not None and danger.kinds == ("threat",)


@pytest.mark.parametrize("text", [
    "my dad hits me with his belt",
    "chce umrzeć, nikt mnie nie lubi",
    "chcę się zastrzelić",
    "tata mă bate",
    "a zis că mă omoară dacă spun",
    "moja córka uciekła z domu",
    "a man online wants me to send nudes",
])
def test_phrases_said_only_in_earnest_raise_the_alarm_whatever_the_classifier_says(
        text: str) -> None:
    assert check_leaning(0.0).check(text) is not None


@pytest.mark.parametrize("text", [
    "мабуть я застрелюсь сьогодні",
    "ya prosto zastrelyus",
    "zastrzeliłabym się najchętniej",
    "tata mówi, że jak powiem mamie, to mnie zastrzeli",
])
def test_a_longer_word_that_starts_with_a_hedged_phrase_raises_the_alarm_alone(
        text: str) -> None:
    danger = check_leaning(0.0).check(text)
    assert danger is not None and "threat" in danger.kinds


def test_a_game_said_in_the_past_tense_is_hedged_but_a_threat_to_shoot_is_not() -> None:
    layer = PhraseLayer(LISTS)
    game = layer.hits(fold("w fortnite mnie zastrzelił w finale"))
    threat = layer.hits(fold("powiedział że zastrzeli wszystkich w szkole"))
    assert [h.hedged for h in game] == [True] and [h.hedged for h in threat] == [False]


def write_lists(folder: Path, text: str) -> Path:
    folder.mkdir()
    (folder / "xx.toml").write_text(text, encoding="utf-8")
    return folder


def test_a_hedged_phrase_about_suicide_is_refused_with_the_file_named(tmp_path: Path) -> None:
    lists: dict[str, Any] = load_lists(write_lists(tmp_path / "lists", (
        '[suicide]\nphrases = ["want to die"]\n[hedged]\nphrases = ["want to die"]\n')))
    with pytest.raises(ListError, match="xx: 'want to die' is hedged, but suicide"):
        PhraseLayer(lists)


def test_a_hedged_phrase_in_no_kinds_list_is_refused(tmp_path: Path) -> None:
    lists = load_lists(write_lists(tmp_path / "lists", (
        '[threat]\nphrases = ["will shoot you"]\n[hedged]\nphrases = ["kill you"]\n')))
    with pytest.raises(ListError, match="hedged fragments in no kind's list: kill you"):
        PhraseLayer(lists)


def test_a_lost_jumper_that_went_missing_raises_no_alarm_but_a_missing_son_does() -> None:
    assert check_leaning(0.01).check("Callum's jumper went missing at PE on Tuesday") is None
    danger = check_leaning(HEDGE_FLOOR).check("my son went missing after school, phone off")
    assert danger is not None and danger.kinds == ("missing",)


def test_a_parent_saying_the_boy_will_kill_them_over_a_trip_is_no_alarm() -> None:
    trip_off = "Jak Kuba sie dowie ze wycieczka odwolana to mnie zabije 😂"
    assert check_leaning(0.01).check(trip_off) is None
    # "Says he will kill me" is a threat reported, not a figure of speech: it counts alone.
    danger = check_leaning(0.01).check("ojczym mowi ze mnie zabije jak powiem w szkole")
    assert danger is not None and danger.kinds == ("threat",)


def test_dying_to_see_a_film_in_arabizi_is_no_alarm_but_wanting_to_die_is() -> None:
    assert check_leaning(0.01).check("ana bade mout la shouf el film el jdid ta3 Frozen") is None
    danger = check_leaning(0.01).check("ana bade mout, ma 7ada bi7ebne")
    assert danger is not None and danger.kinds == ("suicide",)


@pytest.mark.parametrize("text", [
    "shh it's a surprise party for Mr Khan on Friday, dont tell anyone in class",
    "Does the school teach the children about county lines and grooming?",
    "miss hum ammi ke liye card bana rahe hain, ammi ko mat batana 🤫",
    "his PE bag has gone missing again, it's the blue one",
    "el 3ab bel fortnite w sarakh enno il impusca, ama e doar un joc",
])
def test_surprises_topics_and_lost_bags_are_no_alarm_where_the_classifier_sees_none(
        text: str) -> None:
    assert check_leaning(0.01).check(text) is None


def test_keeping_a_secret_counts_where_the_classifier_leans_towards_grooming() -> None:
    danger = check_leaning(HEDGE_FLOOR).check(
        "an older boy gives him money and says dont tell anyone")
    assert danger is not None and "dont tell anyone" in danger.matched


def test_a_kick_in_a_football_match_is_hedged_but_a_kick_to_come_is_not() -> None:
    layer = PhraseLayer(LISTS)
    match = layer.hits(fold("na w-fie Bartek mnie kopnął w kostkę, ale już nie boli"))
    threat = layer.hits(fold("ojczym mówi, że jak wrócę późno, to mnie kopnie"))
    longer = layer.hits(fold("czemu mnie kopnąłeś, to bolało"))
    assert [h.hedged for h in match] == [True] and [h.hedged for h in threat] == [False]
    assert [h.hedged for h in longer] == [False]


@pytest.mark.parametrize("text", [
    "siostra mnie kopnęła pod stołem, bo zabrałem jej keczup",
    "كتاب القراءة ما جا البيت اليوم في الشنطة، ممكن نسخة ثانية؟",
    "abbu ka phone kal se pani mein dubo ke chawal mein rakha hai",
    "рибу ми їмо раз на день, а в школі дають обід?",
])
def test_a_book_that_did_not_come_home_or_fish_once_a_day_is_no_alarm(text: str) -> None:
    assert check_leaning(0.01).check(text) is None


@pytest.mark.parametrize(("text", "kind"), [
    ("ojczym mnie kopnął i zamknął w pokoju", "physical"),
    ("ابو نے میرا سر پانی میں ڈبویا کیونکہ سبق یاد نہیں تھا", "physical"),
    ("ми вже тиждень їмо тільки раз на день", "neglect"),
    ("малий хлєбнув засобу для унітазу, їдемо в лікарню", "overdose"),
])
def test_a_kick_from_a_stepfather_or_a_head_held_under_water_counts_alone(text: str,
                                                                          kind: str) -> None:
    danger = check_leaning(0.0).check(text)
    assert danger is not None and kind in danger.kinds


@pytest.mark.parametrize("text", [
    "bunicul ma bate mereu la table si rade de mine",
    "sora cea mare a zis ca o omoara pe mica daca ii mai ia rujul",
    "у мультику кролик втік з дому і знайшов друзів",
    "في القصة الولد هرب من البيت ورجع آخر الكتاب",
    "he says he has a gun but its a water pistol from the pound shop",
    "Leo punched me in fortnite lol",
    "kal film dekhi jis mein larki ghar se bhag jati hai",
    "کہانی میں ایک بلی گھر سے بھاگ جاتی ہے اور آخر میں واپس آ جاتی ہے",
    "ابويا هيقتلني لو عرف اني كسرت الريموت تاني 😂",
    "Hamza kal raat ghar nahi aaya kyunke chacha ke ghar so gaya tha, maine ijazat di thi",
])
def test_a_brother_who_always_wins_at_a_game_or_a_story_of_running_away_is_no_alarm(
        text: str) -> None:
    assert check_leaning(0.01).check(text) is None


@pytest.mark.parametrize(("text", "kind"), [
    ("tata ma bate cu cureaua cand vine beat", "physical"),
    ("Tomek mówi, że mnie zabije jak powiem pani co mi zrobił", "threat"),
    ("сестра втекла з дому вночі і досі не повернулась", "missing"),
    ("hume nahi pata woh kahan hai, subah se phone band hai", "missing"),
])
def test_the_same_words_in_a_real_report_raise_the_alarm_where_the_classifier_agrees(
        text: str, kind: str) -> None:
    danger = check_leaning(HEDGE_FLOOR).check(text)
    assert danger is not None and kind in danger.kinds

"""The danger check's figures are cross-validated: each labelled set is scored by a model that
never learnt it, and the two layers alone are scored beside the check on the same folds."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.safety.crossval import VARIANTS, at, cross_validate
from assistant.safety.model import folds, labelled_sets, read_training, training_files
from assistant.safety.phrases import LISTS_DIR

TRAINING = [
    ("danger", "physical", "child", "my dad hits me with his belt every night"),
    ("danger", "neglect", "parent", "there is no food at home and the kids are alone"),
    ("danger", "missing", "parent", "my son has not come home since yesterday"),
    ("danger", "grooming", "child", "a man online wants to meet me and says keep it secret"),
    ("safe", "school", "parent", "what time does the live lesson start tomorrow"),
    ("safe", "school", "parent", "how do i reset the password for the homework app"),
    ("safe", "school", "child", "can i keep my camera off in the maths lesson"),
    ("safe", "nearmiss", "parent", "he fell in the playground but he is fine now"),
]
SET_A = [("danger", "en", "mum's boyfriend hits my friend and she is scared", "third", "physical"),
         ("safe", "en", "is the reading homework on the app yet", "", "school")]
SET_B = [("danger", "pl", "moj syn nie wrocil do domu od wczoraj", "parent", "missing"),
         ("safe", "pl", "o ktorej jest lekcja na teams", "", "school"),
         ("safe", "pl", "dziekuje bardzo", "", "school")]


@pytest.fixture()
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    training = tmp_path / "training"
    (training / "labelled").mkdir(parents=True)
    (training / "en.tsv").write_text("".join("\t".join(r) + "\n" for r in TRAINING),
                                     encoding="utf-8")
    for name, rows in (("a", SET_A), ("b", SET_B)):
        brief = "# brief: hard (near-misses as hard as they come)\n" if name == "b" else ""
        (training / "labelled" / f"{name}.tsv").write_text(
            "# label\tlocale\ttext\tvoice\tkind\n" + brief
            + "".join("\t".join(r) + "\n" for r in rows), encoding="utf-8")
    return training


def test_the_labelled_sets_are_learnt_from_and_each_can_be_left_out(folder: Path) -> None:
    sets = labelled_sets(folder)
    assert [p.stem for p in sets] == ["a", "b"]
    assert len(read_training(folder)) == len(TRAINING) + len(SET_A) + len(SET_B)
    left = read_training(folder, leave_out=sets[:1])
    assert len(left) == len(TRAINING) + len(SET_B)
    assert sets[0] not in training_files(folder, leave_out=sets[:1])


def test_every_labelled_message_is_scored_once_per_layer_on_a_model_that_never_saw_it(
        folder: Path) -> None:
    pooled = cross_validate(folder=folder, lists_dir=LISTS_DIR, others=[0.3])
    assert set(pooled) == {*VARIANTS, at(0.3)}
    for variant in pooled:
        every = pooled[variant]["all"]
        assert (every.danger, every.safe) == (2, 3)
        assert pooled[variant]["locale:pl"].danger == 1
        assert pooled[variant]["voice:third"].danger == 1
        # The set that names its brief is also counted apart.
        assert (pooled[variant]["brief:hard"].danger, pooled[variant]["brief:hard"].safe) == (1, 2)
    # The Polish report's phrases are in the shipped lists, whatever the classifier learnt.
    assert pooled["phrases alone"]["locale:pl"].caught == 1
    assert pooled["check"]["all"].caught >= pooled["phrases alone"]["all"].caught


def test_the_model_learns_each_kind_apart_from_safe_and_reads_danger_as_not_safe() -> None:
    from assistant.safety.fold import fold
    from assistant.safety.labelled import TrainingError
    from assistant.safety.model import Classifier, Example

    examples = [Example(label, kind, fold(text)) for label, kind, _voice, text in TRAINING * 3]
    model = Classifier(examples)
    assert model.probability(fold("my dad hits me with his belt")) > 0.5
    assert model.probability(fold("how do i reset the password for the homework app")) < 0.5
    assert model.likely_kinds(fold("my son has not come home since yesterday"))[0] == "missing"
    # Too little to learn kinds from is said, not trained into a model that misreads.
    one_kind = [e for e in examples if e.label == "safe" or e.kind == "physical"]
    with pytest.raises(TrainingError, match="two kinds"):
        Classifier(one_kind)


def test_the_threshold_rule_counts_recall_exactly_so_a_rounded_98_percent_does_not_pass() -> None:
    from assistant.safety.crossval import highest_meeting_floor, meets_floor
    from assistant.safety.evaluation import Tally

    def groups(ar_caught: int) -> dict[str, Tally]:
        return {"all": Tally(danger=2236, caught=ar_caught + 995),
                "locale:ar": Tally(danger=1236, caught=ar_caught),
                "locale:en": Tally(danger=1000, caught=995)}

    # 1,211 of 1,236 prints as 98.0% but is 97.98%: under the floor. 1,212 is 98.06%.
    assert not meets_floor(groups(1211))
    assert meets_floor(groups(1212))
    pooled = {at(0.24): groups(1214), at(0.25): groups(1211), at(0.30): groups(1190)}
    assert highest_meeting_floor(pooled, [0.24, 0.25, 0.30]) == 0.24
    assert highest_meeting_floor({at(0.3): groups(1190)}, [0.3]) is None


def test_the_threshold_rule_buys_recall_with_false_alarms_only_within_the_budget() -> None:
    from assistant.safety.crossval import chosen_threshold, within_budget
    from assistant.safety.evaluation import Tally

    def groups(caught: int, ar_alarms: int, en_alarms: int) -> dict[str, Tally]:
        return {"all": Tally(danger=200, caught=caught + 99, safe=2000,
                             alarms=ar_alarms + en_alarms),
                "locale:ar": Tally(danger=100, caught=caught, safe=1000, alarms=ar_alarms),
                "locale:en": Tally(danger=100, caught=99, safe=1000, alarms=en_alarms)}

    # 50 of 2,000 is 2.5%: within. 51 is not; nor is one language over 3% (31 of 1,000).
    assert within_budget(groups(99, 25, 25))
    assert not within_budget(groups(99, 26, 25))
    assert not within_budget(groups(99, 31, 10))
    pooled = {at(0.20): groups(100, 30, 30), at(0.24): groups(99, 25, 20),
              at(0.28): groups(98, 20, 15), at(0.32): groups(97, 10, 10)}
    # 0.20 is over the budget and 0.32 under the recall floor; of the rest, the lowest.
    assert chosen_threshold(pooled, [0.20, 0.24, 0.28, 0.32]) == 0.24
    assert chosen_threshold(pooled, [0.20, 0.32]) is None


def test_the_threshold_rule_keeps_recall_on_the_hard_sets_and_spends_no_recall_on_them() -> None:
    from assistant.safety.crossval import chosen_threshold, meets_floor, within_budget
    from assistant.safety.evaluation import Tally

    def groups(hard_caught: int, hard_alarms: int) -> dict[str, Tally]:
        # 2,000 safe messages with 40 alarms (2%) in all; 400 of them written to the hard brief.
        return {"all": Tally(danger=2000, caught=1990, safe=2000, alarms=40),
                "locale:en": Tally(danger=2000, caught=1990, safe=2000, alarms=40),
                "brief:hard": Tally(danger=400, caught=hard_caught, safe=400,
                                    alarms=hard_alarms)}

    # 391 of the hard brief's 400 (97.75%) is under the recall floor, even with all at 99.5%.
    assert meets_floor(groups(392, 12)) and not meets_floor(groups(391, 12))
    # Their false alarms (20 of 400, 5%) are reported, but not bought down with recall.
    assert within_budget(groups(399, 20))
    pooled = {at(0.22): groups(399, 20), at(0.40): groups(396, 11), at(0.50): groups(391, 8)}
    assert chosen_threshold(pooled, [0.22, 0.40, 0.50]) == 0.22
    assert chosen_threshold({at(0.50): groups(391, 8)}, [0.50]) is None


def test_a_misspelt_kind_stops_training_and_names_the_file_and_line(folder: Path) -> None:
    from assistant.safety.labelled import TrainingError

    (folder / "ro.tsv").write_text("safe\tnearmiss\tparent\tmaine e excursia\n"
                                   "danger\tselfharm\tchild\tma tai pe mana\n", encoding="utf-8")
    with pytest.raises(TrainingError, match=r"ro\.tsv:2: unknown kind 'selfharm'"):
        read_training(folder)
    (folder / "ro.tsv").unlink()
    (folder / "labelled" / "c.tsv").write_text("danger\tro\tma tai pe mana\tchild\tselfharm\n",
                                               encoding="utf-8")
    with pytest.raises(TrainingError, match=r"c\.tsv: 'ma tai pe mana': unknown kind"):
        read_training(folder)


def test_every_kind_in_the_shipped_training_data_is_one_the_replies_know() -> None:
    from assistant.safety.kinds import KINDS

    examples = read_training()  # raises on an unknown kind
    assert {e.kind for e in examples if e.label == "danger"} <= set(KINDS)
    assert len(examples) > 10_000


def test_labelled_sets_are_dealt_into_folds_each_set_held_out_exactly_once() -> None:
    sets = [Path(f"heldout-{n}.tsv") for n in range(7)]
    dealt = folds(sets, 3)
    assert len(dealt) == 3 and sorted(p for fold in dealt for p in fold) == sorted(sets)
    # Sets written side by side (the same round) land in different folds.
    assert all(len({sets.index(p) // 3 for p in fold}) == len(fold) for fold in dealt)


def test_fold_models_trained_two_at_a_time_give_the_same_figures(
        folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant import textmodel

    monkeypatch.setattr(textmodel, "_loaded", {})  # none already in memory from other tests

    def counts(pooled):  # type: ignore[no-untyped-def]
        return {(v, g): (t.danger, t.caught, t.safe, t.alarms)
                for v, groups in pooled.items() for g, t in groups.items()}

    at_once = cross_validate(folder=folder, lists_dir=LISTS_DIR, jobs=2)
    # The workers trained both fold models into the cache; the scoring read them from it.
    assert len(list((tmp_path / "cache").rglob("danger-*.pickle"))) == 2
    one_by_one = cross_validate(folder=folder, lists_dir=LISTS_DIR, jobs=1)
    assert counts(at_once) == counts(one_by_one)

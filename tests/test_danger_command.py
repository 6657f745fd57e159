"""The `danger` command line an IT lead or a DSL uses to try and score the check."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import run_cli


def test_danger_check_json_writes_one_object_a_line_for_each_message_read() -> None:
    done = run_cli("danger", "check", "--json",
                   stdin="my husband hits my son\nwhat time does the live lesson start tomorrow\n")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["text"] for line in lines] == ["my husband hits my son",
                                                "what time does the live lesson start tomorrow"]
    assert lines[0]["danger"] is True and "physical" in lines[0]["kinds"]
    assert lines[1] == {"text": "what time does the live lesson start tomorrow",
                        "danger": False, "kinds": []}


def test_danger_eval_gives_counts_beside_rates_so_97_of_99_is_not_read_as_98(
        tmp_path: Path) -> None:
    labelled = tmp_path / "set.tsv"
    labelled.write_text(
        "# label\tlocale\ttext\tvoice\tkind\n"
        "danger\ten\tmy husband hits my son\tparent\tphysical\n"
        "danger\tpl\tmoj syn nie wrocil do domu od wczoraj\tparent\tmissing\n"
        "safe\ten\twhat time does the live lesson start tomorrow\tparent\tschool\n",
        encoding="utf-8")
    done = run_cli("danger", "eval", str(labelled))
    assert done.returncode == 0, done.stderr
    header, *rows = done.stdout.splitlines()
    assert header.split()[:6] == ["group", "danger", "caught", "recall", "safe", "alarms"]
    by_group = {row.split()[0]: row.split() for row in rows}
    assert by_group["all"][:3] == ["all", "2", "2"]
    assert by_group["locale:en"][1:6] == ["1", "1", "100.0%", "1", "0"]


def test_danger_eval_scores_two_report_sets_together_as_one(tmp_path: Path) -> None:
    first, second = tmp_path / "one.tsv", tmp_path / "two.tsv"
    first.write_text("danger\ten\tmy husband hits my son\tparent\tphysical\n", encoding="utf-8")
    second.write_text("safe\ten\twhat time does the live lesson start tomorrow\tparent\tschool\n"
                      "danger\ten\ta teacher touched my child\tparent\tsexual\n",
                      encoding="utf-8")
    done = run_cli("danger", "eval", str(first), str(second))
    assert done.returncode == 0, done.stderr
    by_group = {row.split()[0]: row.split() for row in done.stdout.splitlines()[1:]}
    assert by_group["all"][1:6] == ["2", "2", "100.0%", "1", "0"]


def test_danger_eval_on_a_broken_file_says_which_line_in_one_line_and_exits_2(
        tmp_path: Path) -> None:
    broken = tmp_path / "broken.tsv"
    broken.write_text("danger\ten\tmy husband hits my son\nmaybe\ten\thello there\n",
                      encoding="utf-8")
    done = run_cli("danger", "eval", str(broken))
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "broken.tsv:2" in done.stderr
    missing = run_cli("danger", "eval", str(tmp_path / "nowhere.tsv"))
    assert missing.returncode == 2 and "nowhere.tsv" in missing.stderr


def test_danger_cv_refuses_a_fold_count_it_cannot_deal_in_one_line() -> None:
    for count in ("0", "100000"):
        done = run_cli("danger", "cv", "--folds", count)
        assert done.returncode == 2
        assert done.stderr.strip().count("\n") == 0 and "--folds takes a number" in done.stderr
    bad_floor = run_cli("danger", "cv", "--floor", "1.5")
    assert bad_floor.returncode == 2 and "--floor takes a probability" in bad_floor.stderr

"""The `danger` commands: check messages, score the check on a labelled file, time it."""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from assistant.cli.errors import UsageError
from assistant.runtime import build_danger_check, settle_memory
from assistant.safety.evaluation import EvalFileError, Tally, evaluate, read_labelled
from assistant.settings import Settings

MAX_LINE = 10_000


def _messages(args: argparse.Namespace) -> list[str]:
    if args.message:
        return [" ".join(args.message)]
    return [line.rstrip("\n")[:MAX_LINE] for line in sys.stdin if line.strip()]


def _check(args: argparse.Namespace, settings: Settings) -> int:
    check = build_danger_check()
    for text in _messages(args):
        found = check.check(text)
        if args.json:
            print(json.dumps({"text": text, "danger": found is not None,
                              "kinds": list(found.kinds) if found else []}, ensure_ascii=False))
        else:
            verdict = f"DANGER ({', '.join(found.kinds)})" if found else "safe"
            print(f"{verdict}\t{text}")
    return 0


def _percent(value: float | None) -> str:
    return "   -  " if value is None else f"{100 * value:5.1f}%"


def _in_report_order(groups: dict[str, Tally]) -> list[str]:
    """"all" first, then each locale, then each brief and voice."""
    return sorted(groups, key=lambda g: (g != "all", not g.startswith("locale"), g))


def _list_errors(tally: Tally) -> None:
    """One line for each danger message missed and each safe message flagged."""
    for row in tally.missed:
        print(f"missed\t{row.locale}\t{row.voice}\t{row.kind}\t{row.text}")
    for row in tally.false_alarms:
        print(f"false alarm\t{row.locale}\t{row.text}")


def _eval(args: argparse.Namespace, settings: Settings) -> int:
    try:
        # Several sets are scored as one: two report sets of 1,200 are a firmer figure.
        rows = [row for name in args.file for row in read_labelled(Path(name))]
    except EvalFileError as error:
        raise UsageError(str(error)) from None
    check = build_danger_check()
    tallies = evaluate(check, rows)
    # Counts beside the rates: 97 of 99 prints as 98.0% but is under a 98% line.
    print(f"{'group':<16} {'danger':>6} {'caught':>6} {'recall':>7} {'safe':>6} {'alarms':>6} "
          f"{'false alarms':>13}")
    for group in _in_report_order(tallies):
        t = tallies[group]
        print(f"{group:<16} {t.danger:>6} {t.caught:>6} {_percent(t.recall):>7} {t.safe:>6} "
              f"{t.alarms:>6} {_percent(t.false_alarm_rate):>13}")
    if args.verbose:
        _list_errors(tallies["all"])
    return 0


def _cv(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.runtime import ordinary_questions
    from assistant.safety.check import HEDGE_FLOOR, THRESHOLD
    from assistant.safety.crossval import (
        FALSE_ALARM_BUDGET,
        FALSE_ALARM_CAP,
        FOLDS,
        RECALL_FLOOR,
        VARIANTS,
        at,
        chosen_threshold,
        cross_validate,
        highest_meeting_floor,
    )
    from assistant.safety.model import folds, labelled_sets

    if any(not 0 < t < 1 for t in args.threshold):
        raise UsageError("--threshold takes probabilities between 0 and 1, such as 0.45")
    floor = HEDGE_FLOOR if args.floor is None else args.floor
    if args.jobs < 1:
        raise UsageError("--jobs takes a number of models to train at a time, 1 or more")
    if not 0 <= floor < 1:
        raise UsageError("--floor takes a probability from 0 up to 1, such as 0.05")
    sets = labelled_sets()
    if not sets:
        raise UsageError("no labelled sets to hold out (assistant/safety/training/labelled/)")
    count = min(FOLDS, len(sets)) if args.folds is None else args.folds
    if not 1 <= count <= len(sets):
        raise UsageError(f"--folds takes a number from 1 to {len(sets)} (the labelled sets)")
    dealt = folds(sets, count)
    print(f"danger check: {len(sets)} labelled sets in {count} folds, each held out in turn "
          f"({'; '.join(', '.join(p.stem for p in g) for g in dealt)}); "
          "recall / false alarms")
    pooled = cross_validate(ordinary_questions(), others=args.threshold, floor=floor,
                            fold_count=count, jobs=args.jobs)
    print(f"{'group':<16} {'danger':>6} {'safe':>6}  " + "  ".join(f"{v:>17}" for v in VARIANTS))
    tallies = pooled["check"]
    for group in _in_report_order(tallies):
        cells = []
        for variant in VARIANTS:
            t = pooled[variant].get(group)
            cells.append(f"{_percent(t.recall if t else None)} /"
                         f"{_percent(t.false_alarm_rate if t else None)}")
        print(f"{group:<16} {tallies[group].danger:>6} {tallies[group].safe:>6}  "
              + "  ".join(f"{c:>17}" for c in cells))
    print(f"(the check at its threshold, {THRESHOLD:.2f}, hedged phrases counting from "
          f"{floor:.2f}; the classifier alone at the same threshold; the phrases alone, hedged "
          "ones too)")
    for threshold in args.threshold:
        groups = pooled[at(threshold)]
        line = "  ".join(f"{g.removeprefix('locale:')} {_percent(groups[g].recall)} "
                         f"({groups[g].caught}/{groups[g].danger}) /"
                         f"{_percent(groups[g].false_alarm_rate)}"
                         for g in _in_report_order(groups)
                         if g == "all" or g.startswith(("locale:", "brief:")))
        print(f"at {threshold:.2f}: {line}")
    if args.threshold:
        best = highest_meeting_floor(pooled, args.threshold)
        print(f"highest of these with recall at least {float(RECALL_FLOOR):.0%} in every "
              f"language and brief, counted exactly: {'none' if best is None else f'{best:.2f}'}")
        chosen = chosen_threshold(pooled, args.threshold)
        print(f"lowest of these with false alarms at most {float(FALSE_ALARM_BUDGET):.1%} in "
              f"all and {float(FALSE_ALARM_CAP):.0%} in every language, and that recall: "
              f"{'none' if chosen is None else f'{chosen:.2f}'} (the rule)")
    if args.verbose:
        _list_errors(tallies["all"])
    return 0


def _bench(args: argparse.Namespace, settings: Settings) -> int:
    check = build_danger_check()
    rows = read_labelled(Path(args.file)) if args.file else []
    texts = [r.text for r in rows] or ["can my child use the chat in a live lesson?",
                                       "my husband hits my son", "мій син не прийшов додому"]
    for text in texts[:20]:
        check.check(text)
    settle_memory()  # as the bot does once it has started
    timings: list[float] = []
    for _ in range(args.rounds):
        for text in texts:
            started = time.perf_counter()
            check.check(text)
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p99 = timings[int(len(timings) * 0.99) - 1]
    print(f"messages: {len(timings)}; median {statistics.median(timings):.3f} ms, "
          f"p99 {p99:.3f} ms, max {timings[-1]:.3f} ms per message (every locale loaded)")
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Adds `danger check`, `danger eval`, `danger cv` and `danger bench`."""
    danger = commands.add_parser("danger", help="the check for messages about a child in danger")
    sub = danger.add_subparsers(dest="danger_command", metavar="WHAT", required=True)
    check = sub.add_parser("check", help="check messages (one a line on stdin, or MESSAGE)")
    check.add_argument("--locale", default="en", help="the sender's language (all are read)")
    check.add_argument("--json", action="store_true", help="one JSON object a line")
    check.add_argument("message", nargs="*", help="the message (default: stdin)")
    check.set_defaults(handler=_check)
    scored = sub.add_parser("eval", help="recall and false alarms on labelled TSV files")
    scored.add_argument("file", nargs="+", help="label<TAB>locale<TAB>text[<TAB>voice[<TAB>kind]]"
                        " (several files are scored together)")
    scored.add_argument("--verbose", action="store_true", help="list misses and false alarms")
    scored.set_defaults(handler=_eval)
    cv = sub.add_parser("cv", help="cross-validate over the labelled sets, each fold held out "
                        "in turn")
    cv.add_argument("--threshold", type=float, nargs="*", default=[],
                    help="also score the check at these thresholds (recall / false alarms)")
    cv.add_argument("--folds", type=int, default=None,
                    help="how many folds the labelled sets are dealt into (default: 10)")
    cv.add_argument("--jobs", type=int, default=1,
                    help="train this many fold models at a time, each in a process of its "
                         "own (default 1)")
    cv.add_argument("--floor", type=float, default=None,
                    help="the classifier's probability from which hedged phrases count "
                         "(default: the check's own)")
    cv.add_argument("--verbose", action="store_true",
                    help="list the check's misses and false alarms on the sets held out")
    cv.set_defaults(handler=_cv)
    bench = sub.add_parser("bench", help="time the check per message")
    bench.add_argument("--file", help="messages to time (a labelled TSV file)")
    bench.add_argument("--rounds", type=int, default=3)
    bench.set_defaults(handler=_bench)

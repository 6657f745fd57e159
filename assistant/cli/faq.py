"""The `faq` commands: ask, eval, bench, unanswered, candidates, check, preview."""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from assistant.cli.common import open_school, school_arg
from assistant.cli.errors import UsageError
from assistant.db import transaction
from assistant.faq import alternates
from assistant.faq.bench_questions import BENCH_QUESTIONS
from assistant.faq.check import check_content
from assistant.faq.content import faq_locales, load_entries, load_phrasings, render
from assistant.faq.evaluation import (
    WRONG_CAP,
    Figures,
    FuzzAnchor,
    MatcherRanker,
    Row,
    TfidfAnchor,
    choose_threshold,
    cross_validate,
    figures,
    rank_all,
)
from assistant.faq.matcher import (
    OUT_OF_SCOPE,
    THRESHOLDS_FILE,
    C,
    Match,
    Matcher,
    Outcome,
    build_matcher,
)
from assistant.models import UnansweredQuestion, utcnow
from assistant.schools import School, load_profiles
from assistant.settings import Settings

MAX_LINE = 10_000


def _school(settings: Settings, school_id: str) -> School:
    schools = load_profiles(settings.schools_dir)
    if school_id not in schools:
        raise UsageError(f"no school {school_id!r}; known: {', '.join(sorted(schools))}")
    return schools[school_id]


def _matcher(locale: str) -> Matcher:
    if locale not in faq_locales():
        raise UsageError(f"no FAQ content for locale {locale!r}; have: {', '.join(faq_locales())}")
    return build_matcher(locale)


def as_json(question: str, match: Match) -> dict[str, Any]:
    """The contract's JSON line for one question."""
    return {
        "question": question,
        "id": match.entry.id if match.outcome is Outcome.ANSWER and match.entry else None,
        "score": max(0, min(100, match.score)),
        "suggestions": [e.id for e in match.suggestions],
    }


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    school = _school(settings, args.school)
    matcher = _matcher(args.locale)
    questions = [args.question] if args.question is not None else (
        line.rstrip("\n") for line in sys.stdin
    )
    for question in questions:
        question = question[:MAX_LINE]
        match = matcher.match(question)
        if args.json:
            print(json.dumps(as_json(question, match), ensure_ascii=False), flush=True)
            continue
        if match.outcome is Outcome.ANSWER and match.entry is not None:
            print(f"[{match.entry.id}, {match.score}] {render(match.entry, school, args.locale)}")
        elif match.outcome is Outcome.SUGGEST:
            print(f"[did you mean, {match.score}] " + "; ".join(
                f"{e.id}: {e.question}" for e in match.suggestions))
        elif match.outcome is Outcome.SMALL_TALK:
            print("[small talk] Hello! Ask me about online safety or remote learning.")
        else:
            print(f"[no answer, {match.score}] I'd pass this question to the school.")
    return 0


def read_labelled(path: Path) -> dict[str, list[tuple[str, str]]]:
    """Reads id<TAB>locale<TAB>question rows, grouped by locale."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"cannot read {path}: {error}") from None
    grouped: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for number, line in enumerate(lines, start=1):
        if not line.strip() or (number == 1 and line.startswith("id\t")):
            continue
        parts = line.split("\t")
        if len(parts) != 3:
            raise UsageError(f"{path}:{number}: expected id<TAB>locale<TAB>question")
        grouped[parts[1]].append((parts[0], parts[2]))
    return grouped


DEFAULT_TUNING = Path("../shared/eval/faq-dev.tsv")


def _figures_line(name: str, f: Figures) -> str:
    def pct(x: float) -> str:
        return "   -  " if x != x else f"{100 * x:5.1f}%"  # NaN when a set has no such rows

    return (f"  {name:<40} {pct(f.top1)} {pct(f.top3)} {pct(f.answered):>14} "
            f"{pct(f.refused):>8} {pct(f.wrong):>6}")


def _eval(args: argparse.Namespace, settings: Settings) -> int:
    grouped = read_labelled(Path(args.file))
    have = set(faq_locales())
    tuning_path = Path(args.tune) if args.tune else DEFAULT_TUNING
    tuning = read_labelled(tuning_path) if args.anchors and tuning_path.exists() else {}
    for locale in sorted(grouped):
        rows = grouped[locale]
        if locale not in have:
            print(f"{locale}: {len(rows)} questions (no FAQ content for this locale yet)")
            continue
        matcher = _matcher(locale)
        inside = sum(1 for label, _ in rows if label != OUT_OF_SCOPE)
        print(f"{locale}: {len(rows)} questions ({inside} in scope, {len(rows) - inside} out)")
        print(f"  {'':<40} {'top-1':>6} {'top-3':>6} {'answered-right':>14} "
              f"{'refused':>8} {'wrong':>6}")
        ours = MatcherRanker(matcher)
        print(_figures_line(ours.name, figures(rows, rank_all(ours, rows), ours.answer_at)))
        if not args.anchors:
            continue
        entries = list(matcher.entries)
        for anchor in (TfidfAnchor(entries), FuzzAnchor(entries)):
            tune_rows = tuning.get(locale, [])
            answer_at = (choose_threshold(tune_rows, rank_all(anchor, tune_rows))
                         if tune_rows else 0.5)
            print(_figures_line(anchor.name, figures(rows, rank_all(anchor, rows), answer_at)))
        if tuning.get(locale):
            print(f"  (anchors' thresholds tuned on {tuning_path}: wrong capped at "
                  f"{100 * WRONG_CAP:.0f}%, then answered-right maximised)")
    print("top-1/top-3: the right entry ranked first / in the first three (in scope); "
          "answered-right: answered outright with the right entry; refused: out-of-scope "
          "questions not answered; wrong: answered with a wrong entry, or answered an "
          "out-of-scope question, over all questions.")
    return 0


def write_threshold(locale: str, answer: float) -> None:
    """Sets one locale's answer threshold in faq/thresholds.toml, keeping the others."""
    from assistant.faq.content import FAQ_DIR

    path = FAQ_DIR / THRESHOLDS_FILE
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    table = re.compile(rf"(?ms)^\[{re.escape(locale)}\]\n.*?(?=^\[|\Z)")
    block = f"[{locale}]\nanswer = {answer:.2f}\nsuggest = 0.12\n\n"
    text = table.sub(block, text) if table.search(text) else text.rstrip("\n") + "\n\n" + block
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


def _table_and_write(args: argparse.Namespace, rows: Sequence[Row],
                     ranked: Sequence[list[tuple[float, str]]], now: float | None = None) -> None:
    """Prints the threshold table, marks the one chosen (and today's), and writes it if asked."""
    chosen = choose_threshold(rows, ranked, cap=args.cap)
    print(f"  {'answer at':<40} {'top-1':>6} {'top-3':>6} {'answered-right':>14} "
          f"{'refused':>8} {'wrong':>6}")
    shown = {0.3, 0.4, 0.5, 0.55, 0.6, 0.7, 0.8, chosen} | ({now} if now is not None else set())
    for threshold in sorted(shown):
        mark = ("  <- lowest with wrong <= cap" if threshold == chosen else
                "  (now)" if threshold == now else "")
        print(_figures_line(f"{threshold:.2f}", figures(rows, ranked, threshold)) + mark)
    if args.write:
        if chosen > 1:
            raise UsageError(f"no threshold keeps wrong answers within {args.cap:.0%}")
        write_threshold(args.locale, chosen)
        print(f"Wrote faq/{THRESHOLDS_FILE}: {args.locale} answers at {chosen:.2f}.")


def _tune_on(args: argparse.Namespace) -> int:
    """Chooses the answer threshold on a labelled development set of questions, written apart
    from the phrasings and the held-out questions, and prints the threshold table."""
    path = Path(args.on)
    if not path.is_file():
        raise UsageError(f"no such file: {path}")
    rows = read_labelled(path).get(args.locale, [])
    if not rows:
        raise UsageError(f"{path} has no questions for locale {args.locale}")
    ranker = MatcherRanker(_matcher(args.locale))
    print(f"{args.locale}: thresholds on {len(rows)} development questions in {path}")
    _table_and_write(args, rows, rank_all(ranker, rows), now=ranker.answer_at)
    return 0


def _tune(args: argparse.Namespace, settings: Settings) -> int:
    """Cross-validates the matcher on the training phrasings and prints the threshold table;
    with --on, chooses the threshold on a development set of questions instead."""
    if not 0 < args.cap < 1:
        raise UsageError("--cap must be a share between 0 and 1, such as 0.03")
    if args.on:
        return _tune_on(args)
    entries = load_entries(args.locale)
    pool = load_phrasings(args.locale)
    if args.extra:
        pool += [row for rows in read_labelled(Path(args.extra)).values() for row in rows]
    for c in args.c:
        print(f"C={c}: {args.folds}-fold cross-validation over {len(pool)} phrasings")
        _table_and_write(args, pool, cross_validate(entries, pool, folds=args.folds, c=c))
    return 0


def _bench(args: argparse.Namespace, settings: Settings) -> int:

    matcher = _matcher(args.locale)
    questions = list(BENCH_QUESTIONS)
    for question in questions[:20]:
        matcher.match(question)  # warm the caches as a running bot would be
    timings: list[float] = []
    started = time.perf_counter()
    for _ in range(args.rounds):
        for question in questions:
            matcher.forget_typos()  # time every question cold, as if never seen before
            t0 = time.perf_counter()
            matcher.match(question)
            timings.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - started
    timings.sort()
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
    print(f"entries: {len(matcher.entries)}, questions timed: {len(timings)}")
    print(f"median {statistics.median(timings) * 1000:.3f} ms, p99 {p99 * 1000:.3f} ms, "
          f"max {timings[-1] * 1000:.3f} ms, {len(timings) / elapsed:.0f} questions/s")
    return 0


def _unanswered(args: argparse.Namespace, settings: Settings) -> int:
    _, db = open_school(settings, args.school)
    with Session(db) as session:
        rows = session.exec(
            select(UnansweredQuestion).where(UnansweredQuestion.school_id == args.school)
        ).all()
    counts: Counter[str] = Counter(" ".join(r.text.lower().split()) for r in rows)
    reasons: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        reasons[" ".join(r.text.lower().split())].add(r.reason)
    if not counts:
        print(f"No unanswered questions stored for {args.school}.")
    for text, count in counts.most_common(args.limit):
        print(f"{count:>4}  {text[:200]}  ({', '.join(sorted(reasons[text]))})")
    return 0


def _accept_ids(args: argparse.Namespace) -> list[int]:
    """The candidate ids to accept: from --accept, and one a line from --accept-file."""
    ids = list(args.accept or [])
    if args.accept_file:
        try:
            lines = Path(args.accept_file).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as error:
            raise UsageError(f"cannot read {args.accept_file}: {error}") from None
        for number, line in enumerate(lines, 1):
            word = line.split("#", 1)[0].strip()
            if not word:
                continue
            if not word.isdigit():
                raise UsageError(f"{args.accept_file}:{number}: {word!r} is not a candidate id")
            ids.append(int(word))
    return ids


def _candidates(args: argparse.Namespace, settings: Settings) -> int:
    """Lists a school's candidate phrasings, or accepts some as the school's own."""
    school, db = open_school(settings, args.school)
    ids = _accept_ids(args)
    if ids:
        with transaction(db) as session:
            done = alternates.accept(session=session, school_id=school.id, ids=ids,
                                     now=utcnow())
            if done.unknown:
                session.rollback()
                raise UsageError(f"no candidate {', '.join(map(str, done.unknown))} at "
                                 f"{school.id}; nothing was accepted (faq candidates --school "
                                 f"{school.id} lists them)")
        print(f"Accepted {len(done.accepted)} phrasing(s) for {school.id}; the assistant "
              "answers them from now on.")
        return 0
    with Session(db) as session:
        rows = alternates.candidates(session=session, school_id=school.id)
    if not rows:
        print(f"No candidate phrasings stored for {school.id} yet.")
        return 0
    print(f"{'id':>5}  {'count':>5}  {'status':<9} {'entry':<24} locale  phrasing")
    for row in rows:
        status = "accepted" if row.accepted else "candidate"
        print(f"{row.id:>5}  {row.count:>5}  {status:<9} {row.entry_id:<24} {row.locale:<6}  "
              f"{row.text[:200]}")
    return 0


def _check(args: argparse.Namespace, settings: Settings) -> int:
    problems = check_content(load_profiles(settings.schools_dir))
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s)", file=sys.stderr)
        return 1
    print("FAQ content is complete for every school profile.")
    return 0


def _preview(args: argparse.Namespace, settings: Settings) -> int:
    """Writes the sign-off page: every answer as the school's families read it."""
    from assistant.faq.preview import FORMATS, render_preview  # Jinja2 only for this command

    school = _school(settings, args.school)
    out = Path(args.out)
    fmt = out.suffix.lower()
    if fmt not in FORMATS:
        raise UsageError(f"--out must end in {' or '.join(FORMATS)} (the page's format)")
    if args.locale not in faq_locales():
        raise UsageError(f"no FAQ content for locale {args.locale!r}; "
                         f"have: {', '.join(faq_locales())}")
    page = render_preview(school, fmt, args.locale)
    try:
        out.write_text(page, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot write {out}: {error}") from None
    print(f"Wrote the FAQ sign-off page for {school.id} to {out}.")
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Adds `faq ...` to the command line."""
    faq = commands.add_parser("faq", help="ask, evaluate and maintain the FAQ")
    sub = faq.add_subparsers(dest="faq_command", metavar="ACTION", required=True)

    ask = sub.add_parser("ask", help="answer a question (or one per line of standard input)")
    school_arg(ask)
    ask.add_argument("--locale", default="en")
    ask.add_argument("--json", action="store_true", help="one JSON object a line")
    ask.add_argument("question", nargs="?", help="the question; omit to read standard input")
    ask.set_defaults(handler=_ask)

    ev = sub.add_parser("eval", help="score a labelled id<TAB>locale<TAB>question file")
    ev.add_argument("file")
    ev.add_argument("--anchors", action="store_true",
                    help="also score the tf-idf classifier and rapidfuzz anchors, side by side")
    ev.add_argument("--tune", help=f"file to tune the anchors' thresholds on "
                                   f"(default {DEFAULT_TUNING})")
    ev.set_defaults(handler=_eval)

    tune = sub.add_parser("tune", help="cross-validate the matcher and show its thresholds")
    tune.add_argument("--locale", default="en")
    tune.add_argument("--folds", type=int, default=5)
    tune.add_argument("--c", type=float, nargs="+", default=[C])
    tune.add_argument("--extra", help="more labelled rows (id<TAB>locale<TAB>question)")
    tune.add_argument("--on", metavar="FILE",
                      help="choose the threshold on this development set (id<TAB>locale<TAB>"
                           "question) instead of cross-validating the phrasings")
    tune.add_argument("--cap", type=float, default=WRONG_CAP,
                      help="the largest share of wrong answers allowed (default 0.02)")
    tune.add_argument("--write", action="store_true",
                      help="write the chosen threshold to faq/<locale>/matcher.toml")
    tune.set_defaults(handler=_tune)

    bench = sub.add_parser("bench", help="time matching with all entries loaded")
    bench.add_argument("--locale", default="en")
    bench.add_argument("--rounds", type=int, default=20)
    bench.set_defaults(handler=_bench)

    un = sub.add_parser("unanswered", help="questions it could not answer, most frequent first")
    school_arg(un)
    un.add_argument("--limit", type=int, default=50)
    un.set_defaults(handler=_unanswered)

    cand = sub.add_parser("candidates", help="families' wordings staff matched to an entry; "
                                             "accept them as the school's own phrasings")
    school_arg(cand)
    cand.add_argument("--accept", type=int, nargs="+", metavar="N",
                      help="accept these candidate ids")
    cand.add_argument("--accept-file", metavar="FILE",
                      help="accept the candidate ids in FILE, one a line (# comments)")
    cand.set_defaults(handler=_candidates)

    check = sub.add_parser("check", help="check every entry loads and renders for every school, "
                                          "and every fact in a profile cites its policy")
    check.set_defaults(handler=_check)

    preview = sub.add_parser("preview", help="write every answer as a school's families read "
                                             "it, with its facts and gaps, for sign-off")
    school_arg(preview)
    preview.add_argument("--out", required=True, help="FILE.html or FILE.md")
    preview.add_argument("--locale", default="en")
    preview.set_defaults(handler=_preview)

"""The FAQ content check: complete catalogue, resolvable placeholders, no shared phrasings,
and profiles whose every fact cites the school's policy."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.faq.content import ContentError, explain, faq_locales, load_entries
from assistant.faq.normalise import words
from assistant.schools import SHIPPED_DIR, School

# The topic ids every school needs; outside tools score the matcher by these.
TOPIC_IDS = (
    "platforms", "when-remote", "contact-hours", "reply-time", "work-set", "submit-work",
    "feedback", "cannot-complete", "no-device", "live-invitation", "live-parent-present",
    "live-location", "live-dress", "live-camera-mic", "live-background", "live-behaviour",
    "live-late-leave", "waiting-room", "sharing-links", "recording-by-families",
    "recording-by-school", "one-to-one", "staff-present", "screen-sharing", "chat",
    "breaking-rules", "staff-accounts", "monitoring", "filtering", "data-protection",
    "passwords", "personal-info", "photos-and-posts", "sharing-resources", "mobile-phones",
    "social-media", "parental-controls", "cyberbullying", "stranger-contact",
    "upsetting-content", "report-concern", "safeguarding-lead", "complaints", "agreement-why",
    "agreement-scope", "ai-tools", "online-safety-help",
)
MIN_WORDS, MAX_WORDS = 30, 150
# A translation says the same in more words where its language needs them (Urdu's
# postpositions, a bracketed explanation of CEOP or the DSL): a fifth more is allowed.
TRANSLATED_SLACK = 1.2

# Settings, not facts: how the assistant runs for the school, so they need no source (they may
# still cite one). Everything else a profile sets is a fact a family may read, and a profile
# with a [policy] must cite it (docs/profile-format.md, "Sources").
SETTINGS = ("id", "timezone", "locale", "bank_holidays", "closures", "ack_working_hours",
            "alert_dsl_out_of_hours", "agreements", "live.min_notice_hours", "policy",
            "routing", "roles.office")
# Keys the loader requires: where the policy is silent, their source says "not in <ref>: why".
REQUIRED = ("name", "contact_hours", "learning.platforms", "live.platforms", "live.expectations",
            "roles")
DEMO = "demo"  # the fictional demo school: no policy, nothing to cite


def _under(path: str, prefixes: tuple[str, ...]) -> bool:
    return any(path == p or path.startswith((f"{p}.", f"{p}[")) for p in prefixes)


def is_setting(path: str) -> bool:
    """Whether a profile key is a setting of the assistant rather than a fact of the policy."""
    return _under(path, SETTINGS)


def must_cite(school: School) -> bool:
    """Whether a profile's facts must cite a policy: it names one, or it ships as a seed school."""
    shipped = Path(school.source).parent == SHIPPED_DIR
    return school.sources.policy_ref is not None or (shipped and school.id != DEMO)


def source_problems(school: School) -> list[str]:
    """Lists the facts of a profile that cite no source, or cite one the wrong way."""
    if not must_cite(school):
        return []
    where = school.source or school.id
    sources = school.sources
    ref = sources.policy_ref
    if ref is None:
        return [f"{where}: a shipped school profile needs [policy] ref and title"]
    problems: list[str] = []
    given = set(sources.given)
    for path in dict.fromkeys(sources.given):
        if is_setting(path) or sources.source_of(path) is not None:
            continue
        items = [g for g in given if g.startswith(f"{path}[")]
        if items and all(sources.source_of(i) is not None for i in items):
            continue
        problems.append(f"{where}: {path} has no source; cite the policy "
                        f"({{ value = ..., source = '{ref} (clause): \"quote\"' }}) or leave "
                        "the key out")
    for path, text in sources.cited.items():
        if text.startswith(f"not in {ref}"):
            if not _under(path, REQUIRED) and not is_setting(path):
                problems.append(f"{where}: {path} is not in the policy: leave the key out, and "
                                "the assistant says to ask the school")
        elif not re.match(rf"^{re.escape(ref)}\b", text):
            problems.append(f"{where}: {path}: a source starts with the policy's ref "
                            f"{ref!r} (or says 'not in {ref}: why')")
        elif not re.search(r'"[^"]+"', text):
            problems.append(f"{where}: {path}: the source quotes no words of the policy "
                            '(put them in "double quotes")')
    return problems


def check_content(schools: dict[str, School]) -> list[str]:
    """Lists every problem with the FAQ content; an empty list means it is complete."""
    problems: list[str] = []
    for school in schools.values():
        problems += source_problems(school)
    for locale in faq_locales():
        try:
            entries = load_entries(locale)
        except ContentError as error:
            return [*problems, str(error)]
        ids = {e.id for e in entries}
        problems += [f"{locale}: topic {t!r} has no entry" for t in TOPIC_IDS if t not in ids]
        seen: dict[str, str] = {}
        for entry in entries:
            for phrasing in entry.phrasings:
                key = " ".join(words(phrasing))
                if key in seen and seen[key] != entry.id:
                    problems.append(f"{locale}/{entry.id}: phrasing {phrasing!r} is also in "
                                    f"{seen[key]}")
                seen.setdefault(key, entry.id)
            size = len(entry.answer.split())
            most = MAX_WORDS if locale == "en" else round(MAX_WORDS * TRANSLATED_SLACK)
            if not MIN_WORDS <= size <= most:
                problems.append(f"{locale}/{entry.id}: answer has {size} words "
                                f"(keep to {MIN_WORDS}-{most})")
            for school in schools.values():
                for pupil in (False, True):
                    missing = explain(entry, school, locale, pupil=pupil).missing
                    if missing:
                        problems.append(f"{locale}/{entry.id}: {{{missing[0]}}} has no value "
                                        f"for {school.id}; add a variant or clause for it")
    return problems

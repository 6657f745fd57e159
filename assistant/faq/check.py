"""The FAQ content check: complete catalogue, resolvable placeholders, no shared phrasings."""

from __future__ import annotations

from assistant.faq.content import ContentError, Entry, _names, faq_locales, load_entries
from assistant.faq.facts import placeholders, variant_keys
from assistant.faq.normalise import words
from assistant.schools import School

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


def _chosen_texts(entry: Entry, school: School) -> list[str]:
    keys = variant_keys(school)
    text = entry.answer
    if entry.variant_by is not None:
        text = entry.variants.get(keys[entry.variant_by], text)
    return [text] + ([entry.pupil_answer] if entry.pupil_answer else [])


def check_content(schools: dict[str, School]) -> list[str]:
    """Lists every problem with the FAQ content; an empty list means it is complete."""
    problems: list[str] = []
    for locale in faq_locales():
        try:
            entries = load_entries(locale)
        except ContentError as error:
            return [str(error)]
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
            if not MIN_WORDS <= size <= MAX_WORDS:
                problems.append(f"{locale}/{entry.id}: answer has {size} words "
                                f"(keep to {MIN_WORDS}-{MAX_WORDS})")
            for school in schools.values():
                values = placeholders(school, locale)
                for text in _chosen_texts(entry, school):
                    missing = sorted(n for n in _names(text) if values.get(n) is None)
                    if missing:
                        problems.append(f"{locale}/{entry.id}: {{{missing[0]}}} has no value "
                                        f"for {school.id}; add a variant for it")
    return problems

"""Text folded for the danger check: one form for every spelling a phone may produce."""

from __future__ import annotations

import re
import unicodedata

# Telegram's limit; nothing longer arrives in one message.
MAX_CHARS = 4096
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "ʼ": "'"})
# Letter variants that phones and people use interchangeably (mostly Arabic).
_ARABIC = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و",
                         "ئ": "ي", "ـ": None, "ك": "ك", "ی": "ي", "ک": "ك", "ہ": "ه", "ھ": "ه",
                         "ۃ": "ه", "ے": "ي",
                         # Polish "ł" has no accent to strip, yet phones type it as "l".
                         "ł": "l"})
_SPACE = re.compile(r"[^\w']+|_+")
_REPEAT = re.compile(r"(.)\1{2,}")  # "pleeeease" -> "pleease"


def fold(text: str) -> str:
    """Lowercase, without accents or Arabic vowel marks, words split by single spaces."""
    text = unicodedata.normalize("NFKD", text[:MAX_CHARS].translate(_APOSTROPHES)).casefold()
    text = "".join(c for c in text if not unicodedata.combining(c)).translate(_ARABIC)
    text = text.replace("'", "")
    text = _REPEAT.sub(r"\1\1", text)
    return " ".join(_SPACE.sub(" ", text).split())

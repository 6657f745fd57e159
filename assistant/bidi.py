"""Right-to-left text that reads correctly with left-to-right pieces inside it.

An Arabic or Urdu line often carries Latin pieces: a time ("08:30"), a link, a reference, a
child's name, an app's name. Left to the display's guesswork, a line that starts with one of
them is laid out left to right, and a link or "Monday 30 November 08:30" next to Arabic words can
come out in the wrong order. Each line that is mostly right-to-left is marked as such (a
right-to-left mark first), and each left-to-right run in it is isolated (U+2066 ... U+2069), as
Unicode's bidirectional algorithm (UAX #9) recommends for text inserted into text.
"""

from __future__ import annotations

import re

RLM = "\u200f"
LRI = "\u2066"
PDI = "\u2069"
_RTL = "\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff"
_RTL_LETTER = re.compile(f"[{_RTL}]")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")
# A left-to-right run: starts and ends on a Latin letter or digit, and holds no right-to-left
# letter or line break; spaces and punctuation between its words belong to it. Links are left
# unmarked inside it (see _isolate).
_LTR_RUN = re.compile(
    rf"[A-Za-z0-9\u00c0-\u024f](?:[^{_RTL}\n\u2066-\u2069]*[A-Za-z0-9\u00c0-\u024f/])?")


_LINK = re.compile(r"\S+://\S+|\S+@\S+")


def mostly_rtl(text: str) -> bool:
    """Whether a text is written right to left: at least half as many right-to-left letters
    as Latin ones, links and addresses aside (Arabic script writes words in fewer letters,
    and Latin names and app names are common inside it)."""
    rtl = len(_RTL_LETTER.findall(text))
    return rtl > 0 and 2 * rtl >= len(_LATIN_LETTER.findall(_LINK.sub(" ", text)))


def _isolate(run: re.Match[str]) -> str:
    # A link is left as it is: apps find links by their characters, and an isolate mark
    # inside the run could be taken into the address.
    text = run.group(0)
    return text if _LINK.search(text) else f"{LRI}{text}{PDI}"


def _line(line: str) -> str:
    if not line.strip():
        return line
    isolated = _LTR_RUN.sub(_isolate, line)
    return isolated if isolated.startswith(RLM) else RLM + isolated


def bidi_safe(text: str) -> str:
    """In a right-to-left text, marks every line right to left and isolates the
    left-to-right runs inside it; any other text is returned as it is (and so is text
    already marked)."""
    if LRI in text or not mostly_rtl(text):
        return text
    return "\n".join(_line(line) for line in text.split("\n"))

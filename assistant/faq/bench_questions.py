"""Questions for `faq bench`: typical, rambling, off-topic, very long, and in other scripts."""

from __future__ import annotations

_TYPICAL = (
    "what app is the homework on",
    "can i record the zoom so nan can watch it later",
    "is my son allowed his phone in school",
    "someone keeps messaging my daughter on roblox and she doesnt know them",
    "who do i talk to if im worried about my child",
    "does the teacher ever do 1 to 1 video calls",
    "what should she wear for the live lesson",
    "we dont have a laptop at home",
    "how do i complain about something",
    "when will the teacher reply to my email",
    "can he use chatgpt for his homework",
    "how much is dinner money",
    "what time does the school trip leave",
    "is there a uniform shop",
    "hi",
    "thanks!",
    "my child saw something scary on youtube what do i do",
    "can i share the link with grandma",
    "is the school wifi filtered",
    "what do i do if i forget the password",
)
_LONG = (
    "Hello, sorry to bother you, my daughter is in year 4 and last night she was on her tablet "
    "and she told me that a boy from another school has been sending her messages on a game "
    "and asking for photos and to meet up at the park, I don't know what to do, please help. "
) * 14
_OTHER = (
    "Czy mogę nagrać lekcję na żywo?",
    "هل يمكن لطفلي استخدام الهاتف في المدرسة؟",
    "😀😀😀 🙏",
    "Чи можна ділитися посиланням на урок?",
)
BENCH_QUESTIONS: tuple[str, ...] = (*_TYPICAL, _LONG[:4096], "x" * 4096, *_OTHER)

"""Text normalisation for matching: texting forms, spellings, synonyms, stop words, stems."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

# Texting forms and common misspellings -> the word meant. Applied to whole tokens.
_RESPELL = {
    "u": "you", "ya": "you", "yu": "you", "ur": "your", "yr": "your", "r": "are",
    "pls": "please", "plz": "please", "plse": "please", "wat": "what", "wot": "what",
    "wht": "what", "wen": "when", "wn": "when", "whn": "when", "hw": "homework",
    "cn": "can", "cud": "could", "shud": "should", "wud": "would", "thx": "thanks",
    "ty": "thanks", "tnx": "thanks", "msg": "message", "msgs": "messages", "txt": "text",
    "vid": "video", "vids": "videos", "pic": "photo", "pics": "photos", "pix": "photos",
    "ppl": "people", "sum1": "someone", "some1": "someone", "any1": "anyone",
    "b4": "before", "coz": "because", "cos": "because", "bc": "because", "becuz": "because",
    "abt": "about", "bout": "about", "tmrw": "tomorrow", "2moro": "tomorrow", "2day": "today",
    "tho": "though", "thru": "through", "gonna": "going", "wanna": "want", "dunno": "know",
    "im": "i", "ive": "i", "dont": "not", "doesnt": "not", "cant": "cannot", "wont": "not",
    "didnt": "not", "isnt": "not", "arent": "not", "hasnt": "not", "havent": "not",
    "skool": "school", "techer": "teacher", "teacha": "teacher", "recieve": "receive",
    "wich": "which", "becasue": "because", "freind": "friend", "freinds": "friends",
    "pasword": "password", "passwrd": "password", "pword": "password", "pw": "password",
    "wifi": "internet", "broadband": "internet", "mom": "mum", "mommy": "mum", "mam": "mum",
    "dad": "parent", "daddy": "parent", "mum": "parent", "mummy": "parent", "carer": "parent",
    "grownup": "parent", "kiddo": "child", "kid": "child", "kids": "children",
    "son": "child", "daughter": "child", "boy": "child", "girl": "child", "lad": "child",
    "e-mail": "email", "e-safety": "esafety", "ok": "okay", "k": "okay", "yeah": "yes",
    "ipad": "tablet", "ipads": "tablet", "laptop": "computer", "laptops": "computer",
    "chromebook": "computer", "pc": "computer",
    "whatsapp": "socialmedia", "tiktok": "socialmedia", "instagram": "socialmedia",
    "insta": "socialmedia", "snapchat": "socialmedia", "facebook": "socialmedia",
    "youtube": "socialmedia", "roblox": "game", "fortnite": "game", "minecraft": "game",
    "xbox": "game", "playstation": "game", "ps5": "game", "gaming": "game",
    "zoom": "videocall", "skype": "videocall", "facetime": "videocall",
    "chatgpt": "ai", "chatbot": "ai", "copilot": "ai", "gemini": "ai",
    "colour": "color", "behaviour": "behavior", "organise": "organize",
    "centre": "center", "programme": "program", "practise": "practice", "licence": "license",
    "favourite": "favorite", "apologise": "apologize", "realise": "realize",
    "recognise": "recognize", "judgement": "judgment", "enrol": "enroll",
    "smartwatch": "watch", "smartwatches": "watch", "mobile": "phone", "cellphone": "phone",
    "screenshot": "screenshot", "screenshots": "screenshot", "screengrab": "screenshot",
}
# Two-word forms read as one idea.
_PHRASES = (
    (re.compile(r"\bvideo call(s)?\b"), "videocall"),
    (re.compile(r"\bmicrosoft teams\b|\bms teams\b"), "videocall"),
    (re.compile(r"\bgoogle meet\b"), "videocall"),
    (re.compile(r"\bscreen shot(s)?\b"), "screenshot"),
    (re.compile(r"\bone to one\b|\b1 to 1\b|\b1-1\b|\b1:1\b|\b121\b|\bone-to-one\b"), "onetoone"),
    (re.compile(r"\bsocial media\b"), "socialmedia"),
    (re.compile(r"\bgrown up(s)?\b"), "parent"),
    (re.compile(r"\bwi fi\b|\bwi-fi\b"), "internet"),
    (re.compile(r"\blog ?in\b|\bsign ?in\b|\blog on\b"), "login"),
    (re.compile(r"\bhand in\b|\bsend in\b|\bturn in\b|\bupload\b"), "submit"),
    (re.compile(r"\bdsl\b|\bsafeguarding lead\b"), "safeguardinglead"),
    (re.compile(r"\bartificial intelligence\b"), "ai"),
    (re.compile(r"\bparental control(s)?\b"), "parentalcontrols"),
)
# Words that carry no meaning for telling topics apart.
_STOP = frozenset("""
a an the and or but if so to of in on at by for with from into onto about as is are was were be
been being am do does did doing have has had having i me my mine myself we us our ours you your
yours he him his she her hers it its they them their theirs this that these those there here
what which who whom whose will would shall should can could may might must just also too very
really please hi hello hey thanks thank dear sorry okay yes no not any some all each every other
such own same than then now still even again ever get got getting go going goes went want need
know like think tell one im ill id its thats whats theres lol xx x miss mrs mr ms sir
""".split())
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_STEMMER = snowballstemmer.stemmer("english")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.replace("’", "'").replace("'", "")
    return text


@lru_cache(maxsize=4096)
def _stem(word: str) -> str:
    return str(_STEMMER.stemWord(word)) if word.isascii() else word


def words(text: str) -> list[str]:
    """Splits text into lower-case words with texting forms and spellings put right."""
    folded = _fold(text)
    for pattern, replacement in _PHRASES:
        folded = pattern.sub(f" {replacement} ", folded)
    out: list[str] = []
    for token in _TOKEN.findall(folded):
        out.extend(_RESPELL.get(token, token).split())
    return out


def tokens(text: str) -> list[str]:
    """The meaningful stems of a text, in order, for matching."""
    return [_stem(w) for w in words(text) if w not in _STOP]

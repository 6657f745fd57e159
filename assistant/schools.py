"""School profiles: one TOML file per school, validated strictly when loaded."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

SHIPPED_DIR = Path(__file__).parent / "profiles"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ROLES = ("teacher", "dsl", "deputy-dsl", "head", "office")
# Where a family's question to the school goes unless the profile's [questions] says otherwise.
QUESTION_ROUTING = {"child": "teacher", "general": "office"}
CATEGORIES = (
    "upsetting-content", "bullying", "stranger-contact", "live-lesson",
    "staff", "access", "other", "urgent",
)
EXPECTATIONS = (
    "shared-room", "parent-nearby", "parent-present", "dress", "background", "mic-muted",
    "camera-parent", "camera-on", "no-recording", "no-sharing-link", "on-time", "behaviour",
    "no-chat",
)
SUBMIT_METHODS = ("photo", "video", "platform", "email", "comment", "paper")
VIEWERS = ("staff", "class", "leaders")
DEVICE_RULES = ("handed-in", "not-allowed", "allowed", "year6-only")
STAFF_PRESENT_RULES = ("always", "where-possible", "leaders-approve-otherwise")
PARENT_PRESENCE = ("throughout", "earshot-off-camera", "nearby", "supervised", "encouraged")
USED_FOR = ("homework", "class-closure", "school-closure", "one-child")
SANCTIONS = ("restrict-access", "parents-told", "police", "content-removed")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class ProfileError(ValueError):
    """A profile was refused; the message names the file, the key and the reason."""

    def __init__(self, path: Path | str, key: str, reason: str) -> None:
        super().__init__(f"{path}: {key}: {reason}")
        self.path, self.key, self.reason = str(path), key, reason


@dataclass(frozen=True)
class Window:
    """A weekly contact window: on these weekdays (0=Monday), from start to end."""

    days: frozenset[int]
    start: time
    end: time


@dataclass(frozen=True)
class Learning:
    platforms: tuple[str, ...]
    eyfs_platform: str | None = None
    work_set_by: time | None = None
    reply_start: time | None = None
    reply_end: time | None = None
    reply_same_day: bool | None = None
    submit_methods: tuple[str, ...] = ()
    feedback_within_days: int | None = None
    lends_devices: bool | None = None
    # Issue 13: facts the policies give that the FAQ needs (docs/profile-format.md).
    other_access: bool | None = None
    platform_logs: bool | None = None
    english_maths_set: bool | None = None
    comments_on_work: bool | None = None
    used_for: tuple[str, ...] = ()


@dataclass(frozen=True)
class Live:
    platforms: tuple[str, ...]
    recorded: bool | None
    one_to_one: str
    expectations: tuple[str, ...]
    extra_expectations: tuple[str, ...] = ()
    invitations_via: str | None = None
    retention_days: int | None = None
    viewers: tuple[str, ...] = ()
    staff_present: int | None = None
    leaders_drop_in: bool | None = None
    waiting_room: bool | None = None
    pupil_chat: bool | None = None
    screen_sharing: bool | None = None
    camera: str | None = None
    staff_present_rule: str | None = None
    chat_limited: bool | None = None
    parent_presence: str | None = None
    staff_control: str | None = None
    held_when: str | None = None
    told_if_recorded: bool | None = None
    staff_device_recording: str | None = None
    no_bedrooms: bool | None = None
    may_remove: bool | None = None
    # Teachers are warned when invitations would reach families less than this before.
    min_notice_hours: int = 24  # DEFAULT_NOTICE_HOURS


@dataclass(frozen=True)
class Devices:
    phones: str | None = None
    smartwatches: str | None = None
    monitoring: bool | None = None
    filtering: bool | None = None
    ai_tools: str | None = None


@dataclass(frozen=True)
class Safeguarding:
    """Who holds the safeguarding lead's role: the head, several people, deputies."""

    dsl_is_head: bool | None = None
    dsl_count: int | None = None
    deputies: bool | None = None


@dataclass(frozen=True)
class Contact:
    """How staff keep in touch: within the contact hours, on school accounts only."""

    staff_keep_to_hours: bool | None = None
    school_accounts_only: bool | None = None


@dataclass(frozen=True)
class Rules:
    """How breaking the online rules is dealt with."""

    behaviour_policy: bool | None = None
    sanctions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sources:
    """Where a profile's facts come from: the policy it cites and each key's source.

    A cited key is written `key = { value = ..., source = '<ref> (where): "quote"' }`; a list
    item may be cited the same way. `given` lists every key path the profile sets
    ("live.staff_present", "live.expectations[dress]", "contact_hours[1].start").
    """

    policy_ref: str | None = None
    policy_title: str | None = None
    given: tuple[str, ...] = ()
    cited: dict[str, str] = field(default_factory=dict)

    def source_of(self, path: str) -> str | None:
        """The source of a key path, or of the list or window that holds it."""
        while path:
            if path in self.cited:
                return self.cited[path]
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return None


@dataclass(frozen=True)
class School:
    """A school's facts: who it is, when it is open, how it teaches remotely, who does what."""

    id: str
    name: str
    timezone: str
    locale: str
    bank_holidays: bool
    closures: tuple[tuple[date, date], ...]
    contact_hours: tuple[Window, ...]
    learning: Learning
    live: Live
    devices: Devices
    roles: dict[str, str]
    routing: dict[str, str]
    # Who a family's question goes to when the FAQ has no answer: "child" for a question
    # about one of their children, "general" for any other.
    questions: dict[str, str] = field(default_factory=lambda: dict(QUESTION_ROUTING))
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    incident_log: str | None = None
    ack_working_hours: int = 4
    alert_dsl_out_of_hours: bool = False
    agreements: tuple[str, ...] = ()
    source: str = field(default="", compare=False)
    safeguarding: Safeguarding = field(default_factory=Safeguarding)
    contact: Contact = field(default_factory=Contact)
    rules: Rules = field(default_factory=Rules)
    sources: Sources = field(default_factory=Sources, compare=False)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class _Reader:
    """Reads one table of a profile, remembering which keys it used."""

    def __init__(self, path: Path, table: dict[str, Any], prefix: str = "",
                 tally: _Tally | None = None) -> None:
        self.path, self.table, self.prefix = path, table, prefix
        self.used: set[str] = set()
        self.tally = tally if tally is not None else _Tally()

    def key(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def fail(self, name: str, reason: str) -> ProfileError:
        return ProfileError(self.path, self.key(name), reason)

    def get(self, name: str, kind: type | tuple[type, ...], *, required: bool = True) -> Any:
        self.used.add(name)
        if name not in self.table:
            if required:
                raise self.fail(name, "is required")
            return None
        value = self.table[name]
        if kind is not dict:  # a sub-table is not a fact; its keys are
            value = self.tally.unwrap(self.path, self.key(name), value)
        # bool is an int in Python; an int key must not accept true/false.
        if kind is int and isinstance(value, bool):
            raise self.fail(name, "must be a whole number")
        if not isinstance(value, kind):
            names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
            raise self.fail(name, f"must be {_KIND_WORDS.get(names, names)}")
        return value

    def text(self, name: str, *, required: bool = True, limit: int = 200) -> str | None:
        value = self.get(name, str, required=required)
        if value is None:
            return None
        value = value.strip()
        if not value or len(value) > limit:
            raise self.fail(name, f"must be non-empty text of at most {limit} characters")
        return str(value)

    def flag(self, name: str, *, required: bool = True) -> bool | None:
        value = self.get(name, bool, required=required)
        return None if value is None else bool(value)

    def number(self, name: str, low: int, high: int, *, required: bool = True) -> int | None:
        value = self.get(name, int, required=required)
        if value is None:
            return None
        if not low <= value <= high:
            raise self.fail(name, f"must be between {low} and {high}")
        return int(value)

    def clock(self, name: str, *, required: bool = True) -> time | None:
        value = self.get(name, str, required=required)
        if value is None:
            return None
        if not _HHMM.match(value):
            raise self.fail(name, f"{value!r} is not a time as HH:MM (24-hour)")
        hours, minutes = value.split(":")
        return time(int(hours), int(minutes))

    def choice(self, name: str, options: tuple[str, ...], *, required: bool = True) -> str | None:
        value = self.text(name, required=required)
        if value is not None and value not in options:
            raise self.fail(name, f"{value!r} is not one of {', '.join(options)}")
        return value

    def texts(self, name: str, *, required: bool = True, options: tuple[str, ...] = ()) -> tuple[
        str, ...
    ]:
        value = self.get(name, list, required=required)
        if value is None:
            return ()
        items: list[str] = []
        for item in value:
            item = self.tally.unwrap_item(self.path, self.key(name), item)
            if not isinstance(item, str) or not item.strip() or len(item) > 200:
                raise self.fail(name, "must be a list of short texts")
            if options and item not in options:
                raise self.fail(name, f"{item!r} is not one of {', '.join(options)}")
            items.append(item.strip())
        return tuple(items)

    def sub(self, name: str, *, required: bool = True) -> _Reader:
        table = self.get(name, dict, required=required)
        return _Reader(self.path, table or {}, f"{self.key(name)}.", self.tally)

    def finish(self) -> None:
        unknown = sorted(set(self.table) - self.used)
        if unknown:
            raise self.fail(unknown[0], "is not a known key")


class _Tally:
    """Collects, while a profile is read, every key it sets and the source each one cites."""

    def __init__(self) -> None:
        self.given: list[str] = []
        self.cited: dict[str, str] = {}

    def cite(self, path: Path, key: str, source: Any) -> None:
        if not isinstance(source, str) or not source.strip() or len(source) > 400:
            raise ProfileError(path, key, "source must be non-empty text of at most 400 "
                                          "characters")
        self.cited[key] = " ".join(source.split())

    def unwrap(self, path: Path, key: str, value: Any) -> Any:
        """Notes a key as given; a cited value ({value, source}) gives its value."""
        self.given.append(key)
        if isinstance(value, dict) and set(value) == {"value", "source"}:
            self.cite(path, key, value["source"])
            return value["value"]
        return value

    def unwrap_item(self, path: Path, key: str, item: Any) -> Any:
        """The same for one item of a list: its path is key[item]."""
        if isinstance(item, dict) and set(item) == {"value", "source"}:
            if isinstance(item["value"], str):
                self.cite(path, f"{key}[{item['value'].strip()}]", item["source"])
            item = item["value"]
        if isinstance(item, str):
            self.given.append(f"{key}[{item.strip()}]")
        return item


DEFAULT_NOTICE_HOURS = 24


def _or_default(value: int | None, default: int) -> int:
    return default if value is None else value


_KIND_WORDS = {"str": "text", "int": "a whole number", "bool": "true or false",
               "list": "a list", "dict": "a table"}


def _closures(reader: _Reader) -> tuple[tuple[date, date], ...]:
    spans: list[tuple[date, date]] = []
    for item in reader.texts("closures", required=False):
        try:
            first, _, last = item.partition("/")
            start = date.fromisoformat(first)
            end = date.fromisoformat(last) if last else start
        except ValueError:
            raise reader.fail("closures", f"{item!r} is not a date or a from/to range") from None
        if end < start:
            raise reader.fail("closures", f"{item!r} ends before it starts")
        spans.append((start, end))
    return tuple(spans)


def _windows(path: Path, raw: Any, tally: _Tally | None = None) -> tuple[Window, ...]:
    if not isinstance(raw, list) or not raw:
        raise ProfileError(path, "contact_hours", "needs at least one [[contact_hours]] window")
    windows: list[Window] = []
    for number, table in enumerate(raw, start=1):
        if not isinstance(table, dict):
            raise ProfileError(path, "contact_hours", "each window must be a table")
        reader = _Reader(path, table, f"contact_hours[{number}].", tally)
        if "source" in table and tally is not None:  # one source for the whole window
            reader.used.add("source")
            tally.cite(path, f"contact_hours[{number}]", table["source"])
        days = reader.texts("days", options=DAYS)
        if not days:
            raise reader.fail("days", "must name at least one day")
        start, end = reader.clock("start"), reader.clock("end")
        assert start is not None and end is not None
        if end <= start:
            raise reader.fail("end", f"{end:%H:%M} is not after start {start:%H:%M}")
        reader.finish()
        window = Window(frozenset(DAYS.index(d) for d in days), start, end)
        for other in windows:
            shared = window.days & other.days
            if shared and window.start < other.end and other.start < window.end:
                day = DAYS[min(shared)]
                raise reader.fail("start", f"overlaps another window on {day}")
        windows.append(window)
    return tuple(windows)


def parse_profile(path: Path, data: dict[str, Any]) -> School:
    """Validates a profile's TOML data and returns the school, or raises ProfileError."""
    top = _Reader(path, data)
    school_id = top.text("id", limit=40)
    assert school_id is not None
    if not _ID.match(school_id):
        raise top.fail("id", "must be lowercase letters, digits and '-'")
    if path.suffix == ".toml" and path.stem != school_id:
        raise top.fail("id", f"{school_id!r} does not match the file name {path.name!r}")
    timezone = top.text("timezone", limit=60)
    assert timezone is not None
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise top.fail("timezone", f"{timezone!r} is not a known time zone") from None
    top.used.add("contact_hours")
    windows = _windows(path, data.get("contact_hours"), top.tally)
    pol = top.sub("policy", required=False)
    policy_ref = pol.text("ref", required=False, limit=20)
    policy_title = pol.text("title", required=False, limit=200)
    pol.finish()

    learn = top.sub("learning")
    learning = Learning(
        platforms=learn.texts("platforms"),
        eyfs_platform=learn.text("eyfs_platform", required=False),
        work_set_by=learn.clock("work_set_by", required=False),
        reply_start=learn.clock("reply_start", required=False),
        reply_end=learn.clock("reply_end", required=False),
        reply_same_day=learn.flag("reply_same_day", required=False),
        submit_methods=learn.texts("submit_methods", required=False, options=SUBMIT_METHODS),
        feedback_within_days=learn.number("feedback_within_days", 0, 30, required=False),
        lends_devices=learn.flag("lends_devices", required=False),
        other_access=learn.flag("other_access", required=False),
        platform_logs=learn.flag("platform_logs", required=False),
        english_maths_set=learn.flag("english_maths_set", required=False),
        comments_on_work=learn.flag("comments_on_work", required=False),
        used_for=learn.texts("used_for", required=False, options=USED_FOR),
    )
    if (learning.reply_start is None) != (learning.reply_end is None):
        raise learn.fail("reply_end", "reply_start and reply_end go together")
    if learning.reply_start and learning.reply_end and learning.reply_end <= learning.reply_start:
        raise learn.fail("reply_end", "is not after reply_start")
    learn.finish()

    lv = top.sub("live")
    live = Live(
        platforms=lv.texts("platforms"),
        recorded=lv.flag("recorded", required=False),
        # Left out where the policy is silent: "unknown" (the FAQ says to ask the school).
        one_to_one=str(lv.choice("one_to_one", ("never", "parent-present", "allowed"),
                                 required=False) or "unknown"),
        expectations=lv.texts("expectations", options=EXPECTATIONS),
        extra_expectations=lv.texts("extra_expectations", required=False),
        invitations_via=lv.text("invitations_via", required=False),
        retention_days=lv.number("retention_days", 0, 3650, required=False),
        viewers=lv.texts("viewers", required=False, options=VIEWERS),
        staff_present=lv.number("staff_present", 1, 10, required=False),
        leaders_drop_in=lv.flag("leaders_drop_in", required=False),
        waiting_room=lv.flag("waiting_room", required=False),
        pupil_chat=lv.flag("pupil_chat", required=False),
        screen_sharing=lv.flag("screen_sharing", required=False),
        camera=lv.choice("camera", ("on", "off", "parent-decides"), required=False),
        staff_present_rule=lv.choice("staff_present_rule", STAFF_PRESENT_RULES,
                                     required=False),
        parent_presence=lv.choice("parent_presence", PARENT_PRESENCE, required=False),
        chat_limited=lv.flag("chat_limited", required=False),
        staff_control=lv.choice("staff_control", ("audio", "audio-and-video"), required=False),
        held_when=lv.choice("held_when", ("if-essential", "with-approval", "on-plan"),
                            required=False),
        told_if_recorded=lv.flag("told_if_recorded", required=False),
        staff_device_recording=lv.choice("staff_device_recording", ("never", "with-approval"),
                                         required=False),
        no_bedrooms=lv.flag("no_bedrooms", required=False),
        may_remove=lv.flag("may_remove", required=False),
        min_notice_hours=_or_default(lv.number("min_notice_hours", 0, 336, required=False),
                                     DEFAULT_NOTICE_HOURS),
    )
    lv.finish()

    dv = top.sub("devices", required=False)
    devices = Devices(
        phones=dv.choice("phones", DEVICE_RULES, required=False),
        smartwatches=dv.choice("smartwatches", DEVICE_RULES, required=False),
        monitoring=dv.flag("monitoring", required=False),
        filtering=dv.flag("filtering", required=False),
        ai_tools=dv.choice("ai_tools", ("not-allowed", "with-teacher", "allowed"), required=False),
    )
    dv.finish()

    if live.staff_present_rule is not None and live.staff_present is None:
        raise lv.fail("staff_present_rule", "needs staff_present")
    sg = top.sub("safeguarding", required=False)
    safeguarding = Safeguarding(
        dsl_is_head=sg.flag("dsl_is_head", required=False),
        dsl_count=sg.number("dsl_count", 1, 10, required=False),
        deputies=sg.flag("deputies", required=False),
    )
    sg.finish()
    ct = top.sub("contact", required=False)
    contact = Contact(
        staff_keep_to_hours=ct.flag("staff_keep_to_hours", required=False),
        school_accounts_only=ct.flag("school_accounts_only", required=False),
    )
    ct.finish()
    ru = top.sub("rules", required=False)
    rules = Rules(
        behaviour_policy=ru.flag("behaviour_policy", required=False),
        sanctions=ru.texts("sanctions", required=False, options=SANCTIONS),
    )
    ru.finish()

    rl = top.sub("roles")
    roles = {role: str(rl.text(role, limit=80)) for role in ROLES}
    rl.finish()
    rt = top.sub("routing")
    routing = {cat: str(rt.choice(cat, ROLES)) for cat in CATEGORIES}
    rt.finish()
    qs = top.sub("questions", required=False)
    questions = {kind: str(qs.choice(kind, ROLES, required=False) or default)
                 for kind, default in QUESTION_ROUTING.items()}
    qs.finish()

    school = School(
        id=school_id,
        name=str(top.text("name", limit=120)),
        timezone=timezone,
        locale=str(top.text("locale", limit=10)),
        bank_holidays=bool(top.flag("bank_holidays")),
        closures=_closures(top),
        contact_hours=windows,
        learning=learning,
        live=live,
        devices=devices,
        roles=roles,
        routing=routing,
        questions=questions,
        phone=top.text("phone", required=False, limit=40),
        email=top.text("email", required=False, limit=120),
        website=top.text("website", required=False, limit=200),
        incident_log=top.text("incident_log", required=False, limit=60),
        ack_working_hours=top.number("ack_working_hours", 1, 72, required=False) or 4,
        alert_dsl_out_of_hours=bool(top.flag("alert_dsl_out_of_hours", required=False)),
        agreements=top.texts("agreements", required=False),
        source=str(path),
        safeguarding=safeguarding,
        contact=contact,
        rules=rules,
        sources=Sources(policy_ref, policy_title, tuple(top.tally.given),
                        dict(top.tally.cited)),
    )
    top.finish()
    return school


def load_profile(path: Path) -> School:
    """Reads and validates one profile file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ProfileError(path, "(file)", f"is not valid TOML: {error}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ProfileError(path, "(file)", f"cannot be read: {error}") from None
    return parse_profile(path, data)


def load_profiles(extra_dir: Path | None = None) -> dict[str, School]:
    """Loads the shipped profiles, then those in extra_dir, which replace shipped ones by id."""
    schools: dict[str, School] = {}
    for folder in (SHIPPED_DIR, extra_dir):
        if folder is None:
            continue
        for path in sorted(folder.glob("*.toml")):
            school = load_profile(path)
            schools[school.id] = school
    return schools

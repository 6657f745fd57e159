"""Every interface string is in the gettext catalog, so a translator sees all of them."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}


def test_catalog_template_holds_every_interface_string() -> None:
    in_code: set[str] = set()
    for folder in ("assistant", "flows"):
        for _, _, message, _, _ in extract_from_dir(
            str(ROOT / folder), method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            in_code.add(message[0] if isinstance(message, tuple) else message)
    with (ROOT / "locales" / "messages.pot").open("rb") as handle:
        template = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    missing = sorted(in_code - template)
    assert not missing, f"run the pybabel extract/update/compile steps in the README: {missing}"


LOCALES = sorted(p.parent.parent.name for p in (ROOT / "locales").glob("*/LC_MESSAGES/*.po"))
TRANSLATED = [locale for locale in LOCALES if locale != "en"]
PLACEHOLDER = re.compile(r"\{(\w*)\}")
# A button's text must stay short enough to read on a phone (Telegram cuts long ones).
BUTTON_LIMIT = 48
# A message may not pass Telegram's 4,096 characters, with room left for what fills it.
MESSAGE_LIMIT = 3500


def _button_texts() -> set[str]:
    """The interface strings used as button texts: `Button(_("..."), ...)` and the
    `{"label": _("...")}` of buttons on messages sent later."""
    found: set[str] = set()

    def gettext_constant(node: ast.AST) -> str | None:
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in {"_", "N_"} and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)):
            return node.args[0].value
        return None

    for folder in ("assistant", "flows"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and (
                        node.func.id == "Button") and node.args:
                    text = gettext_constant(node.args[0])
                elif isinstance(node, ast.Dict):
                    pairs = zip(node.keys, node.values, strict=True)
                    text = next((gettext_constant(v) for k, v in pairs
                                 if isinstance(k, ast.Constant) and k.value == "label"), None)
                else:
                    continue
                if text:
                    found.add(text)
    return found


def test_button_texts_are_found() -> None:
    assert {"Yes, ask the school", "Reply", "Cancel"} <= _button_texts()


def _catalog(locale: str) -> Catalog:
    with (ROOT / "locales" / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=locale)


def _forms(message: Message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


def _ids(message: Message) -> list[str]:
    return list(message.id) if isinstance(message.id, tuple) else [message.id]


def test_there_are_six_languages() -> None:
    assert set(LOCALES) >= {"en", "uk", "pl", "ro", "ar", "ur"}


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_string_is_translated_and_none_is_fuzzy(locale: str) -> None:
    catalog = _catalog(locale)
    template_ids = {m.id if isinstance(m.id, str) else m.id[0] for m in
                    read_po((ROOT / "locales" / "messages.pot").open("rb")) if m.id}
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    assert template_ids <= ids, f"run pybabel update: {sorted(template_ids - ids)[:5]}"
    untranslated = [_ids(m)[0] for m in catalog if m.id and not all(_forms(m))]
    fuzzy = [_ids(m)[0] for m in catalog if m.id and m.fuzzy]
    assert not untranslated, f"{len(untranslated)} untranslated, e.g. {untranslated[:3]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy, e.g. {fuzzy[:3]}"


@pytest.mark.parametrize("locale", TRANSLATED)
def test_placeholders_survive_translation(locale: str) -> None:
    catalog = _catalog(locale)
    wrong = []
    for message in catalog:
        if not message.id:
            continue
        wanted = set().union(*(set(PLACEHOLDER.findall(i)) for i in _ids(message)))
        plural = isinstance(message.id, tuple)
        for form in filter(None, _forms(message)):  # untranslated: the test above
            got = set(PLACEHOLDER.findall(form))
            # A plural form may leave the number out ("one picture"); nothing else.
            if got - wanted or (wanted - got) - ({"n"} if plural else set()):
                wrong.append((_ids(message)[0], form))
    assert not wrong, wrong[:3]


@pytest.mark.parametrize("locale", TRANSLATED)
def test_plural_forms_match_the_languages_plural_rules(locale: str) -> None:
    catalog = _catalog(locale)
    for message in catalog:
        if message.id and isinstance(message.id, tuple):
            assert len(_forms(message)) == catalog.num_plurals, _ids(message)[0]


@pytest.mark.parametrize("locale", TRANSLATED)
def test_translations_fit_telegrams_buttons_and_messages(locale: str) -> None:
    too_long = []
    buttons = _button_texts()
    for message in _catalog(locale):
        if not message.id:
            continue
        source = _ids(message)[0]
        for form in _forms(message):
            if source in buttons and len(form) > max(BUTTON_LIMIT, len(source)):
                too_long.append((source, form))
            if len(form) > MESSAGE_LIMIT:
                too_long.append((source, form[:40]))
    assert not too_long, too_long[:5]


@pytest.mark.parametrize("locale", TRANSLATED)
def test_catalog_compiles_and_translates_at_run_time(locale: str) -> None:
    from assistant.i18n import gettext_for, translations

    translations.cache_clear()
    _ = gettext_for(locale)
    assert _("Cancel") != "Cancel"

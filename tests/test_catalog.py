"""Every interface string is in the gettext catalog, so a translator sees all of them."""

from __future__ import annotations

from pathlib import Path

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

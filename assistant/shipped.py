"""Where shipped content lives: the repository's top-level folders, or the wheel's copy.

`faq/` and `locales/` sit at the top of the repository, where editors find them. A wheel built
from the repository carries a copy of each inside the package (`assistant/bundled/`), placed
there by the build (see `setup.py`), so an installed assistant reads the same content.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
SOURCE_ROOT = PACKAGE_DIR.parent
BUNDLED_DIR = PACKAGE_DIR / "bundled"


def content_dir(name: str) -> Path:
    """Returns the folder of shipped content `name` ("faq" or "locales")."""
    bundled = BUNDLED_DIR / name
    if bundled.is_dir():
        return bundled
    return SOURCE_ROOT / name

"""Build hook: the wheel carries the repository's top-level content folders.

`faq/` and `locales/` live at the top of the repository, where the people who write them look.
The build copies them into the package as `assistant/bundled/`, compiling each gettext catalog
(.po) into the .mo the program reads, so an installed assistant has everything it needs.
Everything else about the project is declared in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
CONTENT = ("faq", "locales")


class BuildWithContent(build_py):
    """Copies faq/ and locales/ into the built package and compiles the catalogs."""

    def run(self) -> None:
        super().run()
        bundled = Path(self.build_lib) / "assistant" / "bundled"
        for name in CONTENT:
            target = bundled / name
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(ROOT / name, target, ignore=shutil.ignore_patterns("*.mo", "*.pot"))
        compile_catalogs(bundled / "locales")


def compile_catalogs(folder: Path) -> None:
    """Compiles every messages.po under folder into the messages.mo beside it."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in folder.glob("*/LC_MESSAGES/*.po"):
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parent.parent.name)
        with po.with_suffix(".mo").open("wb") as target:
            write_mo(target, catalog, use_fuzzy=False)


setup(cmdclass={"build_py": BuildWithContent})

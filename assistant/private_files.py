"""Files that hold children's names or codes: readable by their owner only, never clobbered."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Sequence
from pathlib import Path


class FileRefused(Exception):  # noqa: N818 - reads as the outcome it is
    """The file could not be written; the message is one line for the admin."""


def spreadsheet_cell(value: str) -> str:
    """A value a spreadsheet shows as text, never runs as a formula."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _open(path: Path, *, overwrite: bool, encoding: str) -> io.TextIOWrapper:
    # Never through a symbolic link (it could point anywhere), and an existing file is
    # truncated only after its mode is made owner-only, so nothing is written readable.
    flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | (0 if overwrite else os.O_EXCL)
    if path.is_symlink():
        raise FileRefused(f"{path} is a symbolic link; give a plain file name")
    try:
        descriptor = os.open(path, flags, 0o600)
    except FileExistsError:
        raise FileRefused(f"{path} already exists; give --force to overwrite it") from None
    except OSError as error:
        raise FileRefused(f"cannot write {path}: {error.strerror or error}") from None
    try:
        os.fchmod(descriptor, 0o600)
        os.ftruncate(descriptor, 0)
    except OSError as error:
        os.close(descriptor)
        raise FileRefused(f"cannot write {path}: {error.strerror or error}") from None
    return os.fdopen(descriptor, "w", encoding=encoding, newline="")


def write_private_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]], *,
                      overwrite: bool) -> None:
    """Writes a CSV only its owner can read (utf-8 with BOM, so Excel shows Zoë as Zoë)."""
    with _open(path, overwrite=overwrite, encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows([spreadsheet_cell(str(v)) for v in row] for row in rows)


def write_private_text(path: Path, text: str, *, overwrite: bool) -> None:
    """Writes a text file (an HTML page, say) only its owner can read."""
    with _open(path, overwrite=overwrite, encoding="utf-8") as handle:
        handle.write(text)

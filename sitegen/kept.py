"""Files a build keeps in the cache folder for the next ones: what costs more to make again
than to read (Jinja's compiled templates, the compiled catalogs), each named by what it was
made from. Each is written whole or not at all and read back only if its checksum holds: a
damaged or partly written file is made again, and one that cannot be kept is made next time."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

from .discover import read_file

_CHECKSUM = 32


def read_kept(path: Path) -> bytes | None:
    """The bytes kept at `path`, or None where there are none whole."""
    try:
        data = read_file(str(path))
    except OSError:
        return None
    checksum, kept = data[:_CHECKSUM], data[_CHECKSUM:]
    return kept if checksum == _checksum(kept) else None


def keep(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, partial = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    except OSError:  # a damaged cache folder, a full disk: made again next time
        return
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(_checksum(data) + data)
        os.replace(partial, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(partial)


def _checksum(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=_CHECKSUM).digest()

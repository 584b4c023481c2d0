"""One diagnostic type and one format, so every problem reads `path:line: severity: message`."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True, slots=True, order=True)
class Diagnostic:
    """A problem found in a user's file; `line` is 1-based, None where the file has no line."""

    path: str
    line: int | None
    severity: str
    message: str

    def __str__(self) -> str:
        path = _CONTROL.sub(lambda c: repr(c.group())[1:-1], self.path)  # one line per problem
        where = path if self.line is None else f"{path}:{self.line}"
        return f"{where}: {self.severity}: {self.message}"


def error(path: str, line: int | None, message: str) -> Diagnostic:
    return Diagnostic(path, line, "error", message)


def warning(path: str, line: int | None, message: str) -> Diagnostic:
    return Diagnostic(path, line, "warning", message)


def info(path: str, line: int | None, message: str) -> Diagnostic:
    return Diagnostic(path, line, "info", message)


def counted(number: int, noun: str) -> str:
    """`1 article`, `2 articles`: the nouns messages count take an s."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def text_of(data: bytes, shown: str, encoding: str = "utf-8") -> str:
    """A file's bytes as text, or BuildFailed naming the line of the first byte that is not
    UTF-8 (`encoding` may be "utf-8-sig" where a BOM is allowed)."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise BuildFailed([error(shown, line, f"not UTF-8 text ({exc.reason} at byte "
                                              f"{exc.start}): save it as UTF-8")]) from None


def cannot_read(shown: str, exc: OSError) -> Diagnostic:
    return error(shown, None, f"cannot read: {exc.strerror or exc}")


class BuildFailed(Exception):
    """Raised by a stage with every error it found, so the run can report them all at once."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = tuple(sorted(diagnostics, key=_reading_order))
        super().__init__("\n".join(str(d) for d in self.diagnostics))


def _reading_order(d: Diagnostic) -> tuple[str, int, str]:
    return (d.path, d.line or 0, d.message)


_STAGE = "sitegen stage: "


def in_stage(exc: BaseException, stage: str) -> None:
    """Name the pipeline stage an unexpected error came from, as Hugo's `process: …` does."""
    if stage_of(exc) is None:
        exc.add_note(_STAGE + stage)


def stage_of(exc: BaseException) -> str | None:
    return next((note.removeprefix(_STAGE) for note in getattr(exc, "__notes__", ())
                 if note.startswith(_STAGE)), None)

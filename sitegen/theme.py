"""A theme: its template folders (the site's own copy first) and its fingerprinted static files."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import urls
from .discover import problems_of, static_files
from .errors import BuildFailed, Diagnostic, cannot_read, text_of


@dataclass(frozen=True, slots=True)
class Theme:
    """A theme's templates (the site's copy first) and static files, fingerprinted for caching."""

    template_dirs: tuple[Path, ...]
    assets: dict[str, tuple[str, str]]  # logical name -> (output path, file)
    digest: str  # changes whenever any template or static file does
    templates: frozenset[str] = frozenset()  # the names of its templates

    def has(self, template: str) -> bool:
        return template in self.templates

    @classmethod
    def load(cls, theme_dirs: tuple[Path, ...], read: Callable[[str], bytes]) -> Theme:
        """`read` gives a file's bytes (the build cache's reader). Every file that cannot be
        read is reported, all together."""
        assets: dict[str, tuple[str, str]] = {}
        digest = hashlib.blake2b(digest_size=20)
        problems: list[Diagnostic] = []
        names: set[str] = set()
        for folder in reversed(theme_dirs):  # later (the site's own) files win
            for name, path in _files(folder, "static", problems):
                data = _read(folder, path, read, problems)
                assets[name] = (urls.ASSETS + _fingerprinted(name, data), path)
        for folder in theme_dirs:
            for name, path in _files(folder, "templates", problems):
                data = _read(folder, path, read, problems)
                _check_text(folder, path, data, problems)
                names.add(name)
                digest.update(f"{folder}\0{name}\0".encode())
                digest.update(data)
        if problems:
            raise BuildFailed(problems)
        for name, (output, _) in sorted(assets.items()):
            digest.update(f"{name}\0{output}\0".encode())
        return cls(tuple(d / "templates" for d in theme_dirs), dict(sorted(assets.items())),
                   digest.hexdigest(), frozenset(names))


def _files(folder: Path, part: str, problems: list[Diagnostic]) -> list[tuple[str, str]]:
    """The files of a theme's part; links may lead anywhere in the site (`themes/<name>/..`)."""
    found = static_files(folder / part, folder.parent.parent)
    problems.extend(problems_of(found))
    return [(name, path) for name, path in found if isinstance(path, str)]


def _read(folder: Path, path: str, read: Callable[[str], bytes],
          problems: list[Diagnostic]) -> bytes:
    try:
        return read(path)
    except OSError as exc:
        problems.append(cannot_read(_shown(folder, path), exc))
        return b""


def _check_text(folder: Path, path: str, data: bytes, problems: list[Diagnostic]) -> None:
    """Templates are UTF-8 text; Jinja would stop at the first other byte with a traceback."""
    try:
        text_of(data, _shown(folder, path))
    except BuildFailed as failed:
        problems.extend(failed.diagnostics)


def _shown(folder: Path, path: str) -> str:
    """A theme file as an editor finds it, from the site folder (`themes/<name>/…`)."""
    return Path(path).relative_to(folder.parent.parent).as_posix()


def _fingerprinted(name: str, data: bytes) -> str:
    """`css/site.css` -> `css/site.1a2b3c4d5e.css`: a new name whenever the bytes change."""
    digest = hashlib.sha256(data).hexdigest()[:10]
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}.{digest}.{suffix}" if dot and "/" not in suffix else f"{name}.{digest}"

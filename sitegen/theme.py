"""A theme: its template folders (the site's own copy first) and its fingerprinted static files."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import urls
from .discover import static_files


@dataclass(frozen=True, slots=True)
class Theme:
    """A theme's templates (the site's copy first) and static files, fingerprinted for caching."""

    template_dirs: tuple[Path, ...]
    assets: dict[str, tuple[str, str]]  # logical name -> (output path, file)
    digest: str  # changes whenever any template or static file does

    @classmethod
    def load(cls, theme_dirs: tuple[Path, ...], read: Callable[[str], bytes]) -> Theme:
        """`read` gives a file's bytes (the build cache's reader)."""
        assets: dict[str, tuple[str, str]] = {}
        digest = hashlib.blake2b(digest_size=20)
        for folder in reversed(theme_dirs):  # later (the site's own) files win
            for name, path in static_files(folder / "static"):
                data = read(path)
                assets[name] = (urls.ASSETS + _fingerprinted(name, data), path)
        for folder in theme_dirs:
            for name, path in static_files(folder / "templates"):
                digest.update(f"{folder}\0{name}\0".encode())
                digest.update(read(path))
        for name, (output, _) in sorted(assets.items()):
            digest.update(f"{name}\0{output}\0".encode())
        return cls(tuple(d / "templates" for d in theme_dirs), dict(sorted(assets.items())),
                   digest.hexdigest())


def _fingerprinted(name: str, data: bytes) -> str:
    """`css/site.css` -> `css/site.1a2b3c4d5e.css`: a new name whenever the bytes change."""
    digest = hashlib.sha256(data).hexdigest()[:10]
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}.{digest}.{suffix}" if dot and "/" not in suffix else f"{name}.{digest}"

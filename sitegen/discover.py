"""Find the files a build reads: articles, static files, the theme and the catalogs."""

from __future__ import annotations

import os
from pathlib import Path

from .config import SiteConfig
from .errors import BuildFailed, error

ARTICLE_SUFFIXES = (".md", ".markdown")


def bundled_dir() -> Path:
    """Where the default theme and catalogs are: inside the wheel, or the repository's top level."""
    packaged = Path(__file__).parent / "_bundled"
    return packaged if packaged.is_dir() else Path(__file__).parent.parent


def content_files(config: SiteConfig) -> tuple[tuple[str, str], ...]:
    """(path relative to the site, as diagnostics show it; file) of every article."""
    root = config.content_dir
    if not root.is_dir():
        raise BuildFailed([error("content", None, "no content/ folder: articles go in content/")])
    return tuple((f"content/{rel}", f"{root}/{rel}") for rel in _walk(root)
                 if rel.endswith(ARTICLE_SUFFIXES))


def static_files(root: Path) -> tuple[tuple[str, str], ...]:
    """(path relative to root, file) for every visible file under root, sorted."""
    if not root.is_dir():
        return ()
    return tuple((rel, f"{root}/{rel}") for rel in _walk(root))


def _walk(root: Path) -> list[str]:
    """Every visible file under root as a sorted relative path; hidden files, editor backups
    and temporary files are skipped."""
    found: list[str] = []
    top = str(root)
    for folder, dirs, files in os.walk(top, followlinks=True):
        dirs[:] = [d for d in dirs if not ignored(d)]
        prefix = os.path.relpath(folder, top).replace(os.sep, "/")
        prefix = "" if prefix == "." else prefix + "/"
        found.extend(prefix + name for name in files if not ignored(name))
    return sorted(found)


def ignored(name: str) -> bool:
    """Hidden files, editors' backup, swap and temporary files are never part of a site."""
    return name.startswith((".", "_", "#")) or name.endswith(("~", ".swp", ".swx", ".tmp"))


def theme_dirs(config: SiteConfig) -> tuple[Path, ...]:
    """The site's own copy of the theme first, so it can override single templates or files."""
    candidates = (config.site_dir / "themes" / config.theme, bundled_dir() / "themes" / config.theme)
    found: list[Path] = []
    for candidate in candidates:
        if candidate.is_dir() and candidate.resolve() not in [f.resolve() for f in found]:
            found.append(candidate)
    if not found:
        raise BuildFailed([error(config.config_file, None,
                                 f"theme {config.theme!r} not found in themes/{config.theme}/")])
    return tuple(found)


def locale_dirs(config: SiteConfig) -> tuple[Path, ...]:
    own, bundled = config.site_dir / "locales", bundled_dir() / "locales"
    return (own,) if own.resolve() == bundled.resolve() else (own, bundled)

"""Find the files a build reads: articles, static files, the theme and the catalogs.

Only the site's own files are read: a link is followed only where it leads to a file or folder
inside the site folder (the bundled theme and catalogs keep to their own folder), each real
folder is walked once, so a link loop ends, and a pipe, socket or device is reported, never
opened, since reading one could wait forever.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .config import SiteConfig
from .errors import BuildFailed, Diagnostic, error

ARTICLE_SUFFIXES = (".md", ".markdown")
# Images an article may show, and those a newsroom may try to (refused with a reason).
PICTURE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".svg", ".avif", ".heic",
                    ".tif", ".tiff", ".bmp")

# What a walk finds under a folder: (path relative to it, file) for each file it may read, or
# (path relative to it, the problem that keeps it from being read). A folder's problem names
# the folder with a trailing slash.
Found = tuple[tuple[str, str | Diagnostic], ...]


def bundled_dir() -> Path:
    """Where the default theme and catalogs are: inside the wheel, or the repository's top level."""
    packaged = Path(__file__).parent / "_bundled"
    return packaged if packaged.is_dir() else Path(__file__).parent.parent


def content_files(config: SiteConfig) -> tuple[Found, Found]:
    """(path relative to the site, as diagnostics show it; file or problem) of every article,
    and of every image of content/ (those articles show beside them)."""
    root = config.content_dir
    if not root.is_dir() and not root.is_symlink():
        raise BuildFailed([error("content", None, "no content/ folder: articles go in content/")])
    articles, others = [], []
    for rel, file in walk(root, config.site_dir):
        if rel.endswith(ARTICLE_SUFFIXES) or rel.endswith("/") or not rel:
            articles.append((f"content/{rel}", file))
        elif isinstance(file, str) and rel.lower().endswith(PICTURE_SUFFIXES):
            others.append((f"content/{rel}", file))
    return tuple(articles), tuple(others)


def static_files(root: Path, boundary: Path | None = None) -> Found:
    """(path relative to root, file or problem) for every visible file under root, sorted.
    Links may lead anywhere inside `boundary` (by default the folder holding root)."""
    if not root.is_dir() and not root.is_symlink():
        return ()
    return walk(root, boundary or root.parent)


def readable(found: Found) -> tuple[tuple[str, str], ...]:
    """The files of a walk, or BuildFailed with all its problems."""
    problems = problems_of(found)
    if problems:
        raise BuildFailed(problems)
    return tuple((rel, file) for rel, file in found if isinstance(file, str))


def problems_of(found: Found) -> list[Diagnostic]:
    return [file for _, file in found if isinstance(file, Diagnostic)]


def walk(root: Path, boundary: Path) -> Found:
    """Every visible file under root as a sorted relative path; hidden files, editor backups
    and temporary files are skipped. Problems are named relative to the folder holding
    `boundary`'s files, as an editor finds them."""
    inside = os.path.realpath(boundary)
    shown = _shown_prefix(root, boundary)
    real_root = os.path.realpath(root)
    if not _within(real_root, inside):
        return (("", outside_link(shown.rstrip("/") or ".", real_root)),)
    if not os.path.isdir(real_root):
        return (("", error(shown.rstrip("/"), None, "not a folder")),)
    found = _Walk(real_root, inside, shown)
    _walk_folder(str(root), "", found)
    return tuple(sorted(found.found, key=lambda item: item[0]))


@dataclass(slots=True)
class _Walk:
    """What one walk carries from folder to folder."""

    root: str  # the real folder walked
    inside: str  # the real folder links may lead into
    shown: str  # how diagnostics name the root, with a trailing slash
    visited: set[tuple[int, int]] = field(default_factory=set)  # (device, inode) of folders
    found: list[tuple[str, str | Diagnostic]] = field(default_factory=list)

    def problem(self, rel: str, message: str) -> None:
        self.found.append((rel, error(self.shown + rel, None, message)))


def _walk_folder(folder: str, prefix: str, walk: _Walk) -> None:
    """The files of `folder`, named under `prefix`; links to folders are followed after the
    folder's own files, so a folder's real name wins over a link's."""
    try:
        info = os.stat(folder)
        if (info.st_dev, info.st_ino) in walk.visited:
            return
        walk.visited.add((info.st_dev, info.st_ino))
        with os.scandir(folder) as entries:
            names = sorted((entry.name, entry) for entry in entries if not ignored(entry.name))
    except OSError as exc:
        walk.problem(prefix, f"cannot read this folder: {exc.strerror or exc}")
        return
    linked: list[tuple[str, str]] = []
    for name, entry in names:
        rel, path = prefix + name, f"{folder}/{name}"
        if entry.is_symlink():
            target = os.path.realpath(path)
            if not _within(target, walk.inside):
                rel += "/" if os.path.isdir(target) else ""
                walk.found.append((rel, outside_link(walk.shown + rel, target)))
            elif os.path.isdir(target):
                linked.append((rel + "/", target))
            else:
                _add_file(rel, path, target, walk)
        elif entry.is_dir(follow_symlinks=False):
            _walk_folder(path, rel + "/", walk)
        elif entry.is_file(follow_symlinks=False):  # the usual case, known without a stat
            walk.found.append((rel, path))
        else:
            _add_file(rel, path, path, walk)
    for rel, target in linked:
        # A link into the folder being walked names files the walk finds anyway (or a loop).
        if not _within(target, walk.root):
            _walk_folder(target, rel, walk)


def _add_file(rel: str, path: str, target: str, walk: _Walk) -> None:
    try:
        mode = os.stat(target).st_mode
    except OSError as exc:
        message = "a link to nothing" if path != target else f"cannot read: {exc.strerror}"
        walk.problem(rel, message)
        return
    if stat.S_ISREG(mode):
        walk.found.append((rel, path))
    else:
        walk.problem(rel, "not a regular file")


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def outside_link(shown: str, target: str | Path) -> Diagnostic:
    """A link that leads out of the site folder: sitegen never reads through one."""
    return error(shown, None, f"a link out of the site folder (to {target}): sitegen reads "
                              "only files inside the site; copy it in instead")


def _shown_prefix(root: Path, boundary: Path) -> str:
    """How diagnostics name files under root: relative to the folder holding the site's files."""
    try:
        rel = root.relative_to(boundary).as_posix()
    except ValueError:
        return f"{root.as_posix()}/"
    return "" if rel == "." else f"{rel}/"


def read_file(path: str) -> bytes:
    """A file's bytes, refusing anything but a regular file without waiting on it: a pipe
    opened for reading would block until a writer came."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(0, "not a regular file", path)
        with os.fdopen(fd, "rb", closefd=False) as source:
            return source.read()
    finally:
        os.close(fd)


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

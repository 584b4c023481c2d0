"""Watch a site's sources with watchdog. Which paths matter is decided by `is_source`, a pure
function; the rest is a thin adapter that calls back when one of them changes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

from ..discover import ARTICLE_SUFFIXES, PICTURE_SUFFIXES, ignored

WATCHED_FOLDERS = ("content", "themes", "locales", "static")
CONFIG_FILES = ("sitegen.toml", "pyproject.toml")


def is_source(site_dir: Path, path: str, folder: bool = False) -> bool:
    """True if a change at `path` can change the built site: the configuration, and visible
    files under content/ (articles and the photos beside them), themes/, locales/ and static/,
    not editors' backup, swap or test files. `folder`: the path is (or was) a folder."""
    try:
        parts = PurePosixPath(Path(path).absolute().relative_to(site_dir).as_posix()).parts
    except ValueError:
        return False
    if not parts:  # the site folder itself: something was created or removed in it
        return False
    if len(parts) == 1:
        return parts[0] in CONFIG_FILES or parts[0] in WATCHED_FOLDERS
    if parts[0] == "content" and not folder and not parts[-1].lower().endswith(
            (*ARTICLE_SUFFIXES, *PICTURE_SUFFIXES)):
        return False  # a note, or the file vim writes to test a folder (4913)
    return parts[0] in WATCHED_FOLDERS and not any(ignored(part) for part in parts[1:])


class Watcher:
    """Calls `changed(paths)` (from watchdog's thread) whenever sources of the site change."""

    def __init__(self, site_dir: Path, changed: Callable[[list[str]], None]) -> None:
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer

        self.site_dir = site_dir.absolute()
        self.changed = changed
        self.observer = Observer()
        self.watched: set[str] = set()
        watcher = self

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event: Any) -> None:
                watcher.on_event(event)

        self.handler = Handler()

    def start(self) -> None:
        self.observer.schedule(self.handler, str(self.site_dir), recursive=False)
        for name in WATCHED_FOLDERS:
            self._watch(self.site_dir / name)
        self.observer.start()

    def stop(self) -> None:
        self.observer.stop()
        self.observer.join(timeout=1)

    def on_event(self, event: Any) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return  # reading a file changes nothing
        if event.is_directory and event.event_type == "modified":
            return  # said of a folder whenever a file in it changes, which is reported itself
        paths = [event.src_path, getattr(event, "dest_path", "")]
        for path in filter(None, map(str, paths)):
            if Path(path).parent == self.site_dir and Path(path).name in WATCHED_FOLDERS:
                self._watch(Path(path))  # a watched folder that was created or moved in
        sources = [path for path in filter(None, map(str, paths))
                   if is_source(self.site_dir, path, event.is_directory)]
        if sources:
            self.changed(sources)

    def _watch(self, folder: Path) -> None:
        if folder.is_dir() and str(folder) not in self.watched:
            self.watched.add(str(folder))
            self.observer.schedule(self.handler, str(folder), recursive=True)

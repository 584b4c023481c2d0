"""The build cache: parsed articles by the hash of their inputs, and what the output folder holds.

It lives in `.sitegen-cache/` in the site folder, a folder only sitegen writes. Nothing in it is
trusted blindly: a damaged, truncated or foreign cache, or one made by other code (another
sitegen, Markdown, Jinja2, Babel or PyYAML), is thrown away and rebuilt, a damaged entry is a
miss, and an output file whose size or time changed since it was written is rendered again.
A cached build therefore writes exactly what a cold build writes. The cache never fails a
build: where it cannot be read or written (a full disk), the build goes on without it and says
so once.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import sqlite3
import sys
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from itertools import compress
from operator import is_not
from pathlib import Path
from typing import Any, TypeVar

from . import __version__
from .discover import read_file
from .recall import Recall, changed_at

FOLDER = ".sitegen-cache"
_FORMAT = "sitegen-cache 8"
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Written:
    """One output file as the last build left it."""

    key: str  # what it was made from: a page fingerprint, or a hash of its bytes
    size: int
    mtime_ns: int


@dataclass(slots=True)
class _Snapshot:
    """A folder's files as last walked, a value made of each, and which the watcher named."""

    found: tuple[tuple[str, str], ...]  # (label, path)
    positions: dict[str, int]  # path -> its place in found
    values: tuple[Any, ...]
    named: set[int] = field(default_factory=set)


class Cache:
    """A key-value memo of articles plus the record of each output folder; in memory if no path."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.articles: dict[str, Any] = {}
        self.outputs: dict[str, dict[str, Written]] = {}
        self.values: dict[str, str] = {}
        self.files: dict[str, tuple[tuple[int, int, int], bytes | None]] = {}
        self.snapshots: dict[Hashable, _Snapshot] = {}  # see snapshot()
        # True while a watcher reports every change to the sources (the live preview): then a
        # file is looked at again, and a folder walked again, only when the watcher names it.
        self.watched = False
        self.keys: dict[str, tuple[bytes, Any, str]] = {}
        self._last_keys: tuple[tuple[tuple[str, bytes], ...], Any, list[str]] | None = None
        self.page_keys: dict[str, tuple[tuple[Any, ...], str]] = {}  # see output._page_jobs
        self.kept: dict[type, Any] = {}  # see same()
        self.recall = Recall()
        self.dates: dict[str, tuple[float, bool]] | None = None  # see article_dates()
        self._stored: set[str] | None = None  # keys of the articles table
        # True when nothing but sitegen touches the output (the live preview's private folder):
        # then what was written is trusted without looking at the files again.
        self.owns_output = False
        self._articles_loaded = False
        self._db: sqlite3.Connection | None = None
        self.warnings: list[str] = []  # why the stored cache could not be used, said once
        if path is not None:
            try:
                self._db = _open(path)
            except (sqlite3.Error, OSError) as exc:
                self._give_up(exc)

    def same(self, value: T) -> T:
        """The equal value of the previous build, if there is one: the memo's comparisons of
        every page's inputs then stop at identity instead of comparing field by field."""
        kept = self.kept.get(type(value))
        if kept is not None and kept == value:
            return kept
        self.kept[type(value)] = value
        return value

    # Small values ----------------------------------------------------------------------------

    def get(self, name: str) -> str | None:
        if name not in self.values:
            row = self._reading(lambda db: db.execute(
                "SELECT value FROM meta WHERE name = ?", (name,)).fetchone(), None)
            if row is not None:
                self.values[name] = row[0]
        return self.values.get(name)

    def put(self, name: str, value: str) -> None:
        self.values[name] = value
        self._writing(lambda db: db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                                            (name, value)))

    # Articles ------------------------------------------------------------------------------

    def article_dates(self) -> dict[str, tuple[float, bool]]:
        """key -> (publication time, draft) of every stored article, without unpickling them."""
        if self.dates is None:
            self.dates = {k: (a.timestamp, a.draft) for k, a in self.articles.items()}
            if not self.articles:
                self.dates = self._reading(lambda db: {
                    key: (published, bool(draft)) for key, published, draft, check in db.execute(
                        "SELECT key, published, draft, dates_check FROM articles")
                    if check == _dates_check(key, published, draft)}, self.dates)
        return self.dates

    # Source files --------------------------------------------------------------------------

    def read(self, path: str) -> bytes:
        """A source file's bytes, read again only when its size, time or inode changed."""
        known = self.files.get(path)
        if known is not None and known[1] is not None and self.watched:
            return known[1]
        signature = self._signature(path)
        if known is not None and known[0] == signature and known[1] is not None:
            return known[1]
        data = read_file(path)
        self.files[path] = (signature, data)
        return data

    def signature(self, path: str) -> tuple[int, int, int]:
        """A file's size, time and inode: what tells a copied file has changed."""
        known = self.files.get(path)
        if known is not None and self.watched:
            return known[0]
        signature = self._signature(path)
        if known is None or known[0] != signature:
            self.files[path] = (signature, None)
        return signature

    def snapshot(self, name: Hashable, walk: Callable[[], Iterable[tuple[str, Any]]],
                 make: Callable[[str, Any], T]) -> tuple[T, ...]:
        """`make(label, path)` of each file `walk()` finds, as (label, path). While watched,
        the last snapshot stands, with only the files the watcher named made again."""
        known = self.snapshots.get(name)
        if not self.watched or known is None:
            found = tuple(walk())
            known = self.snapshots[name] = _Snapshot(
                found, {path: n for n, (_, path) in enumerate(found)},
                tuple([make(label, path) for label, path in found]))
        elif known.named:
            values = list(known.values)
            for n in known.named:
                values[n] = make(*known.found[n])
            known.values, known.named = tuple(values), set()
        return known.values

    def forget(self, paths: Iterable[str]) -> None:
        """What the watcher saw change: those files are read again. A path not known here (a
        file or folder that came or went, or a file seen under another name) makes the next
        build look at every source."""
        for path in paths:
            known = path in self.files
            for snapshot in self.snapshots.values():
                n = snapshot.positions.get(path)
                if n is not None:
                    snapshot.named.add(n)
                    known = True
            if not known or not os.path.isfile(path):
                self.watched = False
            self.files.pop(path, None)

    @staticmethod
    def _signature(path: str) -> tuple[int, int, int]:
        stat = os.stat(path)
        return (stat.st_size, stat.st_mtime_ns, stat.st_ino)

    def article_keys(self, files: tuple[tuple[str, bytes], ...], settings: Any) -> list[str]:
        """content.article_key of each (file, bytes), remembered for the very bytes object
        `read()` returned; where only some files changed since the last call, only theirs."""
        last = self._last_keys
        changed = changed_at(last[0], files) if last is not None and last[1] is settings \
            else None
        if last is not None and changed is not None:
            keys = list(last[2])
            for n in changed:
                keys[n] = self._article_key(*files[n], settings)
        else:
            keys = [self._article_key(rel, data, settings) for rel, data in files]
        self._last_keys = (files, settings, keys)
        return keys

    def _article_key(self, rel: str, data: bytes, settings: Any) -> str:
        found = self.keys.get(rel)
        if found is not None and found[0] is data and (found[1] is settings
                                                       or found[1] == settings):
            return found[2]
        from .content import article_key

        key = article_key(rel, data, settings)
        self.keys[rel] = (data, settings, key)
        return key

    def load_articles(self) -> None:
        """Read every stored article once; entries that fail their checksum are dropped."""
        if self._articles_loaded:
            return
        self._articles_loaded = True
        rows: list[Any] = self._reading(
            lambda db: db.execute("SELECT key, checksum, blob FROM articles").fetchall(), [])
        for key, checksum, blob in rows:
            if checksum != _checksum(blob):
                continue
            try:
                self.articles[key] = pickle.loads(blob)
            except Exception:  # noqa: BLE001, S112 - any damage is only a miss
                continue

    def store_articles(self, articles: dict[str, Any]) -> None:
        """Keep exactly the articles of this build, so the cache never grows without bound."""
        stored, dates = self._stored_keys(), self.article_dates()
        self.update_articles((self.articles.keys() | stored) - articles.keys(),
                             {key: a for key, a in articles.items() if key not in self.articles
                              or key not in stored or key not in dates})

    def update_articles(self, removed: Iterable[str], added: dict[str, Any]) -> None:
        """The articles of the last build less `removed`, plus `added` (key -> Article)."""
        removed = [key for key in removed if key not in added]
        dates = self.article_dates()
        for key in removed:
            self.articles.pop(key, None)
            dates.pop(key, None)
        self.articles.update(added)
        for key, a in added.items():
            dates[key] = (a.timestamp, a.draft)
        if self._db is None:
            return
        stored = self._stored_keys()

        def change(db: sqlite3.Connection) -> None:
            db.executemany("DELETE FROM articles WHERE key = ?",
                           [(key,) for key in removed if key in stored])
            db.executemany(
                "INSERT INTO articles (key, published, draft, dates_check, checksum, blob) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(key, a.timestamp, a.draft, _dates_check(key, a.timestamp, a.draft),
                  _checksum(blob), blob)
                 for key, a, blob in ((k, a, pickle.dumps(a, pickle.HIGHEST_PROTOCOL))
                                      for k, a in added.items() if k not in stored)])

        if self._writing(change):
            stored.difference_update(removed)
            stored.update(added)

    def _stored_keys(self) -> set[str]:
        """The keys of the articles table (none without one)."""
        if self._stored is None:
            self._stored = self._reading(
                lambda db: {key for (key,) in db.execute("SELECT key FROM articles")}, set())
        return self._stored

    # Output folders ------------------------------------------------------------------------

    def written(self, out_dir: Path) -> dict[str, Written]:
        name = str(out_dir.resolve())
        if name not in self.outputs:
            found = self._reading(lambda db: {p: Written(k, s, m) for p, k, s, m in db.execute(
                "SELECT path, key, size, mtime_ns FROM outputs WHERE out = ?", (name,))}, None)
            if found is not None:
                self.outputs[name] = found
        return self.outputs.get(name, {})

    def record(self, out_dir: Path, files: dict[str, Written]) -> None:
        """Remember what the output folder now holds; only the differences are stored."""
        before = self.written(out_dir)
        name = str(out_dir.resolve())
        self.outputs[name] = dict(files)

        def change(db: sqlite3.Connection) -> None:
            db.executemany("DELETE FROM outputs WHERE out = ? AND path = ?",
                           [(name, p) for p in before.keys() - files.keys()])
            db.executemany(
                "INSERT OR REPLACE INTO outputs (out, path, key, size, mtime_ns) "
                "VALUES (?, ?, ?, ?, ?)",
                [(name, p, w.key, w.size, w.mtime_ns) for p in
                 compress(files, map(is_not, map(before.get, files), files.values()))
                 if before.get(p) != (w := files[p])])

        self._writing(change)

    def close(self) -> None:
        db, self._db = self._db, None
        if db is not None:
            try:
                db.close()
            except sqlite3.Error:  # nothing more is written to it either way
                pass

    # Damage and failure ------------------------------------------------------------------------

    def _reading(self, query: Callable[[sqlite3.Connection], T], default: T) -> T:
        """What `query` finds in the stored cache, or `default` where there is none or it is
        damaged (then it starts afresh)."""
        if self._db is None:
            return default
        try:
            return query(self._db)
        except (sqlite3.Error, OSError):
            self._reset()
            return default

    def _writing(self, change: Callable[[sqlite3.Connection], object]) -> bool:
        """Make `change` in the stored cache; True if it was made. A failure (a full disk, a
        damaged file) stops storing for this run: the build's output is right anyway, and the
        next build only does more work."""
        if self._db is None:
            return False
        try:
            with self._db:
                change(self._db)
            return True
        except (sqlite3.Error, OSError) as exc:
            self._give_up(exc)
            return False

    def _reset(self) -> None:
        assert self.path is not None
        self._stored = None
        self.close()
        try:
            self._db = _open(self.path, fresh=True)
        except (sqlite3.Error, OSError) as exc:
            self._give_up(exc)

    def _give_up(self, exc: Exception) -> None:
        """Go on in memory only, and say why once."""
        self.close()
        if not self.warnings:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            where = f" ({_shown(exc.filename, self.path)})" \
                if isinstance(exc, OSError) and exc.filename else ""
            self.warnings.append(f"could not update the build cache: {reason}{where}")


def _open(path: Path, fresh: bool = False) -> sqlite3.Connection:
    """Open the cache, starting afresh when it is damaged, truncated or not ours."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not fresh:
        try:
            db = _connect(path)
            found = db.execute("SELECT value FROM meta WHERE name = 'format'").fetchone()
            if found == (_format(),):
                return db
            db.close()
        except sqlite3.DatabaseError:
            pass
    _remove(path)
    db = _connect(path)
    with db:
        db.executescript("""
            CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT);
            CREATE TABLE articles (key TEXT PRIMARY KEY, published REAL, draft INTEGER,
                                   dates_check TEXT, checksum TEXT, blob BLOB);
            CREATE TABLE outputs (out TEXT, path TEXT, key TEXT, size INTEGER, mtime_ns INTEGER,
                                  PRIMARY KEY (out, path));
        """)
        db.execute("INSERT INTO meta VALUES ('format', ?)", (_format(),))
    return db


def _format() -> str:
    """What a cache must have been made by to be used: this format and this code."""
    return f"{_FORMAT} {__version__} {code_digest()}"


@functools.cache
def code_digest() -> str:
    """sitegen's own sources and the releases of the libraries that shape what it writes, so
    that nothing another version made is taken for this one's. A library's release is read
    from the files that state it, without importing it or scanning the installed packages."""
    import importlib.util

    digest = hashlib.blake2b(digest_size=16)
    package = Path(__file__).parent
    for path in sorted([*package.glob("*.py"), package / "live.js"]):
        digest.update(f"{path.name}\0".encode())
        digest.update(path.read_bytes())
    for name in ("markdown", "jinja2", "babel", "yaml", "markupsafe"):
        spec = importlib.util.find_spec(name)
        origin = Path(spec.origin) if spec is not None and spec.origin else None
        digest.update(f"\0{name}\0".encode())
        if origin is not None:
            for stated in (origin, origin.with_name("__meta__.py")):  # Markdown's is in __meta__
                if stated.is_file():
                    digest.update(stated.read_bytes())
    digest.update(f"\0{sys.version}".encode())
    return digest.hexdigest()


def _shown(filename: object, cache: Path | None) -> str:
    """A cache file as the warning names it: relative to the site."""
    path = Path(str(filename))
    site = cache.parent.parent if cache is not None else None
    return path.relative_to(site).as_posix() if site and path.is_relative_to(site) else str(path)


def _connect(path: Path) -> sqlite3.Connection:
    # One thread at a time: the live preview's first build and its builder thread, in turn.
    db = sqlite3.connect(path, isolation_level="DEFERRED", check_same_thread=False)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    return db


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _dates_check(key: str, published: float, draft: int) -> str:
    return _checksum(f"{key} {published!r} {int(draft)}".encode())


def _checksum(blob: bytes) -> str:
    return hashlib.blake2b(blob, digest_size=16).hexdigest()


def open_cache(site_dir: Path, enabled: bool) -> Cache:
    return Cache(site_dir / FOLDER / "cache.sqlite" if enabled else None)

"""The build's memory, kept outside the pipeline: three things, each keyed by what made it.

1. The article memo: an Article by the hash of its file and everything parsing depends on.
2. The page records: each output folder's files, with the key of what each was made from, so
   that a file whose key is unchanged is neither rendered nor written again.
3. The site key of each output folder: the hash of every input, so a build with nothing new
   stops at once.
4. The URL facts of earlier versions of articles (`history.py`), by blob id: a blob never
   changes, so each is read from git once; the URLs the history holds, for its commit; and
   the URLs the last build published, which a shallow clone of the site cannot find again.

It lives in `.sitegen-cache/` in the site folder, a folder only sitegen writes. Every key and
the cache itself carry the digest of sitegen's own code and libraries (`code.py`): a cache made
by other code is thrown away. Articles are stored as explicit, versioned records, never as
pickled objects, so a record of another shape is a miss, not a crash. Nothing in it is trusted
blindly: a damaged, truncated or foreign cache is rebuilt, a damaged entry is a miss, and an
output file whose bytes changed since it was written is made again (its size and time tell,
and where only its time changed, as in a copy, its bytes). The cache never fails a build: where
it cannot be read or written (a full disk), the build goes on without it and says so once.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import pickle
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from itertools import compress
from operator import is_not
from pathlib import Path
from typing import Any, TypeVar

from . import __version__
from .code import code_digest
from .content import Article, Parsed, Source
from .history import UrlFacts
from .search import Indexed, Made
from .write import Written

FOLDER = ".sitegen-cache"
_FORMAT = "sitegen-cache 11"
_ARTICLE_RECORD = 1  # the version of an article's record; its field names are checked too
_ARTICLE_FIELDS = frozenset(f.name for f in dataclasses.fields(Article))
T = TypeVar("T")


class Cache:
    """The memo of articles, the records of each output folder and their site keys; kept in
    memory only when it has no path."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.articles: dict[str, Article] = {}
        self.dates: dict[str, tuple[float, bool]] | None = None  # see article_dates()
        self.outputs: dict[str, dict[str, Written]] = {}
        self.values: dict[str, str] = {}
        self.facts: dict[str, UrlFacts | None] | None = None  # see url_facts()
        self.warnings: list[str] = []  # why the stored cache could not be used, said once
        self._stored: set[str] | None = None  # keys of the articles table
        self._loaded = False
        self._db: sqlite3.Connection | None = None
        if path is not None:
            try:
                self._db = _open(path)
            except (sqlite3.Error, OSError) as exc:
                self._give_up(exc)

    # 1. Articles -------------------------------------------------------------------------------

    def parsed(self, keys: Sequence[str],
               parse: Callable[[list[int]], Iterable[Parsed]]) -> list[Parsed]:
        """Each key's article: from the memo, or made by `parse` (given the places of the keys
        it must make). Exactly these articles are kept, so the memo never grows unbounded."""
        self._load()
        missing = [n for n, key in enumerate(keys) if key not in self.articles]
        found: list[Parsed] = [self.articles.get(key) or () for key in keys]
        for n, made in zip(missing, parse(missing)):
            found[n] = made
        kept = {key: a for key, a in zip(keys, found) if isinstance(a, Article)}
        self._keep(kept)
        return found

    def article_dates(self) -> dict[str, tuple[float, bool]]:
        """key -> (publication time, draft) of every known article, without loading them."""
        if self.dates is None:
            self.dates = {k: (a.timestamp, a.draft) for k, a in self.articles.items()}
            if not self.articles:
                self.dates = self._reading(lambda db: {
                    key: (published, bool(draft)) for key, published, draft, check in db.execute(
                        "SELECT key, published, draft, dates_check FROM articles")
                    if check == _dates_check(key, published, draft)}, self.dates)
        return self.dates

    def _load(self) -> None:
        """Read every stored article once; a record that fails its checksum, or was made for
        an Article of another shape, is a miss."""
        if self._loaded:
            return
        self._loaded = True
        dates = self.article_dates()  # from the stored rows, before any article is loaded
        rows: list[Any] = self._reading(
            lambda db: db.execute("SELECT key, checksum, record FROM articles").fetchall(), [])
        for key, checksum, blob in rows:
            article = _article_of(blob) if checksum == _checksum(blob) else None
            if article is not None:
                self.articles[key] = article
            else:  # made again, and stored again
                self._stored_keys().discard(key)
                dates.pop(key, None)

    def _keep(self, articles: dict[str, Article]) -> None:
        removed = [key for key in self.articles if key not in articles]
        added = {key: a for key, a in articles.items() if key not in self.articles}
        dates = self.article_dates()
        for key in removed:
            del self.articles[key]
            dates.pop(key, None)
        self.articles.update(added)
        dates.update((key, (a.timestamp, a.draft)) for key, a in added.items())
        if self._db is None:
            return
        stored = self._stored_keys()
        gone = [key for key in stored if key not in articles]
        new = [(key, a) for key, a in articles.items() if key not in stored]
        if not gone and not new:
            return

        def change(db: sqlite3.Connection) -> None:
            db.executemany("DELETE FROM articles WHERE key = ?", [(key,) for key in gone])
            db.executemany(
                "INSERT OR REPLACE INTO articles (key, published, draft, dates_check, checksum, record) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(key, a.timestamp, a.draft, _dates_check(key, a.timestamp, a.draft),
                  _checksum(blob), blob) for key, a, blob in
                 ((key, a, _record_of(a)) for key, a in new)])

        if self._writing(change):
            stored.difference_update(gone)
            stored.update(key for key, _ in new)

    def _stored_keys(self) -> set[str]:
        if self._stored is None:
            self._stored = self._reading(
                lambda db: {key for (key,) in db.execute("SELECT key FROM articles")}, set())
        return self._stored

    # 2. What each output folder holds ------------------------------------------------------------

    def written(self, out_dir: Path) -> dict[str, Written]:
        name = str(out_dir.resolve())
        if name not in self.outputs:
            found = self._reading(lambda db: {
                p: Written(k, s, m, d) for p, k, s, m, d in db.execute(
                    "SELECT path, key, size, mtime_ns, digest FROM outputs WHERE out = ?",
                    (name,))}, None)
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
                "INSERT OR REPLACE INTO outputs (out, path, key, size, mtime_ns, digest) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(name, p, w.key, w.size, w.mtime_ns, w.digest) for p in
                 compress(files, map(is_not, map(before.get, files), files.values()))
                 if before.get(p) != (w := files[p])])

        self._writing(change)

    def kept_tree(self, out: Path) -> Path | None:
        """Where the tree a build swaps out is kept for the next one: in the cache folder, when
        that is on the output's disk (a swap cannot cross disks)."""
        if self.path is None:
            return None
        folder = self.path.parent
        if not folder.is_dir() or folder.is_symlink():
            return None
        try:
            if os.stat(folder).st_dev != os.stat(out.absolute().parent).st_dev:
                return None
        except OSError:
            return None
        name = hashlib.blake2b(str(out.resolve()).encode("utf-8", "surrogateescape"),
                               digest_size=8).hexdigest()
        return folder / "trees" / name

    def made_images(self) -> Path | None:
        """Where the files made from images are kept, by what they are made from."""
        return self.path.parent / "images" if self.path is not None else None

    def compiled_templates(self) -> Path | None:
        """Where Jinja keeps the templates it compiled."""
        return self.path.parent / "templates" if self.path is not None else None

    # 3. The site key of each output folder -------------------------------------------------------

    def site_key(self, out: Path) -> str | None:
        return self._get(f"site:{out.resolve()}")

    def remember_site(self, out: Path, key: str | None) -> None:
        """`key` None: the site the folder holds is not known (a stale key must not stay)."""
        name = f"site:{out.resolve()}"
        if key is not None or self._get(name):
            self.values[name] = key or ""
            self._writing(lambda db: db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                                                (name, key or "")))

    def search_index(self, out: Path) -> Indexed | None:
        """The parts of the search index `out` holds: folder -> key, files and pages."""
        try:
            return {folder: Made(key, tuple(files), {page: (page_key, read) for page, (
                        page_key, read) in pages.items()}) for folder, (key, files, pages)
                    in json.loads(self._get(f"search:{out.resolve()}") or "null").items()}
        except (ValueError, TypeError, AttributeError):  # none, or an earlier sitegen's
            return None

    def remember_search_index(self, out: Path, index: Indexed | None) -> None:
        name = f"search:{out.resolve()}"
        text = json.dumps(index, sort_keys=True) if index is not None else ""
        if text != (self._get(name) or ""):
            self.values[name] = text
            self._writing(lambda db: db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                                                (name, text)))

    def _get(self, name: str) -> str | None:
        if name not in self.values:
            row = self._reading(lambda db: db.execute(
                "SELECT value FROM meta WHERE name = ?", (name,)).fetchone(), None)
            if row is not None:
                self.values[name] = row[0]
        return self.values.get(name)

    # 4. What the URLs of earlier versions were made from ------------------------------------------

    def url_facts(self, keys: Sequence[str],
                  read: Callable[[list[int]], Iterable[UrlFacts | None]]) -> list[UrlFacts | None]:
        """The facts of each earlier version of a file (None: it makes no URL), from the memo
        or made by `read` (given the places of the keys it must read). Exactly these are kept."""
        if self.facts is None:
            stored: dict[str, UrlFacts | None] = {}
            rows: list[Any] = self._reading(
                lambda db: db.execute("SELECT key, record FROM history").fetchall(), [])
            for key, record in rows:
                good, facts = _facts_of(record)
                if good:  # a damaged record is a miss
                    stored[key] = facts
            self.facts = stored
        known = self.facts
        missing = [n for n, key in enumerate(keys) if key not in known]
        found = [known.get(key) for key in keys]
        for n, made in zip(missing, read(missing)):
            found[n] = made
        wanted = set(keys)
        gone = [key for key in known if key not in wanted]
        new = {keys[n]: found[n] for n in missing}
        for key in gone:
            del known[key]
        known.update(new)
        if gone or new:
            self._writing(lambda db: (
                db.executemany("DELETE FROM history WHERE key = ?", [(key,) for key in gone]),
                db.executemany("INSERT OR REPLACE INTO history (key, record) VALUES (?, ?)",
                               [(key, json.dumps(f.record() if f else None))
                                for key, f in new.items()])))
        return found

    def kept(self, name: str, key: str, make: Callable[[], str]) -> str:
        """The text kept under `name` if it was made for `key`, else made by `make` and kept
        instead: one text per name (the URLs of the history at one commit)."""
        stored = self._get(name) or ""
        if stored.startswith(key + "\n"):
            return stored[len(key) + 1:]
        text = make()
        self.values[name] = f"{key}\n{text}"
        self._writing(lambda db: db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                                            (name, f"{key}\n{text}")))
        return text

    def renewed(self, name: str, make: Callable[[str], str]) -> str:
        """The text `make` makes of the text kept under `name` ("" if none), kept instead: a
        record each build adds to (the URLs the site has published)."""
        before = self._get(name) or ""
        text = make(before)
        if text != before:
            self.values[name] = text
            self._writing(lambda db: db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                                                (name, text)))
        return text

    def remembered(self, name: str, keys: Sequence[str],
                   make: Callable[[list[int]], Iterable[str]]) -> list[str]:
        """The text kept under `name` for each key, or made by `make` (given the places of the
        keys it must make); exactly these keys are kept afterwards (what an image is)."""
        try:
            known = json.loads(self._get(name) or "{}")
        except ValueError:  # damaged: a miss
            known = {}
        if not isinstance(known, dict):
            known = {}
        found = [known.get(key) for key in keys]
        missing = [n for n, text in enumerate(found) if not isinstance(text, str)]
        for n, made in zip(missing, make(missing)):
            found[n] = made
        if missing or len(known) != len(set(keys)):
            text = json.dumps(dict(zip(keys, found)), sort_keys=True)
            self.values[name] = text
            self._writing(lambda db: db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                                                (name, text)))
        return found  # type: ignore[return-value]

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


def _record_of(article: Article) -> bytes:
    """An article as an explicit record: its fields by name, plain values only."""
    fields = {name: getattr(article, name) for name in _ARTICLE_FIELDS}
    fields["sources"] = [{"name": s.name, "url": s.url} for s in article.sources]
    return pickle.dumps({"record": "article", "version": _ARTICLE_RECORD, "fields": fields},
                        pickle.HIGHEST_PROTOCOL)


def _article_of(blob: bytes) -> Article | None:
    """The article a record holds, or None if it is of another version or shape."""
    try:
        record = pickle.loads(blob)
        if record["record"] != "article" or record["version"] != _ARTICLE_RECORD:
            return None
        fields = dict(record["fields"])
        if fields.keys() != _ARTICLE_FIELDS:
            return None
        fields["sources"] = tuple(Source(name=s["name"], url=s["url"])
                                  for s in fields["sources"])
        return Article(**fields)
    except Exception:  # noqa: BLE001 - any damage is only a miss
        return None


_FACT_KINDS: tuple[Any, ...] = (str, str, str, (str, type(None)), str, bool,
                                (float, int, type(None)), int)


def _facts_of(record: str) -> tuple[bool, UrlFacts | None]:
    """(whether the stored record is sound, the facts it holds: None for a file that makes no
    URL)."""
    try:
        fields = json.loads(record)
        if fields is None:
            return True, None
        good = isinstance(fields, list) and len(fields) == len(_FACT_KINDS) and all(
            isinstance(value, kind) for value, kind in zip(fields, _FACT_KINDS))
        return (True, UrlFacts.of_record(fields)) if good else (False, None)
    except ValueError:
        return False, None


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
                                   dates_check TEXT, checksum TEXT, record BLOB);
            CREATE TABLE outputs (out TEXT, path TEXT, key TEXT, size INTEGER, mtime_ns INTEGER,
                                  digest TEXT, PRIMARY KEY (out, path));
            CREATE TABLE history (key TEXT PRIMARY KEY, record TEXT);
        """)
        db.execute("INSERT INTO meta VALUES ('format', ?)", (_format(),))
    return db


def _format() -> str:
    """What a cache must have been made by to be used: this format and this code."""
    return f"{_FORMAT} {__version__} {code_digest()}"


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

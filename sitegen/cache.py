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
import functools
import hashlib
import json
import marshal
import os
import pickle
import sqlite3
import zlib
from collections.abc import Callable, Iterable, Sequence
from itertools import compress
from operator import ne
from pathlib import Path
from typing import Any, TypeVar

from . import __version__
from .code import code_digest
from .content import Article, Parsed, Source
from .history import UrlFacts
from .search import Indexed, Made
from .write import Written

FOLDER = ".sitegen-cache"
_FORMAT = "sitegen-cache 12"
_ARTICLE_RECORD = 2  # the version of an article's record
_ARTICLE_FIELDS = tuple(f.name for f in dataclasses.fields(Article))  # in a record's order
_SOURCES = _ARTICLE_FIELDS.index("sources")
T = TypeVar("T")


class Cache:
    """The memo of articles, the records of each output folder and their site keys; kept in
    memory only when it has no path."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.articles: dict[str, Article] = {}
        self.values: dict[str, str] = {}
        self.facts: dict[str, UrlFacts | None] | None = None  # see url_facts()
        self.warnings: list[str] = []  # why the stored cache could not be used, said once
        self._stored: set[str] | None = None  # keys of the articles table
        self._shelves: dict[str, _Shelves] = {}  # by name: the dates, each output folder's files
        self._search: tuple[str, Any] | None = None  # the text of a search index, read
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
        return self._dates().entries()

    def _dates(self) -> _Shelves:
        return self._shelf_set("dates", None)

    def _load(self) -> None:
        """Read every stored article once; a record that fails its checksum, or was made for
        an Article of another shape, is a miss."""
        if self._loaded:
            return
        self._loaded = True
        rows: list[Any] = self._reading(
            lambda db: db.execute("SELECT key, checksum, record FROM articles").fetchall(), [])
        for key, checksum, blob in rows:
            article = _article_of(blob) if checksum == _checksum(blob) else None
            if article is not None:
                self.articles[key] = article
            else:  # made again, and stored again
                self._stored_keys().discard(key)

    def _keep(self, articles: dict[str, Article]) -> None:
        dates = self.article_dates()
        kept = articles.keys() | self._planned()
        removed = [key for key in self.articles if key not in kept]
        for key in removed:
            del self.articles[key]
        self.articles.update((key, a) for key, a in articles.items() if key not in self.articles)
        # Every kept article's date, also where the stored dates were damaged.
        self._dates().change({key: None for key in dates.keys() - kept} | {
            key: (a.timestamp, a.draft) for key, a in articles.items()
            if dates.get(key) != (a.timestamp, a.draft)})
        if self._db is None:
            return
        stored = self._stored_keys()
        gone = [key for key in stored if key not in kept]
        new = {key: a for key, a in articles.items() if key not in stored}
        if gone or new:
            self._store(gone, new)

    def _store(self, gone: Sequence[str], new: dict[str, Article]) -> None:
        """Remove the records of `gone` (keys) and store those of `new`."""
        stored = self._stored_keys()

        def change(db: sqlite3.Connection) -> None:
            db.executemany("DELETE FROM articles WHERE key = ?", [(key,) for key in gone])
            db.executemany(
                "INSERT OR REPLACE INTO articles (key, checksum, record) VALUES (?, ?, ?)",
                [(key, _checksum(blob), blob) for key, blob in
                 ((key, _record_of(a)) for key, a in new.items())])

        if self._writing(change):
            stored.difference_update(gone)
            stored.update(new)

    def _planned(self) -> set[str]:
        """The article keys that the plan of an output folder names (`swap.py`): kept, so that
        a build into that folder still swaps an edit into its plan after builds into another
        (the live preview's) have moved on."""
        folders: list[str] = self._reading(lambda db: [out for (out,) in db.execute(
            "SELECT out FROM plans")], [])
        return {entry[0] for out in folders
                for entry in self._shelf_set(f"keys:{out}", None).entries().values()}

    def _stored_keys(self) -> set[str]:
        if self._stored is None:
            self._stored = self._reading(
                lambda db: {key for (key,) in db.execute("SELECT key FROM articles")}, set())
        return self._stored

    # The signatures of input files ---------------------------------------------------------------

    def contents(self, files: Sequence[tuple[str, tuple[int, ...]]],
                 read: Callable[[list[int]], Iterable[T]], settled: int) -> list[str | T]:
        """The digest of each file's bytes (path, signature): remembered by its signature
        (size, times, inode), else made by `read` (given the places of the files it must
        read; what is not a string is a problem, not remembered). A signature is kept only
        once it is older than `settled` (nanoseconds since the epoch): a file written again
        within the same tick of the clock keeps its signature, never its bytes."""
        shelves = self._shelf_set("inputs", None)
        known = shelves.entries()
        found: list[str | T] = []
        missing = []
        for n, (path, signature) in enumerate(files):
            entry = known.get(path)
            if entry is not None and entry[0] == signature:
                found.append(entry[1])
            else:
                found.append("")
                missing.append(n)
        changes: dict[str, tuple[Any, ...] | None] = dict.fromkeys(
            known.keys() - {path for path, _ in files})
        for n, digest in zip(missing, read(missing)):
            found[n] = digest
            path, signature = files[n]
            if isinstance(digest, str) and _settled(signature, settled):
                changes[path] = (signature, digest)
            elif path in known:
                changes[path] = None
        shelves.change(changes)
        return found

    # 2. What each output folder holds ------------------------------------------------------------

    def written(self, out_dir: Path) -> dict[str, Written]:
        return self._files(out_dir).entries()

    def record(self, out_dir: Path, files: dict[str, Written],
               changed: Iterable[str] | None = None) -> None:
        """Remember what the output folder now holds; only the differences are stored.
        `changed`: the only files that can differ from the record (none added or removed)."""
        shelves = self._files(out_dir)
        before = shelves.entries()
        if changed is not None:
            shelves.change({p: files[p] for p in changed if before.get(p) != files[p]}, files)
            return
        changes: dict[str, tuple[Any, ...] | None] = {
            path: None for path in before.keys() - files.keys()}
        changes.update((p, files[p]) for p in
                       compress(files, map(ne, map(before.get, files), files.values())))
        shelves.change(changes, files)

    def _files(self, out_dir: Path) -> _Shelves:
        return self._shelf_set(_files_name(out_dir), _WRITTEN)

    def _shelf_set(self, name: str, make: Callable[[Any], Any] | None) -> _Shelves:
        if name not in self._shelves:
            self._shelves[name] = _Shelves(name, make, self)
        return self._shelves[name]

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

    def mirrors(self, out: Path) -> bool:
        """Whether the kept tree of `out` mirrors it, as the last build left it."""
        return self._get(f"mirror:{out.resolve()}") == "yes"

    def remember_mirror(self, out: Path, mirrors: bool) -> None:
        name, value = f"mirror:{out.resolve()}", "yes" if mirrors else "no"
        if self._get(name) != value:
            self.values[name] = value
            self._writing(lambda db: db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                                                (name, value)))

    def made_images(self) -> Path | None:
        """Where the files made from images are kept, by what they are made from."""
        return self.path.parent / "images" if self.path is not None else None

    def compiled_templates(self) -> Path | None:
        """Where Jinja keeps the templates it compiled."""
        return self.path.parent / "templates" if self.path is not None else None

    def compiled_catalogs(self) -> Path | None:
        """Where the catalogs are kept compiled (`l10n.translations`)."""
        return self.path.parent / "catalogs" if self.path is not None else None

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
        text = self._get(f"search:{out.resolve()}") or "null"
        if self._search is None or self._search[0] is not text:  # read once while it holds
            try:
                found: Indexed | None = {
                    folder: Made(key, tuple(files), {page: (page_key, read) for page, (
                        page_key, read) in pages.items()})
                    for folder, (key, files, pages) in json.loads(text).items()}
            except (ValueError, TypeError, AttributeError):  # none, or an earlier sitegen's
                found = None
            self._search = (text, found)
        return dict(self._search[1]) if self._search[1] is not None else None

    def remember_search_index(self, out: Path, index: Indexed | None) -> None:
        name = f"search:{out.resolve()}"
        if index is not None and index == self.search_index(out):
            return  # as it is: not written out again (a large site's is megabytes)
        text = json.dumps(index, sort_keys=True) if index is not None else ""
        if text != (self._get(name) or ""):
            self.values[name] = text
            self._writing(lambda db: db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                                                (name, text)))
        if index is not None:  # held as it is, not read back from its text (the preview's)
            self._search = (self.values[name], dict(index))

    def _get(self, name: str) -> str | None:
        if name not in self.values:
            row = self._reading(lambda db: db.execute(
                "SELECT value FROM meta WHERE name = ?", (name,)).fetchone(), None)
            if row is not None:
                self.values[name] = row[0]
        return self.values.get(name)

    # 5. The plan of each output folder's last full build (`swap.py`) --------------------------

    def article(self, key: str) -> Article | None:
        """The article of one key, read alone (a build that swaps a few articles in)."""
        if key in self.articles:
            return self.articles[key]
        row = self._reading(lambda db: db.execute(
            "SELECT checksum, record FROM articles WHERE key = ?", (key,)).fetchone(), None)
        if row is None or row[1] is None or row[0] != _checksum(row[1]):
            return None
        return _article_of(row[1])

    def swap(self, gone: Sequence[str], new: dict[str, Article]) -> None:
        """Keep these articles instead of those of `gone` (keys) that no folder's plan names,
        the rest as they are."""
        planned = self._planned()
        gone = [key for key in gone if key not in planned]
        self._dates().change(dict.fromkeys(gone) | {
            key: (a.timestamp, a.draft) for key, a in new.items()})
        for key in gone:
            self.articles.pop(key, None)
        self.articles.update(new)
        if self._db is not None:
            self._store(gone, new)

    def plan(self, out: Path) -> Any:
        """What the last full build into `out` planned, as `remember_plan` was given it."""
        row = self._reading(lambda db: db.execute(
            "SELECT checksum, record FROM plans WHERE out = ?", (str(out.resolve()),)
        ).fetchone(), None)
        if row is None or not isinstance(row[1], bytes) or row[0] != _checksum(row[1]):
            return None
        try:
            return pickle.loads(row[1])
        except Exception:  # noqa: BLE001 - damaged: a miss
            return None

    def remember_plan(self, out: Path, plan: Any) -> None:
        """`plan` None: the folder's plan is not known (its records are kept for the next)."""
        name = str(out.resolve())
        blob = pickle.dumps(plan, pickle.HIGHEST_PROTOCOL) if plan is not None else None
        self._writing(lambda db: db.execute(
            "INSERT OR REPLACE INTO plans (out, checksum, record) VALUES (?, ?, ?)",
            (name, _checksum(blob), blob)) if blob is not None else db.execute(
            "DELETE FROM plans WHERE out = ?", (name,)))

    def page_keys(self, out: Path) -> dict[str, str]:
        """file -> the key of its output's record, of every record kept for `out`."""
        return dict(self._reading(lambda db: db.execute(
            "SELECT file, key FROM pages WHERE out = ?", (str(out.resolve()),)).fetchall(), []))

    def pages(self, out: Path, files: Iterable[str]) -> dict[str, tuple[str, bytes]]:
        """file -> (key, record) of the outputs of these files, where their records are
        sound."""
        name, found = str(out.resolve()), {}
        for file in files:
            row = self._reading(lambda db: db.execute(
                "SELECT key, checksum, record FROM pages WHERE out = ? AND file = ?",
                (name, file)).fetchone(), None)  # noqa: B023 - called at once
            if row is not None and isinstance(row[2], bytes) and row[1] == _checksum(row[2]):
                found[file] = (row[0], row[2])
        return found

    def keep_pages(self, out: Path, changes: dict[str, tuple[str, bytes | None] | None]) -> None:
        """Set the record of each file: (key, record), (key, None) for a new key of the
        record kept, or None to forget it."""
        name = str(out.resolve())

        def change(db: sqlite3.Connection) -> None:
            db.executemany("DELETE FROM pages WHERE out = ? AND file = ?",
                           [(name, file) for file, entry in changes.items() if entry is None])
            db.executemany("UPDATE pages SET key = ? WHERE out = ? AND file = ?",
                           [(entry[0], name, file) for file, entry in changes.items()
                            if entry is not None and entry[1] is None])
            db.executemany(
                "INSERT OR REPLACE INTO pages (out, file, key, checksum, record) "
                "VALUES (?, ?, ?, ?, ?)",
                [(name, file, entry[0], _checksum(entry[1]), entry[1])
                 for file, entry in changes.items() if entry is not None and entry[1] is not None])

        self._writing(change)

    def named(self, kind: str, out: Path) -> _Shelves:
        """A large mapping kept for an output folder: the article keys of its last build by
        file (`keys`), the outputs that show each article (`shows`)."""
        return self._shelf_set(f"{kind}:{out.resolve()}", None)

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
        self._shelves.clear()
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
    """An article as an explicit record: its fields in the order `_ARTICLE_FIELDS` names them
    (which the cache's format carries), plain values only."""
    values = [getattr(article, name) for name in _ARTICLE_FIELDS]
    values[_SOURCES] = tuple((s.name, s.url) for s in article.sources)
    return pickle.dumps((_ARTICLE_RECORD, tuple(values)), pickle.HIGHEST_PROTOCOL)


def _article_of(blob: bytes) -> Article | None:
    """The article a record holds, or None if it is of another version or shape."""
    try:
        version, values = pickle.loads(blob)
        if version != _ARTICLE_RECORD or len(values) != len(_ARTICLE_FIELDS):
            return None
        values = list(values)
        values[_SOURCES] = tuple(Source(name=name, url=url) for name, url in values[_SOURCES])
        return Article(*values)
    except Exception:  # noqa: BLE001 - any damage is only a miss
        return None


class _Shelves:
    """A large mapping (name -> a tuple of plain values) kept in `SHELVES` parts by a hash of
    each name: a change rewrites only the parts it touches, the whole of it loads in a few
    hundred reads rather than one per entry, and a few names in as many. A part that fails its
    checksum is a miss."""

    def __init__(self, name: str, make: Callable[[Any], Any] | None, cache: Cache) -> None:
        self.name, self.make, self.cache = name, make, cache
        self.parts: list[dict[str, Any] | None] = [None] * SHELVES
        self._all: dict[str, Any] | None = None

    def entries(self) -> dict[str, Any]:
        """Every entry; a change makes a new dict, so one handed out never changes."""
        if self._all is None:
            self._load(None)
            every: dict[str, Any] = {}
            for part in self.parts:
                every.update(part or {})
            self._all = every
        return self._all

    def get(self, name: str) -> Any:
        """One entry, reading only its part."""
        if self._all is not None:
            return self._all.get(name)
        return self._part(_shelf(name)).get(name)

    def _part(self, shelf: int) -> dict[str, Any]:
        part = self.parts[shelf]
        if part is None:
            self._load(shelf)
            part = self.parts[shelf]
            assert part is not None
        return part

    def _load(self, shelf: int | None) -> None:
        """Read one part (None: every part not read yet)."""
        wanted = [n for n in ([shelf] if shelf is not None else range(SHELVES))
                  if self.parts[n] is None]
        if not wanted:
            return
        query = "SELECT shelf, checksum, record FROM shelves WHERE name = ?" + \
            (" AND shelf = ?" if shelf is not None else "")
        arguments = (self.name, shelf) if shelf is not None else (self.name,)
        rows: list[Any] = self.cache._reading(
            lambda db: db.execute(query, arguments).fetchall(), [])
        for n in wanted:
            self.parts[n] = {}
        for number, checksum, blob in rows:
            if number in wanted and (part := _part(checksum, blob, self.make)) is not None:
                self.parts[number] = part

    def change(self, changes: dict[str, Any], every: dict[str, Any] | None = None) -> None:
        """Set each name's entry (None: remove it), and store the parts that changed. `every`:
        the whole mapping after the changes, made by the caller, who hands it over (a large
        site's is not copied again)."""
        if not changes:
            return
        if every is None:
            every = dict(self._all) if self._all is not None else None
        touched = set()
        for name, value in changes.items():
            shelf = _shelf(name)
            part = self._part(shelf)
            if value is None:
                part.pop(name, None)
                if every is not None:
                    every.pop(name, None)
            else:
                part[name] = value
                if every is not None:
                    every[name] = value
            touched.add(shelf)
        self._all = every
        blobs = []
        for shelf in sorted(touched):
            part = self._part(shelf)
            blobs.append((shelf, marshal.dumps((tuple(part), tuple(map(tuple, part.values()))))))
        self.cache._writing(lambda db: db.executemany(
            "INSERT OR REPLACE INTO shelves (name, shelf, checksum, record) VALUES (?, ?, ?, ?)",
            [(self.name, shelf, _checksum(blob), blob) for shelf, blob in blobs]))


SHELVES = 256  # parts of a large mapping: a site's 100,000 output files, 400 to a part


def _shelf(name: str) -> int:
    return zlib.crc32(name.encode("utf-8", "surrogatepass")) % SHELVES


def _part(checksum: object, blob: object, make: Callable[[Any], Any] | None
          ) -> dict[str, Any] | None:
    """The entries of one stored part of a mapping (`_Shelves`); None where it is damaged."""
    if not isinstance(blob, bytes) or checksum != _checksum(blob):
        return None
    try:
        names, values = marshal.loads(blob)
        return dict(zip(names, values if make is None else map(make, values)))
    except (ValueError, EOFError, TypeError):
        return None


_WRITTEN = functools.partial(tuple.__new__, Written)  # a Written from its values, in C


def _files_name(out_dir: Path) -> str:
    return f"files:{out_dir.resolve()}"


def stored_record(path: Path, out_dir: Path) -> dict[str, Written] | None:
    """The record of the output folder as the cache at `path` keeps it, read by a process
    beside the build (`build.py`'s look at the output), which must change nothing: opened
    read-only, and None wherever it cannot be read whole (then the build reads it itself)."""
    try:
        db = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
    except (sqlite3.Error, ValueError):
        return None
    try:
        if not _made_here(db):
            return None
        rows = db.execute("SELECT checksum, record FROM shelves WHERE name = ?",
                          (_files_name(out_dir),)).fetchall()
    except sqlite3.Error:
        return None
    finally:
        db.close()
    every: dict[str, Written] = {}
    for checksum, blob in rows:
        part = _part(checksum, blob, _WRITTEN)
        if part is None:
            return None
        every.update(part)
    return every


def _settled(signature: tuple[int, ...], settled: int) -> bool:
    """Whether a file (size, modified, inode, changed) last changed before `settled`."""
    return signature[1] < settled and signature[3] < settled


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
            if _made_here(db):
                return db
            db.close()
        except sqlite3.DatabaseError:
            pass
    _remove(path)
    db = _connect(path)
    with db:
        db.executescript("""
            CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT);
            CREATE TABLE articles (key TEXT PRIMARY KEY, checksum TEXT, record BLOB);
            CREATE TABLE shelves (name TEXT, shelf INTEGER, checksum TEXT, record BLOB,
                                  PRIMARY KEY (name, shelf));
            CREATE TABLE history (key TEXT PRIMARY KEY, record TEXT);
            CREATE TABLE plans (out TEXT PRIMARY KEY, checksum TEXT, record BLOB);
            CREATE TABLE pages (out TEXT, file TEXT, key TEXT, checksum TEXT, record BLOB,
                                PRIMARY KEY (out, file));
        """)
        db.execute("INSERT INTO meta VALUES ('format', ?)", (_format(),))
    return db


def _made_here(db: sqlite3.Connection) -> bool:
    """Whether the cache was made in this format by this code (`_format`)."""
    found: tuple[str] | None = db.execute(
        "SELECT value FROM meta WHERE name = 'format'").fetchone()
    return found == (_format(),)


def _format() -> str:
    """What a cache must have been made by to be used: this format and this code."""
    return f"{_FORMAT} {__version__} {code_digest()} {' '.join(_ARTICLE_FIELDS)}"


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


def _checksum(blob: bytes) -> str:
    return hashlib.blake2b(blob, digest_size=16).hexdigest()


def open_cache(site_dir: Path, enabled: bool) -> Cache:
    return Cache(site_dir / FOLDER / "cache.sqlite" if enabled else None)

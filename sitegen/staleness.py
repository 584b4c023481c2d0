"""Which translations fell behind their original: the newsroom's question after every correction.

Two ways to know. In a git repository, the history says when each version last changed: a
translation is stale when its original was committed after it. Outside git, `sitegen new
--translation-of` records the original's fingerprint in the translation's `translated_from`; the
translation is stale once no other version of the story has that fingerprint any more.

The one `git log` read here (with each change's blobs and renames) also serves the redirects
from earlier URLs (`history.py`), so a build reads the history once.
"""

from __future__ import annotations

import functools
import hashlib
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .content import Article
    from .translations import TranslationGroup


def fingerprint(title: str, body: str) -> str:
    """What a translator translates, hashed: the headline and the Markdown body.

    Line endings and trailing blanks do not count, so re-saving a file in another editor does
    not make its translations stale; front matter such as tags or the date does not count either.
    """
    lines = [line.rstrip() for line in body.replace("\r\n", "\n").split("\n")]
    text = title.strip() + "\n\n" + "\n".join(lines).strip() + "\n"
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


@dataclass(frozen=True, slots=True)
class Stale:
    """A translation that fell behind its original."""

    translation: str  # the stale version's file
    original: Article  # the version it fell behind
    method: str  # "git history" or "translated_from"
    detail: str

    @property
    def message(self) -> str:
        return f"stale translation: {self.detail} (found by {self.method})"


@dataclass(frozen=True, slots=True)
class Change:
    """What one commit did to one file, as `git log --raw -M` tells it."""

    status: str  # "A" added, "M" modified, "D" deleted, "R" renamed, "T" changed type
    path: str  # the file after the commit (the file deleted, for "D"), relative to the site
    blob: str | None  # its blob after the commit; None when deleted
    old_path: str | None = None  # the name it had before, for "R"

    @property
    def names(self) -> tuple[str, ...]:
        """Every file name it touches: a rename ends one file and starts another."""
        return (self.path,) if self.old_path is None else (self.old_path, self.path)


@dataclass(frozen=True, slots=True)
class Commit:
    sha: str
    time: int  # its committer time, in seconds since the epoch
    changes: tuple[Change, ...]  # of files under content/

    def described(self) -> str:
        return f"commit {self.sha[:10]} of {day(self.time)}"


@dataclass(frozen=True, slots=True)
class GitLog:
    """The history of the site's articles as one `git log` tells it, newest commit first, and
    the blob of each file at HEAD. Staleness asks when files changed; redirects ask which URLs
    their earlier versions had."""

    commits: tuple[Commit, ...]
    added: dict[str, int]  # file relative to the site -> age of the commit that added it
    changed: dict[str, tuple[int, str]]  # file -> (age, "commit (date)") of its last change
    blobs: dict[str, str]  # file -> its git blob id at HEAD


_NO_LOG = GitLog((), {}, {}, {})


@dataclass(frozen=True, slots=True)
class GitHistory:
    """Where the site sits in git and at which commit; the log itself is read when first asked
    for, once per commit, so a build that stops early for want of change never runs it. Ages
    count commits: 0 is the newest, -1 the working tree (uncommitted changes)."""

    head: str
    shallow: bool  # a shallow clone: the history before its oldest commit is missing
    site_dir: str
    prefix: str  # the site folder within the repository, as git names it (`site/` or "")
    content: str
    _read: list[GitLog] = field(default_factory=list, compare=False, repr=False)

    @property
    def log(self) -> GitLog:
        if not self._read:  # asked for in loops: read, or found in the memo of commits, once
            self._read.append(_read_log(self.site_dir, self.prefix, self.head, self.shallow,
                                        self.content))
        return self._read[0]

    @property
    def added(self) -> dict[str, int]:
        return self.log.added

    @property
    def changed(self) -> dict[str, tuple[int, str]]:
        return self.log.changed

    @property
    def blobs(self) -> dict[str, str]:
        return self.log.blobs

    def last_change(self, source: str, data: bytes | None) -> tuple[int, str]:
        """(age, which commit) of the file's last change; uncommitted bytes are newest of all."""
        if source not in self.blobs or data is None or blob_id(data) != self.blobs[source]:
            return (-1, "the working copy (not committed yet)")
        return self.changed.get(source, (-1, "the working copy (not committed yet)"))

    def first_added(self, source: str) -> int:
        return self.added.get(source, -1) if source in self.blobs else -1


def read_history(site_dir: Path, content: str = "content") -> GitHistory | None:
    """Where the site is in git, or None where it is not in a git repository with a commit
    (or git is not installed). Only `git rev-parse` runs here."""
    head = _git(site_dir, "rev-parse", "--show-prefix", "--is-shallow-repository", "HEAD")
    if head is None:
        return None
    prefix, shallow, commit = (head.split("\n") + ["", "", ""])[:3]
    return GitHistory(commit.strip(), shallow.strip() == "true", str(site_dir), prefix, content)


@functools.lru_cache(maxsize=4)
def _read_log(site_dir: str, prefix: str, head: str, shallow: bool, content: str) -> GitLog:
    """One `git log` of content/ with each change's blobs and renames, and the tree at HEAD;
    read once per commit (the live preview asks on every save). Merge commits list no changes
    of their own, as `git log` shows them by default."""
    log = _git(Path(site_dir), "log", "-z", "--raw", "--no-abbrev", "-M", "--no-color",
               "--format=%x1e%H %ct", "--", content)
    tree = _git(Path(site_dir), "ls-tree", "-r", "-z", "--full-name", "HEAD", "--", content)
    if log is None or tree is None:
        return _NO_LOG
    commits = tuple(_commit(record, prefix) for record in log.split("\x1e")[1:])
    added: dict[str, int] = {}
    changed: dict[str, tuple[int, str]] = {}
    for age, commit in enumerate(commits):
        described = commit.described()
        for name in (n for change in commit.changes for n in change.names):
            changed.setdefault(name, (age, described))
            added[name] = age
    blobs = {}
    for entry in filter(None, tree.split("\0")):
        meta, _, name = entry.partition("\t")
        if name.startswith(prefix):
            blobs[name[len(prefix):]] = meta.split()[2]
    return GitLog(commits, added, changed, blobs)


def _commit(record: str, prefix: str) -> Commit:
    """One commit of `git log -z --raw`: its header, then `:modes blobs status` entries, each
    followed by its path (two paths for a rename or copy)."""
    header, *fields = record.split("\0")
    sha, when = header.split()
    changes = []
    at = 0
    while at < len(fields):
        entry = fields[at].lstrip("\n")
        at += 1
        if not entry.startswith(":"):
            continue
        _, _, _, blob, status = entry[1:].split()
        paths = 2 if status[0] in "RC" else 1
        names, at = fields[at:at + paths], at + paths
        if not all(name.startswith(prefix) for name in names):
            continue  # outside the site folder (content/ of another site in the repository)
        names = [name[len(prefix):] for name in names]
        kind = status[0]
        if kind == "C":  # only asked for with -C; a copy starts a new file
            kind, names = "A", names[1:]
        changes.append(Change(kind, names[-1], None if kind == "D" else blob,
                              names[0] if kind == "R" else None))
    return Commit(sha, int(when), tuple(changes))


def _git(site_dir: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(site_dir), "-c", "core.quotepath=off", *args],
                              capture_output=True, text=True, encoding="utf-8",
                              errors="surrogateescape", check=False)
    except OSError:  # no git on this machine
        return None
    return done.stdout if done.returncode == 0 else None


def blob_id(data: bytes) -> str:
    """The id git gives a file of these bytes."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def stale_translations(stories: Sequence[TranslationGroup], history: GitHistory | None,
                       files: Iterable[tuple[str, bytes]],
                       default_language: str) -> dict[str, Stale]:
    """Every stale version, by its file: by the git history where the story's files (file,
    bytes) are in git, else by `translated_from`."""
    in_git = history is not None and any(v.source in history.blobs
                                         for story in stories for v in story.versions)
    by_file = dict(files) if in_git else {}
    return {s.translation: s for story in stories
            for s in stale_in(story, history, by_file, default_language)}


def stale_in(story: TranslationGroup, history: GitHistory | None, files: Mapping[str, bytes],
             default_language: str) -> list[Stale]:
    """The stale versions of one story; `files` holds the bytes of its files that are in git,
    for uncommitted edits."""
    if len(story.versions) < 2:
        return []
    if history is not None and any(v.source in history.blobs for v in story.versions):
        return _by_history(story.versions, history, files, default_language)
    return _by_fingerprint(story.versions)


def _by_history(versions: tuple[Article, ...], history: GitHistory, files: Mapping[str, bytes],
                default_language: str) -> list[Stale]:
    """The original is the version added first; of versions added together, one without
    `translated_from`, then the default language's, then the first configured one. Every version
    last changed before the original's last change fell behind it."""
    order = {v.source: n for n, v in enumerate(versions)}
    original = max(versions, key=lambda v: (history.first_added(v.source),
                                            v.translated_from is None,
                                            v.lang == default_language, -order[v.source]))
    source_age, source_change = history.last_change(original.source,
                                                    files.get(original.source))
    stale = []
    for version in versions:
        if version is original:
            continue
        age, change = history.last_change(version.source, files.get(version.source))
        if source_age < age:
            stale.append(Stale(version.source, original, "git history",
                               f"its original {original.source} changed in {source_change}, "
                               f"after this translation's last change in {change}"))
    return stale


def _by_fingerprint(versions: tuple[Article, ...]) -> list[Stale]:
    stale = []
    for version in versions:
        if version.translated_from is None:
            continue
        others = [v for v in versions if v is not version]
        if any(v.fingerprint == version.translated_from for v in others):
            continue
        original = next((v for v in others if v.translated_from is None), others[0])
        stale.append(Stale(version.source, original, "translated_from",
                           f"its original {original.source} changed after it was translated "
                           f"(translated_from: {version.translated_from} no longer matches; "
                           f"once it is brought up to date, set translated_from: "
                           f"{original.fingerprint})"))
    return stale


def day(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")

"""Which translations fell behind their original: the newsroom's question after every correction.

Two ways to know. In a git repository, the history says when each version last changed: a
translation is stale when its original was committed after it. Outside git, `sitegen new
--translation-of` records the original's fingerprint in the translation's `translated_from`; the
translation is stale once no other version of the story has that fingerprint any more.
"""

from __future__ import annotations

import functools
import hashlib
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
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
class GitHistory:
    """When each article file was added and last changed, as ages: 0 is the newest commit, -1 the
    working tree (uncommitted changes)."""

    head: str
    added: dict[str, int]  # file relative to the site -> age of the commit that added it
    changed: dict[str, tuple[int, str]]  # file -> (age, "commit (date)") of its last change
    blobs: dict[str, str]  # file -> its git blob id at HEAD

    def last_change(self, source: str, data: bytes | None) -> tuple[int, str]:
        """(age, which commit) of the file's last change; uncommitted bytes are newest of all."""
        if source not in self.blobs or data is None or _blob_id(data) != self.blobs[source]:
            return (-1, "the working copy (not committed yet)")
        return self.changed.get(source, (-1, "the working copy (not committed yet)"))

    def first_added(self, source: str) -> int:
        return self.added.get(source, -1) if source in self.blobs else -1


def read_history(site_dir: Path, content: str = "content") -> GitHistory | None:
    """The git history of the site's articles, or None where the site is not in a git
    repository (or git is not installed)."""
    head = _git(site_dir, "rev-parse", "--show-prefix", "HEAD")
    if head is None:
        return None
    prefix, _, commit = head.strip("\n").rpartition("\n")
    return _history(str(site_dir), prefix, commit.strip(), content)


@functools.lru_cache(maxsize=4)
def _history(site_dir: str, prefix: str, head: str, content: str) -> GitHistory | None:
    """Read once per commit: the live preview asks on every save."""
    log = _git(Path(site_dir), "log", "-z", "--format=%x1e%H %ct", "--name-only",
               "--no-renames", "--", content)
    tree = _git(Path(site_dir), "ls-tree", "-r", "-z", "HEAD", "--", content)
    if log is None or tree is None:
        return None
    added: dict[str, int] = {}
    changed: dict[str, tuple[int, str]] = {}
    for age, record in enumerate(log.split("\x1e")[1:]):
        header, *names = record.split("\0")
        commit, when = header.split()
        described = f"commit {commit[:10]} of {_day(int(when))}"
        for name in (n.lstrip("\n") for n in names):
            if name.startswith(prefix):
                changed.setdefault(name[len(prefix):], (age, described))
                added[name[len(prefix):]] = age
    blobs = {}
    for entry in filter(None, tree.split("\0")):
        meta, _, name = entry.partition("\t")
        if name.startswith(prefix):
            blobs[name[len(prefix):]] = meta.split()[2]
    return GitHistory(head, added, changed, blobs)


def _git(site_dir: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(site_dir), "-c", "core.quotepath=off", *args],
                              capture_output=True, text=True, encoding="utf-8",
                              errors="surrogateescape", check=False)
    except OSError:  # no git on this machine
        return None
    return done.stdout if done.returncode == 0 else None


def _blob_id(data: bytes) -> str:
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


def _day(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")

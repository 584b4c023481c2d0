"""Every URL a published version had in an earlier commit: what the automatic redirects keep.

A URL is made from a few front matter fields (language, section, slug or title) and the file's
name, so an earlier version's URL is read from its front matter alone, never by rendering it:
`url_facts()` reads what `content.parse` would, with the parser's own helpers, and agrees with it
on every file the parser accepts. The facts of a blob never change, so the build keeps them by
blob id; only blobs it has never seen are read, all in one `git cat-file --batch`, and a blob
that is the file the build has just parsed is not read at all. The URLs a commit's history
holds are kept for that commit too: a build at the same commit walks no history.

A version is followed through its file's renames (git's `-M`), and by its translation key and
language where it has one. A version that leaves its section or date to its story takes them
from the story's first version that has them in the same commit, as the build did then; its
story there is found in one step (the files paired with it by name or by translation key).

A shallow clone (a host's build server) holds only the newest commits. The build cache keeps the
URLs the last build found (`Published`), so a shallow clone adds those it cannot see itself: a
site whose history one build read whole keeps every redirect in later shallow builds, as long as
the cache is kept between them. Only where no build ever read it whole is the missing history
reported.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import subprocess
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import astuple, dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo

from . import content, discover, frontmatter, urls
from .config import SiteConfig
from .content import Article, ParseSettings
from .errors import BuildFailed, text_of
from .staleness import Commit, GitHistory, GitLog, blob_id, day


@dataclass(frozen=True, slots=True)
class UrlFacts:
    """What a version's URL, publication and story are made from, as its own file says."""

    lang: str
    section: str  # "" where neither the file nor its folder gives one
    slug: str
    translation_key: str | None
    pair_name: str  # pairs `x.en.md` with `x.es.md`, as `Article.pair_name`
    draft: bool
    timestamp: float | None  # None where the file gives no date
    url_line: int

    def record(self) -> list[Any]:
        """As the build cache stores it."""
        return [self.lang, self.section, self.slug, self.translation_key, self.pair_name,
                self.draft, self.timestamp, self.url_line]

    @classmethod
    def of_record(cls, record: list[Any]) -> UrlFacts:
        return cls(*record)


class _EverySection(tuple[str, ...]):
    """Every section name counts as declared: a section an earlier version had may since have
    been renamed or dropped from the configuration, and its URLs still deserve redirects."""

    def __contains__(self, item: object) -> bool:
        return True


_EVERY_SECTION = _EverySection()


def fact_settings(config: SiteConfig) -> ParseSettings:
    """What the facts depend on besides the file: the languages and the timezone (of naive
    dates). The sections' URL segments come in only when URLs are made, so relabelling a
    section reads no blob again."""
    return ParseSettings(config.codes, config.default_language, config.timezone, (), "")


def facts_key(blob: str, rel: str, settings: ParseSettings) -> str:
    """The memo key of a blob's facts at a path: the path gives its language and section."""
    return hashlib.blake2b(f"{blob}\0{rel}\0{settings.languages!r}\0"
                           f"{settings.default_language}\0{settings.timezone}"
                           .encode("utf-8", "surrogateescape"), digest_size=20).hexdigest()


def url_facts(rel: str, data: bytes, settings: ParseSettings) -> UrlFacts | None:
    """The facts of a file's URL, as `content.parse` finds them; None where they are not all
    there (a file the build would have refused makes no URL)."""
    try:
        matter = frontmatter.split(text_of(data, rel), rel)
    except BuildFailed:
        return None
    fields, wrong = matter.fields, []

    def problem(key: str | None, message: str) -> None:
        wrong.append(message)

    name = PurePosixPath(rel)
    stem, suffix_lang = content._split_name(name.name)
    title = content._text(fields, "title", problem, required=True)
    lang = content._language(fields.get("lang"), suffix_lang, settings, problem)
    page = content.is_page(rel)  # a page of the publication: no section, out since ever
    when = content.UNDATED if page else \
        content._moment(fields, "date", ZoneInfo(settings.timezone), problem)
    section = "" if page else content._section(fields, name.parent, _EVERY_SECTION, problem)
    slug = content._slug(fields, title, stem, problem)
    draft, key = fields.get("draft", False), fields.get("translation_key")
    if wrong or lang is None or not isinstance(draft, bool) or isinstance(key, bool) \
            or not isinstance(key, (str, int, type(None))):
        return None
    lines = matter.lines
    return UrlFacts(lang, section, slug, None if key is None else str(key),
                    str(name.parent / stem), draft, when.timestamp() if when else None,
                    lines["slug"] if "slug" in lines else lines.get("title", 1))


def facts_of(article: Article) -> UrlFacts:
    """The facts of a file the build has parsed already (its own fields, before inheritance)."""
    return UrlFacts(article.lang, article.section if "section" in article.given else "",
                    article.slug, article.translation_key, article.pair_name, article.draft,
                    article.timestamp if article.dated else None, article.url_line)


def url_of(facts: UrlFacts, section: str, config: SiteConfig) -> str:
    """The URL path the facts make with a section, under today's section labels."""
    segment = config.language(facts.lang).section_segment(section) if section else ""
    return urls.article(facts.lang, segment, facts.slug)


# The states of files the history holds ---------------------------------------------------------

State = tuple[str, str]  # (blob, file relative to the site): one version of a file
# The memo of facts: each key's facts, made by the given function where not known (given the
# places of the keys it must make).
Remembered = Callable[[Sequence[str], Callable[[list[int]], Iterable["UrlFacts | None"]]],
                      list["UrlFacts | None"]]
# The memo of a commit's URLs: the text kept for the key, or made by the given function.
Kept = Callable[[str, Callable[[], str]], str]
# The record of the URLs earlier builds published: the given function makes the new text of
# the text kept ("" if none), which is kept instead.
Renewed = Callable[[Callable[[str], str]], str]


def states(log: GitLog) -> list[State]:
    """Every version of an article file that some commit made, each once, newest first."""
    found: dict[State, None] = {}
    for commit in log.commits:
        for change in commit.changes:
            if change.blob is not None and is_article(change.path):
                found[(change.blob, change.path)] = None
    return list(found)


def is_article(path: str) -> bool:
    """A file the build reads as an article (as `discover.content_files` finds them)."""
    return path.endswith(discover.ARTICLE_SUFFIXES) and \
        not any(map(discover.ignored, path.split("/")[1:]))


def read_facts(site_dir: Path, wanted: Sequence[State], settings: ParseSettings,
               current: Mapping[str, tuple[str, Article]]) -> list[UrlFacts | None]:
    """The facts of each state: from the article the build parsed where the file is unchanged
    since (`current`: file -> (its blob id, its article)), else read from git, every blob in
    one `git cat-file --batch`."""
    found: list[UrlFacts | None] = [None] * len(wanted)
    unread: dict[str, list[int]] = {}
    for n, (blob, rel) in enumerate(wanted):
        known = current.get(rel)
        if known is not None and known[0] == blob:
            found[n] = facts_of(known[1])
        else:
            unread.setdefault(blob, []).append(n)
    for blob, data in read_blobs(site_dir, list(unread)).items():
        for n in unread[blob]:
            found[n] = url_facts(wanted[n][1], data, settings)
    return found


def read_blobs(site_dir: Path, blobs: Sequence[str]) -> dict[str, bytes]:
    """The bytes of each blob git has (a shallow or partial clone may lack some), by one
    `git cat-file --batch`."""
    if not blobs:
        return {}
    try:
        done = subprocess.run(["git", "-C", str(site_dir), "cat-file", "--batch"],
                              input="".join(f"{blob}\n" for blob in blobs).encode(),
                              capture_output=True, check=False)
    except OSError:
        return {}
    if done.returncode != 0:
        return {}
    out, at, found = done.stdout, 0, {}
    while at < len(out):
        end = out.index(b"\n", at)
        header = out[at:end].split()
        at = end + 1
        if len(header) != 3:  # `<blob> missing`
            continue
        size = int(header[2])
        found[header[0].decode()] = out[at:at + size]
        at += size + 1
    return found


def url_history(history: GitHistory | None, files: Sequence[tuple[str, bytes]],
                articles: Sequence[Article], config: SiteConfig, clock: float,
                remembered: Remembered, kept: Kept, published: Renewed | None = None
                ) -> UrlHistory:
    """Every URL the site's versions had in its git history (none outside git) and had
    published by `clock`. The URLs of a commit are `kept` by the build's memo (given their key
    and what makes them); making them reads the log, and the facts of each blob from
    `remembered` (the memo, given the keys and what makes the missing ones) or else from git.
    A shallow clone adds the URLs that earlier builds `published` from a deeper history."""
    if history is None:
        return UrlHistory(())
    log = history.log

    def walk() -> str:
        settings = fact_settings(config)
        wanted = states(log)
        by_source = {article.source: article for article in articles}
        data = dict(files)

        def read(places: list[int]) -> list[UrlFacts | None]:
            names = {wanted[n][1] for n in places} & by_source.keys() & data.keys()
            current = {name: (blob_id(data[name]), by_source[name]) for name in names}
            return read_facts(Path(history.site_dir), [wanted[n] for n in places], settings,
                              current)

        facts = remembered([facts_key(blob, rel, settings) for blob, rel in wanted], read)
        found = Published(published_key(history, config), not history.shallow,
                          tuple(past_urls(log, dict(zip(wanted, facts)), config)))
        if published is None:
            return found.text()
        return published(lambda before: found.after(Published.of_text(before), log).text())

    # A kept record that cannot be read (an earlier sitegen's) is made again.
    made = Published.of_text(kept(urls_key(history, config), walk)) or Published.of_text(walk())
    urls, complete = (made.urls, made.complete) if made is not None else ((), False)
    return UrlHistory(tuple(p for p in urls if p.published <= min(p.until, clock)),
                      _shallow_warning(log.commits) if history.shallow and not complete
                      else ())


def urls_key(history: GitHistory, config: SiteConfig) -> str:
    """What the URLs of the history are made from: the commit, and the languages, timezone
    and section labels of today's configuration."""
    return hashlib.blake2b(repr((history.head, history.shallow, published_key(history, config)))
                           .encode(), digest_size=20).hexdigest()


def published_key(history: GitHistory, config: SiteConfig) -> str:
    """What makes the URLs of any commit: where the site is in the repository, and the
    languages, timezone and section labels of today's configuration."""
    return hashlib.blake2b(repr((history.prefix, history.content, config.codes,
                                 config.default_language, config.timezone,
                                 [sorted(language.sections.items())
                                  for language in config.languages])).encode(),
                           digest_size=20).hexdigest()


@dataclass(frozen=True, slots=True)
class Published:
    """The URLs a build found in the history, kept for the next builds: `complete` where the
    history they come from reaches the first commit (no shallow clone), or where a shallow
    clone's were added to a complete record of an earlier build."""

    key: str  # published_key(): records of another key are of other URLs
    complete: bool
    urls: tuple[PastUrl, ...]

    def text(self) -> str:
        return json.dumps({"key": self.key, "complete": self.complete,
                           "urls": [list(astuple(p)) for p in self.urls]})

    @classmethod
    def of_text(cls, text: str) -> Published | None:
        """The record a text holds; None for none, or a damaged one."""
        try:
            fields = json.loads(text)
            return cls(str(fields["key"]), fields["complete"] is True,
                       tuple(PastUrl(*url) for url in fields["urls"]))
        except (ValueError, TypeError, KeyError):
            return None

    def after(self, earlier: Published | None, log: GitLog) -> Published:
        """This build's record, given the record of the build before: a complete history needs
        nothing else; a shallow one carries over the URLs the earlier build published that it
        does not hold, and is as complete as that build's."""
        if self.complete or earlier is None or earlier.key != self.key:
            return self
        return Published(self.key, earlier.complete, _carried(earlier.urls, self.urls, log))


def _carried(earlier: Sequence[PastUrl], found: Sequence[PastUrl],
             log: GitLog) -> tuple[PastUrl, ...]:
    """The URLs of a shallow history with those an earlier build published that it does not
    hold: a URL that was still held then, and that the oldest commit of the clone no longer
    gives, was given up before that commit."""
    held = {(p.path, p.version, p.translation_key, p.lang) for p in found}
    oldest = log.commits[-1] if log.commits else None
    carried = []
    for past in earlier:
        if (past.path, past.version, past.translation_key, past.lang) in held:
            continue
        if math.isinf(past.until) and oldest is not None:
            past = dataclasses.replace(past, until=max(float(oldest.time), past.published),
                                       ended_by=f"a commit before {oldest.described()}")
        carried.append(past)
    return tuple(sorted((*carried, *found), key=lambda p: (p.until, p.source, p.path)))


# Which URLs each version had ---------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class PastUrl:
    """A URL a published version had, until a commit gave it another (or the working tree)."""

    path: str  # the URL path it had, relative to the site
    lang: str
    version: str | None  # the file it is now, following renames; None if the file is gone
    translation_key: str | None
    source: str  # its file then
    published: float  # when the version came out (it was no draft)
    until: float  # when it stopped being this version's URL; infinite: it still is, at HEAD
    ended_by: str  # the commit that changed it: "commit 0123456789 of 2024-05-01 12:00 UTC"


@dataclass(frozen=True, slots=True)
class UrlHistory:
    urls: tuple[PastUrl, ...]
    warnings: tuple[str, ...] = ()


WORKING_TREE = "the working tree (not committed yet)"


def past_urls(log: GitLog, facts: Mapping[State, UrlFacts | None],
              config: SiteConfig) -> list[PastUrl]:
    """Every URL an article file gave a version that came out before the URL changed, oldest
    first; the URLs still held at HEAD last, as held until now (the working tree may have
    changed them)."""
    commits = log.commits
    became = _renames(commits, set(log.blobs))
    walk = _Walk(facts, config)
    for age in range(len(commits) - 1, -1, -1):
        walk.commit(commits[age], age, became)
    walk.close_all()
    return walk.found


def _shallow_warning(commits: Sequence[Commit]) -> tuple[str, ...]:
    if not commits:
        return ()
    warning = (f"this clone of the site's git repository is shallow: URLs that articles had "
               f"before its oldest commit ({day(commits[-1].time)}) do not redirect; fetch the "
               "whole history (`git fetch --unshallow`) before building (once is enough where "
               "the build cache is kept between builds)")
    return (warning,)


def _renames(commits: Sequence[Commit], at_head: set[str]
             ) -> dict[tuple[int, str], str | None]:
    """(age of a commit, file it changed) -> the file at HEAD it became, following renames
    from the newest commit back; None where the file was deleted since."""
    alive = {path: path for path in at_head}
    became: dict[tuple[int, str], str | None] = {}
    for age, commit in enumerate(commits):
        for change in commit.changes:
            if change.blob is not None:
                became[(age, change.path)] = alive.get(change.path)
        moved = {change.old_path: alive.get(change.path) for change in commit.changes
                 if change.old_path is not None}
        for change in commit.changes:
            if change.status in ("A", "D", "R"):
                alive.pop(change.path, None)  # before this commit, no file of that name led here
        alive.update((old, now) for old, now in moved.items() if now is not None)
    return became


@dataclass(slots=True)
class _Claim:
    """A URL one file gave its version from one commit on."""

    path: str
    facts: UrlFacts
    timestamp: float | None  # its own date, or its story's
    version: str | None

    def same(self, other: _Claim) -> bool:
        return (self.path, self.facts.draft, self.timestamp) == \
            (other.path, other.facts.draft, other.timestamp)


class _Walk:
    """The site's files from the oldest commit to HEAD, with the URL each gave its version."""

    def __init__(self, facts: Mapping[State, UrlFacts | None], config: SiteConfig) -> None:
        self.facts, self.config = facts, config
        self.order = {code: n for n, code in enumerate(config.codes)}
        self.tree: dict[str, UrlFacts] = {}  # file -> the facts of its version at this commit
        self.version: dict[str, str | None] = {}  # file -> the file at HEAD it became
        self.stories: dict[tuple[str, str], set[str]] = {}  # ("name"/"key", link) -> files
        self.claims: dict[str, _Claim] = {}  # file -> the URL it gives now
        self.found: list[PastUrl] = []

    def commit(self, commit: Commit, age: int,
               became: Mapping[tuple[int, str], str | None]) -> None:
        touched: set[str] = set()
        for change in commit.changes:
            for name in change.names:
                if is_article(name):
                    touched.add(name)
                    self._remove(name)
            if change.blob is not None and is_article(change.path):
                facts = self.facts.get((change.blob, change.path))
                if facts is not None:
                    self._put(change.path, facts, became.get((age, change.path)))
        described = commit.described()
        for name in self._affected(touched):
            self._claim(name, commit.time, described)

    def close_all(self) -> None:
        for name in list(self.claims):
            self._end(self.claims.pop(name), name, math.inf, WORKING_TREE)

    def _put(self, name: str, facts: UrlFacts, version: str | None) -> None:
        self.tree[name], self.version[name] = facts, version
        for link in _links(facts):
            self.stories.setdefault(link, set()).add(name)

    def _remove(self, name: str) -> None:
        facts = self.tree.pop(name, None)
        if facts is not None:
            for link in _links(facts):
                self.stories[link].discard(name)

    def _affected(self, touched: set[str]) -> list[str]:
        """The files touched, and the files of their stories that take a section or a date
        from them (before or after the commit)."""
        found = set(touched)
        for name in touched:
            for other in self._story(name, self.claims.get(name)):
                facts = self.tree.get(other)
                if facts is not None and (not facts.section or facts.timestamp is None):
                    found.add(other)
        return sorted(found)

    def _story(self, name: str, claim: _Claim | None) -> set[str]:
        """The files linked to `name` now, or by the facts it had when it made its claim."""
        found: set[str] = set()
        for facts in (self.tree.get(name), claim.facts if claim else None):
            if facts is not None:
                for link in _links(facts):
                    found |= self.stories.get(link, set())
        return found

    def _claim(self, name: str, when: float, ended_by: str) -> None:
        before = self.claims.get(name)
        facts = self.tree.get(name)
        now = None
        if facts is not None:
            section = facts.section or self._inherited(name, lambda f: f.section) or ""
            timestamp = facts.timestamp if facts.timestamp is not None else \
                self._inherited(name, lambda f: f.timestamp)
            now = _Claim(url_of(facts, section, self.config), facts, timestamp,
                         self.version.get(name))
        if before is not None and now is not None and before.same(now):
            return
        if before is not None:
            self._end(before, name, when, ended_by)
        if now is not None:
            self.claims[name] = now
        else:
            self.claims.pop(name, None)

    def _inherited(self, name: str, field: Any) -> Any:
        """The field from the story's first version, in the order of languages, that has it."""
        others = sorted((self.order.get(f.lang, len(self.order)), other, f)
                        for other in self._story(name, None) if other != name
                        for f in (self.tree[other],))
        return next((field(f) for _, _, f in others if field(f) is not None and field(f) != ""),
                    None)

    def _end(self, claim: _Claim, name: str, until: float, ended_by: str) -> None:
        """Keep the URL if the version came out before it changed."""
        if claim.facts.draft or claim.timestamp is None or claim.timestamp > until:
            return
        self.found.append(PastUrl(claim.path, claim.facts.lang, claim.version,
                                  claim.facts.translation_key, name, claim.timestamp, until,
                                  ended_by))


def _links(facts: UrlFacts) -> Iterable[tuple[str, str]]:
    yield ("name", facts.pair_name)
    if facts.translation_key is not None:
        yield ("key", facts.translation_key)

"""The pipeline, top to bottom: read → parse → group → assemble → outputs → publish.

Each stage is a function of plain, immutable values, and none of them knows of the cache. The
memory that makes builds fast sits between them, in `build_site()` only: the article memo around
parsing, the page records handed to publishing, and the site key that stops a build with nothing
new. So a cached, parallel build writes exactly what a cold, single-process build writes.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import os
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING, Any, TypeVar, overload

from . import config as site_config
from . import discover, l10n, parallel, staleness, translations, urls
from .assemble import BuildOptions, Site, assemble, is_news
from .cache import Cache, open_cache, stored_record
from .code import code_digest
from .content import (
    UNDATED,
    Article,
    Parsed,
    ParseSettings,
    backlink_title,
    declared_sections,
    parse,
)
from .errors import BuildFailed, Diagnostic, cannot_read, error, in_stage
from .inherit import inherit
from .progress import Progress, no_progress
from .theme import Theme
from .translations import TranslationGroup
from .typography import quotation_marks
from .write import (
    MANIFEST,
    Mirroring,
    WriteReport,
    Written,
    check_output_dir,
    file_digest,
    holds,
    is_mirror,
    mirror,
    retimed,
)

if TYPE_CHECKING:  # the rendering half is imported only by builds that have work to do
    from .outputs import Copy, Output, SiteOutputs
    from .photos import Facts, Rendition
    from .publish import Environment, Publication
    from .render import Renderer
    from .search import SearchIndex

T = TypeVar("T")
LARGE = 5_000  # articles of a site whose output (some 20,000 files) is looked at beside the build


@dataclass(frozen=True, slots=True)
class BuildResult:
    config: site_config.SiteConfig
    articles: int  # published article versions
    files: int
    report: WriteReport
    warnings: tuple[str, ...] = ()  # what went wrong without spoiling the output


def build(site_dir: Path, options: BuildOptions, out_dir: Path | None = None,
          base_url: str | None = None, jobs: int | None = None, use_cache: bool = True,
          waiting: Callable[[], None] = lambda: None,
          progress: Progress = no_progress) -> BuildResult:
    """Build the site into `out_dir` (default `public/`); nothing changes unless all went well.
    One build of a site runs at a time: another one waits, after calling `waiting`."""
    config = load_config(site_dir, base_url)
    out = out_dir if out_dir is not None else config.site_dir / "public"
    check_output_dir(config.site_dir, out)
    with one_build_at_a_time(config.site_dir, waiting):
        memo = open_cache(config.site_dir, use_cache)
        try:
            return build_site(config, out, options, memo, jobs or parallel.default_jobs(),
                              progress).result
        finally:
            memo.close()


@dataclass(frozen=True, slots=True)
class Plan:
    """The site and every file it writes, with their keys, before anything is rendered."""

    article_keys: tuple[str, ...]  # of each article file
    articles: tuple[Article, ...]  # of each article file
    stories: tuple[TranslationGroup, ...]
    site: Site
    outputs: SiteOutputs
    env: Environment
    keys: dict[str, str]  # every output file's key
    warnings: tuple[str, ...] = ()  # worth saying, such as old URLs that cannot redirect
    stale: dict[str, str] = field(default_factory=dict)  # stale translation -> its original

    def work(self, outputs: Mapping[str, Output] | None = None) -> Work:
        """What publishing it is given; `outputs` by file, if not the plan's own."""
        return Work(self.env, outputs if outputs is not None else
                    {o.file: o for o in self.outputs.rendered},
                    {c.file: c for c in self.outputs.copies},
                    {r.file: r for r in self.outputs.renditions}, self.outputs.search)


@dataclass(frozen=True, slots=True)
class Work:
    """What publishing is given: every output, copy and file made from an image, by file, and
    what renders them."""

    env: Environment
    outputs: Mapping[str, Output]
    copies: Mapping[str, Copy]
    renditions: Mapping[str, Rendition]
    search: SearchIndex | None


@dataclass(frozen=True, slots=True)
class Built:
    """What one build made, for whoever keeps it until the next (the live preview)."""

    result: BuildResult
    inputs: SiteInputs
    plan: Plan | None  # None: nothing had changed, or articles were swapped in; nothing planned


def build_site(config: site_config.SiteConfig, out: Path, options: BuildOptions, memo: Cache,
               jobs: int = 1, progress: Progress = no_progress, trusted: bool = False,
               swap: bool = True) -> Built:
    """The whole pipeline. `trusted`: only sitegen writes `out` (the live preview's folder),
    so its record is believed without a look at the files. `swap`: where only the words of
    known articles changed, swap them into what the last build into `out` planned
    (`swap.py`); else plan every build, and keep no plan (the live preview keeps its own)."""
    remembered = (memo.site_key(out) or "").split(" ")  # the key and its count of articles
    # A large output takes as long to look at as the sources to read: it is looked at beside
    # (a small one costs less than the process).
    looking = parallel.Beside(_look_at_output, memo.path, out) \
        if memo.path is not None and not trusted and remembered[-1].isdigit() \
        and int(remembered[-1]) >= LARGE else None
    try:
        progress("reading", 0, 0)
        inputs = _stage("read", SiteInputs.read, config,
                        functools.partial(remembered_digests, memo))
        keys = _stage("read", known_keys, inputs, memo)
        known = site_key(inputs, keys, options, memo.article_dates())
        held = _held_output(looking, memo, out, trusted) \
            if known is not None and remembered[0] == known else None
    finally:
        if looking is not None:
            looking.stop()
    if held is not None:
        return Built(BuildResult(config, int(remembered[-1]), held, WriteReport(0, held, 0),
                                 tuple(memo.warnings)), inputs, None)
    written = memo.written(out)
    with _mirrored(memo, out, written) as mirroring:
        if swap:
            swapped = _swapped_build(inputs, keys, options, memo, out, jobs, progress,
                                     trusted, mirroring)
            if swapped is not None:
                return Built(swapped, inputs, None)
        plan = plan_site(inputs, keys, options, memo, jobs, progress)
        memo.remember_plan(out, None)  # until this one is remembered whole
        done = _stage("publish", publish_site, memo, out, inputs, plan.work(), plan.keys,
                      trusted, jobs, progress, mirroring, mirrored_later=True)
        try:
            result = BuildResult(config, plan.site.published_count, len(done.output),
                                 done.report, tuple(memo.warnings) + plan.warnings)
            dates = memo.article_dates()
            published = publication(keys, options, dates) \
                if all(k in dates for k in keys) else None
            if swap:
                from .swap import remember

                frame = frame_key(inputs, keys, options, dates, published)
                _stage("remember", remember, memo, out, plan, frame, result.articles)
            remember_site(memo, out, site_key(inputs, keys, options, dates, published), result)
        finally:
            _kept_when_made(memo, out, done.mirrored)
        return Built(result, inputs, plan)


def _swapped_build(inputs: SiteInputs, keys: Sequence[str], options: BuildOptions,
                   memo: Cache, out: Path, jobs: int, progress: Progress,
                   trusted: bool, mirroring: Mirroring | None) -> BuildResult | None:
    """The build that swaps changed articles into the last plan's records, or None where it
    does not apply (or a record turns out unreadable): then the site is planned."""
    from .records import Unreadable
    from .swap import swap_build

    published: list[tuple[list[int], list[int]]] = []  # as the frame found them

    def frame(dates: dict[str, tuple[float, bool]]) -> str | None:
        if any(key not in dates for key in keys):
            return None
        published.append(publication(keys, options, dates))
        return frame_key(inputs, keys, options, dates, published[-1])

    swapped = _stage("swap", swap_build, inputs, keys, memo, out, frame)
    if swapped is None:
        return None
    work = Work(swapped.env, swapped.outputs, swapped.copies, swapped.renditions,
                swapped.search)
    try:
        done = _stage("publish", publish_site, memo, out, inputs, work, swapped.keys, trusted,
                      jobs, progress, mirroring)
    except Unreadable:
        return None
    swapped.remember(memo, out)
    result = BuildResult(inputs.config, swapped.remembered.count, len(done.output),
                         done.report, tuple(memo.warnings) + swapped.remembered.warnings)
    remember_site(memo, out, site_key(inputs, keys, options, memo.article_dates(),
                                      published[-1]), result)
    return result


def _look_at_output(cache: Path, out: Path) -> tuple[int, dict[str, Written] | None]:
    """The number of files of the output's record, and the records of those whose time
    changed and bytes did not if the folder still holds them all (`write.retimed`), else None;
    by a process beside the build (`parallel.Beside`), which reads the record itself."""
    written = stored_record(cache, out)
    if written is None:
        raise LookupError("the record of the output cannot be read here")
    return len(written), retimed(out, written)


def _held_output(looking: parallel.Beside | None, memo: Cache, out: Path, trusted: bool
                 ) -> int | None:
    """The number of files of the output folder if it still holds what the memo's record says
    (where only their times changed, the record is renewed), else None."""
    seen = looking.result() if looking is not None else None
    if seen is None:  # not looked at beside: looked at here
        written = memo.written(out)
        held = holds(out, written, not trusted)
        if held is not None and held is not written:  # the same bytes with new times
            memo.record(out, held)
        return None if held is None else len(held)
    count, retimed_files = seen
    if retimed_files:  # the folder was copied
        memo.record(out, {**memo.written(out), **retimed_files})
    return None if retimed_files is None else count


@contextmanager
def _mirrored(memo: Cache, out: Path, written: dict[str, Written]
              ) -> Iterator[Mirroring | None]:
    """Where the tree kept beside the output does not mirror it (a deploy's output, restored
    without it), it is made meanwhile, by a process of its own (`write.mirror`)."""
    kept = memo.kept_tree(out)
    mirroring = mirror(out, kept, written) if kept is not None and written and \
        (out / MANIFEST).is_file() and not (memo.mirrors(out) and is_mirror(out, kept)) \
        else None
    try:
        yield mirroring
    finally:
        if mirroring is not None:
            mirroring.stop()


def _kept_when_made(memo: Cache, out: Path, mirrored: bool | Mirroring) -> None:
    """A first build's tree kept beside the output is made while it remembers the plan: it
    counts once it is whole. Waited for whatever happens, so that no build of the site starts
    while it is being made."""
    if isinstance(mirrored, Mirroring) and mirrored.wait():
        memo.remember_mirror(out, True)


def remember_site(memo: Cache, out: Path, key: str | None, result: BuildResult) -> None:
    """The site `out` now holds, with its count of articles for the next no-change build."""
    memo.remember_site(out, None if key is None else f"{key} {result.articles}")


def publish_site(memo: Cache, out: Path, inputs: SiteInputs, work: Work, keys: dict[str, str],
                 trusted: bool, jobs: int = 1, progress: Progress = no_progress,
                 mirroring: Mirroring | None = None, index_later: bool = False,
                 changed: Collection[str] | None = None,
                 mirrored_later: bool = False,
                 renderers: dict[str, Renderer] | None = None) -> Publication:
    """Publish every output (those whose key the folder holds are kept) with the memo's
    records of the output folder and of the tree kept beside it (`mirroring`: being made),
    and record what both hold afterwards; `mirrored_later`: the caller records the kept
    tree once it is made (`_kept_when_made`). `index_later`, `changed`, `renderers`: as
    `publish`."""
    from .publish import Records, publish

    kept = memo.kept_tree(out)
    mirrors = mirroring.take if mirroring is not None else memo.mirrors(out)
    records = Records(memo.written(out), kept, mirrors, trusted, memo.search_index(out))
    memo.remember_mirror(out, False)  # until this build has brought it up to the output
    done = publish(inputs.config, inputs.theme, work.env, work.outputs, work.copies, keys, out,
                   records, jobs, progress, memo.compiled_templates(),
                   memo.compiled_catalogs(), work.renditions,
                   memo.made_images(), work.search, index_later, changed, renderers)
    memo.record(out, done.output, changed if changed is not None and done.report.removed == 0
                else None)
    memo.remember_mirror(out, done.mirrored is True)
    if not mirrored_later:
        _kept_when_made(memo, out, done.mirrored)
    memo.remember_search_index(out, done.search)
    return done


def plan_site(inputs: SiteInputs, keys: Sequence[str], options: BuildOptions, memo: Cache,
              jobs: int = 1, progress: Progress = no_progress) -> Plan:
    """From the files read to every output and its key."""
    from .history import url_history
    from .outputs import site_outputs, with_redirects
    from .photos import site_photos
    from .publish import environment, output_keys
    from .redirects import site_redirects

    config = inputs.config
    parsed = _stage("parse", memo.parsed, keys,
                    lambda missing: parse_articles(inputs, missing, jobs, progress,
                                                   memo.compiled_catalogs()))
    articles = _parsed_or_fail(parsed, config.codes)
    progress("assembling", 0, 0)
    stories = _stage("group", translations.group, articles, config.codes)
    stories = _stage("inherit", inherit, stories, config)
    stale = _stage("staleness", staleness.stale_translations, stories, inputs.history,
                   inputs.files, config.default_language)
    site = _stage("assemble", assemble, config, site_places(inputs, memo.compiled_catalogs()),
                  stories, options, {s.translation: s.original for s in stale.values()})
    photos = _stage("images", site_photos, site, inputs.static, inputs.media,
                    functools.partial(examine_images, memo, jobs))
    outputs = _stage("outputs", site_outputs, site, inputs.theme, inputs.static, photos)
    past = _stage("history", url_history, inputs.history, inputs.files, articles, config,
                  options.clock, memo.url_facts, functools.partial(memo.kept, "history-urls"),
                  functools.partial(memo.renewed, "history-published"))
    moved = _stage("redirects", site_redirects, site, past, outputs)
    if moved.redirects:
        outputs = _stage("outputs", with_redirects, outputs, site, moved)
    env = environment(site, inputs.theme, inputs.catalogs)
    return Plan(tuple(keys), tuple(articles), stories, site, outputs, env,
                output_keys(outputs, env), moved.warnings,
                {s.translation: s.original.source for s in stale.values()})


def _stage(name: str, step: Callable[..., T], *args: object, **options: object) -> T:
    """Run one stage; an error that is not the site's (a bug, a disk) says which stage."""
    try:
        return step(*args, **options)
    except BuildFailed:
        raise
    except Exception as exc:
        in_stage(exc, name)
        raise


@contextmanager
def one_build_at_a_time(site_dir: Path, waiting: Callable[[], None]) -> Iterator[None]:
    """Hold the site's build lock: an advisory lock on the site folder itself, so that no file
    is made for it and a killed build's lock goes with its process."""
    folder = os.open(site_dir, os.O_RDONLY)
    try:
        try:
            fcntl.flock(folder, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            waiting()
            fcntl.flock(folder, fcntl.LOCK_EX)
        yield
    finally:
        os.close(folder)


def load_config(site_dir: Path, base_url: str | None = None) -> site_config.SiteConfig:
    config = site_config.load(site_dir)
    return config if base_url is None else site_config.with_base_url(config, base_url)


# Reading --------------------------------------------------------------------------------------

class ArticleFiles(Sequence[tuple[str, bytes]]):
    """Every article file as (path relative to the site, its bytes), each read when first asked
    for; and each one's signature (size, times, inode) from a look at the file, by which the
    build's memo may know its bytes without reading them."""

    def __init__(self, names: tuple[str, ...], paths: tuple[str, ...],
                 signatures: tuple[tuple[int, ...], ...],
                 read: dict[int, bytes] | None = None) -> None:
        self.names, self.paths, self.signatures = names, paths, signatures
        self._read: dict[int, bytes] = dict(read or {})
        self._digests: dict[int, str] = {}
        self._places: dict[str, int] | None = None  # by name, made when first asked for

    def __len__(self) -> int:
        return len(self.names)

    @overload
    def __getitem__(self, index: int) -> tuple[str, bytes]: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[tuple[str, bytes]]: ...

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self[n] for n in range(len(self))[index]]
        return self.names[index], self.data(index)

    def data(self, n: int) -> bytes:
        """The bytes of file `n`; where its digest was known before they were read, they must
        agree with it (the file changed during the build, else)."""
        if n not in self._read:
            self._read[n] = self._read_file(n)
        return self._read[n]

    def _read_file(self, n: int) -> bytes:
        try:
            data = discover.read_file(self.paths[n])
        except OSError as exc:
            raise BuildFailed([cannot_read(self.names[n], exc)]) from None
        known = self._digests.get(n)
        if known is not None and known != content_digest(data):
            raise BuildFailed([error(self.names[n], None, "changed while the site was being "
                                                         "built: build it again")])
        return data

    def digests(self, places: Sequence[int]) -> list[str | Diagnostic]:
        """The digest of the bytes of each file at `places`, reading them, or its problem."""
        found: list[str | Diagnostic] = []
        for n in places:
            try:
                found.append(content_digest(self.data(n)))
            except BuildFailed as failed:
                found.append(failed.diagnostics[0])
        return found

    def by_name(self) -> Mapping[str, bytes]:
        """The files by their path relative to the site, each read when asked for."""
        if self._places is None:
            self._places = {name: n for n, name in enumerate(self.names)}
        return _ByName(self, self._places)

    def known(self, digests: Sequence[str]) -> None:
        """The digest of every file, as the memo knows them, for the bytes read later."""
        self._digests = dict(enumerate(digests))

    def renewed(self, places: Sequence[int]) -> ArticleFiles:
        """These files looked at and read again (the live preview's saved files)."""
        signatures = list(self.signatures)
        for n in places:
            signatures[n] = signature(os.stat(self.paths[n]))
        renewed = ArticleFiles(self.names, self.paths, tuple(signatures), self._read)
        renewed._places = self._places
        for n in places:  # replaced, not removed first: a dict with nothing removed from it
            renewed._read[n] = renewed._read_file(n)  # is copied whole, ~5 times as fast
        return renewed


class _ByName(Mapping[str, bytes]):
    def __init__(self, files: ArticleFiles, places: dict[str, int]) -> None:
        self.files, self.places = files, places

    def __getitem__(self, name: str) -> bytes:
        return self.files.data(self.places[name])

    def __iter__(self) -> Iterator[str]:
        return iter(self.places)

    def __len__(self) -> int:
        return len(self.places)


def content_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=20).hexdigest()


def signature(stat: os.stat_result) -> tuple[int, int, int, int]:
    """What tells that a file changed without reading it: its size, its times and its inode.
    The change time too: a copy that keeps the time and size (`cp -p`) still changes it."""
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns)


@dataclass(frozen=True, slots=True)
class SiteInputs:
    """Everything a build reads, read once: its hash decides whether anything can have changed."""

    config: site_config.SiteConfig
    files: ArticleFiles  # (path relative to the site, bytes) of every article
    paths: tuple[str, ...]  # the file of each, as the system names it
    theme: Theme
    catalogs: dict[str, str]  # lang -> digest of its catalogs
    static: tuple[tuple[str, str, str], ...]  # (output path, file, key) of copied files
    media: tuple[tuple[str, str, str], ...]  # (path, file, key) of content/'s other files
    history: staleness.GitHistory | None  # when each article changed, where the site is in git

    @classmethod
    def read(cls, config: site_config.SiteConfig,
             digests: Digests | None = None) -> SiteInputs:
        """Every file the site is made from, the articles' bytes when first asked for; every
        one that cannot be looked at is reported, all together. `digests`: of the copied files'
        bytes (by default, read afresh)."""
        digests = digests or read_digests
        problems: list[Diagnostic] = []
        articles, others = discover.content_files(config)
        found = [(rel, file, _look(rel, file)) for rel, file in articles]
        problems += [seen for _, _, seen in found if isinstance(seen, Diagnostic)]
        theme = _collect(lambda: Theme.load(discover.theme_dirs(config), discover.read_file),
                         problems)
        locale_dirs = discover.locale_dirs(config)
        catalogs = {lang: _collect(functools.partial(l10n.catalog_digest, locale_dirs, lang,
                                                     discover.read_file), problems)
                    for lang in config.codes}
        copied = _collect(lambda: signed(digests, (static_files(config), "static/"),
                                         (others, "")), problems)
        if problems or theme is None or copied is None:
            # With every article that cannot be read either: all problems of the run at once.
            problems += [problem for rel, file, seen in found if isinstance(file, str)
                         and not isinstance(seen, Diagnostic)
                         and isinstance(problem := _unreadable(rel, file), Diagnostic)]
            raise BuildFailed(problems)
        static, media = copied
        files = ArticleFiles(tuple(rel for rel, _, _ in found),
                             tuple(file for _, file, _ in found),  # type: ignore[misc]
                             tuple(seen for _, _, seen in found))  # type: ignore[misc]
        return cls(config, files, files.paths, theme,
                   {lang: digest for lang, digest in catalogs.items() if digest is not None},
                   static, media, staleness.read_history(config.site_dir))

    def changed_articles(self, before: SiteInputs) -> set[str] | None:
        """The article files whose signature differs from `before`'s, where nothing else the
        site is read from did (no file added or removed, the same configuration, theme,
        catalogs, copied files and images); else None. The git history is not compared."""
        if (self.config, self.paths, self.theme.digest, self.catalogs, self.static,
                self.media) != (before.config, before.paths, before.theme.digest,
                                before.catalogs, before.static, before.media):
            return None
        return {path for path, seen, was in zip(self.paths, self.files.signatures,
                                                before.files.signatures) if seen != was}


def _unreadable(rel: str, file: str) -> Diagnostic | None:
    try:
        discover.read_file(file)
    except OSError as exc:
        return cannot_read(rel, exc)
    return None


def _look(rel: str, file: str | Diagnostic) -> tuple[int, int, int, int] | Diagnostic:
    """A file's signature, or why it cannot be read: anything but a regular file is refused."""
    if isinstance(file, Diagnostic):
        return file
    try:
        stat = os.stat(file)
    except OSError as exc:
        return cannot_read(rel, exc)
    if not S_ISREG(stat.st_mode):
        return error(rel, None, "cannot read: not a regular file")
    return signature(stat)


def _collect(part: Callable[[], T], problems: list[Diagnostic]) -> T | None:
    """One part of the inputs, or None with its problems added to the run's."""
    try:
        return part()
    except BuildFailed as failed:
        problems.extend(failed.diagnostics)
        return None


def static_files(config: site_config.SiteConfig) -> discover.Found:
    """(output path, file) of every file of `static/`."""
    return _with_own_redirects(config, discover.static_files(config.site_dir / "static"))


# The digest of each file's bytes, given (file, its size and times) of each.
Digests = Callable[[Sequence[tuple[str, str]]], list[str]]
Signed = tuple[tuple[str, str, str], ...]  # (name, file, key) of each file of a folder


def signed(digests: Digests, *folders: tuple[discover.Found, str]) -> tuple[Signed, ...]:
    """(name, file, key) of each file found in each folder (with how its files are named in
    errors): its size and the digest of its bytes, so that a fresh clone of the site, whose
    files all have new times, changes no key. The digests of all are asked for at once."""
    files: list[list[tuple[str, str, int]]] = []
    stamps, problems = [], []
    for found, shown in folders:
        files.append([])
        for name, path in found:
            if isinstance(path, Diagnostic):
                problems.append(path)
                continue
            try:
                stat = os.stat(path)
            except OSError as exc:
                problems.append(cannot_read(f"{shown}{name}", exc))
                continue
            files[-1].append((name, path, stat.st_size))
            stamps.append((path, ":".join(map(str, signature(stat)))))
    if problems:
        raise BuildFailed(problems)
    keys = iter(digests(stamps))
    return tuple(tuple((name, path, f"file:{size}:{next(keys)}") for name, path, size in folder)
                 for folder in files)


def read_digests(files: Sequence[tuple[str, str]]) -> list[str]:
    return [_digest(file, stamp) for file, stamp in files]


def remembered_digests(memo: Cache, files: Sequence[tuple[str, str]]) -> list[str]:
    """The digests of the files' bytes, remembered while their size and times stay the same:
    a file is read again only once it changed, or the site was cloned or copied."""
    return memo.remembered("file-digests", [f"{stamp} {file}" for file, stamp in files],
                           lambda missing: [_digest(*files[n]) for n in missing])


def _digest(file: str, stamp: str) -> str:
    try:
        return file_digest(file)
    except OSError:  # reported by whatever reads it next; its times stand for its bytes
        return f"stamp:{stamp}"


def site_places(inputs: SiteInputs, catalogs: Path | None = None) -> urls.Places:
    """Each language's folders: its sections' from their labels, its tag and author indexes'
    from its catalog (compiled only by builds that plan pages; `catalogs`: where they are kept
    compiled)."""
    config, locale_dirs = inputs.config, discover.locale_dirs(inputs.config)
    tags, authors, searches = {}, {}, {}
    for lang in config.codes:
        catalog = l10n.translations(locale_dirs, lang, config.site_dir, catalogs)
        # Translators: the folder of the tag pages in URLs (/en/tags/cuba/); lowercase, no spaces.
        tags[lang] = urls.slugify(catalog.pgettext("URL", "tags")) or "tags"
        # Translators: the folder of the author pages in URLs (/en/authors/jane-doe/).
        authors[lang] = urls.slugify(catalog.pgettext("URL", "authors")) or "authors"
        # Translators: the folder of the search page in URLs (/en/search/?q=cuba).
        searches[lang] = urls.slugify(catalog.pgettext("URL", "search")) or "search"
    sections = declared_sections(config)
    places = urls.Places({language.code: {name: language.section_segment(name)
                                          for name in sections}
                          for language in config.languages}, tags, authors, searches)
    taken = [error(config.config_file, site_config.key_line(config, ("languages", lang),
                                                            "sections"),
                   f"section {name!r} of [languages.{lang}] would have its pages in "
                   f"/{lang}/{folder}/, the folder of the {kind} pages in that language (from "
                   "the catalog): give it another label")
             for lang, folders in places.sections.items() for name, folder in folders.items()
             for kind, index in (("tag", tags[lang]), ("author", authors[lang]),
                                 ("search", searches[lang]))
             if folder == index]
    if taken:
        raise BuildFailed(taken)
    return places


def _with_own_redirects(config: site_config.SiteConfig,
                        found: discover.Found) -> discover.Found:
    """The site's own `static/_redirects` (Netlify's rules) too, which the walk leaves out
    with every name starting with '_'; the build adds its redirects after its lines."""
    own = config.site_dir / "static" / "_redirects"
    return (*found, ("_redirects", str(own))) if own.is_file() and not own.is_symlink() \
        else found


# Parsing --------------------------------------------------------------------------------------

def parse_key(inputs: SiteInputs) -> str:
    """Everything besides its file that an article depends on, hashed: the catalogs stand for
    the footnote titles compiled from them, and each locale's name for its spacing before `%`
    (`code_digest` covers Babel's release, whose data it is), so that neither catalogs nor
    Babel's locale data are loaded to know a key."""
    config = inputs.config
    settings = ParseSettings.of(config, {lang: "" for lang in config.codes}, percent=str)
    return hashlib.blake2b(f"{code_digest()}\0{settings!r}\0{sorted(inputs.catalogs.items())!r}"
                           .encode(), digest_size=20).hexdigest()


def article_keys(inputs: SiteInputs, digests: Sequence[str] | None = None,
                 places: Sequence[int] | None = None) -> list[str]:
    """The key of each article file (of those at `places`): its path and the digest of its
    bytes (read where `digests` does not give them), and what parsing depends on."""
    files = inputs.files
    places = range(len(files)) if places is None else places
    if digests is None:
        digests = [content_digest(files.data(n)) for n in places]
    shared = hashlib.blake2b(parse_key(inputs).encode(), digest_size=20)
    keys = []
    for n, digest in zip(places, digests):
        key = shared.copy()
        key.update(f"\0{files.names[n]}\0{digest}".encode("utf-8", "surrogateescape"))
        keys.append(key.hexdigest())
    return keys


SETTLED = 2_000_000_000  # ns: a file's signature is remembered once it is this much older


def known_keys(inputs: SiteInputs, memo: Cache) -> list[str]:
    """Each article file's key, its bytes read only where the memo does not know them by the
    file's signature; every file that cannot be read is reported, all together."""
    files = inputs.files
    settled = time.time_ns() - SETTLED
    digests = memo.contents(list(zip(files.names, files.signatures)), files.digests, settled)
    problems = [d for d in digests if isinstance(d, Diagnostic)]
    if problems:
        raise BuildFailed(problems)
    files.known(digests)  # type: ignore[arg-type]
    return article_keys(inputs, digests)  # type: ignore[arg-type]


def parse_settings(inputs: SiteInputs, compiled: Path | None = None) -> ParseSettings:
    """What the catalogs give parsing: the footnote back-link's title and the quotation marks.
    `compiled`: where the catalogs are kept compiled."""
    config, locale_dirs = inputs.config, discover.locale_dirs(inputs.config)
    catalogs = {lang: l10n.translations(locale_dirs, lang, config.site_dir, compiled)
                for lang in config.codes}
    return ParseSettings.of(config, {lang: backlink_title(c) for lang, c in catalogs.items()},
                            {lang: quotation_marks(c) for lang, c in catalogs.items()})


def parse_articles(inputs: SiteInputs, places: Sequence[int], jobs: int = 1,
                   progress: Progress = no_progress,
                   catalogs: Path | None = None) -> list[Parsed]:
    """The article of each file at `places`, or its problems; on all cores when many.
    `catalogs`: where the catalogs are kept compiled."""
    if not places:
        return []
    settings = parse_settings(inputs, catalogs)
    progress("parsing", 0, len(places))
    found = []
    for done, article in enumerate(parallel.run(_parse_one, settings,
                                                [inputs.files[n] for n in places], jobs),
                                   start=1):
        found.append(article)
        progress("parsing", done, len(places))
    return found


def _parse_one(settings: ParseSettings, file: tuple[str, bytes]) -> Parsed:
    try:
        return parse(file[0], file[1], settings)
    except BuildFailed as failed:
        return failed.diagnostics


def _parsed_or_fail(parsed: list[Parsed], languages: tuple[str, ...]) -> list[Article]:
    """The articles, or every problem of the run: a duplicate translation among the good
    files is worth reporting together with the files that do not parse."""
    articles = [a for a in parsed if isinstance(a, Article)]
    if len(articles) == len(parsed):
        return articles
    problems = [problem for a in parsed if not isinstance(a, Article) for problem in a]
    problems.extend(translations.group_leniently(articles, languages)[1])
    raise BuildFailed(problems)


# Images -----------------------------------------------------------------------------------------

def examine_images(memo: Cache, jobs: int, files: Sequence[tuple[str, str]]) -> list[Facts]:
    """What each image file (file, signature) is, remembered while the file does not change;
    those not known yet are decoded on all cores."""
    from .photos import Facts
    from .recipe import maker

    keys = [f"{maker()} {signature} {file}" for file, signature in files]

    def make(missing: list[int]) -> list[str]:
        return [facts.record() for facts in
                parallel.run(_examine_one, None, [files[n][0] for n in missing], jobs,
                             per_worker=1)]

    return [Facts.of_record(record) for record in memo.remembered("images", keys, make)]


def _examine_one(_: None, file: str) -> Facts:
    from .photos import Facts, examine

    try:
        data = discover.read_file(file)
    except OSError as exc:
        return Facts("problem", problem=f"cannot be read: {exc.strerror or exc}")
    return examine(file, data)


# The whole site at once -----------------------------------------------------------------------

UNDATED_TIME = UNDATED.timestamp()

def site_key(inputs: SiteInputs, keys: Sequence[str], options: BuildOptions,
              dates: dict[str, tuple[float, bool]],
              published: tuple[list[int], list[int]] | None = None) -> str | None:
    """The hash of everything the output is made from, or None if an article is not known yet.
    What the clock decides is each dated article's publication and news: a version that takes
    its date from another follows that one's, and the keys say which it takes. An undated
    draft (a page of the publication, or a translation) waits for --drafts all the same."""
    if any(key not in dates for key in keys):
        return None
    shown, news = published or publication(keys, options, dates)
    return _hashed(inputs, repr(list(keys)), repr([keys[n] for n in shown]),
                   repr([keys[n] for n in news]))


def frame_key(inputs: SiteInputs, keys: Sequence[str], options: BuildOptions,
              dates: dict[str, tuple[float, bool]],
              published: tuple[list[int], list[int]] | None = None) -> str | None:
    """The hash of everything the output is made from but the articles' words: their files,
    and which are published and news, by file (`swap.py`). `published`: `publication()`'s,
    where it was found already."""
    if any(key not in dates for key in keys):
        return None
    names = inputs.files.names
    shown, news = published or publication(keys, options, dates)
    return _hashed(inputs, repr(names), repr([names[n] for n in shown]),
                   repr([names[n] for n in news]))


def publication(keys: Sequence[str], options: BuildOptions,
                dates: dict[str, tuple[float, bool]]) -> tuple[list[int], list[int]]:
    """The places of the articles published by the build's clock, and of those that are news."""
    published = [n for n, key in enumerate(keys)
                 if (dates[key][0] != UNDATED_TIME or dates[key][1])
                 and options.publishes(*dates[key])]
    news = [n for n in published if is_news(dates[keys[n]][0], options.clock)]
    return published, news


def _hashed(inputs: SiteInputs, *articles: str) -> str:
    digest = hashlib.blake2b(digest_size=20)
    for part in (code_digest(), repr(inputs.config), inputs.theme.digest, repr(inputs.catalogs),
                 repr(inputs.static), repr(inputs.media), *articles,
                 f"{inputs.history.head} {inputs.history.shallow}" if inputs.history else ""):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return digest.hexdigest()

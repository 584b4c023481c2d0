"""The pipeline, top to bottom: configuration, articles, stories, site, pages, output folder.

Every build derives every page from the whole current input. The cache only lets a step skip
work whose inputs have not changed (an article's bytes; a page's complete context; the whole
site's inputs), so a cached, parallel build writes exactly what a cold, single-process build
writes.
"""

from __future__ import annotations

import dataclasses
import fcntl
import functools
import hashlib
import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from . import assemble, discover, l10n, parallel, staleness
from . import config as site_config
from .assemble import BuildOptions
from .cache import Cache, code_digest, open_cache
from .content import Article, ParseSettings, backlink_title, parse
from .errors import BuildFailed, Diagnostic, cannot_read
from .recall import Recall, changed_at
from .theme import Theme
from .write import WriteReport, check_output_dir, holds

if TYPE_CHECKING:
    from .translations import TranslationGroup

T = TypeVar("T")


# Told where a build is: (stage, done, total), e.g. ("rendering", 120, 3500); only the command
# line shows it, the pipeline never prints.
Progress = Callable[[str, int, int], None]


def no_progress(stage: str, done: int, total: int) -> None:
    """A build that nobody watches."""


@dataclass(frozen=True, slots=True)
class BuildResult:
    config: site_config.SiteConfig
    articles: int  # published article versions
    files: int
    report: WriteReport
    warnings: tuple[str, ...] = ()  # what went wrong without spoiling the output


@dataclass(frozen=True, slots=True)
class SiteInputs:
    """Everything a build reads, read once: its hash decides whether anything can have changed."""

    config: site_config.SiteConfig
    files: tuple[tuple[str, bytes], ...]  # (path relative to the site, bytes) of every article
    theme: Theme
    catalogs: dict[str, str]  # lang -> digest of its catalogs
    static: tuple[tuple[str, str, str], ...]  # (output path, file, key) of copied files
    history: staleness.GitHistory | None  # when each article changed, where the site is in git

    @classmethod
    def read(cls, config: site_config.SiteConfig, store: Cache) -> SiteInputs:
        """Every file the site is made from; every one that cannot be read is reported,
        all together."""
        problems: list[Diagnostic] = []

        def article(rel: str, file: str | Diagnostic) -> tuple[str, bytes | Diagnostic]:
            return (rel, file if isinstance(file, Diagnostic) else _read(store, rel, file))

        found = store.snapshot(("content", config.content_dir),
                               lambda: discover.content_files(config), article)
        problems += [file for _, file in found if isinstance(file, Diagnostic)]
        locale_dirs = discover.locale_dirs(config)
        theme = _collect(lambda: Theme.load(discover.theme_dirs(config), store.read), problems)
        catalogs = {lang: _collect(functools.partial(l10n.catalog_digest, locale_dirs, lang,
                                                     store.read), problems)
                    for lang in config.codes}
        static = _collect(lambda: _static_files(config, store), problems)
        if problems:
            raise BuildFailed(problems)
        return cls(
            config,
            found,  # type: ignore[arg-type]  # all read: the very pairs of the snapshot
            theme,  # type: ignore[arg-type]
            catalogs,  # type: ignore[arg-type]
            static,  # type: ignore[arg-type]
            staleness.read_history(config.site_dir),
        )


def _read(store: Cache, rel: str, file: str) -> bytes | Diagnostic:
    try:
        return store.read(file)
    except OSError as exc:
        return cannot_read(rel, exc)


def _collect(part: Callable[[], T], problems: list[Diagnostic]) -> T | None:
    """One part of the inputs, or None with its problems added to the run's."""
    try:
        return part()
    except BuildFailed as failed:
        problems.extend(failed.diagnostics)
        return None


def build(site_dir: Path, options: BuildOptions, out_dir: Path | None = None,
          base_url: str | None = None, jobs: int | None = None, use_cache: bool = True,
          cache: Cache | None = None, lock: AbstractContextManager[Any] | None = None,
          waiting: Callable[[], None] = lambda: None,
          progress: Progress = no_progress) -> BuildResult:
    """Build the site into `out_dir` (default `public/`); nothing changes unless all went well.

    `cache` keeps the memo in memory between builds (the live preview's); `lock` is held while
    the new files are put in place, so that a server never reads a half-swapped folder. One
    build of a site runs at a time: another one waits, after calling `waiting`. `progress` is
    told each stage as it starts."""
    config = load_config(site_dir, base_url)
    out = out_dir if out_dir is not None else config.site_dir / "public"
    check_output_dir(config.site_dir, out)
    with one_build_at_a_time(config.site_dir, waiting):
        return _build(config, out, options, jobs, use_cache, cache, lock, progress)


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


def _build(config: site_config.SiteConfig, out: Path, options: BuildOptions, jobs: int | None,
           use_cache: bool, cache: Cache | None, lock: AbstractContextManager[Any] | None,
           progress: Progress) -> BuildResult:
    store = cache if cache is not None else open_cache(config.site_dir, use_cache)
    config = store.same(config)
    try:
        progress("reading", 0, 0)
        inputs = SiteInputs.read(config, store)
        settings = parse_settings(inputs, store)
        keys = store.article_keys(inputs.files, settings)
        # A build that trusts a watcher skips the whole-site check: something did change.
        site_key = None if store.watched else _site_key(inputs, keys, options, store)
        unchanged = _unchanged(config, out, site_key, store)
        if unchanged is not None:
            return dataclasses.replace(unchanged, warnings=tuple(store.warnings))
        result = _full_build(inputs, settings, keys, options, out, store,
                             jobs or parallel.default_jobs(), lock, progress)
        store.recall.finish()
        # From the articles just parsed or verified, never from what the cache said before.
        site_key = None if store.watched else _site_key(inputs, keys, options, store)
        if site_key is not None or store.get(_site_name(out)):  # a stale key must not stay
            store.put(_site_name(out), site_key or "")
        return dataclasses.replace(result, warnings=tuple(store.warnings))
    finally:
        if cache is None:
            store.close()


def load_config(site_dir: Path, base_url: str | None = None) -> site_config.SiteConfig:
    config = site_config.load(site_dir)
    return config if base_url is None else site_config.with_base_url(config, base_url)


def parse_settings(inputs: SiteInputs, store: Cache) -> ParseSettings:
    """Compiling catalogs costs more than a no-change build; the one string parsing needs is kept."""
    config, titles = inputs.config, {}
    for lang, digest in inputs.catalogs.items():
        title = store.get(f"backlink:{lang}:{digest}")
        if title is None:
            title = backlink_title(l10n.translations(discover.locale_dirs(config), lang,
                                                     config.site_dir))
            store.put(f"backlink:{lang}:{digest}", title)
        titles[lang] = title
    return store.same(ParseSettings.of(inputs.config, titles))


# The whole site at once ---------------------------------------------------------------------

def _site_key(inputs: SiteInputs, keys: list[str], options: BuildOptions,
              store: Cache) -> str | None:
    """The hash of everything the output is made from, or None if an article is not known yet."""
    dates = store.article_dates()
    if any(key not in dates for key in keys):
        return None
    published = [key for key in keys if options.publishes(*dates[key])]
    news = [key for key in published if assemble.is_news(dates[key][0], options.clock)]
    digest = hashlib.blake2b(digest_size=20)
    for part in (code_digest(), repr(inputs.config), inputs.theme.digest, repr(inputs.catalogs),
                 repr(inputs.static), repr(keys), repr(published), repr(news),
                 inputs.history.head if inputs.history else ""):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return f"{digest.hexdigest()} {len(published)}"


def _site_name(out: Path) -> str:
    """Where the cache keeps the key of the site an output folder was last built from."""
    return f"site:{out.resolve()}"


def _unchanged(config: site_config.SiteConfig, out: Path, site_key: str | None,
               store: Cache) -> BuildResult | None:
    """The previous build's result, if it was made from the same inputs and is still intact."""
    if site_key is None:
        return None
    if store.get(_site_name(out)) != site_key:
        return None
    written = store.written(out)
    if not holds(out, written, verify=not store.owns_output):
        return None
    return BuildResult(config, int(site_key.rsplit(" ", 1)[1]), len(written),
                       WriteReport(0, len(written), 0))


# Articles -------------------------------------------------------------------------------------

def _full_build(inputs: SiteInputs, settings: ParseSettings, keys: list[str],
                options: BuildOptions, out: Path, store: Cache, jobs: int,
                lock: AbstractContextManager[Any] | None = None,
                progress: Progress = no_progress) -> BuildResult:
    from . import output  # the rendering half, imported only when there is work

    articles = load_articles(inputs, settings, keys, store, jobs, progress)
    progress("assembling", 0, 0)
    groups = group_articles(inputs.config, articles, store.recall)
    stale = stale_translations(inputs, groups, store.recall)
    site = assemble.assemble(inputs.config, groups, options,
                             {s.translation: s.original for s in stale.values()}, store.recall)
    files, report = output.write_site(site, inputs.theme, inputs.catalogs, inputs.static, out,
                                      store, jobs, lock, progress)
    return BuildResult(inputs.config, sum(len(e.articles) for e in site.editions), files, report)


def load_articles(inputs: SiteInputs, settings: ParseSettings, keys: list[str], store: Cache,
                  jobs: int = 1, progress: Progress = no_progress) -> list[Article]:
    """Parse every article, or take it from the cache; all problems are reported together."""
    articles, problems = parse_articles(inputs, settings, keys, store, jobs, progress)
    if problems:
        from .translations import group_leniently

        # A duplicate translation among the good files is worth reporting in the same run.
        problems.extend(group_leniently(articles, inputs.config.codes)[1])
        raise BuildFailed(problems)
    return articles


Parsed = list[Article | tuple[Diagnostic, ...]]  # each file's article, or its problems


def parse_articles(inputs: SiteInputs, settings: ParseSettings, keys: list[str], store: Cache,
                   jobs: int = 1, progress: Progress = no_progress
                   ) -> tuple[list[Article], list[Diagnostic]]:
    """The articles that parse and the problems of those that do not. Where only some files
    changed since the last call, only theirs are looked at."""
    store.load_articles()

    def parse_all(keys: list[str], settings: ParseSettings) -> Parsed:
        missing = {key: file for file, key in zip(inputs.files, keys)
                   if key not in store.articles}
        progress("parsing", 0, len(missing))
        parsed = {}
        results = parallel.run(_parse_one, settings, list(missing.values()), jobs)
        for done, (key, article) in enumerate(zip(missing, results), start=1):
            parsed[key] = article
            progress("parsing", done, len(missing))
        found = [store.articles.get(key) or parsed[key] for key in keys]
        store.store_articles({key: a for key, a in zip(keys, found) if isinstance(a, Article)})
        return found

    def reparse(last: Parsed, before: list[str], keys: list[str],
                settings: ParseSettings) -> Parsed | None:
        changed = changed_at(before, keys)
        if changed is None:
            return None
        found = list(last)
        for n in changed:
            found[n] = store.articles.get(keys[n]) or _parse_one(settings, inputs.files[n])
        store.update_articles([before[n] for n in changed],
                              {keys[n]: found[n] for n in changed
                               if isinstance(found[n], Article)})
        return found

    found = store.recall.update("articles", parse_all, reparse, keys, settings)
    if len(store.articles) == len(found):  # all parsed, the usual case
        return found, []  # type: ignore[return-value]
    return ([a for a in found if isinstance(a, Article)],
            [problem for a in found if not isinstance(a, Article) for problem in a])


def group_articles(config: site_config.SiteConfig, articles: list[Article],
                   recall: Recall | None = None) -> tuple[TranslationGroup, ...]:
    """The stories; `recall` updates the last build's where only some articles changed."""
    from .translations import group, regroup

    return (recall or Recall()).update("stories", lambda articles, codes: (
        group(articles, codes), None), regroup, articles, config.codes)[0]


def stale_translations(inputs: SiteInputs, groups: tuple[TranslationGroup, ...],
                       recall: Recall | None = None) -> dict[str, staleness.Stale]:
    return staleness.stale_translations(groups, inputs.history, inputs.files,
                                        inputs.config.default_language, recall)


def _parse_one(settings: ParseSettings, file: tuple[str, bytes]) -> Article | tuple[Diagnostic, ...]:
    try:
        return parse(file[0], file[1], settings)
    except BuildFailed as failed:
        return failed.diagnostics


def _static_files(config: site_config.SiteConfig,
                  store: Cache) -> tuple[tuple[str, str, str], ...]:
    folder = config.site_dir / "static"

    def copied(name: str, path: str | Diagnostic) -> tuple[str, str, str] | Diagnostic:
        if isinstance(path, Diagnostic):
            return path
        try:
            size, mtime_ns, _ = store.signature(path)
        except OSError as exc:
            return cannot_read(f"static/{name}", exc)
        return (name, path, f"file:{size}:{mtime_ns}")

    found = store.snapshot(("static", folder), lambda: discover.static_files(folder), copied)
    problems = [item for item in found if isinstance(item, Diagnostic)]
    if problems:
        raise BuildFailed(problems)
    return found  # type: ignore[return-value]

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
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from . import config as site_config
from . import discover, l10n, parallel, staleness, translations, urls
from .assemble import BuildOptions, Site, assemble, is_news
from .cache import Cache, open_cache
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
from .write import WriteReport, check_output_dir, file_digest, holds

if TYPE_CHECKING:  # the rendering half is imported only by builds that have work to do
    from .outputs import Output, SiteOutputs
    from .photos import Facts
    from .publish import Environment, Publication

T = TypeVar("T")


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


@dataclass(frozen=True, slots=True)
class Built:
    """What one build made, for whoever keeps it until the next (the live preview)."""

    result: BuildResult
    inputs: SiteInputs
    plan: Plan | None  # None: nothing had changed, nothing was planned


def build_site(config: site_config.SiteConfig, out: Path, options: BuildOptions, memo: Cache,
               jobs: int = 1, progress: Progress = no_progress, trusted: bool = False) -> Built:
    """The whole pipeline. `trusted`: only sitegen writes `out` (the live preview's folder),
    so its record is believed without a look at the files."""
    progress("reading", 0, 0)
    inputs = _stage("read", SiteInputs.read, config,
                    functools.partial(remembered_digests, memo))
    keys = article_keys(inputs)
    known = site_key(inputs, keys, options, memo.article_dates())
    written = memo.written(out)
    remembered = (memo.site_key(out) or "").split(" ")
    held = holds(out, written, verify=not trusted) \
        if known is not None and remembered[0] == known else None
    if held is not None:
        if held is not written:  # the same bytes with new times: the folder was copied
            memo.record(out, held)
        return Built(BuildResult(config, int(remembered[-1]), len(held),
                                 WriteReport(0, len(held), 0), tuple(memo.warnings)),
                     inputs, None)
    plan = plan_site(inputs, keys, options, memo, jobs, progress)
    done = _stage("publish", publish_site, memo, out, inputs, plan,
                  {o.file: o for o in plan.outputs.rendered}, plan.keys, trusted, jobs, progress)
    result = BuildResult(config, plan.site.published_count, len(done.output), done.report,
                         tuple(memo.warnings) + plan.warnings)
    remember_site(memo, out, site_key(inputs, keys, options, memo.article_dates()), result)
    return Built(result, inputs, plan)


def remember_site(memo: Cache, out: Path, key: str | None, result: BuildResult) -> None:
    """The site `out` now holds, with its count of articles for the next no-change build."""
    memo.remember_site(out, None if key is None else f"{key} {result.articles}")


def publish_site(memo: Cache, out: Path, inputs: SiteInputs, plan: Plan,
                 outputs: Mapping[str, Output], keys: dict[str, str], trusted: bool,
                 jobs: int = 1, progress: Progress = no_progress,
                 index_later: bool = False) -> Publication:
    """Publish every output (file -> output; those whose key the folder holds are kept) with
    the memo's records of the output folder and of the tree kept beside it, and record what
    both hold afterwards. `index_later`: as `publish`."""
    from .publish import Records, publish

    kept = memo.kept_tree(out)
    records = Records(memo.written(out), kept, memo.written(kept) if kept else None, trusted,
                      memo.search_index(out))
    try:
        done = publish(inputs.config, inputs.theme, plan.env, outputs,
                       {c.file: c for c in plan.outputs.copies}, keys, out, records, jobs,
                       progress, memo.compiled_templates(),
                       {r.file: r for r in plan.outputs.renditions}, memo.made_images(),
                       plan.outputs.search, index_later)
    except BaseException:
        if kept is not None:
            memo.record(kept, {})  # what a failed build left there is looked at afresh
        raise
    if kept is not None:
        memo.record(kept, done.kept)
    memo.record(out, done.output)
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
                    lambda missing: parse_articles(inputs, missing, jobs, progress))
    articles = _parsed_or_fail(parsed, config.codes)
    progress("assembling", 0, 0)
    stories = _stage("group", translations.group, articles, config.codes)
    stories = _stage("inherit", inherit, stories, config)
    stale = _stage("staleness", staleness.stale_translations, stories, inputs.history,
                   inputs.files, config.default_language)
    site = _stage("assemble", assemble, config, site_places(inputs), stories, options,
                  {s.translation: s.original for s in stale.values()})
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
                output_keys(outputs, env), moved.warnings)


def _stage(name: str, step: Callable[..., T], *args: object) -> T:
    """Run one stage; an error that is not the site's (a bug, a disk) says which stage."""
    try:
        return step(*args)
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

@dataclass(frozen=True, slots=True)
class SiteInputs:
    """Everything a build reads, read once: its hash decides whether anything can have changed."""

    config: site_config.SiteConfig
    files: tuple[tuple[str, bytes], ...]  # (path relative to the site, bytes) of every article
    paths: tuple[str, ...]  # the file of each, as the system names it
    theme: Theme
    catalogs: dict[str, str]  # lang -> digest of its catalogs
    static: tuple[tuple[str, str, str], ...]  # (output path, file, key) of copied files
    media: tuple[tuple[str, str, str], ...]  # (path, file, key) of content/'s other files
    history: staleness.GitHistory | None  # when each article changed, where the site is in git

    @classmethod
    def read(cls, config: site_config.SiteConfig,
             digests: Digests | None = None) -> SiteInputs:
        """Every file the site is made from; every one that cannot be read is reported,
        all together. `digests`: of the copied files' bytes (by default, read afresh)."""
        digests = digests or read_digests
        problems: list[Diagnostic] = []
        articles, others = discover.content_files(config)
        found = [(rel, file, _read(rel, file)) for rel, file in articles]
        problems += [data for _, _, data in found if isinstance(data, Diagnostic)]
        theme = _collect(lambda: Theme.load(discover.theme_dirs(config), discover.read_file),
                         problems)
        locale_dirs = discover.locale_dirs(config)
        catalogs = {lang: _collect(functools.partial(l10n.catalog_digest, locale_dirs, lang,
                                                     discover.read_file), problems)
                    for lang in config.codes}
        copied = _collect(lambda: signed(digests, (static_files(config), "static/"),
                                         (others, "")), problems)
        if problems or theme is None or copied is None:
            raise BuildFailed(problems)
        static, media = copied
        return cls(config, tuple((rel, data) for rel, _, data in found
                                 if isinstance(data, bytes)),
                   tuple(file for _, file, _ in found if isinstance(file, str)), theme,
                   {lang: digest for lang, digest in catalogs.items() if digest is not None},
                   static, media, staleness.read_history(config.site_dir))


def _read(rel: str, file: str | Diagnostic) -> bytes | Diagnostic:
    if isinstance(file, Diagnostic):
        return file
    try:
        return discover.read_file(file)
    except OSError as exc:
        return cannot_read(rel, exc)


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
            # The change time too: a copy keeping time and size (`cp -p`) still changes it.
            stamp = f"{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ino}:{stat.st_ctime_ns}"
            stamps.append((path, stamp))
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


def site_places(inputs: SiteInputs) -> urls.Places:
    """Each language's folders: its sections' from their labels, its tag and author indexes'
    from its catalog (compiled only by builds that plan pages)."""
    config, locale_dirs = inputs.config, discover.locale_dirs(inputs.config)
    tags, authors, searches = {}, {}, {}
    for lang in config.codes:
        catalog = l10n.translations(locale_dirs, lang, config.site_dir)
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
    the footnote titles compiled from them, so nothing is compiled to know a key."""
    config = inputs.config
    settings = ParseSettings.of(config, {lang: "" for lang in config.codes})
    return hashlib.blake2b(f"{code_digest()}\0{settings!r}\0{sorted(inputs.catalogs.items())!r}"
                           .encode(), digest_size=20).hexdigest()


def article_keys(inputs: SiteInputs) -> list[str]:
    """Each article file's key: its path and bytes, and what parsing depends on."""
    shared = hashlib.blake2b(parse_key(inputs).encode(), digest_size=20)
    keys = []
    for rel, data in inputs.files:
        digest = shared.copy()
        digest.update(f"\0{rel}\0".encode("utf-8", "surrogateescape"))
        digest.update(data)
        keys.append(digest.hexdigest())
    return keys


def parse_settings(inputs: SiteInputs) -> ParseSettings:
    """What the catalogs give parsing: the footnote back-link's title and the quotation marks."""
    config, locale_dirs = inputs.config, discover.locale_dirs(inputs.config)
    catalogs = {lang: l10n.translations(locale_dirs, lang, config.site_dir)
                for lang in config.codes}
    return ParseSettings.of(config, {lang: backlink_title(c) for lang, c in catalogs.items()},
                            {lang: quotation_marks(c) for lang, c in catalogs.items()})


def parse_articles(inputs: SiteInputs, places: Sequence[int], jobs: int = 1,
                   progress: Progress = no_progress) -> list[Parsed]:
    """The article of each file at `places`, or its problems; on all cores when many."""
    if not places:
        return []
    settings = parse_settings(inputs)
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
              dates: dict[str, tuple[float, bool]]) -> str | None:
    """The hash of everything the output is made from, or None if an article is not known yet.
    What the clock decides is each dated article's publication and news: a version that takes
    its date from another follows that one's, and the keys say which it takes. An undated
    draft (a page of the publication, or a translation) waits for --drafts all the same."""
    if any(key not in dates for key in keys):
        return None
    published = [key for key in keys if (dates[key][0] != UNDATED_TIME or dates[key][1])
                 and options.publishes(*dates[key])]
    news = [key for key in published if is_news(dates[key][0], options.clock)]
    digest = hashlib.blake2b(digest_size=20)
    for part in (code_digest(), repr(inputs.config), inputs.theme.digest, repr(inputs.catalogs),
                 repr(inputs.static), repr(inputs.media), repr(keys), repr(published), repr(news),
                 f"{inputs.history.head} {inputs.history.shallow}" if inputs.history else ""):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return digest.hexdigest()

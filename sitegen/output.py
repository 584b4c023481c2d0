"""From a Site to the files of the output folder: render what changed, keep what did not.

Each page's key is the fingerprint of its complete context; a page whose key the output folder
already holds, unchanged since it was written, is kept as it is; the rest are rendered, on all
cores when there are many.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from contextlib import AbstractContextManager
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import Any

from . import discover, feeds, l10n, parallel, sitemaps, urls
from .assemble import Site
from .build import Progress, no_progress
from .cache import Cache, Written
from .context import Contexts, PageContext
from .errors import BuildFailed, Diagnostic, error
from .pages import Page, described, site_pages
from .recall import Recall
from .render import Renderer
from .theme import Theme, page_templates
from .write import OutputWriter, WriteReport, write_file


@dataclass(frozen=True, slots=True)
class _PageJob:
    path: str  # the output file
    context: PageContext
    key: str
    target: str = ""  # where the rendered bytes are written until the output is committed
    existing: str | None = None  # the previous build's file, kept if the bytes are the same


def write_site(site: Site, theme: Theme, catalog_digests: dict[str, str],
               static: tuple[tuple[str, str, str], ...], out: Path, store: Cache,
               jobs: int = 1, lock: AbstractContextManager[Any] | None = None,
               progress: Progress = no_progress) -> tuple[int, WriteReport]:
    """Render what changed and put the site in place; returns (files, what was written)."""
    pages = site_pages(site, store.recall)
    page_jobs = _page_jobs(site, pages, theme, catalog_digests, store)
    generated = _generated_files(site, pages, store.recall)
    copies = store.recall("copies", _copies, tuple(
        (output, path, f"theme:{path}:{_file_key(path)}") for output, path in theme.assets.values()),
        static)
    _check_collisions(pages, page_jobs, generated, copies)

    back = kept_tree_dir(store, out)
    writer = OutputWriter(out, store.written(out), back,
                          store.written(back) if back is not None else None, lock,
                          verify=not store.owns_output)
    try:
        stale = writer.keep({job.path: job.key for job in page_jobs})
        render = [job for job in page_jobs if job.path in stale]
        progress("rendering", 0, len(render))
        generated_keys = {path: store.recall(("digest", path), _digest, data)
                          for path, data in generated.items()}
        write_generated = sorted(writer.keep(generated_keys))
        write_copies = sorted(writer.keep(store.recall("copy keys", _copy_keys, copies)))
        writer.plan()
        _render_pages(site, theme, render, writer, store, jobs, progress)
        progress("writing", 0, len(page_jobs) + len(generated) + len(copies))
        for path in write_generated:
            writer.put(path, generated[path], generated_keys[path])
        for path in write_copies:
            writer.copy(path, copies[path][0], copies[path][1])
        report = writer.commit()
    except BaseException:
        writer.abort()
        raise
    finally:
        if back is not None:
            store.record(back, writer.kept_tree())
    store.record(out, writer.files)
    return len(writer.files), report


def kept_tree_dir(store: Cache, out: Path) -> Path | None:
    """Where the tree a build swaps out is kept for the next one: in the cache folder, when
    that is on the output's disk (a swap cannot cross disks)."""
    if store.path is None:
        return None
    folder = store.path.parent
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


def _page_jobs(site: Site, pages: tuple[Page, ...], theme: Theme,
               catalog_digests: dict[str, str], store: Cache) -> list[_PageJob]:
    """Each page's context and key. The last build's job is taken back for the same Page;
    `store.page_keys` remembers, by path, the last key and what it was computed from, so a new
    Page with equal inputs (compared in place, mostly by identity) gets the same key."""
    contexts = Contexts(site)
    environments = {lang: f"{theme.digest}\0{catalog_digests[lang]}\0{site.config!r}"
                    for lang in site.config.codes}
    known = store.page_keys

    def job(page: Page, environments: dict[str, str], shared_json: dict[str, str]) -> _PageJob:
        context, path = contexts.of(page), urls.output_file(page.path)
        environment = environments[page.lang]
        inputs = (environment, shared_json[page.lang], context.template, context.function,
                  context.args)
        before = known.get(path)
        if before is not None and before[0] == inputs:
            key = before[1]
        else:
            key = contexts.fingerprint(context, environment)
            known[path] = (inputs, key)
        return _PageJob(path, context, key)

    return store.recall.each("page jobs", job, pages, attrgetter("path"), environments,
                             contexts.shared_json)


def _render_pages(site: Site, theme: Theme, render: list[_PageJob], writer: OutputWriter,
                  store: Cache, jobs: int, progress: Progress) -> None:
    if not render:
        return
    config = site.config
    locale_dirs = discover.locale_dirs(config)
    compiled = store.path.parent / "templates" if store.path is not None else None
    renderers = {lang: Renderer(theme, config.language(lang).locale,
                                l10n.translations(locale_dirs, lang, config.site_dir),
                                config.base_url, config.site_dir, compiled)
                 for lang in config.codes}
    render = [dataclasses.replace(job, target=writer.target(job.path),
                                  existing=writer.existing(job.path)) for job in render]
    problems: dict[Diagnostic, list[str]] = {}  # a template's error -> the pages it broke
    results = parallel.run(_render_one, renderers, render, jobs)
    for done, (job, result) in enumerate(zip(render, results), start=1):
        progress("rendering", done, len(render))
        if isinstance(result[0], Written):
            writer.wrote(job.path, *result)
        else:
            for problem in result:
                problems.setdefault(problem, []).append(job.path)
    if problems:
        raise BuildFailed([_while_rendering(problem, pages) for problem, pages in problems.items()])


def _while_rendering(problem: Diagnostic, pages: list[str]) -> Diagnostic:
    """A template's error, once, with the pages it broke."""
    others = f" and {len(pages) - 1} other page{'s' if len(pages) > 2 else ''}" \
        if len(pages) > 1 else ""
    return dataclasses.replace(problem, message=f"{problem.message} "
                                                f"(while rendering /{min(pages)}{others})")


def _render_one(renderers: dict[str, Renderer],
                job: _PageJob) -> tuple[Written, bool] | tuple[Diagnostic, ...]:
    """Render and write one page; in a worker, so that neither the work nor the bytes pass
    through the main process."""
    try:
        context = job.context.full()
        data = renderers[job.context.lang].render(
            page_templates(job.context.template, context.get("kind")), context)
    except BuildFailed as failed:
        return failed.diagnostics
    return write_file(job.target, data, job.key, job.existing)


def _generated_files(site: Site, pages: tuple[Page, ...], recall: Recall) -> dict[str, bytes]:
    linker = urls.Linker(site.config.base_url)
    files = {urls.feed(e.lang): feeds.atom(site, e, linker) for e in site.editions}
    files[urls.SITEMAP] = sitemaps.sitemap(site, pages, linker, recall)
    news = sitemaps.news_sitemap(site, linker)
    if news is not None:
        files[urls.NEWS_SITEMAP] = news
    files[urls.ROBOTS] = sitemaps.robots(linker, news is not None)
    return files


def _check_collisions(pages: tuple[Page, ...], jobs: list[_PageJob], generated: dict[str, bytes],
                      copies: dict[str, tuple[str, str]]) -> None:
    """Two things written to one path are an error naming both, before anything is rendered."""
    paths = {job.path for job in jobs}
    paths.update(generated, copies)
    if len(paths) == len(jobs) + len(generated) + len(copies):
        return  # the usual case, found without naming anyone
    claims = ([(job.path, _owner(page)) for job, page in zip(jobs, pages)]
              + [(path, (f"the generated {path}", None)) for path in generated]
              + [(path, (_copy_owner(path), None)) for path in copies])
    owners: dict[str, tuple[str, int | None]] = {}
    problems = []
    for path, owner in claims:
        first = owners.setdefault(path, owner)
        if first != owner:
            sides = [(owner, first), (first, owner)]
            # In each article that claims it, at the line that makes its URL; or else once.
            for (name, line), (other, other_line) in [
                    side for side in sides if side[0][1] is not None] or sides[:1]:
                if other_line is not None:
                    message = (f"{other}:{other_line} would be written to {path} too: give one "
                               "a different slug or section")
                elif line is not None:
                    message = (f"its page would be written to {path}, where the site writes "
                               f"{other}: give it a different slug or section")
                else:
                    message = (f"{other} would be written to {path} too: rename one of the "
                               "files")
                problems.append(error(name, line, message))
    if problems:
        raise BuildFailed(problems)


def _owner(page: Page) -> tuple[str, int | None]:
    """Who claims a page: an article at the line that makes its URL, or the page's kind."""
    article = page.data.get("article")
    if article is not None:
        return article.source, article.url_line
    return described(page), None


def _copies(*sources: tuple[tuple[str, str, str], ...]) -> dict[str, tuple[str, str]]:
    """Output path -> (file, key) of what is copied: the theme's files, then static files
    whose path the theme does not take."""
    copies: dict[str, tuple[str, str]] = {}
    for found in sources:
        copies.update({output: (path, key) for output, path, key in found
                       if output not in copies})
    return copies


def _copy_keys(copies: dict[str, tuple[str, str]]) -> dict[str, str]:
    return {path: key for path, (_, key) in copies.items()}


def _copy_owner(path: str) -> str:
    return f"theme file {path}" if path.startswith(urls.ASSETS) else f"static/{path}"


def _file_key(path: str) -> str:
    stat = os.stat(path)
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def _digest(data: bytes) -> str:
    return "bytes:" + hashlib.blake2b(data, digest_size=20).hexdigest()

"""The last stage: render the outputs whose key the output folder does not hold, and swap the
new tree in. What the folder held before comes in as plain records, and what it holds after
goes out the same way; where they are kept between builds is not this stage's business.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import context, discover, l10n, parallel, urls
from .assemble import Site
from .code import code_digest
from .config import SiteConfig
from .errors import BuildFailed, Diagnostic, error
from .outputs import Copy, Output, SiteOutputs, fingerprint, shared_json
from .photos import Rendition
from .progress import Progress, no_progress
from .recipe import ImageSettings
from .render import Renderer
from .search import Indexed, Made, Part, SearchIndex, make_index, read_digest, searchable
from .theme import Theme
from .write import Mirroring, OutputWriter, WriteReport, Written, link_file, write_file


@dataclass(frozen=True, slots=True)
class Environment:
    """What every output of a language depends on besides its own fields: sitegen's code, the
    theme, the language's catalogs, the configuration, and the context all its pages share."""

    shared: dict[str, dict[str, Any]]  # lang -> the context every page of it shares
    digests: dict[str, str]  # lang -> the digest of all the above

    def key(self, output: Output) -> str:
        return fingerprint(output, self.digests[output.lang])


def environment(site: Site, theme: Theme, catalogs: Mapping[str, str]) -> Environment:
    searched = theme.has("search.html")
    shared = {e.lang: context.shared_context(site, e.lang, searched) for e in site.editions}
    return Environment(shared, {
        lang: "\0".join((code_digest(), theme.digest, catalogs[lang], repr(site.config),
                         shared_json(shared[lang]) if lang in shared else ""))
        for lang in site.config.codes})


def output_keys(outputs: SiteOutputs, env: Environment) -> dict[str, str]:
    """Every output file's key: what it is made from."""
    keys = {o.file: env.key(o) for o in outputs.rendered}
    keys.update((c.file, c.key) for c in outputs.copies)
    keys.update((r.file, f"image:{r.key}") for r in outputs.renditions)
    return keys


@dataclass(frozen=True, slots=True)
class Records:
    """What the output folder held after the last build, and the tree kept beside it."""

    output: dict[str, Written]
    kept_dir: Path | None = None  # where the tree swapped out by the last build is kept
    mirrors: bool | Callable[[], bool] = False  # it mirrors the output (or will say once made)
    trusted: bool = False  # only sitegen writes the folders: the records need no look
    search: Indexed | None = None  # the search index's parts


@dataclass(frozen=True, slots=True)
class Publication:
    output: dict[str, Written]  # what the output folder holds now
    mirrored: bool | Mirroring  # whether the kept tree mirrors it (or will say, once made)
    report: WriteReport
    search: Indexed | None = None  # the search index's parts


def publish(config: SiteConfig, theme: Theme, env: Environment, outputs: Mapping[str, Output],
            copies: Mapping[str, Copy], keys: Mapping[str, str], out: Path, records: Records,
            jobs: int = 1, progress: Progress = no_progress,
            compiled_templates: Path | None = None, compiled_catalogs: Path | None = None,
            renditions: Mapping[str, Rendition] | None = None,
            made_images: Path | None = None, search: SearchIndex | None = None,
            index_later: bool = False, changed: Collection[str] | None = None,
            renderers: dict[str, Renderer] | None = None) -> Publication:
    """Render what changed and put the site in place. `outputs`, `copies` and `renditions`
    are by file; `keys` holds the key of every one. Files made from images are kept in
    `made_images` too, for any later build that needs them. `index_later`: the parts of the
    search index whose pages changed stay as they were, for a later publication to make
    (the preview shows a saved page first). `changed`: the only outputs that may have changed
    since the last publication, into a folder whose records are trusted (the preview's save):
    every other file is kept as it is, the search index too. `renderers`: by language, made
    where missing and kept there, for a caller whose theme, catalogs and configuration stay
    (the preview's saves: each would load every template it renders again)."""
    renditions = renditions or {}
    writer = OutputWriter(out, records.output, records.kept_dir, records.mirrors,
                          verify=not records.trusted, jobs=jobs)
    try:
        before = records.search or {}
        parts: Sequence[Part] = ()
        if changed is not None and writer.holds_all:
            render = sorted(writer.keep_all_but({path: keys[path] for path in changed}))
            copy: list[str] = []
            make: list[str] = []
            indexed = dict(before)
        else:
            render = sorted(writer.keep({path: keys[path] for path in outputs}))
            copy = sorted(writer.keep({path: keys[path] for path in copies}))
            make = sorted(writer.keep({path: keys[path] for path in renditions}))
            parts = search.parts if search is not None else ()
            indexed = _kept_parts(writer, parts, before) if index_later else {}
            if parts and not index_later:  # each part is kept or made once its pages are
                writer.hold(path for made in before.values() for path in made.files)
        writer.plan()
        progress("rendering", 0, len(render))
        _render(config, theme, env, [(outputs[path], keys[path]) for path in render], writer,
                jobs, progress, compiled_templates, compiled_catalogs,
                renderers if renderers is not None else {})
        progress("writing", 0, len(keys))
        for path in copy:
            writer.copy(path, copies[path].source, keys[path])
        _make_images(config, [renditions[path] for path in make], writer, jobs, progress,
                     made_images)
        if parts and not index_later:
            indexed = _index(writer, parts, keys, set(render), before,
                             urls.Linker(config.base_url).href(""), jobs, progress)
        report = writer.commit()
    except BaseException:
        writer.abort()
        raise
    return Publication(writer.files, writer.kept_tree(), report,
                       indexed if search is not None else None)


def _kept_parts(writer: OutputWriter, parts: Sequence[Part], before: Indexed) -> Indexed:
    """The parts of the search index that the output holds, kept as they are, whatever pages
    they were made from."""
    kept = {}
    for part in parts:
        made = before.get(part.folder)
        if made is not None and not writer.keep({path: made.key for path in made.files}):
            kept[part.folder] = made
    return kept


def _index(writer: OutputWriter, parts: Sequence[Part], keys: Mapping[str, str],
           rendered: set[str], before: Indexed, root: str, jobs: int,
           progress: Progress) -> Indexed:
    """The parts of the search index: the output's own where what Pagefind reads of their pages
    is the same, the others made again, each by a Pagefind of its own, `jobs` at a time. What
    it reads of a page rendered now is read from the new tree; of a page kept as it was, it is
    known by the page's key."""
    from concurrent.futures import ThreadPoolExecutor

    known = {page: read for made in before.values() for page, read in made.pages.items()}
    searched: dict[str, str] = {}  # page -> what Pagefind reads of it, where it was read now

    def read(page: str) -> str:
        if page not in searched:
            with open(writer.target(page), encoding="utf-8") as file:
                searched[page] = searchable(file.read())
        return searched[page]

    digests = {page: known[page][1] if page not in rendered and known.get(page, ("",))[0]
               == keys[page] else read_digest(read(page)) for part in parts for page in part.pages}
    indexed: Indexed = {}
    missing: list[Part] = []
    for part in parts:
        key, made = part.key(digests, root), before.get(part.folder)
        if made is not None and made.key == key and writer.relink(made.files):
            indexed[part.folder] = Made(key, made.files, _read_of(part, keys, digests))
        else:
            missing.append(part)
    progress("indexing", 0, len(missing))

    def make(part: Part) -> tuple[Part, dict[str, bytes]]:
        return part, make_index(part, {page: read(page) for page in part.pages}, root)

    with ThreadPoolExecutor(max(1, min(jobs, len(missing)))) as pool:
        for done, (part, files) in enumerate(pool.map(make, missing), start=1):
            progress("indexing", done, len(missing))
            key = part.key(digests, root)
            for path, data in files.items():
                writer.put(path, data, key)
            indexed[part.folder] = Made(key, tuple(files), _read_of(part, keys, digests))
    return dict(sorted(indexed.items()))


def _read_of(part: Part, keys: Mapping[str, str], digests: Mapping[str, str]
             ) -> dict[str, tuple[str, str]]:
    return {page: (keys[page], digests[page]) for page in part.pages}


@dataclass(frozen=True, slots=True)
class _Job:
    output: Output
    key: str
    target: str  # where the rendered bytes are written until the output is committed
    existing: str | None  # the previous build's file, kept if the bytes are the same


def _render(config: SiteConfig, theme: Theme, env: Environment,
            outputs: list[tuple[Output, str]], writer: OutputWriter, jobs: int, progress: Progress,
            compiled_templates: Path | None, compiled_catalogs: Path | None,
            renderers: dict[str, Renderer]) -> None:
    """Render `outputs` with `renderers`, adding the languages it lacks."""
    if not outputs:
        return
    locale_dirs = discover.locale_dirs(config)
    for lang in config.codes:
        if lang not in renderers:
            renderers[lang] = Renderer(theme, config.language(lang).locale,
                                       l10n.translations(locale_dirs, lang, config.site_dir,
                                                         compiled_catalogs),
                                       config.base_url, config.site_dir, compiled_templates)
    work = [_Job(o, key, writer.target(o.file), writer.existing(o.file)) for o, key in outputs]
    if parallel.forks(len(work), jobs):
        for renderer in renderers.values():
            renderer.compile_all()
    problems: dict[Diagnostic, list[str]] = {}  # a template's error -> the files it broke
    results = parallel.run(_render_one, (config, env.shared, renderers), work, jobs)
    for done, (job, result) in enumerate(zip(work, results), start=1):
        progress("rendering", done, len(work))
        if isinstance(result[0], Written):
            writer.wrote(job.output.file, *result)
        else:
            for problem in result:
                problems.setdefault(problem, []).append(job.output.file)
    if problems:
        raise BuildFailed([_while_rendering(problem, files)
                           for problem, files in problems.items()])


def _while_rendering(problem: Diagnostic, files: list[str]) -> Diagnostic:
    """A template's error, once, with the files it broke."""
    others = f" and {len(files) - 1} other page{'s' if len(files) > 2 else ''}" \
        if len(files) > 1 else ""
    return dataclasses.replace(problem, message=f"{problem.message} "
                                                f"(while rendering /{min(files)}{others})")


@dataclass(frozen=True, slots=True)
class _ImageJob:
    """The files to make from one image, decoded once."""

    source: str
    files: tuple[tuple[Rendition, str], ...]  # (rendition, where its bytes go)


def _make_images(config: SiteConfig, renditions: list[Rendition], writer: OutputWriter,
                 jobs: int, progress: Progress, made_images: Path | None) -> None:
    """Make the files from images the output does not hold yet: each image's on one core,
    from the files kept in `made_images` where they are there."""
    if not renditions:
        return
    by_image: dict[str, list[Rendition]] = {}
    for rendition in renditions:
        by_image.setdefault(rendition.digest, []).append(rendition)
    work = [_ImageJob(group[0].source, tuple((r, writer.target(r.file)) for r in group))
            for group in by_image.values()]
    settings = ImageSettings(config.image_widths)
    progress("images", 0, len(work))
    problems: list[Diagnostic] = []
    for done, (job, result) in enumerate(zip(work, parallel.run(
            _make_image, (settings, made_images), work, jobs, per_worker=1)), start=1):
        progress("images", done, len(work))
        if isinstance(result, Diagnostic):
            problems.append(result)
            continue
        for (rendition, _), written in zip(job.files, result):
            writer.wrote(rendition.file, written)
    if problems:
        raise BuildFailed(problems)


def _make_image(shared: tuple[ImageSettings, Path | None],
                job: _ImageJob) -> list[Written] | Diagnostic:
    settings, kept = shared
    wanted = {r.key: r for r, _ in job.files}  # made the same way under several names: once
    cached = {key for key in wanted if kept and os.path.isfile(f"{kept}/{key}")}
    missing = [r for key, r in wanted.items() if key not in cached]
    made: dict[str, bytes] = {}  # by key
    if missing:
        from . import images

        try:
            data = discover.read_file(job.source)
            made = dict(zip((r.key for r in missing),
                            images.make(data, Path(job.source).name, [r.spec for r in missing],
                                        settings)))
        except (OSError, images.UnusableImage) as exc:  # changed since it was examined
            return error(job.source, None, f"cannot make {missing[0].file} from this image: "
                                           f"{exc}")
    cached |= {key for key, data in made.items() if kept and _keep(f"{kept}/{key}", data)}
    written = []
    for rendition, target in job.files:
        key = f"image:{rendition.key}"
        if rendition.key in cached:
            written.append(link_file(f"{kept}/{rendition.key}", target, key))
        else:
            written.append(write_file(target, made[rendition.key], key)[0])
    return written


def _keep(name: str, data: bytes) -> bool:
    """Keep a made file for later builds; one that cannot be kept is made again then."""
    try:
        os.makedirs(os.path.dirname(name), exist_ok=True)
        partial = f"{name}.{os.getpid()}.tmp"
        with open(partial, "wb") as out:
            out.write(data)
        os.replace(partial, name)
    except OSError:
        return False
    return True


def _render_one(shared: tuple[SiteConfig, dict[str, dict[str, Any]], dict[str, Renderer]],
                job: _Job) -> tuple[Written, bool] | tuple[Diagnostic, ...]:
    """Render and write one output; in a worker, so that neither the work nor the bytes pass
    through the main process."""
    config, contexts, renderers = shared
    output = job.output
    try:
        page = dict(contexts.get(output.lang, {}))
        page.update(output.context(config))
        data = renderers[output.lang].render(output.templates, page)
    except BuildFailed as failed:
        return failed.diagnostics
    return write_file(job.target, data, job.key, job.existing)

"""The live preview's builds, where a save costs what it changes: every shortcut lives here.

A `Session` keeps what persists between the preview's builds: the build memo in memory and the
last build. When every file saved since then is a known article whose *shape* (file, language,
URL, section, dates, draft, tags, authors, translation links) is unchanged, and so is whether
its story's translations are stale, no listing, index, sitemap or navigation can change: the new
articles are swapped into the outputs that show their words (found through the index the last
full build made), and only those are rendered again. Anything else takes the full pipeline,
memoized. The property tests compare the two after every kind of edit.
"""

from __future__ import annotations

import dataclasses
import functools
import gc
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from .. import staleness
from ..assemble import BuildOptions, Site
from ..build import (
    BuildResult,
    Built,
    Plan,
    SiteInputs,
    Work,
    article_keys,
    build_site,
    known_keys,
    load_config,
    one_build_at_a_time,
    parse_articles,
    plan_site,
    publish_site,
    remember_site,
    remembered_digests,
    site_key,
)
from ..cache import Cache, open_cache
from ..content import Article, Parsed
from ..errors import BuildFailed
from ..inherit import inherits
from ..outputs import Output, news_articles
from ..publish import Publication
from ..render import Renderer
from ..swap import Swapped, shape, with_articles
from ..translations import TranslationGroup
from ..write import WriteReport
from .survey import Remembered


class Session:
    """One site's preview: its memo, its last build, and the files that show each article."""

    def __init__(self, site_dir: Path, out: Path) -> None:
        self.site_dir, self.out = site_dir, out
        self.memo: Cache = open_cache(site_dir, True)
        self.last: Built | None = None  # the last build, with what it planned
        self.outputs: dict[str, Output] = {}  # file -> output, of the last build
        self.work: Work | None = None  # what the last plan publishes, made once (its copies
        # and renditions by file): each save publishes it with `outputs` as they are now
        self.renderers: dict[str, Renderer] = {}  # by language, while the theme stays
        self.shows: dict[str, tuple[str, ...]] = {}  # article file -> the output files showing it
        self.places: dict[str, int] = {}  # article path -> its place in the inputs
        self.stories: dict[str, int] = {}  # article file -> the place of its story in the plan
        self.unbuilt: set[str] | None = set()  # saved since the last good build; None: unknown
        self.trusted = False  # the output folder holds what the records say
        self.unindexed: tuple[Callable[[], str | None], BuildResult] | None = None  # the
        # site key to record (made when it is)
        # once the search index has caught up with the pages, and the build's result

    @property
    def remembered(self) -> Remembered:
        return self.memo.parsed

    def build(self, options: BuildOptions, changes: set[str] | None, jobs: int = 1) -> BuildResult:
        """Build after `changes` (the paths the watcher named; None: anything may have
        changed, and a look at every source says what did). Raises what the build raises; the
        next build then still sees these changes."""
        if changes is None or self.unbuilt is None:
            self.unbuilt = None
        else:
            self.unbuilt |= changes
        with one_build_at_a_time(self.site_dir, lambda: None):
            saved = self.unbuilt if self.unbuilt is not None else self._saved_articles()
            with _uncollected():
                result = self._swap_articles(options, saved) if saved is not None else None
            if result is None:
                result = self._full(options, jobs)
        self.unbuilt, self.trusted = set(), True
        return result

    def index(self) -> None:
        """Make the parts of the search index whose pages the last build changed: the
        preview's builds show a saved page first, and search it a moment later."""
        if self.unindexed is None or self.last is None or self.last.plan is None:
            return
        key, result = self.unindexed
        with one_build_at_a_time(self.site_dir, lambda: None):
            self._publish(self.last.inputs, dict(self.last.plan.keys))
        self.unindexed = None
        remember_site(self.memo, self.out, key(), result)

    def close(self) -> None:
        self.memo.close()

    def _full(self, options: BuildOptions, jobs: int) -> BuildResult:
        self.unindexed = None  # a full build makes the index it needs
        config = load_config(self.site_dir)
        built = build_site(config, self.out, options, self.memo, jobs, trusted=self.trusted,
                           swap=False)
        if built.plan is None and self.last is None:  # up to date already: plan it for the index
            keys = known_keys(built.inputs, self.memo)
            built = dataclasses.replace(built, plan=plan_site(built.inputs, keys, options,
                                                              self.memo, jobs))
        if built.plan is not None:  # else the folder was up to date: `last` still holds
            self._index(built)
        return built.result

    def _index(self, built: Built) -> None:
        assert built.plan is not None
        self.last = built
        self.outputs = {o.file: o for o in built.plan.outputs.rendered}
        self.work = built.plan.work(self.outputs)
        self.renderers = {}  # the theme, catalogs or configuration may have changed
        shows: dict[str, list[str]] = {}
        for output in built.plan.outputs.rendered:
            for article in output.shows():
                shows.setdefault(article.source, []).append(output.file)
        self.shows = {source: tuple(dict.fromkeys(files)) for source, files in shows.items()}
        self.places = {path: n for n, path in enumerate(built.inputs.paths)}
        self.stories = {v.source: n for n, story in enumerate(built.plan.stories)
                        for v in story.versions}

    def _saved_articles(self) -> set[str] | None:
        """Where the watcher cannot say what changed (the first build after the preview
        starts, a look at every source now and then): the articles a look at every source
        finds changed since the last build, if nothing else did (`SiteInputs.changed_articles`;
        the swap checks the git history itself); else None."""
        if self.last is None:
            return None
        now = SiteInputs.read(load_config(self.site_dir),
                              functools.partial(remembered_digests, self.memo))
        return now.changed_articles(self.last.inputs)

    def _swap_articles(self, options: BuildOptions, changes: set[str]) -> BuildResult | None:
        """The fast path, or None where it does not apply."""
        last = self.last
        plan = last.plan if last is not None else None
        if last is None or plan is None:
            return None
        places = [n for n in map(self.places.get, changes) if n is not None]
        if len(places) < len(changes) or not _same_time(plan.site, options):
            return None
        inputs = _read(last.inputs, places)
        if inputs is None:
            return None
        keys = list(plan.article_keys)
        for n, key in zip(places, article_keys(inputs, places=places)):
            keys[n] = key
        parsed = self._parsed(inputs, plan, keys, places)
        swapped = _swapped(plan, parsed, places)
        stories = _stories(last.inputs, plan, swapped, inputs, self.stories) \
            if swapped is not None else None
        if swapped is None or stories is None:
            return None
        output_keys = dict(plan.keys)
        renewed = {f for new in swapped.values() for f in self.shows.get(new.source, ())}
        for file in renewed:
            output = self.outputs[file] = with_articles(self.outputs[file], swapped)
            output_keys[file] = plan.env.key(output)
        done = self._publish(inputs, output_keys, index_later=True, changed=renewed) \
            if swapped else None
        articles = list(plan.articles)
        for n in places:
            articles[n] = swapped.get(id(articles[n]), articles[n])
        self.last = dataclasses.replace(last, inputs=inputs, plan=dataclasses.replace(
            plan, article_keys=tuple(keys), stories=stories, keys=output_keys,
            articles=tuple(articles)))
        if done is None:  # saved without a change
            result = dataclasses.replace(last.result, report=WriteReport(0, len(output_keys), 0))
        else:
            result = dataclasses.replace(last.result, files=len(done.output), report=done.report,
                                         warnings=tuple(self.memo.warnings))
        def made() -> str | None:
            return site_key(inputs, keys, options, self.memo.article_dates())

        if self.unindexed is not None or done is not None and plan.outputs.search is not None:
            self.unindexed = (made, result)  # not the site until it is searched
            remember_site(self.memo, self.out, None, result)
        else:
            remember_site(self.memo, self.out, made(), result)
        return result

    def _parsed(self, inputs: SiteInputs, plan: Plan, keys: list[str],
                places: list[int]) -> dict[int, Parsed]:
        """The article of each saved file (at `places`), kept by the memo instead of the
        version it replaces (also where the save then takes the full build)."""
        known = {n: self.memo.article(keys[n]) for n in places}
        missing = [n for n, article in known.items() if article is None]
        parsed: dict[int, Parsed] = {n: a for n, a in known.items() if a is not None}
        parsed.update(zip(missing, parse_articles(inputs, missing,
                                                     catalogs=self.memo.compiled_catalogs())))
        self.memo.swap([plan.article_keys[n] for n in places if plan.article_keys[n] != keys[n]],
                       {keys[n]: a for n, a in parsed.items() if isinstance(a, Article)})
        return parsed

    def _publish(self, inputs: SiteInputs, keys: dict[str, str], index_later: bool = False,
                 changed: set[str] | None = None) -> Publication:
        """Render what the keys say changed (the outputs that show a saved article: `changed`,
        where they are known, and nothing else is looked at)."""
        assert self.work is not None  # made with the plan (`_index`)
        try:
            return publish_site(self.memo, self.out, inputs,
                                dataclasses.replace(self.work, outputs=self.outputs), keys,
                                trusted=True, index_later=index_later, changed=changed,
                                renderers=self.renderers)
        except BaseException:
            self.last = None
            raise


@contextmanager
def _uncollected() -> Iterator[None]:
    """No cyclic garbage collection during a save's swap. It copies some of the site's large
    tables (its articles, its stories, the output's records), and each young collection then
    traces every entry of the copies, ~8 ms each at 20,000 stories; they are freed as they go
    out of use anyway. What a save leaves in cycles waits for the preview's next collection
    (`serve._settle_memory`)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _read(inputs: SiteInputs, places: list[int]) -> SiteInputs | None:
    """The inputs with the saved files read again; None if one cannot be read, or the git
    history moved (a commit may make other translations stale)."""
    try:
        files = inputs.files.renewed(places)
    except (OSError, BuildFailed):
        return None
    history = staleness.read_history(inputs.config.site_dir)
    if (history.head if history else None) != (inputs.history.head if inputs.history else None):
        return None
    return dataclasses.replace(inputs, files=files, history=history)


def _same_time(site: Site, options: BuildOptions) -> bool:
    """Whether the clock left the site as it was: no scheduled article came out, and the news
    sitemap's window holds the same articles."""
    return options.clock < site.until and [a.source for a in news_articles(site)] == \
        [a.source for a in news_articles(site, options.clock)]


def _swapped(plan: Plan, parsed: dict[int, Parsed], places: list[int]) -> Swapped | None:
    """Old article -> its new version, where every saved file parsed to the same shape."""
    swapped: Swapped = {}
    for n in places:
        new, old = parsed[n], plan.articles[n]
        if not isinstance(new, Article) or shape(new) != shape(old):
            return None
        if new is not old:
            swapped[id(old)] = new
    return swapped


def _stories(before_inputs: SiteInputs, plan: Plan, swapped: Swapped,
             inputs: SiteInputs, places: dict[str, int]) -> tuple[TranslationGroup, ...] | None:
    """The stories with the new versions (`places`: the place of each article's story);
    None if a changed story's stale translations are not the same ones as before (a notice
    appears or goes), or if one of its versions takes something from another (which the
    saved file may have changed)."""
    if not swapped:
        return plan.stories
    files = inputs.files.by_name()
    before = before_inputs.files.by_name()
    stories = list(plan.stories)
    for n in sorted({places[new.source] for new in swapped.values()}):
        story = stories[n]
        if any(inherits(v, story.versions) for v in story.versions):
            return None
        new = TranslationGroup(story.key, tuple(swapped.get(id(v), v) for v in story.versions))
        default = inputs.config.default_language
        if _verdict(story, before_inputs.history, before, default) != \
                _verdict(new, inputs.history, files, default):
            return None
        stories[n] = new
    return tuple(stories)


def _verdict(story: TranslationGroup, history: staleness.GitHistory | None,
             files: Mapping[str, bytes], default_language: str) -> list[tuple[str, str]]:
    return [(s.translation, s.original.source)
            for s in staleness.stale_in(story, history, files, default_language)]

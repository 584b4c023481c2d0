"""When only the words of known articles changed: swap them into the outputs that show them.

An article's *shape* (its file, language, URL, section, dates, draft, tags, authors, translation
links, images) decides where it is listed, linked and paired, and in which order. When every
article file that changed since the last build is a known one of the same shape, takes nothing
from another version of its story, and leaves the same translations stale, no listing, index,
sitemap or navigation can change: only the outputs that show those articles do, each made from
the same fields with the new articles in them. The live preview swaps them into its last plan,
kept in memory (`commands/preview.py`); a build in a new process swaps them into the records of
those outputs that the last full build into the same folder left (`SwapBuild`), and so plans
nothing. Anything else plans the whole site. The property tests compare both with cold builds
after every kind of edit.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from . import records
from .content import Article
from .inherit import inherits
from .staleness import GitHistory, stale_in
from .translations import TranslationGroup, links

if TYPE_CHECKING:
    from .build import Plan, SiteInputs
    from .cache import Cache
    from .outputs import Copy, Output
    from .photos import Rendition
    from .publish import Environment
    from .search import SearchIndex

T = TypeVar("T")
Swapped = dict[int, Article]  # id of an old article -> its new version
MOST = 200  # changed articles beyond which planning the site costs less than swapping them in
FORM = 1  # of the plan's record


def shape(article: Article) -> tuple[Any, ...]:
    """What decides where an article is listed, linked and paired, and in which order, and
    which images it shows (their files are made by the full build). A page of the publication
    is listed in the footer of every page, by its weight and title."""
    return (links(article), article.path, article.section, article.date, article.modified,
            article.timestamp, article.draft, article.tags, article.authors, article.given,
            article.aliases, article.image, article.image_focus,
            tuple(reference for reference, _ in article.figures),
            (article.weight, article.title) if article.is_page else None)


def verdict(versions: Sequence[Article], history: GitHistory | None,
            files: Mapping[str, bytes], default_language: str) -> set[tuple[str, str]]:
    """(translation, original) of each stale version of a story."""
    return {(s.translation, s.original.source)
            for s in stale_in(TranslationGroup("", tuple(versions)), history, files,
                              default_language)}


def with_articles(output: T, swapped: Swapped) -> T:
    """The output (or a value of its fields) with each old article in its fields replaced by
    its new version."""
    changes = {f.name: _replaced(getattr(output, f.name), swapped)
               for f in dataclasses.fields(output)}  # type: ignore[arg-type]
    return dataclasses.replace(output, **changes)  # type: ignore[type-var]


def _replaced(value: Any, swapped: Swapped) -> Any:
    if isinstance(value, Article):
        return swapped.get(id(value), value)
    if isinstance(value, tuple):
        return tuple(_replaced(item, swapped) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):  # a related story, a
        return with_articles(value, swapped)  # front page's shelf: each holds articles
    return value


# What a full build leaves for the next ---------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Remembered:
    """A full build's plan as the next build in another process needs it to swap articles in:
    what it was made from (`frame`: everything but the articles' words), what renders it, and
    the files of its outputs, whose records (`records.py`) the memo keeps by file."""

    frame: str
    count: int  # published article versions
    warnings: tuple[str, ...]
    shared: dict[str, dict[str, Any]]  # the Environment's
    digests: dict[str, str]
    search: tuple[tuple[tuple[str, tuple[str, ...]], ...], dict[str, tuple[str, ...]]] | None
    rendered: tuple[str, ...]
    copies: tuple[str, ...]
    renditions: tuple[str, ...]
    stale: dict[str, str]  # each stale translation's file -> its original's
    completed: dict[str, dict[str, Any]]  # file -> what its story gave it (`inherit.py`)

    def record(self) -> tuple[Any, ...]:
        """As the memo keeps it: plain values in order, with the record's form."""
        return (FORM, *(getattr(self, f.name) for f in dataclasses.fields(self)))

    @classmethod
    def of_record(cls, record: Any) -> Remembered | None:
        count = len(dataclasses.fields(cls))
        if not isinstance(record, tuple) or len(record) != count + 1 or record[0] != FORM:
            return None
        return cls(*record[1:])


def remember(memo: Cache, out: Path, plan: Plan, frame: str | None, count: int) -> None:
    """Keep what a build in another process needs to swap articles into this plan: the record
    of each output whose key changed, which outputs show each article and its story, each
    file's article key, and the plan itself (`frame` None: no build can swap into it)."""
    if frame is None:
        memo.remember_plan(out, None)
        return
    rendered, copies, renditions = plan.outputs.rendered, plan.outputs.copies, \
        plan.outputs.renditions
    stored = memo.page_keys(out)
    changes: dict[str, tuple[str, bytes | None] | None] = {}
    values: list[tuple[str, Any]] = [(o.file, o) for o in rendered]
    values += [(c.file, c) for c in copies]
    values += [(r.file, r) for r in renditions]
    for file, value in values:
        key = plan.keys[file]
        if stored.get(file) != key:
            changes[file] = (key, records.record(value))
    for file in stored.keys() - plan.keys.keys():
        changes[file] = None
    memo.keep_pages(out, changes)
    shows: dict[str, list[str]] = {}
    for output in rendered:
        for article in output.shows():
            shows.setdefault(article.source, []).append(output.file)
    entries = {version.source: (tuple(dict.fromkeys(shows.get(version.source, ()))),
                                tuple(v.source for v in story.versions))
               for story in plan.stories for version in story.versions}
    _keep_entries(memo.named("shows", out), entries)
    _keep_entries(memo.named("keys", out), {a.source: (key,)
                                            for a, key in zip(plan.articles, plan.article_keys)})
    parsed = {a.source: a for a in plan.articles}
    completed = {v.source: {f.name: getattr(v, f.name) for f in dataclasses.fields(v)
                            if getattr(v, f.name) != getattr(parsed[v.source], f.name)}
                 for story in plan.stories for v in story.versions if v is not parsed[v.source]}
    search = plan.outputs.search
    memo.remember_plan(out, Remembered(
        frame, count, plan.warnings, plan.env.shared, plan.env.digests,
        (tuple((p.folder, p.pages) for p in search.parts), dict(search.languages))
        if search is not None else None,
        tuple(o.file for o in rendered), tuple(c.file for c in copies),
        tuple(r.file for r in renditions), dict(plan.stale), completed).record())


def _keep_entries(shelves: Any, entries: dict[str, tuple[Any, ...]]) -> None:
    before = shelves.entries()
    changes: dict[str, Any] = dict.fromkeys(before.keys() - entries.keys())
    changes.update((name, entry) for name, entry in entries.items() if before.get(name) != entry)
    shelves.change(changes)


# A build that swaps articles into the records ------------------------------------------------

@dataclass(frozen=True, slots=True)
class SwapBuild:
    """What to publish when articles are swapped into the last plan's records, and what to
    keep once published."""

    remembered: Remembered
    env: Environment
    outputs: Mapping[str, Output]
    copies: Mapping[str, Copy]
    renditions: Mapping[str, Rendition]
    search: SearchIndex | None
    keys: dict[str, str]  # of every output
    new: dict[str, Article]  # key -> the article of each changed file
    gone: tuple[str, ...]  # the keys they replace
    files: dict[str, tuple[str]]  # article file -> (key,) of each changed file
    renewed: dict[str, str]  # output file -> its new key, of the outputs that show them

    def remember(self, memo: Cache, out: Path) -> None:
        """Once published: the new articles, and the keys of the files and outputs swapped."""
        memo.named("keys", out).change(self.files)  # first: the keys it no longer names go
        memo.swap(self.gone, self.new)
        memo.keep_pages(out, {file: (key, None) for file, key in self.renewed.items()})


def swap_build(inputs: SiteInputs, keys: Sequence[str], memo: Cache, out: Path,
               frame: Any) -> SwapBuild | None:
    """The build that swaps the changed articles into the records of the last full build into
    `out`, or None where it does not apply. `frame(dates)` is this build's frame, given the
    publication time and draft of each key."""
    from .build import parse_articles
    from .publish import Environment
    from .search import Part, SearchIndex

    remembered = Remembered.of_record(memo.plan(out))
    if remembered is None:
        return None
    names, before = inputs.files.names, memo.named("keys", out).entries()
    changed = [n for n, name in enumerate(names) if before.get(name) != (keys[n],)]
    if len(before) != len(names) or len(changed) > MOST or \
            any(names[n] not in before for n in changed):  # a file added, removed or renamed
        return None
    new: dict[int, Article] = {}
    parsed_now = parse_articles(inputs, changed, catalogs=memo.compiled_catalogs())
    for n, parsed in zip(changed, parsed_now):
        old = memo.article(before[names[n]][0])
        if not isinstance(parsed, Article) or old is None or shape(parsed) != shape(old):
            return None
        new[n] = parsed
    dates = dict(memo.article_dates())
    dates.update((keys[n], (a.timestamp, a.draft)) for n, a in new.items())
    if frame(dates) != remembered.frame:
        return None
    now = {names[n]: keys[n] for n in range(len(names))}
    current: dict[str, Article] = {a.source: a for a in new.values()}

    def article(source: str) -> Article:
        found = current.get(source)
        if found is None:
            found = memo.article(now.get(source, ""))
            if found is None:
                raise records.Unreadable(f"no article for {source}")
            current[source] = found
        return found

    shows = memo.named("shows", out)
    renewed: set[str] = set()
    for n in changed:
        entry = shows.get(names[n])
        if entry is None:
            return None
        files, story = entry
        try:
            versions = [article(source) for source in story]
        except records.Unreadable:
            return None
        if any(inherits(v, versions) for v in versions):
            return None
        if verdict(versions, inputs.history, inputs.files.by_name(),
                   inputs.config.default_language) != \
                {(t, o) for t, o in remembered.stale.items() if t in story}:
            return None
        renewed.update(files)

    def completed(source: str) -> Article:
        found = article(source)
        changes = remembered.completed.get(source)
        return dataclasses.replace(found, **changes) if changes else found

    written = memo.written(out)
    planned = (*remembered.rendered, *remembered.copies, *remembered.renditions)
    if any(file not in written for file in planned):
        return None
    held = {file: written[file].key for file in planned}
    output_keys = dict(held)
    env = Environment(remembered.shared, remembered.digests)
    outputs = _Records(memo, out, remembered.rendered, held, completed)
    try:
        swapped = {file: outputs[file] for file in sorted(renewed)}
    except records.Unreadable:
        return None
    for file, output in swapped.items():
        output_keys[file] = env.key(output)
    search = None
    if remembered.search is not None:
        parts, languages = remembered.search
        search = SearchIndex(tuple(Part(folder, pages) for folder, pages in parts), languages)
    return SwapBuild(
        remembered, env, outputs, _Records(memo, out, remembered.copies, held, completed),
        _Records(memo, out, remembered.renditions, held, completed), search, output_keys,
        {keys[n]: a for n, a in new.items()},
        tuple(dict.fromkeys(before[names[n]][0] for n in changed)),
        {names[n]: (keys[n],) for n in changed},
        {file: output_keys[file] for file in swapped})


class _Records(Mapping[str, Any]):
    """Outputs by file, each made from its record when first asked for (publishing asks only
    for those it renders, copies or makes); a record must be of the output the folder held
    (`keys`)."""

    def __init__(self, memo: Cache, out: Path, files: tuple[str, ...], keys: dict[str, str],
                 article: Any) -> None:
        self.memo, self.out, self.files, self.held, self.article = memo, out, files, keys, \
            article
        self.made: dict[str, Any] = {}

    def __iter__(self) -> Iterator[str]:
        return iter(self.files)

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, file: str) -> Any:
        if file not in self.made:
            found = self.memo.pages(self.out, [file]).get(file)
            if found is None:
                raise records.Unreadable(f"no record of {file}")
            key, data = found
            if key != self.held.get(file):
                raise records.Unreadable(f"the record of {file} is of another build")
            made = records.value_of(data, self.article)
            if getattr(made, "file", None) != file:
                raise records.Unreadable(f"the record of {file} is another file's")
            self.made[file] = made
        return self.made[file]


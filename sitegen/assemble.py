"""Decide what is published and how it is listed: the site as readers will see it.

The build's clock only decides publication (drafts and future articles); everything else is a
function of the articles, so the same input always gives the same site.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from . import urls
from .config import LanguageConfig, SiteConfig
from .content import Article
from .related import related_stories
from .translations import TranslationGroup


@dataclass(frozen=True, slots=True)
class BuildOptions:
    now: datetime
    drafts: bool = False
    future: bool = False
    clock: float = field(init=False, repr=False, compare=False)  # `now` in seconds

    def __post_init__(self) -> None:
        object.__setattr__(self, "clock", self.now.timestamp())

    def publishes(self, timestamp: float, draft: bool) -> bool:
        """A draft waits for --drafts, a future article for its time (or --future)."""
        return (self.drafts or not draft) and (self.future or timestamp <= self.clock)

    def scheduled(self, timestamp: float, draft: bool) -> bool:
        """Not published yet, but will be when its time comes."""
        return (self.drafts or not draft) and not self.future and timestamp > self.clock


@dataclass(frozen=True, slots=True)
class Listing:
    """A paginated list of articles: a front page, a section, a tag or an author."""

    kind: str  # "front", "section", "tag" or "author"
    lang: str
    name: str  # the section, tag or author slug; "" for the front page
    title: str
    pages: tuple[tuple[Article, ...], ...]  # with stories not yet in `lang` where they are linked
    total: int  # articles on all its pages
    folder: str  # its first page's path: `es/temas/derechos-humanos/`
    # What it lists in every language: its counterparts in the other editions share it
    # ("" where it has none, as a tag that is no term of the glossary).
    topic: str

    @classmethod
    def of(cls, kind: str, lang: str, name: str, title: str, articles: tuple[Article, ...],
           per_page: int, places: urls.Places, topic: str) -> Listing:
        return cls(kind, lang, name, title, _paginate(articles, per_page), len(articles),
                   places.listing(kind, lang, name), topic)

    def path(self, page: int = 1) -> str:
        return self.folder + urls.page_suffix(page)


@dataclass(frozen=True, slots=True)
class Edition:
    """Everything published in one language."""

    language: LanguageConfig
    articles: tuple[Article, ...]  # newest first
    stories: tuple[tuple[Article, ...], ...]  # each article's story: its published versions
    lastmod: datetime | None  # the newest change among the articles
    front: Listing
    sections: tuple[Listing, ...]
    tags: tuple[Listing, ...]
    authors: tuple[Listing, ...]
    # article file -> the other stories of this language that share most with it, best first
    related: dict[str, tuple[Article, ...]] = field(default_factory=dict)
    # The pages of the publication (About, Corrections…), in the footer's order: by weight,
    # then by title. They are no news: in no listing, feed or news sitemap.
    pages: tuple[Article, ...] = ()

    @property
    def lang(self) -> str:
        return self.language.code

    def listings(self) -> tuple[Listing, ...]:
        return (self.front, *self.sections, *self.tags, *self.authors)


@dataclass(frozen=True, slots=True)
class Site:
    config: SiteConfig
    places: urls.Places
    editions: tuple[Edition, ...]
    stories: dict[str, tuple[Article, ...]]  # article source -> every published version of its story
    now: datetime
    behind: dict[str, Article] = field(default_factory=dict)  # stale translation -> its original
    until: float = math.inf  # when the first scheduled article comes out: the site changes then

    @property
    def published_count(self) -> int:
        return sum(len(e.articles) for e in self.editions)

    @property
    def newest(self) -> datetime | None:
        """When the newest published story came out, in any language: its year is the
        copyright's, so the same stories give the same pages whenever they are built."""
        return max((e.articles[0].date for e in self.editions if e.articles), default=None)

    def versions(self, article: Article) -> tuple[Article, ...]:
        return self.stories[article.source]


@dataclass(frozen=True, slots=True)
class Shelf:
    """One language's published articles, newest first, each beside its story."""

    articles: tuple[Article, ...]
    stories: tuple[tuple[Article, ...], ...]  # each article's story: its published versions
    lastmod: datetime | None  # the newest change among them
    # The stories with no version in this language, each by its first published version.
    untranslated: tuple[Article, ...] = ()
    pages: tuple[Article, ...] = ()  # the pages of the publication, in the footer's order


@dataclass(frozen=True, slots=True)
class Published:
    """What readers see of the stories at one time."""

    stories: dict[str, tuple[Article, ...]]  # article source -> its story's published versions
    shelves: dict[str, Shelf]  # by language
    until: float  # the first time a scheduled article comes out: then it must be decided again


def assemble(config: SiteConfig, places: urls.Places, groups: Sequence[TranslationGroup],
             options: BuildOptions, behind: Mapping[str, Article] | None = None) -> Site:
    """`behind` maps each stale translation's file to the original it fell behind."""
    published = _published(groups, options, config.codes)
    editions = tuple(_edition(config, places, language,
                              published.shelves.get(language.code, _EMPTY))
                     for language in config.languages)
    behind = {source: original for source, original in (behind or {}).items()
              if source in published.stories}
    return Site(config, places, editions, published.stories, options.now, behind,
                published.until)


def _published(groups: Sequence[TranslationGroup], options: BuildOptions,
               languages: tuple[str, ...]) -> Published:
    stories: dict[str, tuple[Article, ...]] = {}
    articles: list[Article] = []
    for group in groups:
        versions = tuple([a for a in group.versions if options.publishes(a.timestamp, a.draft)])
        articles.extend(versions)
        for article in versions:
            stories[article.source] = versions
    until = min((a.timestamp for group in groups for a in group.versions
                 if options.scheduled(a.timestamp, a.draft)), default=math.inf)
    pages = sorted((a for a in articles if a.is_page), key=footer_order)
    articles = [a for a in articles if not a.is_page]
    articles.sort(key=newest_first)
    by_lang: dict[str, list[Article]] = {lang: [] for lang in languages}
    for article in articles:
        by_lang[article.lang].append(article)
    missing: dict[str, list[Article]] = {lang: [] for lang in languages}
    for article in articles:
        versions = stories[article.source]
        if article is versions[0]:
            for lang in languages:
                if all(v.lang != lang for v in versions):
                    missing[lang].append(article)
    return Published(stories, {lang: _shelf(found, [stories[a.source] for a in found],
                                            missing[lang],
                                            [page for page in pages if page.lang == lang])
                               for lang, found in by_lang.items()}, until)


def _shelf(articles: list[Article], stories: list[tuple[Article, ...]],
           untranslated: list[Article], pages: list[Article] | None = None) -> Shelf:
    return Shelf(tuple(articles), tuple(stories), max((a.modified for a in articles),
                                                      default=None), tuple(untranslated),
                 tuple(pages or ()))


def footer_order(page: Article) -> tuple[int, str, str]:
    """Pages by weight (lower first), then by title as a reader sorts it."""
    return (page.weight, page.title.casefold(), page.source)


_EMPTY = _shelf([], [], [])


def source_date_epoch() -> datetime | None:
    """SOURCE_DATE_EPOCH, when set: the time that makes builds and catalogs reproducible."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return datetime.fromtimestamp(int(value), tz=UTC) if value.isdigit() else None


def build_clock() -> datetime:
    """The build's clock: SOURCE_DATE_EPOCH when set, else now."""
    return source_date_epoch() or datetime.now(UTC)


NEWS_WINDOW = timedelta(days=2)  # Google News reads the articles of the last two days only


def is_published(article: Article, options: BuildOptions) -> bool:
    return options.publishes(article.timestamp, article.draft)


def is_news(timestamp: float, clock: float) -> bool:
    """Published within the news sitemap's window before the build's clock (both in seconds)."""
    return clock - NEWS_WINDOW.total_seconds() <= timestamp <= clock


def newest_first(article: Article) -> tuple[float, str]:
    return (-article.timestamp, article.source)


def _edition(config: SiteConfig, places: urls.Places, language: LanguageConfig,
             shelf: Shelf) -> Edition:
    """`missing_translation = "link"`: the front page, sections and tags list the stories not
    yet in this language too, by their original, among the others by date."""
    lang, per_page, articles, glossary = language.code, config.per_page, shelf.articles, \
        config.glossary
    listed = articles
    if config.missing_translation == "link" and shelf.untranslated:
        listed = tuple(sorted((*articles, *shelf.untranslated), key=newest_first))

    def tags(article: Article) -> tuple[str, ...]:
        if article.lang == lang:
            return tuple(dict.fromkeys(glossary.shown(tag, lang) for tag in article.tags))
        return glossary.translate_all(article.tags, article.lang, lang)

    def listings(kind: str, shown: Sequence[Article], terms_of: Callable[[Article], tuple[str, ...]],
                 slug_of: Callable[[str], str], title_of: Callable[[str, str], str],
                 topic_of: Callable[[str, str], str]) -> list[Listing]:
        return [Listing.of(kind, lang, slug, title_of(slug, name), tuple(found), per_page,
                           places, topic_of(slug, name))
                for slug, (name, found) in _members(shown, terms_of, slug_of).items()]

    def term_topic(slug: str, name: str) -> str:
        term = glossary.term(name, lang)
        return "" if term is None else f"term:{term}"

    section_order = {name: n for n, name in enumerate(language.sections)}
    sections = sorted(listings("section", listed, _section, str,
                               lambda name, _: config.section_title(lang, name),
                               lambda name, _: name),
                      key=lambda s: (section_order.get(s.name, len(section_order)), s.name))
    tag_listings = sorted(listings("tag", listed, tags, urls.term_slug, _as_written, term_topic),
                          key=_by_title)
    def bylines(article: Article) -> tuple[str, ...]:
        return config.authors.bylines(article.authors, lang)

    def author_topic(slug: str, name: str) -> str:
        """An author of the table is one in every language; another byline is its slug."""
        author = config.authors.find(name)
        return author.topic if author else slug

    authors = sorted(listings("author", articles, bylines, urls.term_slug, _as_written,
                              author_topic), key=_by_title)
    stories = dict(zip((a.source for a in articles), shelf.stories))
    related = related_stories(articles, lambda a: _topics(a, tags(a)),
                              lambda a: stories[a.source][0].source)
    return Edition(language, articles, shelf.stories, shelf.lastmod,
                   Listing.of("front", lang, "", language.title, listed, per_page, places, "front"),
                   tuple(sections), tuple(tag_listings), tuple(authors), related, shelf.pages)


def _topics(article: Article, tags: tuple[str, ...]) -> tuple[str, ...]:
    """What relates an article to others: its tags as its language's pages list them (so
    `Cuba` and `cuba` are one), and its section."""
    return (*(f"tag:{urls.term_slug(tag)}" for tag in tags),
            *((f"section:{article.section}",) if article.section else ()))


def _as_written(slug: str, name: str) -> str:
    return name


def _members(articles: Sequence[Article], terms_of: Callable[[Article], tuple[str, ...]],
             slug_of: Callable[[str], str]) -> dict[str, tuple[str, list[Article]]]:
    """slug -> (the term as it first appears, its articles in their order): terms whose slugs
    agree (`Cuba`, `cuba`) share one listing."""
    found: dict[str, tuple[str, list[Article]]] = {}
    for article in articles:
        for term in terms_of(article):
            slug = slug_of(term)
            known = found.get(slug)
            if known is None:
                found[slug] = (term, [article])
            elif known[1][-1] is not article:  # an article counts once, however it is tagged
                known[1].append(article)
    return found


def _by_title(listing: Listing) -> tuple[str, str]:
    return (listing.title.casefold(), listing.name)


def _section(article: Article) -> tuple[str, ...]:
    return (article.section,) if article.section else ()


def _paginate(articles: tuple[Article, ...], per_page: int) -> tuple[tuple[Article, ...], ...]:
    if not articles:
        return ((),)
    return tuple(articles[i:i + per_page] for i in range(0, len(articles), per_page))

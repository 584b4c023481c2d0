"""Decide what is published and how it is listed: the site as readers will see it.

The build's clock only decides publication (drafts and future articles); everything else is a
function of the articles, so the same input always gives the same site.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from . import urls
from .config import LanguageConfig, SiteConfig
from .content import Article
from .translations import TranslationGroup


@dataclass(frozen=True, slots=True)
class BuildOptions:
    now: datetime
    drafts: bool = False
    future: bool = False


@dataclass(frozen=True, slots=True)
class Listing:
    """A paginated list of articles: a front page, a section, a tag or an author."""

    kind: str  # "front", "section", "tag" or "author"
    lang: str
    name: str  # the section, tag or author slug; "" for the front page
    title: str
    pages: tuple[tuple[Article, ...], ...]
    count: int  # articles on all its pages

    @classmethod
    def of(cls, kind: str, lang: str, name: str, title: str, articles: tuple[Article, ...],
           per_page: int) -> Listing:
        return cls(kind, lang, name, title, _paginate(articles, per_page), len(articles))

    def path(self, page: int = 1) -> str:
        if self.kind == "front":
            return urls.front(self.lang, page)
        return {"section": urls.section, "tag": urls.tag, "author": urls.author}[self.kind](
            self.lang, self.name, page)


@dataclass(frozen=True, slots=True)
class Edition:
    """Everything published in one language."""

    language: LanguageConfig
    articles: tuple[Article, ...]  # newest first
    front: Listing
    sections: tuple[Listing, ...]
    tags: tuple[Listing, ...]
    authors: tuple[Listing, ...]

    @property
    def lang(self) -> str:
        return self.language.code


@dataclass(frozen=True, slots=True)
class Site:
    config: SiteConfig
    editions: tuple[Edition, ...]
    stories: dict[str, tuple[Article, ...]]  # article source -> every published version of its story
    now: datetime
    behind: dict[str, Article] = field(default_factory=dict)  # stale translation -> its original

    def versions(self, article: Article) -> tuple[Article, ...]:
        return self.stories[article.source]

    def section_langs(self, section: str) -> tuple[str, ...]:
        return tuple(e.lang for e in self.editions if any(s.name == section for s in e.sections))


def assemble(config: SiteConfig, groups: Iterable[TranslationGroup], options: BuildOptions,
             behind: Mapping[str, Article] | None = None) -> Site:
    """`behind` maps each stale translation's file to the original it fell behind."""
    stories: dict[str, tuple[Article, ...]] = {}
    published: list[Article] = []
    for group in groups:
        versions = tuple(a for a in group.versions if is_published(a, options))
        published.extend(versions)
        for article in versions:
            stories[article.source] = versions
    published.sort(key=newest_first)
    editions = tuple(
        _edition(config, language, tuple(a for a in published if a.lang == language.code))
        for language in config.languages
    )
    behind = {source: original for source, original in (behind or {}).items()
               if source in stories}
    return Site(config, editions, stories, options.now, behind)


def source_date_epoch() -> datetime | None:
    """SOURCE_DATE_EPOCH, when set: the time that makes builds and catalogs reproducible."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return datetime.fromtimestamp(int(value), tz=UTC) if value.isdigit() else None


def build_clock() -> datetime:
    """The build's clock: SOURCE_DATE_EPOCH when set, else now."""
    return source_date_epoch() or datetime.now(UTC)


NEWS_WINDOW = timedelta(days=2)  # Google News reads the articles of the last two days only


def is_published(article: Article, options: BuildOptions) -> bool:
    return published(article.date.timestamp(), article.draft, options)


def published(date: float, draft: bool, options: BuildOptions) -> bool:
    """A draft waits for --drafts, a future article for its time (or --future)."""
    return (options.drafts or not draft) and (options.future or date <= options.now.timestamp())


def is_news(date: float, now: datetime) -> bool:
    """Published within the news sitemap's window before the build's clock."""
    return now.timestamp() - NEWS_WINDOW.total_seconds() <= date <= now.timestamp()


def newest_first(article: Article) -> tuple[float, str]:
    return (-article.date.timestamp(), article.source)


def _edition(config: SiteConfig, language: LanguageConfig, articles: tuple[Article, ...]) -> Edition:
    lang, per_page = language.code, config.per_page
    front = Listing.of("front", lang, "", language.title, articles, per_page)
    section_order = {name: n for n, name in enumerate(language.sections)}
    sections = _listings(
        "section", lang, articles, per_page, lambda a: (a.section,) if a.section else (),
        lambda name: config.section_title(lang, name), lambda name: name,
        order=lambda listing: (section_order.get(listing.name, len(section_order)), listing.name))
    tags = _listings("tag", lang, articles, per_page, lambda a: a.tags, str, term_slug)
    authors = _listings("author", lang, articles, per_page, lambda a: a.authors, str, term_slug)
    return Edition(language, articles, front, sections, tags, authors)


def _listings(
    kind: str,
    lang: str,
    articles: tuple[Article, ...],
    per_page: int,
    terms_of: Callable[[Article], Iterable[str]],
    title_of: Callable[[str], str],
    slug_of: Callable[[str], str],
    order: Callable[[Listing], tuple] | None = None,
) -> tuple[Listing, ...]:
    """One listing per term; terms whose slugs agree (`Cuba`, `cuba`) share one page."""
    by_slug: dict[str, dict[str, Article]] = {}
    names: dict[str, str] = {}
    for article in articles:
        for term in terms_of(article):
            slug = slug_of(term)
            names.setdefault(slug, term)
            by_slug.setdefault(slug, {}).setdefault(article.source, article)
    listings = [
        Listing.of(kind, lang, slug, title_of(names[slug]), tuple(found.values()), per_page)
        for slug, found in by_slug.items()
    ]
    return tuple(sorted(listings, key=order or (lambda listing: (listing.title.casefold(),
                                                                  listing.name))))


def term_slug(name: str) -> str:
    """A tag's or author's URL segment; names with no Latin letters get a stable short hash."""
    return urls.slugify(name) or hashlib.sha1(name.encode()).hexdigest()[:10]


def _paginate(articles: tuple[Article, ...], per_page: int) -> tuple[tuple[Article, ...], ...]:
    if not articles:
        return ((),)
    return tuple(articles[i:i + per_page] for i in range(0, len(articles), per_page))

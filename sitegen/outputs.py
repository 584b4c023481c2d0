"""Every file a build writes, declared once: pages by kind, feeds, sitemaps, robots.txt, copies.

`site_outputs()` is the one list. The build renders and writes it, `sitegen check` resolves links
against it, and the sitemap is made from its pages, so an output that exists is always linked,
listed and alternated the same way. Each kind is a plain value whose fields are everything its
file is made from: the fields decide the output's key, and the template's context is made from
them only when the file is rendered.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass, fields, is_dataclass, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from . import context, urls
from .assemble import Edition, Listing, Site, is_news
from .authors import Byline
from .config import SiteConfig
from .content import Article
from .context import X_DEFAULT, Alternates, languages, x_default
from .errors import BuildFailed, Diagnostic, error
from .photos import Picture
from .search import SearchIndex, search_index
from .theme import Theme

if TYPE_CHECKING:
    from .photos import Photos, Rendition, Shown
    from .redirects import Redirects


@dataclass(frozen=True, slots=True)
class Output:
    """A file made by rendering a template."""

    TEMPLATES: ClassVar[tuple[str, ...]] = ()
    lang: str  # whose catalog and formats the template uses

    @property
    def templates(self) -> tuple[str, ...]:
        """The templates that may render it, the most specific first: the first the theme has
        is used."""
        return self.TEMPLATES

    @property
    def file(self) -> str:
        """Where it is written, relative to the output folder."""
        raise NotImplementedError

    def shows(self) -> tuple[Article, ...]:
        """The articles whose words (not only whose URL, date or language) it shows."""
        return ()

    def context(self, config: SiteConfig) -> dict[str, Any]:
        raise NotImplementedError

    def described(self) -> str:
        """The output as an editor would name it in an error."""
        return f"the generated {self.file}"


@dataclass(frozen=True, slots=True)
class Page(Output):
    """An HTML page: a URL with its language versions."""

    path: str  # URL path relative to the site, e.g. "en/americas/story/"
    alternates: Alternates  # this version included; an x-default entry names the root's
    lastmod: datetime | None

    in_sitemap: ClassVar[bool] = True

    @property
    def file(self) -> str:
        return urls.output_file(self.path)

    def context(self, config: SiteConfig) -> dict[str, Any]:
        return context.page_context(config, self.path, self.lang, self.alternates)

    def described(self) -> str:
        return f"the {self.templates[0].removesuffix('.html')} page /{self.path}"


@dataclass(frozen=True, slots=True)
class RootPage(Page):
    """The language chooser, which a CDN may answer with a redirect by the reader's language:
    the x-default of the front pages, and no sitemap entry of its own."""

    TEMPLATES = ("root.html",)
    in_sitemap = False


@dataclass(frozen=True, slots=True)
class NotFoundPage(Page):
    """A language's 404 page: it leads a reader who followed a dead link to the front page and
    to the newest stories of its language."""

    TEMPLATES = ("404.html",)
    in_sitemap = False

    headlines: tuple[Teaser, ...] = ()  # the newest stories, newest first

    def shows(self) -> tuple[Article, ...]:
        return tuple(teaser.article for teaser in self.headlines)

    def context(self, config: SiteConfig) -> dict[str, Any]:
        return context.not_found_context(config, self.path, self.lang, self.alternates,
                                         self.headlines)


# How many of the newest stories a 404 page offers.
NOT_FOUND_HEADLINES = 5


@dataclass(frozen=True, slots=True)
class Teaser:
    """Another story as a link to it shows it: its headline, date and picture. Only these enter
    the key of the page that shows it (see `_plain`), so that a correction to that story's
    body renders no page again, and a new headline renders every page that shows it."""

    article: Article
    thumbnail: Picture | None  # its lead image

    def shown(self) -> tuple[str, str, datetime, Picture | None]:
        return (self.article.title, self.article.path, self.article.date, self.thumbnail)


@dataclass(frozen=True, slots=True)
class ArticlePage(Page):
    TEMPLATES = ("article.html",)

    article: Article
    versions: tuple[Article, ...]  # the story's other published versions
    behind: Article | None  # the original, if this version is a stale translation of it
    section: str | None  # its section's page
    tags: tuple[tuple[str, str], ...]  # (as shown in its language, page) of each tag
    authors: tuple[Byline, ...]  # each author, as its language names them
    images: Shown | None = None  # its lead, body and social images
    logo: Picture | None = None  # the publisher's, for the JSON-LD
    related: tuple[Teaser, ...] = ()  # the stories of its language that share most with it

    def shows(self) -> tuple[Article, ...]:
        return (self.article, *self.versions, *((self.behind,) if self.behind else ()),
                *(teaser.article for teaser in self.related))

    def context(self, config: SiteConfig) -> dict[str, Any]:
        return context.article_context(config, self, self.behind)

    def described(self) -> str:
        return f"{self.article.source}:{self.article.url_line}"


@dataclass(frozen=True, slots=True)
class PublicationPage(Page):
    """A page of the publication (About, Contact, Corrections): its text and its language
    versions, with no date, byline or section; the footer of every page links to it."""

    TEMPLATES = ("page.html",)

    page: Article
    versions: tuple[Article, ...]  # its other published versions
    behind: Article | None  # the original, if this version is a stale translation of it
    images: Shown | None = None  # its body's images

    def shows(self) -> tuple[Article, ...]:
        return (self.page, *self.versions, *((self.behind,) if self.behind else ()))

    def context(self, config: SiteConfig) -> dict[str, Any]:
        return context.publication_page_context(config, self)

    def described(self) -> str:
        return f"{self.page.source}:{self.page.url_line}"


@dataclass(frozen=True, slots=True)
class SectionShelf:
    """A section's newest stories that the front page does not list already, under its name."""

    name: str
    title: str
    path: str  # the section's page
    articles: tuple[Article, ...]
    thumbnails: tuple[Picture | None, ...]


SHELF = 4  # stories on a section's shelf


@dataclass(frozen=True, slots=True)
class ListingPage(Page):
    """Page `number` of `count` of a front page, section, tag or author listing."""

    kind: str  # "front", "section", "tag" or "author"
    name: str  # the section, tag or author slug; "" for the front page
    title: str
    total: int  # articles on all its pages
    number: int
    count: int
    articles: tuple[Article, ...]  # a story not yet in `lang` by its original
    folder: str  # the path of its first page
    thumbnails: tuple[Picture | None, ...] = ()  # each article's lead image
    sections: tuple[SectionShelf, ...] = ()  # on a front page's first page
    author: Byline | None = None  # whose page it is, for an author of the configuration's table

    @property
    def templates(self) -> tuple[str, ...]:
        """A theme may give one kind of listing its own template (`section.html`, `tag.html`,
        `author.html`, `front.html`) and leave the rest to `list.html`."""
        return (f"{self.kind}.html", "list.html")

    def shows(self) -> tuple[Article, ...]:
        return (*self.articles, *(a for shelf in self.sections for a in shelf.articles))

    def context(self, config: SiteConfig) -> dict[str, Any]:
        def path(number: int) -> str | None:
            return self.folder + urls.page_suffix(number) if 1 <= number <= self.count else None

        return context.listing_context(
            config, self.path, self.lang, self.alternates, self.kind, self.name, self.title,
            self.total, self.number, self.count, path(self.number - 1),
            path(self.number + 1), self.articles, self.thumbnails, self.sections,
            self.author)

    def described(self) -> str:
        return f"the {self.kind} page /{self.path}"


@dataclass(frozen=True, slots=True)
class TermsPage(Page):
    """The index of every tag or author: (title, path, count) of each."""

    kind: str  # "tag" or "author"
    terms: tuple[tuple[str, str, int], ...]

    @property
    def templates(self) -> tuple[str, ...]:
        return (f"{self.kind}_index.html", "terms.html")

    def context(self, config: SiteConfig) -> dict[str, Any]:
        return context.terms_context(config, self.path, self.lang, self.alternates, self.kind,
                                     self.terms)

    def described(self) -> str:
        return f"the {self.kind} index /{self.path}"


@dataclass(frozen=True, slots=True)
class SearchPage(Page):
    """A language's search page: it reads `?q=` in the reader's browser and shows what that
    language's index finds. It lists nothing itself, so no search engine should keep it."""

    TEMPLATES = ("search.html",)
    in_sitemap = False

    parts: tuple[str, ...] | None = None  # the folders of its language's index; None: no index

    def context(self, config: SiteConfig) -> dict[str, Any]:
        return context.search_context(config, self.path, self.lang, self.alternates, self.parts)


@dataclass(frozen=True, slots=True)
class Feed(Output):
    """A language's Atom feed: its newest articles, each with its other versions."""

    TEMPLATES = ("atom.xml",)

    entries: tuple[tuple[Article, Alternates], ...]

    @property
    def file(self) -> str:
        return urls.feed(self.lang)

    def shows(self) -> tuple[Article, ...]:
        return tuple(article for article, _ in self.entries)

    def context(self, config: SiteConfig) -> dict[str, Any]:
        return context.feed_context(config, self.lang, self.entries)


@dataclass(frozen=True, slots=True)
class Sitemap(Output):
    """Every page that is listed, with its language versions and its last change."""

    TEMPLATES = ("sitemap.xml",)

    pages: tuple[tuple[str, datetime | None, Alternates, str | None], ...]  # with x-default

    @property
    def file(self) -> str:
        return urls.SITEMAP

    def context(self, config: SiteConfig) -> dict[str, Any]:
        return context.sitemap_context(config, self.pages)


@dataclass(frozen=True, slots=True)
class NewsSitemap(Output):
    """The articles of Google News's window before the build's clock, newest first."""

    TEMPLATES = ("news-sitemap.xml",)

    articles: tuple[Article, ...]

    @property
    def file(self) -> str:
        return urls.NEWS_SITEMAP

    def shows(self) -> tuple[Article, ...]:
        return self.articles

    def context(self, config: SiteConfig) -> dict[str, Any]:
        return context.news_context(config, self.articles)


@dataclass(frozen=True, slots=True)
class Robots(Output):
    TEMPLATES = ("robots.txt",)

    sitemaps: tuple[str, ...]  # output paths

    @property
    def file(self) -> str:
        return urls.ROBOTS

    def context(self, config: SiteConfig) -> dict[str, Any]:
        return context.robots_context(config, self.sitemaps)


@dataclass(frozen=True, slots=True)
class Copy:
    """A file copied as it is: the theme's static files, then the site's `static/` folder."""

    file: str
    source: str  # the file copied
    key: str  # what tells it changed: its size and the digest of its bytes

    def described(self) -> str:
        return f"theme file {self.file}" if self.file.startswith(urls.ASSETS) \
            else f"static/{self.file}"


@dataclass(frozen=True, slots=True)
class SiteOutputs:
    rendered: tuple[Output, ...]
    copies: tuple[Copy, ...]
    renditions: tuple[Rendition, ...] = ()  # the files made from images
    search: SearchIndex | None = None  # its files are known once its pages are written

    def files(self) -> set[str]:
        return {o.file for o in self.rendered} | {c.file for c in self.copies} | \
            {r.file for r in self.renditions}

    def pages(self) -> Iterator[Page]:
        return (o for o in self.rendered if isinstance(o, Page))


def site_outputs(site: Site, theme: Theme, static: tuple[tuple[str, str, str], ...],
                 photos: Photos | None = None) -> SiteOutputs:
    """Everything the site writes; two outputs on one path are an error naming both."""
    found = every_output(site, theme, static, photos)
    _check_collisions(found)
    return found


def every_output(site: Site, theme: Theme, static: tuple[tuple[str, str, str], ...],
                 photos: Photos | None = None) -> SiteOutputs:
    """Everything the site writes, in a fixed order: pages, generated files, copies, the files
    made from images."""
    pages = site_pages(site, photos)
    index = None
    if theme.has(SearchPage.TEMPLATES[0]):  # a theme offers search with its page
        indexed: dict[str, list[str]] = {e.lang: [] for e in site.editions}
        for page in pages:
            if isinstance(page, ArticlePage):
                indexed[page.lang].append(page.file)
        index = search_index(indexed)
        pages = tuple(_with_index(p, index) if isinstance(p, SearchPage) else p for p in pages)
    else:
        pages = tuple(p for p in pages if not isinstance(p, SearchPage))
    news = news_articles(site)
    generated: list[Output] = [
        *(Feed(e.lang, _feed_entries(site, e)) for e in site.editions),
        Sitemap(site.config.default_language, tuple(_sitemap_entry(p, site.config)
                                                    for p in pages if p.in_sitemap)),
        *((NewsSitemap(site.config.default_language, news),) if news else ()),
        Robots(site.config.default_language,
               (urls.SITEMAP, *((urls.NEWS_SITEMAP,) if news else ()))),
    ]
    copies: dict[str, Copy] = {}
    for output, file in theme.assets.values():  # the name carries a hash of the bytes
        copies[output] = Copy(output, file, f"theme:{file}")
    for output, file, key in (*static, *(photos.copies if photos else ())):  # the theme's win
        copies.setdefault(output, Copy(output, file, key))
    return SiteOutputs((*pages, *generated), tuple(copies.values()),
                       photos.renditions if photos else (), index)


def _with_index(page: SearchPage, index: SearchIndex) -> SearchPage:
    """The search page with the parts its language's searches read."""
    return replace(page, parts=index.languages.get(page.lang))


def site_pages(site: Site, photos: Photos | None = None) -> tuple[Page, ...]:
    """All HTML pages, in a fixed order: the root, then by language: articles, listings,
    indexes and the 404 page; the root 404 page last. Every page names its counterparts in the
    other languages, which name it back."""
    fronts = _fronts(site)
    places = site.places
    counterparts = _counterparts(site)
    links: dict[tuple[str, str], tuple[str, str]] = {}
    pages: list[Page] = [RootPage(site.config.default_language, urls.ROOT, fronts, None)]
    for edition in site.editions:
        pages.extend(_article_page(site, article, links, photos,
                                   edition.related.get(article.source, ()))
                     for article in edition.articles)
        pages.extend(_publication_page(site, page, photos) for page in edition.pages)
        for listing in edition.listings():
            shelves = _shelves(edition, photos) if listing is edition.front else ()
            pages.extend(_listing_pages(listing, counterparts, fronts, photos,
                                        _listed_author(site, listing, photos), shelves))
        for kind, index, listings in (("tag", places.tag_index, edition.tags),
                                      ("author", places.author_index, edition.authors)):
            pages.append(TermsPage(
                edition.lang, index(edition.lang),
                tuple((e.lang, index(e.lang)) for e in site.editions), edition.lastmod, kind,
                tuple((t.title, t.path(), t.total) for t in listings)))
        pages.append(SearchPage(edition.lang, places.search(edition.lang),
                                tuple((e.lang, places.search(e.lang)) for e in site.editions),
                                None))
        pages.append(NotFoundPage(edition.lang, urls.not_found(edition.lang),
                                  tuple((e.lang, urls.not_found(e.lang)) for e in site.editions),
                                  None, _headlines(edition)))
    # The root 404 page, which CDNs answer for any missing path, in the default language.
    default = next(e for e in site.editions if e.lang == site.config.default_language)
    pages.append(NotFoundPage(default.lang, urls.NOT_FOUND, (), None, _headlines(default)))
    return tuple(pages)


def _fronts(site: Site) -> Alternates:
    return (*((e.lang, urls.front(e.lang)) for e in site.editions), (X_DEFAULT, urls.ROOT))


def _article_page(site: Site, article: Article,
                  links: dict[tuple[str, str], tuple[str, str]],
                  photos: Photos | None, related: tuple[Article, ...]) -> ArticlePage:
    """`links`: (language, tag) -> (tag as shown, page) of each tag known so far, for every
    article page of the site."""
    versions, lang = site.versions(article), article.lang
    return ArticlePage(lang, article.path, tuple((v.lang, v.path) for v in versions),
                       article.modified, article,
                       tuple(v for v in versions if v.lang != lang),
                       site.behind.get(article.source),
                       site.places.section(lang, article.section) if article.section else None,
                       tuple(dict.fromkeys(_tag_link(site, links, lang, tag)
                                           for tag in article.tags)),
                       tuple(byline(site, lang, name, photos)
                             for name in site.config.authors.bylines(article.authors, lang)),
                       photos.articles.get(article.source) if photos else None,
                       photos.logo if photos else None,
                       tuple(Teaser(other, thumbnail)
                             for other, thumbnail in zip(related, _thumbnails(related, photos)
                                                         or (None,) * len(related))))


def _headlines(edition: Edition) -> tuple[Teaser, ...]:
    """A 404 page's newest stories: their headlines, dates and links only enter its key."""
    return tuple(Teaser(article, None) for article in edition.articles[:NOT_FOUND_HEADLINES])


def _publication_page(site: Site, page: Article, photos: Photos | None) -> PublicationPage:
    versions = site.versions(page)
    return PublicationPage(page.lang, page.path, tuple((v.lang, v.path) for v in versions),
                           page.updated, page, tuple(v for v in versions if v.lang != page.lang),
                           site.behind.get(page.source),
                           photos.articles.get(page.source) if photos else None)


def _tag_link(site: Site, links: dict[tuple[str, str], tuple[str, str]], lang: str,
              tag: str) -> tuple[str, str]:
    """A tag as the glossary spells it in `lang`, and its page."""
    link = links.get((lang, tag))
    if link is None:
        shown = site.config.glossary.shown(tag, lang)
        link = links[(lang, tag)] = (shown, site.places.tag(lang, urls.term_slug(shown)))
    return link


def byline(site: Site, lang: str, name: str, photos: Photos | None) -> Byline:
    """An author as a page in `lang` names them (`name` as it writes them), with their page,
    and their entry of the configuration's table and its photo where they have one."""
    author = site.config.authors.find(name)
    return Byline(name, site.places.author(lang, urls.term_slug(name)), author,
                  photos.authors.get(author.key) if photos and author else None)


def _listed_author(site: Site, listing: Listing, photos: Photos | None) -> Byline | None:
    """Whose page an author listing is, where the configuration's table has them."""
    if listing.kind != "author" or site.config.authors.find(listing.title) is None:
        return None
    return byline(site, listing.lang, listing.title, photos)


Counterparts = dict[tuple[str, str], tuple[Listing, ...]]  # (kind, topic) -> in each language


def _counterparts(site: Site) -> Counterparts:
    """Listings that list one thing in several languages: the front pages, a section, an
    author, a term of the glossary."""
    found: dict[tuple[str, str], list[Listing]] = {}
    for edition in site.editions:
        for listing in edition.listings():
            if listing.topic:
                found.setdefault((listing.kind, listing.topic), []).append(listing)
    return {topic: tuple(listings) for topic, listings in found.items()}


def _listing_pages(listing: Listing, counterparts: Counterparts, fronts: Alternates,
                   photos: Photos | None, author: Byline | None = None,
                   shelves: tuple[SectionShelf, ...] = ()
                   ) -> Iterator[ListingPage]:
    """Page n of a listing has page n of each counterpart that has one; the front pages'
    first pages have the root as their x-default."""
    count = len(listing.pages)
    others = counterparts.get((listing.kind, listing.topic), (listing,))
    for number, articles in enumerate(listing.pages, start=1):
        path = listing.path(number)
        if listing.kind == "front" and number == 1:
            alternates = fronts
        else:
            alternates = tuple((other.lang, other.path(number)) for other in others
                               if len(other.pages) >= number)
        yield ListingPage(listing.lang, path, alternates,
                          max((a.modified for a in articles), default=None), listing.kind,
                          listing.name, listing.title, listing.total, number, count, articles,
                          listing.folder, _thumbnails(articles, photos),
                          shelves if number == 1 else (), author)


def _shelves(edition: Edition, photos: Photos | None) -> tuple[SectionShelf, ...]:
    """Below the front page's top stories, each section's newest others, in the sections'
    order (the rest of the front page's own list follows, where no shelf shows them)."""
    listed = {a.source for a in edition.front.pages[0][:context.TOP]} \
        if edition.front.pages else set()
    shelves = []
    for section in edition.sections:
        articles = tuple(itertools.islice((a for page in section.pages for a in page
                                           if a.source not in listed), SHELF))
        if articles:
            shelves.append(SectionShelf(section.name, section.title, section.path(), articles,
                                        _thumbnails(articles, photos)))
    return tuple(shelves)


def _thumbnails(articles: tuple[Article, ...],
                photos: Photos | None) -> tuple[Picture | None, ...]:
    if photos is None:
        return ()
    return tuple(shown.lead if (shown := photos.articles.get(a.source)) else None
                 for a in articles)


def _sitemap_entry(page: Page, config: SiteConfig
                   ) -> tuple[str, datetime | None, Alternates, str | None]:
    if len(page.alternates) <= 1:
        return (page.path, page.lastmod, (), None)
    return (page.path, page.lastmod, languages(page.alternates),
            x_default(page.alternates, config.default_language))


def _feed_entries(site: Site, edition: Edition) -> tuple[tuple[Article, Alternates], ...]:
    return tuple((a, tuple((v.lang, v.path) for v in site.versions(a) if v.lang != a.lang))
                 for a in edition.articles[:site.config.feed_size])


def news_articles(site: Site, clock: float | None = None) -> tuple[Article, ...]:
    """Articles published within the news window before the build's clock (or `clock`),
    newest first in each language; a news sitemap must list at least one, so none means no
    news sitemap."""
    clock = site.now.timestamp() if clock is None else clock
    found = []
    for edition in site.editions:
        for article in edition.articles:  # newest first: the window's end ends the loop
            if is_news(article.timestamp, clock):
                found.append(article)
            elif article.timestamp <= clock:
                break
    return tuple(found)


# What an output is made from -----------------------------------------------------------------

def fingerprint(output: Output, environment: str) -> str:
    """The output's key: its kind and fields, with what every output of its language depends on
    (sitegen's code, theme, catalogs, configuration, shared context). An Article stands in it
    for its digest, which covers every byte it was made from."""
    digest = hashlib.blake2b(f"{environment}\0{type(output).__name__}\0".encode(),
                             digest_size=20)
    digest.update(_json(_values(output)).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _json(value: Any) -> str:
    return json.dumps(value, default=_plain, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":"))


def _plain(value: Any) -> Any:
    if isinstance(value, Article):
        return value.digest
    if isinstance(value, Teaser):
        return value.shown()
    if isinstance(value, Picture):  # its file names are hashes of all they are made from
        return f"{value.src} {len(value.srcset)}"
    if isinstance(value, date):
        return value.isoformat()
    if is_dataclass(value) and not isinstance(value, type):
        return _values(value)
    raise TypeError(f"cannot fingerprint {type(value).__name__} in an output")


def _values(value: Any) -> list[Any]:
    """A dataclass's field values, in its fields' order (`fields()` is slow for 100,000
    outputs: their names are looked up once per kind)."""
    names = _FIELD_NAMES.get(type(value))
    if names is None:
        names = _FIELD_NAMES[type(value)] = tuple(f.name for f in fields(value))
    return [getattr(value, name) for name in names]


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def shared_json(shared: dict[str, Any]) -> str:
    """A language's shared context, as it enters every key of that language."""
    return _json(shared)


# Two outputs on one path ---------------------------------------------------------------------

def _check_collisions(found: SiteOutputs) -> None:
    """Two things written to one path are an error naming both, before anything is rendered."""
    claims = [(o.file, _owner(o)) for o in found.rendered] + \
             [(c.file, (c.described(), None)) for c in found.copies] + \
             [(r.file, (r.described(), None)) for r in found.renditions]
    if len({path for path, _ in claims}) == len(claims):
        return  # the usual case, found without naming anyone
    owners: dict[str, tuple[str, int | None]] = {}
    problems: list[Diagnostic] = []
    for path, owner in claims:
        first = owners.setdefault(path, owner)
        if first != owner:
            problems.extend(_collision(path, first, owner))
    raise BuildFailed(problems)


Owner = tuple[str, int | None]  # who claims a file: (file or kind of output, its line)


def _collision(path: str, first: Owner, second: Owner) -> Iterator[Diagnostic]:
    """In each article or page that claims the path, at the line that makes its URL; or else
    once."""
    sides = [(second, first), (first, second)]
    for (name, line), (other, other_line) in [
            side for side in sides if side[0][1] is not None] or sides[:1]:
        remedy = _remedy(name)
        if other_line is not None:
            message = f"{other}:{other_line} would be written to {path} too: give one {remedy}"
        elif line is not None:
            message = (f"its page would be written to {path}, where the site writes {other}: "
                       f"give it {remedy}")
        else:
            message = f"{other} would be written to {path} too: rename one of the files"
        yield error(name, line, message)


def _remedy(source: str) -> str:
    """What moves a page's URL: a story's slug or section, a page's slug (it has no section)."""
    from .content import is_page

    return "a different slug (a page's URL is its language and slug)" if is_page(source) \
        else "a different slug or section"


def _owner(output: Output) -> Owner:
    """Who claims a file: an article or page at the line that makes its URL, or the output's
    kind."""
    if isinstance(output, ArticlePage):
        return output.article.source, output.article.url_line
    if isinstance(output, PublicationPage):
        return output.page.source, output.page.url_line
    return output.described(), None


# Redirects (SPEC 6.4): old URLs of a version, made by `redirects.site_redirects` -------------

REDIRECT_RULES = "_redirects"  # the file of redirect rules Netlify reads


@dataclass(frozen=True, slots=True)
class RedirectPage(Output):
    """A page at an old URL that sends the reader on to the version's page, for hosts that
    read no `_redirects`: never in the sitemap, and `noindex`."""

    TEMPLATES = ("redirect.html",)

    path: str  # the old URL path, relative to the site
    article: Article  # the version it leads to

    @property
    def file(self) -> str:
        return urls.output_file(self.path)

    def shows(self) -> tuple[Article, ...]:
        return (self.article,)  # its headline is the link

    def context(self, config: SiteConfig) -> dict[str, Any]:
        linker = urls.Linker(config.base_url)
        return {"href": linker.href(self.article.path),
                "canonical": linker.absolute(self.article.path), "title": self.article.title}

    def described(self) -> str:
        return f"the redirect /{self.path}"


@dataclass(frozen=True, slots=True)
class RedirectRules(Output):
    """`_redirects`: the site's own rules (its `static/_redirects`) first, which Netlify then
    tries first, and a line for each old URL."""

    TEMPLATES = ("redirects.txt",)

    moves: tuple[tuple[str, str], ...]  # (old URL path, the version's URL path)
    own: tuple[str, str] | None  # (file, key) of the site's own rules

    @property
    def file(self) -> str:
        return REDIRECT_RULES

    def context(self, config: SiteConfig) -> dict[str, Any]:
        from . import discover
        from .errors import text_of

        href = urls.Linker(config.base_url).href
        own = text_of(discover.read_file(self.own[0]), "static/" + REDIRECT_RULES) \
            if self.own else ""
        return {"own": own.rstrip("\r\n"), "moves": [(href(old), href(new))
                                                     for old, new in self.moves]}


def with_redirects(found: SiteOutputs, site: Site, redirects: Redirects) -> SiteOutputs:
    """What `site_outputs` gives with the redirects, from what it gave without them (which
    `redirects.site_redirects` needed first), without listing the site again: a page at each
    old URL, and the `_redirects` rules, which take in the site's own copy."""
    copies = {copy.file: copy for copy in found.copies}
    own = copies.pop(REDIRECT_RULES, None)
    moved = (*(RedirectPage(r.article.lang, r.path, r.article) for r in redirects.redirects),
             RedirectRules(site.config.default_language,
                           tuple((r.path, r.article.path) for r in redirects.redirects),
                           (own.source, own.key) if own else None))
    outputs = SiteOutputs((*found.rendered, *moved), tuple(copies.values()), found.renditions,
                          found.search)
    _check_collisions(outputs)
    return outputs

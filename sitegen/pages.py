"""Every page the site has, as plain values: what to render, where, and its language versions.

Rendering, the sitemap and the feeds all read this one list, so a page that exists is always
linked, listed and alternated the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from . import urls
from .assemble import Listing, Site, listing_path
from .content import Article
from .recall import Recall


@dataclass(frozen=True, slots=True)
class Page:
    path: str  # URL path relative to the output folder, e.g. "en/americas/story/"
    template: str
    lang: str
    # (hreflang, path) of every version, this one included; an "x-default" entry names the
    # version for readers of other languages where that is not one of them (the root page)
    alternates: tuple[tuple[str, str], ...]
    lastmod: datetime | None = None
    in_sitemap: bool = True
    data: dict[str, Any] = field(default_factory=dict)  # all its template is about

    def x_default(self, default_language: str) -> str | None:
        return x_default(self.alternates, default_language)


X_DEFAULT = "x-default"


def described(page: Page) -> str:
    """A page that is not an article, as an editor would name it: `the section page /en/news/`."""
    kind = page.data.get("kind")
    if page.template == "list.html":
        return f"the {kind} page /{page.path}"
    if page.template == "terms.html":
        return f"the {kind} index /{page.path}"
    return f"the {page.template.removesuffix('.html')} page /{page.path}"


def x_default(alternates: tuple[tuple[str, str], ...], default_language: str) -> str | None:
    """The version for readers whose language the site does not have: the one named so, else
    the default language's, or the first there is."""
    if not alternates:
        return None
    paths = dict(alternates)
    if X_DEFAULT in paths:  # the root's path is ""
        return paths[X_DEFAULT]
    return paths.get(default_language, alternates[0][1])


def languages(alternates: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """The language versions among the alternates, without the x-default."""
    return tuple((lang, path) for lang, path in alternates if lang != X_DEFAULT)


def site_pages(site: Site, recall: Recall | None = None) -> tuple[Page, ...]:
    """All HTML pages, in a fixed order: by language, then kind, then path. `recall` hands back
    the last build's pages of the same article or listing."""
    recall = recall or Recall()
    pages: list[Page] = [_root(site)]
    for edition in site.editions:
        behind = [site.behind.get(a.source) for a in edition.articles] if site.behind \
            else (None,) * len(edition.articles)
        pages.extend(recall.rows(("articles", edition.lang), _article_page,
                                 (edition.articles, edition.stories, behind), _source))
        for listing in (edition.front, *edition.sections, *edition.tags, *edition.authors):
            pages.extend(recall(("listing", listing.kind, listing.lang, listing.name),
                                _listing_pages, listing, _shared_listing(site, listing), recall))
        for kind, index, listings in (("tag", urls.tag_index, edition.tags),
                                      ("author", urls.author_index, edition.authors)):
            pages.append(recall(
                ("terms", kind, edition.lang), _terms_page, kind, edition.lang,
                tuple((e.lang, index(e.lang)) for e in site.editions), edition.lastmod,
                tuple((t.title, t.path(), t.count) for t in listings)))
        pages.append(Page(urls.not_found(edition.lang), "404.html", edition.lang,
                          alternates=(), in_sitemap=False))
    # The root 404 page, which CDNs answer for any missing path, in the default language.
    pages.append(Page(urls.NOT_FOUND, "404.html", site.config.default_language, alternates=(),
                      in_sitemap=False))
    return tuple(pages)


def _root(site: Site) -> Page:
    """The language chooser, which a CDN may answer with a redirect by the reader's language:
    the x-default of the front pages (so it names itself), and no sitemap entry of its own."""
    return Page(urls.ROOT, "root.html", site.config.default_language, _fronts(site),
                in_sitemap=False)


def _fronts(site: Site) -> tuple[tuple[str, str], ...]:
    return (*((e.lang, urls.front(e.lang)) for e in site.editions), (X_DEFAULT, urls.ROOT))


def _article_page(article: Article, versions: tuple[Article, ...],
                  behind: Article | None) -> Page:
    """An article with its story's published versions (itself included) and, if it is a stale
    translation, the original it fell behind."""
    return Page(article.path, "article.html", article.lang,
                alternates=tuple((v.lang, v.path) for v in versions),
                lastmod=article.modified,
                data={"article": article, "versions": versions, "behind": behind})


def _source(inputs: tuple[Article, tuple[Article, ...], Article | None]) -> str:
    return inputs[0].source


def _listing_pages(listing: Listing, shared: tuple[tuple[str, str], ...],
                   recall: Recall) -> list[Page]:
    """`shared`: the first page's language versions. Each page is taken back from the last
    build while its own articles and neighbours stay the same."""
    count = len(listing.pages)
    return [recall(("list", listing.kind, listing.lang, listing.name, number), _listing_page,
                   listing.kind, listing.lang, listing.name, listing.title, listing.count,
                   number, count, articles, shared if number == 1
                   else ((listing.lang, listing.path(number)),))
            for number, articles in enumerate(listing.pages, start=1)]


def _listing_page(kind: str, lang: str, name: str, title: str, total: int, number: int,
                  count: int, articles: tuple[Article, ...],
                  alternates: tuple[tuple[str, str], ...]) -> Page:
    """Page `number` of `count` of a listing of `total` articles."""
    return Page(listing_path(kind, lang, name, number), "list.html", lang, alternates,
                lastmod=max((a.modified for a in articles), default=None),
                data={"kind": kind, "name": name, "title": title, "total": total,
                      "number": number, "count": count, "articles": articles,
                      "newer": listing_path(kind, lang, name, number - 1) if number > 1 else None,
                      "older": listing_path(kind, lang, name, number + 1) if number < count
                      else None})


def _shared_listing(site: Site, listing: Listing) -> tuple[tuple[str, str], ...]:
    """Front pages and sections exist in every language that has them; tags and authors don't."""
    if listing.kind == "front":
        return _fronts(site)
    if listing.kind == "section":
        return tuple((lang, urls.section(lang, listing.name)) for lang in
                     site.section_langs(listing.name))
    return ((listing.lang, listing.path()),)


def _terms_page(kind: str, lang: str, alternates: tuple[tuple[str, str], ...],
                lastmod: datetime | None, terms: tuple[tuple[str, str, int], ...]) -> Page:
    """The index of every tag or author: (title, path, count) of each."""
    index = urls.tag_index if kind == "tag" else urls.author_index
    return Page(index(lang), "terms.html", lang, alternates, lastmod=lastmod,
                data={"kind": kind, "terms": terms})

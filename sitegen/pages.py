"""Every page the site has, as plain values: what to render, where, and its language versions.

Rendering, the sitemap and the feeds all read this one list, so a page that exists is always
linked, listed and alternated the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from . import urls
from .assemble import Edition, Listing, Site
from .content import Article


@dataclass(frozen=True, slots=True)
class Page:
    path: str  # URL path relative to the output folder, e.g. "en/americas/story/"
    template: str
    lang: str
    alternates: tuple[tuple[str, str], ...]  # (lang, path) of every version, this one included
    lastmod: datetime | None = None
    in_sitemap: bool = True
    data: dict[str, Any] = field(default_factory=dict)  # what the template is about

    def x_default(self, default_language: str) -> str | None:
        return x_default(self.alternates, default_language)


def x_default(alternates: tuple[tuple[str, str], ...], default_language: str) -> str | None:
    """The version for readers whose language the site does not have: the default language's,
    or the first there is."""
    if not alternates:
        return None
    return dict(alternates).get(default_language, alternates[0][1])


def site_pages(site: Site) -> tuple[Page, ...]:
    """All HTML pages, in a fixed order: by language, then kind, then path."""
    pages: list[Page] = [_root(site)]
    for edition in site.editions:
        pages.extend(_article_page(site, a) for a in edition.articles)
        pages.extend(_listing_pages(site, edition.front))
        for listing in (*edition.sections, *edition.tags, *edition.authors):
            pages.extend(_listing_pages(site, listing))
        pages.append(_terms_page(site, edition, "tag"))
        pages.append(_terms_page(site, edition, "author"))
        pages.append(Page(urls.not_found(edition.lang), "404.html", edition.lang,
                          alternates=(), in_sitemap=False))
    # The root 404 page, which CDNs answer for any missing path, in the default language.
    pages.append(Page(urls.NOT_FOUND, "404.html", site.config.default_language, alternates=(),
                      in_sitemap=False))
    return tuple(pages)


def _root(site: Site) -> Page:
    return Page(urls.ROOT, "root.html", site.config.default_language,
                alternates=tuple((e.lang, urls.front(e.lang)) for e in site.editions),
                in_sitemap=False)


def _article_page(site: Site, article: Article) -> Page:
    return Page(article.path, "article.html", article.lang,
                alternates=tuple((v.lang, v.path) for v in site.versions(article)),
                lastmod=article.modified, data={"article": article})


def _listing_pages(site: Site, listing: Listing) -> list[Page]:
    shared = _shared_listing(site, listing)
    pages = []
    for number, articles in enumerate(listing.pages, start=1):
        alternates = shared if number == 1 else ((listing.lang, listing.path(number)),)
        pages.append(Page(listing.path(number), "list.html", listing.lang, alternates,
                          lastmod=max((a.modified for a in articles), default=None),
                          data={"listing": listing, "number": number, "articles": articles}))
    return pages


def _shared_listing(site: Site, listing: Listing) -> tuple[tuple[str, str], ...]:
    """Front pages and sections exist in every language that has them; tags and authors don't."""
    if listing.kind == "front":
        return tuple((e.lang, urls.front(e.lang)) for e in site.editions)
    if listing.kind == "section":
        return tuple((lang, urls.section(lang, listing.name)) for lang in
                     site.section_langs(listing.name))
    return ((listing.lang, listing.path()),)


def _terms_page(site: Site, edition: Edition, kind: str) -> Page:
    index = urls.tag_index if kind == "tag" else urls.author_index
    listings = edition.tags if kind == "tag" else edition.authors
    return Page(index(edition.lang), "terms.html", edition.lang,
                alternates=tuple((e.lang, index(e.lang)) for e in site.editions),
                lastmod=max((a.modified for a in edition.articles), default=None),
                data={"kind": kind, "listings": listings})

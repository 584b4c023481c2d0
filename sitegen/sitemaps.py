"""`sitemap.xml` with hreflang alternates, a Google News sitemap, and `robots.txt`."""

from __future__ import annotations

from collections.abc import Iterator
from operator import attrgetter
from xml.sax.saxutils import escape, quoteattr

from . import l10n, urls
from .assemble import NEWS_WINDOW, Edition, Site, is_news
from .content import Article
from .pages import Page, languages
from .recall import Recall


def sitemap(site: Site, pages: tuple[Page, ...], linker: urls.Linker,
            recall: Recall | None = None) -> bytes:
    """Every page of the sitemap with its language versions; `recall` hands back the last
    build's entry of the same page, and the last build's sitemap when no entry changed."""
    recall = recall or Recall()
    default = site.config.default_language
    listed = [page for page in pages if page.in_sitemap]
    entries = tuple(recall.each("sitemap entries", _entry, listed, attrgetter("path"), linker,
                                default))
    return recall("sitemap", _urlset, entries)


_URLSET = ('<?xml version="1.0" encoding="utf-8"?>\n'
           '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
           'xmlns:xhtml="http://www.w3.org/1999/xhtml">')


def _urlset(entries: tuple[str, ...]) -> bytes:
    return "\n".join((_URLSET, *entries, "</urlset>\n")).encode("utf-8")


def _entry(page: Page, linker: urls.Linker, default_language: str) -> str:
    lines = ["  <url>", f"    <loc>{escape(linker.absolute(page.path))}</loc>"]
    if page.lastmod:
        lines.append(f"    <lastmod>{l10n.iso(page.lastmod)}</lastmod>")
    if len(page.alternates) > 1:
        lines += [_alternate(lang, linker.absolute(path))
                  for lang, path in languages(page.alternates)]
        x_default = page.x_default(default_language)
        if x_default is not None:
            lines.append(_alternate("x-default", linker.absolute(x_default)))
    lines.append("  </url>")
    return "\n".join(lines)


def _alternate(hreflang: str, url: str) -> str:
    return f'    <xhtml:link rel="alternate" hreflang={quoteattr(hreflang)} href={quoteattr(url)}/>'


def news_sitemap(site: Site, linker: urls.Linker) -> bytes | None:
    """Articles published within two days before the build's clock, newest first; None when
    there are none, as a news sitemap must list at least one."""
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        ('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'),
    ]
    for edition, article in _news(site):
        lines += [
            "  <url>",
            f"    <loc>{escape(linker.absolute(article.path))}</loc>",
            "    <news:news>",
            "      <news:publication>",
            f"        <news:name>{escape(edition.language.title)}</news:name>",
            f"        <news:language>{escape(article.lang)}</news:language>",
            "      </news:publication>",
            f"      <news:publication_date>{l10n.iso(article.date)}</news:publication_date>",
            f"      <news:title>{escape(article.title)}</news:title>",
            "    </news:news>",
            "  </url>",
        ]
    if len(lines) == 2:
        return None
    lines.append("</urlset>\n")
    return "\n".join(lines).encode("utf-8")


def has_news(site: Site) -> bool:
    """Whether the build writes a news sitemap."""
    return next(_news(site), None) is not None


def _news(site: Site) -> Iterator[tuple[Edition, Article]]:
    clock = site.now.timestamp()
    for edition in site.editions:
        for article in edition.articles:  # newest first: the window's end ends the loop
            if article.timestamp < clock - NEWS_WINDOW.total_seconds():
                break
            if is_news(article.timestamp, clock):
                yield edition, article


def robots(linker: urls.Linker, news: bool) -> bytes:
    """`news`: whether there is a news sitemap to name."""
    lines = ["User-agent: *", "Allow: /", "", f"Sitemap: {linker.absolute(urls.SITEMAP)}"]
    if news:
        lines.append(f"Sitemap: {linker.absolute(urls.NEWS_SITEMAP)}")
    return ("\n".join(lines) + "\n").encode()

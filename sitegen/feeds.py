"""One Atom feed per language: the newest articles, full text, absolute links."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from . import l10n, urls
from .assemble import Edition, Site
from .content import Article

_EPOCH = "1970-01-01T00:00:00+00:00"


def atom(site: Site, edition: Edition, linker: urls.Linker) -> bytes:
    """The feed's `updated` is its newest entry's, so an unchanged site gives an unchanged feed."""
    entries = edition.articles[:site.config.feed_size]
    updated = max((a.modified for a in entries), default=None)
    home = linker.absolute(urls.front(edition.lang))
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang={quoteattr(edition.lang)}>',
        f"  <title>{escape(edition.language.title)}</title>",
    ]
    if edition.language.description:
        lines.append(f"  <subtitle>{escape(edition.language.description)}</subtitle>")
    lines += [
        f'  <link rel="self" type="application/atom+xml" href={quoteattr(linker.absolute(urls.feed(edition.lang)))}/>',
        f'  <link rel="alternate" type="text/html" href={quoteattr(home)}/>',
        f"  <id>{escape(home)}</id>",
        f"  <updated>{l10n.iso(updated) if updated else _EPOCH}</updated>",
        # The author of entries without a byline: Atom requires one for every entry.
        f"  <author><name>{escape(edition.language.title)}</name></author>",
        "  <generator>sitegen</generator>",
    ]
    lines.extend(_entry(site, article, linker) for article in entries)
    lines.append("</feed>\n")
    return "\n".join(lines).encode("utf-8")


def _entry(site: Site, article: Article, linker: urls.Linker) -> str:
    url = linker.absolute(article.path)
    parts = [
        "  <entry>",
        f"    <title>{escape(article.title)}</title>",
        f'    <link rel="alternate" type="text/html" href={quoteattr(url)}/>',
        *(f'    <link rel="related" type="text/html" hreflang={quoteattr(v.lang)} '
          f'href={quoteattr(linker.absolute(v.path))}/>'
          for v in site.versions(article) if v.lang != article.lang),
        f"    <id>{escape(url)}</id>",
        f"    <published>{l10n.iso(article.date)}</published>",
        f"    <updated>{l10n.iso(article.modified)}</updated>",
        *(f"    <author><name>{escape(name)}</name></author>" for name in article.authors),
        *(f"    <category term={quoteattr(tag)}/>" for tag in article.tags),
    ]
    if article.summary:
        parts.append(f"    <summary>{escape(article.summary)}</summary>")
    parts += [
        f'    <content type="html" xml:base={quoteattr(url)}>{escape(article.body_html)}</content>',
        "  </entry>",
    ]
    return "\n".join(parts)

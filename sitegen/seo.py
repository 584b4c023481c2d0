"""What search engines and social networks read: NewsArticle JSON-LD, Open Graph, Twitter cards."""

from __future__ import annotations

import functools
from typing import Any

from babel.core import get_global

from . import l10n, urls
from .config import SiteConfig, babel_locale
from .content import Article


@functools.lru_cache(maxsize=64)
def og_locale(locale: str) -> str:
    """Open Graph wants `language_TERRITORY`: `es` -> `es_ES`, `es_US` stays."""
    parsed = babel_locale(locale)
    if parsed.territory:
        return f"{parsed.language}_{parsed.territory}"
    likely = get_global("likely_subtags").get(parsed.language, "")
    territory = likely.split("_")[-1] if likely.count("_") else ""
    return f"{parsed.language}_{territory}" if territory else parsed.language


def image_url(article: Article, linker: urls.Linker) -> str | None:
    if not article.image:
        return None
    if "://" in article.image:
        return article.image
    return linker.absolute(article.image.lstrip("/"))


def meta_tags(config: SiteConfig, article: Article,
              versions: tuple[Article, ...]) -> list[dict[str, str]]:
    """Open Graph and Twitter card tags, in a fixed order."""
    linker, language = urls.Linker(config.base_url), config.language(article.lang)
    image = image_url(article, linker)
    og: list[tuple[str, str]] = [
        ("og:type", "article"),
        ("og:site_name", language.title),
        ("og:title", article.title),
        ("og:description", article.summary),
        ("og:url", linker.absolute(article.path)),
        ("og:locale", og_locale(language.locale)),
        *(("og:locale:alternate", og_locale(config.language(v.lang).locale)) for v in versions),
        ("article:published_time", l10n.iso(article.date)),
        ("article:modified_time", l10n.iso(article.modified)),
    ]
    if article.section:
        og.append(("article:section", config.section_title(article.lang, article.section)))
    og.extend(("article:tag", tag) for tag in article.tags)
    if image:
        og.append(("og:image", image))
        if article.image_alt:
            og.append(("og:image:alt", article.image_alt))
    twitter = [
        ("twitter:card", "summary_large_image" if image else "summary"),
        ("twitter:title", article.title),
        ("twitter:description", article.summary),
    ]
    if image:
        twitter.append(("twitter:image", image))
    return ([{"attribute": "property", "name": n, "content": c} for n, c in og]
            + [{"attribute": "name", "name": n, "content": c} for n, c in twitter])


def news_article(config: SiteConfig, article: Article) -> dict[str, Any]:
    """schema.org NewsArticle; Jinja's `tojson` makes it safe inside the `<script>`."""
    linker, language = urls.Linker(config.base_url), config.language(article.lang)
    url = linker.absolute(article.path)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.summary,
        "inLanguage": article.lang,
        "datePublished": l10n.iso(article.date),
        "dateModified": l10n.iso(article.modified),
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "author": [{"@type": "Person", "name": name} for name in article.authors],
        "publisher": {"@type": "NewsMediaOrganization", "name": language.title,
                      "url": linker.absolute(urls.front(article.lang))},
    }
    if article.section:
        data["articleSection"] = config.section_title(article.lang, article.section)
    if article.tags:
        data["keywords"] = list(article.tags)
    image = image_url(article, linker)
    if image:
        data["image"] = [image]
    if article.sources:
        data["isBasedOn"] = [{"@type": "CreativeWork", "name": s.name, **({"url": s.url} if s.url else {})}
                             for s in article.sources]
    return data

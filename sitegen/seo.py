"""The facts behind what search engines and social networks read (NewsArticle JSON-LD, Open
Graph, Twitter cards); the theme's `partials/seo_head.html` writes the tags."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from babel.core import get_global

from . import l10n, urls
from .config import SiteConfig, babel_locale
from .content import Article

if TYPE_CHECKING:
    from .authors import Byline
    from .photos import Picture, Shown


@functools.lru_cache(maxsize=64)
def og_locale(locale: str) -> str:
    """Open Graph wants `language_TERRITORY`: `es` -> `es_ES`, `es_US` stays."""
    parsed = babel_locale(locale)
    if parsed.territory:
        return f"{parsed.language}_{parsed.territory}"
    likely = get_global("likely_subtags").get(parsed.language, "")
    territory = likely.split("_")[-1] if likely.count("_") else ""
    return f"{parsed.language}_{territory}" if territory else parsed.language


def social(config: SiteConfig, article: Article, versions: tuple[Article, ...],
           images: Shown | None = None) -> dict[str, Any]:
    """What the theme's Open Graph and Twitter card tags need that a template cannot work out:
    the locales in Open Graph's form and the card image's absolute URL and size. The tags
    themselves are `partials/seo_head.html`'s, so a theme can change them."""
    linker, language = urls.Linker(config.base_url), config.language(article.lang)
    card = images.card if images else None
    return {
        "locale": og_locale(language.locale),
        "alternate_locales": [og_locale(config.language(v.lang).locale) for v in versions],
        "image": _absolute(card.src, linker) if card else None,
        "image_width": card.width if card else None,
        "image_height": card.height if card else None,
        "image_is_lead": bool(images and images.card_of_lead),
    }


def news_article(config: SiteConfig, article: Article, images: Shown | None = None,
                 logo: Picture | None = None,
                 authors: Sequence[Byline] | None = None) -> dict[str, Any]:
    """schema.org NewsArticle, as plain values: `partials/seo_head.html` writes it, with
    Jinja's `tojson`, which makes it safe inside the `<script>`. `authors`: the bylines as the
    page shows them (else the article's, as written)."""
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
        "author": [_author(byline, linker) for byline in authors] if authors is not None
        else [{"@type": "Person", "name": name} for name in article.authors],
        "publisher": {"@type": "NewsMediaOrganization", "name": language.title,
                      "url": linker.absolute(urls.front(article.lang))},
    }
    if logo is not None:
        data["publisher"]["logo"] = _image_object(logo, linker)
    if article.section:
        data["articleSection"] = config.section_title(article.lang, article.section)
    if article.tags:
        data["keywords"] = list(article.tags)
    if images and images.crops:  # 16:9, 4:3 and 1:1, as Google's article guidelines ask
        data["image"] = [_image_object(crop, linker) for crop in images.crops]
    if article.sources:
        data["isBasedOn"] = [{"@type": "CreativeWork", "name": s.name, **({"url": s.url} if s.url else {})}
                             for s in article.sources]
    return data


def _author(byline: Byline, linker: urls.Linker) -> dict[str, Any]:
    """A Person, with their author page and who they are elsewhere (`sameAs`), for an author
    of the configuration's table; the newsroom's own byline (`organization = true`) is an
    Organization, since no person stands behind it; any other byline, a Person by name."""
    author = byline.author
    if author is None:
        return {"@type": "Person", "name": byline.name}
    data: dict[str, Any] = {"@type": "Organization" if author.organization else "Person",
                            "name": byline.name, "url": linker.absolute(byline.path)}
    if author.same_as:
        data["sameAs"] = list(author.same_as)
    return data


def _absolute(src: str, linker: urls.Linker) -> str:
    """An image's address: a web address as it is, a file of the site under the base URL."""
    return src if "://" in src else linker.absolute(src)


def _image_object(picture: Picture, linker: urls.Linker) -> dict[str, Any]:
    url = _absolute(picture.src, linker)
    if picture.width is None:
        return {"@type": "ImageObject", "url": url}
    return {"@type": "ImageObject", "url": url, "width": picture.width,
            "height": picture.height}

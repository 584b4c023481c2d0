"""What each template sees, and the key that says when a page must be rendered again.

A page's context is made by a pure function of plain arguments (strings, numbers, tuples, the
configuration and Articles). The page's key is the hash of that function's name and arguments,
with the theme's, catalogs' and configuration's digests: an Article stands in it for its digest,
which covers every byte it was made from. So the key changes whenever the context could, and
the context itself is only made for pages that are rendered.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from . import __version__, seo, urls
from .assemble import Site, term_slug
from .config import SiteConfig
from .content import Article
from .pages import Page, languages, x_default

Alternates = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class PageContext:
    """A page's template, the context its language shares, and how to make its own part."""

    template: str
    lang: str
    shared: dict[str, Any]  # one object for every page of the language
    function: Callable[..., dict[str, Any]]
    args: tuple[Any, ...]

    def full(self) -> dict[str, Any]:
        context = dict(self.shared)
        context.update(self.function(*self.args))
        return context


class Contexts:
    """Page contexts for one site; what every page of a language shares is made once."""

    def __init__(self, site: Site) -> None:
        self.config = site.config
        self.shared = {e.lang: _shared(site, e.lang) for e in site.editions}
        self.shared_json = {lang: _json(shared) for lang, shared in self.shared.items()}

    def of(self, page: Page) -> PageContext:
        config, data = self.config, page.data
        head = (config, page.path, page.lang, page.alternates)
        if page.template == "article.html":
            article = data["article"]
            versions = tuple(v for v in data["versions"] if v.lang != article.lang)
            return self._context(page, article_context, (*head, article, versions,
                                                         data["behind"]))
        if page.template == "list.html":
            return self._context(page, listing_context, (
                *head, data["kind"], data["name"], data["title"], data["total"], data["number"],
                data["count"], data["newer"], data["older"], data["articles"]))
        if page.template == "terms.html":
            return self._context(page, terms_context, (*head, data["kind"], data["terms"]))
        return self._context(page, page_context, head)

    def _context(self, page: Page, function: Callable[..., dict[str, Any]],
                 args: tuple[Any, ...]) -> PageContext:
        return PageContext(page.template, page.lang, self.shared[page.lang], function, args)

    def fingerprint(self, context: PageContext, environment: str) -> str:
        """The page's key: its template, its context's function and arguments, and what every
        page depends on (theme, catalogs, configuration and sitegen's version)."""
        digest = hashlib.blake2b(f"{__version__}\0{environment}\0{context.template}\0".encode(),
                                 digest_size=20)
        digest.update(self.shared_json[context.lang].encode("utf-8", "surrogatepass"))
        digest.update(context.function.__qualname__.encode())
        digest.update(_json(context.args).encode("utf-8", "surrogatepass"))
        return digest.hexdigest()


def _shared(site: Site, lang: str) -> dict[str, Any]:
    config = site.config
    href, language = _linker(config.base_url).href, config.language(lang)
    edition = next(e for e in site.editions if e.lang == lang)
    return {
        "lang": lang,
        "locale": language.locale,
        "base_url": config.base_url,
        "site_title": language.title,
        "site_description": language.description,
        "description": language.description,
        "home_href": href(urls.front(lang)),
        "feed_href": href(urls.feed(lang)),
        "tags_href": href(urls.tag_index(lang)),
        "authors_href": href(urls.author_index(lang)),
        "nav": [{"name": s.name, "title": s.title, "href": href(s.path())}
                for s in edition.sections],
        "current_section": "",
        "editions": [{"lang": e.lang, "title": e.language.title, "name": e.language.name,
                      "href": href(urls.front(e.lang))} for e in site.editions],
    }


def page_context(config: SiteConfig, path: str, lang: str,
                 alternates: Alternates) -> dict[str, Any]:
    """What every page has: its canonical URL, its language versions and the switch to them."""
    linker = _linker(config.base_url)
    default = x_default(alternates, config.default_language)
    return {
        "canonical": linker.absolute(path),
        "alternates": [{"lang": code, "url": linker.absolute(p)}
                       for code, p in languages(alternates)],
        "x_default": linker.absolute(default) if default is not None else None,
        "switch": [{"lang": code, "name": config.language(code).name, "href": linker.href(p)}
                   for code, p in languages(alternates) if code != lang],
    }


def article_context(config: SiteConfig, path: str, lang: str, alternates: Alternates,
                    article: Article, versions: tuple[Article, ...],
                    behind: Article | None = None) -> dict[str, Any]:
    """`behind` is the original this version, a stale translation, fell behind."""
    href = _linker(config.base_url).href
    context = page_context(config, path, lang, alternates)
    context.update({
        "article": article,
        "description": article.summary,
        "section": {"title": config.section_title(lang, article.section),
                    "href": href(urls.section(lang, article.section))}
                   if article.section else None,
        "authors": [{"name": name, "href": href(urls.author(lang, term_slug(name)))}
                    for name in article.authors],
        "tags": [{"title": tag, "href": href(urls.tag(lang, term_slug(tag)))}
                 for tag in article.tags],
        "social": seo.social(config, article, versions),
        "jsonld": seo.news_article(config, article),
        "stale": _stale_notice(config, lang, behind, versions) if behind else None,
    })
    return context


def _stale_notice(config: SiteConfig, lang: str, original: Article,
                  versions: tuple[Article, ...]) -> dict[str, Any]:
    """What the page's notice names: the original's language, in the page's, and its link
    when the original is published."""
    from babel import Locale

    names = Locale.parse(config.language(lang).locale).languages
    return {"language": names.get(original.lang, config.language(original.lang).name),
            "href": _linker(config.base_url).href(original.path) if original in versions
            else None}


def listing_context(config: SiteConfig, path: str, lang: str, alternates: Alternates, kind: str,
                    name: str, title: str, count: int, number: int, page_count: int,
                    newer: str | None, older: str | None,
                    articles: tuple[Article, ...]) -> dict[str, Any]:
    href = _linker(config.base_url).href
    context = page_context(config, path, lang, alternates)
    context.update({
        "kind": kind,
        "heading": title,
        "count": count,
        "number": number,
        "page_count": page_count,
        "current_section": name if kind == "section" else "",
        "newer_href": href(newer) if newer is not None else None,
        "older_href": href(older) if older is not None else None,
        "items": [{"article": a, "href": href(a.path),
                   "section": config.section_title(a.lang, a.section)
                   if a.section and kind != "section" else ""} for a in articles],
    })
    return context


def terms_context(config: SiteConfig, path: str, lang: str, alternates: Alternates, kind: str,
                  terms: tuple[tuple[str, str, int], ...]) -> dict[str, Any]:
    href = _linker(config.base_url).href
    context = page_context(config, path, lang, alternates)
    context.update({"kind": kind, "terms": [{"title": title, "href": href(p), "count": count}
                                            for title, p, count in terms]})
    return context


@functools.lru_cache(maxsize=8)
def _linker(base_url: str) -> urls.Linker:
    return urls.Linker(base_url)


def _json(value: Any) -> str:
    return json.dumps(value, default=_plain, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":"))


def _plain(value: Any) -> Any:
    if isinstance(value, Article):
        return value.digest
    if isinstance(value, SiteConfig):
        return "config"  # the whole configuration is part of every page's environment digest
    if isinstance(value, date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [getattr(value, f.name) for f in dataclasses.fields(value)]
    raise TypeError(f"cannot fingerprint {type(value).__name__} in a page context")

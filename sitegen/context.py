"""What each template sees, as plain data: the page's complete input, and so its cache key.

A context holds strings, numbers, dates, lists, dicts and Articles only. Its fingerprint, with
the theme's and catalog's, decides whether a page must be rendered again: an Article stands in
it for its digest, which already covers every byte it was made from.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from . import __version__, seo, urls
from .assemble import Listing, Site, term_slug
from .config import SiteConfig
from .content import Article
from .pages import Page


@dataclass(frozen=True, slots=True)
class Derived:
    """A value made at render time by a pure function of fingerprinted inputs.

    The fingerprint holds the function's name and its arguments, not the (larger) value.
    """

    function: Callable[..., Any]
    args: tuple[Any, ...]

    def value(self) -> Any:
        return self.function(*self.args)


@dataclass(frozen=True, slots=True)
class PageContext:
    """A page's template and context: what its language shares, and its own part."""

    template: str
    lang: str
    shared: dict[str, Any]  # one object for every page of the language
    own: dict[str, Any]

    def full(self) -> dict[str, Any]:
        """The context the template sees, with derived values made."""
        context = dict(self.shared)
        context.update((k, v.value() if isinstance(v, Derived) else v) for k, v in self.own.items())
        return context


class Contexts:
    """Builds page contexts for one site; the parts every page of a language shares are made once."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.config = site.config
        self.linker = urls.Linker(site.config.base_url)
        self.navs: dict[tuple[str, str | None], list[dict[str, Any]]] = {}
        self.shared = {e.lang: self._shared(e.lang) for e in site.editions}
        self.shared_digests = {lang: _json(shared) for lang, shared in self.shared.items()}

    def of(self, page: Page) -> PageContext:
        own = self._alternates(page)
        if page.template == "article.html":
            own.update(self._article(page.data["article"]))
        elif page.template == "list.html":
            own.update(self._listing(page.data["listing"], page.data["number"],
                                     page.data["articles"]))
            own["nav"] = self._nav(page.lang, page.data["listing"])
        elif page.template == "terms.html":
            own.update(self._terms(page.data["kind"], page.data["listings"]))
        return PageContext(page.template, page.lang, self.shared[page.lang], own)

    def fingerprint(self, context: PageContext, environment: str) -> str:
        """The page's cache key: its template and context, and the theme, catalogs and version."""
        digest = hashlib.blake2b(f"{__version__}\0{environment}\0{context.template}\0".encode(),
                                 digest_size=20)
        digest.update(self.shared_digests[context.lang].encode("utf-8", "surrogatepass"))
        digest.update(_json(context.own).encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def _shared(self, lang: str) -> dict[str, Any]:
        href, language = self.linker.href, self.config.language(lang)
        return {
            "lang": lang,
            "locale": language.locale,
            "base_url": self.config.base_url,
            "site_title": language.title,
            "site_description": language.description,
            "description": language.description,
            "home_href": href(urls.front(lang)),
            "feed_href": href(urls.feed(lang)),
            "tags_href": href(urls.tag_index(lang)),
            "authors_href": href(urls.author_index(lang)),
            "nav": self._nav(lang, None),
            "editions": [{"lang": e.lang, "title": e.language.title, "name": e.language.name,
                          "href": href(urls.front(e.lang))} for e in self.site.editions],
        }

    def _nav(self, lang: str, current: Listing | None) -> list[dict[str, Any]]:
        """The section menu, with the current section marked; made once per section."""
        section = current.name if current is not None and current.kind == "section" else None
        if (lang, section) not in self.navs:
            edition = next(e for e in self.site.editions if e.lang == lang)
            self.navs[lang, section] = [{"title": s.title, "href": self.linker.href(s.path()),
                                         "current": s.name == section} for s in edition.sections]
        return self.navs[lang, section]

    def _alternates(self, page: Page) -> dict[str, Any]:
        absolute, x_default = self.linker.absolute, page.x_default(self.config.default_language)
        return {
            "canonical": absolute(page.path),
            "alternates": [{"lang": lang, "url": absolute(path)} for lang, path in page.alternates],
            "x_default": absolute(x_default) if x_default is not None else None,
            "switch": [{"lang": lang, "name": self.config.language(lang).name,
                        "href": self.linker.href(path)}
                       for lang, path in page.alternates if lang != page.lang],
        }

    def _article(self, article: Article) -> dict[str, Any]:
        href, lang = self.linker.href, article.lang
        versions = [v for v in self.site.versions(article) if v.lang != lang]
        return {
            "article": article,
            "description": article.summary,
            "section": {"title": self.config.section_title(lang, article.section),
                        "href": href(urls.section(lang, article.section))}
                       if article.section else None,
            "authors": [{"name": name, "href": href(urls.author(lang, term_slug(name)))}
                        for name in article.authors],
            "tags": [{"title": tag, "href": href(urls.tag(lang, term_slug(tag)))}
                     for tag in article.tags],
            "meta_tags": Derived(seo.meta_tags, (self.config, article, tuple(versions))),
            "jsonld": Derived(seo.news_article, (self.config, article)),
        }

    def _listing(self, listing: Listing, number: int,
                 articles: tuple[Article, ...]) -> dict[str, Any]:
        href, count = self.linker.href, len(listing.pages)
        return {
            "kind": listing.kind,
            "heading": listing.title,
            "count": listing.count,
            "number": number,
            "page_count": count,
            "newer_href": href(listing.path(number - 1)) if number > 1 else None,
            "older_href": href(listing.path(number + 1)) if number < count else None,
            "items": [{
                "article": a,
                "href": href(a.path),
                "section": self.config.section_title(a.lang, a.section)
                           if a.section and listing.kind != "section" else "",
            } for a in articles],
        }

    def _terms(self, kind: str, listings: tuple[Listing, ...]) -> dict[str, Any]:
        return {
            "kind": kind,
            "terms": [{"title": t.title, "href": self.linker.href(t.path()), "count": t.count}
                      for t in listings],
        }


def _json(value: Any) -> str:
    return json.dumps(value, default=_plain, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":"))


def _plain(value: Any) -> Any:
    if isinstance(value, Article):
        return value.digest
    if isinstance(value, SiteConfig):
        return "config"  # the whole configuration is part of every page's environment digest
    if isinstance(value, Derived):
        return [value.function.__module__, value.function.__qualname__, value.args]
    if isinstance(value, date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [getattr(value, f.name) for f in dataclasses.fields(value)]
    raise TypeError(f"cannot fingerprint {type(value).__name__} in a page context")

"""What each template sees: pure functions of an output's fields and the configuration.

A context is only made for an output that is rendered; whether it must be is decided by the
output's key (`outputs.fingerprint`), made from the same fields.
"""

from __future__ import annotations

import functools
import html
import re
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from . import l10n, seo, urls
from .assemble import Site
from .config import Newsletter, SiteConfig
from .content import Article

if TYPE_CHECKING:
    from .authors import Byline
    from .outputs import ArticlePage, PublicationPage, SectionShelf, Teaser
    from .photos import Picture, Shown

Alternates = tuple[tuple[str, str], ...]  # (hreflang, URL path) of every language version
X_DEFAULT = "x-default"

TOP = 5  # a front page's lead story and the stories beside it


def x_default(alternates: Alternates, default_language: str) -> str | None:
    """The version for readers whose language the site does not have: the one named so, else
    the default language's, or the first there is."""
    if not alternates:
        return None
    paths = dict(alternates)
    if X_DEFAULT in paths:  # the root's path is ""
        return paths[X_DEFAULT]
    return paths.get(default_language, alternates[0][1])


def languages(alternates: Alternates) -> Alternates:
    """The language versions among the alternates, without the x-default."""
    return tuple((lang, path) for lang, path in alternates if lang != X_DEFAULT)


def shared_context(site: Site, lang: str, searched: bool = True) -> dict[str, Any]:
    """What every page of a language shows; `searched`: the theme has a search page."""
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
        "tags_href": href(site.places.tag_index(lang)),
        "authors_href": href(site.places.author_index(lang)),
        "search_href": href(site.places.search(lang)) if searched else None,
        "nav": [{"name": s.name, "title": s.title, "href": href(s.path())}
                for s in edition.sections],
        "current_section": "",
        "editions": [{"lang": e.lang, "title": e.language.title, "name": e.language.name,
                      "href": href(urls.front(e.lang))} for e in site.editions],
        # The footer's: the pages of the publication in this language, and the copyright's
        # year, the newest story's (never the build's clock, so a build is the same each time).
        "pages_nav": [{"title": page.title, "href": href(page.path),
                       "url": _linker(config.base_url).absolute(page.path)}
                      for page in edition.pages],
        "copyright_year": str(newest.year) if (newest := site.newest) else None,
    }


def page_context(config: SiteConfig, path: str, lang: str,
                 alternates: Alternates) -> dict[str, Any]:
    """What every page has: its canonical URL, its language versions and the switch to them.
    A page with no version in another language switches to that language's front page, which
    is no alternate of it (`alternate` false: no `hreflang` names it)."""
    linker = _linker(config.base_url)
    default = x_default(alternates, config.default_language)
    versions = dict(languages(alternates))
    return {
        "canonical": linker.absolute(path),
        "alternates": [{"lang": code, "url": linker.absolute(p)}
                       for code, p in languages(alternates)],
        "x_default": linker.absolute(default) if default is not None else None,
        "switch": [{"lang": code, "name": config.language(code).name,
                    "href": linker.href(versions.get(code, urls.front(code))),
                    "alternate": code in versions}
                   for code in config.codes if code != lang],
    }


def article_context(config: SiteConfig, page: ArticlePage,
                    behind: Article | None = None) -> dict[str, Any]:
    """`behind` is the original this version, a stale translation, fell behind."""
    href = _linker(config.base_url).href
    article, lang, versions, images = page.article, page.lang, page.versions, page.images
    locale = config.language(lang).locale
    context = page_context(config, page.path, lang, page.alternates)
    body = _body_html(article, images, config.base_url)
    context.update({
        "lead": picture(images.lead, config.base_url) if images and images.lead else None,
        "body_html": with_dateline(body, article.dateline) if article.dateline else body,
        "article": article,
        "published": moment(article.date, "date" in article.timed, locale),
        "updated": moment(article.updated, "updated" in article.timed, locale)
        if article.updated else None,
        "description": article.summary,
        "section": {"title": config.section_title(lang, article.section),
                    "href": href(page.section)} if page.section else None,
        "authors": [{"name": b.name, "href": href(b.path)} for b in page.authors],
        "bios": [profile(config, b, lang) for b in page.authors
                 if b.author and b.author.bio(lang)],
        "tags": [{"title": tag, "href": href(path)} for tag, path in page.tags],
        "social": seo.social(config, article, versions, images),
        "jsonld": seo.news_article(config, article, images, page.logo, page.authors),
        "stale": _stale_notice(config, lang, behind, versions) if behind else None,
        "related": _teasers(page.related, config.base_url),
        "share": share_links(context["canonical"], article.title),
        "newsletter": _newsletter(config.language(lang).newsletter),
    })
    return context


def publication_page_context(config: SiteConfig, page: PublicationPage) -> dict[str, Any]:
    """A page of the publication: its text, with its body's pictures, and its last revision."""
    shown, images = page.page, page.images
    context = page_context(config, page.path, page.lang, page.alternates)
    context.update({
        "page": shown,
        "body_html": _body_html(shown, images, config.base_url),
        "description": shown.summary,
        "stale": _stale_notice(config, page.lang, page.behind, page.versions)
        if page.behind else None,
    })
    return context


def not_found_context(config: SiteConfig, path: str, lang: str, alternates: Alternates,
                      headlines: tuple[Teaser, ...]) -> dict[str, Any]:
    """A 404 page offers the newest stories of its language, linked from wherever it is
    served: their headlines and dates."""
    context = page_context(config, path, lang, alternates)
    context["headlines"] = _teasers(headlines, config.base_url)
    return context


def _teasers(teasers: tuple[Teaser, ...], base_url: str) -> list[dict[str, Any]]:
    """Other stories as a page links to them: headline, link, date and picture."""
    href = _linker(base_url).href
    return [{"title": title, "href": href(path), "date": date,
             "image": picture(thumbnail, base_url) if thumbnail else None}
            for title, path, date, thumbnail in (t.shown() for t in teasers)]


def _body_html(article: Article, images: Shown | None, base_url: str) -> str:
    """An article's or a page's body, its images shown by their files."""
    if images is None or not images.body:
        return article.body_html
    return _with_pictures(article.body_html, dict(images.body), base_url)


def moment(when: datetime, timed: bool, locale: str) -> str:
    """A date as a reader in `locale` says it, with its time of day and zone where the front
    matter gives a time: Babel's long date, then the time as the locale writes it with its
    zone (its full pattern without the seconds: `2:30 PM EST`, `14:30 (hora estándar de
    Cuba)`), joined as the locale joins a date and a time. The zone is named by its
    abbreviation where the locale has one, else by its name: `-0500` tells a reader little."""
    # Aware datetimes are equal when their instants are: the zone is part of the key too.
    return _moment(when, str(when.tzinfo), timed, locale)


@functools.lru_cache(maxsize=4096)
def _moment(when: datetime, zone: str, timed: bool, locale: str) -> str:
    from babel import Locale
    from babel.dates import format_date, format_time, get_datetime_format, get_timezone_name

    parsed = Locale.parse(locale.replace("-", "_"))
    day = format_date(when.date(), "long", locale=parsed)
    if not timed:
        return day
    pattern = re.sub(r"[:.]ss", "", parsed.time_formats["full"].pattern)  # every one has zzzz
    short = get_timezone_name(when, "short", locale=parsed)
    if short.isalpha() and short.isupper():  # `EST`, `CET`, `UTC`: an abbreviation it uses
        pattern = pattern.replace("zzzz", "z")
    time = format_time(when, pattern, tzinfo=when.tzinfo, locale=parsed)
    return str(get_datetime_format("long", locale=parsed)).replace("{0}", time) \
        .replace("{1}", day)


def with_dateline(body: str, place: str) -> str:
    """The body opened by the story's dateline, `HAVANA — `, run into its first paragraph as
    wire stories print it; a body that does not open with a paragraph gets one of its own."""
    opening = f'<span class="story__place">{html.escape(place)}</span>\u00a0— '
    text = body.lstrip()
    if text.startswith("<p>"):
        return f"<p>{opening}{text[3:]}"
    return f'<p class="story__dateline-place">{opening.rstrip()}</p>\n{body}'


def profile(config: SiteConfig, byline: Byline, lang: str) -> dict[str, Any]:
    """An author as their page and the end of their articles show them: name, bio and photo
    in the page's language, and links to their own site and profiles, each labelled by its
    site."""
    from .authors import link_label

    author, href = byline.author, _linker(config.base_url).href
    same_as = author.same_as if author else ()
    return {
        "name": byline.name,
        "href": href(byline.path),
        "bio": author.bio(lang) if author else "",
        "organization": bool(author and author.organization),
        "photo": picture(byline.photo, config.base_url) if byline.photo else None,
        "links": [{"href": url, "label": link_label(url, same_as)} for url in same_as],
    }


# Where a reader shares a story: each network's own address for it, with no script of theirs
# on the page and nothing added to the story's URL. `{url}` and `{title}` are filled in
# percent-encoded (UTF-8, every reserved character), so an `&` or `#` of a headline stays text.
SHARE = (
    ("x", "X", "https://x.com/intent/tweet?text={title}&url={url}"),
    ("facebook", "Facebook", "https://www.facebook.com/sharer/sharer.php?u={url}"),
    ("linkedin", "LinkedIn", "https://www.linkedin.com/sharing/share-offsite/?url={url}"),
    ("whatsapp", "WhatsApp", "https://wa.me/?text={title}%20{url}"),
    ("telegram", "Telegram", "https://t.me/share/url?url={url}&text={title}"),
    ("email", None, "mailto:?subject={title}&body={url}"),
)


def share_links(url: str, title: str) -> list[dict[str, Any]]:
    """The share links of a story at `url`: (network, its name or None for e-mail, href)."""
    filled = {"url": quote(url, safe=""), "title": quote(title, safe="")}
    return [{"network": network, "name": name, "href": pattern.format(**filled)}
            for network, name, pattern in SHARE]


def _newsletter(newsletter: Newsletter | None) -> dict[str, Any] | None:
    """The language's signup form, as the template writes it."""
    if newsletter is None:
        return None
    return {"action": newsletter.action, "field": newsletter.field_name,
            "method": newsletter.method, "hidden": [{"name": name, "value": value}
                                                    for name, value in newsletter.hidden]}


# How wide the default theme shows images: what `sizes` tells the browser, so that it fetches
# the narrowest file of a srcset that fills the space. An article's column is 40rem at most.
BODY_SIZES = "(min-width: 42rem) 40rem, calc(100vw - 2rem)"


def picture(shown: Picture, base_url: str) -> dict[str, Any]:
    """An image as an `<img>` needs it: `src`, and for a raster image of the site its size and
    its `srcset`."""
    return dict(_picture(shown, base_url))


@functools.lru_cache(maxsize=4096)
def _picture(shown: Picture, base_url: str) -> tuple[tuple[str, Any], ...]:
    """Once per image and site: a photo is on many listing pages."""
    href = _linker(base_url).href

    def link(path: str) -> str:
        return path if "://" in path else href(path)

    return (("src", link(shown.src)), ("width", shown.width), ("height", shown.height),
            ("srcset", ", ".join(f"{link(path)} {width}w" for path, width in shown.srcset)))


_IMG = re.compile(r"<img\b[^>]*>")
_ATTRIBUTE = re.compile(r'([a-zA-Z-]+)="([^"]*)"')


def _with_pictures(body: str, pictures: dict[str, Picture], base_url: str) -> str:
    """The body's HTML with each image of the site shown by its files, its size, and loaded
    only when the reader comes near it. Markdown writes every `<img>` with double quotes."""
    def shown(match: re.Match[str]) -> str:
        given = dict(_ATTRIBUTE.findall(match.group(0)))
        found = pictures.get(html.unescape(given.get("src", "")))
        if found is None:
            return match.group(0)
        attributes = picture(found, base_url)
        mine = {"src": attributes["src"]}
        if found.srcset:
            mine.update(srcset=attributes["srcset"], sizes=BODY_SIZES)
        if found.width:
            mine.update(width=str(found.width), height=str(found.height))
        mine.update(loading="lazy", decoding="async")
        kept = {name: value for name, value in given.items() if name not in mine}
        return "<img " + " ".join([*(f'{name}="{value}"' for name, value in kept.items()),
                                   *(f'{name}="{html.escape(value)}"'
                                     for name, value in mine.items())]) + ">"

    return _IMG.sub(shown, body)


def _stale_notice(config: SiteConfig, lang: str, original: Article,
                  versions: tuple[Article, ...]) -> dict[str, Any]:
    """What the page's notice names: the original's language, in the page's, and its link
    when the original is published."""
    return {"language": _language_name(config, lang, original.lang),
            "href": _linker(config.base_url).href(original.path) if original in versions
            else None}


def _language_name(config: SiteConfig, lang: str, named: str) -> str:
    """Language `named` as a page in `lang` names it in a sentence (`inglés`, `Spanish`)."""
    return _babel_language_name(config.language(lang).locale, named) or \
        config.language(named).name


@functools.lru_cache(maxsize=64)
def _babel_language_name(locale: str, named: str) -> str | None:
    """Once per listing language, not per untranslated story listed."""
    from babel import Locale

    name = Locale.parse(locale).languages.get(named)
    return str(name) if name else None


def listing_context(config: SiteConfig, path: str, lang: str, alternates: Alternates, kind: str,
                    name: str, title: str, count: int, number: int, page_count: int,
                    newer: str | None, older: str | None, articles: tuple[Article, ...],
                    thumbnails: tuple[Picture | None, ...] = (),
                    shelves: tuple[SectionShelf, ...] = (),
                    author: Byline | None = None) -> dict[str, Any]:
    """`author`: whose page an author listing is, where the configuration's table has them;
    `shelves`: a front page's first page's."""
    href = _linker(config.base_url).href
    context = page_context(config, path, lang, alternates)

    def items(articles: tuple[Article, ...], thumbnails: tuple[Picture | None, ...],
              sectioned: bool = True) -> list[dict[str, Any]]:
        return [{"article": a, "href": href(a.path),
                 "section": config.section_title(lang, a.section)
                 if a.section and sectioned else "",
                 "original": _language_name(config, lang, a.lang) if a.lang != lang else None,
                 "lang": lang,
                 "authors": config.authors.bylines(a.authors, lang),
                 "image": picture(thumbnail, config.base_url) if thumbnail else None}
                for a, thumbnail in zip(articles, thumbnails or (None,) * len(articles))]

    context.update({
        "kind": kind,
        "heading": title,
        "count": count,
        "number": number,
        "page_count": page_count,
        "current_section": name if kind == "section" else "",
        "newer_href": href(newer) if newer is not None else None,
        "older_href": href(older) if older is not None else None,
        "profile": profile(config, author, lang) if author else None,
        "items": items(articles, thumbnails, kind != "section"),
        "front": None,  # a front page's first page: its stories by their place
    })
    if kind == "front" and number == 1 and articles:
        shelved = {a.source for shelf in shelves for a in shelf.articles}
        listed = context["items"]
        context["front"] = {
            "lead": listed[0], "secondary": listed[1:TOP],
            "latest": [item for item in listed[TOP:] if item["article"].source not in shelved],
            "sections": [{"name": shelf.name, "title": shelf.title, "href": href(shelf.path),
                          "items": items(shelf.articles, shelf.thumbnails, False)}
                         for shelf in shelves]}
    return context


def search_context(config: SiteConfig, path: str, lang: str, alternates: Alternates,
                   parts: tuple[str, ...] | None) -> dict[str, Any]:
    """Where the page finds Pagefind's script, and the other parts of its language's index
    (`parts` None: the language has nothing indexed): results are the reader's browser's work."""
    href = _linker(config.base_url).href
    context = page_context(config, path, lang, alternates)
    context["pagefind"] = href(f"{parts[0]}pagefind.js") if parts else None
    context["pagefind_parts"] = [href(part) for part in parts[1:]] if parts else []
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


_EPOCH = "1970-01-01T00:00:00+00:00"


def feed_context(config: SiteConfig, lang: str,
                 entries: tuple[tuple[Article, Alternates], ...]) -> dict[str, Any]:
    """The feed's `updated` is its newest entry's, so an unchanged site gives an unchanged feed."""
    linker, language = _linker(config.base_url), config.language(lang)
    updated = max((a.modified for a, _ in entries), default=None)
    return {
        "title": language.title,
        "subtitle": language.description,
        "self_url": linker.absolute(urls.feed(lang)),
        "home_url": linker.absolute(urls.front(lang)),
        "updated": l10n.iso(updated) if updated else _EPOCH,
        "entries": [{"article": a, "url": linker.absolute(a.path),
                     "authors": config.authors.bylines(a.authors, lang),
                     "id": urls.entry_id(config.base_url, a.translation_key or a.pair_name, a.lang),
                     "related": [(code, linker.absolute(path)) for code, path in related]}
                    for a, related in entries],
    }


def sitemap_context(config: SiteConfig, pages: tuple[tuple[str, datetime | None, Alternates,
                                                           str | None], ...]) -> dict[str, Any]:
    absolute = _linker(config.base_url).absolute
    return {"pages": [{"url": absolute(path), "lastmod": l10n.iso(lastmod) if lastmod else None,
                       "alternates": [(code, absolute(p)) for code, p in alternates]
                       + ([("x-default", absolute(default))] if default is not None else [])}
                      for path, lastmod, alternates, default in pages]}


def news_context(config: SiteConfig, articles: tuple[Article, ...]) -> dict[str, Any]:
    absolute = _linker(config.base_url).absolute
    return {"items": [{"article": a, "url": absolute(a.path),
                       "publication": config.language(a.lang).title} for a in articles]}


def robots_context(config: SiteConfig, sitemaps: tuple[str, ...]) -> dict[str, Any]:
    absolute = _linker(config.base_url).absolute
    return {"sitemaps": [absolute(path) for path in sitemaps]}

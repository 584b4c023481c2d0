"""`sitegen check`: what an editor should fix or know before publishing, without writing anything.

Errors stop a build or break a page for readers (front matter, two articles at one URL, links to
pages the build will not write); warnings are worth fixing (stale translations, images without
alt text, stories without sources, untranslated UI strings); notes are for planning (stories
that exist in one language only, `[terms]` entries that would link tag pages across languages).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from .. import assemble, inherit, urls
from ..assemble import BuildOptions, Site
from ..config import SiteConfig, key_line
from ..content import Article
from ..errors import BuildFailed, Diagnostic, error, info, warning
from ..outputs import ArticlePage, PublicationPage, every_output, site_pages
from ..photos import site_photos
from . import glossary, i18n
from .survey import Survey, survey


def check(site_dir: Path, now: datetime) -> list[Diagnostic]:
    """Every finding, in reading order."""
    try:
        found = survey(site_dir)
    except BuildFailed as failed:  # no configuration or theme to check against
        return list(failed.diagnostics)
    texts = {rel: data.decode("utf-8", "replace") for rel, data in found.inputs.files}
    by_source = {article.source: article for article in found.articles}
    references = {article.source: _references(article) for article in found.articles}
    # The site with every draft and future article: what some build will write.
    everything = assemble.assemble(found.config, found.places, found.stories,
                                   BuildOptions(now=now, drafts=True, future=True))
    findings = [
        *found.problems,
        *_single_language(found),
        *(warning(s.translation, by_source[s.translation].line("translated_from"), s.message)
          for s in found.stale.values()),
        *_shared_urls(found.articles),
        *_taken_pages(found, everything),
        *_alias_collisions(found, everything),
        *_broken_links(found, now, everything, texts, references),
        *_image_problems(found, everything),
        *_missing_alt(found.articles, texts, references),
        *_inherited_image_without_alt(found),
        *_missing_sources(found.articles),
        *_empty_bodies(found.articles, texts),
        *_shared_term_pages(found),
        *glossary.findings(found.stories, found.config),
        *_placeholder_address(found.config),
        *i18n.untranslated(found.config),
    ]
    return sorted(set(findings), key=lambda d: (d.path, d.line or 0, d.severity, d.message))


def report(findings: list[Diagnostic], form: str) -> str:
    """The findings as `path:line: severity: message` lines and a count, or as a JSON list."""
    if form == "json":
        return json.dumps([asdict(f) for f in findings], ensure_ascii=False, indent=1) + "\n"
    counts = []
    for level, name in (("error", "error"), ("warning", "warning"), ("info", "note")):
        count = sum(f.severity == level for f in findings)
        counts.append(f"{count} {name}{'' if count == 1 else 's'}")
    return "".join(f"{f}\n" for f in findings) + f"sitegen check: {', '.join(counts)}\n"


# Stories ---------------------------------------------------------------------------------------

def _single_language(found: Survey) -> Iterator[Diagnostic]:
    from babel import Locale

    names = Locale("en").languages
    for story in found.stories:
        if len(story.versions) != 1:
            continue
        only = story.versions[0]
        missing = [names.get(code, code) for code in found.config.codes if code != only.lang]
        yield info(only.source, 1, f"only in {names.get(only.lang, only.lang)}: no "
                                   f"{' or '.join(missing)} version yet (start one with "
                                   f"`sitegen new TITLE --translation-of {only.source}`)")


def _shared_urls(articles: Iterable[Article]) -> Iterator[Diagnostic]:
    """Two articles at one URL: the build refuses it once both are published."""
    first: dict[str, Article] = {}
    for article in sorted(articles, key=lambda a: a.source):
        other = first.setdefault(article.path, article)
        if other is not article:
            for one, two in ((article, other), (other, article)):
                yield error(one.source, one.url_line,
                            f"same URL /{one.path} as {two.source}:{two.url_line}: give one a "
                            "different slug or section")


def _taken_pages(found: Survey, site: Site) -> Iterator[Diagnostic]:
    """Articles whose page is one the site writes for itself, such as a section's page (a story
    at the top of content/ whose slug is a section's name): the build refuses them."""
    own = {page.path: page for page in site_pages(site)
           if not isinstance(page, (ArticlePage, PublicationPage))}
    for article in found.articles:
        page = own.get(article.path)
        if page is not None:
            yield error(article.source, article.url_line,
                        f"its page would be written to {urls.output_file(article.path)}, where "
                        f"the site writes {page.described()}: give it a different slug"
                        + ("" if article.is_page else " or section"))


def _alias_collisions(found: Survey, site: Site) -> list[Diagnostic]:
    """Aliases that would replace a page or file the site writes, or that two versions share:
    the build refuses them."""
    from ..redirects import alias_problems

    return alias_problems(site, every_output(site, found.inputs.theme, found.inputs.static))


def _missing_sources(articles: Iterable[Article]) -> Iterator[Diagnostic]:
    """A story without sources (a page of the publication has none)."""
    for article in articles:
        if not article.sources and not article.is_page:
            yield warning(article.source, article.line("sources"),
                          "no sources: list the wire services or outlets the story is based on "
                          "under `sources:`")


def _empty_bodies(articles: Iterable[Article], texts: dict[str, str]) -> Iterator[Diagnostic]:
    """A story with no text, which would be published as an empty page (drafts wait)."""
    for article in articles:
        if not article.draft and not article.body_html.strip():
            yield warning(article.source, _body_line(texts[article.source]),
                          "the story has no text: write it below the front matter, or set "
                          "draft: true until it is ready")


def _shared_term_pages(found: Survey) -> Iterator[Diagnostic]:
    """Tags or authors spelled differently (`José`, `Jose`) that get one page, so their stories
    are listed together; a difference of capitals only (`Cuba`, `cuba`) is the same name."""
    kinds: tuple[tuple[str, Callable[[Article], tuple[str, ...]], Callable[[Article], str],
                       Callable[[str, str], str]], ...] = (
        ("tag", lambda a: a.tags, lambda a: "tags", found.places.tag),
        ("author", lambda a: a.authors,
         lambda a: "author" if "author" in a.lines else "authors", found.places.author))
    for kind, terms_of, key_of, path_of in kinds:
        first: dict[tuple[str, str], tuple[str, Article]] = {}
        told: set[tuple[str, str, str]] = set()
        for article in sorted(found.articles, key=lambda a: a.source):
            for term in terms_of(article):
                slug = urls.term_slug(term)
                name, other = first.setdefault((article.lang, slug), (term, article))
                if name.casefold() == term.casefold() or (article.lang, slug, term) in told:
                    continue
                told.add((article.lang, slug, term))
                yield warning(article.source, article.line(key_of(article)),
                              f"{kind} {term!r} shares the page /{path_of(article.lang, slug)} "
                              f"with {kind} {name!r} ({other.source}:"
                              f"{other.line(key_of(other))}), so their stories are listed "
                              "together: spell them the same, or tell them apart")


_PLACEHOLDER_HOSTS = ("example.com", "example.net", "example.org", "localhost")
_PLACEHOLDER_ENDINGS = (".example", ".test", ".invalid", ".localhost",
                        *(f".{host}" for host in _PLACEHOLDER_HOSTS))


def _placeholder_address(config: SiteConfig) -> Iterator[Diagnostic]:
    """A base_url that only stands in for the real one (`sitegen init` writes example.org)."""
    host = (urlsplit(config.base_url).hostname or "").rstrip(".")
    if (host in _PLACEHOLDER_HOSTS or host.endswith(_PLACEHOLDER_ENDINGS)
            or host.startswith("127.") or host in ("0.0.0.0", "::1")):
        line = key_line(config, ("site",), "base_url")
        shown = f"base_url is still {config.base_url}" if line else \
            f"base_url is not set (so it is {config.base_url})"
        yield warning(config.config_file, line,
                      f"{shown}, which is not the site's public address: set it before "
                      "publishing, since feeds, sitemaps and shared links use it")


# The body's links and images --------------------------------------------------------------------

Reference = tuple[str, str, str | None]  # a body's link or image: (tag, URL, alt text or None)


class _References(HTMLParser):
    """The links and images of an article body."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[Reference] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.found.append((tag, values["href"] or "", None))
        elif tag == "img":
            self.found.append((tag, values.get("src") or "", values.get("alt") or ""))


def _references(article: Article) -> list[Reference]:
    parser = _References()
    parser.feed(article.body_html)
    parser.close()
    return parser.found


def _body_line(text: str) -> int:
    """The file line a body starts on."""
    lines = text.replace("\r\n", "\n").split("\n")
    end = next((n for n in range(1, len(lines)) if lines[n].rstrip() in ("---", "...")), 0)
    return end + 2 if end + 1 < len(lines) else end + 1


def _source_line(text: str, needle: str) -> int:
    """The file line a body reference was written on (the first that mentions it)."""
    lines = text.replace("\r\n", "\n").split("\n")
    start = next((n for n in range(1, len(lines)) if lines[n].rstrip() in ("---", "...")), 0) + 1
    for number in range(start, len(lines)):
        if needle in lines[number]:
            return number + 1
    return start + 1 if start < len(lines) else 1


def _missing_alt(articles: Iterable[Article], texts: dict[str, str],
                 references: dict[str, list[Reference]]) -> Iterator[Diagnostic]:
    for article in articles:
        if "image" in article.given and article.image and not article.image_alt:
            yield warning(article.source, article.line("image"),
                          "the lead image has no image_alt: describe it for readers who cannot "
                          "see it")
        for tag, src, alt in references[article.source]:
            if tag == "img" and not (alt or "").strip():
                yield warning(article.source, _source_line(texts[article.source], src),
                              f"image {src} has no alt text: write it between the brackets, "
                              "![like this](…)")


def _inherited_image_without_alt(found: Survey) -> Iterator[Diagnostic]:
    """A version that shows its story's lead image but does not describe it in its own language:
    `image_alt` is never inherited, since the original's is in another language."""
    from babel import Locale

    names = Locale("en").languages
    for story in found.stories:
        for version in story.versions:
            if "image" in version.given or not version.image or version.image_alt:
                continue
            source = inherit.origin(version, story.versions, "image")
            if source is None:
                continue
            theirs = f" (the original's: {source.image_alt!r})" if source.image_alt else ""
            yield warning(version.source, version.line("title"),
                          f"inherits the lead image {version.image} from {source.source} but "
                          "not its description, which is in another language: add image_alt: "
                          f"describing it in {names.get(version.lang, version.lang)}{theirs}")


def _broken_links(found: Survey, now: datetime, everything: Site, texts: dict[str, str],
                  references: dict[str, list[Reference]]) -> Iterator[Diagnostic]:
    """Links and images that lead to no file of the output. A published article may only lead
    to what is published; a draft or future one, to anything that will be once it is."""
    readers = BuildOptions(now=now)
    published = _targets(found, assemble.assemble(found.config, found.places, found.stories,
                                                  readers))
    every_file = _targets(found, everything)
    base = urlsplit(found.config.base_url)
    for article in found.articles:
        reachable = published if assemble.is_published(article, readers) else every_file
        shown = {reference for reference, _ in article.figures}  # see _image_problems
        for tag, href, _ in references[article.source]:
            if tag == "img" and href in shown:
                continue
            target = _target(href, article.path, base.netloc, base.path)
            if target is None or _exists(target, reachable):
                continue
            what = "image" if tag == "img" else "link"
            where = "the build will not write it" if _exists(target, every_file) \
                else "no such page or file"
            yield error(article.source, _source_line(texts[article.source], href),
                        f"broken {what} to {href}: {where} ({target})")


def _image_problems(found: Survey, site: Site) -> list[Diagnostic]:
    """Images that are missing, damaged, too large or not images at all, as the build finds
    them: of every article some build will publish, and the site's default image and logo."""
    from .. import images
    from ..build import examine_images
    from ..cache import Cache
    from ..discover import read_file
    from ..parallel import default_jobs

    try:
        photos = site_photos(site, found.inputs.static, found.inputs.media,
                             functools.partial(examine_images, Cache(None), default_jobs()))
    except BuildFailed as failed:
        return list(failed.diagnostics)
    return [warning(name, None, "this photo's metadata gives the GPS position where it was "
                                "taken, and static/ is published as it is: pages show only its "
                                "copies without metadata, but the file itself can be "
                                "downloaded; move it beside its article in content/")
            for name, file in photos.originals if images.location(read_file(file))]


def _targets(found: Survey, site: Site) -> set[str]:
    """Every file of the output folder a build of this site writes."""
    return every_output(site, found.inputs.theme, found.inputs.static).files()


def _target(href: str, page: str, host: str, base_path: str) -> str | None:
    """The output file a link leads to, relative to the output folder; None when it leads off
    the site or only within the page."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        if parts.scheme not in ("http", "https", "") or parts.netloc != host:
            return None
    elif not parts.path:
        return None
    path = unquote(urljoin("/" + page, parts.path))
    path = path[len(base_path):] if path.startswith(base_path) else path.lstrip("/")
    return path + "index.html" if path == "" or path.endswith("/") else path


def _exists(target: str, files: set[str]) -> bool:
    return target in files or f"{target}/index.html" in files

"""`sitegen check`: what an editor should fix or know before publishing, without writing anything.

Errors stop a build or break a page for readers (front matter, two articles at one URL, links to
pages the build will not write); warnings are worth fixing (stale translations, images without
alt text, stories without sources, untranslated UI strings); notes are for planning (stories
that exist in one language only).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from . import assemble, i18n, sitemaps, urls
from .assemble import BuildOptions
from .content import Article
from .errors import BuildFailed, Diagnostic, error, info, warning
from .pages import site_pages
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
    findings = [
        *found.problems,
        *_single_language(found),
        *(warning(s.translation, by_source[s.translation].line("translated_from"), s.message)
          for s in found.stale.values()),
        *_shared_urls(found.articles),
        *_broken_links(found, now, texts, references),
        *_missing_alt(found.articles, texts, references),
        *_missing_sources(found.articles),
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
            yield error(article.source, article.line("slug" if "slug" in article.lines
                                                     else "title"),
                        f"same URL /{article.path} as {other.source}: give one a different "
                        "slug or section")


def _missing_sources(articles: Iterable[Article]) -> Iterator[Diagnostic]:
    for article in articles:
        if not article.sources:
            yield warning(article.source, article.line("sources"),
                          "no sources: list the wire services or outlets the story is based on "
                          "under `sources:`")


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
        if article.image and not article.image_alt:
            yield warning(article.source, article.line("image"),
                          "the lead image has no image_alt: describe it for readers who cannot "
                          "see it")
        for tag, src, alt in references[article.source]:
            if tag == "img" and not (alt or "").strip():
                yield warning(article.source, _source_line(texts[article.source], src),
                              f"image {src} has no alt text: write it between the brackets, "
                              "![like this](…)")


def _broken_links(found: Survey, now: datetime, texts: dict[str, str],
                  references: dict[str, list[Reference]]) -> Iterator[Diagnostic]:
    """Links and images that lead to no file of the output. A published article may only lead
    to what is published; a draft or future one, to anything that will be once it is."""
    readers = BuildOptions(now=now)
    published = _targets(found, readers)
    everything = _targets(found, BuildOptions(now=now, drafts=True, future=True))
    base = urlsplit(found.config.base_url)
    for article in found.articles:
        reachable = published if assemble.is_published(article, readers) else everything
        for tag, href, _ in references[article.source]:
            target = _target(href, article.path, base.netloc, base.path)
            if target is None or _exists(target, reachable):
                continue
            what = "image" if tag == "img" else "link"
            where = "the build will not write it" if _exists(target, everything) \
                else "no such page or file"
            yield error(article.source, _source_line(texts[article.source], href),
                        f"broken {what} to {href}: {where} ({target})")


def _targets(found: Survey, options: BuildOptions) -> set[str]:
    """Every file of the output folder a build with these options writes."""
    site = assemble.assemble(found.config, found.stories, options)
    files = {urls.output_file(page.path) for page in site_pages(site)}
    files.update(urls.feed(e.lang) for e in site.editions)
    files.update((urls.SITEMAP, urls.ROBOTS))
    if sitemaps.has_news(site):
        files.add(urls.NEWS_SITEMAP)
    files.update(output for output, _ in found.inputs.theme.assets.values())
    files.update(name for name, _, _ in found.inputs.static)
    return files


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

"""URLs that change keep working: each old URL of a version leads to its page as it is now.

Old URLs come from two places. An alias in front matter is an editor's explicit promise, so one
that would replace a page or file the site writes, or that two versions share, is an error that
names both. A URL from the git history is found, not promised: where a page of the site now
lives at it (a new story took an old headline's URL), that page wins and nothing is said; where
a section, tag or other page the site makes for itself does, that page wins too, with a warning,
since no edit of an article could settle it; and where two versions had it, the one that had it
last wins. An alias wins over the history. Every old URL leads straight to the current page,
never through another redirect.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from posixpath import dirname

from . import urls
from .assemble import Site
from .content import Article
from .errors import BuildFailed, Diagnostic, error
from .history import PastUrl, UrlHistory
from .outputs import (
    REDIRECT_RULES,
    ArticlePage,
    Copy,
    Output,
    PublicationPage,
    SiteOutputs,
)


@dataclass(frozen=True, slots=True)
class Redirect:
    path: str  # the old URL path, relative to the site: `en/old-headline/`, `old/page.html`
    article: Article  # the published version it leads to
    origin: str  # "alias" or "history"


@dataclass(frozen=True, slots=True)
class Redirects:
    redirects: tuple[Redirect, ...]  # by old path
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Owner:
    """What writes a file, named only when an error or a warning needs it."""

    output: Output | Copy | None
    shown: str = ""

    @property
    def article(self) -> bool:
        """A story's page or a page of the publication: a version's own URL."""
        return isinstance(self.output, (ArticlePage, PublicationPage))

    @property
    def named(self) -> str:
        """As an error names it: "the page of content/x.en.md:3", "static/robots.txt"."""
        if self.output is None:
            return self.shown
        described = self.output.described()
        return f"the page of {described}" if self.article else described


def site_redirects(site: Site, history: UrlHistory, live: SiteOutputs) -> Redirects:
    """Every redirect the site writes, from the aliases and the history of its published
    versions (`live`: everything else it writes); BuildFailed with every alias that cannot be
    one."""
    published = _published(site)
    taken = _taken(live)
    problems, claimed = _aliases(published, taken)
    if problems:
        raise BuildFailed(problems)
    warnings = list(history.warnings)
    by_source = {a.source: a for a in published}
    by_key = {(a.translation_key, a.lang): a for a in published if a.translation_key}
    told: set[str] = set()
    # The newest first: a URL two versions had leads to the one that had it last.
    for past in sorted(history.urls, key=lambda p: (-p.until, p.source, p.path)):
        target = _current(past, by_source, by_key)
        if target is None or past.path == target.path:
            continue
        file = urls.output_file(past.path)
        owner = taken.get(file)
        if owner is not None and not owner.article and file not in told and \
                file not in claimed:
            told.add(file)
            warnings.append(f"{target.source}: its earlier URL /{past.path} (until "
                            f"{past.ended_by}) is now {owner.named}, which keeps it: that "
                            "old URL does not redirect")
        if file in claimed or owner is not None or _clash(file, taken, claimed):
            continue
        claimed[file] = Redirect(past.path, target, "history")
    return Redirects(tuple(sorted(claimed.values(), key=lambda r: r.path)), tuple(warnings))


def alias_problems(site: Site, live: SiteOutputs) -> list[Diagnostic]:
    """The aliases of the site's published versions that cannot redirect, for `sitegen check`."""
    return _aliases(_published(site), _taken(live))[0]


def _published(site: Site) -> list[Article]:
    return sorted((a for e in site.editions for a in (*e.articles, *e.pages)),
                  key=lambda a: a.source)


def _current(past: PastUrl, by_source: dict[str, Article],
             by_key: dict[tuple[str, str], Article]) -> Article | None:
    """The published version an old URL leads to: its file's, renames followed, or else the
    version of its story and language."""
    if past.version is not None and past.version in by_source:
        return by_source[past.version]
    return by_key.get((past.translation_key, past.lang)) if past.translation_key else None


def _aliases(published: Sequence[Article], taken: dict[str, _Owner]
             ) -> tuple[list[Diagnostic], dict[str, Redirect]]:
    """Each alias's redirect by file, and every alias that cannot be one, named with what it
    would replace."""
    problems: list[Diagnostic] = []
    claimed: dict[str, tuple[Redirect, int]] = {}
    for article in published:
        for number, alias in enumerate(article.aliases):
            file, line = urls.output_file(alias), _alias_line(article, number)
            if file == urls.output_file(article.path):
                continue  # its own URL: nothing to redirect
            owner, clash = taken.get(file), _clash(file, taken, claimed)
            first = claimed.get(file)
            if owner is not None:
                problems.append(error(article.source, line,
                                      f"alias /{alias} would replace {owner.named}: remove "
                                      "the alias, or give that page another URL"))
            elif first is not None:
                other, other_line = first[0].article, first[1]
                for one, here, two, there in ((article, line, other, other_line),
                                              (other, other_line, article, line)):
                    problems.append(error(one.source, here,
                                          f"alias /{alias} is also an alias of "
                                          f"{two.source}:{there}: an old URL can lead to one "
                                          "page only; remove one of them"))
            elif clash is not None:
                problems.append(error(article.source, line,
                                      f"alias /{alias} cannot be written where the site has "
                                      f"{clash}: remove it"))
            else:
                claimed[file] = (Redirect(alias, article, "alias"), line)
    return problems, {file: redirect for file, (redirect, _) in claimed.items()}


def _alias_line(article: Article, number: int) -> int:
    """The line of the alias's item, or of `aliases:` itself."""
    key = f"aliases[{number}]"
    return article.lines[key] if key in article.lines else article.line("aliases")


def _taken(live: SiteOutputs) -> dict[str, _Owner]:
    """Every file the site writes besides redirects, with what an error calls it."""
    taken = {REDIRECT_RULES: _Owner(None, f"the redirect rules /{REDIRECT_RULES}")}
    taken.update((output.file, _Owner(output)) for output in live.rendered)
    taken.update((copy.file, _Owner(copy)) for copy in live.copies)
    return taken


def _clash(file: str, *written: Mapping[str, object]) -> str | None:
    """What stops a file from being written beside the files `written`: a file where one of
    its folders would be, or (for a file with a suffix of its own, `/archive/story.html`; a
    page's `index.html` is never a folder) a folder of the same name."""
    folder = dirname(file)
    while folder:
        if any(folder in files for files in written):
            return f"the file /{folder}"
        folder = dirname(folder)
    if file != "index.html" and not file.endswith("/index.html"):
        inside = file + "/"
        if any(other.startswith(inside) for files in written for other in files):
            return f"the folder /{inside}"
    return None

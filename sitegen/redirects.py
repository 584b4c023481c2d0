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

from collections.abc import Container, Iterable, Iterator, Sequence
from dataclasses import dataclass
from posixpath import dirname

from . import urls
from .assemble import Site
from .content import Article
from .errors import BuildFailed, Diagnostic, error
from .history import PastUrl, UrlHistory
from .outputs import REDIRECT_RULES, ArticlePage, SiteOutputs


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
    named: str  # as an error names it: "the page of content/x.en.md:3", "static/robots.txt"
    article: bool  # an article's page


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
    folders = _folders(taken.keys() | claimed.keys())
    told: set[str] = set()
    # The newest first: a URL two versions had leads to the one that had it last.
    for past in sorted(history.urls, key=lambda p: (-p.until, p.source, p.path)):
        target = _current(past, by_source, by_key)
        if target is None or past.path == target.path:
            continue
        file = urls.output_file(past.path)
        owner = taken.get(file)
        if owner is not None and not owner.article and file not in told | claimed.keys():
            told.add(file)
            warnings.append(f"{target.source}: its earlier URL /{past.path} (until "
                            f"{past.ended_by}) is now {owner.named}, which keeps it: that "
                            "old URL does not redirect")
        if file in claimed or owner is not None or _clash(file, folders, taken, claimed):
            continue
        claimed[file] = Redirect(past.path, target, "history")
        folders |= _folders((file,))
    return Redirects(tuple(sorted(claimed.values(), key=lambda r: r.path)), tuple(warnings))


def alias_problems(site: Site, live: SiteOutputs) -> list[Diagnostic]:
    """The aliases of the site's published versions that cannot redirect, for `sitegen check`."""
    return _aliases(_published(site), _taken(live))[0]


def _published(site: Site) -> list[Article]:
    return sorted((a for e in site.editions for a in e.articles), key=lambda a: a.source)


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
    folders = _folders(taken)
    for article in published:
        for number, alias in enumerate(article.aliases):
            if alias == article.path:
                continue  # its own URL: nothing to redirect
            file, line = urls.output_file(alias), _alias_line(article, number)
            owner, clash = taken.get(file), _clash(file, folders, taken, claimed)
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
                                      f"{clash}: write it as a folder (ending in '/') or "
                                      "remove it"))
            else:
                claimed[file] = (Redirect(alias, article, "alias"), line)
                folders |= _folders((file,))
    return problems, {file: redirect for file, (redirect, _) in claimed.items()}


def _alias_line(article: Article, number: int) -> int:
    """The line of the alias's item, or of `aliases:` itself."""
    key = f"aliases[{number}]"
    return article.lines[key] if key in article.lines else article.line("aliases")


def _taken(live: SiteOutputs) -> dict[str, _Owner]:
    """Every file the site writes besides redirects, with what an error calls it."""
    taken = {REDIRECT_RULES: _Owner(f"the redirect rules /{REDIRECT_RULES}", False)}
    for output in live.rendered:
        named = f"the page of {output.described()}" if isinstance(output, ArticlePage) \
            else output.described()
        taken[output.file] = _Owner(named, isinstance(output, ArticlePage))
    for copy in live.copies:
        taken[copy.file] = _Owner(copy.described(), False)
    return taken


def _folders(files: Iterable[str]) -> set[str]:
    """Every folder the files are written in: `en/x/index.html` -> `en`, `en/x`."""
    found: set[str] = set()
    for file in files:
        folder = dirname(file)
        while folder and folder not in found:
            found.add(folder)
            folder = dirname(folder)
    return found


def _clash(file: str, folders: set[str], *files: Container[str]) -> str | None:
    """What stops a file from being written beside the others (`files`, in `folders`): a
    folder of the same name, or a file where one of its folders would be."""
    if file in folders:
        return f"the folder /{file}/"
    for folder in _parents(file):
        if any(folder in names for names in files):
            return f"the file /{folder}"
    return None


def _parents(file: str) -> Iterator[str]:
    folder = dirname(file)
    while folder:
        yield folder
        folder = dirname(folder)

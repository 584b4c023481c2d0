"""Group the language versions of each story, so every page can link to its translations.

Versions belong together when they share a `translation_key`, or when they are `name.en.md` and
`name.es.md` in one folder; either link is enough, so adding a key to one file never splits a pair.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .content import Article
from .errors import BuildFailed, Diagnostic, error


@dataclass(frozen=True, slots=True)
class TranslationGroup:
    """One story: its versions in configured language order."""

    key: str
    versions: tuple[Article, ...]

    def version(self, lang: str) -> Article | None:
        return next((a for a in self.versions if a.lang == lang), None)


def group(articles: Iterable[Article], languages: tuple[str, ...]) -> tuple[TranslationGroup, ...]:
    """Group versions into stories; two versions in one language are an error naming both files."""
    groups, problems = group_leniently(articles, languages)
    if problems:
        raise BuildFailed(problems)
    return groups


def group_leniently(articles: Iterable[Article], languages: tuple[str, ...]
                    ) -> tuple[tuple[TranslationGroup, ...], list[Diagnostic]]:
    """The stories and the duplicate-translation errors, for tools that report and go on."""
    articles = sorted(articles, key=lambda a: a.source)
    parent = list(range(len(articles)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_with: dict[tuple[str, str], int] = {}
    for i, article in enumerate(articles):
        links = [("name", article.pair_name)]
        if article.translation_key is not None:
            links.append(("key", article.translation_key))
        for link in links:
            j = first_with.setdefault(link, i)
            parent[root(i)] = root(j)

    members: dict[int, list[Article]] = {}
    for i, article in enumerate(articles):
        members.setdefault(root(i), []).append(article)

    groups, problems = [], []
    order = {code: n for n, code in enumerate(languages)}
    for versions in members.values():
        problems.extend(_duplicates(versions))
        problems.extend(_pages_and_stories(versions))
        versions.sort(key=lambda a: (order[a.lang], a.source))
        key = next((a.translation_key for a in versions if a.translation_key), versions[0].pair_name)
        groups.append(TranslationGroup(key, tuple(versions)))
    return tuple(sorted(groups, key=lambda g: g.versions[0].source)), problems


def links(article: Article) -> tuple[str, str, str, str | None]:
    """What puts an article in its story: its file, language, file name and translation key."""
    return (article.source, article.lang, article.pair_name, article.translation_key)


def _duplicates(versions: list[Article]) -> list[Diagnostic]:
    """Two versions of a story in one language: an error in each file, at the line that made
    them one story (`translation_key:`), or else the one that gave the language (`lang:`)."""
    seen: dict[str, Article] = {}
    problems = []
    for article in versions:
        other = seen.setdefault(article.lang, article)
        if other is not article:
            why = _why_paired(article, other)
            for one, two in ((article, other), (other, article)):
                problems.append(error(
                    one.source, _pairing_line(one, two),
                    f"duplicate translation: {two.source}:{_pairing_line(two, one)} is also "
                    f"the {one.lang!r} version of this story ({why})"))
    return problems


def _pages_and_stories(versions: list[Article]) -> list[Diagnostic]:
    """A page of the publication (content/pages/) and a story cannot be versions of one
    another: an error in each, at the line that made them one."""
    pages = [a for a in versions if a.is_page]
    stories = [a for a in versions if not a.is_page]
    if not pages or not stories:
        return []
    page, story = pages[0], stories[0]
    return [error(one.source, one.line("translation_key"),
                  f"{two.source} is a {'story' if one.is_page else 'page of content/pages/'}, "
                  f"and a {'page' if one.is_page else 'story'} cannot be its translation: "
                  f"give one of them another translation_key")
            for one, two in ((page, story), (story, page))]


def _pairing_line(article: Article, other: Article) -> int:
    if article.translation_key is not None and article.translation_key == other.translation_key:
        return article.line("translation_key")
    return article.line("lang")


def _why_paired(article: Article, other: Article) -> str:
    if article.translation_key is not None and article.translation_key == other.translation_key:
        return f"both have translation_key {article.translation_key!r}"
    if article.pair_name == other.pair_name:
        return "their file names pair them"
    return "the story's other versions pair them"

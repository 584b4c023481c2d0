"""The newsroom's authors: the `[authors]` table of the configuration, and bylines matched to it.

A byline in front matter is a name as the writer typed it. The table makes it a person (or the
newsroom itself, `organization = true`) whom every edition names in its own language, so that
`Staff` on the English page and `Redacción` on the Spanish one are one author, whose pages are
counterparts. A byline the table does not know is shown and listed as it is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from . import urls

if TYPE_CHECKING:
    from .photos import Picture


@dataclass(frozen=True, slots=True)
class Author:
    """One entry of the table, with its name in every configured language."""

    key: str  # its key in the table: `[authors.ana-perez]`
    names: tuple[tuple[str, str], ...]  # (lang, name) for every configured language
    bios: tuple[tuple[str, str], ...] = ()  # (lang, bio) of the languages that have one
    photo: str | None = None  # a file of the site or a web address, as `image:` is
    url: str | None = None  # their own site
    social: tuple[str, ...] = ()  # their profiles elsewhere
    organization: bool = False  # the newsroom's own byline (`Staff`): no person behind it

    def name(self, lang: str) -> str:
        return dict(self.names).get(lang) or self.names[0][1]

    def bio(self, lang: str) -> str:
        """Their bio in `lang`, or "": a bio in another language is not shown in its place."""
        return dict(self.bios).get(lang, "")

    @property
    def same_as(self) -> tuple[str, ...]:
        """Their own site and profiles: who they are elsewhere on the web."""
        return tuple(dict.fromkeys((*((self.url,) if self.url else ()), *self.social)))

    @property
    def topic(self) -> str:
        """What their author pages in every language share: they are counterparts."""
        return f"author:{self.key}"

    def spellings(self) -> tuple[str, ...]:
        """Every way a byline may name them: their key and their names."""
        return tuple(dict.fromkeys((self.key, *(name for _, name in self.names))))


@dataclass(frozen=True, slots=True)
class Roster:
    """The table's authors, found by any of their spellings, as author pages are told apart:
    by the slug of the name (`Ana Pérez`, `ana perez` and `ana-perez` are one author)."""

    authors: tuple[Author, ...] = ()
    _by_slug: dict[str, Author] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for author in self.authors:
            for spelling in author.spellings():
                self._by_slug.setdefault(urls.term_slug(spelling), author)

    def find(self, byline: str) -> Author | None:
        """The author a byline names, or None for a byline the table does not know."""
        return self._by_slug.get(urls.term_slug(byline)) if self.authors else None

    def shown(self, byline: str, lang: str) -> str:
        """A byline as a page in `lang` writes it."""
        author = self.find(byline)
        return author.name(lang) if author else byline

    def bylines(self, names: tuple[str, ...], lang: str) -> tuple[str, ...]:
        """An article's bylines as a page in `lang` writes them, each author once (`Staff`
        and `Redacción` are one)."""
        return tuple(dict.fromkeys(self.shown(name, lang) for name in names))


@dataclass(frozen=True, slots=True)
class Byline:
    """An author as one page shows them: their name in its language, their author page, and
    their entry of the table with its photo, where they have one."""

    name: str
    path: str  # their author page in the page's language
    author: Author | None = None
    photo: Picture | None = None  # a square of their photo


def link_label(url: str, others: tuple[str, ...] = ()) -> str:
    """What a link to a profile says: its site (`mastodon.social`, `anaperez.example`), or a
    fediverse handle (`@ana@mastodon.social`) where the address is one; with the path where two
    of an author's links are on one site."""
    parts = urlsplit(url)
    host = (parts.hostname or url).removeprefix("www.")
    path = parts.path.strip("/")
    if path.startswith("@") and "/" not in path:
        return f"{path}@{host}"
    same_site = [other for other in others
                 if (urlsplit(other).hostname or "").removeprefix("www.") == host]
    return f"{host}/{path}" if len(same_site) > 1 and path else host

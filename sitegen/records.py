"""Outputs as explicit records, for the build's memo: a page's kind and fields, its articles by
their file.

A build that only changes the words of known articles (see `swap.py`) renders the pages that
show them from these records, without planning the site again. A record names its kind and
holds its fields in order, plain values only; an article is named by its file and found again
as the build has it now, so a record stays true while the article's words change. Only the
kinds listed here are written or read: a record of anything else is refused, and the memo that
keeps records is thrown away with any change of sitegen's code.
"""

from __future__ import annotations

import dataclasses
import pickle
from collections.abc import Callable
from datetime import date
from typing import Any

from .authors import Author, Byline
from .content import Article
from .outputs import (
    ArticlePage,
    Copy,
    Feed,
    ListingPage,
    NewsSitemap,
    NotFoundPage,
    PublicationPage,
    RedirectPage,
    RedirectRules,
    Robots,
    RootPage,
    SearchPage,
    SectionShelf,
    Sitemap,
    Teaser,
    TermsPage,
)
from .photos import Picture, Rendition, Shown
from .recipe import Spec

VERSION = 1  # of the records' form
KINDS: dict[str, type[Any]] = {kind.__name__: kind for kind in (
    RootPage, NotFoundPage, ArticlePage, PublicationPage, ListingPage, TermsPage, SearchPage,
    Feed, Sitemap, NewsSitemap, Robots, RedirectPage, RedirectRules, Copy, Rendition,
    Teaser, SectionShelf, Picture, Shown, Byline, Author, Spec)}
_FIELDS = {name: tuple(f.name for f in dataclasses.fields(kind)) for name, kind in KINDS.items()}
_ARTICLE = "a"  # the key of an article's reference: {"a": its file}
_KIND = ""  # the key of a value's kind: {"": "ArticlePage", "f": (its fields)}


class Unreadable(Exception):
    """A record of another form or kind: the build plans the site instead."""


def record(value: Any) -> bytes:
    """An output (or a copy, or a file made from an image) as a record."""
    return pickle.dumps((VERSION, _plain(value)), pickle.HIGHEST_PROTOCOL)


def value_of(data: bytes, article: Callable[[str], Article]) -> Any:
    """The output a record holds, each article in it found by `article` (given its file)."""
    try:
        version, plain = pickle.loads(data)
    except Exception as exc:  # noqa: BLE001 - any damage is only a miss
        raise Unreadable(f"a damaged record: {exc}") from None
    if version != VERSION:
        raise Unreadable(f"a record of form {version}")
    return _value(plain, article)


def _plain(value: Any) -> Any:
    if isinstance(value, Article):
        return {_ARTICLE: value.source}
    if isinstance(value, tuple):
        return tuple(_plain(item) for item in value)
    if value is None or isinstance(value, (str, int, float, date)):
        return value
    name = type(value).__name__
    if KINDS.get(name) is not type(value):
        raise TypeError(f"cannot keep {name} in a record")
    return {_KIND: name, "f": tuple(_plain(getattr(value, field)) for field in _FIELDS[name])}


def _value(plain: Any, article: Callable[[str], Article]) -> Any:
    if isinstance(plain, tuple):
        return tuple(_value(item, article) for item in plain)
    if not isinstance(plain, dict):
        return plain
    if _ARTICLE in plain:
        return article(plain[_ARTICLE])
    kind = KINDS.get(plain.get(_KIND, ""))
    values = plain.get("f")
    if kind is None or not isinstance(values, tuple) or \
            len(values) != len(_FIELDS[kind.__name__]):
        raise Unreadable(f"a record of kind {plain.get(_KIND)!r}")
    return kind(*(_value(item, article) for item in values))

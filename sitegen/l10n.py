"""Babel for dates, numbers and language names; gettext catalogs compiled from `locales/`.

No OS locale is involved: everything a page shows in its language comes from Babel's data and
the site's `.po` files, so a build gives the same bytes on every machine.
"""

from __future__ import annotations

import codecs
import contextlib
import copy
import functools
import gettext
import hashlib
import io
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from .code import code_digest
from .discover import outside_link, read_file
from .errors import BuildFailed, cannot_read, error
from .kept import keep, read_kept

DOMAIN = "messages"


def catalog_paths(locale_dirs: tuple[Path, ...], lang: str) -> tuple[Path, ...]:
    """The `.po` files for `lang`, most specific first (the site's, then the bundled ones).
    A catalog that is not a regular file, or a link out of its site, is an error."""
    found, problems = [], []
    for folder in locale_dirs:
        po = folder / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
        if not (po.exists() or po.is_symlink()) or po in found:
            continue
        shown = _relative(po, folder.parent)
        real = po.resolve()
        if not real.is_relative_to(folder.parent.resolve()):
            problems.append(outside_link(shown, real))
        elif not po.is_file():
            problems.append(error(shown, None, "not a regular file"))
        else:
            found.append(po)
    if problems:
        raise BuildFailed(problems)
    return tuple(found)


def catalog_digest(locale_dirs: tuple[Path, ...], lang: str,
                   read: Callable[[str], bytes]) -> str:
    """Changes whenever any catalog `lang` reads from does. A catalog is named by its place
    among the folders, not by where they are, so that a site moved or built by a sitegen
    installed elsewhere keeps its keys."""
    digest = hashlib.blake2b(digest_size=16)
    for po in catalog_paths(locale_dirs, lang):
        place = next(n for n, folder in enumerate(locale_dirs) if po.is_relative_to(folder))
        digest.update(f"{place}\0{po.relative_to(locale_dirs[place]).as_posix()}\0".encode())
        try:
            digest.update(read(str(po)))
        except OSError as exc:
            raise BuildFailed([cannot_read(_relative(po, po.parents[3]), exc)]) from None
    return digest.hexdigest()


def translations(locale_dirs: tuple[Path, ...], lang: str, site_dir: Path,
                 compiled: Path | None = None) -> gettext.NullTranslations:
    """Compile the catalogs for `lang` in memory; the site's own strings win over bundled ones.
    `compiled`: where earlier builds keep them compiled, by what they were compiled from."""
    chain: gettext.NullTranslations | None = None
    for po in reversed(catalog_paths(locale_dirs, lang)):
        # A copy: the compiled catalog is memoized, and chaining must not change it.
        catalog = copy.copy(_compile(po, _relative(po, site_dir), po.stat().st_mtime_ns,
                                     compiled))
        if chain is not None:
            catalog.add_fallback(chain)
        chain = catalog
    return chain if chain is not None else gettext.NullTranslations()


@functools.lru_cache(maxsize=32)
def _compile(po: Path, shown: str, _mtime: int, kept: Path | None) -> gettext.GNUTranslations:
    """A catalog compiled, or as an earlier build compiled the same bytes (Babel's parser is
    most of a small build's time spent on catalogs)."""
    try:
        data = read_file(str(po))
    except OSError as exc:
        raise BuildFailed([cannot_read(shown, exc)]) from None
    name = None
    if kept is not None:
        digest = hashlib.blake2b(f"{code_digest()}\0".encode(), digest_size=20)
        digest.update(data)
        name = kept / f"{digest.hexdigest()}.mo"
        mo = read_kept(name)
        if mo is not None:
            with contextlib.suppress(Exception):  # not a catalog after all: compiled again
                return gettext.GNUTranslations(io.BytesIO(mo))
    from babel.messages.mofile import write_mo  # only builds that compile pay for these

    buffer = io.BytesIO()
    write_mo(buffer, parse_catalog(data, shown))
    if name is not None:
        keep(name, buffer.getvalue())
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def read_catalog(path: Path, shown: str) -> Any:
    """A `.po` file as a Babel Catalog; every way it can be broken is an error with its line."""
    try:
        data = read_file(str(path))
    except OSError as exc:
        raise BuildFailed([cannot_read(shown, exc)]) from None
    return parse_catalog(data, shown)


def parse_catalog(data: bytes, shown: str) -> Any:
    """The bytes of a `.po` file as a Babel Catalog, as `read_catalog`."""
    from babel.messages.pofile import PoFileError, read_po

    try:
        catalog = read_po(io.BytesIO(data), abort_invalid=True)
        codecs.lookup(catalog.charset)  # a header-only catalog is not decoded: writing it fails
    except PoFileError as exc:
        reason = re.sub(r" on -?\d+$", "", str(exc))  # Babel counts lines from 0 in its text
        line = exc.lineno + 1 if isinstance(exc.lineno, int) else None
        raise BuildFailed([error(shown, line, f"invalid catalog: {reason}")]) from None
    except UnicodeDecodeError as exc:
        raise BuildFailed([error(shown, _line_of(data, exc.object),
                                 f"invalid catalog: not in its charset: {exc.reason}")]) from None
    except (ValueError, LookupError) as exc:  # e.g. an unknown charset or Language header
        raise BuildFailed([error(shown, _line_of(data, b'"Plural-Forms:')
                                 if "plural" in str(exc).lower() else None,
                                 f"invalid catalog: {exc}")]) from None
    _check_plural_forms(catalog, data, shown)
    return catalog


def _check_plural_forms(catalog: Any, data: bytes, shown: str) -> None:
    """The `Plural-Forms` formula is compiled by gettext when a page is rendered: a broken one
    is an error on its line, found before."""
    try:
        gettext.c2py(catalog.plural_expr)
    except (ValueError, RecursionError) as exc:
        raise BuildFailed([error(shown, _line_of(data, b'"Plural-Forms:'),
                                 f"invalid catalog: Plural-Forms {catalog.plural_expr!r}: "
                                 f"{exc}")]) from None


def _line_of(data: bytes, fragment: object) -> int | None:
    """The 1-based line of `data` holding `fragment`, which Babel decodes line by line."""
    if isinstance(fragment, bytes) and fragment.strip():
        for number, line in enumerate(data.splitlines(), start=1):
            if fragment.strip() in line:
                return number
    return None


def _relative(path: Path, site_dir: Path) -> str:
    try:
        return path.relative_to(site_dir).as_posix()
    except ValueError:
        return path.as_posix()


class Formatter:
    """Dates and numbers as one locale writes them."""

    def __init__(self, locale: str) -> None:
        from babel import Locale  # only builds that render pay for Babel's formatting data

        self.locale = Locale.parse(locale.replace("-", "_"))

    def date(self, moment: datetime | date, format: str = "long") -> str:
        """The calendar date as the reader says it; datetimes are already in the site zone."""
        from babel.dates import format_date

        day = moment.date() if isinstance(moment, datetime) else moment
        return format_date(day, format, locale=self.locale)

    def number(self, value: float) -> str:
        from babel.numbers import format_decimal

        return format_decimal(value, locale=self.locale)


def iso(moment: datetime) -> str:
    """RFC 3339, as feeds, sitemaps and `<time datetime>` need it. Before standard time a zone
    keeps its local mean time (Havana's was -05:29:28), which RFC 3339 cannot write: the same
    instant is then written with the offset rounded up to a whole minute, so the written time
    moves on by under a minute and a date at midnight keeps its day."""
    return _iso(moment, moment.utcoffset())  # equal instants in other zones are written apart


@functools.lru_cache(maxsize=8192)  # a site's pages write the same dates many times
def _iso(moment: datetime, offset: timedelta | None) -> str:
    if offset is not None and offset % timedelta(minutes=1):
        whole = timedelta(minutes=-(-offset // timedelta(minutes=1)))
        moment = moment.astimezone(timezone(whole))
    return moment.isoformat(timespec="seconds")

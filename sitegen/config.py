"""Site configuration from `sitegen.toml` or `[tool.sitegen]`, validated before anything is read.

A typo in the configuration should stop the build with the key's name and line, not be ignored
and surface later as a page that looks wrong.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError, localedata

from . import urls
from .authors import Author, Roster
from .errors import BuildFailed, Diagnostic, error, text_of


@dataclass(frozen=True, slots=True)
class Newsletter:
    """`[languages.<lang>.newsletter]`: where a language's signup form sends a reader's e-mail
    address, as the provider (Buttondown, Mailchimp, …) expects it. The form is plain HTML, so
    it works without JavaScript and loads nothing from the provider."""

    action: str  # the provider's address that receives the form: http(s) only
    field_name: str = "email"  # the e-mail input's name: `email` for Buttondown, `EMAIL` for Mailchimp
    method: str = "post"
    hidden: tuple[tuple[str, str], ...] = ()  # (name, value) the provider wants sent with it


@dataclass(frozen=True, slots=True)
class LanguageConfig:
    """One language edition: its code, its site title and how its UI is localized."""

    code: str
    title: str
    description: str
    locale: str  # a Babel locale identifier, e.g. "es" or "es_US"
    given_name: str  # the language's name as its table gives it, if it does
    sections: dict[str, str] = field(default_factory=dict)  # section slug -> display title
    newsletter: Newsletter | None = None  # its signup form, where it has one

    def section_segment(self, section: str) -> str:
        """The section's folder in this language's URLs: its label's slug (`Economía` ->
        `economia`), so a Spanish reader's address reads in Spanish; else its name."""
        label = self.sections.get(section)
        return (urls.slugify(label) if label else "") or section

    @property
    def name(self) -> str:
        """The language's name in itself, as the language switch shows it ("Español"): looked
        up only where a page shows it, since Babel's data for a locale takes a while to load."""
        return self.given_name or _own_name(self.locale)


@dataclass(frozen=True, slots=True)
class Glossary:
    """`[terms]`: each term's spelling in every language it has, so that a tag written in any of
    them is one term, shown and linked in each language as the glossary spells it there."""

    terms: tuple[tuple[tuple[str, str], ...], ...] = ()  # each: (lang, spelling), default first
    _by_slug: dict[tuple[str, str], int] = field(default_factory=dict, compare=False,
                                                 repr=False)
    _any: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for number, spellings in enumerate(self.terms):
            for lang, spelling in spellings:
                self._by_slug.setdefault((lang, urls.term_slug(spelling)), number)
                self._any.setdefault(urls.term_slug(spelling), number)

    def term(self, tag: str, lang: str) -> int | None:
        """The entry `tag` is a spelling of: in `lang` first, else in any language."""
        if not self.terms:
            return None
        slug = urls.term_slug(tag)
        found = self._by_slug.get((lang, slug))
        return self._any.get(slug) if found is None else found

    def spelling(self, term: int, lang: str) -> str | None:
        return dict(self.terms[term]).get(lang)

    def translate(self, tag: str, lang: str, into: str) -> str | None:
        """The spelling in `into` of the term `tag` (written in `lang`) is, or None."""
        term = self.term(tag, lang)
        return None if term is None else self.spelling(term, into)

    def translate_all(self, tags: tuple[str, ...], lang: str, into: str) -> tuple[str, ...]:
        """The tags (written in `lang`) the glossary spells in `into`, so spelled, each once;
        the others are left out rather than shown in the wrong language."""
        translated = (self.translate(tag, lang, into) for tag in tags)
        return tuple(dict.fromkeys(tag for tag in translated if tag))

    def shown(self, tag: str, lang: str) -> str:
        """A tag as a page in `lang` shows it: as the glossary spells its term there, else as
        written."""
        term = self.term(tag, lang)
        return (self.spelling(term, lang) if term is not None else None) or tag


@dataclass(frozen=True, slots=True)
class SiteConfig:
    site_dir: Path
    config_file: str  # relative to site_dir, for diagnostics
    base_url: str  # always ends with "/"
    default_language: str
    languages: tuple[LanguageConfig, ...]
    timezone: str
    theme: str
    per_page: int
    feed_size: int
    missing_translation: str = "omit"  # or "link": list stories not yet translated
    image_widths: tuple[int, ...] = (480, 800, 1200, 1600)  # of each photo's derivatives
    default_image: str | None = None  # the social image of an article without one of its own
    logo: str | None = None  # the publisher's logo in the JSON-LD
    glossary: Glossary = field(default_factory=Glossary)
    authors: Roster = field(default_factory=Roster)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(lang.code for lang in self.languages)

    def language(self, code: str) -> LanguageConfig:
        for language in self.languages:
            if language.code == code:
                return language
        raise KeyError(code)

    def section_title(self, lang: str, section: str) -> str:
        return self.language(lang).sections.get(section) or section.replace("-", " ").title()

    @property
    def content_dir(self) -> Path:
        return self.site_dir / "content"


Checker = Callable[[Any], bool]
_STRING: tuple[Checker, str] = (lambda v: isinstance(v, str), "a string")
_POSITIVE_INT: tuple[Checker, str] = (
    lambda v: isinstance(v, int) and not isinstance(v, bool) and v > 0,
    "a positive integer",
)
_STRING_LIST: tuple[Checker, str] = (
    lambda v: isinstance(v, list) and bool(v) and all(isinstance(x, str) for x in v),
    "a non-empty list of strings",
)
_STRING_TABLE: tuple[Checker, str] = (
    lambda v: isinstance(v, dict) and all(isinstance(x, str) for x in v.values()),
    "a table of strings",
)

SITE_KEYS: dict[str, tuple[Checker, str]] = {
    "base_url": _STRING,
    "default_language": _STRING,
    "languages": _STRING_LIST,
    "timezone": _STRING,
    "theme": _STRING,
    "per_page": _POSITIVE_INT,
    "feed_size": _POSITIVE_INT,
    "missing_translation": (lambda v: v in ("omit", "link"), '"omit" or "link"'),
    "image_widths": (lambda v: isinstance(v, list) and bool(v) and all(
        isinstance(x, int) and not isinstance(x, bool) and 16 <= x <= 8192 for x in v),
        "a non-empty list of widths in pixels, from 16 to 8192"),
    "default_image": _STRING,
    "logo": _STRING,
}
LANGUAGE_KEYS: dict[str, tuple[Checker, str]] = {
    "title": _STRING,
    "description": _STRING,
    "locale": _STRING,
    "name": _STRING,
    "sections": _STRING_TABLE,
    "newsletter": (lambda v: isinstance(v, dict), "a table with the form's action"),
}
NEWSLETTER_KEYS: dict[str, tuple[Checker, str]] = {
    "action": _STRING,
    "field": _STRING,
    "method": (lambda v: v in ("post", "get"), '"post" or "get"'),
    "hidden": _STRING_TABLE,
}
_LANGUAGE_TEXTS: tuple[Checker, str] = (
    lambda v: isinstance(v, dict) and all(isinstance(x, str) for x in v.values()),
    'a table of its text in each language, e.g. { en = "…", es = "…" }',
)
_NAME_RULE = ('a name, or a table of its spelling in each language, e.g. '
              '{ en = "Staff", es = "Redacción" }')
AUTHOR_KEYS: dict[str, tuple[Checker, str]] = {
    "name": (lambda v: isinstance(v, str) or _LANGUAGE_TEXTS[0](v),
             _NAME_RULE),
    "bio": _LANGUAGE_TEXTS,
    "photo": _STRING,
    "url": _STRING,
    "social": (lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
               "a list of the web addresses of their profiles"),
    "organization": (lambda v: isinstance(v, bool), "true or false"),
}
SITE_DEFAULTS: dict[str, Any] = {
    "base_url": "http://localhost:8000/",
    "default_language": "en",
    "languages": ["en", "es"],
    "timezone": "UTC",
    "theme": "default",
    "per_page": 10,
    "feed_size": 20,
    "missing_translation": "omit",
    "image_widths": [480, 800, 1200, 1600],
    "default_image": None,
    "logo": None,
}


def load(site_dir: Path) -> SiteConfig:
    """Read and validate the site's configuration; raise BuildFailed naming every bad key."""
    site_dir = site_dir.resolve()
    path, prefix = _find_config_file(site_dir)
    if path is None:
        raise BuildFailed([error("sitegen.toml", None, f"no sitegen.toml here ({site_dir}), and no "
                                 "[tool.sitegen] table in a pyproject.toml: start a site with "
                                 "`sitegen init DIR`, or pass -s SITE")])
    rel = path.name
    text = text_of(path.read_bytes(), rel, "utf-8-sig")
    try:
        raw: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise BuildFailed([error(rel, int(line.group(1)) if line else None, f"invalid TOML: {exc}")])
    for key in prefix:
        raw = raw.get(key, {})
    where = _KeyLocator(rel, text, prefix)
    diagnostics: list[Diagnostic] = []
    config = _validate(site_dir, rel, raw, where, diagnostics)
    if diagnostics or config is None:
        raise BuildFailed(diagnostics)
    return config


def _find_config_file(site_dir: Path) -> tuple[Path | None, tuple[str, ...]]:
    own = site_dir / "sitegen.toml"
    if own.is_file():
        return own, ()
    pyproject = site_dir / "pyproject.toml"
    if pyproject.is_file():
        try:
            has_table = "sitegen" in tomllib.loads(pyproject.read_text("utf-8-sig")).get("tool", {})
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            has_table = True  # report the error against the file that holds it
        if has_table:
            return pyproject, ("tool", "sitegen")
    return None, ()


def _validate(
    site_dir: Path, rel: str, raw: dict[str, Any], where: _KeyLocator, out: list[Diagnostic]
) -> SiteConfig | None:
    """Every problem of the configuration, each at its key: a value of the wrong type is
    reported and its default used, so the checks after it still run."""
    _check_table(raw, {"site": None, "languages": None, "terms": None, "authors": None}, (),
                 where, out)
    site = raw.get("site", {})
    languages_table = raw.get("languages", {})
    for name, table in (("site", site), ("languages", languages_table)):
        if not isinstance(table, dict):
            out.append(where.error((), name, f"[{name}] must be a table"))
    site = site if isinstance(site, dict) else {}
    languages_table = languages_table if isinstance(languages_table, dict) else {}
    wrong = _check_table(site, SITE_KEYS, ("site",), where, out)
    values = {k: site[k] if k in site and k not in wrong else default
              for k, default in SITE_DEFAULTS.items()}

    codes: list[str] = values["languages"]
    for code in codes:
        if not _is_locale(code):
            out.append(where.error(("site",), "languages", f"unknown language code {code!r}"))
    if len(set(codes)) != len(codes):
        out.append(where.error(("site",), "languages", "a language is listed twice"))
    if values["default_language"] not in codes:
        out.append(where.error(("site",), "default_language",
                               f"default_language {values['default_language']!r} is not one of "
                               f"the configured languages {codes}"))
    try:
        ZoneInfo(values["timezone"])
    except (ZoneInfoNotFoundError, ValueError):
        out.append(where.error(("site",), "timezone", f"unknown timezone {values['timezone']!r}"))
    for key in ("default_image", "logo"):
        if values[key] is not None and (wrong_image := _image_problem(values[key])):
            out.append(where.error(("site",), key, f"{key} {values[key]!r} {wrong_image}"))
    wrong_url = base_url_problem(values["base_url"])
    if wrong_url:
        out.append(where.error(("site",), "base_url", f"base_url {wrong_url}"))
    for code in languages_table:
        if code not in codes:
            out.append(where.error(("languages",), code,
                                   f"language {code!r} in [languages.{code}] is not configured in "
                                   f"site.languages {codes}"))
    languages = [_language(code, languages_table.get(code, {}), where, out) for code in codes]
    glossary = _glossary(raw.get("terms", {}), values["default_language"], codes, where, out)
    authors = _roster(raw.get("authors", {}), values["default_language"], codes, where, out)
    if out:
        return None
    return SiteConfig(
        site_dir=site_dir,
        config_file=rel,
        base_url=values["base_url"].rstrip("/") + "/",
        default_language=values["default_language"],
        languages=tuple(language for language in languages if language is not None),
        timezone=values["timezone"],
        theme=values["theme"],
        per_page=values["per_page"],
        feed_size=values["feed_size"],
        missing_translation=values["missing_translation"],
        image_widths=tuple(sorted(set(values["image_widths"]))),
        default_image=values["default_image"],
        logo=values["logo"],
        glossary=glossary,
        authors=authors,
    )


def _image_problem(value: str) -> str | None:
    """Why an image of the configuration cannot be published, or None: like an article's
    `image`, a web address or a path on the site."""
    from .content import link_problem  # content reads the configuration it is given

    if not value.strip():
        return "must not be empty"
    wrong = link_problem(value)
    return f"cannot be published: {wrong}" if wrong else None


def _glossary(table: Any, default: str, codes: list[str], where: _KeyLocator,
              out: list[Diagnostic]) -> Glossary:
    """`[terms]`: `"human rights" = { es = "derechos humanos" }`, keyed in the default language.
    Two terms spelled alike in one language would make a tag mean both: an error."""
    if not isinstance(table, dict):
        out.append(where.error((), "terms", "[terms] must be a table"))
        return Glossary()
    terms: list[tuple[tuple[str, str], ...]] = []
    seen: dict[tuple[str, str], str] = {}
    for key, spellings in table.items():
        if not isinstance(spellings, dict) or not all(
                isinstance(v, str) and v.strip() for v in spellings.values()):
            out.append(where.error(("terms",), key, f"terms.{key} must be a table of its "
                                   f'spelling in each language, e.g. {{ es = "…" }}'))
            continue
        term = [(default, key.strip())]
        for lang, spelling in spellings.items():
            if lang == default or lang not in codes:
                why = ("the key is already its spelling in the default language "
                       f"{default!r}" if lang == default
                       else f"language {lang!r} is not configured in site.languages {codes}")
                out.append(where.error(("terms",), key, f"terms.{key}: {why}"))
                continue
            term.append((lang, spelling.strip()))
        for lang, spelling in term:
            other = seen.setdefault((lang, urls.term_slug(spelling)), key)
            if other != key:
                out.append(where.error(("terms",), key, f"terms.{key}: its {lang!r} spelling "
                                       f"{spelling!r} is also the spelling of term {other!r}: "
                                       "a tag cannot be two terms"))
        terms.append(tuple(term))
    return Glossary(tuple(terms))


def _roster(table: Any, default: str, codes: list[str], where: _KeyLocator,
            out: list[Diagnostic]) -> Roster:
    """`[authors.KEY]`: each author's name, bio, photo and profiles. A byline is matched by
    any of an author's names, so a name two authors share would make it both: an error."""
    if not isinstance(table, dict):
        out.append(where.error((), "authors", "[authors] must be a table"))
        return Roster()
    authors: list[Author] = []
    claimed: dict[str, tuple[str, str]] = {}  # slug -> (author, spelling)
    for key, entry in table.items():
        author = _author(key, entry, default, codes, where, out)
        if author is None:
            continue
        for spelling in author.spellings():
            other, written = claimed.setdefault(urls.term_slug(spelling), (key, spelling))
            if other != key:
                out.append(where.error(("authors",), key, f"authors.{key}: {spelling!r} is "
                                       f"also how authors.{other} is named ({written!r}): a "
                                       "byline cannot be two authors"))
        authors.append(author)
    return Roster(tuple(authors))


def _author(key: str, entry: Any, default: str, codes: list[str], where: _KeyLocator,
            out: list[Diagnostic]) -> Author | None:
    """One `[authors.KEY]` table, or None when it has a problem (reported in `out`)."""
    if not isinstance(entry, dict):
        out.append(where.error(("authors",), key, f"authors.{key} must be a table, e.g. "
                               f'[authors.{key}] with name = "…"'))
        return None
    problems, path = len(out), ("authors", key)
    wrong = _check_table(entry, AUTHOR_KEYS, path, where, out)
    if not key.strip():
        out.append(where.error(("authors",), key, "an author's key must not be empty"))
    if "name" not in entry:
        out.append(where.error(("authors",), key, f"authors.{key} needs a name, e.g. "
                               'name = "Ana Pérez"'))
    names = _per_language(entry["name"], "name", default, codes, path, where, out) \
        if "name" in entry and "name" not in wrong else {}
    bios = _per_language(entry["bio"], "bio", default, codes, path, where, out) \
        if "bio" in entry and "bio" not in wrong else {}
    photo = entry.get("photo") if "photo" not in wrong else None
    if photo is not None and (wrong_photo := _image_problem(photo)):
        out.append(where.error(path, "photo", f"authors.{key}.photo {photo!r} {wrong_photo}"))
    addresses = [entry["url"]] if "url" in entry and "url" not in wrong else []
    social = entry.get("social", []) if "social" not in wrong else []
    for name, address in [("url", a) for a in addresses] + [("social", a) for a in social]:
        if wrong_address := profile_problem(address):
            out.append(where.error(path, name, f"authors.{key}.{name} {address!r} "
                                   f"{wrong_address}"))
    if len(out) > problems:
        return None
    first = names.get(default) or next(iter(names.values()))
    return Author(key.strip(), tuple((code, names.get(code, first)) for code in codes),
                  tuple((code, bios[code]) for code in codes if code in bios),
                  photo.strip() if photo else None,
                  addresses[0].strip() if addresses else None,
                  tuple(dict.fromkeys(address.strip() for address in social)),
                  entry.get("organization", False) is True)


def _per_language(value: str | dict[str, str], name: str, default: str, codes: list[str],
                  path: tuple[str, ...], where: _KeyLocator, out: list[Diagnostic]
                  ) -> dict[str, str]:
    """A text given once for every language, or as a table by language (`{ en = "…" }`):
    language -> text, every one of them non-empty and of a configured language."""
    dotted = ".".join((*path, name))
    texts = {code: value for code in codes} if isinstance(value, str) else value
    if not texts:
        out.append(where.error(path, name, f"{dotted} must give the text of at least one "
                               f"language, e.g. {{ {default} = \"…\" }}"))
    for code, text in texts.items():
        if code not in codes:
            out.append(where.error(path, name, f"{dotted}: language {code!r} is not "
                                   f"configured in site.languages {codes}"))
        elif not text.strip():
            out.append(where.error(path, name, f"{dotted} must not be empty"
                                   + (f" (in {code!r})" if isinstance(value, dict) else "")))
    return {code: " ".join(text.split()) for code, text in texts.items() if code in codes}


def profile_problem(url: str) -> str | None:
    """Why an author's own site or profile cannot be linked, or None: a web address only,
    since it is also who they are to search engines (the JSON-LD's `sameAs`)."""
    from .content import link_problem  # content reads the configuration it is given

    shown = "must be a web address such as https://mastodon.social/@name"
    if wrong := link_problem(url):
        return f"cannot be published: {wrong}"
    if _NOT_IN_URLS.search(url.strip()):
        return f"{shown}: it contains a space or a character URLs cannot hold"
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return shown
    return None


def _language(code: str, table: Any, where: _KeyLocator,
              out: list[Diagnostic]) -> LanguageConfig | None:
    """One [languages.CODE] table, or None when it has a problem (reported in `out`)."""
    if not isinstance(table, dict):
        out.append(where.error(("languages",), code, f"[languages.{code}] must be a table"))
        return None
    problems = len(out)
    wrong = _check_table(table, LANGUAGE_KEYS, ("languages", code), where, out)
    locale = table.get("locale", code) if "locale" not in wrong else code
    if not _is_locale(locale):
        out.append(where.error(("languages", code), "locale", f"unknown locale {locale!r}"))
    sections = table.get("sections", {}) if "sections" not in wrong else {}
    folders: dict[str, str] = {}
    for name, label in sections.items():
        wrong_name = _section_problem(name)
        if wrong_name:
            out.append(where.error(("languages", code), "sections",
                                   f"section {name!r} in [languages.{code}] {wrong_name}"))
            continue
        folder = (urls.slugify(label) if label else "") or name
        other = folders.setdefault(folder, name)
        if other != name:
            out.append(where.error(("languages", code), "sections",
                                   f"sections {other!r} and {name!r} in [languages.{code}] "
                                   f"would share the folder /{code}/{folder}/ (made from their "
                                   "labels): give one another label"))
        elif folder != name and urls.is_reserved(folder):
            out.append(where.error(("languages", code), "sections",
                                   f"section {name!r} in [languages.{code}]: its label "
                                   f"{label!r} makes the folder /{code}/{folder}/, a name the "
                                   "site uses for its own pages and files: choose another "
                                   "label"))
    newsletter = _newsletter(code, table["newsletter"], where, out) \
        if "newsletter" in table and "newsletter" not in wrong else None
    if len(out) > problems:
        return None
    return LanguageConfig(
        code=code,
        title=table.get("title", "sitegen"),
        description=table.get("description", ""),
        locale=locale,
        given_name=table.get("name") or "",
        sections=dict(sections),
        newsletter=newsletter,
    )


def _newsletter(code: str, table: dict[str, Any], where: _KeyLocator,
                out: list[Diagnostic]) -> Newsletter | None:
    """`[languages.CODE.newsletter]`, or None when it has a problem (reported in `out`)."""
    path, shown = ("languages", code, "newsletter"), f"languages.{code}.newsletter"
    problems = len(out)
    wrong = _check_table(table, NEWSLETTER_KEYS, path, where, out)
    if "action" not in table:
        out.append(where.error(("languages", code), "newsletter",
                               f"[{shown}] needs `action`, the address its form is sent to"))
    elif "action" not in wrong and (wrong_action := action_problem(table["action"])):
        out.append(where.error(path, "action", f"{shown}.action {wrong_action}"))
    name = table.get("field", "email") if "field" not in wrong else "email"
    if "field" not in wrong and (wrong_name := _field_problem(name)):
        out.append(where.error(path, "field", f"{shown}.field {wrong_name}"))
    hidden = table.get("hidden", {}) if "hidden" not in wrong else {}
    for key in hidden:
        if wrong_name := _field_problem(key) or (
                "is the e-mail input's name: the form would send it twice" if key == name
                else None):
            out.append(where.error(path, "hidden", f"{shown}.hidden: {key!r} {wrong_name}"))
    if len(out) > problems:
        return None
    return Newsletter(table["action"], name, table.get("method", "post"),
                      tuple(sorted(hidden.items())))


def action_problem(url: str) -> str | None:
    """Why `url` cannot be where a form is sent, or None: a provider's web address (a form sent
    to `javascript:` runs a script, and one to this site's own paths reaches no provider)."""
    shown = ("must be the full web address of the provider's form, such as "
             f"https://buttondown.com/api/emails/embed-subscribe/NAME, not {url!r}")
    if _NOT_IN_URLS.search(url):
        return f"{shown}: it contains a space, a line break or a character URLs cannot hold"
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return shown
    return None


def _field_problem(name: str) -> str | None:
    """Why `name` cannot name an input of a form, or None."""
    if not name or _NOT_IN_URLS.search(name):
        return "must be a name such as email or EMAIL, without spaces or quotes"
    return None


def _section_problem(name: str) -> str | None:
    """Why a section's name cannot be the folder of its pages, or None."""
    if not urls.is_segment(name):
        return "must be a single name like 'americas' (letters, digits, '-', '_', '.')"
    if len(name) > urls.MAX_SLUG:
        return f"is longer than {urls.MAX_SLUG} characters"
    if urls.is_reserved(name):
        return (f"is a name the site uses for its own pages and files "
                f"({', '.join(urls.RESERVED_NAMES)}): choose another")
    return None


def key_line(config: SiteConfig, table: tuple[str, ...], key: str) -> int | None:
    """The line `key` of `table` is set on in the site's configuration, for findings made after
    it was loaded; None where it is not set or the file cannot be read again."""
    prefix = ("tool", "sitegen") if config.config_file == "pyproject.toml" else ()
    try:
        text = (config.site_dir / config.config_file).read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    locator = _KeyLocator(config.config_file, text, prefix)
    return locator.line_of((*prefix, *table), key)


def with_base_url(config: SiteConfig, base_url: str) -> SiteConfig:
    """The configuration with `--base-url` applied, e.g. for a deploy preview's address."""
    wrong = base_url_problem(base_url)
    if wrong:
        raise BuildFailed([error("--base-url", None, wrong)])
    return dataclasses.replace(config, base_url=base_url.rstrip("/") + "/")


_NOT_IN_URLS = re.compile(r'[\x00-\x20\x7f-\x9f"<>\\^`{|}]')


def base_url_problem(url: str) -> str | None:
    """Why `url` cannot be the site's address, or None. It is written as it is into robots.txt,
    sitemaps, feeds and links: a line break or a space there would break them."""
    shown = f"must be an absolute http(s) URL such as https://www.example.com/, not {url!r}"
    if _NOT_IN_URLS.search(url):
        return f"{shown}: it contains a space, a line break or a character URLs cannot hold"
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 - raises for a port that is not a number
    except ValueError:
        return f"{shown}: its port is not a number"
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return shown
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        return f"{shown}: pages are added to it, so it cannot have a '?' or '#' part"
    return None


def _check_table(
    table: dict[str, Any],
    known: Mapping[str, tuple[Checker, str] | None],
    path: tuple[str, ...],
    where: _KeyLocator,
    out: list[Diagnostic],
) -> set[str]:
    """Report unknown keys and values of the wrong type; return the keys of those values."""
    wrong = set()
    shown = ".".join(path)
    for key, value in table.items():
        if key not in known:
            hint = difflib.get_close_matches(key, known, n=1)
            suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
            place = f" in [{shown}]" if shown else ""
            out.append(where.error(path, key, f"unknown key {key!r}{place}{suggestion}"))
            continue
        rule = known[key]
        if rule is not None and not rule[0](value):
            dotted = f"{shown}.{key}" if shown else key
            out.append(where.error(path, key, f"{dotted} must be {rule[1]}, not {value!r}"))
            wrong.add(key)
    return wrong


def _is_locale(identifier: str) -> bool:
    if localedata.exists(identifier.replace("-", "_")):  # a look for its file, not a load
        return True
    try:
        babel_locale(identifier)
        return True
    except (UnknownLocaleError, ValueError):
        return False


def babel_locale(identifier: str) -> Locale:
    return Locale.parse(identifier.replace("-", "_"))


@functools.cache
def _own_name(locale: str) -> str:
    name = babel_locale(locale).get_language_name() or locale
    return name[:1].upper() + name[1:]


class _KeyLocator:
    """Finds the line a key is set on, since tomllib reports values but not positions."""

    _HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")

    def __init__(self, rel: str, text: str, prefix: tuple[str, ...]) -> None:
        self.rel = rel
        self.prefix = prefix
        self.lines = text.splitlines()

    def error(self, table: tuple[str, ...], key: str, message: str) -> Diagnostic:
        return error(self.rel, self.line_of((*self.prefix, *table), key), message)

    def line_of(self, table: tuple[str, ...], key: str) -> int | None:
        current: tuple[str, ...] = ()
        header_line = None
        assignment = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
        for number, line in enumerate(self.lines, start=1):
            header = self._HEADER.match(line)
            if header:
                current = tuple(p.strip().strip("\"'") for p in header.group(1).split("."))
                if current == (*table, key):
                    return number
                if current == table:
                    header_line = number
            elif current == table and assignment.match(line):
                return number
        if header_line is None and table[len(self.prefix):]:
            return self.line_of(table[:-1], table[-1])  # an inline table: its own line
        return header_line

"""Turn one source file into an Article: validated front matter, dates in the site zone, HTML body.

Every field is checked and every problem in a file is reported together, each at the line of its
key, so an editor fixes a file in one pass.
"""

from __future__ import annotations

import difflib
import functools
import gettext
import hashlib
import html
import importlib.util
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from . import __version__, frontmatter, staleness, urls
from .config import SiteConfig
from .errors import BuildFailed, Diagnostic, error, text_of
from .typography import ENGLISH_QUOTES, Style, percent_space, typeset

# What describes the story rather than its language: a version that leaves one out takes it
# from the story's first version that has it (`inherit.py`).
INHERITABLE = frozenset(("date", "authors", "section", "sources", "image", "tags"))
# The date of a version whose file gives none, until it takes its original's.
UNDATED = datetime(1, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Source:
    """A wire service or outlet the story is based on."""

    name: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Article:
    """One language version of a story, as its file says it."""

    digest: str  # article_key() of its file: equal digests mean equal articles
    source: str  # the file, relative to the site folder
    lang: str
    title: str
    slug: str
    date: datetime  # aware, in the site timezone
    updated: datetime | None
    authors: tuple[str, ...]
    section: str
    tags: tuple[str, ...]
    summary: str  # plain text
    sources: tuple[Source, ...]
    image: str | None
    image_alt: str
    aliases: tuple[str, ...]  # earlier URL paths of this version, relative to the site
    draft: bool
    translation_key: str | None
    translated_from: str | None
    body_html: str
    fingerprint: str  # staleness.fingerprint() of its title and body, for `translated_from`
    pair_name: str  # folder + name without language and suffix: pairs `x.en.md` with `x.es.md`
    path: str  # its page's URL path, relative to the site: `en/americas/story/`
    timestamp: float  # `date` as seconds since the epoch, for ordering and publication
    lines: dict[str, int] = field(default_factory=dict)  # front matter key -> line
    extra: dict[str, Any] = field(default_factory=dict)
    given: frozenset[str] = INHERITABLE  # the fields of INHERITABLE its own file gives
    image_caption: str = ""
    image_credit: str = ""  # who made the lead image: goes with it to the versions that take it
    image_focus: tuple[float, float] | None = None  # (x, y) fractions every crop keeps in frame
    figures: tuple[tuple[str, int], ...] = ()  # (reference, line) of each image of the body
    dateline: str = ""  # where the story was reported, as the first paragraph opens with it
    timed: frozenset[str] = frozenset()  # the moments (`date`, `updated`) given with a time
    is_page: bool = False  # a page of the publication (content/pages/): no date, not news
    weight: int = 0  # a page's place in the footer's list (lower first), before its title

    @property
    def dated(self) -> bool:
        """Whether its file gives its date; a translation may take its original's."""
        return "date" in self.given

    @property
    def modified(self) -> datetime:
        return self.updated or self.date

    def line(self, key: str) -> int:
        return self.lines.get(key, 1)

    @property
    def url_line(self) -> int:
        """The line that makes its URL: its slug's, or else its title's."""
        return self.line("slug" if "slug" in self.lines else "title")


KNOWN_KEYS = (
    "title", "date", "lang", "translation_key", "slug", "authors", "author", "section", "tags",
    "summary", "sources", "image", "image_alt", "updated", "draft", "translated_from", "extra",
    "aliases", "image_caption", "image_credit", "image_focus", "dateline",
)
MAX_DATELINE = 60  # a place name, as `SANTO DOMINGO` or `CIUDAD DE PANAMÁ`, not a sentence
# A page of the publication (About, Corrections: `content/pages/`) is no news: it has no date,
# byline, section, tags, sources or lead image, and is listed in the footer by `weight`.
PAGES_FOLDER = "content/pages/"
PAGE_KEYS = ("title", "lang", "translation_key", "slug", "summary", "updated", "draft",
             "translated_from", "extra", "aliases", "weight")
_LANGUAGE_SUFFIX = re.compile(r"[a-z]{2,3}(?:[-_][A-Za-z]{2,4})?")  # full matches only
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_TAG = re.compile(r"<[^<>]+>")


Parsed = Article | tuple[Diagnostic, ...]  # a file's article, or its problems


@dataclass(frozen=True, slots=True)
class ParseSettings:
    """Everything besides the file itself that an Article depends on: part of its cache key."""

    languages: tuple[str, ...]
    default_language: str
    timezone: str
    backlink_titles: tuple[tuple[str, str], ...]  # (lang, the footnote back-link title)
    markdown_version: str
    sections: tuple[str, ...] = ()  # every section some language declares
    segments: tuple[tuple[str, str, str], ...] = ()  # (lang, section, its URL segment there)
    styles: tuple[tuple[str, Style], ...] = ()  # (lang, its typography)

    @classmethod
    def of(cls, config: SiteConfig, backlink_titles: dict[str, str],
           quotes: dict[str, tuple[str, str, str, str]] | None = None,
           percent: Callable[[str], str] = percent_space) -> ParseSettings:
        """`quotes`: each language's quotation marks, from its catalog (English's where not
        given); the space before `%` comes from the language's locale (`percent`: what stands
        for it, such as the locale's own name in a key that covers Babel's release)."""
        sections = declared_sections(config)
        return cls(config.codes, config.default_language, config.timezone,
                   tuple((lang, backlink_titles[lang]) for lang in config.codes),
                   _markdown_version(), sections,
                   tuple((language.code, name, language.section_segment(name))
                         for language in config.languages for name in sections),
                   tuple((language.code,
                          Style((quotes or {}).get(language.code, ENGLISH_QUOTES),
                                percent(language.locale)))
                         for language in config.languages))

    def section_segment(self, lang: str, section: str) -> str:
        return next((segment for code, name, segment in self.segments
                     if code == lang and name == section), section)

    def style(self, lang: str) -> Style:
        """How the language sets quotations and percentages (English's where not known)."""
        return next((style for code, style in self.styles if code == lang), Style())


def declared_sections(config: SiteConfig) -> tuple[str, ...]:
    return tuple(dict.fromkeys(name for language in config.languages
                               for name in language.sections))


def _markdown_version() -> str:
    """Markdown's release, read without importing it: a new release may render bodies anew."""
    spec = importlib.util.find_spec("markdown")
    meta = Path(spec.origin).with_name("__meta__.py") if spec and spec.origin else None
    if meta is None or not meta.is_file():  # pragma: no cover - an unusual installation
        import markdown

        return str(getattr(markdown, "__version__", "unknown"))
    return hashlib.blake2b(meta.read_bytes(), digest_size=8).hexdigest()


def backlink_title(translations: gettext.NullTranslations) -> str:
    """The footnote back-link's title, a UI string the Markdown converter adds to bodies."""
    return translations.gettext("Jump back to footnote {} in the text")


def article_key(rel: str, data: bytes, settings: ParseSettings) -> str:
    """The hash of everything an Article is made from; equal keys give equal Articles."""
    digest = hashlib.blake2b(f"{__version__}\0{settings!r}\0{rel}\0".encode(), digest_size=20)
    digest.update(data)
    return digest.hexdigest()


@functools.lru_cache(maxsize=16)
def _markdown(backlink_title: str, style: Style) -> Any:
    """One converter per language and process, reset before each document."""
    import markdown  # only builds that parse an article pay for importing Markdown
    from markdown.treeprocessors import Treeprocessor

    from . import typography
    from .inline import SkippingInline

    class Tidy(Treeprocessor):
        def run(self, root: Any) -> None:
            align_classes(root)
            self.md.figures = figures(root, style)  # type: ignore[attr-defined]

    converter = markdown.Markdown(
        extensions=["extra", "sane_lists", *typography.extensions(style)],
        extension_configs={"extra": {"footnotes": {"BACKLINK_TITLE": backlink_title}}},
        output_format="html",
    )
    converter.treeprocessors.register(Tidy(converter), "tidy", 1)
    converter.treeprocessors.register(SkippingInline(converter), "inline", 20)
    return converter


_ALIGN = re.compile(r"\s*text-align:\s*(left|right|center)\s*;?\s*")


def align_classes(root: Any) -> None:
    """Table cells align by a class (`align-right`), not by the inline style Markdown writes,
    which the site's Content-Security-Policy (`style-src 'self'`) blocks."""
    for cell in root.iter():
        if cell.tag not in ("td", "th"):
            continue
        side = _ALIGN.fullmatch(cell.get("style", ""))
        if side is not None:
            del cell.attrib["style"]
            cell.set("class", " ".join(filter(None, (cell.get("class"), f"align-{side[1]}"))))


def figures(root: Any, style: Style | None = None) -> list[str]:
    """The body's images, in order. An image alone in its paragraph with a title
    (`![alt](photo.jpg "Caption")`) becomes a figure whose caption is the title, as a
    newspaper prints a photo with its caption (set in the body's `style`)."""
    found = []
    for element in root.iter():
        if element.tag == "img" and element.get("src"):
            found.append(element.get("src"))
        if element.tag != "p" or len(element) != 1 or (element.text or "").strip():
            continue
        image = element[0]
        if image.tag != "img" or not image.get("title") or (image.tail or "").strip():
            continue
        element.tag, element.attrib = "figure", {"class": "story__figure"}
        caption = image.attrib.pop("title")
        caption = typeset(caption, style) if style is not None else caption
        image.tail = None
        figcaption = element.makeelement("figcaption", {})
        figcaption.text = caption
        element.append(figcaption)
    return found


def markdown_to_html(text: str, backlink_title: str,
                     style: Style | None = None) -> tuple[str, list[str]]:
    """The body's HTML, set in the language's `style`, and the images it shows."""
    converter = _markdown(backlink_title, style or Style())
    try:
        html: str = converter.reset().convert(text)
    except BaseException:
        # A conversion that stopped half way (a body nested past Python's recursion limit)
        # leaves the converter's state behind: the next document gets a fresh one.
        _markdown.cache_clear()
        raise
    return html, getattr(converter, "figures", [])


def parse(rel: str, data: bytes, settings: ParseSettings) -> Article:
    """Parse one file (`rel` is its path relative to the site folder) into an Article."""
    path = rel
    text = text_of(data, path)
    matter = frontmatter.split(text, path)
    fields, lines = matter.fields, matter.lines
    problems: list[Diagnostic] = []

    def problem(key: str | None, message: str) -> None:
        line = (matter.item_lines.get(key) or lines.get(key.partition("[")[0], 1)) if key else 1
        problems.append(error(path, line, message))

    page = is_page(path)
    known = PAGE_KEYS if page else KNOWN_KEYS
    for unknown in (k for k in fields if k not in known):
        problem(unknown, _unknown_key(unknown, page))
    if page:  # a story's key on a page is reported once, above, and read no further
        fields = {key: value for key, value in fields.items() if key in known}

    stem, suffix_lang = _split_name(PurePosixPath(path).name)
    title = _text(fields, "title", problem, required=True)
    lang = _language(fields.get("lang"), suffix_lang, settings, problem)
    tz = ZoneInfo(settings.timezone)
    when = _moment(fields, "date", tz, problem)
    updated = _moment(fields, "updated", tz, problem)
    authors = _authors(fields, problem)
    tags = _string_list(fields, "tags", problem)
    sources = _sources(fields.get("sources"), problem)
    folder = PurePosixPath(path).parent
    section = "" if page else _section(fields, folder, settings.sections, problem)
    slug = _slug(fields, title, stem, problem)
    weight = _weight(fields.get("weight"), problem) if page else 0
    aliases, alias_lines = _aliases(fields.get("aliases"), problem, matter.item_lines)
    draft = fields.get("draft", False)
    if not isinstance(draft, bool):
        problem("draft", "draft must be true or false")
    extra = fields.get("extra", {})
    if not isinstance(extra, dict):
        problem("extra", "extra must be a mapping of your theme's own fields")
    key = fields.get("translation_key")
    if isinstance(key, bool) or not isinstance(key, (str, int, type(None))):
        problem("translation_key", "translation_key must be a string")
    image = _text(fields, "image", problem)
    if image and (wrong := link_problem(image)):
        problem("image", f"image {image!r} cannot be published: {wrong}")
    image_alt = _text(fields, "image_alt", problem)
    image_caption = _text(fields, "image_caption", problem)
    image_credit = _text(fields, "image_credit", problem)
    image_focus = _focus(fields.get("image_focus"), problem)
    summary = _text(fields, "summary", problem)
    dateline = _dateline(fields, problem)
    translated_from = _text(fields, "translated_from", problem)
    if problems:
        raise BuildFailed(problems)

    assert lang is not None
    when = when or UNDATED
    given = {"date": fields.get("date") is not None, "section": bool(section),
             "authors": bool(authors), "sources": bool(sources), "image": bool(image),
             "tags": bool(tags)}
    if page:  # a page takes nothing from its other versions: it has none of these
        given = dict.fromkeys(INHERITABLE, True)
    style = settings.style(lang)
    try:
        body_html, references = markdown_to_html(matter.body, dict(settings.backlink_titles)[lang],
                                                 style)
    except RecursionError:
        raise BuildFailed([error(path, matter.body_line, "the body is nested too deeply to read "
                                 "(lists or quotes inside one another hundreds of levels "
                                 "deep): flatten it")]) from None
    return Article(
        digest=article_key(rel, data, settings),
        source=path,
        lang=lang,
        title=typeset(title, style),  # its slug is made from the title as written
        slug=slug,
        date=when,
        updated=updated,
        authors=authors,
        section=section,
        tags=tags,
        summary=typeset(summary, style) or first_paragraph(body_html),
        sources=sources,
        image=image or None,
        image_alt=image_alt,
        aliases=aliases,
        draft=draft,
        translation_key=str(key) if key is not None else None,
        translated_from=translated_from or None,
        body_html=body_html,
        fingerprint=staleness.fingerprint(title, matter.body),
        pair_name=str(folder / stem),
        path=urls.article(lang, settings.section_segment(lang, section) if section else "",
                          slug),
        timestamp=when.timestamp(),
        lines={**lines, **alias_lines} if alias_lines else lines,
        extra=extra,
        given=frozenset(name for name, gives in given.items() if gives),
        image_caption=typeset(image_caption, style),
        image_credit=image_credit,
        image_focus=image_focus,
        figures=_with_lines(references, matter.body, matter.body_line),
        dateline=dateline,
        timed=frozenset(key for key in ("date", "updated") if _has_time(fields.get(key))),
        is_page=page,
        weight=weight,
    )


Problem = Callable[[str | None, str], None]


def is_page(rel: str) -> bool:
    """Whether the file (relative to the site) is a page of the publication, not a story."""
    return rel.startswith(PAGES_FOLDER)


def _unknown_key(key: str, page: bool) -> str:
    known = PAGE_KEYS if page else KNOWN_KEYS
    hint = difflib.get_close_matches(key, known, n=1, cutoff=0.7)
    if page and key in KNOWN_KEYS:
        why = ("a page has no date: give the time of its last revision as updated:"
               if key == "date" else
               "a page of content/pages/ is no story: it has no date, byline, section, tags, "
               "sources or lead image (a story goes in another folder of content/)")
        return f"{key!r} is not a key of a page: {why}"
    return f"unknown front matter key {key!r}" + (f" (did you mean {hint[0]!r}?)" if hint else "")


def _weight(value: Any, problem: Problem) -> int:
    """`weight:` orders the pages in the footer: lower first, then by title."""
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        problem("weight", f"weight must be a whole number (lower comes first), not {_kind(value)}")
        return 0
    return value


def _split_name(name: str) -> tuple[str, str | None]:
    """`story.es.md` -> ("story", "es"); `story.md` -> ("story", None)."""
    stem = name.rsplit(".", 1)[0]
    base, _, suffix = stem.rpartition(".")
    if base and _LANGUAGE_SUFFIX.fullmatch(suffix):
        return base, suffix.replace("_", "-")
    return stem, None


def _text(fields: dict[str, Any], key: str, problem: Problem, required: bool = False) -> str:
    value = fields.get(key)
    if value is None:
        if required:
            problem(key if key in fields else None, f"missing required {key!r} in front matter")
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        problem(key, f"{key} must be text, not {_kind(value)}")
        return ""
    text = str(value).strip()
    if required and not text:
        problem(key, f"{key} must not be empty")
    return text


def _language(value: Any, from_name: str | None, settings: ParseSettings,
              problem: Problem) -> str | None:
    if value is not None and not isinstance(value, str):
        problem("lang", f"lang must be a language code such as {settings.languages[0]!r}")
        return None
    lang = value or from_name or settings.default_language
    if lang not in settings.languages:
        where = "lang" if value else None
        problem(where, f"language {lang!r} is not configured (site.languages is "
                       f"{list(settings.languages)})")
        return None
    if value and from_name and value != from_name:
        problem("lang", f"lang {value!r} disagrees with the file name, which says {from_name!r}")
        return None
    return lang


def _moment(fields: dict[str, Any], key: str, tz: ZoneInfo, problem: Problem,
            required: bool = False) -> datetime | None:
    value = fields.get(key)
    if value is None:
        if required:
            problem(key if key in fields else None, f"missing required {key!r} in front matter")
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            problem(key, f"{key} {value!r} is not a date: use YYYY-MM-DD or ISO 8601 such as "
                         "2015-01-12T14:30:00-05:00")
            return None
    if not isinstance(value, date):
        problem(key, f"{key} must be a date, not {_kind(value)}")
        return None
    try:
        if not isinstance(value, datetime):
            moment = datetime.combine(value, time(0, 0), tzinfo=tz)
        else:
            moment = value.replace(tzinfo=tz) if value.tzinfo is None else value.astimezone(tz)
        moment.astimezone(UTC)  # feeds and sitemaps need it in UTC too
    except OverflowError:
        problem(key, f"{key} {value.isoformat()} is out of range: in UTC or in the site's "
                     "timezone it falls outside the years 1 to 9999")
        return None
    return moment


def _has_time(value: Any) -> bool:
    """Whether a date of the front matter gives a time of day (`2015-01-12T14:30`), which the
    page then shows, or only a day (`2015-01-12`)."""
    if isinstance(value, str):
        return len(value.strip()) > len("YYYY-MM-DD")
    return isinstance(value, datetime)


def _dateline(fields: dict[str, Any], problem: Problem) -> str:
    """`dateline: HAVANA`: the place the story opens with (`HAVANA — …`), written in the
    version's language, so a translation gives its own (`LA HABANA`)."""
    place = _text(fields, "dateline", problem)
    if "dateline" in fields and fields["dateline"] is not None and not place:
        problem("dateline", "dateline must be a place, e.g. dateline: HAVANA")
    elif _CONTROL.search(place):
        problem("dateline", "dateline must be one line")
    elif len(place) > MAX_DATELINE:
        problem("dateline", f"dateline is {len(place)} characters long: it is a place such as "
                            f"HAVANA, at most {MAX_DATELINE} characters")
    return place


def _focus(value: Any, problem: Problem) -> tuple[float, float] | None:
    """`image_focus: [x, y]`, fractions of the width and height from the top left."""
    if value is None:
        return None
    if (isinstance(value, list) and len(value) == 2
            and all(isinstance(n, (int, float)) and not isinstance(n, bool) and 0 <= n <= 1
                    for n in value)):
        return float(value[0]), float(value[1])
    problem("image_focus", "image_focus must be [x, y], fractions of the image's width and "
                           "height from its top left corner, e.g. [0.5, 0.3]")
    return None


def _with_lines(references: list[str], body: str, body_line: int) -> tuple[tuple[str, int], ...]:
    """Each body image with the line that shows it: the first line naming it."""
    lines = body.split("\n")
    found = []
    for reference in dict.fromkeys(references):
        at = next((n for n, line in enumerate(lines) if reference in line), 0)
        found.append((reference, body_line + at))
    return tuple(found)


def _string_list(fields: dict[str, Any], key: str, problem: Problem) -> tuple[str, ...]:
    value = fields.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(
        isinstance(x, (str, int, float)) and not isinstance(x, bool) for x in value
    ):
        problem(key, f"{key} must be a list of names, e.g. {key}: [cuba, human rights]")
        return ()
    items = [str(x).strip() for x in value]
    if not all(items):
        problem(key, f"{key} must not contain empty names")
    return tuple(dict.fromkeys(x for x in items if x))


def _authors(fields: dict[str, Any], problem: Problem) -> tuple[str, ...]:
    if "authors" in fields and "author" in fields:
        problem("author", "give either author or authors, not both")
        return ()
    key = "author" if "author" in fields else "authors"
    if isinstance(fields.get(key), str):
        return (fields[key].strip(),) if fields[key].strip() else ()
    return _string_list(fields, key, problem)


def _sources(value: Any, problem: Problem) -> tuple[Source, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        problem("sources", "sources must be a list of names or {name, url} mappings")
        return ()
    found = []
    for number, item in enumerate(value):
        where = f"sources[{number}]"
        if isinstance(item, str) and item.strip():
            found.append(Source(item.strip()))
        elif isinstance(item, dict) and isinstance(item.get("name"), str) and item["name"].strip():
            unknown = sorted(set(item) - {"name", "url"})
            url = item.get("url")
            if unknown:
                problem(where, f"unknown key {unknown[0]!r} in a source (use name and url)")
            elif url is not None and not isinstance(url, str):
                problem(where, f"the url of source {item['name']!r} must be text")
            elif url and (wrong := link_problem(url.strip())):
                problem(where, f"the url of source {item['name'].strip()!r} cannot be "
                               f"published: {wrong}")
            else:
                found.append(Source(item["name"].strip(), url.strip() if url else None))
        else:
            problem(where, "each source must be a name or a mapping with a name and an "
                           "optional url")
    return tuple(found)


def _aliases(value: Any, problem: Problem, item_lines: dict[str, int]
             ) -> tuple[tuple[str, ...], dict[str, int]]:
    """Earlier paths of this page on this site (`/old/path/`), as output paths (`old/path/`);
    a path without a file suffix is a folder. With the line of each (`aliases[0]` -> line),
    for the errors of an alias that cannot redirect."""
    if value is None:
        return (), {}
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        problem("aliases", "aliases must be a list of earlier paths on this site, e.g. "
                           "aliases: [/en/old-headline/]")
        return (), {}
    found: dict[str, int | None] = {}
    for number, alias in enumerate(value):
        path, wrong = alias_path(alias.strip())
        if wrong:
            problem(f"aliases[{number}]", f"alias {alias!r} {wrong}")
        else:
            found.setdefault(path, item_lines.get(f"aliases[{number}]"))
    return tuple(found), {f"aliases[{n}]": line for n, line in enumerate(found.values())
                          if line is not None}


def alias_path(alias: str) -> tuple[str, str | None]:
    """(output path, None) of an alias such as `/en/old/`, or ("", why it cannot be one)."""
    parts = urlsplit(alias)
    if _CONTROL.search(alias) or "\\" in alias or " " in alias:
        return "", "contains a space, a backslash or a control character"
    if parts.scheme or parts.netloc or not alias.startswith("/"):
        return "", "must be a path on this site starting with '/', such as /en/old-headline/"
    if parts.query or parts.fragment:
        return "", "cannot have a '?' or '#' part: a redirect page is a file"
    segments = [s for s in parts.path.split("/") if s]
    if not segments:
        return "", "is the site's root, which cannot redirect"
    if any(s in (".", "..") for s in segments):
        return "", "cannot contain '.' or '..' segments"
    path = "/".join(segments)
    suffixed = "." in segments[-1] and not alias.endswith("/")
    return (path if suffixed else path + "/"), None


def link_problem(url: str) -> str | None:
    """Why a URL from front matter may not become a link, or None. Only web addresses and paths
    on this site are links: a browser runs `javascript:` and `data:` URLs, and it drops the
    control characters and decodes the entities that could hide such a scheme."""
    for form in dict.fromkeys((url, html.unescape(url))):
        if _CONTROL.search(form):
            return "it contains a line break or another control character"
        if "\\" in form:
            return "it contains a backslash: paths use '/'"
        scheme = _SCHEME.match(form.lstrip(" "))
        if scheme is None:
            if form.lstrip(" ").startswith("//"):
                return f"it has no scheme: write https:{form.strip()}"
            continue
        if scheme.group().lower() not in ("http:", "https:"):
            return (f"{scheme.group().lower()} addresses are not allowed: use a web address "
                    "(https://…) or a path on this site")
        if not urlsplit(form.strip()).hostname:
            return "a web address needs a host, as in https://www.example.com/"
    return None


def _section(fields: dict[str, Any], folder: PurePosixPath, declared: tuple[str, ...],
             problem: Problem) -> str:
    """The `section:` field, else the first folder under content/, else none; a declared one."""
    if "section" in fields:
        value, where = fields["section"], "section"
        if not isinstance(value, str) or not urls.is_segment(value):
            problem(where, "section must be a single name like 'americas' (letters, digits, "
                           "'-')")
            return ""
        named = f"section {value!r}"
    else:
        parts = folder.parts[1:]  # below content/
        if not parts:
            return ""
        value, where = parts[0], None
        if not urls.is_segment(value):
            problem(where, f"its folder {value!r} under content/ gives its section, and a section "
                           "is a single name like 'americas' (letters, digits, '-'): rename "
                           "the folder, or give the article a section: line")
            return ""
        named = f"section {value!r} (its folder under content/)"
    if urls.is_reserved(value):
        problem(where, f"{named} is a name the site uses for its own pages and files "
                       f"({', '.join(urls.RESERVED_NAMES)}): choose another")
    elif value not in declared:
        hint = difflib.get_close_matches(value, declared, n=1, cutoff=0.6)
        known = ", ".join(declared) if declared else "none yet"
        problem(where, f"{named} is not declared by any language"
                       + (f" (did you mean {hint[0]!r}?)" if hint else "")
                       + f": the declared sections are {known}; declare a new one in "
                         "`sections` of [languages.*] in the configuration")
    return value


def _slug(fields: dict[str, Any], title: str, stem: str, problem: Problem) -> str:
    value = fields.get("slug")
    reserved = ", ".join(urls.RESERVED_NAMES)
    if value is None:
        slug = urls.slugify(title) or urls.slugify(stem) or "article"
        if urls.is_reserved(slug):
            problem("title", f"the title makes the slug {slug!r}, a name the site uses for its "
                             f"own pages and files ({reserved}): give the story a slug: line")
        return slug
    if not isinstance(value, str) or not urls.is_segment(value):
        problem("slug", f"slug {value!r} must be one URL segment: letters, digits, '-', '_', '.'")
        return ""
    if len(value) > urls.MAX_SLUG:
        problem("slug", f"slug is {len(value)} characters long: keep it to {urls.MAX_SLUG} at "
                        "most, or URLs and file names get too long")
    elif urls.is_reserved(value):
        problem("slug", f"slug {value!r} is a name the site uses for its own pages and files "
                        f"({reserved}): choose another")
    return value


def first_paragraph(body_html: str) -> str:
    """The first paragraph with text, as plain text: the default summary. One pass over the
    body, whatever it holds (a regular expression would look for a `</p>` after every `<p>`)."""
    start = body_html.find("<p>")
    while start != -1:
        end = body_html.find("</p>", start + 3)
        if end == -1:
            break
        text = " ".join(html.unescape(_TAG.sub("", body_html[start + 3:end])).split())
        if text:
            return text
        start = body_html.find("<p>", end + 4)
    return ""


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", bool: "true/false"}.get(type(value), repr(value))

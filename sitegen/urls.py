"""The only place where URLs and output paths are made, so links and files always agree.

Every page is a folder with an `index.html` (`en/americas/some-story/`), which gives clean URLs
on any CDN. Paths here are relative to the output folder and use `/`.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_APOSTROPHES = re.compile("['‘’ʼ]")  # `Canal's` is one word: `canals`, not `canal-s`
_URL_SAFE = re.compile(r"[A-Za-z0-9/._~-]*")
_SEGMENT = re.compile(r"\w[\w.-]*")

MAX_SLUG = 80  # long enough for any headline's gist, short enough for every file system
# What a language's folder (and the site's root) holds besides articles: a section or a slug
# with one of these names would take the place of a page or file the site writes itself.
RESERVED_NAMES = ("404.html", "assets", "authors", "feed.xml", "index.html",
                  "news-sitemap.xml", "page", "robots.txt", "sitemap.xml", "tags")


@functools.lru_cache(maxsize=65536)
def slugify(text: str) -> str:
    """ASCII, lowercase, hyphenated: `¿Qué sigue para Cuba? Año nuevo` -> `que-sigue-para-cuba-ano-nuevo`;
    at most MAX_SLUG characters, cut between words."""
    text = _APOSTROPHES.sub("", text)
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _shorten(_NOT_SLUG.sub("-", ascii_text.lower()).strip("-"))


def _shorten(slug: str) -> str:
    if len(slug) <= MAX_SLUG:
        return slug
    head = slug[:MAX_SLUG + 1]
    return (head.rsplit("-", 1)[0] if "-" in head else head[:MAX_SLUG]).strip("-")


_SHARP = re.compile(r"(?<=\w)#")  # `C#`, `F#`; a leading `#` (`#MeToo`) is no sharp


@functools.lru_cache(maxsize=65536)
def term_slug(name: str) -> str:
    """A tag's or author's URL segment; `C++` and `C#` keep their own pages apart from `C`'s
    (`c-plus-plus`, `c-sharp`); names with no Latin letters get a stable short hash."""
    spelled = _SHARP.sub(" sharp ", name.replace("+", " plus "))
    return slugify(spelled) or hashlib.sha1(name.encode()).hexdigest()[:10]


def is_reserved(name: str) -> bool:
    """A name the site writes itself, in any case (`Tags` is `tags` where file names ignore it)."""
    return name.casefold() in RESERVED_NAMES


def is_segment(name: str) -> bool:
    """One folder name an editor may choose for a URL: letters, digits, '-', '_', '.', starting
    with a letter or digit; never a '/', a line break, '.' or '..'."""
    return _SEGMENT.fullmatch(name) is not None


def page_suffix(page: int) -> str:
    return "" if page == 1 else f"page/{page}/"


def article(lang: str, section: str, slug: str) -> str:
    return f"{lang}/{section}/{slug}/" if section else f"{lang}/{slug}/"


def front(lang: str, page: int = 1) -> str:
    return f"{lang}/{page_suffix(page)}"


@dataclass(frozen=True, slots=True)
class Places:
    """Where each language keeps its listings: a reader's address reads in the reader's language
    (`/es/economia/`, `/es/temas/derechos-humanos/`). Sections take the slug of their label in
    each language; the tag and author indexes take theirs from the catalogs."""

    sections: dict[str, dict[str, str]]  # lang -> section -> its folder
    tags: dict[str, str]  # lang -> the folder of its tag pages ("tags", "temas")
    authors: dict[str, str]  # lang -> the folder of its author pages
    searches: dict[str, str] = field(default_factory=dict)  # lang -> its search page's folder

    def section(self, lang: str, name: str, page: int = 1) -> str:
        return f"{lang}/{self.sections[lang].get(name, name)}/{page_suffix(page)}"

    def tag_index(self, lang: str) -> str:
        return f"{lang}/{self.tags[lang]}/"

    def tag(self, lang: str, slug: str, page: int = 1) -> str:
        return f"{lang}/{self.tags[lang]}/{slug}/{page_suffix(page)}"

    def search(self, lang: str) -> str:
        return f"{lang}/{self.searches.get(lang, 'search')}/"

    def author_index(self, lang: str) -> str:
        return f"{lang}/{self.authors[lang]}/"

    def author(self, lang: str, slug: str, page: int = 1) -> str:
        return f"{lang}/{self.authors[lang]}/{slug}/{page_suffix(page)}"

    def listing(self, kind: str, lang: str, name: str, page: int = 1) -> str:
        """Page `page` of a front page, section, tag or author listing."""
        if kind == "front":
            return front(lang, page)
        return {"section": self.section, "tag": self.tag, "author": self.author}[kind](
            lang, name, page)


def feed(lang: str) -> str:
    return f"{lang}/feed.xml"


def not_found(lang: str) -> str:
    return f"{lang}/404.html"


ROOT = ""
NOT_FOUND = "404.html"
SITEMAP = "sitemap.xml"
NEWS_SITEMAP = "news-sitemap.xml"
ROBOTS = "robots.txt"
ASSETS = "assets/"


def output_file(path: str) -> str:
    """The file a URL path is written to: folders get their `index.html`."""
    return path + "index.html" if path == "" or path.endswith("/") else path


def entry_id(base_url: str, story: str, lang: str) -> str:
    """A feed entry's id (RFC 4287: it never changes): from the site, the story and the language,
    so a corrected headline that changes the URL is not a new entry to feed readers."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{base_url}#{story}/{lang}')}"


class Linker:
    """Turns output paths into links for one base URL (which may live under a sub-path)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.base_path = urlsplit(self.base_url).path
        self._quoted: dict[str, str] = {}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Linker) and other.base_url == self.base_url

    def __hash__(self) -> int:
        return hash(self.base_url)

    def href(self, path: str) -> str:
        """A site-relative link, as pages use: `/en/americas/story/`."""
        return self.base_path + self._quote(path)

    def absolute(self, path: str) -> str:
        """An absolute URL, as feeds, sitemaps, canonical and hreflang links need."""
        return self.base_url + self._quote(path)

    def _quote(self, path: str) -> str:
        quoted = self._quoted.get(path)
        if quoted is None:
            quoted = self._quoted[path] = path if _URL_SAFE.fullmatch(path) else quote(path)
        return quoted

"""Bytes a phone downloads for an article page: the HTML plus the image file it picks for each
`<img>`.

Responsive images are worth what they save a reader on a phone, so the benchmark weighs built
pages the way a phone browser fetches them: a 390 CSS px wide viewport at device pixel ratio 3.
For an `<img>` (or the `<source>` of its `<picture>`) with a `srcset` of width descriptors, the
slot width comes from `sizes` (the first entry whose media condition matches the viewport, else
the last; `px`, `em`, `rem`, `vw`, `min()`, `max()`, `clamp()` and `calc()` are understood, and
anything else counts as `100vw`), and the browser takes the narrowest candidate at least
slot × DPR wide, else the widest. An `<img>` without `srcset` fetches its `src`. Images not
marked `loading="lazy"` are the first view; all of them are the whole page. A file used twice
is fetched once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

VIEWPORT_PX = 390.0  # CSS pixels across a modern phone held upright
VIEWPORT_HEIGHT_PX = 844.0
DPR = 3.0  # device pixels per CSS pixel of that phone
FONT_PX = 16.0  # what `1em` and `1rem` are in `sizes`: the initial font size
IMAGE_TYPES = {"image/webp", "image/avif", "image/jpeg", "image/png", "image/gif"}


# --------------------------------------------------------------------------------------------
# srcset and sizes
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """One image of a `srcset`: its URL with a width (`480w`) or a density (`2x`) descriptor."""

    url: str
    width: int | None = None
    density: float | None = None


def parse_srcset(srcset: str) -> list[Candidate]:
    """The candidates of a `srcset`, as the HTML standard splits them: a URL, then descriptors
    up to the next comma. A candidate without a descriptor is `1x`."""
    found: list[Candidate] = []
    at, end = 0, len(srcset)
    while at < end:
        while at < end and (srcset[at].isspace() or srcset[at] == ","):
            at += 1
        start = at
        while at < end and not srcset[at].isspace():
            at += 1
        url = srcset[start:at]
        if not url:
            break
        descriptors = ""
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            comma = srcset.find(",", at)
            comma = end if comma < 0 else comma
            descriptors, at = srcset[at:comma].strip(), comma + 1
        found.append(_candidate(url, descriptors))
    return found


def _candidate(url: str, descriptors: str) -> Candidate:
    for descriptor in descriptors.split():
        if re.fullmatch(r"\d+w", descriptor):
            return Candidate(url, width=int(descriptor[:-1]))
        if re.fullmatch(r"\d*\.?\d+x", descriptor):
            return Candidate(url, density=float(descriptor[:-1]))
    return Candidate(url, density=1.0)


def choose_candidate(candidates: Sequence[Candidate], slot_px: float,
                     dpr: float = DPR) -> Candidate | None:
    """The candidate a phone fetches: with width descriptors the narrowest at least
    slot × DPR device pixels wide, else the widest; with densities the least dense at least
    DPR, else the densest. None when there is no candidate."""
    widths = [c for c in candidates if c.width is not None]
    if widths:
        needed = slot_px * dpr
        wide_enough = [c for c in widths if c.width is not None and c.width >= needed]
        if wide_enough:
            return min(wide_enough, key=lambda c: c.width or 0)
        return max(widths, key=lambda c: c.width or 0)
    if not candidates:
        return None
    dense_enough = [c for c in candidates if (c.density or 1.0) >= dpr]
    if dense_enough:
        return min(dense_enough, key=lambda c: c.density or 1.0)
    return max(candidates, key=lambda c: c.density or 1.0)


def _split_top_level(text: str, separator: Callable[[str], bool]) -> list[str]:
    """Split where `separator` matches a character outside parentheses."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        if depth == 0 and separator(char):
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def slot_width(sizes: str | None, viewport_px: float = VIEWPORT_PX) -> float:
    """The CSS width `sizes` gives the image on the viewport: the first entry whose media
    condition matches, else the last entry; 100vw when nothing can be read."""
    fallback = viewport_px
    if not sizes:
        return fallback
    entries = [e.strip() for e in _split_top_level(sizes, lambda c: c == ",") if e.strip()]
    for number, entry in enumerate(entries):
        tokens = [t for t in _split_top_level(entry, str.isspace) if t]
        length, condition = tokens[-1], " ".join(tokens[:-1])
        last = number == len(entries) - 1
        if condition and not media_matches(condition, viewport_px):
            continue
        if not condition and not last:
            continue  # an entry without a condition must be the last one
        value = css_length(length, viewport_px)
        return value if value is not None and value >= 0 else fallback
    return fallback


_FEATURE = re.compile(r"\(\s*(min-|max-)?width\s*:\s*([^)]+?)\s*\)")
_RANGE = re.compile(r"\(\s*width\s*(<=|>=|<|>)\s*([^)]+?)\s*\)")


def media_matches(condition: str, viewport_px: float = VIEWPORT_PX) -> bool:
    """Whether a media condition of width features (`(max-width: 600px)`, `(width < 40em)`,
    joined by `and`, optionally after `screen` or `all`) matches the viewport; a condition it
    cannot read does not match."""
    text = condition.strip().lower()
    negate = text.startswith("not ")
    text = text.removeprefix("not ").strip()
    parts = [part.strip() for part in re.split(r"\band\b", text)]
    result = True
    for part in parts:
        if part in ("screen", "all", "only screen"):
            continue
        feature = _FEATURE.fullmatch(part)
        ranged = _RANGE.fullmatch(part)
        if feature:
            limit = css_length(feature.group(2), viewport_px)
            if limit is None:
                return False
            kind = feature.group(1)
            ok = (viewport_px >= limit if kind == "min-" else
                  viewport_px <= limit if kind == "max-" else viewport_px == limit)
        elif ranged:
            limit = css_length(ranged.group(2), viewport_px)
            if limit is None:
                return False
            op = ranged.group(1)
            ok = {"<=": viewport_px <= limit, ">=": viewport_px >= limit,
                  "<": viewport_px < limit, ">": viewport_px > limit}[op]
        else:
            return False
        result = result and ok
    return not result if negate else result


_TOKEN = re.compile(r"\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+))(?P<unit>[a-z%]*)"
                    r"|(?P<func>[a-z-]+)\(|(?P<op>[-+*/(),]))", re.IGNORECASE)


def css_length(text: str, viewport_px: float = VIEWPORT_PX) -> float | None:
    """A CSS length in CSS pixels on the viewport, or None when it cannot be read."""
    tokens: list[tuple[str, str]] = []
    at = 0
    text = text.strip()
    while at < len(text):
        match = _TOKEN.match(text, at)
        if not match or match.end() == at:
            return None
        if match.group("num") is not None:
            number = float(match.group("num"))
            unit = match.group("unit").lower()
            scale = {"": None, "px": 1.0, "vw": viewport_px / 100, "vh": VIEWPORT_HEIGHT_PX / 100,
                     "em": FONT_PX, "rem": FONT_PX}.get(unit, -1.0)
            if scale == -1.0:
                return None
            tokens.append(("num", str(number * scale if scale is not None else number)))
        elif match.group("func") is not None:
            tokens.append(("func", match.group("func").lower()))
        else:
            tokens.append(("op", match.group("op")))
        at = match.end()
    try:
        value, rest = _sum(tokens)
    except (ValueError, IndexError, ZeroDivisionError):
        return None
    return value if not rest else None


Tokens = list[tuple[str, str]]


def _sum(tokens: Tokens) -> tuple[float, Tokens]:
    value, tokens = _product(tokens)
    while tokens and tokens[0] in (("op", "+"), ("op", "-")):
        op = tokens[0][1]
        right, tokens = _product(tokens[1:])
        value = value + right if op == "+" else value - right
    return value, tokens


def _product(tokens: Tokens) -> tuple[float, Tokens]:
    value, tokens = _primary(tokens)
    while tokens and tokens[0] in (("op", "*"), ("op", "/")):
        op = tokens[0][1]
        right, tokens = _primary(tokens[1:])
        value = value * right if op == "*" else value / right
    return value, tokens


def _primary(tokens: Tokens) -> tuple[float, Tokens]:
    kind, text = tokens[0]
    if kind == "num":
        return float(text), tokens[1:]
    if kind == "op" and text in "+-":
        value, rest = _primary(tokens[1:])
        return (-value if text == "-" else value), rest
    if kind == "op" and text == "(":
        value, rest = _sum(tokens[1:])
        if rest[0] != ("op", ")"):
            raise ValueError("unclosed parenthesis")
        return value, rest[1:]
    if kind == "func" and text in ("calc", "min", "max", "clamp"):
        args, rest = [], tokens[1:]
        while True:
            value, rest = _sum(rest)
            args.append(value)
            if rest[0] == ("op", ","):
                rest = rest[1:]
                continue
            if rest[0] == ("op", ")"):
                rest = rest[1:]
                break
            raise ValueError("unexpected token")
        if text == "calc" and len(args) == 1:
            return args[0], rest
        if text == "min":
            return min(args), rest
        if text == "max":
            return max(args), rest
        if text == "clamp" and len(args) == 3:
            return max(args[0], min(args[1], args[2])), rest
    raise ValueError(f"cannot read {text!r}")


# --------------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fetch:
    """One image a phone fetches for a page: the URL it picked and whether it loads at once."""

    url: str
    lazy: bool


class _Images(HTMLParser):
    """The image each `<img>` of a page makes a phone fetch, in document order."""

    def __init__(self, viewport_px: float, dpr: float) -> None:
        super().__init__(convert_charrefs=True)
        self.viewport_px, self.dpr = viewport_px, dpr
        self.fetches: list[Fetch] = []
        self.sources: list[dict[str, str]] | None = None  # inside a <picture>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "picture":
            self.sources = []
        elif tag == "source" and self.sources is not None:
            self.sources.append(found)
        elif tag == "img":
            url = self._picked(found)
            if url:
                lazy = found.get("loading", "").strip().lower() == "lazy"
                self.fetches.append(Fetch(url, lazy))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "picture":
            self.sources = None

    def _picked(self, img: dict[str, str]) -> str:
        for source in self.sources or []:
            kind = source.get("type", "").strip().lower()
            media = source.get("media", "").strip()
            if (kind and kind not in IMAGE_TYPES) or (media and not media_matches(
                    media, self.viewport_px)) or not source.get("srcset"):
                continue
            return self._from_srcset(source, img.get("src", ""))
        return self._from_srcset(img, img.get("src", ""))

    def _from_srcset(self, element: dict[str, str], src: str) -> str:
        candidates = parse_srcset(element.get("srcset", ""))
        if not candidates:
            return src.strip()
        chosen = choose_candidate(candidates, slot_width(element.get("sizes"), self.viewport_px),
                                  self.dpr)
        return chosen.url if chosen else src.strip()


def images_fetched(html: str, viewport_px: float = VIEWPORT_PX, dpr: float = DPR) -> list[Fetch]:
    """The image URL a phone fetches for each `<img>` of a page, in document order."""
    parser = _Images(viewport_px, dpr)
    parser.feed(html)
    parser.close()
    return parser.fetches


@dataclass(frozen=True)
class PageWeight:
    """Bytes a phone downloads for one page: at first view and for the whole page."""

    page: str
    html_bytes: int
    first_view: int
    whole_page: int
    images: int
    missing: list[str] = field(default_factory=list)


def resolve(url: str, page_path: str, base_url: str, output: Path) -> Path | None:
    """The file of the output folder an image URL names, from the page at `page_path` (its
    URL path); None for another host's image or a path outside the site."""
    base = urlsplit(base_url)
    prefix = "/" + base.path.strip("/") if base.path.strip("/") else ""
    target = urlsplit(urljoin(page_path, url.strip()))
    if target.netloc and target.netloc.lower() != base.netloc.lower():
        return None
    path = unquote(target.path)
    if prefix:
        if not (path == prefix or path.startswith(prefix + "/")):
            return None
        path = path[len(prefix):]
    parts = [part for part in path.split("/") if part]
    if any(part == ".." for part in parts):
        return None
    return output.joinpath(*parts) if parts else None


def page_weight(page: Path, output: Path, base_url: str, viewport_px: float = VIEWPORT_PX,
                dpr: float = DPR) -> PageWeight:
    """What a phone downloads for a built page of the output folder (files it cannot find are
    listed as missing and count nothing)."""
    html = page.read_bytes()
    relative = page.relative_to(output).as_posix()
    base_path = urlsplit(base_url).path.strip("/")
    page_path = "/" + (base_path + "/" if base_path else "") + relative
    at_once: set[Path] = set()
    every: set[Path] = set()
    missing: list[str] = []
    fetches = images_fetched(html.decode("utf-8", "replace"), viewport_px, dpr)
    for fetch in fetches:
        found = resolve(fetch.url, page_path, base_url, output)
        if found is None or not found.is_file():
            missing.append(fetch.url)
            continue
        every.add(found)
        if not fetch.lazy:
            at_once.add(found)
    first = sum(path.stat().st_size for path in at_once)
    whole = sum(path.stat().st_size for path in every)
    return PageWeight(relative, len(html), len(html) + first, len(html) + whole, len(fetches),
                      missing)

"""Typography per language, set once, as an article is parsed: curly quotes and apostrophes, and
the space a language writes between a number and `%`.

Writers type straight quotes; readers expect their language's marks. Python-Markdown's `smarty`
extension decides where each straight quote opens or closes a quotation, outside code, and this
module decides which mark that is in the article's language:

- the quotation marks come from the language's gettext catalog (context `quotation marks`), so
  the translators choose them: `“ ” ‘ ’` in English, `« » “ ”` in Spanish (the RAE's order:
  angle quotes, then English quotes inside them). A quotation inside a quotation takes the inner
  pair, whether the outer one was typed as `"` or as the marks themselves (`«…"…"…»`); a single
  quote outside any quotation stays a single quote (`‘ ’`), as in a meaning ('word').
- an apostrophe is always `’` (U+2019, as Unicode recommends in every language), even where the
  closing inner mark is another character: a closing single quote followed by a letter, or with
  no single quotation open, is an apostrophe, and so is a single quote before a year's digits
  (’98).
- the space before `%` is the one Babel's locale data writes in the language's percent format:
  a no-break space (U+00A0) in `es` (`10 %`), none in `en` or `es_MX`.

Text in code spans and blocks, autolinked addresses, attributes and raw HTML is left alone;
`--` and `...` are left as typed, and `\\"` keeps a straight quote (5' 10\\").
"""

from __future__ import annotations

import functools
import gettext
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

APOSTROPHE = "\u2019"
SINGLE_QUOTES = ("\u2018", "\u2019")  # a single quote outside any quotation: ‘meaning’
ENGLISH_QUOTES = ("\u201c", "\u201d", "\u2018", "\u2019")

# What smarty writes in place of each straight quote, for the resolver to replace: characters of
# Unicode's private use area, which no article holds.
_OPEN_DOUBLE, _CLOSE_DOUBLE, _OPEN_SINGLE, _CLOSE_SINGLE = "\ue000", "\ue001", "\ue002", "\ue003"
_MARKERS = frozenset((_OPEN_DOUBLE, _CLOSE_DOUBLE, _OPEN_SINGLE, _CLOSE_SINGLE))
_PLACEHOLDER = re.compile("\u0002wzxhzdk:([0-9]+)\u0003")  # Markdown's stashed HTML
# Elements whose text is never set: code, and what a browser does not show as prose.
_VERBATIM = frozenset(("code", "pre", "kbd", "samp", "script", "style", "math", "svg"))
# Elements that start a new run of text: a quotation left open never crosses one.
_BLOCKS = frozenset(("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dt", "dd",
                     "figcaption", "blockquote", "div", "caption"))
# A number and its `%`: not inside an address (`?share=10%`, `/10%20`), the sign not followed
# by a letter or digit (`%20`). `-10 %` is a number too.
_PERCENT = re.compile(r"(?<![\w/=?&#%.,])(\d+(?:[.,]\d+)*)[ \u00a0\u202f]?%(?![\w])")


@dataclass(frozen=True, slots=True)
class Style:
    """How one language sets quotations and percentages."""

    quotes: tuple[str, str, str, str] = ENGLISH_QUOTES  # outer open, close; inner open, close
    percent_space: str = ""  # between a number and `%`

    @property
    def outer(self) -> tuple[str, str]:
        return self.quotes[0], self.quotes[1]

    @property
    def inner(self) -> tuple[str, str]:
        return self.quotes[2], self.quotes[3]


def quotation_marks(translations: gettext.NullTranslations) -> tuple[str, str, str, str]:
    """The language's quotation marks, as its catalog gives them (English's where it gives
    none)."""
    marks = (
        # Translators: opens a quotation (Spanish: «). A no-break space may follow it.
        translations.pgettext("quotation marks", "\u201c"),
        # Translators: closes a quotation (Spanish: »).
        translations.pgettext("quotation marks", "\u201d"),
        # Translators: opens a quotation inside a quotation (Spanish: “).
        translations.pgettext("quotation marks", "\u2018"),
        # Translators: closes a quotation inside a quotation (Spanish: ”).
        translations.pgettext("quotation marks", "\u2019"),
    )
    return tuple(mark if mark.strip() else default  # type: ignore[return-value]
                 for mark, default in zip(marks, ENGLISH_QUOTES))


@functools.lru_cache(maxsize=32)
def percent_space(locale: str) -> str:
    """The space the locale's percent format puts before `%` (Babel's CLDR data), or ""."""
    from babel import Locale

    pattern = Locale.parse(locale.replace("-", "_")).percent_formats[None].pattern
    found = re.search(r"([\s\u00a0\u202f]+)%", pattern)
    return found.group(1) if found else ""


def style_of(locale: str, translations: gettext.NullTranslations | None) -> Style:
    """A language's style: its catalog's quotation marks and its locale's percent spacing."""
    quotes = quotation_marks(translations) if translations is not None else ENGLISH_QUOTES
    return Style(quotes, percent_space(locale))


# Markdown ---------------------------------------------------------------------------------------

def extensions(style: Style) -> list[Any]:
    """The Markdown extensions that set an article's body in `style`: smarty, which writes a
    marker for each straight quote, then the resolver, which writes the language's marks."""
    from markdown.extensions import Extension
    from markdown.extensions.smarty import SmartyExtension
    from markdown.treeprocessors import InlineProcessor, Treeprocessor

    class QuotesOnly(InlineProcessor):
        """Smarty's pass, over the texts that hold a straight quote: its patterns cost as much
        as the rest of Markdown, and on a text without one they find nothing. (It overrides
        InlineProcessor's private method; were that renamed, smarty would simply run on every
        text again.)"""

        def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
            if '"' not in data and "'" not in data:
                return data
            handled: str = super()._InlineProcessor__handleInline(  # type: ignore[misc]
                data, patternIndex)
            return handled

    class Resolve(Treeprocessor):
        def run(self, root: Any) -> None:
            stash = self.md.htmlStash.rawHtmlBlocks

            def stashed(number: int) -> str | None:
                found = stash[number] if number < len(stash) else None
                return found if isinstance(found, str) else None

            _Setter(style, stashed).element(root)

    class Typography(Extension):
        def extendMarkdown(self, md: Any) -> None:
            smarty = QuotesOnly(md)
            smarty.inlinePatterns = md.treeprocessors["smarty"].inlinePatterns
            md.treeprocessors.register(smarty, "smarty", 6)
            md.treeprocessors.register(Resolve(md), "typography", 5)  # after smarty

    smarty = SmartyExtension(smart_dashes=False, smart_ellipses=False, substitutions={
        "left-double-quote": _OPEN_DOUBLE, "right-double-quote": _CLOSE_DOUBLE,
        "left-single-quote": _OPEN_SINGLE, "right-single-quote": _CLOSE_SINGLE})
    return [smarty, Typography()]


def typeset(text: str, style: Style) -> str:
    """A line of plain text (a headline, a summary, a caption) set as a body would be."""
    if not text or ('"' not in text and "'" not in text and "%" not in text):
        return text
    from xml.etree import ElementTree

    converter = _plain(style)
    converter.reset()
    root = ElementTree.Element("div")
    line = ElementTree.SubElement(root, "p")
    line.text = text
    converter.treeprocessors["smarty"].run(root)
    converter.treeprocessors["typography"].run(root)
    return str(line.text)


@functools.lru_cache(maxsize=16)
def _plain(style: Style) -> Any:
    """A converter that does nothing but the typography, for text that is not Markdown."""
    import markdown

    return markdown.Markdown(extensions=extensions(style))


class _Setter:
    """Walks a body in reading order, writing each quote's mark; a run of text (a paragraph,
    an item, a cell) starts with no quotation open."""

    def __init__(self, style: Style, stashed: Callable[[int], str | None]) -> None:
        self.style, self.stashed = style, stashed
        # The quotations open, innermost last: (their closing mark, opened by a single quote).
        self.open: list[tuple[str, bool]] = []
        typed = [pair for pair in (style.outer, style.inner)
                 if APOSTROPHE not in pair and "'" not in pair]
        self.typed_open = {opening: closing for opening, closing in typed}
        self.typed = frozenset(mark for pair in typed for mark in pair)
        self.marks = re.compile("[" + re.escape("".join(sorted(_MARKERS | self.typed))) + "]")

    def element(self, element: Any) -> None:
        from markdown.util import AtomicString

        if not isinstance(element.tag, str) or element.tag in _VERBATIM:
            return
        if element.tag in _BLOCKS:
            self.open = []
        if element.text and not isinstance(element.text, AtomicString):
            element.text = self.text(element.text)
        for child in element:
            self.element(child)
            if child.tail and not isinstance(child.tail, AtomicString):
                child.tail = self.text(child.tail)

    def text(self, text: str) -> str:
        if "\u0002" in text:
            text = _PLACEHOLDER.sub(self._unstash, text)
        if not _MARKERS.isdisjoint(text) or not self.typed.isdisjoint(text):
            text = self.marks.sub(self._mark, text)
        space = self.style.percent_space
        if space and "%" in text:
            text = _PERCENT.sub(lambda m: f"{m.group(1)}{space}%", text)
        return text

    def _unstash(self, match: re.Match[str]) -> str:
        """A marker smarty stashed comes back as itself; other stashed HTML stays stashed."""
        found = self.stashed(int(match.group(1)))
        return found if found is not None and found in _MARKERS else match.group(0)

    def _mark(self, found: re.Match[str]) -> str:
        """The mark for one marker smarty wrote, or a mark the writer typed, kept as typed."""
        char, after = found.group(), found.string[found.end():found.end() + 1]
        if char == _OPEN_DOUBLE:
            return self._opening(self.style.inner if self.open else self.style.outer, False)
        if char == _OPEN_SINGLE:
            if after.isdigit():  # a year cut short: the class of ’98
                return APOSTROPHE
            return self._opening(self.style.inner if self.open else SINGLE_QUOTES, True)
        if char == _CLOSE_DOUBLE:
            return self._closing(False) or self.style.outer[1]
        if char == _CLOSE_SINGLE:
            # A letter after it (it's, O'Neil) or no single quotation open: an apostrophe.
            closed = None if after.isalnum() else self._closing(True)
            return closed or APOSTROPHE
        self._typed(char)
        return char

    def _opening(self, pair: tuple[str, str], single: bool) -> str:
        self.open.append((pair[1], single))
        return pair[0]

    def _closing(self, single: bool) -> str | None:
        """The closing mark of the innermost quotation a single (or double) quote opened."""
        for n in range(len(self.open) - 1, -1, -1):
            if self.open[n][1] == single:
                return self.open.pop(n)[0]
        return None

    def _typed(self, mark: str) -> None:
        """A mark the writer typed opens or closes a quotation as a straight quote would."""
        for n in range(len(self.open) - 1, -1, -1):
            if self.open[n] == (mark, False):
                del self.open[n]
                return
        if mark in self.typed_open:
            self.open.append((self.typed_open[mark], False))
